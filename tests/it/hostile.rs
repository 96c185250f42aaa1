//! Issue 22's "done when", end to end: an archive synced from the stub API with
//! hostile upstream values (a 300-character repository name, a namespace of 100
//! `é`, a 300-character branch, a 1 MB `project_url` that is also 3,000 folders
//! deep, bidirectional overrides, `CON` / `NUL` names, trailing dots) builds with
//! every other page written, and `check` names the entities whose pages cannot be.

use crate::support::stub::{Dataset, Stub};
use crate::support::{self, TempDir, mini_dataset};
use serde_json::{Value, json};

/// The mini data set with hostile names on its pipelines' projects and triggers,
/// plus one project whose URL is 1 MB long and 3,000 folders deep (no file system
/// takes its pages' paths).
fn hostile_dataset() -> (Dataset, String) {
    let mut ds = mini_dataset(8);
    let deep = format!(
        "https://github.com/deep/{}{}",
        "a/".repeat(3_000),
        "r".repeat(1 << 20)
    );
    let hostile: [(&str, &str, Value); 8] = [
        ("org0", &*"r".repeat(300), json!({})),
        (&*"é".repeat(100), "repo", json!({})),
        (
            "org2",
            "repo",
            json!({"pr_id": null, "branch_name": "b".repeat(300)}),
        ),
        ("evil\u{202e}gnp", "exe.txt\u{200d}", json!({})),
        ("NUL", "CON", json!({})),
        (
            "dots.",
            "trailing.",
            json!({"pr_id": null, "branch_name": "v1. "}),
        ),
        (
            "org1",
            "repo1",
            json!({"pr_id": null, "branch_name": "main\u{202e}"}),
        ),
        ("", "", json!({"project_url": deep})),
    ];
    for list in ["srpm-builds", "copr-builds", "runs"] {
        let items = ds.lists.get_mut(list).unwrap();
        let n = items.len();
        for (i, item) in items.iter_mut().enumerate() {
            let (ns, repo, extra) = &hostile[(n - 1 - i) % hostile.len()];
            let target = if list == "runs" {
                &mut item["trigger"]
            } else {
                item
            };
            if !ns.is_empty() {
                target["repo_namespace"] = json!(ns);
                target["repo_name"] = json!(repo);
                target["project_url"] = json!(format!("https://github.com/{ns}/{repo}"));
            }
            for (k, v) in extra.as_object().unwrap() {
                target[k] = v.clone();
            }
        }
    }
    let p = json!({
        "namespace": "deep", "repo_name": "r", "project_url": deep,
        "prs_handled": 0, "branches_handled": 0, "releases_handled": 0, "issues_handled": 0
    });
    ds.lists.get_mut("projects").unwrap().push(p);
    (ds, deep)
}

#[test]
fn hostile_values_sync_build_every_other_page_and_check_names_the_bad_ones() {
    let (ds, _deep) = hostile_dataset();
    let stub = Stub::start(&ds);
    let dir = TempDir::new("hostile");
    let a = dir.join("archive.sqlite");
    let out = dir.join("site");
    let sync = || {
        support::packit_pages()
            .args(["sync", "--api", &stub.base_url(), "--archive"])
            .arg(&a)
            .args(["--rps", "0", "--retry-base-ms", "1", "--progress", "none"])
            .output()
            .unwrap()
    };
    let first = sync();
    let second = sync();
    // the entity with the 1 MB URL fails, but it backs off and its value is
    // shortened: the second run succeeds and its output stays small
    assert!(
        second.status.success(),
        "{}",
        support::output_text(&second)
            .chars()
            .take(20_000)
            .collect::<String>()
    );
    assert!(support::output_text(&second).len() < 100_000);
    assert!(a.exists(), "{}", support::output_text(&first));

    // build: exit 1 for the pages that cannot be written, every other page written
    let report = dir.join("report.json");
    let o = support::packit_pages()
        .args(["build", "--archive"])
        .arg(&a)
        .arg("--out")
        .arg(&out)
        .arg("--report-json")
        .arg(&report)
        .output()
        .unwrap();
    let err = support::output_text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.len() < 200_000,
        "the 1 MB value is shortened: {} bytes",
        err.len()
    );
    let r: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let failed: Vec<&str> = r["failed_pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert!(!failed.is_empty());
    for f in &failed {
        assert!(f.contains("github.com/deep/a/a/a/"), "{f}");
        assert!(f.len() < 300, "shortened: {} bytes", f.len());
    }
    // every job and pipeline page is there, hostile names and all
    for (list, prefix) in [("srpm-builds", "jobs/srpm"), ("copr-builds", "jobs/copr")] {
        for item in &ds.lists[list] {
            let id = item
                .get("srpm_build_id")
                .or_else(|| {
                    item.get("packit_id_per_chroot")
                        .and_then(|m| m.get("fedora-40-x86_64"))
                })
                .unwrap();
            assert!(
                out.join(format!("{prefix}/{id}/index.html")).is_file(),
                "{prefix}/{id}"
            );
        }
    }
    for item in &ds.lists["runs"] {
        let id = &item["merged_run_id"];
        assert!(
            out.join(format!("pipeline/{id}/index.html")).is_file(),
            "pipeline {id}"
        );
    }
    // the hostile projects' pages, at paths every file system takes
    let mut projects = 0;
    for e in walkdir::WalkDir::new(out.join("projects/github.com")) {
        let e = e.unwrap();
        let rel = e
            .path()
            .strip_prefix(&out)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        for seg in rel.split('/') {
            assert!(seg.len() <= 160, "{seg}");
            assert!(!seg.ends_with('.') || seg == "index.html", "{rel}");
            assert!(
                !["con", "nul"].contains(&seg.to_ascii_lowercase().as_str()),
                "{rel}"
            );
        }
        if e.file_name() == "index.html" {
            projects += 1;
        }
    }
    assert!(projects > 10, "{projects} project pages");
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        !home.contains('\u{202e}'),
        "bidi override shown as a marker"
    );

    // check: names the bad entity, kind and shortened name, and fails
    let o = support::packit_pages()
        .args(["check", "--archive"])
        .arg(&a)
        .output()
        .unwrap();
    let text = support::output_text(&o);
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(text.len() < 100_000, "shortened: {} bytes", text.len());
    assert!(
        text.contains("project github.com/deep/a/a/a/") && text.contains("cannot be written"),
        "{text}"
    );
    let named = text
        .lines()
        .filter(|l| l.contains(": error: ") && l.contains("cannot be written"))
        .count();
    assert_eq!(
        named,
        failed.len(),
        "one line per page the build could not write:\n{text}"
    );
}
