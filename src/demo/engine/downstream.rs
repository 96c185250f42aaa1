//! Downstream jobs: sync-release runs (propose downstream, pull from upstream)
//! and Bodhi updates.

use serde_json::{Map, Value, json};

use super::shared::{Ctx, RunItem};
use super::usage::J_SYNC;
use super::vocab::{V_BODHI, V_SYNC, dist_tag};
use super::{Gen, P_DETAIL, P_STATUS, next, opt, with_info};
use crate::demo::rng::Rng;

impl Gen<'_> {
    pub(super) fn sync(
        &mut self,
        c: &Ctx,
        propose: bool,
        branches: &[&'static str],
        run: &mut RunItem,
    ) {
        let run_id = next(&mut self.c.sync_run);
        let mut rs = Rng::new(self.spec.seed, c.index, P_STATUS + 700);
        let mut rd = Rng::new(self.spec.seed, c.index, P_DETAIL + 700);
        let ep = if propose {
            "propose-downstream"
        } else {
            "pull-from-upstream"
        };
        let submitted = c.t;
        let mut status_per = Map::new();
        let mut id_per = Map::new();
        let mut any_error = false;
        let mut first_pr: Option<(i64, String)> = None;
        let dist_git = format!("https://src.fedoraproject.org/rpms/{}", c.package);
        for (j, &branch) in branches.iter().enumerate() {
            let id = next(&mut self.c.sync_target);
            let fin = self.pick_final(&V_SYNC, &mut rs, c.index, c.lane, j);
            let status = if c.recent {
                ["queued", "running"][j % 2]
            } else {
                fin
            };
            any_error |= status == "error";
            let start = submitted + rd.range(5, 60);
            let finished = start + rd.range(60, 900);
            let (start, finished) = match status {
                "queued" => (None, None),
                "running" => (Some(start), None),
                _ => (Some(start), Some(finished)),
            };
            let ff = rd.chance(0.3);
            let prs = if status == "submitted" {
                let (pr, url, fast) = match (&first_pr, ff) {
                    (Some((n, u)), true) => (*n, u.clone(), true),
                    _ => {
                        let n = next(&mut self.c.downstream_pr);
                        let u = format!("{dist_git}/pull-request/{n}");
                        first_pr = Some((n, u.clone()));
                        (n, u, false)
                    }
                };
                json!([{"pr_id": pr, "branch": branch, "is_fast_forward": fast, "url": url}])
            } else {
                json!([])
            };
            let has_prs = status == "submitted";
            let logs = self.sync_logs(c, branch, status, j);
            let detail = json!({
                "status": status,
                "branch": branch,
                "downstream_prs": prs,
                "downstream_pr_project": if has_prs { json!(dist_git) } else { Value::Null },
                "submitted_time": submitted,
                "start_time": opt(start),
                "finished_time": opt(finished),
                "logs": logs,
            });
            self.emit_detail(format!("{ep}/{id}"), with_info(detail, &c.info));
            status_per.insert(branch.to_string(), json!(status));
            id_per.insert(branch.to_string(), json!(id));
            let item = json!({"packit_id": id, "target": branch, "status": status});
            if propose {
                run.propose_downstream.push(item);
            } else {
                run.pull_from_upstream.push(item);
            }
        }
        let run_status = if c.recent {
            "running"
        } else if any_error {
            "error"
        } else {
            "finished"
        };
        let mut item = json!({
            "packit_id": run_id,
            "status": run_status,
            "submitted_time": submitted,
            "status_per_downstream_pr": status_per,
            "packit_id_per_downstream_pr": id_per,
            "pr_id": c.trig.pr_id(),
            "issue_id": c.trig.issue_id(),
            "release": c.trig.release(),
            "anitya_version": c.trig.anitya_version(),
        });
        if let Value::Object(m) = &mut item {
            self.project_info(c.git, c.anitya, m);
        }
        self.emit_list(ep, item);
        run.found(submitted, &c.info);
        self.stat_job(c, J_SYNC, 1);
    }

    pub(super) fn bodhi(&mut self, c: &Ctx, branches: &[&'static str], run: &mut RunItem) -> i64 {
        let group = next(&mut self.c.bodhi_group);
        let mut rs = Rng::new(self.spec.seed, c.index, P_STATUS + 800);
        let mut rd = Rng::new(self.spec.seed, c.index, P_DETAIL + 800);
        let submitted = c.t + rd.range(1800, 3000);
        let submitted = submitted.min(self.now - 60).max(c.t);
        let mut ids = Vec::new();
        for (j, &branch) in branches.iter().enumerate() {
            let id = next(&mut self.c.bodhi_target);
            let fin = self.pick_final(&V_BODHI, &mut rs, c.index, c.lane, j);
            let status = if c.recent { "queued" } else { fin };
            let nvr = format!("{}-{}-1.{}", c.package, c.version, dist_tag(branch));
            let prefix = if branch.starts_with("epel") {
                "FEDORA-EPEL"
            } else {
                "FEDORA"
            };
            let alias = format!("{prefix}-2026-{}", rd.hex(10));
            let ok = status == "success";
            let created = submitted + rd.range(60, 600);
            let web = format!("https://bodhi.fedoraproject.org/updates/{alias}");
            let error = if status == "error" {
                json!(format!(
                    "Bodhi update creation failed: {nvr} is not tagged as a candidate{}",
                    self.hostile_suffix(c.index)
                ))
            } else {
                Value::Null
            };
            let mut item = json!({
                "packit_id": id,
                "status": status,
                "branch": branch,
                "web_url": if ok { json!(web) } else { Value::Null },
                "koji_nvrs": nvr,
                "alias": if ok { json!(alias) } else { Value::Null },
                "pr_id": c.trig.pr_id(),
                "branch_name": c.trig.branch_name(),
                "release": c.trig.release(),
                "submitted_time": submitted,
                "update_creation_time": if ok { json!(created) } else { Value::Null },
            });
            self.add_project_keys(c, &mut item);
            self.emit_list("bodhi-updates", item);
            let detail = json!({
                "status": status,
                "branch": branch,
                "web_url": if ok { json!(web) } else { Value::Null },
                "koji_nvrs": nvr,
                "alias": if ok { json!(alias) } else { Value::Null },
                "submitted_time": submitted,
                "update_creation_time": if ok { json!(created) } else { Value::Null },
                "run_ids": [c.id],
                "error_message": error,
            });
            self.emit_detail(format!("bodhi-updates/{id}"), with_info(detail, &c.info));
            run.bodhi_update
                .push(json!({"packit_id": id, "target": branch, "status": status}));
            run.found(submitted, &c.info);
            ids.push(id);
        }
        let gd = json!({"submitted_time": submitted, "run_ids": [c.id], "update_target_ids": ids});
        self.emit_detail(
            format!("bodhi-updates/groups/{group}"),
            with_info(gd, &c.info),
        );
        group
    }
}
