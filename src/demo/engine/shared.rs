//! The values the generator's steps hand each other: the per-pipeline context
//! ([`Ctx`]), the trigger ([`Trig`]) and the references its sub-lists name, what an
//! SRPM or Copr build step produced, the Log Detective runs to create, the `/runs`
//! item being built, what a retrigger needs from the previous pipeline, and
//! per-project counts. Every step module imports them from here, and this module
//! imports none of them, so the steps do not depend on one another.

use serde_json::{Map, Value, json};

/// Per-pipeline context shared by all its jobs.
pub(super) struct Ctx {
    pub(super) index: u64,
    pub(super) id: i64,
    pub(super) lane: u64,
    pub(super) t: i64,
    pub(super) recent: bool,
    pub(super) git: Option<usize>,
    pub(super) anitya: Option<usize>,
    pub(super) trig: Trig,
    pub(super) sha: String,
    /// The project-info block (empty when the project is gone).
    pub(super) info: Map<String, Value>,
    /// Pipelines sharing this pipeline's SRPM and Copr group.
    pub(super) shared_runs: Vec<i64>,
    pub(super) copr_project: String,
    pub(super) package: String,
    pub(super) version: String,
}

/// A Log Detective run to create for a failed build target.
pub(super) struct LdReq {
    pub(super) id: i64,
    pub(super) chroot: String,
    pub(super) target_build: String,
    pub(super) t: i64,
    /// The failed Copr build (target) analysed; none for a Koji build.
    pub(super) copr: Option<i64>,
}

#[derive(Debug, Clone)]
pub(super) struct SrpmOut {
    pub(super) id: i64,
    pub(super) ok: bool,
    pub(super) pending: bool,
    pub(super) done_at: i64,
}

#[derive(Debug, Clone)]
pub(super) struct CoprT {
    pub(super) id: i64,
    pub(super) chroot: &'static str,
    pub(super) finished: Option<i64>,
}

#[derive(Debug, Clone)]
pub(super) struct CoprOut {
    pub(super) group: i64,
    pub(super) targets: Vec<CoprT>,
}

/// The `/runs` item being built for a merged pipeline.
#[derive(Debug, Default)]
pub(super) struct RunItem {
    pub(super) merged_run_id: i64,
    pub(super) srpm: Option<Value>,
    pub(super) copr: Vec<Value>,
    pub(super) koji: Vec<Value>,
    pub(super) test_run: Vec<Value>,
    pub(super) propose_downstream: Vec<Value>,
    pub(super) pull_from_upstream: Vec<Value>,
    pub(super) bodhi_update: Vec<Value>,
    pub(super) vm_image_build: Vec<Value>,
    pub(super) found: Option<(i64, Map<String, Value>)>,
}

impl RunItem {
    pub(super) fn found(&mut self, t: i64, info: &Map<String, Value>) {
        if self.found.is_none() {
            self.found = Some((t, info.clone()));
        }
    }
    pub(super) fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("merged_run_id".into(), json!(self.merged_run_id));
        m.insert("srpm".into(), self.srpm.clone().unwrap_or(Value::Null));
        m.insert("copr".into(), Value::Array(self.copr.clone()));
        m.insert("koji".into(), Value::Array(self.koji.clone()));
        m.insert("test_run".into(), Value::Array(self.test_run.clone()));
        m.insert(
            "propose_downstream".into(),
            Value::Array(self.propose_downstream.clone()),
        );
        m.insert(
            "pull_from_upstream".into(),
            Value::Array(self.pull_from_upstream.clone()),
        );
        m.insert(
            "bodhi_update".into(),
            Value::Array(self.bodhi_update.clone()),
        );
        m.insert(
            "vm_image_build".into(),
            Value::Array(self.vm_image_build.clone()),
        );
        if let Some((t, info)) = &self.found {
            m.insert("time_submitted".into(), json!(t));
            m.insert("trigger".into(), Value::Object(info.clone()));
        }
        Value::Object(m)
    }
}

/// What the next pipeline (a retrigger) needs from the previous one.
pub(super) struct Prev {
    pub(super) ctx: Ctx,
    pub(super) srpm: SrpmOut,
    pub(super) copr: CoprOut,
    pub(super) run: RunItem,
}

/// Python's `str()` of a `TestingFarmResult` member: the class name and the member *name*.
pub(super) fn tf_enum_str(status: &str) -> String {
    format!("TestingFarmResult.{}", status.replace('-', "_"))
}

/// The project event that triggered a pipeline.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Trig {
    Pr(i64),
    Branch(String),
    Release(String),
    Issue(i64),
    KojiTag(String),
    Anitya { version: String, multi: bool },
}

impl Trig {
    pub(super) fn event_index(&self) -> usize {
        match self {
            Trig::Pr(_) => 0,
            Trig::Branch(_) => 1,
            Trig::Release(_) => 2,
            Trig::Issue(_) => 3,
            Trig::KojiTag(_) => 4,
            Trig::Anitya { multi: false, .. } => 5,
            Trig::Anitya { multi: true, .. } => 6,
        }
    }
    pub(super) fn pr_id(&self) -> Value {
        match self {
            Trig::Pr(n) => json!(n),
            _ => Value::Null,
        }
    }
    pub(super) fn issue_id(&self) -> Value {
        match self {
            Trig::Issue(n) => json!(n),
            _ => Value::Null,
        }
    }
    pub(super) fn branch_name(&self) -> Value {
        match self {
            Trig::Branch(b) | Trig::KojiTag(b) => json!(b),
            _ => Value::Null,
        }
    }
    pub(super) fn release(&self) -> Value {
        match self {
            Trig::Release(r) => json!(r),
            _ => Value::Null,
        }
    }
    pub(super) fn anitya_version(&self) -> Value {
        match self {
            Trig::Anitya { version, .. } => json!(version),
            _ => Value::Null,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Ref {
    pub(super) ext: u64,
    pub(super) chroot: &'static str,
    pub(super) status: &'static str,
}

#[derive(Debug, Default)]
pub(super) struct RefSet {
    pub(super) copr: Vec<Ref>,
    pub(super) koji: Vec<Ref>,
    pub(super) srpm: Vec<(i64, &'static str)>,
    pub(super) tests: Vec<Ref>,
}

#[derive(Debug, Default, Clone)]
pub(super) struct ProjStats {
    pub(super) prs: u64,
    pub(super) branches: u64,
    pub(super) releases: u64,
    pub(super) issues: u64,
    pub(super) events: [u64; 7],
    pub(super) jobs: [u64; 7],
}
