//! The library as another program uses it: the compiled `examples/sync_and_build`
//! binary syncs one project from the stub API and builds its site.
//!
//! `cargo test` (and `cargo test --all-targets`, which `scripts/test` runs) builds the
//! examples before running the tests; the binary sits in `target/<profile>/examples/`,
//! next to the `deps/` folder of this test binary.

mod support;

use std::path::PathBuf;
use support::stub::Stub;
use support::{TempDir, mini_dataset};

fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("test binary in target/<profile>/deps");
    let p = profile_dir.join("examples").join(name);
    assert!(
        p.is_file(),
        "{} is missing: build the examples (`cargo test --all-targets` or `cargo build --examples`)",
        p.display()
    );
    p
}

#[test]
fn the_sync_and_build_example_syncs_one_project_and_builds_its_site() {
    let stub = Stub::start(&mini_dataset(9));
    let tmp = TempDir::new("embed");
    let dir = tmp.join("site");
    let out = std::process::Command::new(example("sync_and_build"))
        .args([&stub.base_url(), "github.com/org1/repo1"])
        .arg(&dir)
        .arg("0")
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
    assert!(dir.join("archive.sqlite").is_file());
    let public = dir.join("public");
    assert!(public.join("index.html").is_file());
    // the project in scope has its page, with its pipelines; the others are not mirrored
    let page = std::fs::read_to_string(public.join("projects/github.com/org1/repo1/index.html"))
        .expect("the synced project's page");
    assert!(page.contains("org1/repo1"), "{page}");
    assert!(!public.join("projects/github.com/org0/repo0").exists());
    assert!(!public.join("projects/github.com/org2/repo0").exists());
    // pipeline 501 (i = 1: org1/repo1) was synced and rendered, 500 (org0) was not
    assert!(public.join("pipeline/501/index.html").is_file());
    assert!(!public.join("pipeline/500/index.html").exists());

    // wrong usage: a message and a failure exit
    let out = std::process::Command::new(example("sync_and_build"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage: sync_and_build"));
}
