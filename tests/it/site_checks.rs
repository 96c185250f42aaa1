//! Self-tests of the test harness itself.
//!
//! `scripts/test` runs the heavy site checks (the four checkers of `tests/site-checks`
//! and the browser navigation test) on the built site; this file proves that harness
//! can be trusted:
//!
//! * `.ci/run` runs the README's test command, and `scripts/test` counts and reports
//!   failed steps (checked with a fake `cargo`, so it costs no build);
//! * `tests/browser/file-nav.mjs` passes on the hand-made fixture site and catches each
//!   fault `tests/browser/make-fixture-site.mjs --fault` can inject. These need Node,
//!   playwright-core and Chromium, so they run only when `PACKIT_PAGES_SITE_CHECKS=1`
//!   (set by `scripts/test` after it installed them); without it they say so and do
//!   nothing, except under `CI=true`, where they fail, so CI can never skip them.

use std::env;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

use crate::support::TempDir;
use crate::support::output_text as text;

#[test]
fn ci_entry_point_runs_the_readme_test_command() {
    let ci = fs::read_to_string(root().join(".ci/run")).expect(".ci/run exists");
    assert!(ci.starts_with("#!/usr/bin/env bash\n"), "{ci}");
    assert!(ci.contains("set -euo pipefail"), "{ci}");
    assert!(ci.contains("exec scripts/test"), "{ci}");
    let readme = fs::read_to_string(root().join("README.md")).expect("README.md exists");
    assert!(
        readme.contains("\nscripts/test\n"),
        "the README must name scripts/test as the test command"
    );
    for script in ["scripts/test", "scripts/install-test-deps", ".ci/run"] {
        let path = root().join(script);
        let mode = fs::metadata(&path).expect(script).permissions().mode();
        assert!(mode & 0o111 != 0, "{script} is not executable");
        let syntax = Command::new("bash").arg("-n").arg(&path).output().unwrap();
        assert!(syntax.status.success(), "{script}: {}", text(&syntax));
    }
}

/// Runs `scripts/test --quick` with a fake `cargo` first on PATH that fails for
/// the subcommands listed in `failing` and prints a cargo-like test summary for `test`.
fn quick_run_with_fake_cargo(name: &str, failing: &[&str]) -> Output {
    let tmp = TempDir::new(name);
    let fake = tmp.path().join("cargo");
    let mut script = String::from("#!/usr/bin/env bash\n");
    for sub in failing {
        script.push_str(&format!(
            "if [ \"$1\" = {sub} ]; then echo \"fake cargo: {sub} fails\"; exit 101; fi\n"
        ));
    }
    script.push_str(
        "if [ \"$1\" = test ] && [ \"$2\" = --lib ]; then\n\
         echo 'test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out'\n\
         echo 'test result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out'\n\
         fi\nexit 0\n",
    );
    fs::write(&fake, script).unwrap();
    fs::set_permissions(&fake, fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", tmp.path().display(), env::var("PATH").unwrap());
    Command::new("bash")
        .arg(root().join("scripts/test"))
        .arg("--quick")
        .env("PATH", path)
        .current_dir(tmp.path())
        .output()
        .expect("run scripts/test")
}

#[test]
fn test_command_passes_and_sums_cargo_test_results() {
    let out = quick_run_with_fake_cargo("quick-ok", &[]);
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert!(
        log.contains("cargo test summary: 5 passed, 0 failed, 1 ignored (2 test binaries)"),
        "{log}"
    );
    for step in [
        "cargo fmt --check",
        "cargo clippy -D warnings",
        "cargo clippy --lib --no-default-features",
        "cargo doc (no warnings)",
        "cargo test",
    ] {
        assert!(log.contains(&format!("<== {step}: ok (")), "{step}: {log}");
    }
    assert!(log.trim_end().ends_with("\n5 passed, 0 failed"), "{log}");
}

#[test]
fn test_command_runs_every_step_and_fails_when_one_fails() {
    let out = quick_run_with_fake_cargo("quick-fail", &["clippy"]);
    let log = text(&out);
    assert_eq!(out.status.code(), Some(1), "{log}");
    assert!(
        log.contains("<== cargo clippy -D warnings: FAILED, exit 101"),
        "{log}"
    );
    // both clippy steps fail with the fake cargo; the steps after them still ran
    assert!(
        log.contains("<== cargo clippy --lib --no-default-features: FAILED, exit 101"),
        "{log}"
    );
    assert!(log.contains("<== cargo test: ok ("), "{log}");
    assert!(log.trim_end().ends_with("\n3 passed, 2 failed"), "{log}");
}

/// Whether the browser self-tests may run; panics under CI=true when they may not.
fn browser_tests_enabled() -> bool {
    if env::var("PACKIT_PAGES_SITE_CHECKS").as_deref() == Ok("1") {
        return true;
    }
    if env::var("CI").as_deref() == Ok("true") {
        panic!(
            "CI=true but PACKIT_PAGES_SITE_CHECKS is not 1: run the browser tests through \
             scripts/test, which installs Chromium and playwright-core first"
        );
    }
    eprintln!(
        "browser self-test not run: PACKIT_PAGES_SITE_CHECKS is not 1 (scripts/test sets it \
         after installing Chromium and playwright-core)"
    );
    false
}

fn node(args: &[&std::ffi::OsStr]) -> Output {
    Command::new("node")
        .args(args)
        .current_dir(root())
        .output()
        .expect("node must be installed (scripts/install-test-deps installs it)")
}

/// Builds the fixture site (with `fault`, if any) and runs file-nav.mjs on it.
fn file_nav_on_fixture(fault: Option<&str>) -> Output {
    let tmp = TempDir::new(&format!("file-nav-{}", fault.unwrap_or("clean")));
    let site = tmp.path().join("site");
    let maker = root().join("tests/browser/make-fixture-site.mjs");
    let mut args = vec![maker.as_os_str(), site.as_os_str()];
    if let Some(f) = fault {
        args.push("--fault".as_ref());
        args.push(f.as_ref());
    }
    let made = node(&args);
    assert!(made.status.success(), "fixture: {}", text(&made));
    let nav = root().join("tests/browser/file-nav.mjs");
    node(&[nav.as_os_str(), site.as_os_str()])
}

/// Asserts file-nav.mjs fails (exit 1) on the site with `fault`, saying each of
/// `expect`; returns its output, or `None` when the browser tests may not run.
fn assert_file_nav_catches(fault: &str, expect: &[&str]) -> Option<String> {
    if !browser_tests_enabled() {
        return None;
    }
    let out = file_nav_on_fixture(Some(fault));
    let log = text(&out);
    assert_eq!(out.status.code(), Some(1), "fault {fault}: {log}");
    assert!(log.contains("file-nav: FAIL"), "{log}");
    for e in expect {
        assert!(log.contains(e), "fault {fault}: expected {e:?} in:\n{log}");
    }
    Some(log)
}

#[test]
fn file_nav_passes_on_the_fixture_site() {
    if !browser_tests_enabled() {
        return;
    }
    let out = file_nav_on_fixture(None);
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("file-nav: PASS"), "{log}");
    // both runs walked the whole path, back to the Copr build's pipeline
    for js in ["js off", "js on "] {
        for step in [
            "home     index.html",
            "project  projects/github.com/packit/ogr/index.html",
            "copr     jobs/copr/5001/index.html",
            "pipeline pipeline/102/index.html",
        ] {
            assert!(
                log.contains(&format!("[{js}] {step}")),
                "{js} {step}: {log}"
            );
        }
    }
}

#[test]
fn file_nav_catches_a_missing_pipeline_link() {
    assert_file_nav_catches(
        "missing-pipeline-link",
        &["jobs/copr/5001/index.html: no \"pipeline\" link back to pipeline/102/index.html"],
    );
}

#[test]
fn file_nav_catches_an_off_host_request() {
    assert_file_nav_catches(
        "offhost",
        &["request to a non-file URL: https://example.invalid/logo.png"],
    );
}

#[test]
fn file_nav_catches_a_console_error_with_javascript_only() {
    let Some(log) = assert_file_nav_catches(
        "console-error",
        &["console error on pipeline/102/index.html: fixture fault"],
    ) else {
        return;
    };
    assert!(log.contains("problems with JavaScript enabled"), "{log}");
    // with JavaScript disabled the script must not have run at all
    assert!(!log.contains("problems with JavaScript disabled"), "{log}");
}

#[test]
fn file_nav_catches_a_link_to_a_folder() {
    assert_file_nav_catches(
        "folder-link",
        &[
            "index.html: link projects/github.com/packit/ogr/ points at a folder",
            "home page: no link to a project page",
        ],
    );
}

#[test]
fn file_nav_catches_a_missing_file() {
    assert_file_nav_catches(
        "missing-file",
        &[
            "link ../../missing.css names a missing file",
            "failed to load missing.css",
        ],
    );
}

#[test]
fn file_nav_catches_a_missing_heading() {
    assert_file_nav_catches(
        "no-heading",
        &["projects/github.com/packit/ogr/index.html: no <h1> heading"],
    );
}

/// Runs tests/browser/csp.mjs on a one-page site whose body is `body` (plus a
/// stylesheet and a script file that a strict policy allows).
fn csp_on_page(name: &str, body: &str) -> Output {
    let tmp = TempDir::new(&format!("csp-{name}"));
    let site = tmp.path().join("site");
    fs::create_dir_all(site.join("static")).unwrap();
    fs::write(site.join("static/site.css"), "h1 { color: #123; }\n").unwrap();
    fs::write(
        site.join("static/site.js"),
        "document.body.dataset.ok = '1';\n",
    )
    .unwrap();
    fs::write(
        site.join("index.html"),
        format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>t</title>\
             <link rel=\"stylesheet\" href=\"static/site.css\"></head><body><h1>t</h1>{body}\
             <script src=\"static/site.js\" defer></script></body></html>"
        ),
    )
    .unwrap();
    let csp = root().join("tests/browser/csp.mjs");
    node(&[csp.as_os_str(), site.as_os_str()])
}

#[test]
fn csp_passes_on_a_page_without_inline_code() {
    if !browser_tests_enabled() {
        return;
    }
    let out = csp_on_page(
        "clean",
        "<svg class=\"meter\" viewBox=\"0 0 100 8\" width=\"120\" height=\"8\"><rect width=\"33\" height=\"8\"></rect></svg>",
    );
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("csp: PASS"), "{log}");
    // the policy came from netlify.toml
    assert!(log.contains("csp: policy default-src 'none'"), "{log}");
}

#[test]
fn csp_catches_style_attributes_inline_scripts_and_event_handlers() {
    if !browser_tests_enabled() {
        return;
    }
    // the usage meter as the theme wrote it before it became an SVG
    let out = csp_on_page(
        "style-attr",
        "<span class=\"meter\"><span style=\"width: 33%\"></span></span>",
    );
    let log = text(&out);
    assert_eq!(out.status.code(), Some(1), "{log}");
    assert!(log.contains("CSP violation: style-src-attr"), "{log}");
    let out = csp_on_page(
        "inline-script",
        "<script>document.title = 'x';</script><button onclick=\"1\">b</button>",
    );
    let log = text(&out);
    assert_eq!(out.status.code(), Some(1), "{log}");
    assert!(log.contains("CSP violation: script-src-elem"), "{log}");
    assert!(log.contains("csp: FAIL"), "{log}");
}
