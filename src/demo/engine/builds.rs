//! SRPM builds, Copr builds (one target per chroot, grouped) and VM image builds.

use serde_json::{Map, Value, json};

use super::shared::{CoprOut, CoprT, Ctx, LdReq, Ref, RunItem, SrpmOut};
use super::usage::{J_COPR, J_SRPM, J_VM};
use super::vocab::{V_BUILD, V_SRPM, V_VM, VM_TARGETS, chroot_arch, chroot_dist};
use super::{
    COPR, COPR_DL, DASHBOARD, Gen, P_DETAIL, P_STATUS, SRPM_RETENTION, next, opt, with_info,
};
use crate::demo::rng::Rng;

impl Gen<'_> {
    pub(super) fn srpm(&mut self, c: &Ctx, run: &mut RunItem) -> SrpmOut {
        let id = next(&mut self.c.srpm);
        let mut rs = Rng::new(self.spec.seed, c.index, P_STATUS);
        let mut rd = Rng::new(self.spec.seed, c.index, P_DETAIL);
        let fin = if c.lane >= 2 {
            "success"
        } else {
            self.pick_final(&V_SRPM, &mut rs, c.index, 9, 0)
        };
        let (status, pending) = if c.recent && c.lane <= 1 {
            ("pending", true)
        } else if c.recent {
            ("success", false)
        } else {
            (fin, false)
        };
        let submitted = c.t;
        let start = submitted + rd.range(3, 40);
        let dur = rd.range(50, 420);
        let finished = if pending { None } else { Some(start + dur) };
        let in_copr = rd.chance(0.6);
        let copr_build = if in_copr {
            Some(next(&mut self.c.copr_build))
        } else {
            None
        };
        let nvr = format!("{}-{}-1.{}", c.package, c.version, "fc44");
        let expired = submitted < self.now - SRPM_RETENTION;
        let url = match (status, copr_build) {
            ("success", Some(b)) => Some(format!(
                "{COPR_DL}/{}/srpm-builds/{b:08}/{nvr}.src.rpm",
                c.copr_project
            )),
            ("success", None) => Some(format!(
                "https://prod.packit.dev/srpm-results/{id}/{nvr}.src.rpm"
            )),
            _ => None,
        };
        let logs = if copr_build.is_none() {
            Some(self.srpm_log(c, status, &nvr))
        } else {
            None
        };
        let logs_url = copr_build.map(|b| {
            format!(
                "{COPR_DL}/{}/srpm-builds/{b:08}/builder-live.log.gz",
                c.copr_project
            )
        });
        let detail = json!({
            "status": status,
            "build_submitted_time": submitted,
            "build_start_time": start,
            "build_finished_time": opt(finished),
            "url": if expired { Value::Null } else { json!(url) },
            "logs": if expired { Value::Null } else { json!(logs) },
            "logs_url": logs_url,
            "copr_build_id": copr_build.map(|b| b.to_string()),
            "copr_web_url": copr_build.map(|b| format!("{COPR}/coprs/build/{b}")),
            "run_ids": c.shared_runs,
        });
        self.emit_detail(format!("srpm-builds/{id}"), with_info(detail, &c.info));
        let mut item = json!({
            "srpm_build_id": id,
            "status": status,
            "log_url": format!("{DASHBOARD}/jobs/srpm/{id}"),
            "build_submitted_time": submitted,
        });
        if let (Some(p), Value::Object(m)) = (c.git, &mut item) {
            let p = &self.projects[p];
            m.insert("repo_namespace".into(), json!(p.namespace));
            m.insert("repo_name".into(), json!(p.repo));
            m.insert("project_url".into(), json!(p.url()));
            m.insert("pr_id".into(), c.trig.pr_id());
            m.insert("branch_name".into(), c.trig.branch_name());
        }
        self.emit_list("srpm-builds", item);
        self.stat_job(c, J_SRPM, 1);
        if let Some(set) = self.refs(c) {
            set.srpm.push((id, status));
        }
        run.srpm = Some(json!({"packit_id": id, "status": status}));
        run.found(submitted, &c.info);
        SrpmOut {
            id,
            ok: fin == "success",
            pending,
            done_at: finished.unwrap_or(start + 30),
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn copr(
        &mut self,
        c: &Ctx,
        srpm: &SrpmOut,
        chroots: &[&'static str],
        forced_ld: bool,
        lds: &mut Vec<LdReq>,
        run: &mut RunItem,
    ) -> CoprOut {
        let group = next(&mut self.c.copr_group);
        let build_id = next(&mut self.c.copr_build);
        let mut rs = Rng::new(self.spec.seed, c.index, P_STATUS + 100);
        let mut rd = Rng::new(self.spec.seed, c.index, P_DETAIL + 100);
        let submitted = srpm.done_at + rd.range(2, 20);
        struct Row {
            id: i64,
            chroot: &'static str,
            status: &'static str,
            start: Option<i64>,
            finished: Option<i64>,
            ld: Option<i64>,
        }
        let mut rows = Vec::new();
        for (j, &chroot) in chroots.iter().enumerate() {
            let id = next(&mut self.c.copr_target);
            let mut fin = self.pick_final(&V_BUILD, &mut rs, c.index, c.lane, j);
            if forced_ld && j + 1 == chroots.len() {
                fin = "failure";
            }
            let srpm_failed = !srpm.ok;
            if srpm_failed {
                fin = "failure";
            }
            let want_ld = rd.chance(0.4);
            let ld = if !srpm_failed
                && (fin == "failure" || fin == "error")
                && (want_ld || (forced_ld && j + 1 == chroots.len()))
            {
                Some(next(&mut self.c.ld))
            } else {
                None
            };
            let status = if !c.recent || ld.is_some() {
                fin
            } else if srpm.pending {
                "waiting_for_srpm"
            } else {
                "pending"
            };
            let s = submitted + rd.range(5, 200);
            let f = s + rd.range(120, 2400);
            let (start, finished) = match status {
                "waiting_for_srpm" => (None, None),
                _ if srpm_failed => (None, None),
                "pending" => (Some(s), None),
                _ => (Some(s), Some(f)),
            };
            if let Some(ld) = ld {
                lds.push(LdReq {
                    id: ld,
                    chroot: chroot.to_string(),
                    target_build: build_id.to_string(),
                    t: f + 60,
                    copr: Some(id),
                });
            }
            rows.push(Row {
                id,
                chroot,
                status,
                start,
                finished,
                ld,
            });
        }
        let web_url = format!("{COPR}/coprs/build/{build_id}/");
        let mut status_per = Map::new();
        let mut id_per = Map::new();
        let mut first_listed: Option<i64> = None;
        for row in &rows {
            let logs = row.start.map(|_| {
                format!(
                    "{COPR_DL}/{}/{}/{build_id:08}-{}/builder-live.log.gz",
                    c.copr_project, row.chroot, c.package
                )
            });
            let built = if row.status == "success" {
                let dist = chroot_dist(row.chroot);
                let rel = format!(
                    "1.{}{:02}.g{}.{dist}",
                    20_251_101 + c.index / 144,
                    c.index % 60,
                    &c.sha[..7]
                );
                let arch = chroot_arch(row.chroot);
                json!([
                    {"arch": "src", "epoch": 0, "name": c.package, "release": rel, "version": c.version},
                    {"arch": arch, "epoch": 0, "name": c.package, "release": rel, "version": c.version},
                    {"arch": "noarch", "epoch": 0, "name": format!("{}-doc", c.package), "release": rel, "version": c.version},
                ])
            } else {
                Value::Null
            };
            let detail = json!({
                "build_id": build_id.to_string(),
                "status": row.status,
                "chroot": row.chroot,
                "build_submitted_time": submitted,
                "build_start_time": opt(row.start),
                "build_finished_time": opt(row.finished),
                "commit_sha": c.sha,
                "web_url": web_url,
                "build_logs_url": logs,
                "copr_project": c.copr_project,
                "copr_owner": "packit",
                "srpm_build_id": srpm.id,
                "run_ids": c.shared_runs,
                "built_packages": built,
                "log_detective_runs": row.ld.map_or_else(Vec::new, |l| vec![l]),
            });
            self.emit_detail(
                format!("copr-builds/{}", row.id),
                with_info(detail, &c.info),
            );
            let excluded = row.status == "waiting_for_srpm"
                || (row.status == "failure" && row.start.is_none() && logs.is_none());
            if !excluded {
                status_per.insert(row.chroot.to_string(), json!(row.status));
                id_per.insert(row.chroot.to_string(), json!(row.id));
                first_listed.get_or_insert(row.id);
            }
            if row.status != "waiting_for_srpm" {
                run.copr
                    .push(json!({"packit_id": row.id, "target": row.chroot, "status": row.status}));
            }
            let r = Ref {
                ext: build_id,
                chroot: row.chroot,
                status: row.status,
            };
            if let Some(set) = self.refs(c) {
                set.copr.push(r);
            }
        }
        if let Some(first) = first_listed {
            let (ns, name, url) = match c.git {
                Some(p) => {
                    let p = &self.projects[p];
                    (p.namespace.clone(), p.repo.clone(), p.url())
                }
                None => (String::new(), String::new(), String::new()),
            };
            let item = json!({
                "packit_id": first,
                "project": c.copr_project,
                "build_id": build_id.to_string(),
                "status_per_chroot": status_per,
                "packit_id_per_chroot": id_per,
                "build_submitted_time": submitted,
                "web_url": web_url,
                "ref": c.sha,
                "pr_id": c.trig.pr_id(),
                "branch_name": c.trig.branch_name(),
                "repo_namespace": ns,
                "repo_name": name,
                "project_url": url,
            });
            self.emit_list("copr-builds", item);
        }
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let gd =
            json!({"submitted_time": submitted, "run_ids": c.shared_runs, "build_target_ids": ids});
        self.emit_detail(
            format!("copr-builds/groups/{group}"),
            with_info(gd, &c.info),
        );
        self.stat_job(c, J_COPR, 1);
        CoprOut {
            group,
            targets: rows
                .iter()
                .map(|r| CoprT {
                    id: r.id,
                    chroot: r.chroot,
                    finished: r.finished,
                })
                .collect(),
        }
    }

    pub(super) fn vm(&mut self, c: &Ctx, n: usize, run: &mut RunItem) {
        let mut rs = Rng::new(self.spec.seed, c.index, P_STATUS + 500);
        for (j, target) in VM_TARGETS.iter().take(n).enumerate() {
            let id = next(&mut self.c.vm);
            let fin = self.pick_final(&V_VM, &mut rs, c.index, c.lane, j);
            let status = if c.recent {
                ["pending", "building", "uploading", "registering"][j % 4]
            } else {
                fin
            };
            run.vm_image_build
                .push(json!({"packit_id": id, "target": target, "status": status}));
            run.found(c.t, &c.info);
        }
        self.stat_job(c, J_VM, n as u64);
    }
}
