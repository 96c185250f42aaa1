//! Answers first (#23): every failed or errored job page of every kind opens with
//! its failure box, above the details, and the box links to the failing log line
//! where a log is archived. Built on the demo data set with its demo logs, read
//! as files (no browser).

use packit_pages::api::Kind;
use packit_pages::api::types::Status;
use packit_pages::archive::Archive;
use packit_pages::model::{JobList, detail_path};
use packit_pages::site::{BuildOptions, build};
use std::collections::BTreeMap;

#[test]
fn every_failed_job_page_opens_with_its_failure_box() {
    let d = crate::support::fresh_dir("answers-demo");
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

    let archive = Archive::open_read_only(&a).unwrap();
    // per list: failed pages checked, and how many link a log line
    let mut seen: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for list in JobList::ALL {
        let mut failed = Vec::new();
        archive
            .for_each(list.detail_kind(), |e| {
                let bad = e
                    .status
                    .as_deref()
                    .is_some_and(|s| Status::new(s).class().is_failure());
                if bad {
                    failed.push(e.id.clone());
                }
            })
            .unwrap();
        for id in failed {
            let id: i64 = id.parse().unwrap();
            let page = out.join(detail_path(list, id)).join("index.html");
            // (a Koji build has its page in one of the two Koji lists, a
            // redirect in the other)
            let Ok(html) = std::fs::read_to_string(&page) else {
                continue;
            };
            let Some(details) = html.find("id=h-about") else {
                continue;
            };
            let bx = html
                .find("id=failure")
                .or_else(|| html.find("id=\"failure\""))
                .unwrap_or_else(|| panic!("{}: no failure box", page.display()));
            assert!(
                bx < details,
                "{}: the box is below the details",
                page.display()
            );
            let e = seen.entry(list.slug()).or_default();
            e.0 += 1;
            if html[bx..details].contains("/index.html#L") {
                e.1 += 1;
            }
            if list == JobList::TestingFarm {
                assert!(
                    html[bx..details].contains("Test results and artifacts"),
                    "{}",
                    page.display()
                );
            }
        }
    }
    // failures of every kind the demo has, and line links for those with logs
    for (slug, with_lines) in [
        ("copr", true),
        ("koji", true),
        ("srpm", true),
        ("testing-farm", false),
        ("propose-downstream", true),
        ("bodhi", false),
    ] {
        let (pages, linked) = seen.get(slug).copied().unwrap_or_default();
        assert!(pages > 0, "no failed {slug} page: {seen:?}");
        if with_lines {
            assert!(linked > 0, "no {slug} box links a log line: {seen:?}");
        }
    }
    // a Copr box carries Log Detective's explanation where an analysis exists
    let explained = std::fs::read_dir(out.join("jobs/copr"))
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.unwrap().path().join("index.html")).ok())
        .any(|h| h.contains("Log Detective explains"));
    assert!(explained, "no Copr failure box shows an explanation");
    // the log page of a failed Copr build links its first error
    let id = first_logged(&archive);
    let log = out
        .join(detail_path(JobList::Copr, id.parse().unwrap()))
        .join("logs/builder-live/index.html");
    let html = std::fs::read_to_string(&log).unwrap();
    assert!(html.contains("Go to the first error"), "{}", log.display());
}

/// A Copr job with an archived log.
fn first_logged(a: &Archive) -> String {
    a.all_logs()
        .unwrap()
        .into_iter()
        .find(|l| l.kind == Kind::Copr)
        .map(|l| l.id)
        .expect("demo logs")
}
