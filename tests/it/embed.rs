//! The library as another program uses it: `examples/sync_and_build.rs` syncs one
//! project from the stub API and builds its site.
//!
//! The example runs twice: its source compiled into this test (always current), and
//! the compiled example program itself from `target/<profile>/examples/`. `cargo test
//! --all-targets` builds examples only as test harnesses, so `scripts/test` runs
//! `cargo build --example sync_and_build` first; when that binary is missing or older than the
//! library or the example's source (a narrower `cargo test` run), the binary run is
//! skipped with a note — except when `PACKIT_PAGES_SITE_CHECKS=1` or `CI=true`, where
//! it must be there.

use crate::support;

// The example's own source, unchanged (its `main` is not called here): the one file
// included by path, so the in-process run below needs no freshly built binary.
#[path = "../../examples/sync_and_build.rs"]
#[allow(dead_code)]
mod sync_and_build;

use std::path::{Path, PathBuf};
use std::time::SystemTime;
use support::stub::Stub;
use support::{TempDir, mini_dataset};

fn mtime(p: &Path) -> Option<SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

/// The compiled example, when it is at least as new as its source and the library.
fn example_binary(name: &str) -> Result<PathBuf, String> {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().expect("target/<profile>/deps");
    let bin = deps.parent().unwrap().join("examples").join(name);
    let built = mtime(&bin).ok_or_else(|| format!("{} does not exist", bin.display()))?;
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("examples/{name}.rs"));
    let mut newest = mtime(&source).unwrap();
    for e in std::fs::read_dir(deps).unwrap().flatten() {
        let n = e.file_name().to_string_lossy().to_string();
        if n.starts_with("libpackit_pages-") && n.ends_with(".rlib") {
            newest = newest.max(mtime(&e.path()).unwrap());
        }
    }
    if built < newest {
        return Err(format!("{} is older than its sources", bin.display()));
    }
    Ok(bin)
}

/// Checks the folder the example wrote for `github.com/org1/repo1` of `mini_dataset(9)`.
fn assert_site(dir: &Path) {
    assert!(dir.join("archive.sqlite").is_file());
    let public = dir.join("public");
    assert!(public.join("index.html").is_file());
    // the project in scope has its page; the others were not mirrored
    let page = std::fs::read_to_string(public.join("projects/github.com/org1/repo1/index.html"))
        .expect("the synced project's page");
    assert!(page.contains("org1/repo1"), "{page}");
    assert!(!public.join("projects/github.com/org0/repo0").exists());
    assert!(!public.join("projects/github.com/org2/repo0").exists());
    // pipeline 501 (i = 1: org1/repo1) was synced and rendered, 500 (org0) was not
    assert!(public.join("pipeline/501/index.html").is_file());
    assert!(!public.join("pipeline/500/index.html").exists());
}

#[test]
fn the_sync_and_build_example_syncs_one_project_and_builds_its_site() {
    let stub = Stub::start(&mini_dataset(9));
    let tmp = TempDir::new("embed");
    let args = |dir: &Path| {
        vec![
            stub.base_url(),
            "github.com/org1/repo1".to_string(),
            dir.display().to_string(),
            "0".to_string(),
        ]
    };

    // the example's code, compiled into this test
    let dir = tmp.join("in-process");
    sync_and_build::run(&args(&dir)).unwrap();
    assert_site(&dir);
    let err = sync_and_build::run(&[]).unwrap_err();
    assert!(
        err.to_string().starts_with("usage: sync_and_build"),
        "{err}"
    );

    // the example program
    let bin = match example_binary("sync_and_build") {
        Ok(b) => b,
        Err(why) => {
            let required = std::env::var("PACKIT_PAGES_SITE_CHECKS").as_deref() == Ok("1")
                || std::env::var("CI").as_deref() == Ok("true");
            assert!(
                !required,
                "{why}: run `cargo build --examples` first (scripts/test does)"
            );
            eprintln!("example binary not run: {why} (`cargo build --examples` builds it)");
            return;
        }
    };
    let dir = tmp.join("binary");
    let out = std::process::Command::new(&bin)
        .args(args(&dir))
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{log}");
    assert!(log.contains("files written into"), "{log}");
    assert_site(&dir);
    let out = std::process::Command::new(&bin).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage: sync_and_build"));
}
