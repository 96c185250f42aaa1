//! The job-kind registry (issue 28, one definition per job kind), tested over every
//! kind it lists: each has examples in the demo data set whose JSON reads as the
//! kind's fields, its list page(s), a detail page at the URL `urls.rs` makes, the
//! redirect of its old dashboard name, its target index when its items group jobs,
//! and its API mirror files at its endpoints' paths. A kind added to the registry is
//! checked here without a line of this file changing.

use packit_pages::archive::Archive;
use packit_pages::jobs::{self, DetailPath, JobList, LISTS, registry};
use packit_pages::plan::api_path;
use packit_pages::site::{BuildOptions, build};
use packit_pages::urls;
use std::collections::BTreeMap;
use std::path::Path;

/// Ids and JSON (list item, detail) of the stored entities of `kind`.
type Examples = Vec<(String, Option<String>, Option<String>)>;

fn examples(a: &Archive, kind: packit_pages::api::Kind) -> Examples {
    let mut out = Vec::new();
    a.for_each(kind, |e| {
        out.push((e.id.clone(), e.list_json.clone(), e.detail_json.clone()))
    })
    .unwrap();
    out
}

fn page(out: &Path, path: &str) -> String {
    let file = out.join(path).join("index.html");
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

#[test]
fn every_kind_has_demo_examples_pages_urls_and_mirror_files() {
    let d = crate::support::fresh_dir("registry-demo");
    let a = d.join("demo.sqlite");
    crate::support::demo_archive(&a, 240, 1);
    let out = d.join("site");
    build(&BuildOptions {
        archive: a.clone(),
        out: out.clone(),
        ..BuildOptions::default()
    })
    .unwrap();
    let archive = Archive::open_read_only(&a).unwrap();

    let mut seen: BTreeMap<JobList, usize> = BTreeMap::new();
    for def in registry::KINDS {
        let kind = def.kind;
        let jobs = examples(&archive, kind);
        assert!(!jobs.is_empty(), "{kind}: no example in the demo data set");
        for (id, list, detail) in &jobs {
            let json = detail.as_deref().or(list.as_deref()).unwrap();
            if let Err(e) = (def.read_fields)(json) {
                panic!("{kind} {id}: its JSON does not read as its fields: {e}");
            }
            let mirror = out.join(api_path(kind, id));
            assert!(mirror.is_file(), "{kind} {id}: no {}", mirror.display());
            assert!(
                api_path(kind, id).starts_with(&format!("api/{}/", def.api_detail)),
                "{kind}: its mirror is not at its detail endpoint"
            );
        }
        assert_eq!(
            kind.detail_path("7"),
            Some(format!("{}/7", def.api_detail)),
            "{kind}"
        );
        assert!(
            LISTS.iter().any(|l| l.path == def.api_list.path),
            "{kind}: its list endpoint is not walked"
        );
        assert!(def.columns.len() >= 3, "{kind}: no columns");

        for l in def.lists {
            *seen.entry(l.list).or_default() += 1;
            assert_eq!(l.list.detail_kind(), kind);
            let index = page(&out, &format!("jobs/{}/", l.slug));
            assert!(
                index.contains(l.title),
                "{}: list page without its title",
                l.slug
            );
            // a job of this list (Koji splits its jobs by their target)
            let (id, ..) = jobs
                .iter()
                .find(|(_, list, detail)| {
                    let keys = jobs::keys(kind, list.as_deref(), detail.as_deref());
                    (l.accepts)(keys.target.as_deref())
                })
                .unwrap_or_else(|| panic!("{}: no example in the demo data set", l.slug));
            let id: i64 = id.parse().unwrap();
            let path = urls::job_page_path(l.detail_slug, id);
            assert_eq!(path, jobs::detail_path(l.list, id));
            let html = page(&out, &path);
            assert!(html.contains(l.singular), "{path}: no \"{}\"", l.singular);
            if let Some(old) = l.legacy_slug {
                let redirect = page(&out, &format!("jobs/{old}/{id}/"));
                assert!(
                    redirect.contains(&path),
                    "jobs/{old}/{id}/ does not lead to {path}"
                );
            }
            if let Some(twin) = l.twin {
                let alias = page(&out, &urls::job_page_path(twin.detail_slug(), id));
                assert!(
                    alias.contains(&path),
                    "{twin:?} {id} does not lead to {path}"
                );
            }
        }

        if let Some(g) = &def.group {
            let items = examples(&archive, g.kind);
            assert!(
                !items.is_empty(),
                "{}: no example in the demo data set",
                g.kind
            );
            let (id, ..) = &items[0];
            assert!(out.join(api_path(g.kind, id)).is_file(), "{} {id}", g.kind);
            assert_eq!(
                api_path(g.kind, id),
                format!(
                    "api/list/{}/{}.json",
                    def.api_list.path,
                    urls::encode_segment(id)
                )
            );
            assert!(!def.target_columns.is_empty(), "{kind}: no target columns");
            for l in def.lists {
                assert!(l.list.has_targets());
                let targets = page(&out, &format!("jobs/{}/targets/", l.slug));
                assert!(
                    targets.contains(l.targets_title),
                    "{}: target index",
                    l.slug
                );
            }
        }
    }
    // every list of the dashboard is defined once
    for l in JobList::ALL {
        assert_eq!(seen.get(&l), Some(&1), "{l:?}");
    }
}
