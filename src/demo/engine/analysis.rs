//! Analyses of builds: OpenScanHub scans of Copr builds and Log Detective runs on
//! failed build targets.

use serde_json::{Value, json};

use super::shared::{CoprT, Ctx, LdReq, SrpmOut};
use super::usage::J_LD;
use super::vocab::{V_LD, V_OSH, chroot_dist};
use super::{Gen, OSH, P_DETAIL, P_STATUS, P_UUID, next, with_info};
use crate::demo::logs;
use crate::demo::rng::Rng;

impl Gen<'_> {
    pub(super) fn osh(&mut self, c: &Ctx, targets: &[CoprT], srpm: &SrpmOut) {
        let mut rs = Rng::new(self.spec.seed, c.index, P_STATUS + 400);
        let mut rd = Rng::new(self.spec.seed, c.index, P_DETAIL + 400);
        for (j, t) in targets.iter().enumerate() {
            let id = next(&mut self.c.osh);
            let task = next(&mut self.c.osh_task);
            let fin = self.pick_final(&V_OSH, &mut rs, c.index, c.lane, j);
            let status = if !c.recent {
                fin
            } else if srpm.pending {
                "pending"
            } else {
                ["pending", "running"][j % 2]
            };
            let ok = status == "succeeded";
            let added = rd.range(0, 12);
            let base = format!("{OSH}/{task}");
            let nvr = format!("{}-{}-1.{}", c.package, c.version, chroot_dist(t.chroot));
            let mut body = json!({
                "packit_id": id,
                "task_id": task,
                "status": status,
                "url": format!("{base}/"),
                "issues_added_count": if ok { json!(added) } else { Value::Null },
                "issues_added_url": if ok { json!(format!("{base}/log/added.html")) } else { Value::Null },
                "issues_fixed_url": if ok { json!(format!("{base}/log/fixed.html")) } else { Value::Null },
                "scan_results_url": if ok { json!(format!("{base}/log/{nvr}/scan-results.js")) } else { Value::Null },
                "copr_build_target_id": t.id,
                "submitted_time": t.finished.unwrap_or(c.t + 600) + 30,
            });
            body = with_info(body, &c.info);
            self.emit_list("openscanhub-scans", body.clone());
            if let Value::Object(m) = &mut body {
                m.remove("packit_id");
            }
            self.emit_detail(format!("openscanhub-scans/{id}"), body);
        }
    }

    pub(super) fn log_detective(&mut self, c: &Ctx, lds: &[LdReq]) {
        let group = next(&mut self.c.ld_group);
        let mut rs = Rng::new(self.spec.seed, c.index, P_STATUS + 600);
        let mut rd = Rng::new(self.spec.seed, c.index, P_DETAIL + 600);
        let mut ids = Vec::new();
        for (j, ld) in lds.iter().enumerate() {
            let fin = self.pick_final(&V_LD, &mut rs, c.index, c.lane, j);
            let status = if c.recent { "running" } else { fin };
            // (drawn still, so the rest of the data set stays as it was)
            let _ = rd.range(40, 4000);
            let response = match status {
                "complete" => {
                    // what the analysed job's own log shows (see `demo::logs`)
                    let cause = match ld.copr {
                        Some(id) => logs::copr_cause(&id.to_string(), &c.package, &ld.chroot),
                        None => logs::koji_cause(&c.package, &ld.chroot),
                    };
                    let snippets: Vec<Value> = cause
                        .snippets
                        .iter()
                        .map(|(n, text, remark)| {
                            json!({"line_number": n, "source_file": cause.log, "text": text, "snippet_analysis": remark})
                        })
                        .collect();
                    json!({
                        "explanation": {"text": format!("{}{}", cause.explanation, self.hostile_suffix(c.index))},
                        "no_issue_found": false,
                        "snippets": snippets,
                        "solution": {"text": cause.solution}
                    })
                }
                "unknown" => {
                    json!({"explanation": {"text": "No clear cause was found in the log."}, "no_issue_found": true, "snippets": []})
                }
                _ => Value::Null,
            };
            let error = if status == "error" {
                json!(format!(
                    "Log Detective returned HTTP 503: upstream inference server unavailable{}",
                    self.hostile_suffix(c.index)
                ))
            } else {
                Value::Null
            };
            let body = json!({
                "packit_id": ld.id,
                "analysis_id": Rng::new(self.spec.seed, ld.id as u64, P_UUID + 1).uuid(),
                "status": status,
                "chroot": ld.chroot,
                "commit_sha": c.sha,
                "log_detective_response": response,
                "error_msg": error,
                "target_build": ld.target_build,
                "run_ids": [c.id],
                "submitted_time": ld.t,
            });
            let body = with_info(body, &c.info);
            self.emit_list("log-detective", body.clone());
            self.emit_detail(format!("log-detective/{}", ld.id), body);
            ids.push(ld.id);
        }
        let gd = json!({"packit_id": group, "submitted_time": lds[0].t, "run_ids": [c.id], "log_detective_target_ids": ids});
        self.emit_detail(
            format!("log-detective/groups/{group}"),
            with_info(gd, &c.info),
        );
        self.stat_job(c, J_LD, 1);
    }
}
