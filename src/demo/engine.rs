//! The generator proper: walks pipelines in index order and emits their records.
//!
//! This root holds the generator's state ([`Gen`] and its id counters) and [`run`];
//! `shared` holds the values the steps hand each other (the per-pipeline `Ctx`, the
//! trigger, build outcomes, the `/runs` item), so that the step modules import only
//! it and this root, never each other. One child module per job kind or record
//! family generates the rest: `shape` (what each pipeline does), `runs` (pipelines and `/runs`),
//! `upstream` (projects and triggers), `builds` (SRPM, Copr, VM images), `koji`,
//! `testing_farm`, `analysis` (OpenScanHub, Log Detective), `downstream` (sync
//! release, Bodhi), `logs`, `vocab` (statuses and pools) and `usage` (counters and
//! the end-of-stream records). Every random draw is made in the same order as
//! before the split: moving a call changes the data set.

mod analysis;
mod builds;
mod downstream;
mod koji;
mod logs;
mod runs;
mod shape;
mod shared;
mod testing_farm;
mod upstream;
mod usage;
mod vocab;

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::catalog::{self, GitProject};
use super::{DemoSpec, HUGE_LEN, NON_FINAL_WINDOW, Record, SRPM_RETENTION, pipeline_id};
use shared::{Prev, ProjStats, RefSet};

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
}
