//! Incremental rebuilds, in the style of Hugo's rebuild tests: after a change to the
//! archive, a template or a content file, `build` renders only the affected pages,
//! writes exactly the files whose bytes changed, and the result equals a clean full
//! build byte for byte.
//!
//! The oracle for "exactly": a clean full build of the changed inputs into a fresh
//! directory, compared file by file with the site as it was before the change. The
//! live session's updates against the same oracle: `incremental_live.rs`.

use crate::support::{self, set_status};
use packit_pages::api::Kind;
use packit_pages::archive::Archive;
use packit_pages::demo::DemoSpec;
use packit_pages::site::{BuildMode, BuildOptions, BuildReport, build};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let rel = e.path().strip_prefix(from).unwrap();
        let dst = to.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dst).unwrap();
        } else {
            std::fs::copy(e.path(), &dst).unwrap();
        }
    }
}

/// A demo archive of `n` pipelines plus a content folder (copy of the repo's).
pub(super) fn setup(tag: &str, n: u64) -> (PathBuf, PathBuf, PathBuf) {
    let d = support::fresh_dir(&format!("incr-{tag}"));
    let a = d.join("demo.sqlite");
    support::demo_archive(&a, n, 7);
    let content = d.join("content");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
        &content,
    );
    (d, a, content)
}

pub(super) fn opts(a: &Path, out: &Path, content: &Path) -> BuildOptions {
    BuildOptions {
        archive: a.to_path_buf(),
        out: out.to_path_buf(),
        content: Some(content.to_path_buf()),
        list_files: true,
        threads: Some(2),
        ..BuildOptions::default()
    }
}

pub(super) use crate::support::site_bytes as snapshot;

/// Files a clean full build of the current inputs changes (or adds) relative to
/// `before`, and files it no longer has.
pub(super) fn oracle(
    before: &BTreeMap<String, Vec<u8>>,
    o: &BuildOptions,
    scratch: &Path,
) -> (
    BTreeSet<String>,
    BTreeSet<String>,
    BTreeMap<String, Vec<u8>>,
) {
    let _ = std::fs::remove_dir_all(scratch);
    let mut fresh = o.clone();
    fresh.out = scratch.to_path_buf();
    fresh.full = true;
    build(&fresh).unwrap();
    let after = snapshot(scratch);
    let changed = after
        .iter()
        .filter(|(f, b)| before.get(*f) != Some(*b))
        .map(|(f, _)| f.clone())
        .collect();
    let removed = before
        .keys()
        .filter(|f| !after.contains_key(*f))
        .cloned()
        .collect();
    (changed, removed, after)
}

pub(super) fn set(v: &[String]) -> BTreeSet<String> {
    v.iter().cloned().collect()
}

/// A demo archive of `n` pipelines (see [`setup`]) and its site, built: the folder,
/// the archive and the build options.
fn built_site(tag: &str, n: u64) -> (PathBuf, PathBuf, BuildOptions) {
    let (d, a, content) = setup(tag, n);
    let o = opts(&a, &d.join("site"), &content);
    build(&o).unwrap();
    (d, a, o)
}

/// Checks an incremental build against the oracle and returns its report.
fn check_incremental(o: &BuildOptions, scratch: &Path) -> BuildReport {
    let before = snapshot(&o.out);
    let (changed, removed, expect) = oracle(&before, o, scratch);
    let r = build(o).unwrap();
    assert_eq!(r.mode, BuildMode::Incremental);
    assert_eq!(
        set(&r.written_files),
        changed,
        "files written (rendered but unchanged: {:?})",
        r.unchanged_files
    );
    assert_eq!(set(&r.removed_files), removed, "files removed");
    assert_eq!(r.write.written as usize, changed.len());
    let got = snapshot(&o.out);
    assert!(
        got == expect,
        "incremental site differs from a clean full build"
    );
    r
}

fn pick(a: &Path, kind: &str, status: &str, nth: i64) -> String {
    let ar = Archive::open_read_only(a).unwrap();
    ar.connection()
        .query_row(
            "SELECT id FROM entity WHERE kind=?1 AND status=?2 ORDER BY num LIMIT 1 OFFSET ?3",
            rusqlite::params![kind, status, nth],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn no_change_writes_nothing_and_renders_nothing() {
    let (d, a, content) = setup("none", 60);
    let o = opts(&a, &d.join("site"), &content);
    let first = build(&o).unwrap();
    assert_eq!(first.mode, BuildMode::Full);
    assert_eq!(first.write.written, first.files);
    let again = build(&o).unwrap();
    assert_eq!(again.mode, BuildMode::Incremental);
    assert_eq!((again.rendered, again.write.written), (0, 0), "{again:?}");
    assert!(again.written_files.is_empty() && again.removed_files.is_empty());
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_copr_build_status_change_rewrites_exactly_its_pages() {
    let (d, a, o) = built_site("copr", 150);
    let id = pick(&a, "copr", "success", 40);
    set_status(&a, Kind::Copr, &id, "failure");
    let r = check_incremental(&o, &d.join("oracle"));
    let written = set(&r.written_files);
    for f in [
        format!("jobs/copr/{id}/index.html"),
        "index.html".to_string(),
    ] {
        assert!(written.contains(&f), "{f} not in {written:?}");
    }
    for dir in ["pipeline/", "jobs/copr/page/", "jobs/copr/targets/"] {
        assert!(
            written.iter().any(|f| f.starts_with(dir)),
            "{dir}: {written:?}"
        );
    }
    // a handful of pages, not the site
    assert!(r.rendered < 60, "rendered {} of {}", r.rendered, r.files);
    assert!(written.len() < 30, "{written:?}");
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn new_pipelines_add_their_pages_and_update_lists() {
    let (d, a, o) = built_site("add", 120);
    // the same data set one pipeline later: a new pipeline and its jobs arrive
    let mut ar = Archive::open(&a).unwrap();
    packit_pages::demo::ingest_demo(&mut ar, &DemoSpec::new(121, 7)).unwrap();
    drop(ar);
    let r = check_incremental(&o, &d.join("oracle"));
    let written = set(&r.written_files);
    assert!(written.contains("pipeline/index.html"), "{written:?}");
    assert!(written.contains("sitemap.xml"), "{written:?}");
    assert!(
        r.rendered < r.files / 4,
        "rendered {} of {}",
        r.rendered,
        r.files
    );
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_template_edit_rewrites_only_pages_using_it() {
    let (d, a, content) = setup("tpl", 60);
    let theme = d.join("theme");
    std::fs::create_dir_all(theme.join("templates")).unwrap();
    let mut o = opts(&a, &d.join("site"), &content);
    o.theme = Some(theme.clone());
    build(&o).unwrap();
    // an override of the job detail template that changes only Copr pages
    let src = include_str!("../../themes/default/templates/job.html");
    let edited = src.replacen(
        "{% block content %}",
        "{% block content %}{% if path is starting_with(pat='jobs/copr/') %}<p class=\"note\">Copr build</p>{% endif %}",
        1,
    );
    assert_ne!(src, edited, "the template has a content block");
    std::fs::write(theme.join("templates/job.html"), edited).unwrap();
    let r = check_incremental(&o, &d.join("oracle"));
    assert!(!r.written_files.is_empty());
    for f in &r.written_files {
        assert!(f.starts_with("jobs/copr/"), "only Copr detail pages: {f}");
    }
    // pages of other templates were not even rendered
    let jobs = snapshot(&o.out)
        .keys()
        .filter(|f| f.starts_with("jobs/") && f.matches('/').count() == 3)
        .count();
    assert!(r.rendered as usize <= jobs, "{} > {jobs}", r.rendered);
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_content_edit_rewrites_only_that_page() {
    let (d, a, content) = setup("faq", 40);
    let o = opts(&a, &d.join("site"), &content);
    build(&o).unwrap();
    let faq = content.join("faq.md");
    let text = std::fs::read_to_string(&faq).unwrap();
    std::fs::write(&faq, text + "\n\nOne more paragraph at the end.\n").unwrap();
    let r = check_incremental(&o, &d.join("oracle"));
    assert_eq!(r.written_files, vec!["faq/index.html".to_string()]);
    assert_eq!(r.rendered, 1);
    std::fs::remove_dir_all(&d).unwrap();
}

/// A small deterministic generator for the property test.
pub(super) struct Lcg(pub(super) u64);
impl Lcg {
    pub(super) fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

/// Random change sets (statuses of random entities of every kind, new pipelines):
/// after each incremental build, a full rebuild writes nothing, i.e. no page that
/// shows a changed entity was missed.
#[test]
fn random_changes_never_leave_a_stale_page() {
    let (d, a, content) = setup("prop", 60);
    let o = opts(&a, &d.join("site"), &content);
    build(&o).unwrap();
    let mut rng = Lcg(0x5eed);
    let statuses = [
        "success", "failure", "error", "running", "pending", "skipped",
    ];
    let kinds: Vec<(String, String)> = status_entities(&a);
    let mut pipelines = 60;
    for round in 0..8 {
        let changes = 1 + rng.next() % 4;
        for _ in 0..changes {
            let (k, id) = &kinds[(rng.next() as usize) % kinds.len()];
            let st = statuses[(rng.next() as usize) % statuses.len()];
            set_status(&a, Kind::parse(k).unwrap(), id, st);
        }
        if round % 3 == 2 {
            pipelines += 1 + rng.next() % 3;
            let mut ar = Archive::open(&a).unwrap();
            packit_pages::demo::ingest_demo(&mut ar, &DemoSpec::new(pipelines, 7)).unwrap();
        }
        let inc = build(&o).unwrap();
        assert_eq!(inc.mode, BuildMode::Incremental);
        let mut full = o.clone();
        full.full = true;
        let check = build(&full).unwrap();
        assert_eq!(
            check.write.written, 0,
            "round {round}: stale pages after the incremental build: {:?}",
            check.written_files
        );
    }
    std::fs::remove_dir_all(&d).unwrap();
}

/// `build` killed with SIGKILL at six points (three during a first full build, three
/// during an incremental one) and run again yields a site byte-identical to a clean build.
#[cfg(unix)]
#[test]
fn killed_builds_recover_to_the_clean_result() {
    use std::process::Command;
    use std::time::{Duration, Instant};
    let (d, a, content) = setup("kill", 120);
    let bin = env!("CARGO_BIN_EXE_packit-pages");
    let run = |out: &Path| {
        let mut c = Command::new(bin);
        c.args(["build", "--archive"])
            .arg(&a)
            .arg("--out")
            .arg(out)
            .arg("--content")
            .arg(&content)
            .stderr(std::process::Stdio::null());
        c
    };
    // how long a build takes here
    let clean = d.join("clean");
    let t = Instant::now();
    assert!(run(&clean).status().unwrap().success());
    let full_time = t.elapsed();
    let out = d.join("site");
    for i in 0..6u32 {
        if i == 3 {
            // the second half interrupts incremental builds after a change
            assert!(run(&out).status().unwrap().success());
            let id = pick(&a, "copr", "success", 3 + i as i64);
            set_status(&a, Kind::Copr, &id, "error");
            let mut ar = Archive::open(&a).unwrap();
            packit_pages::demo::ingest_demo(&mut ar, &DemoSpec::new(122, 7)).unwrap();
        }
        let at = full_time.mul_f64(0.08 + 0.15 * (i % 3) as f64);
        let mut child = run(&out).spawn().unwrap();
        std::thread::sleep(at.min(Duration::from_secs(30)));
        let _ = child.kill();
        let _ = child.wait();
    }
    assert!(run(&out).status().unwrap().success());
    let _ = std::fs::remove_dir_all(&clean);
    assert!(run(&clean).status().unwrap().success());
    let (got, want) = (snapshot(&out), snapshot(&clean));
    let differ: Vec<&String> = want
        .keys()
        .chain(got.keys())
        .filter(|f| got.get(*f) != want.get(*f))
        .collect();
    assert!(differ.is_empty(), "differs from a clean build: {differ:?}");
    // no temporary file left behind
    assert!(!got.keys().any(|f| f.contains(".tmp-")), "temporary files");
    std::fs::remove_dir_all(&d).unwrap();
}

/// Entities whose status a test may change, with their kind.
pub(super) fn status_entities(a: &Path) -> Vec<(String, String)> {
    let ar = Archive::open_read_only(a).unwrap();
    let mut st = ar
        .connection()
        .prepare("SELECT kind, id FROM entity WHERE status IS NOT NULL ORDER BY kind, id")
        .unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}
