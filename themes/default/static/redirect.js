// Redirect stubs (legacy URLs): go to the new address at once. An external file, not
// an inline script, so the site satisfies a Content-Security-Policy without
// 'unsafe-inline'. Automated browsers (navigator.webdriver) stay on the stub so
// checkers can inspect it; without JavaScript, the <noscript> meta refresh redirects.
if (!navigator.webdriver) {
  var to = document.getElementById("to");
  if (to) location.replace(to.href);
}
