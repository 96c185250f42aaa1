//! "Beyond the dashboard": the API mirror, view JSON, Atom feeds, SVG badges and
//! the filter indexes.

mod common;

use packit_pages::api::Kind;
use packit_pages::archive::Archive;
use packit_pages::plan::api_path;
use packit_pages::site::{BuildOptions, build};
use std::path::{Path, PathBuf};

fn tmp(tag: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("pp-beyond-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).unwrap();
    p
}

fn opts(a: &Path, out: &Path) -> BuildOptions {
    BuildOptions {
        archive: a.to_path_buf(),
        out: out.to_path_buf(),
        ..BuildOptions::default()
    }
}

fn demo_archive(tag: &str, pipelines: u64) -> (PathBuf, PathBuf) {
    let d = tmp(tag);
    let a = d.join("demo.sqlite");
    let mut archive = Archive::open(&a).unwrap();
    packit_pages::sync::ingest_demo(
        &mut archive,
        &packit_pages::demo::DemoSpec::new(pipelines, 1),
    )
    .unwrap();
    (a, d.join("site"))
}

/// Kinds the API mirror holds.
const MIRRORED: [Kind; 15] = [
    Kind::CoprBuild,
    Kind::Copr,
    Kind::Koji,
    Kind::Srpm,
    Kind::TestingFarm,
    Kind::Pipeline,
    Kind::ProposeDownstreamRun,
    Kind::ProposeDownstream,
    Kind::PullFromUpstreamRun,
    Kind::PullFromUpstream,
    Kind::Bodhi,
    Kind::KojiTagRequest,
    Kind::OpenScanHub,
    Kind::LogDetective,
    Kind::Project,
];

fn assert_mirror(a: &Path, out: &Path) -> usize {
    let archive = Archive::open_read_only(a).unwrap();
    let mut n = 0;
    for kind in MIRRORED {
        archive
            .for_each(kind, |e| {
                let file = out.join(api_path(kind, &e.id));
                let got = std::fs::read(&file)
                    .unwrap_or_else(|err| panic!("{kind} {}: {}: {err}", e.id, file.display()));
                let want = e.detail_json.as_deref().or(e.list_json.as_deref());
                assert_eq!(
                    got,
                    want.unwrap_or("null").as_bytes(),
                    "{kind} {} differs",
                    e.id
                );
                n += 1;
            })
            .unwrap();
    }
    n
}

#[test]
fn api_mirror_equals_the_archive_byte_for_byte() {
    let (a, out) = demo_archive("mirror", 200);
    build(&opts(&a, &out)).unwrap();
    let n = assert_mirror(&a, &out);
    assert!(n > 1000, "{n} entities");
    // the detail endpoint's path for detail kinds, the list's for list-only kinds
    assert!(api_path(Kind::Copr, "12").ends_with("api/copr-builds/12.json"));
    assert_eq!(api_path(Kind::Pipeline, "7"), "api/runs/merged/7.json");
    assert_eq!(
        api_path(Kind::Project, "gitlab.com/a/b/c"),
        "api/projects/gitlab.com/a/b/c.json"
    );
    assert_eq!(
        api_path(Kind::CoprBuild, "5"),
        "api/list/copr-builds/5.json"
    );
}

#[test]
fn api_mirror_keeps_hostile_data_raw_and_inside() {
    let d = tmp("mirror-hostile");
    let a = d.join("archive.sqlite");
    common::fill(&a, 12, true);
    let out = d.join("site");
    build(&opts(&a, &out)).unwrap();
    assert!(assert_mirror(&a, &out) > 50);
    assert_eq!(
        api_path(Kind::Project, "x/../../etc"),
        "api/projects/x/~2e2e/~2e2e/etc.json"
    );
}

#[test]
fn view_json_is_optional_and_matches_the_page() {
    let d = tmp("viewjson");
    let a = d.join("archive.sqlite");
    common::fill(&a, 12, false);
    let out = d.join("site");
    build(&opts(&a, &out)).unwrap();
    assert!(!out.join("jobs/copr/2000/index.json").exists());
    build(&BuildOptions {
        page_json: true,
        ..opts(&a, &out)
    })
    .unwrap();
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("jobs/copr/2000/index.json")).unwrap())
            .unwrap();
    assert_eq!(v["job"]["id"], 2000);
    let html = std::fs::read_to_string(out.join("jobs/copr/2000/index.html")).unwrap();
    assert!(html.contains(v["title"].as_str().unwrap()));
    let p: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("pipeline/1000/index.json")).unwrap())
            .unwrap();
    assert_eq!(p["pipeline"]["id"], 1000);
    assert_eq!(p["title"], "Pipeline #1000");
}
