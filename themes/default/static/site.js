// Optional enhancements; every page works without this file.
(function () {
  "use strict";
  // Relative time next to absolute UTC times.
  var now = Date.now();
  var units = [["year", 31536e6], ["month", 2592e6], ["week", 6048e5], ["day", 864e5], ["hour", 36e5], ["minute", 6e4]];
  function ago(ms) {
    for (var i = 0; i < units.length; i++) {
      var n = Math.floor(ms / units[i][1]);
      if (n >= 1) return n + " " + units[i][0] + (n > 1 ? "s" : "") + " ago";
    }
    return "just now";
  }
  document.querySelectorAll("main time[datetime]").forEach(function (t) {
    var d = Date.parse(t.getAttribute("datetime"));
    if (!isNaN(d) && now >= d) t.title = ago(now - d);
  });
  // Project search: jump to forge/namespace/repo, else filter the projects list.
  function seg(s) {
    if (/^[A-Za-z0-9._+-]+$/.test(s) && s[0] !== "." && ["page", "prs", "branches", "releases", "issues", "history", "projects-in", "index.html"].indexOf(s) < 0) return s;
    var b = new TextEncoder().encode(s), h = "~";
    for (var i = 0; i < b.length; i++) h += (b[i] < 16 ? "0" : "") + b[i].toString(16);
    return h;
  }
  var form = document.querySelector("form.search");
  if (form) form.addEventListener("submit", function (e) {
    var q = form.q.value.trim().replace(/^https?:\/\//, "").replace(/\.git$/, "").replace(/\/+$/, "");
    var parts = q.split("/").filter(Boolean);
    if (parts.length >= 3) {
      e.preventDefault();
      location.href = form.getAttribute("action").replace(/index\.html$/, "") + parts.map(seg).join("/") + "/index.html";
    }
  });
  var box = document.querySelector("[data-filter]");
  if (box) {
    box.parentNode.hidden = false;
    var rows = document.querySelectorAll("#" + box.getAttribute("data-filter") + " tbody tr");
    var q = new URLSearchParams(location.search).get("q");
    var apply = function () {
      var v = box.value.toLowerCase();
      rows.forEach(function (r) { r.hidden = v && r.textContent.toLowerCase().indexOf(v) < 0; });
    };
    if (q) box.value = q;
    box.addEventListener("input", apply);
    apply();
  }
})();
