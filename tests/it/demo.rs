//! Tests of the synthetic upstream data set (`packit_pages::demo`): determinism,
//! statuses, links, list order, sub-lists, hostile values and the stream. That its
//! JSON has the real server's keys: `demo_keys.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use packit_pages::demo::{self, Dataset, DemoSpec, Record};
use serde_json::Value;

pub(super) fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().expect("object").keys().cloned().collect()
}

pub(super) fn ds500() -> &'static Dataset {
    static DS: OnceLock<Dataset> = OnceLock::new();
    DS.get_or_init(|| Dataset::generate(&DemoSpec::new(500, 1)))
}

pub(super) fn ds2000() -> &'static Dataset {
    static DS: OnceLock<Dataset> = OnceLock::new();
    DS.get_or_init(|| Dataset::generate(&DemoSpec::new(2000, 7)))
}

pub(super) fn list<'a>(ds: &'a Dataset, ep: &str) -> &'a [Value] {
    ds.lists.get(ep).map_or(&[], Vec::as_slice)
}

pub(super) fn details_under<'a>(
    ds: &'a Dataset,
    prefix: &'a str,
) -> impl Iterator<Item = (&'a String, &'a Value)> {
    ds.details.iter().filter(move |(k, _)| {
        k.strip_prefix(prefix)
            .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
    })
}

fn serialize_stream(spec: &DemoSpec) -> Vec<u8> {
    let mut out = Vec::new();
    demo::generate(spec, &mut |r| {
        let (tag, name, v) = match r {
            Record::ListItem { endpoint, item } => ("L", endpoint, item),
            Record::Detail { path, body } => ("D", path, body),
        };
        out.extend_from_slice(tag.as_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(serde_json::to_string(&v).unwrap().as_bytes());
        out.push(b'\n');
    });
    out
}

#[test]
fn same_spec_gives_identical_output() {
    let spec = DemoSpec::new(300, 42);
    assert_eq!(serialize_stream(&spec), serialize_stream(&spec));
    assert_eq!(Dataset::generate(&spec), Dataset::generate(&spec));
    let other = DemoSpec::new(300, 43);
    assert_ne!(serialize_stream(&spec), serialize_stream(&other));
}

#[test]
fn larger_spec_extends_a_smaller_one() {
    let a = Dataset::generate(&DemoSpec::new(300, 5));
    let spec_b = DemoSpec::new(337, 5);
    let b = Dataset::generate(&spec_b);
    for path in a.details.keys() {
        assert!(
            b.details.contains_key(path),
            "{path} missing from the larger data set"
        );
    }
    // Same entities: identity fields do not move.
    for (path, va) in &a.details {
        let vb = &b.details[path];
        for key in [
            "build_id",
            "chroot",
            "commit_sha",
            "task_id",
            "branch",
            "project_url",
            "pr_id",
            "copr_project",
        ] {
            assert_eq!(va.get(key), vb.get(key), "{path}: {key}");
        }
    }
    // The non-final jobs of the small set are final in the large one.
    let mut changed = 0;
    for (path, va) in &a.details {
        let Some(sa) = va.get("status").and_then(Value::as_str) else {
            continue;
        };
        if demo::is_final_status(sa) {
            continue;
        }
        let sb = b.details[path]["status"].as_str().unwrap();
        assert!(demo::is_final_status(sb), "{path}: {sa} -> {sb}");
        changed += 1;
    }
    assert!(changed >= 6, "only {changed} non-final jobs");
    // And the larger set's newest pipelines are non-final again.
    assert!(spec_b.is_recent(336));
    assert!(!spec_b.is_recent(299));
    for ep in [
        "srpm-builds",
        "koji-builds",
        "testing-farm/results",
        "bodhi-updates",
    ] {
        let ids_a: BTreeSet<String> = list(&a, ep).iter().map(id_of).collect();
        let ids_b: BTreeSet<String> = list(&b, ep).iter().map(id_of).collect();
        assert!(ids_a.is_subset(&ids_b), "{ep}");
        assert!(ids_b.len() > ids_a.len(), "{ep}");
    }
}

fn id_of(v: &Value) -> String {
    for k in ["packit_id", "srpm_build_id", "merged_run_id"] {
        if let Some(x) = v.get(k) {
            return x.to_string();
        }
    }
    v.to_string()
}

fn collect_statuses(ds: &Dataset) -> BTreeMap<&'static str, BTreeSet<String>> {
    let mut m: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
    let mut add = |kind: &'static str, v: &Value| {
        if let Some(s) = v.get("status").and_then(Value::as_str) {
            m.entry(kind).or_default().insert(s.to_string());
        }
    };
    for (prefix, kind) in [("copr-builds/", "copr"), ("srpm-builds/", "srpm")] {
        for (_, v) in details_under(ds, prefix) {
            add(kind, v);
        }
    }
    for (ep, kind) in [
        ("koji-builds", "koji"),
        ("testing-farm/results", "tf"),
        ("bodhi-updates", "bodhi"),
        ("propose-downstream", "sync_run"),
        ("pull-from-upstream", "sync_run"),
        ("openscanhub-scans", "osh"),
        ("log-detective", "ld"),
    ] {
        for v in list(ds, ep) {
            add(kind, v);
        }
    }
    for prefix in ["propose-downstream/", "pull-from-upstream/"] {
        for (_, v) in details_under(ds, prefix) {
            add("sync_target", v);
        }
    }
    for v in list(ds, "runs") {
        for vm in v["vm_image_build"].as_array().unwrap() {
            add("vm", vm);
        }
    }
    m
}

fn assert_all_statuses(ds: &Dataset, what: &str) {
    let got = collect_statuses(ds);
    let want: [(&str, &[&str]); 10] = [
        ("copr", demo::BUILD_STATUSES),
        (
            "srpm",
            &[
                "success", "pending", "failure", "error", "retry", "canceled",
            ],
        ),
        ("koji", demo::KOJI_STATUSES),
        ("tf", demo::TF_STATUSES),
        ("bodhi", demo::BODHI_STATUSES),
        ("sync_run", demo::SYNC_RUN_STATUSES),
        ("sync_target", demo::SYNC_TARGET_STATUSES),
        ("osh", demo::OSH_STATUSES),
        ("ld", demo::LOG_DETECTIVE_STATUSES),
        ("vm", demo::VM_STATUSES),
    ];
    for (kind, values) in want {
        let have = got.get(kind).cloned().unwrap_or_default();
        for v in values {
            assert!(
                have.contains(*v),
                "{what}: {kind} never has status {v} (has {have:?})"
            );
        }
        for v in &have {
            assert!(
                values.contains(&v.as_str()),
                "{what}: {kind} has unknown status {v}"
            );
        }
    }
}

#[test]
fn every_status_value_appears() {
    assert_all_statuses(ds500(), "N=500 seed 1");
    for seed in [2, 3, 99] {
        assert_all_statuses(
            &Dataset::generate(&DemoSpec::new(200, seed)),
            &format!("N=200 seed {seed}"),
        );
    }
}

#[test]
fn failures_are_a_minority() {
    let ds = ds2000();
    let tf = list(ds, "testing-farm/results");
    let passed = tf.iter().filter(|v| v["status"] == "passed").count();
    assert!(passed * 100 / tf.len() > 70, "{passed}/{}", tf.len());
    let mut ok = 0;
    let mut all = 0;
    for (_, v) in details_under(ds, "copr-builds/") {
        all += 1;
        ok += usize::from(v["status"] == "success");
    }
    assert!(ok * 100 / all > 70, "{ok}/{all}");
}

#[test]
fn cross_links_resolve() {
    let ds = ds2000();
    for (path, d) in details_under(ds, "testing-farm/") {
        for id in d["copr_build_ids"].as_array().unwrap() {
            let c = &ds.details[&format!("copr-builds/{id}")];
            assert_eq!(c["chroot"], d["chroot"], "{path}");
        }
        for id in d["koji_build_ids"].as_array().unwrap() {
            assert!(
                ds.details.contains_key(&format!("koji-builds/{id}")),
                "{path}"
            );
        }
    }
    for v in list(ds, "openscanhub-scans") {
        assert!(
            ds.details
                .contains_key(&format!("copr-builds/{}", v["copr_build_target_id"]))
        );
    }
    for (path, d) in details_under(ds, "copr-builds/") {
        assert!(
            ds.details
                .contains_key(&format!("srpm-builds/{}", d["srpm_build_id"])),
            "{path}"
        );
        for ld in d["log_detective_runs"].as_array().unwrap() {
            let l = &ds.details[&format!("log-detective/{ld}")];
            assert_eq!(l["target_build"], d["build_id"]);
        }
        let runs = d["run_ids"].as_array().unwrap();
        assert!(runs.windows(2).all(|w| w[0].as_i64() < w[1].as_i64()));
    }
    for v in list(ds, "propose-downstream")
        .iter()
        .chain(list(ds, "pull-from-upstream"))
    {
        for id in v["packit_id_per_downstream_pr"]
            .as_object()
            .unwrap()
            .values()
        {
            assert!(
                ds.details.contains_key(&format!("propose-downstream/{id}"))
                    || ds.details.contains_key(&format!("pull-from-upstream/{id}"))
            );
        }
    }
    // Retriggers: some merged runs cover two pipelines sharing one SRPM.
    let shared = details_under(ds, "srpm-builds/")
        .filter(|(_, d)| d["run_ids"].as_array().unwrap().len() == 2)
        .count();
    assert!(shared > 0);
    for (_, d) in details_under(ds, "srpm-builds/") {
        let runs = d["run_ids"].as_array().unwrap();
        let merged = &ds.details[&format!("runs/merged/{}", runs[0])];
        assert_eq!(merged["merged_run_id"], runs[0]);
        for r in runs {
            assert_eq!(
                ds.details[&format!("runs/{r}")]["srpm_build_id"],
                merged["srpm"]["packit_id"]
            );
        }
    }
}

#[test]
fn runs_quirks_are_present() {
    let ds = ds2000();
    let runs = list(ds, "runs");
    let without_trigger = runs.iter().filter(|v| v.get("trigger").is_none()).count();
    assert!(without_trigger > 0);
    for v in runs {
        assert_eq!(
            v.get("trigger").is_none(),
            v.get("time_submitted").is_none()
        );
        assert!(
            v["copr"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["status"] != "waiting_for_srpm")
        );
    }
    assert!(
        runs.iter()
            .any(|v| v["trigger"].as_object().is_some_and(|m| m.is_empty()))
    );
    assert!(
        runs.iter()
            .any(|v| !v["vm_image_build"].as_array().unwrap().is_empty())
    );
    let broken = ds.broken_runs.len();
    assert!(
        broken > 0 && broken * 100 / 2000 < 3,
        "{broken} broken runs"
    );
    for id in &ds.broken_runs {
        assert!(!ds.details.contains_key(&format!("runs/{id}")));
        assert!(ds.details.contains_key(&format!("runs/merged/{id}")));
    }
    // A few old Koji rows carry a plain string of build_logs_urls.
    let koji = list(ds, "koji-builds");
    assert!(koji.iter().any(|v| v["build_logs_urls"].is_string()));
    assert!(koji.iter().any(|v| v["build_logs_urls"].is_object()));
    assert!(
        koji.iter().any(|v| v["scratch"] == true) && koji.iter().any(|v| v["scratch"] == false)
    );
}

#[test]
fn lists_are_in_api_order() {
    let ds = ds2000();
    for (ep, items) in &ds.lists {
        let key = if ep == "runs" {
            Some("merged_run_id")
        } else if ep == "srpm-builds" {
            Some("srpm_build_id")
        } else if ep.starts_with("projects") {
            if ep.ends_with("/prs") {
                Some("pr_id")
            } else {
                None
            }
        } else {
            Some("packit_id")
        };
        if let Some(key) = key {
            let ids: Vec<i64> = items.iter().map(|v| v[key].as_i64().unwrap()).collect();
            assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ep} not {key} DESC");
        }
    }
    let ns: Vec<&str> = list(ds, "projects")
        .iter()
        .map(|v| v["namespace"].as_str().unwrap())
        .collect();
    assert!(ns.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn project_sub_lists_and_counts() {
    let ds = ds2000();
    let mut prs = 0;
    for p in list(ds, "projects") {
        let url = p["project_url"].as_str().unwrap();
        let base = format!("projects/{}", url.trim_start_matches("https://"));
        assert_eq!(&ds.details[&base], p);
        for (sub, key) in [
            ("prs", "prs_handled"),
            ("branches", "branches_handled"),
            ("releases", "releases_handled"),
            ("issues", "issues_handled"),
        ] {
            let n = list(ds, &format!("{base}/{sub}")).len() as u64;
            assert_eq!(n, p[key].as_u64().unwrap(), "{base}/{sub}");
        }
        for item in list(ds, &format!("{base}/prs")) {
            prs += 1;
            for t in item["tests"].as_array().unwrap() {
                assert!(
                    t["status"]
                        .as_str()
                        .unwrap()
                        .starts_with("TestingFarmResult."),
                    "{t}"
                );
            }
        }
        for item in list(ds, &format!("{base}/branches")) {
            for t in item["tests"].as_array().unwrap() {
                assert!(
                    !t["status"]
                        .as_str()
                        .unwrap()
                        .starts_with("TestingFarmResult.")
                );
            }
        }
        for r in list(ds, &format!("{base}/releases")) {
            assert_eq!(
                keys(r),
                ["commit_hash", "tag_name"]
                    .iter()
                    .map(|s| s.to_string())
                    .collect::<BTreeSet<String>>()
            );
        }
        for i in list(ds, &format!("{base}/issues")) {
            assert!(i.is_i64());
        }
    }
    assert!(prs > 100);
    let cancel = ds
        .lists
        .iter()
        .filter(|(k, _)| k.ends_with("/prs"))
        .flat_map(|(_, v)| v)
        .flat_map(|v| v["tests"].as_array().unwrap())
        .any(|t| t["status"] == "TestingFarmResult.cancel_requested");
    assert!(
        cancel,
        "str() of TestingFarmResult.cancel_requested uses the member name"
    );
}

#[test]
fn recent_pipelines_are_non_final_and_old_srpm_logs_expire() {
    let spec = DemoSpec {
        interval: 6 * 3600,
        ..DemoSpec::new(200, 3)
    };
    let ds = Dataset::generate(&spec);
    let now = spec.now();
    for (path, d) in details_under(&ds, "srpm-builds/") {
        let t = d["build_submitted_time"].as_i64().unwrap();
        if t < now - demo::SRPM_RETENTION {
            assert!(d["logs"].is_null() && d["url"].is_null(), "{path}");
        }
    }
    assert!(details_under(&ds, "srpm-builds/").any(|(_, d)| d["logs"].is_string()));
    let ds = ds500();
    let spec = DemoSpec::new(500, 1);
    for (path, d) in details_under(ds, "testing-farm/") {
        let run = d["run_ids"][0].as_i64().unwrap();
        let index = (run - demo::PIPELINE_ID_BASE) as u64;
        let fin = demo::is_final_status(d["status"].as_str().unwrap());
        assert_eq!(fin, !spec.is_recent(index), "{path}");
        if let Some(t) = d["submitted_time"].as_i64() {
            assert!(t <= spec.now());
        }
    }
}

/// Every key, path and string value, raw (not JSON-escaped), newline-separated.
fn all_text(ds: &Dataset) -> String {
    fn walk(v: &Value, out: &mut String) {
        match v {
            Value::String(s) => {
                out.push_str(s);
                out.push('\n');
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            Value::Object(m) => m.iter().for_each(|(k, x)| {
                out.push_str(k);
                out.push('\n');
                walk(x, out);
            }),
            _ => {}
        }
    }
    let mut s = String::new();
    for (k, v) in &ds.lists {
        s.push_str(k);
        s.push('\n');
        v.iter().for_each(|x| walk(x, &mut s));
    }
    for (k, v) in &ds.details {
        s.push_str(k);
        s.push('\n');
        walk(v, &mut s);
    }
    s
}

fn longest_string(v: &Value) -> usize {
    match v {
        Value::String(s) => s.len(),
        Value::Array(a) => a.iter().map(longest_string).max().unwrap_or(0),
        Value::Object(m) => m.values().map(longest_string).max().unwrap_or(0),
        _ => 0,
    }
}

#[test]
fn hostile_spec_injects_hostile_strings_only() {
    let plain = Dataset::generate(&DemoSpec::new(300, 11));
    let spec = DemoSpec {
        hostile: true,
        ..DemoSpec::new(300, 11)
    };
    let hostile = Dataset::generate(&spec);
    let text = all_text(&hostile);
    for needle in [
        demo::HOSTILE_SCRIPT,
        demo::HOSTILE_QUOTES,
        demo::HOSTILE_TRAVERSAL,
        demo::HOSTILE_ENCODED_DOTS,
        demo::HOSTILE_CONTROL,
        demo::HOSTILE_RTL,
    ] {
        assert!(text.contains(needle), "missing {needle:?}");
    }
    assert!(!all_text(&plain).contains("<script>"));
    assert!(
        hostile
            .details
            .values()
            .any(|v| longest_string(v) >= demo::HUGE_LEN)
    );
    assert!(plain.details.values().all(|v| longest_string(v) < 100_000));
    assert!(
        list(&hostile, "projects")
            .iter()
            .any(|p| p["repo_name"].as_str().unwrap().contains('/'))
    );
    assert!(
        list(&hostile, "projects")
            .iter()
            .any(|p| p["repo_name"] == "..")
    );
    let hostile_branch = hostile
        .lists
        .keys()
        .filter(|k| k.ends_with("/branches"))
        .flat_map(|k| &hostile.lists[k])
        .any(|b| b["branch"].as_str().unwrap().contains(".."));
    assert!(hostile_branch);
    // Everything else is identical: same jobs, ids and statuses.
    for ep in [
        "copr-builds",
        "koji-builds",
        "srpm-builds",
        "testing-farm/results",
        "runs",
        "bodhi-updates",
        "log-detective",
    ] {
        let a: Vec<(String, Value)> = list(&plain, ep)
            .iter()
            .map(|v| (id_of(v), v["status"].clone()))
            .collect();
        let b: Vec<(String, Value)> = list(&hostile, ep)
            .iter()
            .map(|v| (id_of(v), v["status"].clone()))
            .collect();
        assert_eq!(a, b, "{ep}");
    }
    assert_eq!(plain.broken_runs, hostile.broken_runs);
    assert_eq!(plain.entity_count(), hostile.entity_count());
}

#[test]
fn stream_and_dataset_agree() {
    let spec = DemoSpec::new(150, 9);
    let mut items = 0;
    let mut details = 0;
    demo::generate(&spec, &mut |r| match r {
        Record::ListItem { .. } => items += 1,
        Record::Detail { .. } => details += 1,
    });
    let ds = Dataset::generate(&spec);
    assert_eq!(ds.entity_count(), items + details);
    assert_eq!(ds.details.len(), details);
    assert!(ds.details.contains_key("usage") && ds.details.contains_key("system"));
    let usage = &ds.details["usage"];
    let srpms = list(&ds, "srpm-builds").len() as u64;
    assert_eq!(
        usage["jobs"]["srpm_builds"]["job_runs"].as_u64().unwrap(),
        srpms
    );
    assert_eq!(
        usage["all_projects"]["project_count"].as_u64().unwrap(),
        list(&ds, "projects").len() as u64
    );
    let empty = Dataset::generate(&DemoSpec::new(0, 1));
    assert!(list(&empty, "runs").is_empty());
    assert_eq!(
        empty.details["usage"]["events"]["pull_request"]["events_handled"],
        0
    );
}

/// Benchmark: `cargo test --release --test it demo::generate_100k -- --ignored --nocapture`.
#[test]
#[ignore]
fn generate_100k_pipelines() {
    let spec = DemoSpec::new(100_000, 1);
    let start = std::time::Instant::now();
    let mut records = 0u64;
    let mut bytes = 0u64;
    demo::generate(&spec, &mut |r| {
        records += 1;
        if let Record::Detail { body, .. } = &r {
            bytes += body.as_object().map_or(0, |m| m.len() as u64);
        }
    });
    println!(
        "{records} records ({bytes} detail keys) in {:?}",
        start.elapsed()
    );
    assert!(records > 1_000_000);
}
