//! Issue #23, "answers first", on the demo site: every failed pipeline whose failed
//! jobs have an archived log with an error line links from its page straight to a
//! failing log line, and every failed Copr chroot build whose target ran before on
//! the same trigger links that previous run.

use packit_pages::api::Kind;
use packit_pages::api::types::StatusClass;
use packit_pages::archive::Archive;
use packit_pages::site::build;
use std::collections::BTreeMap;
use std::path::Path;

/// The `href`s of the `<a>` elements of `html` whose tag contains `marker`
/// (relative, with `index.html` dropped).
fn hrefs_with(html: &str, marker: &str) -> Vec<String> {
    html.split("<a ")
        .skip(1)
        .filter_map(|a| {
            let tag = &a[..a.find('>')?];
            if !tag.contains(marker) {
                return None;
            }
            let h = tag.split("href=").nth(1)?;
            let h = h.trim_start_matches('"');
            let end = h.find(['"', ' ']).unwrap_or(h.len());
            Some(h[..end].replace("index.html", ""))
        })
        .collect()
}

/// Resolves relative `href` from the page at site path `page` (a directory).
fn resolve(page: &str, href: &str) -> String {
    let mut parts: Vec<&str> = page.trim_end_matches('/').split('/').collect();
    for seg in href.split('/') {
        match seg {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

fn read(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel).join("index.html")).unwrap_or_default()
}

#[test]
fn failed_pipelines_link_error_lines_and_failed_chroots_their_previous_run() {
    let d = crate::support::fresh_dir("answers");
    let a = d.join("demo.sqlite");
    crate::support::demo_archive(&a, 2000, 1);
    // as `build --demo` does: a few archived logs
    packit_pages::demo::add_demo_logs(&mut Archive::open(&a).unwrap(), 20).unwrap();
    let out = d.join("site");
    build(&crate::support::build_options(a.clone(), out.clone())).unwrap();

    // 1. pipelines: a failed job page listing error lines ⇒ the pipeline links one
    let (mut checked, mut linked) = (0, 0);
    for e in std::fs::read_dir(out.join("pipeline")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().to_string();
        if name.parse::<i64>().is_err() {
            continue;
        }
        let page = format!("pipeline/{name}");
        let html = read(&out, &page);
        if !html.contains("What failed") {
            continue;
        }
        let jobs: Vec<String> = html
            .split("id=h-failed")
            .nth(1)
            .and_then(|s| s.split("</section>").next())
            .map(|s| {
                hrefs_with(s, "href")
                    .into_iter()
                    .map(|h| resolve(&page, &h))
                    .filter(|p| !p.contains("/logs/"))
                    .collect()
            })
            .unwrap_or_default();
        let with_errors = jobs.iter().any(|j| {
            // the job's failure box links a line of an archived log
            let job = read(&out, j);
            job.split("id=failure")
                .nth(1)
                .and_then(|s| s.split("</section>").next())
                .is_some_and(|b| b.contains("/logs/") && b.contains("#L"))
        });
        if !with_errors {
            continue;
        }
        checked += 1;
        let lines = hrefs_with(&html, "errline");
        assert!(!lines.is_empty(), "{page}: no link to a failing log line");
        for l in lines {
            let target = resolve(&page, &l);
            let (log, line) = target.split_once("#L").unwrap_or_else(|| panic!("{l}"));
            assert!(log.contains("/logs/"), "{page}: {l}");
            let log_html = read(&out, log.trim_end_matches('/'));
            assert!(
                log_html.contains(&format!("id=\"L{line}\" class=\"l e\"")),
                "{page}: line {line} of {log} is not an error line"
            );
            linked += 1;
        }
    }
    assert!(
        checked >= 5,
        "only {checked} failed pipelines with error logs"
    );
    assert!(linked >= checked);

    // 2. failed Copr chroots: the previous run of the target on the trigger is linked
    let ar = Archive::open_read_only(&a).unwrap();
    // (project, trigger, target) → (submitted, id, status)
    type Runs = BTreeMap<(String, String, String), Vec<(i64, i64, String)>>;
    let mut runs = Runs::new();
    ar.for_each_catalog_row(Kind::Copr, |id, r| {
        if let (Some(p), Some(t)) = (r.project, r.trigger) {
            runs.entry((p, t, r.target.unwrap_or_default()))
                .or_default()
                .push((r.submitted.unwrap_or(0), id, r.status.unwrap_or_default()));
        }
    })
    .unwrap();
    let mut failed_after = 0;
    for v in runs.values_mut() {
        v.sort();
        for w in v.windows(2) {
            let (prev, me) = (&w[0], &w[1]);
            if !StatusClass::of(&me.2).is_failure() {
                continue;
            }
            failed_after += 1;
            let page = format!("jobs/copr/{}", me.1);
            let html = read(&out, &page);
            let prevs: Vec<String> = hrefs_with(&html, "prev-run")
                .into_iter()
                .map(|h| resolve(&page, &h))
                .collect();
            assert_eq!(
                prevs,
                [format!("jobs/copr/{}", prev.1)],
                "{page}: the previous run is not linked"
            );
        }
    }
    assert!(failed_after >= 10, "only {failed_after} failed re-runs");
}
