//! Answers first (#23), the rest: project pages lead with each target's recent
//! results; the 404 page works at any depth; a list's first page leads to the next
//! older page; lists are newest first by time; projects sort A–Z ignoring case;
//! the demo's Log Detective explanations name the package of the log they
//! explain. Read from built sites as files (no browser).

use packit_pages::archive::Archive;
use packit_pages::model::PER_PAGE;
use packit_pages::site::{BuildOptions, build};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// One demo site (240 pipelines, seed 1, with demo logs) shared by the tests here.
fn demo_site() -> &'static (PathBuf, PathBuf) {
    static SITE: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    SITE.get_or_init(|| {
        let d = crate::support::fresh_dir("answers-more");
        let a = d.join("demo.sqlite");
        crate::support::demo_archive(&a, 240, 1);
        {
            let mut archive = Archive::open(&a).unwrap();
            packit_pages::demo::add_demo_logs(&mut archive, 20).unwrap();
        }
        let out = d.join("site");
        build(&BuildOptions {
            archive: a.clone(),
            out: out.clone(),
            ..BuildOptions::default()
        })
        .unwrap();
        (a, out)
    })
}

fn read(out: &Path, file: &str) -> String {
    std::fs::read_to_string(out.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// The values of attribute `attr` (quoted or not) in `html`.
fn attrs<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let pat = format!(" {attr}=");
    for (i, _) in html.match_indices(&pat) {
        let rest = &html[i + pat.len()..];
        let v = if let Some(r) = rest.strip_prefix('"') {
            &r[..r.find('"').unwrap()]
        } else {
            &rest[..rest.find([' ', '>']).unwrap()]
        };
        out.push(v);
    }
    out
}

/// The project pages of a site.
fn project_pages(out: &Path) -> Vec<(PathBuf, String)> {
    let mut v = Vec::new();
    for forge in std::fs::read_dir(out.join("projects")).unwrap().flatten() {
        if !forge.path().is_dir() {
            continue;
        }
        let mut stack = vec![forge.path()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    let name = e.file_name();
                    if ![
                        "prs", "branches", "releases", "issues", "history", "page", "badge",
                    ]
                    .contains(&name.to_str().unwrap_or(""))
                    {
                        stack.push(p);
                    }
                } else if p.file_name().is_some_and(|n| n == "index.html") {
                    let s = std::fs::read_to_string(&p).unwrap();
                    if s.contains("id=h-follow") {
                        v.push((p.parent().unwrap().to_path_buf(), s));
                    }
                }
            }
        }
    }
    v
}

#[test]
fn project_pages_lead_with_results_by_target() {
    let (_, out) = demo_site();
    let pages = project_pages(out);
    assert!(pages.len() > 20, "{} project pages", pages.len());
    let (mut failing, mut flaky, mut rows) = (0, 0, 0);
    for (dir, html) in &pages {
        let Some(res) = html.find("id=h-results") else {
            continue;
        };
        // the summary comes first, the results before the recent pipelines
        let now = html.find("class=now").expect("no summary");
        assert!(now < html.find("class=cards").unwrap() && now < res);
        assert!(res < html.find("Recent pipelines").unwrap());
        let section = &html[res..html[res..].find("</section>").unwrap() + res];
        for row in section.split("<tr><th scope=row>").skip(1) {
            rows += 1;
            let row = &row[..row.find("</tr>").unwrap()];
            // a strip of at most RECENT marks, labelled for screen readers
            let marks = row.matches("<i class=").count();
            assert!((1..=packit_pages::model::RECENT).contains(&marks), "{row}");
            assert!(row.contains("role=img") && row.contains("aria-label=\"Last "));
            // the newest run links its job page, which exists
            let href = attrs(row, "href")[0];
            assert!(href.contains("/jobs/"), "{href}");
            let page = dir.join(href);
            assert!(page.is_file(), "{}", page.display());
            if row.contains("f-fail") {
                failing += 1;
                // failing: its newest run that passed or failed failed
                assert!(
                    row.contains("<i class=\"s-failure\">")
                        || row.contains("<i class=\"s-error\">")
                );
            }
            if row.contains("f-flaky") {
                flaky += 1;
            }
        }
        // every failing target is named in the summary
        let summary = &html[now..html[now..].find("</p>").unwrap() + now];
        assert_eq!(
            section.matches("f-fail").count() > 0,
            summary.contains("Failing now"),
            "{summary}"
        );
        assert!(!section.contains("Log Detective"));
    }
    assert!(
        rows > 100 && failing > 5 && flaky > 0,
        "{rows} rows, {failing} failing, {flaky} flaky"
    );
}

#[test]
fn not_found_page_works_at_any_depth() {
    let d = crate::support::fresh_dir("answers-404");
    let a = d.join("archive.sqlite");
    crate::support::synthetic_archive(&a, 12, false);
    for base in [None, Some("https://example.org/ci/")] {
        let out = d.join(if base.is_some() { "abs" } else { "rel" });
        build(&BuildOptions {
            archive: a.clone(),
            out: out.clone(),
            base_url: base.map(str::to_string),
            ..BuildOptions::default()
        })
        .unwrap();
        let html = read(&out, "404.html");
        let links: Vec<&str> = attrs(&html, "href")
            .into_iter()
            .chain(attrs(&html, "src"))
            .filter(|h| !h.starts_with('#'))
            .filter(|h| base.is_some_and(|b| h.starts_with(b)) || !h.starts_with("http"))
            .collect();
        assert!(links.len() > 5, "{links:?}");
        let root = base.unwrap_or("/");
        for l in links {
            // the same from /404.html and from /a/b/c/missing/: absolute
            let path = l
                .strip_prefix(root)
                .unwrap_or_else(|| panic!("{l} is not under {root}"));
            let file = if path.is_empty() || path.ends_with('/') {
                format!("{path}index.html")
            } else {
                path.to_string()
            };
            assert!(out.join(&file).is_file(), "{l}: no {file}");
        }
        assert!(html.contains("site.css"));
    }
}

/// The ids of the Testing Farm runs a list page shows, in page order.
fn tf_ids(html: &str) -> Vec<i64> {
    let table = &html[html.find("<tbody>").unwrap()..html.find("</tbody>").unwrap()];
    table
        .split("<tr>")
        .skip(1)
        .filter_map(|r| {
            let h = attrs(r, "href")
                .into_iter()
                .find(|h| h.contains("jobs/testing-farm/"))?;
            h.trim_end_matches("/index.html")
                .rsplit('/')
                .next()?
                .parse()
                .ok()
        })
        .collect()
}

#[test]
fn the_first_page_leads_to_the_next_older_page() {
    let (_, out) = demo_site();
    let index = read(out, "jobs/testing-farm/index.html");
    let shown = tf_ids(&index);
    assert_eq!(shown.len(), PER_PAGE);
    let lead = &index[index.find("The newest ").unwrap()..];
    let total: usize = lead["The newest 50 of ".len()..]
        .split('.')
        .next()
        .unwrap()
        .replace(',', "")
        .parse()
        .unwrap();
    let count = total.div_ceil(PER_PAGE);
    assert!(count >= 3, "{total}");
    let older = (total - PER_PAGE - 1) / PER_PAGE + 1;
    let link = format!("page/{older}/index.html\" rel=prev>Older →");
    assert!(index.contains(&link), "no {link}");
    assert!(
        index.contains(&format!("Page {count}, the newest numbered page, repeats items of this one; older items continue on page {older}.")),
        "no overlap note"
    );
    // page `older` holds the run just before the first page's oldest, the page
    // after it none older than that
    let lowest = *shown.iter().min().unwrap();
    let page = |n: usize| {
        tf_ids(&read(
            out,
            &format!("jobs/testing-farm/page/{n}/index.html"),
        ))
    };
    assert!(page(older).iter().any(|&i| i < lowest));
    assert!(page(older + 1).iter().all(|&i| i >= lowest));
    // numbered pages keep their plain older link and no note
    let p2 = read(out, "jobs/testing-farm/page/2/index.html");
    assert!(p2.contains("page/1/index.html\" rel=prev>") && !p2.contains("pager-note"));
}

#[test]
fn testing_farm_lists_are_newest_first_by_time() {
    let (_, out) = demo_site();
    let mut pages = vec!["jobs/testing-farm/index.html".to_string()];
    pages.extend((1..=3).map(|n| format!("jobs/testing-farm/page/{n}/index.html")));
    pages.push("jobs/testing-farm/status/failure/index.html".into());
    for p in pages {
        let html = read(out, &p);
        let table = &html[html.find("<tbody>").unwrap()..html.find("</tbody>").unwrap()];
        let times: Vec<&str> = attrs(table, "datetime");
        assert!(times.len() > 10, "{p}");
        for w in times.windows(2) {
            assert!(w[0] >= w[1], "{p}: {} before {}", w[0], w[1]);
        }
    }
}

#[test]
fn projects_sort_a_to_z_ignoring_case() {
    let (_, out) = demo_site();
    let mut names = Vec::new();
    let mut n = 1;
    loop {
        let f = if n == 1 {
            "projects/index.html".to_string()
        } else {
            format!("projects/page/{n}/index.html")
        };
        let Ok(html) = std::fs::read_to_string(out.join(&f)) else {
            break;
        };
        let body = &html[html.find("<tbody>").unwrap()..html.find("</tbody>").unwrap()];
        for h in attrs(body, "href") {
            if let Some(k) = h.split("projects/").nth(1)
                && !h.contains("://")
            {
                names.push(k.trim_end_matches("/index.html").to_string());
            }
        }
        n += 1;
    }
    assert!(
        names.iter().any(|k| k != &k.to_lowercase()),
        "no mixed-case project"
    );
    let mut sorted = names.clone();
    sorted.sort_by_key(|k| (k.to_lowercase(), k.clone()));
    assert_eq!(names, sorted);
    // the filter index lists them in the same order
    let idx = read(out, "idx/projects/1.js");
    let mut at = 0;
    for k in &names {
        let i = idx[at..]
            .find(&format!("[\"{k}\","))
            .unwrap_or_else(|| panic!("{k} out of order in the filter index"));
        at += i;
    }
    // and a forge's page
    let gh = read(out, "projects/github.com/index.html");
    let ocp = gh.find("OpenSCAP/openscap").unwrap();
    assert!(gh.find("osbuild/osbuild").is_some_and(|o| o > ocp));
}

#[test]
fn demo_explanations_name_the_package_of_their_log() {
    let (a, out) = demo_site();
    let archive = Archive::open_read_only(a).unwrap();
    // Log Detective run → the failed Copr build it analysed
    let mut analysed = Vec::new();
    archive
        .for_each(packit_pages::api::Kind::Copr, |e| {
            let v: serde_json::Value =
                serde_json::from_str(e.json().unwrap_or("{}")).unwrap_or_default();
            if let Some(ld) = v["log_detective_runs"].get(0).and_then(|x| x.as_i64()) {
                analysed.push((ld, e.id.clone()));
            }
        })
        .unwrap();
    let mut checked = 0;
    for (ld, copr) in analysed {
        let Ok(log) =
            std::fs::read_to_string(out.join(format!("jobs/copr/{copr}/logs/builder-live.txt")))
        else {
            continue;
        };
        let Some(e) = archive
            .get(packit_pages::api::Kind::LogDetective, &ld.to_string())
            .unwrap()
        else {
            continue;
        };
        let v: serde_json::Value = serde_json::from_str(e.json().unwrap()).unwrap();
        let r = &v["log_detective_response"];
        let Some(text) = r["explanation"]["text"].as_str() else {
            continue;
        };
        if r["no_issue_found"].as_bool() == Some(true) {
            continue;
        }
        // "The build of <package> in <chroot> …": the package the log builds
        let pkg = text
            .strip_prefix("The build of ")
            .and_then(|t| t.split(' ').next())
            .unwrap_or_else(|| panic!("{text}"));
        assert!(log.contains(&format!("/{pkg}.spec")), "{copr}: {text}");
        assert!(text.contains(v["chroot"].as_str().unwrap()), "{text}");
        // and its snippets are lines of that log, at their numbers
        let lines: Vec<&str> = log.lines().collect();
        for s in r["snippets"].as_array().unwrap() {
            let (n, t) = (
                s["line_number"].as_u64().unwrap() as usize,
                s["text"].as_str().unwrap(),
            );
            if log.contains("[packit-pages: the middle of this log was cut") {
                // a long log is stored capped: its numbers moved
                assert!(log.contains(t), "{copr}: {t}");
            } else {
                assert_eq!(lines[n - 1], t, "{copr}: line {n}");
            }
        }
        checked += 1;
    }
    assert!(
        checked >= 3,
        "{checked} analyses checked against their logs"
    );
}
