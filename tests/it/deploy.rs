//! Deployment files against a built demo site: `netlify.toml`'s redirect rules answer
//! every legacy redirect page with the page it points at, its Content-Security-Policy
//! is strict, and no page needs an exception from it (no inline script or style, no
//! style attribute, no event handler). The browser-side proof is
//! `tests/browser/csp.mjs`, run by `scripts/test`.

use crate::support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use support::TempDir;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn demo_site(tmp: &TempDir) -> PathBuf {
    let out = tmp.join("public");
    let o = support::packit_pages()
        .current_dir(tmp.path())
        .args(["build", "--demo", "--pipelines", "80", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    out
}

fn netlify() -> toml::Table {
    toml::from_str(&std::fs::read_to_string(root().join("netlify.toml")).unwrap()).unwrap()
}

/// Path segments of a site URL path, `index.html` and slashes dropped.
fn segments(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty() && *s != "index.html")
        .map(String::from)
        .collect()
}

/// Netlify-style matching: `:name` is one segment, a final `*` the rest (maybe none).
/// Returns the rule's `to` with the placeholders filled in.
fn apply(from: &str, to: &str, path: &[String]) -> Option<Vec<String>> {
    let pat = segments(from);
    let mut binds = BTreeMap::new();
    for (i, p) in pat.iter().enumerate() {
        if p == "*" {
            break;
        }
        let seg = path.get(i)?;
        if let Some(name) = p.strip_prefix(':') {
            binds.insert(name.to_string(), seg.clone());
        } else if p != seg {
            return None;
        }
    }
    if pat.last().map(String::as_str) != Some("*") && pat.len() != path.len() {
        return None;
    }
    Some(
        segments(to)
            .into_iter()
            .map(|s| match s.strip_prefix(':') {
                Some(n) => binds[n].clone(),
                None => s,
            })
            .collect(),
    )
}

/// Every redirect stub of the site: its path segments → its target's segments.
fn stubs(site: &Path) -> BTreeMap<Vec<String>, Vec<String>> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(site) {
        let e = e.unwrap();
        if e.file_name() != "index.html" {
            continue;
        }
        let html = std::fs::read_to_string(e.path()).unwrap();
        let Some(i) = html.find("http-equiv=\"refresh\" content=\"0; url=") else {
            continue;
        };
        let rest = &html[i + 37..];
        let target = &rest[..rest.find('"').unwrap()];
        let dir = e.path().parent().unwrap();
        let rel = dir
            .strip_prefix(site)
            .unwrap()
            .to_string_lossy()
            .to_string();
        let mut resolved = segments(&rel);
        for s in target.split('/') {
            match s {
                ".." => {
                    resolved.pop();
                }
                "" | "." | "index.html" => {}
                s => resolved.push(s.to_string()),
            }
        }
        out.insert(segments(&rel), resolved);
    }
    out
}

fn is_page(site: &Path, segs: &[String]) -> bool {
    let mut p = site.to_path_buf();
    p.extend(segs);
    let f = p.join("index.html");
    f.is_file()
        && !std::fs::read_to_string(&f)
            .unwrap()
            .contains("http-equiv=\"refresh\"")
}

#[test]
fn netlify_redirects_answer_every_legacy_url_with_its_page() {
    let tmp = TempDir::new("deploy-redirects");
    let site = demo_site(&tmp);
    let stubs = stubs(&site);
    assert!(stubs.len() > 50, "{}", stubs.len());
    let cfg = netlify();
    let rules: Vec<(String, String)> = cfg["redirects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(r["status"].as_integer(), Some(301), "{r:?}");
            assert_eq!(
                r["force"].as_bool(),
                Some(true),
                "{r:?}: stubs would shadow it"
            );
            (
                r["from"].as_str().unwrap().to_string(),
                r["to"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut used = vec![false; rules.len()];
    let mut uncovered = Vec::new();
    for (from, target) in &stubs {
        let hit = rules
            .iter()
            .enumerate()
            .find_map(|(i, (f, t))| apply(f, t, from).map(|to| (i, to)));
        match hit {
            Some((i, to)) => {
                used[i] = true;
                assert_eq!(
                    &to,
                    target,
                    "rule {:?} sends /{} elsewhere",
                    rules[i],
                    from.join("/")
                );
                assert!(is_page(&site, &to), "/{} is not a page", to.join("/"));
            }
            None => uncovered.push(from.join("/")),
        }
    }
    // only the Koji cross-aliases (any Koji id under both Koji routes) are not
    // pattern-based: which route is real depends on the id
    for u in &uncovered {
        assert!(
            u.starts_with("jobs/koji/") || u.starts_with("jobs/koji-downstream/"),
            "legacy URL /{u}/ has no netlify.toml rule"
        );
    }
    for (i, u) in used.iter().enumerate() {
        let (from, _) = &rules[i];
        assert!(*u, "rule from {from} matches no legacy URL of the site");
    }
}

/// Tags of an HTML document: (tag name, attribute names), with quoted values skipped.
fn tags(html: &str) -> Vec<(String, Vec<String>, String)> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' || i + 1 >= b.len() || !b[i + 1].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        let name_start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' && b[i] != b'/' {
            i += 1;
        }
        let name = html[name_start..i].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
                i += 1;
            }
            if i >= b.len() || b[i] == b'>' {
                break;
            }
            let a = i;
            while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' && b[i] != b'>' {
                i += 1;
            }
            attrs.push(html[a..i].to_ascii_lowercase());
            if i < b.len() && b[i] == b'=' {
                i += 1;
                if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                    let q = b[i];
                    i += 1;
                    while i < b.len() && b[i] != q {
                        i += 1;
                    }
                    i += 1;
                } else {
                    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                        i += 1;
                    }
                }
            }
        }
        i += 1;
        let raw = html[start..i.min(html.len())].to_string();
        // skip the contents of script and style elements
        if name == "script" || name == "style" {
            let close = format!("</{name}");
            if let Some(j) = html[i.min(html.len())..].to_ascii_lowercase().find(&close) {
                i += j;
            }
        }
        out.push((name, attrs, raw));
    }
    out
}

/// What a strict CSP (no 'unsafe-inline') would block in a page.
fn csp_needs(html: &str) -> Vec<String> {
    let mut v = Vec::new();
    for (name, attrs, raw) in tags(html) {
        if name == "style" {
            v.push(format!("inline <style>: {raw}"));
        }
        if name == "script" && !attrs.iter().any(|a| a == "src") {
            v.push(format!("inline <script>: {raw}"));
        }
        for a in &attrs {
            if a == "style" || (a.starts_with("on") && a.len() > 2) {
                v.push(format!("attribute {a}: {raw}"));
            }
        }
        if attrs.iter().any(|a| a == "href") && raw.to_ascii_lowercase().contains("javascript:") {
            v.push(format!("javascript: URL: {raw}"));
        }
    }
    v
}

#[test]
fn the_csp_scan_catches_what_a_strict_policy_blocks() {
    assert!(
        csp_needs("<p class=\"a\" title='style=x'>style=\"\"</p><script src=a.js></script>")
            .is_empty()
    );
    assert_eq!(csp_needs("<span style=\"width: 3%\"></span>").len(), 1);
    assert_eq!(csp_needs("<script>alert(1)</script>").len(), 1);
    assert_eq!(csp_needs("<img src=x onerror=alert(1)>").len(), 1);
    assert_eq!(csp_needs("<style>p{}</style>").len(), 1);
}

#[test]
fn the_csp_is_strict_and_no_page_needs_an_exception() {
    let cfg = netlify();
    let headers = cfg["headers"].as_array().unwrap();
    let all = headers
        .iter()
        .find(|h| h["for"].as_str() == Some("/*"))
        .expect("headers for /*");
    let csp = all["values"]["Content-Security-Policy"].as_str().unwrap();
    for d in [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ] {
        assert!(csp.contains(d), "{d} missing from {csp}");
    }
    assert!(!csp.contains("unsafe-"), "{csp}");
    for h in [
        "X-Content-Type-Options",
        "Referrer-Policy",
        "X-Frame-Options",
    ] {
        assert!(all["values"].get(h).is_some(), "{h}");
    }
    assert_eq!(cfg["build"]["publish"].as_str(), Some("public"));

    let tmp = TempDir::new("deploy-csp");
    let site = demo_site(&tmp);
    let mut pages = 0;
    let mut problems = Vec::new();
    for e in walkdir::WalkDir::new(&site) {
        let e = e.unwrap();
        if e.path().extension().is_some_and(|x| x == "html") {
            pages += 1;
            for p in csp_needs(&std::fs::read_to_string(e.path()).unwrap()) {
                problems.push(format!(
                    "{}: {p}",
                    e.path().strip_prefix(&site).unwrap().display()
                ));
            }
        }
    }
    assert!(pages > 500, "{pages}");
    assert!(
        problems.is_empty(),
        "{} problems, e.g. {:?}",
        problems.len(),
        &problems[..problems.len().min(5)]
    );
}

/// The subcommand and `--flags` of a `packit-pages …` command line exist (per the
/// subcommand's `--help`).
fn assert_cli_line(line: &str) {
    let words: Vec<&str> = line.split_whitespace().collect();
    let sub = words[0];
    let help = support::packit_pages()
        .args([sub, "--help"])
        .output()
        .unwrap();
    assert!(help.status.success(), "{line}: no subcommand {sub}");
    let help = String::from_utf8(help.stdout).unwrap();
    for w in &words[1..] {
        if w.starts_with("--") {
            assert!(help.contains(w), "{line}: {sub} has no flag {w}");
        }
    }
}

#[test]
fn deployment_commands_use_existing_subcommands_and_flags() {
    let cfg = netlify();
    let cmd = cfg["build"]["command"].as_str().unwrap();
    let (_, args) = cmd.split_once(" -- ").expect("cargo run -- ARGS");
    assert_cli_line(args);

    let wf = std::fs::read_to_string(root().join("examples/github-pages.yml")).unwrap();
    for needed in [
        "actions/cache@",
        "restore-keys: packit-archive-",
        "path: packit-archive.sqlite",
        "actions/configure-pages@",
        "actions/upload-pages-artifact@",
        "actions/deploy-pages@",
        "path: public",
        "pages: write",
        "id-token: write",
        // the scoped sync, and what its first run costs
        "run: packit-pages sync --project ",
        "A first run makes about one request per pipeline and job",
    ] {
        assert!(wf.contains(needed), "workflow lacks {needed}");
    }
    let runs: Vec<&str> = wf
        .lines()
        .filter_map(|l| l.trim().strip_prefix("run: packit-pages "))
        .collect();
    assert!(runs.len() >= 3, "{runs:?}");
    for subcommand in ["check", "sync", "build"] {
        assert!(
            runs.iter().any(|r| r.starts_with(subcommand)),
            "no {subcommand} step"
        );
    }
    for r in runs {
        assert_cli_line(r);
    }
}
