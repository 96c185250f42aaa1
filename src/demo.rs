//! Deterministic synthetic upstream data: exactly the JSON the Packit API would serve.
//!
//! [`generate`] streams [`Record`]s (list items and detail bodies) for a [`DemoSpec`]; it
//! keeps only small per-project aggregates in memory, so 100,000 pipelines are fine.
//! [`Dataset::generate`] collects the stream into memory, with every list in the API's
//! own order (used by tests and the stub HTTP server). [`ingest_records`] writes the
//! stream into an archive as a complete sync would store it (module `ingest`, which
//! asks sync how it stores each endpoint: the demo depends on sync, never the reverse).
//!
//! The whole module is behind the cargo feature `demo` (on by default): a program
//! that embeds the library without it compiles no demo code.
//!
//! # Determinism and prefix stability
//! Every choice derives from `(seed, pipeline index, purpose)` through a splitmix64
//! stream, and ids come from per-kind counters advanced in pipeline order. Generating
//! `N + k` pipelines with the same spec therefore yields the same first `N` pipelines
//! (ids, projects, triggers, jobs) plus `k` newer ones. Only *statuses* depend on
//! [`DemoSpec::now`]: jobs of pipelines submitted less than 2 hours before `now` show
//! non-final statuses (see [`is_final_status`]); older ones show their final outcome.
//! With the default 600 s interval the last six pipelines are always recent, and the
//! lanes below make sure that every non-final status value appears among them.
//!
//! # Id schemes (all ids count up in pipeline order)
//! | entity | first id |
//! |---|---|
//! | pipeline (`run_id`) | [`PIPELINE_ID_BASE`] + index, so [`pipeline_id`] |
//! | SRPM build | 120001 |
//! | Copr target (packit id) | 900001; Copr build id (string) from 8000001 |
//! | Copr group | 300001 |
//! | Koji target | 20001; Koji task id (string) from 130000001; group 15001 |
//! | Testing Farm target | 250001; group 200001 |
//! | sync-release run | 3001; sync-release target 9001 |
//! | Bodhi target | 6001; group 5001 |
//! | Koji tag request target | 701; group 601 |
//! | OpenScanHub scan | 4001 (task id from 80001) |
//! | Log Detective run | 1001; group 801 |
//! | VM image build target | 101 |
//!
//! # Lanes
//! The kind of pipeline `i` is chosen in lane `i % 6`:
//! 0. upstream pull request: SRPM, Copr, often Testing Farm; sometimes Koji scratch
//!    and an OpenScanHub scan;
//! 1. a random mix: retrigger of the previous pipeline (shares its SRPM and Copr
//!    group), PR / branch / release Copr builds, Koji-scratch-only PRs, downstream
//!    Koji builds alone (their `/runs/<id>` answers 500), Koji tag requests alone
//!    (their `/runs` item has no `trigger`), pipelines whose project is gone, pull from
//!    upstream and propose downstream via an issue comment;
//! 2. upstream PR or branch push with Copr, 3 Koji scratch targets, Testing Farm, and
//!    one failing Copr chroot analysed by Log Detective;
//! 3. upstream PR with Copr, Testing Farm, two OpenScanHub scans and a VM image build;
//! 4. sync release: propose downstream (release or issue) or pull from upstream
//!    (dist-git release or Anitya version);
//! 5. dist-git: Bodhi update, usually with downstream Koji builds, sometimes with a
//!    Koji tag request (branch push or `koji_build_tag` trigger).
//!
//! Every 48 pipelines, a block of six shows failure values cycling through each
//! vocabulary, so every final status value appears for 200 pipelines or more.
//!
//! To find, e.g., a failed Copr target quickly: take a lane-2 pipeline (index
//! `i % 6 == 2`) older than two hours; its last Copr chroot failed and has a Log
//! Detective run (`log_detective_runs` in `copr-builds/<id>`).

mod catalog;
mod engine;
mod ingest;
pub mod logs;
mod rng;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use catalog::package_of;
pub use catalog::{
    HOSTILE_CONTROL, HOSTILE_ENCODED_DOTS, HOSTILE_QUOTES, HOSTILE_RTL, HOSTILE_SCRIPT,
    HOSTILE_TRAVERSAL,
};
pub use ingest::{IngestSummary, add_demo_logs, demo_log_text, ingest_demo, ingest_records};

/// 2025-11-01T00:00:00Z, the default time of the first pipeline.
pub const DEFAULT_START: i64 = 1_761_955_200;

/// Default average seconds between two pipelines.
pub const DEFAULT_INTERVAL: i64 = 600;

/// Pipelines submitted less than this many seconds before [`DemoSpec::now`] are non-final.
pub const NON_FINAL_WINDOW: i64 = 2 * 3600;

/// SRPM `logs` and `url` are blanked for builds older than this (Packit's 30 days).
pub const SRPM_RETENTION: i64 = 30 * 86_400;

/// The `run_id` of pipeline index 0.
pub const PIPELINE_ID_BASE: i64 = 500_001;

/// Length of the single huge hostile string (1 MiB).
pub const HUGE_LEN: usize = 1 << 20;

/// What to generate. Everything derives from (seed, index), so generating N+k pipelines
/// with the same spec gives the same first N pipelines (ids, projects, triggers) plus k
/// newer ones.
#[derive(Debug, Clone)]
pub struct DemoSpec {
    /// Number of pipelines (runs).
    pub pipelines: u64,
    /// Random seed.
    pub seed: u64,
    /// UNIX seconds of the first pipeline; default [`DEFAULT_START`].
    pub start: i64,
    /// Average seconds between pipelines; default [`DEFAULT_INTERVAL`] (a constant, not
    /// derived from `pipelines`, so that data sets of different sizes line up).
    pub interval: i64,
    /// Inject hostile strings (markup, traversal, control characters, RTL text, one
    /// 1 MiB log) into some names, branches, error messages and logs.
    pub hostile: bool,
}

impl DemoSpec {
    /// `pipelines` pipelines from `seed`, default start and interval, not hostile.
    pub fn new(pipelines: u64, seed: u64) -> Self {
        DemoSpec {
            pipelines,
            seed,
            start: DEFAULT_START,
            interval: DEFAULT_INTERVAL,
            hostile: false,
        }
    }

    /// Submission time (UNIX seconds) of pipeline `index`: `start + index * interval`
    /// plus a jitter in `0..=interval/2` derived from (seed, index).
    pub fn pipeline_time(&self, index: u64) -> i64 {
        let iv = self.interval.max(0);
        let jitter = rng::Rng::new(self.seed, index, engine::P_TIME).below((iv / 2 + 1) as u64);
        self.start + index as i64 * iv + jitter as i64
    }

    /// The "current time" of the data set: the last pipeline's time + 3600.
    pub fn now(&self) -> i64 {
        let last = if self.pipelines == 0 {
            self.start
        } else {
            self.pipeline_time(self.pipelines - 1)
        };
        last + 3600
    }

    /// Whether pipeline `index` is recent enough to show non-final statuses.
    pub fn is_recent(&self, index: u64) -> bool {
        self.pipeline_time(index) > self.now() - NON_FINAL_WINDOW
    }
}

/// The `run_id` (pipeline id) of pipeline `index`.
pub fn pipeline_id(index: u64) -> i64 {
    PIPELINE_ID_BASE + index as i64
}

/// Status values that mean "not done yet" in any vocabulary; every other value is final.
pub const NON_FINAL_STATUSES: &[&str] = &[
    "pending",
    "running",
    "queued",
    "new",
    "waiting_for_srpm",
    "building",
    "uploading",
    "registering",
];

/// Whether a status value (any vocabulary) is final. `TestingFarmResult.` prefixes are ignored.
pub fn is_final_status(status: &str) -> bool {
    let s = status.strip_prefix("TestingFarmResult.").unwrap_or(status);
    !NON_FINAL_STATUSES.contains(&s)
}

/// Copr target and SRPM statuses (`BuildStatus`).
pub const BUILD_STATUSES: &[&str] = &[
    "success",
    "pending",
    "failure",
    "error",
    "waiting_for_srpm",
    "retry",
    "canceled",
];
/// Koji build target statuses (free strings set by the handlers).
pub const KOJI_STATUSES: &[&str] = &[
    "queued", "pending", "running", "success", "failure", "error", "canceled", "retry", "skipped",
];
/// Bodhi update target statuses.
pub const BODHI_STATUSES: &[&str] = &["queued", "success", "error", "retry", "skipped"];
/// Testing Farm statuses (`TestingFarmResult`): the four non-failure values, then
/// the failure values in the order the generator draws them.
pub const TF_STATUSES: &[&str] = &[
    "new",
    "queued",
    "running",
    "passed",
    "failed",
    "error",
    "skipped",
    "unknown",
    "needs_inspection",
    "retry",
    "complete",
    "canceled",
    "cancel-requested",
];
/// Sync-release run statuses.
pub const SYNC_RUN_STATUSES: &[&str] = &["running", "finished", "error"];
/// Sync-release target statuses.
pub const SYNC_TARGET_STATUSES: &[&str] = &[
    "queued",
    "running",
    "error",
    "retry",
    "submitted",
    "skipped",
];
/// VM image build statuses.
pub const VM_STATUSES: &[&str] = &[
    "success",
    "pending",
    "building",
    "uploading",
    "registering",
    "failure",
    "error",
];
/// OpenScanHub scan statuses.
pub const OSH_STATUSES: &[&str] = &["pending", "running", "succeeded", "failed", "canceled"];
/// Log Detective statuses.
pub const LOG_DETECTIVE_STATUSES: &[&str] = &["complete", "running", "unknown", "error"];

/// One API response fragment.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// An item of a list endpoint. `endpoint` is the API path without `/api/` and without
    /// query, e.g. "copr-builds", "koji-builds", "srpm-builds", "testing-farm/results",
    /// "runs", "propose-downstream", "pull-from-upstream", "bodhi-updates",
    /// "koji-tag-requests", "openscanhub-scans", "log-detective", "projects",
    /// "projects/github.com" (per forge), "projects/github.com/packit" (per namespace),
    /// "projects/github.com/packit/ogr/prs" (also /branches, /releases, /issues).
    ListItem {
        /// API path of the list, without `/api/` and query.
        endpoint: String,
        /// The item, with exactly the real server's key set.
        item: Value,
    },
    /// The body of a detail endpoint, path without `/api/`: "copr-builds/123",
    /// "koji-builds/5", "srpm-builds/7", "testing-farm/9", "runs/merged/42", "runs/42",
    /// "propose-downstream/3", "pull-from-upstream/4", "bodhi-updates/2",
    /// "koji-tag-requests/1", "openscanhub-scans/8", "log-detective/6",
    /// "projects/github.com/packit/ogr", "copr-builds/groups/11" (and the koji-builds,
    /// testing-farm, bodhi-updates, koji-tag-requests and log-detective groups), "usage",
    /// "system". A pipeline without a `runs/<id>` detail is one whose raw `/runs/<id>`
    /// answers 500 on the real server (see [`Dataset::broken_runs`]).
    Detail {
        /// API path, without `/api/`.
        path: String,
        /// The JSON body.
        body: Value,
    },
}

/// Stream every record, with bounded memory: records are emitted per pipeline as it is
/// generated; only small per-project aggregates (PR, branch and usage counters) are kept
/// until the end. Lists are not emitted in API order; [`Dataset`] sorts them.
pub fn generate(spec: &DemoSpec, sink: &mut dyn FnMut(Record)) {
    engine::run(spec, sink);
}

/// The whole data set in memory (for tests and the stub server).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dataset {
    /// Each list in the API's own order: `id` DESC (`packit_id`, `srpm_build_id`),
    /// `/copr-builds` by smallest target id DESC, `/runs` by `merged_run_id` DESC,
    /// projects by namespace (then repo name), PRs by `pr_id` DESC, and the unordered
    /// branches, releases and issues sub-lists in generation order.
    pub lists: BTreeMap<String, Vec<Value>>,
    /// Detail bodies by path.
    pub details: BTreeMap<String, Value>,
    /// Pipeline ids whose `/runs/<id>` answers 500 HTML.
    pub broken_runs: BTreeSet<i64>,
}

/// The HTML body the real server sends with its 500 on a broken `/runs/<id>`.
pub const INTERNAL_SERVER_ERROR_HTML: &str = "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.</p>\n";

impl Dataset {
    /// Generate and collect the whole data set, lists sorted as the API sorts them.
    pub fn generate(spec: &DemoSpec) -> Dataset {
        let mut ds = Dataset::default();
        generate(spec, &mut |r| match r {
            Record::ListItem { endpoint, item } => ds.lists.entry(endpoint).or_default().push(item),
            Record::Detail { path, body } => {
                ds.details.insert(path, body);
            }
        });
        for (endpoint, items) in ds.lists.iter_mut() {
            sort_list(endpoint, items);
        }
        for index in 0..spec.pipelines {
            let id = pipeline_id(index);
            if !ds.details.contains_key(&format!("runs/{id}")) {
                ds.broken_runs.insert(id);
            }
        }
        ds
    }

    /// Number of entities: all list items plus all detail bodies.
    pub fn entity_count(&self) -> usize {
        self.lists.values().map(Vec::len).sum::<usize>() + self.details.len()
    }
}

fn int_key(v: &Value, key: &str) -> i64 {
    v.get(key).and_then(Value::as_i64).unwrap_or(0)
}

fn str_key<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Sort one list as the API does.
fn sort_list(endpoint: &str, items: &mut [Value]) {
    if endpoint == "projects"
        || (endpoint.starts_with("projects/") && endpoint.matches('/').count() == 1)
    {
        items.sort_by(|a, b| {
            (str_key(a, "namespace"), str_key(a, "repo_name"))
                .cmp(&(str_key(b, "namespace"), str_key(b, "repo_name")))
        });
    } else if endpoint.starts_with("projects/") {
        if endpoint.ends_with("/prs") {
            items.sort_by_key(|v| std::cmp::Reverse(int_key(v, "pr_id")));
        }
        // Per-namespace lists, branches, releases and issues have no ORDER BY.
    } else if endpoint == "runs" {
        items.sort_by_key(|v| std::cmp::Reverse(int_key(v, "merged_run_id")));
    } else if endpoint == "srpm-builds" {
        items.sort_by_key(|v| std::cmp::Reverse(int_key(v, "srpm_build_id")));
    } else {
        items.sort_by_key(|v| std::cmp::Reverse(int_key(v, "packit_id")));
    }
}
