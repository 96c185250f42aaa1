//! The library as another program uses it: `examples/sync_and_build.rs`, built and
//! run as the example program it is, syncs one project from the stub API and builds
//! its site; and the library itself uses none of the binary's `anyhow`.
//!
//! The example is built by the cargo that runs these tests (`cargo build --example`,
//! which does nothing when the program is current), so the run is never of an old
//! program and needs no step before `cargo test`.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use support::stub::Stub;
use support::{TempDir, mini_dataset};

/// Builds the example `name` (in the profile of this test) and returns its program.
fn example_binary(name: &str) -> PathBuf {
    let mut cmd = Command::new(env!("CARGO"));
    cmd.args([
        "build",
        "--quiet",
        "--example",
        name,
        "--message-format=json-render-diagnostics",
    ])
    .current_dir(env!("CARGO_MANIFEST_DIR"))
    .stderr(Stdio::inherit());
    if !cfg!(debug_assertions) {
        cmd.arg("--release");
    }
    let out = cmd.output().expect("running cargo");
    assert!(out.status.success(), "cargo build --example {name} failed");
    // cargo names the program in the message about the example's artifact
    let program = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|m| {
            m["reason"] == "compiler-artifact"
                && m["target"]["name"] == name
                && m["target"]["kind"][0] == "example"
        })
        .and_then(|m| m["executable"].as_str().map(PathBuf::from));
    program.unwrap_or_else(|| panic!("cargo named no program for the example {name}"))
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
    let bin = example_binary("sync_and_build");
    let stub = Stub::start(&mini_dataset(9));
    let tmp = TempDir::new("embed");
    let dir = tmp.join("site");
    let out = Command::new(&bin)
        .args([
            stub.base_url(),
            "github.com/org1/repo1".to_string(),
            dir.display().to_string(),
            "0".to_string(),
        ])
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
    let out = Command::new(&bin).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage: sync_and_build"));
}

/// Cargo cannot make a dependency the binary's only, so this keeps the library's
/// sources (all of `src/` but `src/bin/`) from using `anyhow`: its errors are typed.
#[test]
fn the_library_does_not_use_anyhow() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut uses = Vec::new();
    for e in walkdir::WalkDir::new(&src) {
        let e = e.unwrap();
        let p = e.path();
        if p.starts_with(src.join("bin")) || p.extension().is_none_or(|x| x != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(p).unwrap();
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if code.contains("anyhow") {
                uses.push(format!("{}:{}: {line}", p.display(), i + 1));
            }
        }
    }
    assert!(
        uses.is_empty(),
        "the library uses anyhow:\n{}",
        uses.join("\n")
    );
}
