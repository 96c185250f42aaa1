// Log pages: highlight a range of lines named by the hash (#L12-L20); a single
// line (#L12) is highlighted by CSS (:target) alone. Optional: without this file
// the line anchors still work.
(function () {
  "use strict";
  var marked = [];
  function mark() {
    marked.forEach(function (el) { el.classList.remove("hl"); });
    marked = [];
    var m = /^#L(\d+)-L?(\d+)$/.exec(location.hash);
    if (!m) return;
    var a = parseInt(m[1], 10), b = parseInt(m[2], 10);
    if (a > b) { var t = a; a = b; b = t; }
    if (b - a > 100000) b = a + 100000;
    for (var n = a; n <= b; n++) {
      var el = document.getElementById("L" + n);
      if (!el) break;
      el.classList.add("hl");
      marked.push(el);
    }
    if (marked.length) marked[0].scrollIntoView({ block: "center" });
  }
  window.addEventListener("hashchange", mark);
  mark();
})();
