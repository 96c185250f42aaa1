//! Testing Farm runs: one test target per build target, grouped per pipeline.

use serde_json::{Value, json};

use super::shared::{Ctx, Ref, RunItem, SrpmOut};
use super::usage::J_TF;
use super::vocab::V_TF;
use super::{Gen, P_DETAIL, P_STATUS, P_UUID, TF, next, opt, with_info};
use crate::demo::rng::Rng;

impl Gen<'_> {
    pub(super) fn tf_uuid(&self, id: i64) -> String {
        Rng::new(self.spec.seed, id as u64, P_UUID).uuid()
    }

    pub(super) fn tf(
        &mut self,
        c: &Ctx,
        links: &[(&'static str, Option<i64>, Option<i64>)],
        srpm: &SrpmOut,
        run: &mut RunItem,
    ) -> i64 {
        let group = next(&mut self.c.tf_group);
        let mut rs = Rng::new(self.spec.seed, c.index, P_STATUS + 300);
        let mut rd = Rng::new(self.spec.seed, c.index, P_DETAIL + 300);
        let base = srpm.done_at + rd.range(600, 2400);
        let mut ids = Vec::new();
        let mut group_time = None;
        for (j, &(chroot, copr, koji)) in links.iter().enumerate() {
            let id = next(&mut self.c.tf_target);
            let fin = if srpm.ok {
                self.pick_final(&V_TF, &mut rs, c.index, c.lane, j)
            } else {
                "skipped"
            };
            let status = if !c.recent {
                fin
            } else if srpm.pending {
                "new"
            } else {
                ["queued", "running"][(j + c.lane as usize) % 2]
            };
            let submitted = base + rd.range(0, 900);
            group_time.get_or_insert(submitted);
            let uuid = (status != "new").then(|| self.tf_uuid(id));
            let web = uuid.as_ref().map(|u| format!("{TF}/{u}"));
            let mut item = json!({
                "packit_id": id,
                "pipeline_id": uuid,
                "ref": c.sha,
                "status": status,
                "target": chroot,
                "web_url": web,
                "pr_id": c.trig.pr_id(),
                "submitted_time": submitted,
                "repo_namespace": Value::Null,
                "repo_name": Value::Null,
                "project_url": Value::Null,
            });
            if let (Some(p), Value::Object(m)) = (c.git, &mut item) {
                let p = &self.projects[p];
                m.insert("repo_namespace".into(), json!(p.namespace));
                m.insert("repo_name".into(), json!(p.repo));
                m.insert("project_url".into(), json!(p.url()));
            }
            self.emit_list("testing-farm/results", item);
            let detail = json!({
                "pipeline_id": uuid,
                "status": status,
                "chroot": chroot,
                "commit_sha": c.sha,
                "web_url": web,
                "copr_build_ids": copr.map_or_else(Vec::new, |x| vec![x]),
                "koji_build_ids": koji.map_or_else(Vec::new, |x| vec![x]),
                "run_ids": [c.id],
                "submitted_time": submitted,
            });
            self.emit_detail(format!("testing-farm/{id}"), with_info(detail, &c.info));
            run.test_run
                .push(json!({"packit_id": id, "target": chroot, "status": status}));
            if let Some(set) = self.refs(c) {
                set.tests.push(Ref {
                    ext: id as u64,
                    chroot,
                    status,
                });
            }
            ids.push(id);
        }
        let gd =
            json!({"submitted_time": opt(group_time), "run_ids": [c.id], "test_target_ids": ids});
        self.emit_detail(
            format!("testing-farm/groups/{group}"),
            with_info(gd, &c.info),
        );
        self.stat_job(c, J_TF, 1);
        group
    }
}
