//! The blueprint of each pipeline, a pure function of (seed, index): its shape
//! (which jobs it runs), its trigger kind, its project and how many targets of each job.

use super::vocab::{BODHI_BRANCHES, DIST_GIT_BRANCHES};
use super::{Gen, P_PLAN};
use crate::demo::catalog;
use crate::demo::catalog::ANITYA;
use crate::demo::rng::Rng;

/// Project of a pipeline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum PRef {
    Git(usize),
    Anitya(usize),
}

/// What a pipeline does (decided from (seed, index) only).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Shape {
    Copr,
    KojiScratchOnly,
    KojiDownOnly,
    TagReqOnly,
    Propose,
    PullFromUpstream,
    Downstream,
    Retrigger,
}

/// The kind of event that triggers a pipeline (the event itself is a `Trig`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum TrigKind {
    Pr,
    Branch,
    Release,
    Issue,
    KojiTag,
    Anitya,
}

/// Everything decided up front about one pipeline: its shape, trigger kind and
/// project, and how many jobs of each kind it runs.
#[derive(Debug, Clone)]
pub(super) struct Blueprint {
    pub(super) shape: Shape,
    pub(super) trig: TrigKind,
    pub(super) proj: Option<PRef>,
    pub(super) orphan: bool,
    pub(super) koji_scratch: usize,
    pub(super) tests: bool,
    pub(super) osh: usize,
    pub(super) vm: usize,
    pub(super) forced_ld: bool,
    pub(super) koji_down: bool,
    pub(super) tag_req: bool,
    pub(super) branches: Vec<&'static str>,
}

impl Gen<'_> {
    fn avail(&self, i: u64) -> usize {
        catalog::projects_available(i + 1).min(self.projects.len())
    }

    /// Pick a project among those existing at index `i`, favouring the early (busy) ones.
    pub(super) fn pick_project(&self, r: &mut Rng, i: u64, downstream: bool) -> usize {
        let pool = if downstream {
            &self.downstream
        } else {
            &self.upstream
        };
        let avail = self.avail(i);
        let n = pool.partition_point(|&p| p < avail).max(1);
        let u = r.below(1 << 20) as f64 / (1u64 << 20) as f64;
        pool[((n as f64) * u.powf(1.7)) as usize % n]
    }

    /// The blueprint of pipeline `i`: a pure function of (seed, i).
    pub(super) fn blueprint(&self, i: u64) -> Blueprint {
        let mut r = Rng::new(self.spec.seed, i, P_PLAN);
        let lane = i % 6;
        let mut p = Blueprint {
            shape: Shape::Copr,
            trig: TrigKind::Pr,
            proj: None,
            orphan: false,
            koji_scratch: 0,
            tests: false,
            osh: 0,
            vm: 0,
            forced_ld: false,
            koji_down: false,
            tag_req: false,
            branches: Vec::new(),
        };
        let up = self.pick_project(&mut r, i, false);
        let down = self.pick_project(&mut r, i, true);
        let x = r.below(100);
        let y = r.below(100);
        match lane {
            0 => {
                p.proj = Some(PRef::Git(up));
                p.koji_scratch = if y < 15 { 1 + (x % 2) as usize } else { 0 };
                p.osh = usize::from(x < 20);
                p.tests = true;
            }
            1 => {
                p.proj = Some(PRef::Git(up));
                p.tests = self.project_tests(up) > 0;
                match x {
                    0..=7 if i > 0 => p.shape = Shape::Retrigger,
                    0..=44 => {}
                    45..=66 => p.trig = TrigKind::Branch,
                    67..=70 => p.trig = TrigKind::Release,
                    71..=73 => {
                        p.shape = Shape::KojiScratchOnly;
                        p.koji_scratch = 1 + (y % 3) as usize;
                    }
                    74..=77 => {
                        p.shape = Shape::KojiDownOnly;
                        p.trig = TrigKind::Branch;
                        p.proj = Some(PRef::Git(down));
                        p.branches = vec![DIST_GIT_BRANCHES[(y % 5) as usize]];
                    }
                    78..=79 => {
                        p.shape = Shape::TagReqOnly;
                        p.trig = TrigKind::KojiTag;
                        p.proj = Some(PRef::Git(down));
                        p.branches = vec![BODHI_BRANCHES[(y % 4) as usize]];
                    }
                    80..=82 => p.orphan = true,
                    83..=88 => {
                        p.shape = Shape::PullFromUpstream;
                        p.trig = TrigKind::Release;
                        p.proj = Some(PRef::Git(down));
                    }
                    89..=93 => {
                        p.shape = Shape::Propose;
                        p.trig = TrigKind::Issue;
                    }
                    _ => {
                        p.vm = 1;
                    }
                }
            }
            2 => {
                p.proj = Some(PRef::Git(up));
                p.trig = if x < 75 {
                    TrigKind::Pr
                } else {
                    TrigKind::Branch
                };
                p.koji_scratch = 3;
                p.tests = true;
                p.forced_ld = true;
            }
            3 => {
                p.proj = Some(PRef::Git(up));
                p.tests = true;
                p.osh = 2;
                p.vm = 4;
            }
            4 => {
                if x < 70 {
                    p.shape = Shape::Propose;
                    p.proj = Some(PRef::Git(up));
                    p.trig = if y < 80 {
                        TrigKind::Release
                    } else {
                        TrigKind::Issue
                    };
                } else {
                    p.shape = Shape::PullFromUpstream;
                    if y < 25 {
                        p.trig = TrigKind::Anitya;
                        p.proj = Some(PRef::Anitya((x % ANITYA.len() as u64) as usize));
                    } else {
                        p.trig = TrigKind::Release;
                        p.proj = Some(PRef::Git(down));
                    }
                }
            }
            _ => {
                p.shape = Shape::Downstream;
                p.proj = Some(PRef::Git(down));
                p.trig = if x < 70 {
                    TrigKind::Branch
                } else {
                    TrigKind::KojiTag
                };
                p.koji_down = y < 80;
                p.tag_req = y >= 80;
                let first = (x % 4) as usize;
                p.branches = vec![BODHI_BRANCHES[first]];
                if y.is_multiple_of(3) {
                    p.branches.push(BODHI_BRANCHES[(first + 1) % 4]);
                }
            }
        }
        if matches!(p.shape, Shape::Propose | Shape::PullFromUpstream) {
            let n = r.range(2, 4) as usize;
            let start = r.below(2) as usize;
            p.branches = DIST_GIT_BRANCHES[start..(start + n).min(5)].to_vec();
        }
        p
    }
}
