//! Padding of the stub API: the rest of Packit, generated on request. A [`Padding`]
//! makes every Packit-wide list (and `/projects`) longer by the items of other
//! projects' pipelines, each made from its index when a page asks for it, so a stub
//! can hold 100,000 pipelines without generating or storing them. The items have the
//! real lists' key sets (REFERENCE §3) and ids below the data set's own, so each list
//! stays in its `id DESC` order; they belong to `github.com/padding-<n>/repo` projects,
//! which have no detail or sub-list endpoints (a sync scoped to the data set's
//! projects never needs them; one that asks gets the real 404).

use crate::stub::py_json;
use packit_pages::demo::Dataset;
use packit_pages::jobs::LISTS;
use serde_json::{Value, json};
use std::collections::HashMap;

/// Other projects' pipelines to add to a data set.
#[derive(Clone, Copy, Debug)]
pub struct Padding {
    /// Pipelines of other projects (the `/runs` items added).
    pub pipelines: u64,
}

/// Padding items per padding pipeline, per list (roughly production's proportions).
const RATIOS: [(&str, f64); 12] = [
    ("runs", 1.0),
    ("srpm-builds", 1.0),
    ("copr-builds", 1.0),
    ("testing-farm/results", 1.0),
    ("koji-builds", 0.15),
    ("propose-downstream", 0.02),
    ("pull-from-upstream", 0.009),
    ("bodhi-updates", 0.05),
    ("koji-tag-requests", 0.005),
    ("openscanhub-scans", 0.03),
    ("log-detective", 0.009),
    ("projects", 0.3),
];

/// What the stub keeps of a padding: per list, how many items and the first id.
#[derive(Clone, Debug, Default)]
pub(crate) struct Padded {
    lists: HashMap<String, (usize, i64)>,
}

/// The id field that orders a list (`/copr-builds` by its smallest target's packit id).
fn order_field(path: &str) -> &'static str {
    match path {
        "copr-builds" => "packit_id",
        p => LISTS
            .iter()
            .find(|l| l.path == p)
            .map_or("packit_id", |l| l.id_field),
    }
}

impl Padded {
    /// The padding of `ds`'s lists.
    pub(crate) fn new(ds: &Dataset, p: Padding) -> Padded {
        let mut lists = HashMap::new();
        for (path, ratio) in RATIOS {
            let field = order_field(path);
            let least = ds
                .lists
                .get(path)
                .into_iter()
                .flatten()
                .filter_map(|i| i.get(field).and_then(Value::as_i64))
                .min()
                .unwrap_or(100_000_000);
            let want = (p.pipelines as f64 * ratio) as i64;
            let n = want.min(least - 1).max(0) as usize;
            lists.insert(path.to_string(), (n, least - 1));
        }
        Padded { lists }
    }

    /// Number of padding items of list `path` (after the data set's own).
    pub(crate) fn count(&self, path: &str) -> usize {
        self.lists.get(path).map_or(0, |l| l.0)
    }

    /// Padding item `k` of list `path`, in the server's JSON form.
    pub(crate) fn item(&self, path: &str, k: usize) -> String {
        let first = self.lists.get(path).map_or(1, |l| l.1);
        let id = first - k as i64;
        let ns = format!("padding-{}", k % 5000);
        let url = format!("https://github.com/{ns}/repo");
        let t = 1_700_000_000 - 60 * k as i64;
        let v = match path {
            "runs" => json!({
                "merged_run_id": id, "srpm": {"packit_id": id, "status": "success"},
                "copr": [], "koji": [], "test_run": [], "bodhi_update": [],
                "propose_downstream": [], "pull_from_upstream": [], "vm_image_build": [],
                "time_submitted": t,
                "trigger": {"pr_id": 1, "issue_id": null, "branch_name": null, "release": null,
                    "anitya_version": null, "project_url": url, "repo_namespace": ns,
                    "repo_name": "repo", "anitya_project_id": null, "anitya_project_name": null,
                    "anitya_package": null, "non_git_upstream": false}
            }),
            "srpm-builds" => json!({
                "srpm_build_id": id, "status": "success", "build_submitted_time": t,
                "log_url": format!("https://dashboard.example/jobs/srpm/{id}"),
                "project_url": url, "repo_namespace": ns, "repo_name": "repo",
                "pr_id": 1, "branch_name": null
            }),
            "copr-builds" => json!({
                "packit_id": id, "project": format!("{ns}-repo"),
                "build_id": format!("{}", 1_000_000 + k), "status_per_chroot": {},
                "packit_id_per_chroot": {}, "build_submitted_time": t, "web_url": null,
                "ref": "0", "pr_id": 1, "branch_name": null, "repo_namespace": ns,
                "repo_name": "repo", "project_url": url
            }),
            "projects" => json!({
                "namespace": ns, "repo_name": format!("repo{k}"),
                "project_url": format!("{url}{k}"), "prs_handled": 1, "branches_handled": 0,
                "releases_handled": 0, "issues_handled": 0
            }),
            "propose-downstream" | "pull-from-upstream" => json!({
                "packit_id": id, "status": "finished", "submitted_time": t,
                "status_per_downstream_pr": {}, "packit_id_per_downstream_pr": {},
                "pr_id": null, "issue_id": null, "release": "1.0", "anitya_version": null,
                "project_url": url, "repo_namespace": ns, "repo_name": "repo"
            }),
            _ => json!({
                "packit_id": id, "status": "success", "submitted_time": t, "pr_id": 1,
                "project_url": url, "repo_namespace": ns, "repo_name": "repo"
            }),
        };
        py_json(&v)
    }
}
