//! A small synthetic archive for site tests and the `synthetic_archive` example: every
//! job kind, a few projects on three forges, deleted and failed entities, hostile
//! strings. (The larger demo data set comes from the library: `demo_archive`.)

use packit_pages::api::Kind;
use packit_pages::archive::{Archive, Part};
use serde_json::{Value, json};
use std::path::Path;

/// A hostile string used in names, logs and URLs.
const HOSTILE: &str = "<script>alert(1)</script>\"'&";

fn info(p: usize, trig: usize, hostile: bool) -> Value {
    let (forge, ns, repo) = match p % 3 {
        0 => ("github.com", "packit".to_string(), format!("ogr{}", p)),
        1 => (
            "gitlab.com",
            "redhat/centos-stream".to_string(),
            format!("kernel{}", p),
        ),
        _ => (
            "src.fedoraproject.org",
            "rpms".to_string(),
            format!("python-x{}", p),
        ),
    };
    let mut v = json!({
        "repo_namespace": ns, "repo_name": repo,
        "project_url": format!("https://{forge}/{ns}/{repo}"),
        "pr_id": null, "branch_name": null, "release": null, "issue_id": null,
        "anitya_version": null, "non_git_upstream": false
    });
    match trig % 3 {
        0 => v["pr_id"] = json!(100 + trig as i64),
        1 => v["branch_name"] = json!(if hostile { "feat/../<b>x</b>" } else { "main" }),
        _ => v["release"] = json!(format!("1.{trig}.0")),
    }
    v
}

fn merge(mut a: Value, b: Value) -> Value {
    for (k, v) in b.as_object().unwrap() {
        a[k] = v.clone();
    }
    a
}

/// Fills `path` with `n` pipelines (ids 1000..), each with an SRPM, two Copr
/// chroots, one Testing Farm run; every few a Koji build (scratch and production),
/// Bodhi update, sync releases, OSH scan, tag request and Log Detective run.
pub fn synthetic_archive(path: &Path, n: usize, hostile: bool) {
    let mut a = Archive::open(path).unwrap();
    let rev = a
        .begin_revision("https://prod.packit.dev/api", 1_782_000_000)
        .unwrap();
    let w = a.write().unwrap();
    let base_t = 1_780_000_000i64;
    let put = |k: Kind, id: i64, part: Part, v: &Value| {
        w.put(k, &id.to_string(), part, &v.to_string(), 1_782_000_000, rev)
            .unwrap();
    };
    for i in 0..n {
        let p = i % 7;
        let inf = info(p, i % 5, hostile && i == 1);
        let t = base_t + (i as i64) * 1800;
        let pid = 1000 + i as i64;
        let srpm = 500 + i as i64;
        let copr0 = 2000 + 2 * i as i64;
        let tf = 7000 + i as i64;
        let st = ["success", "failure", "pending", "error"][i % 4];
        let tst = ["passed", "failed", "running", "error"][i % 4];
        let mut run = json!({
            "merged_run_id": pid, "srpm": {"packit_id": srpm, "status": "success"},
            "copr": [
                {"packit_id": copr0, "target": "fedora-rawhide-x86_64", "status": st},
                {"packit_id": copr0 + 1, "target": "fedora-42-x86_64", "status": "success"}
            ],
            "koji": [], "test_run": [{"packit_id": tf, "target": "fedora-rawhide-x86_64", "status": tst}],
            "bodhi_update": [], "propose_downstream": [], "pull_from_upstream": [], "vm_image_build": [],
            "time_submitted": t, "trigger": inf.clone()
        });
        // SRPM: list and detail (old detail with logs, new one blanked)
        put(
            Kind::Srpm,
            srpm,
            Part::List,
            &merge(
                inf.clone(),
                json!({"srpm_build_id": srpm, "status": "success", "build_submitted_time": t}),
            ),
        );
        let logs = if hostile && i == 0 {
            format!("building {HOSTILE}\nline 2")
        } else {
            format!("SRPM log of {srpm}\nall good")
        };
        // the old detail with its log, then (every third) the API's newer one, blanked
        let srpm_detail = |logs: Value, url: Value| {
            merge(
                inf.clone(),
                json!({"status": "success", "build_submitted_time": t, "build_start_time": t + 10, "build_finished_time": t + 70, "logs": logs, "url": url, "run_ids": [pid]}),
            )
        };
        put(
            Kind::Srpm,
            srpm,
            Part::Detail,
            &srpm_detail(json!(logs), json!("https://example.org/x.src.rpm")),
        );
        if i % 3 == 0 {
            put(
                Kind::Srpm,
                srpm,
                Part::Detail,
                &srpm_detail(Value::Null, Value::Null),
            );
        }
        // Copr build (list, merged) and targets
        let web = if hostile && i == 0 {
            "javascript:alert(1)".to_string()
        } else {
            format!(
                "https://copr.fedorainfracloud.org/coprs/build/{}/",
                9_000_000 + i
            )
        };
        put(
            Kind::CoprBuild,
            9_000_000 + i as i64,
            Part::List,
            &merge(
                inf.clone(),
                json!({
            "packit_id": copr0, "project": format!("packit-p{p}"), "build_id": (9_000_000 + i).to_string(),
            "status_per_chroot": {"fedora-rawhide-x86_64": st, "fedora-42-x86_64": "success"},
            "packit_id_per_chroot": {"fedora-rawhide-x86_64": copr0, "fedora-42-x86_64": copr0 + 1},
            "build_submitted_time": t, "web_url": web, "ref": "8c9610fede6a85b3cbe852ad14805e62426a2c90"}),
            ),
        );
        for (j, chroot) in ["fedora-rawhide-x86_64", "fedora-42-x86_64"]
            .iter()
            .enumerate()
        {
            let s = if j == 0 { st } else { "success" };
            put(
                Kind::Copr,
                copr0 + j as i64,
                Part::Detail,
                &merge(
                    inf.clone(),
                    json!({
                        "build_id": (9_000_000 + i).to_string(), "status": s, "chroot": chroot,
                        "build_submitted_time": t, "build_start_time": t + 100, "build_finished_time": t + 700,
                        "commit_sha": "8c9610fede6a85b3cbe852ad14805e62426a2c90", "web_url": web,
                        "build_logs_url": "https://download.copr.fedorainfracloud.org/results/packit/x/builder-live.log.gz",
                        "copr_project": format!("packit-p{p}"), "copr_owner": "packit", "srpm_build_id": srpm, "run_ids": [pid],
                        "built_packages": [
                            {"arch": "src", "epoch": 0, "name": "python-ogr", "release": "1.fc43", "version": "0.50.0"},
                            {"arch": "noarch", "epoch": 0, "name": "python3-ogr", "release": "1.fc43", "version": "0.50.0"}
                        ],
                        "log_detective_runs": if i % 4 == 1 && j == 0 { json!([40 + i as i64]) } else { json!([]) }
                    }),
                ),
            );
        }
        // Testing Farm
        put(
            Kind::TestingFarm,
            tf,
            Part::List,
            &merge(
                inf.clone(),
                json!({"packit_id": tf, "pipeline_id": format!("ea0e212c-{i:04}"), "status": tst, "target": "fedora-rawhide-x86_64", "submitted_time": t + 800, "web_url": "https://artifacts.dev.testing-farm.io/x", "ref": "8c9610fede6a85b3cbe852ad14805e62426a2c90"}),
            ),
        );
        put(
            Kind::TestingFarm,
            tf,
            Part::Detail,
            &merge(
                inf.clone(),
                json!({"pipeline_id": format!("ea0e212c-{i:04}"), "status": tst, "chroot": "fedora-rawhide-x86_64", "submitted_time": t + 800, "web_url": "https://artifacts.dev.testing-farm.io/x", "commit_sha": "8c9610fede6a85b3cbe852ad14805e62426a2c90", "copr_build_ids": [copr0], "koji_build_ids": [], "run_ids": [pid]}),
            ),
        );
        if i % 5 == 0 {
            let k = 300 + i as i64;
            let scratch = i % 10 == 0;
            run["koji"] = json!([{"packit_id": k, "target": "f42", "status": "failure"}]);
            put(
                Kind::Koji,
                k,
                Part::List,
                &merge(
                    inf.clone(),
                    json!({"packit_id": k, "scratch": scratch, "status": "failure", "chroot": "f42", "task_id": (110_000_000 + i).to_string(), "build_submitted_time": t, "web_url": "https://koji.fedoraproject.org/koji/taskinfo?taskID=1"}),
                ),
            );
            put(
                Kind::Koji,
                k,
                Part::Detail,
                &merge(
                    inf.clone(),
                    json!({"status": "failure", "chroot": "f42", "task_id": (110_000_000 + i).to_string(), "build_submitted_time": t, "build_start_time": t + 5, "build_finished_time": t + 50, "web_url": "https://koji.fedoraproject.org/koji/taskinfo?taskID=1", "build_logs_urls": {"x86_64": "https://kojipkgs.fedoraproject.org/work/build.log"}, "error_message": "Build failed: missing dependency", "build_submission_stdout": "Created task 1\nTask info: ...", "run_ids": [pid], "srpm_build_id": srpm}),
                ),
            );
            let b = 50 + i as i64;
            run["bodhi_update"] = json!([{"packit_id": b, "target": "f42", "status": "success"}]);
            put(
                Kind::Bodhi,
                b,
                Part::List,
                &merge(
                    inf.clone(),
                    json!({"packit_id": b, "status": "success", "branch": "f42", "web_url": "https://bodhi.fedoraproject.org/updates/FEDORA-2026-1", "alias": "FEDORA-2026-1", "koji_nvrs": "python-ogr-0.50.0-1.fc42", "submitted_time": t}),
                ),
            );
            let pd = 150 + i as i64;
            run["propose_downstream"] =
                json!([{"packit_id": 390 + i as i64, "target": "f42", "status": "submitted"}]);
            put(
                Kind::ProposeDownstreamRun,
                pd,
                Part::List,
                &merge(
                    inf.clone(),
                    json!({"packit_id": pd, "status": "finished", "submitted_time": t, "status_per_downstream_pr": {"f42": "submitted"}, "packit_id_per_downstream_pr": {"f42": 390 + i as i64}}),
                ),
            );
            put(
                Kind::ProposeDownstream,
                390 + i as i64,
                Part::Detail,
                &merge(
                    inf.clone(),
                    json!({"status": "submitted", "branch": "f42", "downstream_prs": [{"pr_id": 18, "branch": "f42", "is_fast_forward": false, "url": "https://src.fedoraproject.org/rpms/x/pull-request/18"}], "downstream_pr_project": "https://src.fedoraproject.org/rpms/x", "submitted_time": t, "start_time": t + 1, "finished_time": t + 60, "logs": "Cloning...\nDone."}),
                ),
            );
            put(
                Kind::PullFromUpstreamRun,
                pd,
                Part::List,
                &merge(
                    inf.clone(),
                    json!({"packit_id": pd, "status": "error", "submitted_time": t, "status_per_downstream_pr": {"rawhide": "error"}, "packit_id_per_downstream_pr": {"rawhide": 600 + i as i64}}),
                ),
            );
            put(
                Kind::PullFromUpstream,
                600 + i as i64,
                Part::Detail,
                &merge(
                    inf.clone(),
                    json!({"status": "error", "branch": "rawhide", "downstream_prs": [], "submitted_time": t, "logs": "Failed to sync"}),
                ),
            );
            put(
                Kind::OpenScanHub,
                20 + i as i64,
                Part::List,
                &merge(
                    inf.clone(),
                    json!({"packit_id": 20 + i as i64, "task_id": 12345, "status": "succeeded", "url": "https://openscanhub.fedoraproject.org/task/12345/", "issues_added_count": 3, "issues_added_url": "https://x/added.html", "issues_fixed_url": "https://x/fixed.html", "scan_results_url": "https://x/all.html", "copr_build_target_id": copr0, "submitted_time": t}),
                ),
            );
            put(
                Kind::KojiTagRequest,
                80 + i as i64,
                Part::List,
                &merge(
                    inf.clone(),
                    json!({"packit_id": 80 + i as i64, "task_id": "555", "tag_request_submitted_time": t, "chroot": "f42", "sidetag": "f42-build-side-1", "nvr": "python-ogr-0.50.0-1.fc42", "web_url": "https://koji.fedoraproject.org/koji/taskinfo?taskID=555"}),
                ),
            );
        }
        if i % 4 == 1 {
            put(
                Kind::LogDetective,
                40 + i as i64,
                Part::List,
                &merge(
                    inf.clone(),
                    json!({"packit_id": 40 + i as i64, "analysis_id": "4f2fa9aa-8fe6", "status": "complete", "chroot": "fedora-rawhide-x86_64", "commit_sha": "9deb98c7aa", "target_build": "9999", "run_ids": [pid], "submitted_time": t + 900, "log_detective_response": {"explanation": {"text": "The build failed because <b>foo</b> is missing."}, "no_issue_found": false, "snippets": [{"line_number": 50, "source_file": "build.log", "text": "error: foo not found", "snippet_analysis": "Missing dependency."}], "solution": {"text": "Add foo to BuildRequires."}}}),
                ),
            );
        }
        put(Kind::Pipeline, pid, Part::List, &run);
    }
    for p in 0..7 {
        let inf = info(p, 0, false);
        let key = inf["project_url"]
            .as_str()
            .unwrap()
            .trim_start_matches("https://")
            .to_string();
        put_s(
            &w,
            Kind::Project,
            &key,
            &json!({"namespace": inf["repo_namespace"], "repo_name": inf["repo_name"], "project_url": inf["project_url"], "prs_handled": 3, "branches_handled": 1, "releases_handled": 2, "issues_handled": 1}),
            rev,
        );
        put_s(&w, Kind::ProjectIssue, &format!("{key}!7"), &json!(7), rev);
    }
    if n > 3 {
        w.mark_gone(Kind::Copr, "2002", 1_782_000_100, rev).unwrap();
        w.record_error(Kind::Srpm, "501", "HTTP 500 from the API", 1_782_000_100)
            .unwrap();
    }
    w.finish_run(rev, 1_782_000_500, "{}").unwrap();
    w.commit().unwrap();
}

fn put_s(w: &packit_pages::archive::Writer<'_>, k: Kind, id: &str, v: &Value, rev: i64) {
    w.put(k, id, Part::List, &v.to_string(), 1_782_000_000, rev)
        .unwrap();
}
