//! Counters per project and in total, and the records emitted at the end of the
//! stream: branch sub-lists, the project lists and details, `usage` and `system`.

use serde_json::{Map, Value, json};

use super::Gen;
use super::shared::Ctx;

const EVENT_TYPES: [&str; 7] = [
    "pull_request",
    "branch_push",
    "release",
    "issue",
    "koji_build_tag",
    "anitya_version",
    "anitya_multiple_versions",
];
const JOB_TABLES: [&str; 7] = [
    "srpm_builds",
    "copr_build_groups",
    "koji_build_groups",
    "vm_image_build_targets",
    "tft_test_run_groups",
    "sync_release_runs",
    "log_detective_run_groups",
];
pub(super) const J_SRPM: usize = 0;
pub(super) const J_COPR: usize = 1;
pub(super) const J_KOJI: usize = 2;
pub(super) const J_VM: usize = 3;
pub(super) const J_TF: usize = 4;
pub(super) const J_SYNC: usize = 5;
pub(super) const J_LD: usize = 6;

impl Gen<'_> {
    pub(super) fn stat_job(&mut self, c: &Ctx, job: usize, n: u64) {
        self.totals_jobs[job] += n;
        if let Some(p) = c.git {
            self.stats[p].jobs[job] += n;
        }
    }

    pub(super) fn finish(&mut self) {
        if let Some(prev) = self.prev.take() {
            self.emit_run_item(prev.run);
        }
        self.flush_prs();
        let branches = std::mem::take(&mut self.branch_refs);
        for ((p, branch), set) in branches {
            let ep = self.sub_endpoint(p, "branches");
            let mut item = self.refset_json(&set, false);
            if let Value::Object(m) = &mut item {
                m.insert("branch".into(), json!(branch));
            }
            self.emit_list(&ep, item);
        }
        for p in 0..self.projects.len() {
            let pr = &self.projects[p];
            let s = &self.stats[p];
            let item = json!({
                "namespace": pr.namespace,
                "repo_name": pr.repo,
                "project_url": pr.url(),
                "prs_handled": s.prs,
                "branches_handled": s.branches,
                "releases_handled": s.releases,
                "issues_handled": s.issues,
            });
            let forge = pr.forge;
            let ns = pr.namespace.clone();
            let repo = pr.repo.clone();
            self.emit_detail(format!("projects/{forge}/{ns}/{repo}"), item.clone());
            self.emit_list("projects", item.clone());
            self.emit_list(&format!("projects/{forge}"), item.clone());
            self.emit_list(&format!("projects/{forge}/{ns}"), item);
        }
        let usage = self.usage();
        self.emit_detail("usage".into(), usage);
        self.emit_detail(
            "system".into(),
            json!({
                "ogr": {"commit": "116edc5", "version": "0.76.0.post18+g116edc5"},
                "packit": {"commit": null, "version": "1.17.0"},
                "packit_service": {"commit": "b828c3d", "version": "0.1.dev4712+gb828c3d"},
                "specfile": {"commit": null, "version": "0.41.1"},
            }),
        );
    }

    fn usage(&self) -> Value {
        let mut all_inst = Map::new();
        let mut act_inst = Map::new();
        let mut active = 0u64;
        let mut top_events = Map::new();
        for (p, pr) in self.projects.iter().enumerate() {
            let s = &self.stats[p];
            bump(&mut all_inst, pr.forge);
            let ev: u64 = s.events.iter().sum();
            if ev > 0 {
                active += 1;
                bump(&mut act_inst, pr.forge);
                top_events.insert(pr.url(), json!(ev));
            }
        }
        let mut events = Map::new();
        for (k, name) in EVENT_TYPES.iter().enumerate() {
            let mut top = Map::new();
            for (p, pr) in self.projects.iter().enumerate() {
                if self.stats[p].events[k] > 0 {
                    top.insert(pr.url(), json!(self.stats[p].events[k]));
                }
            }
            events.insert(
                name.to_string(),
                json!({"events_handled": self.totals_events[k], "top_projects": top}),
            );
        }
        let mut jobs = Map::new();
        for (k, name) in JOB_TABLES.iter().enumerate() {
            let mut top = Map::new();
            for (p, pr) in self.projects.iter().enumerate() {
                if self.stats[p].jobs[k] > 0 {
                    top.insert(pr.url(), json!(self.stats[p].jobs[k]));
                }
            }
            jobs.insert(
                name.to_string(),
                json!({"job_runs": self.totals_jobs[k], "top_projects_by_job_runs": top}),
            );
        }
        json!({
            "all_projects": {"project_count": self.projects.len(), "instances": all_inst},
            "active_projects": {"project_count": active, "top_projects_by_events_handled": top_events, "instances": act_inst},
            "events": events,
            "jobs": jobs,
        })
    }
}

fn bump(m: &mut Map<String, Value>, key: &str) {
    let n = m.get(key).and_then(Value::as_u64).unwrap_or(0);
    m.insert(key.to_string(), json!(n + 1));
}
