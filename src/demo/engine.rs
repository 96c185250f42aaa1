//! The generator proper: walks pipelines in index order and emits their records.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use serde_json::{Map, Value, json};

use super::catalog::{self, ANITYA, GitProject, HOSTILE_BRANCHES};
use super::rng::{Rng, mix};
use super::{DemoSpec, HUGE_LEN, NON_FINAL_WINDOW, Record, SRPM_RETENTION, pipeline_id};

pub(crate) const P_TIME: u64 = 1;
const P_PLAN: u64 = 2;
const P_STATUS: u64 = 3;
const P_DETAIL: u64 = 4;
const P_SHA: u64 = 5;
const P_CHROOTS: u64 = 6;
const P_UUID: u64 = 7;
const P_PROJECT: u64 = 8;

/// Pipelines per PR block: a PR number belongs to one block, so PR sub-list items can be
/// emitted (and forgotten) when the block ends.
const PR_BLOCK: u64 = 240;

const DASHBOARD: &str = "https://dashboard.packit.dev";
const COPR: &str = "https://copr.fedorainfracloud.org";
const COPR_DL: &str = "https://download.copr.fedorainfracloud.org/results/packit";
const KOJI: &str = "https://koji.fedoraproject.org/koji/taskinfo?taskID=";
const KOJIPKGS: &str = "https://kojipkgs.fedoraproject.org//work/tasks";
const TF: &str = "https://artifacts.dev.testing-farm.io";
const OSH: &str = "https://openscanhub.fedoraproject.org/task";

const CHROOT_POOL: &[&str] = &[
    "fedora-43-x86_64",
    "fedora-42-x86_64",
    "fedora-rawhide-aarch64",
    "fedora-42-aarch64",
    "epel-9-x86_64",
    "epel-10-x86_64",
    "centos-stream-10-x86_64",
    "centos-stream-9-x86_64",
    "fedora-rawhide-s390x",
    "fedora-rawhide-ppc64le",
];
const KOJI_TARGETS: &[&str] = &["rawhide", "f43", "epel10"];
const DIST_GIT_BRANCHES: &[&str] = &["rawhide", "f43", "f42", "epel10", "epel9"];
const BODHI_BRANCHES: &[&str] = &["f43", "f42", "epel10", "epel9"];
const UPSTREAM_BRANCHES: &[&str] = &[
    "main",
    "main",
    "main",
    "main",
    "stable",
    "release-1.x",
    "devel",
    "main",
    "rhel-10",
    "feature/ci",
];
const VM_TARGETS: &[&str] = &[
    "fedora-43-x86_64",
    "fedora-43-aarch64",
    "fedora-rawhide-x86_64",
    "fedora-rawhide-aarch64",
];

/// A status vocabulary: the usual final value, the other final values, the failure rate.
struct Vocab {
    ok: &'static str,
    fail: &'static [&'static str],
    rate: f64,
}

const V_BUILD: Vocab = Vocab {
    ok: "success",
    fail: &["failure", "error", "canceled", "retry"],
    rate: 0.08,
};
const V_SRPM: Vocab = Vocab {
    ok: "success",
    fail: &["failure", "error", "canceled", "retry"],
    rate: 0.04,
};
const V_KOJI: Vocab = Vocab {
    ok: "success",
    fail: &["failure", "error", "canceled", "retry", "skipped"],
    rate: 0.1,
};
const V_TF: Vocab = Vocab {
    ok: "passed",
    fail: &[
        "failed",
        "error",
        "skipped",
        "unknown",
        "needs_inspection",
        "retry",
        "complete",
        "canceled",
        "cancel-requested",
    ],
    rate: 0.12,
};
const V_SYNC: Vocab = Vocab {
    ok: "submitted",
    fail: &["error", "retry", "skipped"],
    rate: 0.1,
};
const V_BODHI: Vocab = Vocab {
    ok: "success",
    fail: &["error", "retry", "skipped"],
    rate: 0.1,
};
const V_VM: Vocab = Vocab {
    ok: "success",
    fail: &["failure", "error"],
    rate: 0.1,
};
const V_OSH: Vocab = Vocab {
    ok: "succeeded",
    fail: &["failed", "canceled"],
    rate: 0.08,
};
const V_LD: Vocab = Vocab {
    ok: "complete",
    fail: &["unknown", "error"],
    rate: 0.1,
};

/// Project of a pipeline.
#[derive(Debug, Clone, Copy, PartialEq)]
enum PRef {
    Git(usize),
    Anitya(usize),
}

/// The project event that triggered a pipeline.
#[derive(Debug, Clone, PartialEq)]
enum Trig {
    Pr(i64),
    Branch(String),
    Release(String),
    Issue(i64),
    KojiTag(String),
    Anitya { version: String, multi: bool },
}

impl Trig {
    fn event_index(&self) -> usize {
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
    fn pr_id(&self) -> Value {
        match self {
            Trig::Pr(n) => json!(n),
            _ => Value::Null,
        }
    }
    fn issue_id(&self) -> Value {
        match self {
            Trig::Issue(n) => json!(n),
            _ => Value::Null,
        }
    }
    fn branch_name(&self) -> Value {
        match self {
            Trig::Branch(b) | Trig::KojiTag(b) => json!(b),
            _ => Value::Null,
        }
    }
    fn release(&self) -> Value {
        match self {
            Trig::Release(r) => json!(r),
            _ => Value::Null,
        }
    }
    fn anitya_version(&self) -> Value {
        match self {
            Trig::Anitya { version, .. } => json!(version),
            _ => Value::Null,
        }
    }
}

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
const J_SRPM: usize = 0;
const J_COPR: usize = 1;
const J_KOJI: usize = 2;
const J_VM: usize = 3;
const J_TF: usize = 4;
const J_SYNC: usize = 5;
const J_LD: usize = 6;

/// What a pipeline does (decided from (seed, index) only).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Copr,
    KojiScratchOnly,
    KojiDownOnly,
    TagReqOnly,
    Propose,
    PullFromUpstream,
    Downstream,
    Retrigger,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum TrigKind {
    Pr,
    Branch,
    Release,
    Issue,
    KojiTag,
    Anitya,
}

#[derive(Debug, Clone)]
struct Plan {
    kind: Kind,
    trig: TrigKind,
    proj: Option<PRef>,
    orphan: bool,
    koji_scratch: usize,
    tests: bool,
    osh: usize,
    vm: usize,
    forced_ld: bool,
    koji_down: bool,
    tag_req: bool,
    branches: Vec<&'static str>,
}

/// Per-pipeline context shared by all its jobs.
struct Ctx {
    index: u64,
    id: i64,
    lane: u64,
    t: i64,
    recent: bool,
    git: Option<usize>,
    anitya: Option<usize>,
    trig: Trig,
    sha: String,
    /// The project-info block (empty when the project is gone).
    info: Map<String, Value>,
    /// Pipelines sharing this pipeline's SRPM and Copr group.
    shared_runs: Vec<i64>,
    copr_project: String,
    package: String,
    version: String,
}

#[derive(Debug, Clone)]
struct SrpmOut {
    id: i64,
    ok: bool,
    pending: bool,
    done_at: i64,
}

#[derive(Debug, Clone)]
struct CoprT {
    id: i64,
    chroot: &'static str,
    finished: Option<i64>,
}

#[derive(Debug, Clone)]
struct CoprOut {
    group: i64,
    targets: Vec<CoprT>,
}

#[derive(Debug, Clone, Copy)]
struct Ref {
    ext: u64,
    chroot: &'static str,
    status: &'static str,
}

#[derive(Debug, Default)]
struct RefSet {
    copr: Vec<Ref>,
    koji: Vec<Ref>,
    srpm: Vec<(i64, &'static str)>,
    tests: Vec<Ref>,
}

#[derive(Debug, Default, Clone)]
struct ProjStats {
    prs: u64,
    branches: u64,
    releases: u64,
    issues: u64,
    events: [u64; 7],
    jobs: [u64; 7],
}

/// The `/runs` item being built for a merged pipeline.
#[derive(Debug, Default)]
struct RunItem {
    merged_run_id: i64,
    srpm: Option<Value>,
    copr: Vec<Value>,
    koji: Vec<Value>,
    test_run: Vec<Value>,
    propose_downstream: Vec<Value>,
    pull_from_upstream: Vec<Value>,
    bodhi_update: Vec<Value>,
    vm_image_build: Vec<Value>,
    found: Option<(i64, Map<String, Value>)>,
}

impl RunItem {
    fn found(&mut self, t: i64, info: &Map<String, Value>) {
        if self.found.is_none() {
            self.found = Some((t, info.clone()));
        }
    }
    fn to_json(&self) -> Value {
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
struct Prev {
    ctx: Ctx,
    srpm: SrpmOut,
    copr: CoprOut,
    run: RunItem,
}

#[derive(Debug)]
struct Counters {
    srpm: i64,
    copr_target: i64,
    copr_build: u64,
    copr_group: i64,
    koji_target: i64,
    koji_task: u64,
    koji_group: i64,
    tf_target: i64,
    tf_group: i64,
    sync_run: i64,
    sync_target: i64,
    bodhi_target: i64,
    bodhi_group: i64,
    tag_target: i64,
    tag_group: i64,
    osh: i64,
    osh_task: i64,
    ld: i64,
    ld_group: i64,
    vm: i64,
    downstream_pr: i64,
}

fn next<T: Copy + std::ops::AddAssign + From<u8>>(c: &mut T) -> T {
    let v = *c;
    *c += T::from(1u8);
    v
}

struct Gen<'a> {
    spec: &'a DemoSpec,
    sink: &'a mut dyn FnMut(Record),
    now: i64,
    projects: Vec<GitProject>,
    upstream: Vec<usize>,
    downstream: Vec<usize>,
    c: Counters,
    stats: Vec<ProjStats>,
    totals_events: [u64; 7],
    totals_jobs: [u64; 7],
    pr_refs: BTreeMap<(usize, i64), RefSet>,
    branch_refs: BTreeMap<(usize, String), RefSet>,
    prev: Option<Prev>,
}

/// Generate everything for `spec` into `sink`.
pub(crate) fn run(spec: &DemoSpec, sink: &mut dyn FnMut(Record)) {
    let count = catalog::projects_available(spec.pipelines);
    let projects = catalog::git_projects(count, spec.hostile);
    let upstream = (0..projects.len())
        .filter(|&p| !projects[p].downstream)
        .collect();
    let downstream = (0..projects.len())
        .filter(|&p| projects[p].downstream)
        .collect();
    let stats = vec![ProjStats::default(); projects.len()];
    let mut g = Gen {
        spec,
        sink,
        now: spec.now(),
        projects,
        upstream,
        downstream,
        c: Counters {
            srpm: 120_001,
            copr_target: 900_001,
            copr_build: 8_000_001,
            copr_group: 300_001,
            koji_target: 20_001,
            koji_task: 130_000_001,
            koji_group: 15_001,
            tf_target: 250_001,
            tf_group: 200_001,
            sync_run: 3_001,
            sync_target: 9_001,
            bodhi_target: 6_001,
            bodhi_group: 5_001,
            tag_target: 701,
            tag_group: 601,
            osh: 4_001,
            osh_task: 80_001,
            ld: 1_001,
            ld_group: 801,
            vm: 101,
            downstream_pr: 11,
        },
        stats,
        totals_events: [0; 7],
        totals_jobs: [0; 7],
        pr_refs: BTreeMap::new(),
        branch_refs: BTreeMap::new(),
        prev: None,
    };
    for i in 0..spec.pipelines {
        g.pipeline(i);
        if (i + 1) % PR_BLOCK == 0 {
            g.flush_prs();
        }
    }
    g.finish();
}

fn with_info(mut v: Value, info: &Map<String, Value>) -> Value {
    if let Value::Object(m) = &mut v {
        for (k, x) in info {
            m.insert(k.clone(), x.clone());
        }
    }
    v
}

fn opt(v: Option<i64>) -> Value {
    v.map_or(Value::Null, |x| json!(x))
}

/// Python's `str()` of a `TestingFarmResult` member: the class name and the member *name*.
fn tf_enum_str(status: &str) -> String {
    format!("TestingFarmResult.{}", status.replace('-', "_"))
}

fn dist_tag(target: &str) -> String {
    if let Some(n) = target.strip_prefix("epel") {
        format!("el{n}")
    } else if let Some(n) = target.strip_prefix('f') {
        format!("fc{n}")
    } else {
        "fc44".to_string()
    }
}

fn chroot_dist(chroot: &str) -> &'static str {
    if chroot.contains("rawhide") {
        "fc44"
    } else if chroot.contains("fedora-43") {
        "fc43"
    } else if chroot.contains("fedora-42") {
        "fc42"
    } else if chroot.contains("epel-9") || chroot.contains("stream-9") {
        "el9"
    } else {
        "el10"
    }
}

fn chroot_arch(chroot: &str) -> &str {
    chroot.rsplit('-').next().unwrap_or("x86_64")
}

impl Gen<'_> {
    fn emit_list(&mut self, endpoint: &str, item: Value) {
        (self.sink)(Record::ListItem {
            endpoint: endpoint.to_string(),
            item,
        });
    }

    fn emit_detail(&mut self, path: String, body: Value) {
        (self.sink)(Record::Detail { path, body });
    }

    fn avail(&self, i: u64) -> usize {
        catalog::projects_available(i + 1).min(self.projects.len())
    }

    /// Pick a project among those existing at index `i`, favouring the early (busy) ones.
    fn pick_project(&self, r: &mut Rng, i: u64, downstream: bool) -> usize {
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

    fn project_chroots(&self, p: usize) -> Vec<&'static str> {
        let mut r = Rng::new(self.spec.seed, p as u64, P_CHROOTS);
        let n = r.range(1, 4) as usize;
        let mut pool: Vec<&'static str> = CHROOT_POOL.to_vec();
        let mut out = vec!["fedora-rawhide-x86_64"];
        for _ in 0..n {
            let k = r.below(pool.len() as u64) as usize;
            out.push(pool.remove(k));
        }
        out
    }

    fn project_tests(&self, p: usize) -> usize {
        let mut r = Rng::new(self.spec.seed, p as u64, P_PROJECT);
        if r.chance(0.7) {
            r.range(1, 3) as usize
        } else {
            0
        }
    }

    /// The plan of pipeline `i`: a pure function of (seed, i).
    fn plan(&self, i: u64) -> Plan {
        let mut r = Rng::new(self.spec.seed, i, P_PLAN);
        let lane = i % 6;
        let mut p = Plan {
            kind: Kind::Copr,
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
                    0..=7 if i > 0 => p.kind = Kind::Retrigger,
                    0..=44 => {}
                    45..=66 => p.trig = TrigKind::Branch,
                    67..=70 => p.trig = TrigKind::Release,
                    71..=73 => {
                        p.kind = Kind::KojiScratchOnly;
                        p.koji_scratch = 1 + (y % 3) as usize;
                    }
                    74..=77 => {
                        p.kind = Kind::KojiDownOnly;
                        p.trig = TrigKind::Branch;
                        p.proj = Some(PRef::Git(down));
                        p.branches = vec![DIST_GIT_BRANCHES[(y % 5) as usize]];
                    }
                    78..=79 => {
                        p.kind = Kind::TagReqOnly;
                        p.trig = TrigKind::KojiTag;
                        p.proj = Some(PRef::Git(down));
                        p.branches = vec![BODHI_BRANCHES[(y % 4) as usize]];
                    }
                    80..=82 => p.orphan = true,
                    83..=88 => {
                        p.kind = Kind::PullFromUpstream;
                        p.trig = TrigKind::Release;
                        p.proj = Some(PRef::Git(down));
                    }
                    89..=93 => {
                        p.kind = Kind::Propose;
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
                    p.kind = Kind::Propose;
                    p.proj = Some(PRef::Git(up));
                    p.trig = if y < 80 {
                        TrigKind::Release
                    } else {
                        TrigKind::Issue
                    };
                } else {
                    p.kind = Kind::PullFromUpstream;
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
                p.kind = Kind::Downstream;
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
        if matches!(p.kind, Kind::Propose | Kind::PullFromUpstream) {
            let n = r.range(2, 4) as usize;
            let start = r.below(2) as usize;
            p.branches = DIST_GIT_BRANCHES[start..(start + n).min(5)].to_vec();
        }
        p
    }

    /// A final status: failure values cycle every 48 pipelines so all values appear.
    fn pick_final(&self, v: &Vocab, r: &mut Rng, i: u64, salt: u64, j: usize) -> &'static str {
        let draw = r.next_u64();
        if (i / 6) % 8 == 7 {
            let k = ((i / 48) * 7 + salt * 3 + j as u64) as usize % v.fail.len();
            return v.fail[k];
        }
        if (draw >> 11) as f64 / (1u64 << 53) as f64 <= v.rate {
            v.fail[(draw % v.fail.len() as u64) as usize]
        } else {
            v.ok
        }
    }

    fn hostile_suffix(&self, i: u64) -> String {
        if self.spec.hostile && i.is_multiple_of(3) {
            let h = [
                catalog::HOSTILE_SCRIPT,
                catalog::HOSTILE_QUOTES,
                catalog::HOSTILE_TRAVERSAL,
                catalog::HOSTILE_CONTROL,
                catalog::HOSTILE_RTL,
            ];
            format!(" {}", h[(i / 3) as usize % h.len()])
        } else {
            String::new()
        }
    }

    fn info_block(
        &self,
        git: Option<usize>,
        anitya: Option<usize>,
        trig: &Trig,
    ) -> Map<String, Value> {
        let mut m = Map::new();
        if git.is_none() && anitya.is_none() {
            return m;
        }
        m.insert("pr_id".into(), trig.pr_id());
        m.insert("issue_id".into(), trig.issue_id());
        m.insert("branch_name".into(), trig.branch_name());
        m.insert("release".into(), trig.release());
        m.insert("anitya_version".into(), trig.anitya_version());
        self.project_info(git, anitya, &mut m);
        m
    }

    /// `get_project_info`: the seven project keys (all null for no project).
    fn project_info(&self, git: Option<usize>, anitya: Option<usize>, m: &mut Map<String, Value>) {
        let (mut ns, mut name, mut url) = (Value::Null, Value::Null, Value::Null);
        let (mut aid, mut aname, mut apkg) = (Value::Null, Value::Null, Value::Null);
        if let Some(p) = git {
            let p = &self.projects[p];
            ns = json!(p.namespace);
            name = json!(p.repo);
            url = json!(p.url());
        } else if let Some(a) = anitya {
            let a = &ANITYA[a];
            aid = json!(a.id);
            aname = json!(a.name);
            apkg = json!(a.package);
            url = json!(format!("https://release-monitoring.org/project/{}", a.id));
        }
        m.insert("repo_namespace".into(), ns);
        m.insert("repo_name".into(), name);
        m.insert("project_url".into(), url);
        m.insert("anitya_project_id".into(), aid);
        m.insert("anitya_project_name".into(), aname);
        m.insert("anitya_package".into(), apkg);
        m.insert(
            "non_git_upstream".into(),
            json!(anitya.is_some() && git.is_none()),
        );
    }

    /// `project_url`, `repo_namespace`, `repo_name` added to some list items when a git project exists.
    fn add_project_keys(&self, c: &Ctx, v: &mut Value) {
        if let (Some(p), Value::Object(m)) = (c.git, v) {
            let p = &self.projects[p];
            m.insert("project_url".into(), json!(p.url()));
            m.insert("repo_namespace".into(), json!(p.namespace));
            m.insert("repo_name".into(), json!(p.repo));
        }
    }

    fn stat_job(&mut self, c: &Ctx, job: usize, n: u64) {
        self.totals_jobs[job] += n;
        if let Some(p) = c.git {
            self.stats[p].jobs[job] += n;
        }
    }

    fn refs(&mut self, c: &Ctx) -> Option<&mut RefSet> {
        let p = c.git?;
        match &c.trig {
            Trig::Pr(n) => Some(self.pr_refs.entry((p, *n)).or_default()),
            Trig::Branch(b) => Some(self.branch_refs.entry((p, b.clone())).or_default()),
            _ => None,
        }
    }

    fn pipeline(&mut self, i: u64) {
        let plan = self.plan(i);
        if plan.kind == Kind::Retrigger
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
        let ctx = self.make_ctx(i, &plan);
        let next_is_retrigger =
            i + 1 < self.spec.pipelines && self.plan(i + 1).kind == Kind::Retrigger;
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
        match plan.kind {
            Kind::Copr | Kind::KojiScratchOnly | Kind::Retrigger => {
                let srpm = self.srpm(&ctx, &mut run);
                raw.srpm = Some(srpm.id);
                let mut copr_out = None;
                let mut links: Vec<(&'static str, Option<i64>, Option<i64>)> = Vec::new();
                let mut lds: Vec<LdReq> = Vec::new();
                if plan.kind != Kind::KojiScratchOnly {
                    let chroots = match ctx.git {
                        Some(p) if !plan.orphan => self.project_chroots(p),
                        _ => vec!["fedora-rawhide-x86_64", "fedora-43-x86_64"],
                    };
                    let out = self.copr(&ctx, &srpm, &chroots, plan.forced_ld, &mut lds, &mut run);
                    raw.copr = Some(out.group);
                    for t in &out.targets {
                        links.push((t.chroot, Some(t.id), None));
                    }
                    if plan.osh > 0 {
                        let targets: Vec<CoprT> =
                            out.targets.iter().take(plan.osh).cloned().collect();
                        self.osh(&ctx, &targets, &srpm);
                    }
                    copr_out = Some(out);
                }
                if plan.koji_scratch > 0 {
                    let targets = &KOJI_TARGETS[..plan.koji_scratch.min(3)];
                    let (group, ids) =
                        self.koji(&ctx, targets, true, Some(&srpm), &mut lds, &mut run);
                    raw.koji = Some(group);
                    if plan.kind == Kind::KojiScratchOnly {
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
                if plan.tests && !links.is_empty() {
                    let n = match ctx.git {
                        Some(p) if ctx.lane != 2 && ctx.lane != 3 => self.project_tests(p).max(1),
                        _ => 3,
                    };
                    links.truncate(n);
                    let group = self.tf(&ctx, &links, &srpm, &mut run);
                    raw.tf = Some(group);
                }
                if plan.vm > 0 {
                    self.vm(&ctx, plan.vm, &mut run);
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
            Kind::Propose | Kind::PullFromUpstream => {
                self.sync(&ctx, plan.kind == Kind::Propose, &plan.branches, &mut run);
                raw.sync = true;
            }
            Kind::KojiDownOnly => {
                let mut lds = Vec::new();
                let (group, _) = self.koji(&ctx, &plan.branches, false, None, &mut lds, &mut run);
                raw.koji = Some(group);
                if !lds.is_empty() {
                    self.log_detective(&ctx, &lds);
                }
            }
            Kind::TagReqOnly => {
                self.tag_request(&ctx, plan.branches[0]);
            }
            Kind::Downstream => {
                let mut lds = Vec::new();
                if plan.koji_down {
                    let (group, _) =
                        self.koji(&ctx, &plan.branches, false, None, &mut lds, &mut run);
                    raw.koji = Some(group);
                }
                if plan.tag_req {
                    self.tag_request(&ctx, plan.branches[0]);
                }
                let group = self.bodhi(&ctx, &plan.branches, &mut run);
                raw.bodhi = Some(group);
                if !lds.is_empty() {
                    self.log_detective(&ctx, &lds);
                }
            }
        }
        self.emit_raw_run(&ctx, &raw);
        self.emit_run_item(run);
    }

    fn make_ctx(&mut self, i: u64, plan: &Plan) -> Ctx {
        let t = self.spec.pipeline_time(i);
        let recent = t > self.now - NON_FINAL_WINDOW;
        let mut r = Rng::new(self.spec.seed, i, P_SHA);
        let sha = r.hex(40);
        let (git, anitya) = match plan.proj {
            Some(PRef::Git(p)) => (Some(p), None),
            Some(PRef::Anitya(a)) => (None, Some(a)),
            None => (None, None),
        };
        let trig = match plan.trig {
            TrigKind::Pr => {
                let base = git.map_or(1, |p| 1 + (mix(p as u64 ^ self.spec.seed) % 900) as i64);
                Trig::Pr(base + (i / PR_BLOCK) as i64 * 4 + r.below(4) as i64)
            }
            TrigKind::Branch => {
                let k = r.below(UPSTREAM_BRANCHES.len() as u64) as usize;
                if plan.kind == Kind::KojiDownOnly || plan.kind == Kind::Downstream {
                    Trig::Branch(plan.branches.first().map_or("rawhide", |b| b).to_string())
                } else if self.spec.hostile && k + 3 >= UPSTREAM_BRANCHES.len() {
                    Trig::Branch(
                        HOSTILE_BRANCHES[(i as usize / 6 + k) % HOSTILE_BRANCHES.len()].to_string(),
                    )
                } else {
                    Trig::Branch(UPSTREAM_BRANCHES[k].to_string())
                }
            }
            TrigKind::KojiTag => {
                Trig::KojiTag(plan.branches.first().map_or("f43", |b| b).to_string())
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
        let git = if plan.orphan { None } else { git };
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
        let (ns, repo, package) = match (git, anitya, plan.proj) {
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

    fn sub_endpoint(&self, p: usize, what: &str) -> String {
        let p = &self.projects[p];
        format!("projects/{}/{}/{}/{what}", p.forge, p.namespace, p.repo)
    }

    fn srpm(&mut self, c: &Ctx, run: &mut RunItem) -> SrpmOut {
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

    fn srpm_log(&self, c: &Ctx, status: &str, nvr: &str) -> String {
        let mut s = String::new();
        s.push_str(&format!(
            "2025-11-01 00:00:00.000 packit.utils.commands DEBUG   Running command: git clone {}\n",
            c.info
                .get("project_url")
                .and_then(Value::as_str)
                .unwrap_or("<unknown>")
        ));
        s.push_str(&format!("Checking out {}\n", c.sha));
        s.push_str("Running 'rpmbuild -bs' in the upstream repository.\n");
        s.push_str("setting SOURCE_DATE_EPOCH=1761955200\n");
        if status == "success" || status == "pending" {
            s.push_str(&format!(
                "Wrote: /builddir/build/SRPMS/{nvr}.src.rpm\nSRPM build finished.\n"
            ));
        } else {
            s.push_str(
                "error: Bad source: /builddir/build/SOURCES/missing.tar.gz: No such file or directory\n",
            );
            s.push_str(&format!("SRPM build failed: {status}\n"));
        }
        if self.spec.hostile && c.index.is_multiple_of(5) {
            s.push_str(&format!("hostile:{}\n", self.hostile_suffix(0)));
            s.push_str(&format!(
                "{} {} {}\n",
                catalog::HOSTILE_SCRIPT,
                catalog::HOSTILE_CONTROL,
                catalog::HOSTILE_RTL
            ));
        }
        s
    }

    #[allow(clippy::too_many_arguments)]
    fn copr(
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

    #[allow(clippy::too_many_arguments)]
    fn koji(
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

    fn tf_uuid(&self, id: i64) -> String {
        Rng::new(self.spec.seed, id as u64, P_UUID).uuid()
    }

    fn tf(
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

    fn osh(&mut self, c: &Ctx, targets: &[CoprT], srpm: &SrpmOut) {
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

    fn vm(&mut self, c: &Ctx, n: usize, run: &mut RunItem) {
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

    fn log_detective(&mut self, c: &Ctx, lds: &[LdReq]) {
        let group = next(&mut self.c.ld_group);
        let mut rs = Rng::new(self.spec.seed, c.index, P_STATUS + 600);
        let mut rd = Rng::new(self.spec.seed, c.index, P_DETAIL + 600);
        let mut ids = Vec::new();
        for (j, ld) in lds.iter().enumerate() {
            let fin = self.pick_final(&V_LD, &mut rs, c.index, c.lane, j);
            let status = if c.recent { "running" } else { fin };
            let line = rd.range(40, 4000);
            let response = match status {
                "complete" => json!({
                    "explanation": {"text": format!("The build of {} failed in %check: test_api_timeout raised an AssertionError after the mocked server did not answer.{}", c.package, self.hostile_suffix(c.index))},
                    "no_issue_found": false,
                    "snippets": [
                        {"line_number": line, "source_file": "builder-live.log", "text": "FAILED tests/test_api.py::test_api_timeout - AssertionError: assert 504 == 200", "snippet_analysis": "A unit test failed because the HTTP response code differed from the expected one."},
                        {"line_number": line + 12, "source_file": "builder-live.log", "text": "error: Bad exit status from rpm-tmp.Xa81Zq (%check)", "snippet_analysis": "rpmbuild stopped in the %check section."},
                        {"line_number": line + 40, "source_file": "root.log", "text": "DEBUG util.py:461:  Child return code was: 1"}
                    ],
                    "solution": {"text": "Mark the flaky test as skipped in %check or fix the timeout handling upstream."}
                }),
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

    fn sync(&mut self, c: &Ctx, propose: bool, branches: &[&'static str], run: &mut RunItem) {
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

    fn sync_logs(&self, c: &Ctx, branch: &str, status: &str, j: usize) -> Value {
        if status == "queued" {
            return Value::Null;
        }
        if self.spec.hostile && c.index == 4 && j == 0 {
            let line = format!(
                "{} {} {}\n",
                catalog::HOSTILE_SCRIPT,
                catalog::HOSTILE_TRAVERSAL,
                catalog::HOSTILE_RTL
            );
            let mut s = String::with_capacity(HUGE_LEN + line.len());
            while s.len() + line.len() <= HUGE_LEN {
                s.push_str(&line);
            }
            while s.len() < HUGE_LEN {
                s.push('x');
            }
            return json!(s);
        }
        let mut s = String::new();
        s.push_str(&format!(
            "\u{1b}[32m INFO\u{1b}[0m Syncing release {} to {branch}\n",
            c.version
        ));
        s.push_str(&format!(
            "\u{1b}[32m INFO\u{1b}[0m Cloning https://src.fedoraproject.org/rpms/{}.git\n",
            c.package
        ));
        s.push_str("\u{1b}[36mDEBUG\u{1b}[0m Running: fedpkg new-sources\n");
        match status {
            "error" => {
                s.push_str(&format!("\u{1b}[31mERROR\u{1b}[0m Failed to upload sources to the lookaside cache: 503 Service Unavailable{}\n", self.hostile_suffix(c.index)));
                s.push_str("\u{1b}[31mERROR\u{1b}[0m packit.exceptions.PackitException: Propose downstream failed\n");
            }
            "retry" => s.push_str(
                "\u{1b}[33m WARN\u{1b}[0m Pagure API timed out, the task will be retried\n",
            ),
            "skipped" => s.push_str(
                "\u{1b}[33m WARN\u{1b}[0m Branch already contains the release, skipping\n",
            ),
            "running" => s.push_str("\u{1b}[32m INFO\u{1b}[0m Creating the pull request...\n"),
            _ => s.push_str("\u{1b}[32m INFO\u{1b}[0m Pull request created.\n"),
        }
        json!(s)
    }

    fn bodhi(&mut self, c: &Ctx, branches: &[&'static str], run: &mut RunItem) -> i64 {
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

    fn tag_request(&mut self, c: &Ctx, branch: &'static str) {
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

    fn emit_run_item(&mut self, run: RunItem) {
        let v = run.to_json();
        self.emit_detail(format!("runs/merged/{}", run.merged_run_id), v.clone());
        self.emit_list("runs", v);
    }

    fn flush_prs(&mut self) {
        let prs = std::mem::take(&mut self.pr_refs);
        for ((p, pr), set) in prs {
            let ep = self.sub_endpoint(p, "prs");
            let mut item = self.refset_json(&set, true);
            if let Value::Object(m) = &mut item {
                m.insert("pr_id".into(), json!(pr));
            }
            self.emit_list(&ep, item);
        }
    }

    fn refset_json(&self, set: &RefSet, pr: bool) -> Value {
        let builds: Vec<Value> = set
            .copr
            .iter()
            .map(|r| json!({"build_id": r.ext.to_string(), "chroot": r.chroot, "status": r.status, "web_url": format!("{COPR}/coprs/build/{}/", r.ext)}))
            .collect();
        let koji: Vec<Value> = set
            .koji
            .iter()
            .map(|r| json!({"task_id": r.ext.to_string(), "chroot": r.chroot, "status": r.status, "web_url": format!("{KOJI}{}", r.ext)}))
            .collect();
        let srpm: Vec<Value> = set
            .srpm
            .iter()
            .map(|(id, s)| json!({"srpm_build_id": id, "status": s, "log_url": format!("{DASHBOARD}/jobs/srpm/{id}")}))
            .collect();
        let tests: Vec<Value> = set
            .tests
            .iter()
            .map(|r| {
                let uuid = (r.status != "new").then(|| self.tf_uuid(r.ext as i64));
                let status = if pr { tf_enum_str(r.status) } else { r.status.to_string() };
                json!({"pipeline_id": uuid, "chroot": r.chroot, "status": status, "web_url": uuid.as_ref().map(|u| format!("{TF}/{u}"))})
            })
            .collect();
        json!({"builds": builds, "koji_builds": koji, "srpm_builds": srpm, "tests": tests})
    }

    fn finish(&mut self) {
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

/// A Log Detective run to create for a failed build target.
struct LdReq {
    id: i64,
    chroot: String,
    target_build: String,
    t: i64,
}

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
