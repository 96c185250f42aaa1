//! Pipelines: the per-pipeline context, the jobs each blueprint runs in order, the
//! retrigger of a previous pipeline, and the `/runs` list item and detail bodies.

use std::collections::btree_map::Entry;

use serde_json::{Value, json};

use super::shape::{Blueprint, PRef, Shape, TrigKind};
use super::shared::{CoprT, Ctx, LdReq, Prev, RefSet, RunItem, SrpmOut, Trig};
use super::vocab::{KOJI_TARGETS, UPSTREAM_BRANCHES};
use super::{Gen, NON_FINAL_WINDOW, P_SHA, PR_BLOCK, pipeline_id};
use crate::demo::catalog::{ANITYA, HOSTILE_BRANCHES};
use crate::demo::rng::{Rng, mix};

/// The group ids of a raw pipeline (`/runs/<id>`).
#[derive(Debug, Default)]
struct RawRun {
    srpm: Option<i64>,
    copr: Option<i64>,
    koji: Option<i64>,
    tf: Option<i64>,
    bodhi: Option<i64>,
    sync: bool,
}

impl Gen<'_> {
    pub(super) fn pipeline(&mut self, i: u64) {
        let blueprint = self.blueprint(i);
        if blueprint.shape == Shape::Retrigger
            && let Some(prev) = self.prev.take()
        {
            self.retrigger(i, prev);
            return;
        }
        // A previous pipeline waiting for a retrigger that did not come (cannot happen
        // by construction, but never lose its /runs item).
        if let Some(prev) = self.prev.take() {
            self.emit_run_item(prev.run);
        }
        let ctx = self.make_ctx(i, &blueprint);
        let next_is_retrigger =
            i + 1 < self.spec.pipelines && self.blueprint(i + 1).shape == Shape::Retrigger;
        let mut ctx = ctx;
        if next_is_retrigger {
            ctx.shared_runs.push(pipeline_id(i + 1));
        }
        let ev = ctx.trig.event_index();
        self.totals_events[ev] += 1;
        if let Some(p) = ctx.git {
            self.stats[p].events[ev] += 1;
        }
        let mut run = RunItem {
            merged_run_id: ctx.id,
            ..RunItem::default()
        };
        let mut raw = RawRun::default();
        match blueprint.shape {
            Shape::Copr | Shape::KojiScratchOnly | Shape::Retrigger => {
                let srpm = self.srpm(&ctx, &mut run);
                raw.srpm = Some(srpm.id);
                let mut copr_out = None;
                let mut links: Vec<(&'static str, Option<i64>, Option<i64>)> = Vec::new();
                let mut lds: Vec<LdReq> = Vec::new();
                if blueprint.shape != Shape::KojiScratchOnly {
                    let chroots = match ctx.git {
                        Some(p) if !blueprint.orphan => self.project_chroots(p),
                        _ => vec!["fedora-rawhide-x86_64", "fedora-43-x86_64"],
                    };
                    let out = self.copr(
                        &ctx,
                        &srpm,
                        &chroots,
                        blueprint.forced_ld,
                        &mut lds,
                        &mut run,
                    );
                    raw.copr = Some(out.group);
                    for t in &out.targets {
                        links.push((t.chroot, Some(t.id), None));
                    }
                    if blueprint.osh > 0 {
                        let targets: Vec<CoprT> =
                            out.targets.iter().take(blueprint.osh).cloned().collect();
                        self.osh(&ctx, &targets, &srpm);
                    }
                    copr_out = Some(out);
                }
                if blueprint.koji_scratch > 0 {
                    let targets = &KOJI_TARGETS[..blueprint.koji_scratch.min(3)];
                    let (group, ids) =
                        self.koji(&ctx, targets, true, Some(&srpm), &mut lds, &mut run);
                    raw.koji = Some(group);
                    if blueprint.shape == Shape::KojiScratchOnly {
                        for (k, id) in ids.iter().enumerate() {
                            let chroot = match targets[k] {
                                "rawhide" => "fedora-rawhide-x86_64",
                                "f43" => "fedora-43-x86_64",
                                _ => "epel-10-x86_64",
                            };
                            links.push((chroot, None, Some(*id)));
                        }
                    }
                }
                if blueprint.tests && !links.is_empty() {
                    let n = match ctx.git {
                        Some(p) if ctx.lane != 2 && ctx.lane != 3 => self.project_tests(p).max(1),
                        _ => 3,
                    };
                    links.truncate(n);
                    let group = self.tf(&ctx, &links, &srpm, &mut run);
                    raw.tf = Some(group);
                }
                if blueprint.vm > 0 {
                    self.vm(&ctx, blueprint.vm, &mut run);
                }
                if !lds.is_empty() {
                    self.log_detective(&ctx, &lds);
                }
                if let (true, Some(copr)) = (next_is_retrigger, copr_out) {
                    self.emit_raw_run(&ctx, &raw);
                    self.prev = Some(Prev {
                        ctx,
                        srpm,
                        copr,
                        run,
                    });
                    return;
                }
            }
            Shape::Propose | Shape::PullFromUpstream => {
                self.sync(
                    &ctx,
                    blueprint.shape == Shape::Propose,
                    &blueprint.branches,
                    &mut run,
                );
                raw.sync = true;
            }
            Shape::KojiDownOnly => {
                let mut lds = Vec::new();
                let (group, _) =
                    self.koji(&ctx, &blueprint.branches, false, None, &mut lds, &mut run);
                raw.koji = Some(group);
                if !lds.is_empty() {
                    self.log_detective(&ctx, &lds);
                }
            }
            Shape::TagReqOnly => {
                self.tag_request(&ctx, blueprint.branches[0]);
            }
            Shape::Downstream => {
                let mut lds = Vec::new();
                if blueprint.koji_down {
                    let (group, _) =
                        self.koji(&ctx, &blueprint.branches, false, None, &mut lds, &mut run);
                    raw.koji = Some(group);
                }
                if blueprint.tag_req {
                    self.tag_request(&ctx, blueprint.branches[0]);
                }
                let group = self.bodhi(&ctx, &blueprint.branches, &mut run);
                raw.bodhi = Some(group);
                if !lds.is_empty() {
                    self.log_detective(&ctx, &lds);
                }
            }
        }
        self.emit_raw_run(&ctx, &raw);
        self.emit_run_item(run);
    }

    fn make_ctx(&mut self, i: u64, blueprint: &Blueprint) -> Ctx {
        let t = self.spec.pipeline_time(i);
        let recent = t > self.now - NON_FINAL_WINDOW;
        let mut r = Rng::new(self.spec.seed, i, P_SHA);
        let sha = r.hex(40);
        let (git, anitya) = match blueprint.proj {
            Some(PRef::Git(p)) => (Some(p), None),
            Some(PRef::Anitya(a)) => (None, Some(a)),
            None => (None, None),
        };
        let trig = match blueprint.trig {
            TrigKind::Pr => {
                let base = git.map_or(1, |p| 1 + (mix(p as u64 ^ self.spec.seed) % 900) as i64);
                Trig::Pr(base + (i / PR_BLOCK) as i64 * 4 + r.below(4) as i64)
            }
            TrigKind::Branch => {
                let k = r.below(UPSTREAM_BRANCHES.len() as u64) as usize;
                if blueprint.shape == Shape::KojiDownOnly || blueprint.shape == Shape::Downstream {
                    Trig::Branch(
                        blueprint
                            .branches
                            .first()
                            .map_or("rawhide", |b| b)
                            .to_string(),
                    )
                } else if self.spec.hostile && k + 3 >= UPSTREAM_BRANCHES.len() {
                    Trig::Branch(
                        HOSTILE_BRANCHES[(i as usize / 6 + k) % HOSTILE_BRANCHES.len()].to_string(),
                    )
                } else {
                    Trig::Branch(UPSTREAM_BRANCHES[k].to_string())
                }
            }
            TrigKind::KojiTag => {
                Trig::KojiTag(blueprint.branches.first().map_or("f43", |b| b).to_string())
            }
            TrigKind::Release => {
                let p = git.unwrap_or(0);
                let n = self.stats.get(p).map_or(0, |s| s.releases);
                let ver = format!("{}.{}.{}", 1 + n / 12, (n / 3) % 4, n % 3);
                let tag = if self.projects.get(p).is_some_and(|x| x.v_prefix) {
                    format!("v{ver}")
                } else {
                    ver
                };
                if let Some(s) = self.stats.get_mut(p) {
                    s.releases += 1;
                }
                let ep = self.sub_endpoint(p, "releases");
                self.emit_list(&ep, json!({"tag_name": tag, "commit_hash": sha}));
                Trig::Release(tag)
            }
            TrigKind::Issue => {
                let p = git.unwrap_or(0);
                let n = self.stats[p].issues as i64;
                self.stats[p].issues += 1;
                let id = 100 + (mix(p as u64) % 400) as i64 + n * 3;
                let ep = self.sub_endpoint(p, "issues");
                self.emit_list(&ep, json!(id));
                Trig::Issue(id)
            }
            TrigKind::Anitya => {
                let a = anitya.unwrap_or(0) as u64;
                let major = 1 + (mix(a) % 5);
                let minor = i / 60 % 20;
                let multi = r.chance(0.3);
                let version = if multi {
                    format!("{major}.{minor}.0;{major}.{minor}.1")
                } else {
                    format!("{major}.{minor}.{}", i % 7)
                };
                Trig::Anitya { version, multi }
            }
        };
        let git = if blueprint.orphan { None } else { git };
        if let (Some(p), Trig::Branch(b)) = (git, &trig)
            && let Entry::Vacant(e) = self.branch_refs.entry((p, b.clone()))
        {
            e.insert(RefSet::default());
            self.stats[p].branches += 1;
        }
        if let (Some(p), Trig::Pr(n)) = (git, &trig)
            && let Entry::Vacant(e) = self.pr_refs.entry((p, *n))
        {
            e.insert(RefSet::default());
            self.stats[p].prs += 1;
        }
        let info = self.info_block(git, anitya, &trig);
        let (ns, repo, package) = match (git, anitya, blueprint.proj) {
            (Some(p), _, _) => {
                let p = &self.projects[p];
                (
                    p.namespace.replace('/', "-"),
                    p.repo.clone(),
                    p.package.clone(),
                )
            }
            (None, Some(a), _) => (
                "anitya".to_string(),
                ANITYA[a].name.to_string(),
                ANITYA[a].package.to_string(),
            ),
            (None, None, Some(PRef::Git(p))) => (
                "packit".to_string(),
                "orphan".to_string(),
                self.projects[p].package.clone(),
            ),
            _ => (
                "packit".to_string(),
                "orphan".to_string(),
                "orphan".to_string(),
            ),
        };
        let copr_project = match &trig {
            Trig::Pr(n) => format!("{ns}-{repo}-{n}"),
            Trig::Branch(b) => format!("{ns}-{repo}-{}", b.replace('/', "-")),
            Trig::Release(_) => format!("{ns}-{repo}-releases"),
            _ => format!("{ns}-{repo}"),
        };
        let pv = mix(package.len() as u64 ^ 0x55);
        let version = format!("{}.{}.{}", 1 + pv % 4, (i / 400) % 30, (i / 40) % 10);
        Ctx {
            index: i,
            id: pipeline_id(i),
            lane: i % 6,
            t,
            recent,
            git,
            anitya,
            trig,
            sha,
            info,
            shared_runs: vec![pipeline_id(i)],
            copr_project,
            package,
            version,
        }
    }

    /// Pipeline `i` retriggers the tests of pipeline `i - 1`: same SRPM and Copr group,
    /// a new Testing Farm group; both form one merged `/runs` item.
    fn retrigger(&mut self, i: u64, prev: Prev) {
        let Prev {
            ctx: pc,
            srpm,
            copr,
            mut run,
        } = prev;
        let t = self.spec.pipeline_time(i);
        let c = Ctx {
            index: i,
            id: pipeline_id(i),
            lane: i % 6,
            t,
            recent: t > self.now - NON_FINAL_WINDOW,
            git: pc.git,
            anitya: pc.anitya,
            trig: pc.trig.clone(),
            sha: pc.sha.clone(),
            info: pc.info.clone(),
            shared_runs: pc.shared_runs.clone(),
            copr_project: pc.copr_project.clone(),
            package: pc.package.clone(),
            version: pc.version.clone(),
        };
        let links: Vec<(&'static str, Option<i64>, Option<i64>)> = copr
            .targets
            .iter()
            .map(|t| (t.chroot, Some(t.id), None))
            .collect();
        let srpm_now = SrpmOut {
            done_at: t,
            ..srpm.clone()
        };
        let tf_group = self.tf(&c, &links, &srpm_now, &mut run);
        let raw = RawRun {
            srpm: Some(srpm.id),
            copr: Some(copr.group),
            tf: Some(tf_group),
            ..RawRun::default()
        };
        self.emit_raw_run(&c, &raw);
        self.emit_run_item(run);
    }

    fn emit_raw_run(&mut self, c: &Ctx, raw: &RawRun) {
        if raw.srpm.is_none() && !raw.sync && raw.bodhi.is_none() {
            return; // the real server answers 500 (it dereferences None)
        }
        let body = json!({
            "run_id": c.id,
            "trigger": Value::Object(c.info.clone()),
            "srpm_build_id": raw.srpm,
            "copr_build_group_id": raw.copr,
            "koji_build_group_id": raw.koji,
            "test_run_group_id": raw.tf,
            "bodhi_update_group_id": raw.bodhi,
        });
        self.emit_detail(format!("runs/{}", c.id), body);
    }

    pub(super) fn emit_run_item(&mut self, run: RunItem) {
        let v = run.to_json();
        self.emit_detail(format!("runs/merged/{}", run.merged_run_id), v.clone());
        self.emit_list("runs", v);
    }
}
