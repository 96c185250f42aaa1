//! Koji: scratch builds of upstream pipelines, downstream builds of dist-git
//! branches, and Koji tag requests.

use serde_json::{Value, json};

use super::shared::{Ctx, LdReq, Ref, RunItem, SrpmOut};
use super::usage::J_KOJI;
use super::vocab::{V_KOJI, dist_tag};
use super::{Gen, KOJI, KOJIPKGS, P_DETAIL, P_STATUS, next, opt, with_info};
use crate::demo::rng::Rng;

impl Gen<'_> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn koji(
        &mut self,
        c: &Ctx,
        targets: &[&'static str],
        scratch: bool,
        srpm: Option<&SrpmOut>,
        lds: &mut Vec<LdReq>,
        run: &mut RunItem,
    ) -> (i64, Vec<i64>) {
        let group = next(&mut self.c.koji_group);
        let mut rs = Rng::new(self.spec.seed, c.index, P_STATUS + 200);
        let mut rd = Rng::new(self.spec.seed, c.index, P_DETAIL + 200);
        let submitted = srpm.map_or(c.t, |s| s.done_at) + rd.range(2, 30);
        let mut ids = Vec::new();
        for (j, &target) in targets.iter().enumerate() {
            let id = next(&mut self.c.koji_target);
            let task = next(&mut self.c.koji_task);
            let srpm_ok = srpm.is_none_or(|s| s.ok);
            let fin = if srpm_ok {
                self.pick_final(&V_KOJI, &mut rs, c.index, c.lane + 1, j)
            } else {
                "skipped"
            };
            let want_ld = rd.chance(0.3);
            let ld = if scratch && (fin == "failure" || fin == "error") && want_ld {
                Some(next(&mut self.c.ld))
            } else {
                None
            };
            let status = if !c.recent {
                fin
            } else if srpm.is_some_and(|s| s.pending) {
                "queued"
            } else if scratch {
                ["queued", "pending", "running"][j % 3]
            } else {
                ["pending", "running"][j % 2]
            };
            let s = submitted + rd.range(10, 300);
            let f = s + rd.range(300, 3000);
            let (start, finished) = match status {
                "queued" => (None, None),
                "pending" | "running" => (Some(s), None),
                "skipped" => (None, Some(submitted)),
                _ => (Some(s), Some(f)),
            };
            let web = format!("{KOJI}{task}");
            let log = format!("{KOJIPKGS}/{}/{task}/build.log", task % 10_000);
            let logs_urls = if start.is_none() {
                Value::Null
            } else if c.index % 53 == 2 {
                json!(log)
            } else {
                json!({"x86_64": log, "noarch": log})
            };
            let nvr = format!("{}-{}-1.{}", c.package, c.version, dist_tag(target));
            let stdout = if rd.chance(0.1) {
                Value::Null
            } else if scratch {
                json!(format!(
                    "Uploading srpm: {nvr}.src.rpm\nCreated task: {task}\nTask info: {web}\n"
                ))
            } else {
                json!(format!(
                    "Building {nvr} for {target}\nCreated task: {task}\nTask info: {web}\n"
                ))
            };
            let error = if fin == "failure" || fin == "error" {
                json!(format!(
                    "Koji task {task} failed: BuildError: error building package (arch x86_64), mock exited with status 1{}",
                    self.hostile_suffix(c.index)
                ))
            } else {
                Value::Null
            };
            if let Some(ld) = ld {
                lds.push(LdReq {
                    id: ld,
                    chroot: format!("{target}-x86_64"),
                    target_build: task.to_string(),
                    t: f + 60,
                    copr: None,
                });
            }
            let detail = json!({
                "task_id": task.to_string(),
                "status": status,
                "chroot": target,
                "scratch": scratch,
                "build_start_time": opt(start),
                "build_finished_time": opt(finished),
                "build_submitted_time": submitted,
                "commit_sha": c.sha,
                "web_url": web,
                "build_logs_urls": logs_urls,
                "srpm_build_id": srpm.map(|s| s.id),
                "run_ids": [c.id],
                "build_submission_stdout": stdout,
                "error_message": error,
                "log_detective_runs": ld.map_or_else(Vec::new, |l| vec![l]),
            });
            self.emit_detail(format!("koji-builds/{id}"), with_info(detail, &c.info));
            let mut item = json!({
                "packit_id": id,
                "task_id": task.to_string(),
                "scratch": scratch,
                "status": status,
                "build_submitted_time": submitted,
                "chroot": target,
                "web_url": web,
                "build_logs_urls": logs_urls,
                "pr_id": c.trig.pr_id(),
                "branch_name": c.trig.branch_name(),
                "release": c.trig.release(),
            });
            self.add_project_keys(c, &mut item);
            self.emit_list("koji-builds", item);
            run.koji
                .push(json!({"packit_id": id, "target": target, "status": status}));
            run.found(submitted, &c.info);
            if let Some(set) = self.refs(c) {
                set.koji.push(Ref {
                    ext: task,
                    chroot: target,
                    status,
                });
            }
            ids.push(id);
        }
        let gd = json!({"submitted_time": submitted, "run_ids": [c.id], "build_target_ids": ids});
        self.emit_detail(
            format!("koji-builds/groups/{group}"),
            with_info(gd, &c.info),
        );
        self.stat_job(c, J_KOJI, 1);
        (group, ids)
    }

    pub(super) fn tag_request(&mut self, c: &Ctx, branch: &'static str) {
        let group = next(&mut self.c.tag_group);
        let id = next(&mut self.c.tag_target);
        let task = next(&mut self.c.koji_task);
        let submitted = c.t + 20;
        let sidetag = format!("{branch}-build-side-{}", 100_000 + id);
        let nvr = format!("{}-{}-1.{}", c.package, c.version, dist_tag(branch));
        let web = format!("{KOJI}{task}");
        let mut item = json!({
            "packit_id": id,
            "task_id": task.to_string(),
            "tag_request_submitted_time": submitted,
            "chroot": branch,
            "sidetag": sidetag,
            "nvr": nvr,
            "web_url": web,
            "pr_id": c.trig.pr_id(),
            "branch_name": c.trig.branch_name(),
            "release": c.trig.release(),
        });
        self.add_project_keys(c, &mut item);
        self.emit_list("koji-tag-requests", item);
        let detail = json!({
            "task_id": task.to_string(),
            "chroot": branch,
            "sidetag": sidetag,
            "nvr": nvr,
            "tag_request_submitted_time": submitted,
            "commit_sha": c.sha,
            "web_url": web,
            "run_ids": [c.id],
        });
        self.emit_detail(
            format!("koji-tag-requests/{id}"),
            with_info(detail, &c.info),
        );
        let gd =
            json!({"submitted_time": submitted, "run_ids": [c.id], "tag_request_target_ids": [id]});
        self.emit_detail(
            format!("koji-tag-requests/groups/{group}"),
            with_info(gd, &c.info),
        );
    }
}
