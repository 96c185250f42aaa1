//! The synthetic data set (`packit_pages::demo`) has the real server's shapes: the
//! key sets of list items and details (against recorded responses and the server's
//! code), one trigger per project info block, merged Copr items as their targets.

use std::collections::BTreeSet;

use super::demo::{details_under, ds500, ds2000, keys, list};
use serde_json::Value;

fn example(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/api/real-server-synthetic-data/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

#[test]
fn key_sets_match_the_real_server() {
    let ds = ds500();
    let cases: [(&str, &str); 10] = [
        ("copr-builds", "copr-builds_page1_per20.json"),
        ("koji-builds", "koji-builds_page1_per10.json"),
        ("srpm-builds", "srpm-builds_page1_per10.json"),
        (
            "testing-farm/results",
            "testing-farm-results_page1_per20.json",
        ),
        ("runs", "runs_page1_per20.json"),
        ("propose-downstream", "propose-downstream_page1_per10.json"),
        ("pull-from-upstream", "pull-from-upstream_page1_per10.json"),
        ("bodhi-updates", "bodhi-updates_page1_per10.json"),
        ("projects", "projects_page1_per20.json"),
        ("projects/github.com", "projects_page1_per20.json"),
    ];
    for (ep, file) in cases {
        let real = keys(&example(file)[0]);
        let items = list(ds, ep);
        assert!(!items.is_empty(), "{ep}");
        let with_project = items
            .iter()
            .filter(|v| {
                let v = v.get("trigger").unwrap_or(v);
                v.get("project_url")
                    .is_some_and(|u| u.as_str().is_some_and(|s| s.starts_with("https://")))
            })
            .count();
        assert!(with_project > 0, "{ep}");
        for v in items {
            let has_project = v
                .get("project_url")
                .is_some_and(|u| u.as_str().is_some_and(|s| !s.is_empty()));
            let has_trigger = v.get("trigger").is_some();
            if (has_project || ep == "runs") && (ep != "runs" || has_trigger) {
                assert_eq!(keys(v), real, "{ep}: {v}");
            }
        }
    }
    let copr = details_under(ds, "copr-builds/")
        .find(|(_, v)| v.get("project_url").is_some())
        .unwrap()
        .1;
    assert_eq!(keys(copr), keys(&example("copr-build_2366.json")));
    let tf = details_under(ds, "testing-farm/")
        .find(|(_, v)| v.get("project_url").is_some())
        .unwrap()
        .1;
    assert_eq!(keys(tf), keys(&example("testing-farm_1700.json")));
    let raw = details_under(ds, "runs/").next().unwrap().1;
    assert_eq!(keys(raw), keys(&example("run_99990.json")));
    let merged = details_under(ds, "runs/merged/")
        .find(|(_, v)| v.get("trigger").is_some())
        .unwrap()
        .1;
    assert_eq!(keys(merged), keys(&example("run_merged_999.json")));
    assert_eq!(keys(&ds.details["system"]), keys(&example("system.json")));
    let usage = &ds.details["usage"];
    let real_usage = example("usage.json");
    assert_eq!(keys(usage), keys(&real_usage));
    for part in ["all_projects", "active_projects", "events", "jobs"] {
        assert_eq!(keys(&usage[part]), keys(&real_usage[part]), "usage.{part}");
    }
    for (k, v) in usage["events"].as_object().unwrap() {
        assert_eq!(keys(v), keys(&real_usage["events"][k]), "usage.events.{k}");
    }
    for (k, v) in usage["jobs"].as_object().unwrap() {
        assert_eq!(keys(v), keys(&real_usage["jobs"][k]), "usage.jobs.{k}");
    }
}

const INFO_KEYS: [&str; 12] = [
    "pr_id",
    "issue_id",
    "branch_name",
    "release",
    "anitya_version",
    "repo_namespace",
    "repo_name",
    "project_url",
    "anitya_project_id",
    "anitya_project_name",
    "anitya_package",
    "non_git_upstream",
];

/// The keys `own` plus, on items of a project, the project info keys.
fn expected_keys(own: &[&str], v: &Value) -> BTreeSet<String> {
    let mut want: BTreeSet<String> = own.iter().map(|s| s.to_string()).collect();
    if v.get("non_git_upstream").is_some() {
        want.extend(INFO_KEYS.iter().map(|s| s.to_string()));
    }
    want
}

/// Keys of a sync-release target's detail (propose downstream, pull from upstream).
const SYNC_RELEASE_KEYS: &[&str] = &[
    "status",
    "branch",
    "downstream_prs",
    "downstream_pr_project",
    "submitted_time",
    "start_time",
    "finished_time",
    "logs",
];

/// Keys of an OpenScanHub scan's list item (its detail has all but `packit_id`).
const OPENSCANHUB_KEYS: &[&str] = &[
    "packit_id",
    "task_id",
    "status",
    "url",
    "issues_added_count",
    "issues_added_url",
    "issues_fixed_url",
    "scan_results_url",
    "copr_build_target_id",
    "submitted_time",
];

/// Keys of a Log Detective run, its list item and its detail alike.
const LOG_DETECTIVE_KEYS: &[&str] = &[
    "packit_id",
    "analysis_id",
    "status",
    "chroot",
    "commit_sha",
    "log_detective_response",
    "error_msg",
    "target_build",
    "run_ids",
    "submitted_time",
];

#[test]
fn detail_key_sets_follow_the_server_code() {
    let ds = ds2000();
    let expect: [(&str, &[&str]); 12] = [
        (
            "koji-builds/",
            &[
                "task_id",
                "status",
                "chroot",
                "scratch",
                "build_start_time",
                "build_finished_time",
                "build_submitted_time",
                "commit_sha",
                "web_url",
                "build_logs_urls",
                "srpm_build_id",
                "run_ids",
                "build_submission_stdout",
                "error_message",
                "log_detective_runs",
            ],
        ),
        (
            "srpm-builds/",
            &[
                "status",
                "build_submitted_time",
                "build_start_time",
                "build_finished_time",
                "url",
                "logs",
                "logs_url",
                "copr_build_id",
                "copr_web_url",
                "run_ids",
            ],
        ),
        ("propose-downstream/", SYNC_RELEASE_KEYS),
        ("pull-from-upstream/", SYNC_RELEASE_KEYS),
        (
            "bodhi-updates/",
            &[
                "status",
                "branch",
                "web_url",
                "koji_nvrs",
                "alias",
                "submitted_time",
                "update_creation_time",
                "run_ids",
                "error_message",
            ],
        ),
        (
            "koji-tag-requests/",
            &[
                "task_id",
                "chroot",
                "sidetag",
                "nvr",
                "tag_request_submitted_time",
                "commit_sha",
                "web_url",
                "run_ids",
            ],
        ),
        // the detail: the list item's keys but `packit_id`
        ("openscanhub-scans/", &OPENSCANHUB_KEYS[1..]),
        ("log-detective/", LOG_DETECTIVE_KEYS),
        (
            "copr-builds/groups/",
            &["submitted_time", "run_ids", "build_target_ids"],
        ),
        (
            "testing-farm/groups/",
            &["submitted_time", "run_ids", "test_target_ids"],
        ),
        (
            "bodhi-updates/groups/",
            &["submitted_time", "run_ids", "update_target_ids"],
        ),
        (
            "log-detective/groups/",
            &[
                "packit_id",
                "submitted_time",
                "run_ids",
                "log_detective_target_ids",
            ],
        ),
    ];
    for (prefix, own) in expect {
        let mut n = 0;
        for (path, v) in details_under(ds, prefix) {
            let want = expected_keys(own, v);
            assert_eq!(keys(v), want, "{path}");
            n += 1;
        }
        assert!(n > 0, "{prefix}");
    }
    // List items of the endpoints without a real sample.
    let lists: [(&str, &[&str]); 3] = [
        (
            "koji-tag-requests",
            &[
                "packit_id",
                "task_id",
                "tag_request_submitted_time",
                "chroot",
                "sidetag",
                "nvr",
                "web_url",
                "pr_id",
                "branch_name",
                "release",
                "project_url",
                "repo_namespace",
                "repo_name",
            ],
        ),
        ("openscanhub-scans", OPENSCANHUB_KEYS),
        ("log-detective", LOG_DETECTIVE_KEYS),
    ];
    for (ep, own) in lists {
        for v in list(ds, ep) {
            let mut want = expected_keys(own, v);
            if ep == "koji-tag-requests" && v.get("project_url").is_none() {
                for k in ["project_url", "repo_namespace", "repo_name"] {
                    want.remove(k);
                }
            }
            assert_eq!(keys(v), want, "{ep}: {v}");
        }
    }
}

#[test]
fn project_info_has_exactly_one_trigger() {
    let ds = ds2000();
    let mut kinds = BTreeSet::new();
    let mut without = 0;
    for (path, v) in &ds.details {
        if v.get("non_git_upstream").is_none() {
            if path.starts_with("copr-builds/") || path.starts_with("srpm-builds/") {
                without += 1;
            }
            continue;
        }
        let set: Vec<&str> = [
            "pr_id",
            "issue_id",
            "branch_name",
            "release",
            "anitya_version",
        ]
        .into_iter()
        .filter(|k| !v[*k].is_null())
        .collect();
        assert_eq!(set.len(), 1, "{path}: {set:?}");
        kinds.insert(set[0]);
        if v["non_git_upstream"] == true {
            assert!(
                v["repo_namespace"].is_null() && v["repo_name"].is_null(),
                "{path}"
            );
            assert!(
                v["project_url"]
                    .as_str()
                    .unwrap()
                    .starts_with("https://release-monitoring.org/project/")
            );
        }
    }
    assert_eq!(kinds.len(), 5, "{kinds:?}");
    assert!(without > 0, "no job without a project");
    // Forges and the GitLab sub-group namespace are all present.
    let urls: Vec<&str> = list(ds, "projects")
        .iter()
        .map(|v| v["project_url"].as_str().unwrap())
        .collect();
    for host in [
        "https://github.com/",
        "https://gitlab.com/",
        "https://src.fedoraproject.org/rpms/",
    ] {
        assert!(urls.iter().any(|u| u.starts_with(host)), "{host}");
    }
    assert!(urls.iter().any(|u| u.contains("redhat/centos-stream/src/")));
}

#[test]
fn merged_copr_items_match_target_details() {
    let ds = ds2000();
    let mut listed = BTreeSet::new();
    for item in list(ds, "copr-builds") {
        let per = item["packit_id_per_chroot"].as_object().unwrap();
        let st = item["status_per_chroot"].as_object().unwrap();
        assert_eq!(
            per.keys().collect::<Vec<_>>(),
            st.keys().collect::<Vec<_>>()
        );
        let min = per.values().map(|v| v.as_i64().unwrap()).min().unwrap();
        assert_eq!(item["packit_id"].as_i64().unwrap(), min);
        for (chroot, id) in per {
            let d = &ds.details[&format!("copr-builds/{id}")];
            assert_eq!(d["chroot"].as_str().unwrap(), chroot);
            assert_eq!(d["status"], st[chroot]);
            assert_eq!(d["build_id"], item["build_id"]);
            assert_eq!(d["copr_project"], item["project"]);
            assert_eq!(d["commit_sha"], item["ref"]);
            listed.insert(id.as_i64().unwrap());
        }
    }
    // Targets missing from the list are exactly those the server's SQL filters out.
    let mut excluded = 0;
    for (path, d) in details_under(ds, "copr-builds/") {
        let id: i64 = path.rsplit('/').next().unwrap().parse().unwrap();
        let filtered = d["status"] == "waiting_for_srpm"
            || (d["status"] == "failure"
                && d["build_start_time"].is_null()
                && d["build_logs_url"].is_null());
        assert_eq!(!listed.contains(&id), filtered, "{path}");
        excluded += usize::from(filtered);
        assert!(d["build_id"].is_string());
        if d["status"] == "success" {
            let pkgs = d["built_packages"].as_array().unwrap();
            assert!(pkgs.iter().any(|p| p["arch"] == "src"));
            assert!(pkgs.iter().any(|p| p["arch"] != "src"));
        }
    }
    assert!(excluded > 0);
}
