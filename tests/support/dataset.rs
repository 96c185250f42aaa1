//! `mini_dataset`: a small hand-made data set for the stub API, the one the sync,
//! refresh, listen and embedding tests mirror.

use crate::stub::Dataset;
use serde_json::{Value, json};

/// A small hand-made data set with `n` pipelines over three projects: SRPM builds,
/// Copr builds with two chroot targets each, runs, projects with their sub-lists,
/// usage and system. The last two pipelines are still running.
pub fn mini_dataset(n: u64) -> Dataset {
    let mut ds = Dataset::default();
    let mut projects = std::collections::BTreeMap::new();
    for i in 0..n {
        let running = i + 2 >= n;
        let status = if running { "running" } else { "success" };
        let copr_status = if running { "pending" } else { "success" };
        let (ns, repo) = (format!("org{}", i % 3), format!("repo{}", i % 2));
        let url = format!("https://github.com/{ns}/{repo}");
        let key = format!("github.com/{ns}/{repo}");
        projects
            .entry(key.clone())
            .or_insert_with(Vec::new)
            .push(i as i64);
        let srpm = 1000 + i as i64;
        let (t1, t2) = (2000 + 2 * i as i64, 2001 + 2 * i as i64);
        let build = format!("{}", 7_000_000 + i);
        let time = 1_700_000_000 + 600 * i as i64;
        ds.lists.entry("srpm-builds".into()).or_default().push(json!({
            "srpm_build_id": srpm, "status": status, "build_submitted_time": time,
            "log_url": format!("https://dashboard.example/jobs/srpm/{srpm}"),
            "project_url": url, "repo_namespace": ns, "repo_name": repo, "pr_id": i, "branch_name": null
        }));
        ds.details.insert(format!("srpm-builds/{srpm}"), json!({
            "status": status, "build_submitted_time": time, "build_start_time": time + 5,
            "build_finished_time": if running { Value::Null } else { json!(time + 60) },
            "logs": format!("SRPM log of build {srpm}\nline 2 <b>&amp;</b> ünïcödé"), "url": null,
            "run_ids": [500 + i], "project_url": url, "repo_namespace": ns, "repo_name": repo, "pr_id": i
        }));
        ds.lists.entry("copr-builds".into()).or_default().push(json!({
            "packit_id": t1, "build_id": build, "project": format!("{ns}-{repo}-{i}"),
            "status_per_chroot": {"fedora-40-x86_64": copr_status, "fedora-41-x86_64": copr_status},
            "packit_id_per_chroot": {"fedora-40-x86_64": t1, "fedora-41-x86_64": t2},
            "build_submitted_time": time, "web_url": null, "ref": "abc",
            "pr_id": i, "branch_name": null, "repo_namespace": ns, "repo_name": repo, "project_url": url
        }));
        for (t, chroot) in [(t1, "fedora-40-x86_64"), (t2, "fedora-41-x86_64")] {
            ds.details.insert(
                format!("copr-builds/{t}"),
                json!({
                    "build_id": build, "status": copr_status, "chroot": chroot,
                    "build_submitted_time": time, "srpm_build_id": srpm, "run_ids": [500 + i],
                    "built_packages": [], "log_detective_runs": [],
                    "project_url": url, "repo_namespace": ns, "repo_name": repo, "pr_id": i
                }),
            );
        }
        let run = json!({
            "merged_run_id": 500 + i,
            "srpm": {"packit_id": srpm, "status": status},
            "copr": [{"packit_id": t1, "target": "fedora-40-x86_64", "status": copr_status},
                     {"packit_id": t2, "target": "fedora-41-x86_64", "status": copr_status}],
            "koji": [], "test_run": [], "bodhi_update": [], "propose_downstream": [],
            "pull_from_upstream": [], "vm_image_build": [], "time_submitted": time,
            "trigger": {"pr_id": i, "project_url": url, "repo_namespace": ns, "repo_name": repo}
        });
        ds.details
            .insert(format!("runs/merged/{}", 500 + i), run.clone());
        ds.lists.entry("runs".into()).or_default().push(run);
        if i % 4 == 0 {
            ds.broken_runs.insert(500 + i as i64);
        } else {
            ds.details.insert(
                format!("runs/{}", 500 + i),
                json!({"run_id": 500 + i, "srpm_build_id": srpm}),
            );
        }
    }
    for (key, prs) in &projects {
        let mut parts = key.splitn(3, '/');
        let (_, ns, repo) = (parts.next(), parts.next().unwrap(), parts.next().unwrap());
        let p = json!({
            "namespace": ns, "repo_name": repo, "project_url": format!("https://{key}"),
            "prs_handled": prs.len(), "branches_handled": 1, "releases_handled": 0, "issues_handled": 1
        });
        ds.lists
            .entry("projects".into())
            .or_default()
            .push(p.clone());
        ds.details.insert(format!("projects/{key}"), p);
        let items: Vec<Value> = prs
            .iter()
            .rev()
            .map(|pr| {
                // each PR has one pipeline, built on SRPM 1000 + pr
                let status = if (*pr as u64) + 2 >= n {
                    "running"
                } else {
                    "success"
                };
                let srpm = 1000 + pr;
                json!({"pr_id": pr, "builds": [], "koji_builds": [], "tests": [], "srpm_builds": [
                    {"srpm_build_id": srpm, "status": status,
                     "log_url": format!("https://dashboard.example/jobs/srpm/{srpm}")}]})
            })
            .collect();
        ds.lists.insert(format!("projects/{key}/prs"), items);
        ds.lists.insert(
            format!("projects/{key}/branches"),
            vec![json!({"branch": "main", "builds": [], "koji_builds": [], "srpm_builds": [], "tests": []})],
        );
        ds.lists
            .insert(format!("projects/{key}/issues"), vec![json!(prs[0] + 1)]);
    }
    for l in ["srpm-builds", "copr-builds", "runs"] {
        ds.lists.get_mut(l).unwrap().reverse();
    }
    ds.details.insert(
        "usage".into(),
        json!({"all_projects": {"project_count": projects.len()}}),
    );
    ds.details.insert(
        "system".into(),
        json!({"packit": {"commit": null, "version": "1.0"}}),
    );
    ds
}
