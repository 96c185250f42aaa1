//! Site build tests: every page kind reachable, escaping, containment, skip-unchanged,
//! snapshots.

mod common;

use packit_pages::site::{BuildOptions, build};
use std::collections::{BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

fn tmp(tag: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("pp-site-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).unwrap();
    p
}

fn site(tag: &str, n: usize, hostile: bool) -> (PathBuf, PathBuf) {
    let d = tmp(tag);
    let a = d.join("archive.sqlite");
    common::fill(&a, n, hostile);
    let out = d.join("site");
    (a, out)
}

fn opts(a: &Path, out: &Path) -> BuildOptions {
    BuildOptions {
        archive: a.to_path_buf(),
        out: out.to_path_buf(),
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
