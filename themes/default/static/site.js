// Optional enhancements; every page works without this file.
//
// - relative times next to absolute UTC times;
// - project search (home page): part of a name or a pasted repository URL;
// - list filter (job lists, pipelines, projects): filter by status, target,
//   trigger kind, project and free text, and sort, across ALL pages of a list. The
//   data comes from compact index files (idx/<list>/<n>.js) loaded with script
//   tags, so it works from file:// too. The view is kept in the URL's hash
//   (#status=failure&project=…), so a filtered view can be shared and survives a
//   reload.
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
  function relTimes(scope) {
    scope.querySelectorAll("time[datetime]").forEach(function (t) {
      var d = Date.parse(t.getAttribute("datetime"));
      if (!isNaN(d) && now >= d) t.title = ago(now - d);
    });
  }
  var mainEl = document.querySelector("main");
  if (mainEl) relTimes(mainEl);

  // Path segment encoding: the same rule as the generator's encode_segment.
  var RESERVED = ["page", "badge", "badge.svg", "feed.xml", "failures.xml", "prs", "branches", "releases", "issues", "history", "projects-in", "index.html"];
  var DEVICES = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])$/i;
  function seg(s) {
    var b = new TextEncoder().encode(s), h = s;
    if (!(/^[A-Za-z0-9._+-]+$/.test(s) && s[0] !== "." && s[s.length - 1] !== "." &&
          RESERVED.indexOf(s) < 0 && !DEVICES.test(s.split(".")[0]))) {
      h = "~";
      for (var i = 0; i < b.length; i++) h += (b[i] < 16 ? "0" : "") + b[i].toString(16);
    }
    if (h.length <= 160 || typeof BigInt !== "function") return h;
    // Long segments: the first 120 bytes, "~" and FNV-1a 64 of the name.
    var x = BigInt("0xcbf29ce484222325"), p = BigInt("0x100000001b3"), m = BigInt("0xffffffffffffffff");
    for (var j = 0; j < b.length; j++) x = ((x ^ BigInt(b[j])) * p) & m;
    var hex = x.toString(16);
    return h.slice(0, 120) + "~" + "0000000000000000".slice(hex.length) + hex;
  }
  function projectPath(key) {
    return "projects/" + key.split("/").map(seg).join("/") + "/";
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  // ---- index loading (script tags: works from file://, no fetch) -----------------
  var cache = {};
  function inject(src, done) {
    var s = document.createElement("script");
    s.src = src;
    s.async = true;
    s.onload = function () { done(null); };
    s.onerror = function () { done(new Error("cannot load " + src)); };
    document.head.appendChild(s);
  }
  function take(name, n) {
    var all = window.PP_IDX || [];
    for (var i = 0; i < all.length; i++) {
      if (all[i][0] === name && all[i][1] === n) return all[i][2];
    }
    return null;
  }
  // Loads every shard of index `name` (meta at `metaUrl`), then calls done(err, meta, shards).
  function loadIndex(name, metaUrl, done) {
    var c = cache[name];
    if (c && c.ready) return done(c.err, c.meta, c.shards);
    if (c) { c.waiting.push(done); return; }
    c = cache[name] = { waiting: [done], ready: false };
    var finish = function (err) {
      c.ready = true; c.err = err;
      c.waiting.forEach(function (f) { f(err, c.meta, c.shards); });
    };
    var base = metaUrl.replace(/meta\.js$/, "");
    inject(metaUrl, function (err) {
      if (err) return finish(err);
      c.meta = take(name, 0);
      if (!c.meta) return finish(new Error("empty index " + name));
      var n = c.meta.shards, left = n, failed = null;
      c.shards = [];
      if (!n) return finish(null);
      for (var i = 1; i <= n; i++) {
        (function (k) {
          inject(base + k + ".js", function (e) {
            if (e) failed = e; else c.shards[k - 1] = take(name, k);
            if (--left === 0) finish(failed);
          });
        })(i);
      }
    });
  }

  // ---- URL state (the hash: works from file:// as well as over HTTP) -----------
  var KEYS = ["q", "status", "target", "trigger", "project", "sort", "p"];
  function readState() {
    var h = location.hash.replace(/^#/, ""), st = {};
    if (h.indexOf("=") < 0) return st;
    h.split("&").forEach(function (kv) {
      var i = kv.indexOf("="), k = decodeURIComponent(kv.slice(0, i)), v;
      try { v = decodeURIComponent(kv.slice(i + 1).replace(/\+/g, " ")); } catch (e) { v = ""; }
      if (KEYS.indexOf(k) >= 0 && v) st[k] = v;
    });
    return st;
  }
  function writeState(st) {
    var parts = [];
    KEYS.forEach(function (k) { if (st[k]) parts.push(k + "=" + encodeURIComponent(st[k])); });
    var url = location.href.replace(/#.*$/, "") + (parts.length ? "#" + parts.join("&") : "");
    try { history.replaceState(null, "", url); } catch (e) { location.replace(url); }
  }

  var CLASSES = ["success", "failure", "error", "pending", "running", "skipped", "canceled", "unknown"];
  var TRIGGERS = [["", "Any"], ["1", "Pull request"], ["2", "Branch"], ["3", "Release"], ["4", "Issue"]];

  // Decodes the columnar, delta-encoded shards (see the generator's index_shard)
  // into row objects with resolved dictionary codes.
  function rowsOf(kind, meta, shards) {
    var out = [];
    shards.forEach(function (sh) {
      if (!sh) return;
      if (kind === "projects") {
        sh.r.forEach(function (r) {
          out.push({ key: r[0], pipelines: r[1], prs: r[2], branches: r[3], releases: r[4], issues: r[5], hay: r[0].toLowerCase() });
        });
        return;
      }
      var id = 0, t = 0, detail = 0, gi = 0, vi = 0, g = sh.g;
      for (var i = 0; i < sh.id.length; i++) {
        id += sh.id[i];
        t += sh.ts[i];
        var s = +sh.s.charAt(i), tk = +sh.tk.charAt(i);
        var o = { id: id, t: t, s: s, p: sh.pj[i] >= 0 ? sh.p[sh.pj[i]] : "", tk: tk, tv: tk ? sh.tv[vi++] : "", targets: [] };
        if (kind === "pipelines") {
          for (var n = g[gi++], k = 0; k < n; k++) o.targets.push({ name: sh.t[g[gi++]], s: -1, id: 0 });
        } else if (meta.grouped) {
          for (var m = g[gi++], j = 0; j < m; j++) {
            var c = g[gi++];
            detail += g[gi++];
            o.targets.push({ name: sh.t[c >> 3], s: c & 7, id: detail });
          }
        } else {
          var tc = g[gi++];
          if (tc >= 0) o.targets.push({ name: sh.t[tc], s: s, id: id });
        }
        o.hay = (o.id + " " + o.p + " " + o.tv + " " + o.targets.map(function (x) { return x.name; }).join(" ")).toLowerCase();
        out.push(o);
      }
    });
    return out;
  }

  function suffix(r) {
    if (!r.tk) return "";
    if (r.tk === 1 || r.tk === 4) return "#" + r.tv;
    if (r.tk === 2) return ":" + r.tv;
    return "#release:" + r.tv;
  }

  function chip(root, cls, text, href) {
    var c = el(href ? "a" : "span", { "class": "chip s-" + cls });
    if (href) c.setAttribute("href", root + href + "index.html");
    c.appendChild(el("span", { "class": "ic", "aria-hidden": "true" }));
    c.appendChild(el("span", { "class": "ct" }, text));
    c.appendChild(document.createTextNode(" "));
    c.appendChild(el("span", { "class": "st" }, cls));
    return c;
  }

  function timeCell(t) {
    if (!t) return el("span", { "class": "muted" }, "not provided");
    var iso = new Date(t * 1000).toISOString().replace(/\.\d+Z$/, "Z");
    return el("time", { datetime: iso }, iso.slice(0, 16).replace("T", " ") + " UTC");
  }

  function triggerCell(root, r) {
    var span = el("span", { "class": "trig" });
    if (r.p) {
      span.appendChild(el("a", { href: root + projectPath(r.p) + "index.html" }, r.p.replace(/^[^/]*\//, "")));
    } else {
      span.appendChild(el("span", { "class": "muted" }, "no project"));
    }
    if (r.tk) span.appendChild(el("span", { "class": "sfx" }, suffix(r)));
    return span;
  }

  function listFilter(box) {
    var name = box.getAttribute("data-index");
    var metaUrl = box.getAttribute("data-meta");
    var root = box.getAttribute("data-root") || "";
    var kind = name === "pipelines" ? "pipelines" : name === "projects" ? "projects" : "jobs";
    var staticEl = document.getElementById("lf-static");
    var PER = 50;
    var rows = null, meta = null;

    // the form
    var form = el("form", { "class": "lf-form", role: "search", "aria-label": "Filter the whole list" });
    var fields = {};
    function field(key, label, control) {
      var id = "lf-" + key;
      control.id = id;
      control.name = key;
      var w = el("div", { "class": "lf-field" });
      w.appendChild(el("label", { "for": id }, label));
      w.appendChild(control);
      form.appendChild(w);
      fields[key] = control;
    }
    function select(options) {
      var s = el("select");
      options.forEach(function (o) { s.appendChild(el("option", { value: o[0] }, o[1])); });
      return s;
    }
    field("q", "Search", el("input", { type: "search", autocomplete: "off", placeholder: kind === "projects" ? "name or repository URL" : "id, project, PR, target…" }));
    if (kind !== "projects") {
      field("status", "Status", select([["", "Any"]].concat(CLASSES.map(function (c) { return [c, c]; }))));
      field("target", "Target", el("input", { type: "search", autocomplete: "off", list: "lf-targets", placeholder: "chroot or branch" }));
      form.appendChild(el("datalist", { id: "lf-targets" }));
      field("trigger", "Trigger", select(TRIGGERS));
      field("project", "Project", el("input", { type: "search", autocomplete: "off", list: "lf-projects", placeholder: "forge/namespace/repo" }));
      form.appendChild(el("datalist", { id: "lf-projects" }));
      field("sort", "Sort", select([["", "Newest first"], ["oldest", "Oldest first"], ["project", "Project A–Z"], ["pr", "PR number"]]));
    } else {
      field("sort", "Sort", select([["", "Name A–Z"], ["pipelines", "Most pipelines"], ["prs", "Most pull requests"]]));
    }
    var clear = el("button", { type: "button", "class": "lf-clear" }, "Clear");
    form.appendChild(clear);
    var msg = el("p", { "class": "lf-msg", role: "status", "aria-live": "polite" });
    var out = el("div", { "class": "lf-out", id: "lf-out" });
    out.hidden = true;
    box.appendChild(form);
    box.appendChild(msg);
    box.parentNode.insertBefore(out, staticEl ? staticEl.nextSibling : box.nextSibling);
    box.hidden = false;

    function stateFromForm() {
      var st = {};
      Object.keys(fields).forEach(function (k) { if (fields[k].value.trim()) st[k] = fields[k].value.trim(); });
      return st;
    }
    function formFromState(st) {
      Object.keys(fields).forEach(function (k) { fields[k].value = st[k] || ""; });
    }

    // rows sorted once per sort order; filtering keeps that order
    var bySort = {};
    function ordered(sort) {
      var k = sort || "";
      if (!bySort[k]) bySort[k] = sorted(rows, k);
      return bySort[k];
    }
    function matches(st) {
      var q = (st.q || "").toLowerCase();
      var rows = ordered(st.sort);
      if (kind === "projects") {
        var nq = normalizeRepo(q);
        // a pasted repository URL names one project: show just that one
        var exactly = nq ? rows.filter(function (r) { return r.hay === nq || nq.indexOf(r.hay + "/") === 0; }) : [];
        var same = exactly.filter(function (r) { return r.hay === nq; });
        if (same.length) return same;
        if (exactly.length) return exactly;
        return rows.filter(function (r) { return !q || r.hay.indexOf(q) >= 0 || (nq && r.hay.indexOf(nq) >= 0); });
      }
      var status = st.status ? CLASSES.indexOf(st.status) : -1;
      var target = (st.target || "").toLowerCase();
      var trig = st.trigger ? +st.trigger : 0;
      var proj = (st.project || "").toLowerCase();
      var exact = proj && projectSet[proj];
      return rows.filter(function (r) {
        if (status >= 0 && r.s !== status) return false;
        if (trig && r.tk !== trig) return false;
        if (proj) {
          var p = r.p.toLowerCase();
          if (exact ? p !== proj : p.indexOf(proj) < 0) return false;
        }
        if (target && !r.targets.some(function (x) { return x.name && x.name.toLowerCase().indexOf(target) >= 0; })) return false;
        if (q && r.hay.indexOf(q) < 0) return false;
        return true;
      });
    }
    function sorted(list, sort) {
      var by;
      if (kind === "projects") {
        // A–Z ignoring case, as the pages are (ties: the key's own order)
        var az = function (a, b) {
          var x = a.key.toLowerCase(), y = b.key.toLowerCase();
          return x < y ? -1 : x > y ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
        };
        if (sort === "pipelines") by = function (a, b) { return b.pipelines - a.pipelines || az(a, b); };
        else if (sort === "prs") by = function (a, b) { return b.prs - a.prs || az(a, b); };
        else by = az;
      } else if (sort === "oldest") by = function (a, b) { return a.t - b.t || a.id - b.id; };
      else if (sort === "project") by = function (a, b) {
        var x = (a.p || "").toLowerCase(), y = (b.p || "").toLowerCase();
        return x < y ? -1 : x > y ? 1 : a.p < b.p ? -1 : a.p > b.p ? 1 : b.t - a.t || b.id - a.id;
      };
      else if (sort === "pr") by = function (a, b) {
        var x = a.tk === 1 ? a.tv : -1, y = b.tk === 1 ? b.tv : -1;
        return y - x || b.t - a.t || b.id - a.id;
      };
      else by = function (a, b) { return b.t - a.t || b.id - a.id; };
      return list.slice().sort(by);
    }

    function table(cols) {
      var t = el("table", { "class": "list lf-results" });
      var tr = el("tr");
      cols.forEach(function (c) { tr.appendChild(el("th", { scope: "col" }, c)); });
      var thead = el("thead");
      thead.appendChild(tr);
      t.appendChild(thead);
      t.appendChild(el("tbody"));
      return t;
    }
    function td(row, label, child) {
      var c = el("td", { "data-label": label });
      if (child) c.appendChild(child);
      row.appendChild(c);
      return c;
    }
    function renderRows(list, page) {
      var cols = kind === "projects" ? ["Repository", "Pipelines", "Pull requests", "Branches", "Releases", "Issues"]
        : kind === "pipelines" ? ["Pipeline", "Trigger", "Status", "Targets", "Submitted"]
          : meta.grouped ? ["Id", "Trigger", "Targets", "Submitted"] : ["Job", "Trigger", "Target", "Submitted"];
      var t = table(cols), body = t.tBodies[0];
      list.slice((page - 1) * PER, page * PER).forEach(function (r) {
        var tr = el("tr", { "data-id": kind === "projects" ? r.key : String(r.id), "data-project": kind === "projects" ? r.key : r.p, "data-t": String(r.t || 0), "data-pr": r.tk === 1 ? String(r.tv) : "" });
        if (kind === "projects") {
          td(tr, cols[0], el("a", { href: root + projectPath(r.key) + "index.html" }, r.key));
          ["pipelines", "prs", "branches", "releases", "issues"].forEach(function (k, i) { td(tr, cols[i + 1], null).textContent = r[k]; });
        } else {
          if (kind === "pipelines" || !meta.grouped) {
            td(tr, cols[0], el("a", { href: root + meta.detail + r.id + "/index.html" }, "#" + r.id));
          } else {
            td(tr, cols[0], null).textContent = r.id;
          }
          td(tr, cols[1], triggerCell(root, r));
          if (kind === "pipelines") {
            td(tr, cols[2], chip(root, CLASSES[r.s], "#" + r.id, null));
            td(tr, cols[3], null).textContent = r.targets.map(function (x) { return x.name; }).join(", ");
          } else {
            var ul = el("ul", { "class": "chips" });
            r.targets.forEach(function (x) {
              var li = el("li");
              li.appendChild(chip(root, CLASSES[x.s >= 0 ? x.s : r.s], x.name, x.id ? meta.detail + x.id + "/" : null));
              ul.appendChild(li);
            });
            if (!r.targets.length) {
              var li = el("li");
              li.appendChild(chip(root, CLASSES[r.s], "#" + r.id, meta.grouped ? null : meta.detail + r.id + "/"));
              ul.appendChild(li);
            }
            td(tr, cols[2], ul);
          }
          td(tr, cols[cols.length - 1], timeCell(r.t));
        }
        body.appendChild(tr);
      });
      var wrap = el("div", { "class": "tbl", tabindex: "0" });
      wrap.appendChild(t);
      return wrap;
    }
    function pager(total, page, st) {
      var pages = Math.max(1, Math.ceil(total / PER));
      var nav = el("nav", { "class": "pager lf-pager", "aria-label": "Pages of the filtered list" });
      var p = el("p", { "class": "pn" });
      function btn(text, to, rel) {
        var b = el("button", { type: "button", "data-page": String(to), "class": "lf-" + rel }, text);
        b.disabled = to < 1 || to > pages;
        b.addEventListener("click", function () { st.p = to > 1 ? String(to) : ""; writeState(st); show(st); });
        p.appendChild(b);
      }
      btn("← Previous", page - 1, "prev");
      p.appendChild(el("span", { "class": "lf-pos" }, "Page " + page + " of " + pages));
      btn("Next →", page + 1, "next");
      nav.appendChild(p);
      return nav;
    }

    var projectSet = {};
    function fillLists() {
      var ts = {}, ps = {};
      rows.forEach(function (r) {
        if (r.p) ps[r.p] = 1;
        (r.targets || []).forEach(function (x) { if (x.name) ts[x.name] = 1; });
      });
      Object.keys(ps).forEach(function (k) { projectSet[k.toLowerCase()] = 1; });
      [["lf-targets", ts], ["lf-projects", ps]].forEach(function (d) {
        var dl = document.getElementById(d[0]);
        if (!dl) return;
        Object.keys(d[1]).sort().slice(0, 500).forEach(function (v) { dl.appendChild(el("option", { value: v })); });
      });
    }

    var shown = null;
    function show(st) {
      var active = Object.keys(st).length > 0;
      if (!active) {
        out.hidden = true;
        out.textContent = "";
        if (staticEl) staticEl.hidden = false;
        msg.textContent = "";
        box.removeAttribute("data-state");
        return;
      }
      if (!rows) {
        msg.textContent = "Loading the list index…";
        box.setAttribute("data-state", "loading");
        loadIndex(name, metaUrl, function (err, m, shards) {
          if (err) {
            msg.textContent = "The list index could not be loaded (" + err.message + "); the pages below are complete.";
            box.setAttribute("data-state", "error");
            return;
          }
          meta = m;
          rows = rowsOf(kind, m, shards);
          fillLists();
          show(readState());
        });
        return;
      }
      var t0 = performance.now();
      var list = matches(st);
      var t1 = performance.now();
      var pages = Math.max(1, Math.ceil(list.length / PER));
      var page = Math.min(Math.max(1, parseInt(st.p, 10) || 1), pages);
      out.textContent = "";
      if (list.length) {
        out.appendChild(renderRows(list, page));
        if (pages > 1) out.appendChild(pager(list.length, page, st));
      } else {
        out.appendChild(el("p", { "class": "empty" }, "Nothing matches."));
      }
      relTimes(out);
      out.hidden = false;
      if (staticEl) staticEl.hidden = true;
      msg.textContent = list.length.toLocaleString("en") + " of " + rows.length.toLocaleString("en") + " match" + (list.length === 1 ? "es" : "") + ".";
      box.setAttribute("data-state", "ready");
      box.setAttribute("data-matches", String(list.length));
      box.setAttribute("data-ms", (performance.now() - t0).toFixed(1));
      box.setAttribute("data-ms-filter", (t1 - t0).toFixed(1));
      shown = st;
    }

    var timer = null;
    function onChange() {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var st = stateFromForm();
        writeState(st);
        show(st);
      }, 120);
    }
    form.addEventListener("input", onChange);
    form.addEventListener("change", onChange);
    form.addEventListener("submit", function (e) { e.preventDefault(); onChange(); });
    clear.addEventListener("click", function () { formFromState({}); writeState({}); show({}); });
    window.addEventListener("hashchange", function () {
      var st = readState();
      formFromState(st);
      show(st);
    });
    var initial = readState();
    formFromState(initial);
    show(initial);
    // expose for tests and benchmarks
    box.ppShow = function (st) { formFromState(st); writeState(st); show(st); return shown; };
  }

  // A repository URL or path as a project key: scheme, .git, trailing parts of
  // forge URLs (/pull/…, /-/merge_requests/…, /tree/…) dropped.
  function normalizeRepo(s) {
    s = s.trim().toLowerCase().replace(/^[a-z+]+:\/\//, "").replace(/^git@([^:]+):/, "$1/").replace(/[?#].*$/, "");
    s = s.replace(/\/-\/.*$/, "").replace(/\/(pull|pulls|issues|tree|blob|commit|releases|merge_requests|pull-request|c)\/.*$/, "");
    return s.replace(/\.git$/, "").replace(/\/+$/, "");
  }

  // ---- project search on the home page -------------------------------------------
  var form = document.querySelector("form.search");
  if (form && form.getAttribute("data-meta")) {
    var input = form.querySelector("input[type=search]");
    var sroot = form.getAttribute("data-root") || "";
    var list = el("ul", { "class": "suggest", id: "q-suggest", "aria-label": "Matching projects" });
    list.hidden = true;
    form.appendChild(list);
    input.setAttribute("aria-controls", "q-suggest");
    var keys = null;
    var find = function (q) {
      var n = normalizeRepo(q);
      if (!n) return [];
      var exact = [], part = [];
      keys.forEach(function (k) {
        var lk = k.toLowerCase();
        if (lk === n) exact.unshift(k);
        else if (n.indexOf(lk + "/") === 0) exact.push(k);
        else if (lk.indexOf(n) >= 0) part.push(k);
      });
      return exact.concat(part);
    };
    var suggest = function () {
      if (!keys) {
        loadIndex("projects", form.getAttribute("data-meta"), function (err, m, shards) {
          if (err) return;
          keys = [];
          shards.forEach(function (sh) { if (sh) sh.r.forEach(function (r) { keys.push(r[0]); }); });
          suggest();
        });
        return;
      }
      var found = find(input.value);
      list.textContent = "";
      found.slice(0, 10).forEach(function (k) {
        var li = el("li");
        li.appendChild(el("a", { href: sroot + projectPath(k) + "index.html" }, k));
        list.appendChild(li);
      });
      if (found.length > 10) list.appendChild(el("li", { "class": "muted" }, (found.length - 10) + " more: press Enter to see all"));
      list.hidden = !input.value.trim();
      if (input.value.trim() && !found.length) list.appendChild(el("li", { "class": "muted" }, "No project matches."));
    };
    input.addEventListener("input", suggest);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var go = function () {
        var found = keys ? find(input.value) : [];
        if (found.length === 1 || (found.length && normalizeRepo(input.value) === found[0].toLowerCase())) {
          location.href = sroot + projectPath(found[0]) + "index.html";
        } else {
          location.href = form.getAttribute("action") + "#q=" + encodeURIComponent(normalizeRepo(input.value));
        }
      };
      if (keys) go(); else loadIndex("projects", form.getAttribute("data-meta"), function () { suggest(); go(); });
    });
  }

  var box = document.getElementById("lf");
  if (box) listFilter(box);
})();
