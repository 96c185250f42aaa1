//! Site build tests: every page kind reachable, escaping, containment, skip-unchanged,
//! snapshots.

use crate::support;

use packit_pages::site::{BuildOptions, build};
use std::collections::{BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

fn tmp(tag: &str) -> PathBuf {
    crate::support::fresh_dir(&format!("site-{tag}"))
}

fn site(tag: &str, n: usize, hostile: bool) -> (PathBuf, PathBuf) {
    let d = tmp(tag);
    let a = d.join("archive.sqlite");
    support::synthetic_archive(&a, n, hostile);
    let out = d.join("site");
    (a, out)
}

fn opts(a: &Path, out: &Path) -> BuildOptions {
    BuildOptions {
        archive: a.to_path_buf(),
        out: out.to_path_buf(),
        content: Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("content")),
        ..BuildOptions::default()
    }
}

#[test]
fn builds_a_small_site() {
    let (a, out) = site("small", 30, false);
    let r = build(&opts(&a, &out)).unwrap();
    assert!(r.files > 100, "{r:?}");
    assert!(out.join("index.html").exists());
}

/// Relative `href`/`src` targets of an HTML page, resolved against its directory.
fn links(site: &Path, file: &str) -> Vec<String> {
    let html = std::fs::read_to_string(site.join(file)).unwrap_or_default();
    let dir = Path::new(file).parent().unwrap_or(Path::new(""));
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\"", "href=", "src="] {
        for (i, _) in html.match_indices(attr) {
            let rest = &html[i + attr.len()..];
            let end = rest
                .find(|c: char| c == '"' || (!attr.ends_with('"') && (c == ' ' || c == '>')))
                .unwrap_or(rest.len());
            let target = &rest[..end];
            if target.is_empty()
                || target.starts_with('"')
                || target.contains("://")
                || target.starts_with('#')
                || target.starts_with("{{")
            {
                continue;
            }
            let target = target.split('#').next().unwrap();
            let mut parts: Vec<String> = dir
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            for seg in target.split('/') {
                match seg {
                    ".." => {
                        parts.pop();
                    }
                    "." | "" => {}
                    s => parts.push(s.to_string()),
                }
            }
            out.push(parts.join("/"));
        }
    }
    out
}

fn crawl(site: &Path) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from(["index.html".to_string()]);
    while let Some(f) = queue.pop_front() {
        if !seen.insert(f.clone()) || !f.ends_with(".html") {
            continue;
        }
        for l in links(site, &f) {
            if !seen.contains(&l) {
                queue.push_back(l);
            }
        }
    }
    seen
}

fn all_files(site: &Path) -> BTreeSet<String> {
    walkdir::WalkDir::new(site)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(site)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|p| !p.starts_with(".packit-pages"))
        .collect()
}

fn is_redirect(site: &Path, f: &str) -> bool {
    std::fs::read_to_string(site.join(f))
        .map(|s| s.contains("http-equiv=\"refresh\""))
        .unwrap_or(false)
}

/// The pages reached from the home page, after checking that every link target
/// exists and that every page but redirects and the 404 page is reached.
fn crawl_whole_site(out: &Path) -> BTreeSet<String> {
    let reached = crawl(out);
    let files = all_files(out);
    for f in &reached {
        assert!(files.contains(f), "broken link target {f}");
    }
    let unreached: Vec<&String> = files
        .iter()
        .filter(|f| f.ends_with(".html") && !reached.contains(*f))
        .filter(|f| !is_redirect(out, f) && f.as_str() != "404.html")
        .collect();
    assert!(unreached.is_empty(), "pages not reachable: {unreached:?}");
    reached
}

#[test]
fn every_page_kind_is_reachable_from_home() {
    let (a, out) = site("crawl", 120, false);
    build(&opts(&a, &out)).unwrap();
    let reached = crawl_whole_site(&out);
    for expected in [
        "jobs/index.html",
        "jobs/copr/index.html",
        "jobs/copr/page/1/index.html",
        "jobs/copr/targets/index.html",
        "jobs/copr/targets/page/1/index.html",
        "jobs/copr/2000/index.html",
        "jobs/koji/300/index.html",
        "jobs/koji-downstream/305/index.html",
        "jobs/srpm/500/index.html",
        "jobs/testing-farm/7000/index.html",
        "jobs/propose-downstream/390/index.html",
        "jobs/pull-from-upstream/600/index.html",
        "jobs/bodhi/50/index.html",
        "jobs/openscanhub/20/index.html",
        "jobs/koji-tag-request/80/index.html",
        "jobs/koji-tag-requests/index.html",
        "jobs/log-detective/41/index.html",
        "pipeline/index.html",
        "pipeline/page/1/index.html",
        "pipeline/1000/index.html",
        "projects/index.html",
        "projects/github.com/index.html",
        "projects/github.com/packit/index.html",
        "projects/gitlab.com/redhat/centos-stream/index.html",
        "projects/github.com/packit/ogr0/index.html",
        "projects/github.com/packit/ogr0/prs/index.html",
        "projects/github.com/packit/ogr0/prs/100/index.html",
        "projects/github.com/packit/ogr0/branches/index.html",
        "projects/github.com/packit/ogr0/releases/index.html",
        "projects/github.com/packit/ogr0/issues/index.html",
        "projects/github.com/packit/ogr0/history/index.html",
        "projects/github.com/packit/ogr0/history/page/1/index.html",
        "usage/index.html",
        "faq/index.html",
        "about/index.html",
    ] {
        assert!(reached.contains(expected), "{expected} not reachable");
    }
    for redirect in [
        "jobs/copr-builds/index.html",
        "jobs/copr-builds/2000/index.html",
        "results/copr-builds/2000/index.html",
        "results/copr/index.html",
        "jobs/koji-downstream/300/index.html",
        "pipelines/index.html",
    ] {
        assert!(is_redirect(&out, redirect), "{redirect}");
    }
    let files = all_files(&out);
    for f in ["404.html", "sitemap.xml", "robots.txt", ".nojekyll"] {
        assert!(files.contains(f), "{f}");
    }
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(sitemap.contains("<loc>jobs/copr/2000/</loc>"));
}

#[test]
fn hostile_strings_are_escaped_and_stay_inside() {
    let (a, out) = site("hostile", 12, true);
    build(&opts(&a, &out)).unwrap();
    let root = out.canonicalize().unwrap();
    let mut escaped_seen = false;
    for f in all_files(&out) {
        let p = out.join(&f).canonicalize().unwrap();
        assert!(p.starts_with(&root), "{f} outside");
        if f.ends_with(".html") {
            let s = std::fs::read_to_string(&p).unwrap();
            assert!(!s.contains("<script>alert"), "{f} has raw script");
            assert!(!s.contains("<b>x</b>"), "{f} has raw markup");
            assert!(!s.contains("javascript:"), "{f} links javascript:");
            escaped_seen |= s.contains("&lt;script&gt;alert(1)&lt;/script&gt;");
        }
    }
    assert!(escaped_seen, "the hostile log is shown escaped");
    // the hostile branch name becomes one encoded directory
    let enc = packit_pages::model::encode_segment("feat/../<b>x</b>");
    assert!(
        out.join(format!(
            "projects/gitlab.com/redhat/centos-stream/kernel1/branches/{enc}/index.html"
        ))
        .exists()
    );
}

#[test]
fn second_build_writes_nothing_and_is_deterministic() {
    let (a, out) = site("again", 40, false);
    let first = build(&opts(&a, &out)).unwrap();
    assert_eq!(first.write.written, first.files);
    let second = build(&opts(&a, &out)).unwrap();
    assert_eq!(second.write.written, 0, "{second:?}");
    // nothing changed: nothing rendered at all
    assert_eq!(second.rendered, 0, "{second:?}");
    // a stale file of an earlier build is removed, a deleted page comes back
    std::fs::remove_file(out.join("jobs/copr/2000/index.html")).unwrap();
    let full = build(&BuildOptions {
        full: true,
        ..opts(&a, &out)
    })
    .unwrap();
    assert_eq!(full.write.written, 1);
    // identical bytes in a fresh directory
    let other = out.with_file_name("site2");
    build(&opts(&a, &other)).unwrap();
    for f in [
        "index.html",
        "jobs/copr/2000/index.html",
        "usage/index.html",
    ] {
        assert_eq!(
            std::fs::read(out.join(f)).unwrap(),
            std::fs::read(other.join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn job_pages_show_archive_history_and_state() {
    let (a, out) = site("state", 12, false);
    build(&opts(&a, &out)).unwrap();
    let read = |f: &str| std::fs::read_to_string(out.join(f)).unwrap();
    // SRPM 500's current detail has its logs blanked; the archived copy is shown
    let srpm = read("jobs/srpm/500/index.html");
    assert!(srpm.contains("SRPM log of 500"));
    assert!(srpm.contains("archived before"));
    assert!(read("jobs/copr/2002/index.html").contains("Deleted upstream on"));
    assert!(read("jobs/srpm/501/index.html").contains("HTTP 500 from the API"));
    let copr = read("jobs/copr/2000/index.html");
    assert!(copr.contains("dnf copr enable packit/packit-p0 fedora-rawhide-x86_64"));
    assert!(copr.contains("dnf install python3-ogr-0.50.0-1.fc43.noarch"));
    assert!(!copr.contains("python-ogr-0.50.0-1.fc43.src"));
    assert!(copr.contains("../../../pipeline/1000/index.html"));
    let ld = read("jobs/log-detective/41/index.html");
    assert!(ld.contains("Add foo to BuildRequires.") && ld.contains("&lt;b&gt;foo&lt;/b&gt;"));
    let gl = read("jobs/copr/2002/index.html");
    assert!(gl.contains("https://gitlab.com/redhat/centos-stream/kernel1/-/tree/main"));
}

#[test]
fn theme_directory_overrides_templates_and_assets() {
    let (a, out) = site("theme", 3, false);
    let theme = out.with_file_name("theme");
    std::fs::create_dir_all(theme.join("templates")).unwrap();
    std::fs::create_dir_all(theme.join("static")).unwrap();
    std::fs::write(
        theme.join("templates/404.html"),
        "{% extends \"base.html\" %}{% block content %}<h1>Custom missing page</h1>{% endblock content %}",
    )
    .unwrap();
    std::fs::write(theme.join("static/extra.txt"), "hello").unwrap();
    build(&BuildOptions {
        theme: Some(theme),
        ..opts(&a, &out)
    })
    .unwrap();
    assert!(
        std::fs::read_to_string(out.join("404.html"))
            .unwrap()
            .contains("Custom missing page")
    );
    assert_eq!(
        std::fs::read(out.join("static/extra.txt")).unwrap(),
        b"hello"
    );
}

/// Pins the HTML of one page of each kind; `UPDATE_SNAPSHOTS=1` rewrites them.
#[test]
fn snapshots() {
    let (a, out) = site("snap", 12, false);
    build(&BuildOptions {
        base_url: Some("https://example.org/results/".into()),
        ..opts(&a, &out)
    })
    .unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut failed = Vec::new();
    for (name, file) in [
        ("home", "index.html"),
        ("jobs", "jobs/index.html"),
        ("job-list", "jobs/copr/index.html"),
        ("job-list-page", "jobs/testing-farm/page/1/index.html"),
        ("target-list", "jobs/copr/targets/index.html"),
        ("copr", "jobs/copr/2000/index.html"),
        ("koji", "jobs/koji/300/index.html"),
        ("koji-downstream", "jobs/koji-downstream/305/index.html"),
        ("srpm", "jobs/srpm/500/index.html"),
        ("testing-farm", "jobs/testing-farm/7000/index.html"),
        (
            "propose-downstream",
            "jobs/propose-downstream/390/index.html",
        ),
        (
            "pull-from-upstream",
            "jobs/pull-from-upstream/600/index.html",
        ),
        ("bodhi", "jobs/bodhi/50/index.html"),
        ("openscanhub", "jobs/openscanhub/20/index.html"),
        ("koji-tag-request", "jobs/koji-tag-request/80/index.html"),
        ("log-detective", "jobs/log-detective/41/index.html"),
        ("pipelines", "pipeline/index.html"),
        ("pipeline", "pipeline/1000/index.html"),
        ("projects", "projects/index.html"),
        ("forge", "projects/github.com/index.html"),
        (
            "namespace",
            "projects/gitlab.com/redhat/centos-stream/index.html",
        ),
        ("project", "projects/github.com/packit/ogr0/index.html"),
        ("section", "projects/github.com/packit/ogr0/prs/index.html"),
        (
            "history",
            "projects/github.com/packit/ogr0/history/index.html",
        ),
        (
            "trigger",
            "projects/github.com/packit/ogr0/prs/100/index.html",
        ),
        ("usage", "usage/index.html"),
        ("faq", "faq/index.html"),
        ("not-found", "404.html"),
        ("redirect", "jobs/copr-builds/2000/index.html"),
        ("sitemap", "sitemap.xml"),
        ("robots", "robots.txt"),
    ] {
        let got = std::fs::read_to_string(out.join(file)).unwrap();
        // the generator version changes with every release
        let got = got.replace(env!("CARGO_PKG_VERSION"), "VERSION");
        let snap = dir.join(format!("{name}.snap"));
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&snap, &got).unwrap();
        } else if std::fs::read_to_string(&snap).ok().as_deref() != Some(got.as_str()) {
            failed.push(name);
        }
    }
    assert!(
        failed.is_empty(),
        "snapshots differ (UPDATE_SNAPSHOTS=1 to accept): {failed:?}"
    );
}

/// The demo data set (the real shape of Packit data, every job kind): every HTML
/// page except redirects and the 404 page is reachable from the home page, every
/// relative link resolves, and each page kind of the dashboard exists.
#[test]
fn demo_site_is_complete_and_reachable() {
    let d = tmp("demo");
    let a = d.join("demo.sqlite");
    crate::support::demo_archive(&a, 300, 1);
    let out = d.join("site");
    build(&opts(&a, &out)).unwrap();
    let reached = crawl_whole_site(&out);
    let has = |prefix: &str, depth: usize| {
        reached
            .iter()
            .any(|f| f.starts_with(prefix) && f.matches('/').count() == depth)
    };
    for l in packit_pages::model::JobList::ALL {
        let slug = l.detail_slug();
        assert!(has(&format!("jobs/{}/", l.slug()), 2), "{slug} list");
        assert!(has(&format!("jobs/{slug}/"), 3), "{slug} detail page");
    }
    for section in ["prs", "branches", "releases", "issues", "history"] {
        assert!(
            reached.iter().any(|f| f.contains(&format!("/{section}/"))),
            "{section}"
        );
    }
    assert!(has("pipeline/", 2) && has("projects/", 4));
}

/// `page_data` hands out every HTML page of the sitemap with the data it is rendered
/// from, and the legacy URLs of job pages.
#[test]
fn page_data_covers_every_page() {
    let (a, out) = site("data", 20, false);
    let r = build(&opts(&a, &out)).unwrap();
    let mut seen = 0u64;
    let mut job = None;
    packit_pages::site::page_data(&opts(&a, &out), |path, template, data| {
        seen += 1;
        assert!(data.get("title").is_some(), "{path}");
        if template == "job.html" && job.is_none() {
            job = Some((path.to_string(), data));
        }
        Ok(())
    })
    .unwrap();
    assert_eq!(seen, r.pages);
    let (path, data) = job.expect("a job page");
    assert!(data["job"].is_object(), "{path}: {data}");
    assert!(data["aliases"].is_array(), "{path}");
}
