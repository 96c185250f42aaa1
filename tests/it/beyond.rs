//! "Beyond the dashboard": the API mirror, view JSON, Atom feeds, SVG badges and
//! the filter indexes.

use crate::support;

use packit_pages::api::Kind;
use packit_pages::archive::Archive;
use packit_pages::plan::api_path;
use packit_pages::site::{BuildOptions, build};
use std::path::{Path, PathBuf};

fn tmp(tag: &str) -> PathBuf {
    crate::support::fresh_dir(&format!("beyond-{tag}"))
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
    crate::support::demo_archive(&a, pipelines, 1);
    (a, d.join("site"))
}

/// Kinds the API mirror holds: every kind of the archive.
const MIRRORED: [Kind; 21] = Kind::ALL;

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
    assert_eq!(
        api_path(Kind::ProjectPr, "github.com/a/b#12"),
        "api/list/projects/github.com/a/b/prs/12.json"
    );
    assert_eq!(api_path(Kind::System, "system"), "api/system.json");
}

#[test]
fn api_mirror_keeps_hostile_data_raw_and_inside() {
    let d = tmp("mirror-hostile");
    let a = d.join("archive.sqlite");
    support::synthetic_archive(&a, 12, true);
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
    support::synthetic_archive(&a, 12, false);
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

fn small_site(tag: &str, hostile: bool) -> (PathBuf, PathBuf) {
    let d = tmp(tag);
    let a = d.join("archive.sqlite");
    support::synthetic_archive(&a, 12, hostile);
    (a, d.join("site"))
}

/// Parses a feed with a real Atom parser and checks what RFC 4287 requires.
fn atom(path: &Path) -> atom_syndication::Feed {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = String::from_utf8(bytes.clone()).unwrap();
    roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let feed = atom_syndication::Feed::read_from(std::io::BufReader::new(&bytes[..]))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(!feed.id().is_empty() && !feed.title().as_str().is_empty());
    assert!(!feed.authors().is_empty(), "feed author");
    assert!(feed.links().iter().any(|l| l.rel() == "self"));
    let mut ids = std::collections::BTreeSet::new();
    for e in feed.entries() {
        assert!(e.id().starts_with("urn:packit-pages:job:"), "{}", e.id());
        assert!(ids.insert(e.id().to_string()), "duplicate id {}", e.id());
        assert!(!e.title().as_str().is_empty());
        assert!(e.links().iter().any(|l| l.rel() == "alternate"));
        assert!(e.updated() <= feed.updated());
    }
    feed
}

#[test]
fn feeds_are_valid_atom_stable_and_follow_changes() {
    let (a, out) = small_site("feeds", true);
    build(&opts(&a, &out)).unwrap();
    let ogr = out.join("projects/github.com/packit/ogr0");
    let all = atom(&ogr.join("feed.xml"));
    assert!(all.entries().len() > 5);
    // entries link to detail pages that exist (relative to the feed without a base URL)
    for e in all.entries() {
        let href = e.links()[0].href();
        assert!(ogr.join(href).exists(), "{href}");
    }
    let fails = atom(&ogr.join("failures.xml"));
    assert!(!fails.entries().is_empty());
    assert!(fails.entries().iter().all(|e| {
        e.categories()
            .iter()
            .any(|c| c.term() == "failure" || c.term() == "error")
    }));
    let site_wide = atom(&out.join("feeds/failures.xml"));
    assert!(site_wide.entries().len() > fails.entries().len());
    // hostile strings stay text
    for f in walk(&out, ".xml") {
        atom_or_sitemap(&f);
    }
    // nothing changed: byte-identical feeds
    let before_ogr = std::fs::read(ogr.join("failures.xml")).unwrap();
    let kernel = out.join("projects/gitlab.com/redhat/centos-stream/kernel1/feed.xml");
    let before_kernel = std::fs::read(&kernel).unwrap();
    build(&opts(&a, &out)).unwrap();
    assert_eq!(std::fs::read(ogr.join("failures.xml")).unwrap(), before_ogr);
    // Copr 2014 (pipeline 1007 of ogr0) goes from error to success
    let id = "urn:packit-pages:job:copr:2014";
    assert!(fails.entries().iter().any(|e| e.id() == id));
    support::set_fields(
        &a,
        Kind::Copr,
        "2014",
        &[
            ("status", "success".into()),
            ("build_finished_time", 1_782_500_000.into()),
        ],
    );
    build(&opts(&a, &out)).unwrap();
    let after = atom(&ogr.join("failures.xml"));
    assert!(!after.entries().iter().any(|e| e.id() == id));
    let all_after = atom(&ogr.join("feed.xml"));
    let e = all_after.entries().iter().find(|e| e.id() == id).unwrap();
    assert_eq!(e.updated().timestamp(), 1_782_500_000);
    assert_eq!(all_after.updated().timestamp(), 1_782_500_000);
    // other projects' feeds are untouched
    assert_eq!(std::fs::read(&kernel).unwrap(), before_kernel);
    // absolute links with a base URL
    build(&BuildOptions {
        base_url: Some("https://example.org/ci".into()),
        ..opts(&a, &out)
    })
    .unwrap();
    let abs = atom(&ogr.join("feed.xml"));
    assert!(
        abs.entries()[0].links()[0]
            .href()
            .starts_with("https://example.org/ci/jobs/")
    );
}

fn walk(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            v.extend(walk(&p, ext));
        } else if p.to_string_lossy().ends_with(ext) {
            v.push(p);
        }
    }
    v
}

fn atom_or_sitemap(f: &Path) {
    if f.ends_with("sitemap.xml") {
        return;
    }
    atom(f);
}

fn svg(path: &Path) -> (String, String) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc =
        roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    assert_eq!(root.attribute("role"), Some("img"));
    let title = root
        .children()
        .find(|n| n.has_tag_name("title"))
        .and_then(|n| n.text())
        .expect("a <title> for screen readers")
        .to_string();
    (title, text)
}

#[test]
fn badges_are_valid_svg_and_follow_the_latest_status() {
    let (a, out) = small_site("badges", true);
    build(&opts(&a, &out)).unwrap();
    let ogr = out.join("projects/github.com/packit/ogr0");
    // the newest pipeline of ogr0 is 1007, whose Copr chroot 2014 errored
    let (title, _) = svg(&ogr.join("badge.svg"));
    assert_eq!(title, "packit: error");
    let (copr, _) = svg(&ogr.join("badge/copr.svg"));
    assert_eq!(copr, "copr: error");
    let (srpm, _) = svg(&ogr.join("badge/srpm.svg"));
    assert_eq!(srpm, "srpm: success");
    for f in walk(&out, ".svg") {
        if !f.to_string_lossy().contains("/static/") {
            svg(&f);
        }
    }
    // branch badges (hostile branch names included) exist and parse
    let branches: Vec<PathBuf> = walk(&out, "badge.svg")
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("/branches/"))
        .collect();
    assert!(!branches.is_empty());
    // the project page shows the badge and the Markdown snippet
    let page = std::fs::read_to_string(ogr.join("index.html")).unwrap();
    assert!(page.contains("badge.svg"), "badge image");
    assert!(page.contains("[![Packit status](badge.svg)](index.html)"));
    // the pipeline turns green: the badge follows
    let e = Archive::open_read_only(&a)
        .unwrap()
        .get(Kind::Pipeline, "1007")
        .unwrap()
        .unwrap();
    let text = e
        .list_json
        .unwrap()
        .replace("\"error\"", "\"success\"")
        .replace("\"failed\"", "\"passed\"")
        .replace("\"failure\"", "\"success\"");
    support::in_new_revision(&a, |w, now, rev| {
        w.put(
            Kind::Pipeline,
            "1007",
            packit_pages::archive::Part::List,
            &text,
            now,
            rev,
        )
        .unwrap();
    });
    build(&opts(&a, &out)).unwrap();
    let (after, _) = svg(&ogr.join("badge.svg"));
    assert_eq!(after, "packit: success");
    // absolute Markdown with a base URL
    build(&BuildOptions {
        base_url: Some("https://example.org/ci/".into()),
        ..opts(&a, &out)
    })
    .unwrap();
    let page = std::fs::read_to_string(ogr.join("index.html")).unwrap();
    assert!(page.contains("[![Packit status](https://example.org/ci/projects/github.com/packit/ogr0/badge.svg)](https://example.org/ci/projects/github.com/packit/ogr0/)"));
}

/// The shard data of an index file (`(window.PP_IDX=…).push([name, n, DATA]);`).
fn shard(path: &Path) -> (String, u64, serde_json::Value) {
    let text = std::fs::read_to_string(path).unwrap();
    let start = text.find(".push(").unwrap() + 6;
    let end = text.rfind(");").unwrap();
    let v: serde_json::Value = serde_json::from_str(&text[start..end]).unwrap();
    (
        v[0].as_str().unwrap().to_string(),
        v[1].as_u64().unwrap(),
        v[2].clone(),
    )
}

#[test]
fn filter_indexes_hold_every_list_item_with_its_status() {
    let (a, out) = demo_archive("index", 300);
    build(&opts(&a, &out)).unwrap();
    let archive = Archive::open_read_only(&a).unwrap();
    let catalog = packit_pages::model::Catalog::build(&archive).unwrap();
    for l in packit_pages::model::JobList::ALL {
        let dir = out.join("idx").join(l.slug());
        let (name, n, meta) = shard(&dir.join("meta.js"));
        assert_eq!((name.as_str(), n), (l.slug(), 0));
        let want = catalog.list_ids.get(&l).cloned().unwrap_or_default();
        assert_eq!(meta["total"], want.len());
        let mut ids = Vec::new();
        let mut per_status = [0usize; 8];
        for i in 1..=meta["shards"].as_u64().unwrap() {
            let (_, _, d) = shard(&dir.join(format!("{i}.js")));
            let mut id = 0;
            for delta in d["id"].as_array().unwrap() {
                id += delta.as_i64().unwrap();
                ids.push(id);
            }
            for c in d["s"].as_str().unwrap().chars() {
                per_status[c.to_digit(10).unwrap() as usize] += 1;
            }
            let rows = d["id"].as_array().unwrap().len();
            assert_eq!(d["tk"].as_str().unwrap().len(), rows);
            assert_eq!(d["pj"].as_array().unwrap().len(), rows);
        }
        assert_eq!(ids, want, "{}", l.slug());
        for (i, class) in packit_pages::plan::STATUS_CLASSES.iter().enumerate() {
            let n = catalog
                .status_ids
                .get(&(l, *class))
                .map(|v| v.len())
                .unwrap_or(0);
            assert_eq!(per_status[i], n, "{} {}", l.slug(), class.as_str());
            let page = out.join(format!(
                "jobs/{}/status/{}/index.html",
                l.slug(),
                class.as_str()
            ));
            assert_eq!(page.exists(), n > 0, "{}", page.display());
        }
    }
    let (_, _, p) = shard(&out.join("idx/projects/1.js"));
    assert_eq!(p["r"].as_array().unwrap().len(), catalog.projects.len());
    let (_, _, meta) = shard(&out.join("idx/pipelines/meta.js"));
    assert_eq!(meta["total"], catalog.pipelines.len());
    // the list pages link the per-status pages and carry the filter settings
    let list = std::fs::read_to_string(out.join("jobs/copr/index.html")).unwrap();
    assert!(list.contains("status/failure/index.html"));
    assert!(list.contains("data-meta=\"../../idx/copr/meta.js\""));
}

/// site.js builds project paths itself (search, filter results): its segment
/// encoding must reserve exactly what the generator reserves.
#[test]
fn site_js_reserves_the_same_segments() {
    let js = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/static/site.js"),
    )
    .unwrap();
    let start = js.find("var RESERVED = [").unwrap() + "var RESERVED = [".len();
    let end = start + js[start..].find(']').unwrap();
    let mut js_list: Vec<String> = js[start..end]
        .split(',')
        .map(|s| s.trim().trim_matches('"').to_string())
        .collect();
    js_list.sort();
    let mut rs: Vec<String> = packit_pages::model::RESERVED
        .iter()
        .map(|s| s.to_string())
        .collect();
    rs.sort();
    assert_eq!(js_list, rs);
}

/// The pages this feature touches stay within a strict Content-Security-Policy
/// (`script-src 'self'; style-src 'self'`): no inline scripts, style attributes or
/// event-handler attributes.
#[test]
fn filter_pages_need_no_inline_script_or_style() {
    let (a, out) = small_site("csp", false);
    build(&opts(&a, &out)).unwrap();
    for f in [
        "index.html",
        "jobs/copr/index.html",
        "jobs/copr/page/1/index.html",
        "jobs/copr/status/failure/index.html",
        "pipeline/index.html",
        "projects/index.html",
        "projects/github.com/packit/ogr0/index.html",
    ] {
        let html = std::fs::read_to_string(out.join(f)).unwrap();
        for (i, _) in html.match_indices("<script") {
            let tag = &html[i..i + html[i..].find('>').unwrap()];
            assert!(tag.contains(" src="), "{f}: inline script");
            assert!(
                html[i..].starts_with(&format!("{tag}></script>")),
                "{f}: script body"
            );
        }
        assert!(!html.contains("<style"), "{f}: style element");
        let lower = html.to_ascii_lowercase();
        for attr in [
            " style=",
            " onclick=",
            " onload=",
            " oninput=",
            " onchange=",
            " onsubmit=",
        ] {
            assert!(!lower.contains(attr), "{f}: {attr}");
        }
    }
}
