//! Write order (issue 22): a build writes every page before the pages that link to
//! it — job pages, then pipelines, then the lists and project pages, then the index
//! pages, feeds and the sitemap — so a build interrupted anywhere leaves no list
//! linking a page it had not written yet. The order is read from the `rendered`
//! debug events the renderer logs once a page is on disk.

use crate::support;
use packit_pages::demo::DemoSpec;
use std::collections::HashMap;
use std::path::Path;

/// Builds `archive` into `out` (`--full` when asked) and returns the files in the
/// order they were written.
fn build_in_order(archive: &Path, out: &Path, full: bool) -> Vec<String> {
    let mut c = support::packit_pages();
    c.env("RUST_LOG", "warn,packit_pages::page=debug")
        .args(["build", "--archive"])
        .arg(archive)
        .arg("--out")
        .arg(out);
    if full {
        c.arg("--full");
    }
    let o = c.output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    err.lines()
        .filter(|l| l.contains("rendered"))
        .filter_map(|l| l.split(" file=").nth(1))
        .map(|f| f.split(' ').next().unwrap().to_string())
        .collect()
}

/// Whether `file` is a job or pipeline page (`jobs/<list>/<id>/`, `pipeline/<id>/`).
fn entity_page(file: &str) -> bool {
    let parts: Vec<&str> = file.split('/').collect();
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        ["jobs", _, id, "index.html"] | ["pipeline", id, "index.html"] => numeric(id),
        _ => false,
    }
}

/// The site files an HTML page at `file` links to (relative `href`s resolved).
fn links(out: &Path, file: &str) -> Vec<String> {
    let html = std::fs::read_to_string(out.join(file)).unwrap_or_default();
    let dir: Vec<&str> = file
        .rsplit_once('/')
        .map(|(d, _)| d)
        .unwrap_or("")
        .split('/')
        .collect();
    let mut v = Vec::new();
    for part in html.split("href=").skip(1) {
        let part = part.trim_start_matches(['"', '\'']);
        let href: String = part
            .chars()
            .take_while(|c| !matches!(c, '"' | '\'' | ' ' | '>' | '#' | '?'))
            .collect();
        if href.contains(':') || href.starts_with('/') || href.is_empty() {
            continue;
        }
        let mut path: Vec<&str> = dir.iter().copied().filter(|s| !s.is_empty()).collect();
        for seg in href.split('/') {
            match seg {
                ".." => {
                    path.pop();
                }
                "." | "" => {}
                s => path.push(s),
            }
        }
        let mut f = path.join("/");
        if href.ends_with('/') || href == "." || href == ".." {
            f = if f.is_empty() {
                "index.html".into()
            } else {
                format!("{f}/index.html")
            };
        }
        v.push(f);
    }
    v
}

/// Every page written that is not a job or pipeline page links only to job and
/// pipeline pages written before it (or not written by this build at all).
fn assert_lists_after_their_entities(out: &Path, order: &[String]) {
    let at: HashMap<&str, usize> = order
        .iter()
        .enumerate()
        .map(|(i, f)| (f.as_str(), i))
        .collect();
    let mut checked = 0;
    for (i, f) in order.iter().enumerate() {
        if !f.ends_with(".html") || entity_page(f) || f.starts_with("jobs/") && f.contains("/logs/")
        {
            continue;
        }
        for l in links(out, f) {
            if entity_page(&l)
                && let Some(j) = at.get(l.as_str())
            {
                assert!(*j < i, "{f} (written {i}th) links {l} (written {j}th)");
                checked += 1;
            }
        }
    }
    assert!(checked > 20, "only {checked} links checked");
}

#[test]
fn pages_are_written_before_the_pages_linking_to_them() {
    let d = support::fresh_dir("write-order");
    let a = d.join("demo.sqlite");
    let out = d.join("site");
    support::demo_archive(&a, 30, 7);
    assert!(!build_in_order(&a, &out, false).is_empty());
    // new pipelines: new job and pipeline pages, and the lists that link them
    let mut ar = packit_pages::archive::Archive::open(&a).unwrap();
    packit_pages::demo::ingest_demo(&mut ar, &DemoSpec::new(36, 7)).unwrap();
    drop(ar);
    let order = build_in_order(&a, &out, false);
    assert!(order.iter().any(|f| entity_page(f)), "{order:?}");
    assert!(order.iter().any(|f| f == "index.html"), "{order:?}");
    assert_lists_after_their_entities(&out, &order);
    // a full build over the site writes in the same order
    let order = build_in_order(&a, &out, true);
    let home = order.iter().position(|f| f == "index.html").unwrap();
    let last_job = order.iter().rposition(|f| entity_page(f)).unwrap();
    assert!(last_job < home, "every job page before the home page");
    assert_lists_after_their_entities(&out, &order);
    std::fs::remove_dir_all(&d).unwrap();
}
