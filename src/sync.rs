//! Sync: pull the Packit API into the archive, politely, resumably and without ever
//! losing what is stored.
//!
//! # What one [`sync`] run does
//! 1. Takes a new archive revision ([`Archive::begin_revision`]).
//! 2. Finds the entities of the scope. A `--project` or `--namespace` scope walks the
//!    projects' own graph ([`Discovery::Graph`], module `graph`): project lists, the
//!    SRPM builds they name, their pipelines, then (step 3) the jobs those name;
//!    requests in proportion to the projects. It then reads the heads of the
//!    Packit-wide lists that hold what the graph cannot reach (module `graph_heads`:
//!    release pipelines, pipelines without an SRPM build, scans, merged rows), back to
//!    where the previous sync stopped. Otherwise ([`Discovery::Lists`]: no
//!    scope, a `--forge`, or asked for) it walks every global list of [`LISTS`]
//!    (`per_page=50`, newest first):
//!    - the first time (per list and scope) a **full crawl** to the end, saving the
//!      next page as a cursor in the same transaction as each page's items, so an
//!      interrupted crawl resumes where it stopped;
//!    - afterwards **incrementally**: pages from the top until one brings nothing new
//!      (no in-scope item new or changed, no out-of-scope id above the list's
//!      high-water mark). Items are de-duplicated by id across shifting pages.
//!
//!    With each page it fetches the details that hold more than the list item
//!    ([`ListEndpoint::detail_richer`](crate::api::ListEndpoint::detail_richer)) for new or changed items and for items whose
//!    detail is missing: `/srpm-builds/<id>` etc. for the same entity, the chroot
//!    targets of `packit_id_per_chroot` for Copr builds ([`Kind::Copr`]), the
//!    downstream targets of `packit_id_per_downstream_pr` for sync-release runs. The
//!    page's items, details, errors and cursor are written in **one transaction**.
//! 3. Repairs details still missing (a detail that failed in an earlier run), then
//!    fetches by their detail endpoint the jobs that a stored pipeline or other entity
//!    names but no list brought ([`Archive::referenced_missing`]): the real lists leave
//!    out some rows their pipelines still name, such as Copr targets that failed
//!    before Copr started.
//! 4. Re-fetches, by their detail endpoint, entities stored by earlier runs whose status
//!    is not final, as [`RefreshPolicy`] allows: recent ones every sync, older ones on a
//!    back-off schedule, the oldest only by a full re-check, within a per-sync budget
//!    (the report counts refreshed, deferred and given up). A 404 marks the entity gone
//!    ([`crate::archive::Writer::mark_gone`]); it is never removed.
//!    A graph-walked sync leaves out the jobs whose status its projects' PR and branch
//!    items show unchanged, and re-fetches at once those shown moved (module
//!    `graph_status`); it then re-reads the pipelines whose jobs changed.
//! 5. (Lists only.) For every project in scope that has jobs or pipelines created or changed since the
//!    last complete sync: `/projects/<key>` and its `prs`, `branches`, `releases` and
//!    `issues` sub-lists. (A crawl of *all* projects would cost one detail and at least
//!    four sub-list requests for each of Packit's ~30,000 projects, most of them
//!    dist-git mirrors without pipelines; hence only projects with pipelines.)
//! 6. `/usage` and `/system`, then [`crate::archive::Writer::finish_run`] with the
//!    report as JSON.
//!
//! A SIGKILL at any point leaves the last committed transaction; a re-run continues
//! (cursors, the open "epoch" of the interrupted sync in the `meta` table) and ends in
//! the same archive as an uninterrupted run.
//!
//! # Failures
//! A failed or non-JSON response never overwrites stored data. A detail that keeps
//! failing (after the client's retries) is recorded on the entity
//! ([`crate::archive::Writer::record_error`]; for a target never stored, on its parent
//! list item) and the sync goes on; the report names it and the next sync retries it.
//! A list page that keeps failing ends that list's walk (its cursor stays, so the next
//! run resumes there) and makes the report incomplete.
//!
//! # Scope and cost
//! `--project`, `--namespace` and `--forge` keep only part of Packit. Projects and
//! namespaces are walked through their graph (see [`Discovery`]): a first sync costs
//! about one request per pipeline, SRPM build and job of the projects, a later one the
//! projects' lists, one page of each of six Packit-wide list heads, and what is new or
//! moved; release pipelines, pipelines without an SRPM build, scans and the merged
//! list-only rows come through those heads from the first scoped sync on. The
//! API cannot filter its lists, so a `--forge` scope (or `Discovery::Lists`) walks
//! them in full the first time and drops items outside the scope client-side; the
//! saving is then in details, projects and storage only. The report's `discovery`
//! says which, and its summary states the cost model.

mod crawl;
mod details;
mod fetch;
mod graph;
mod graph_heads;
mod graph_refresh;
mod graph_status;
mod ingest;
mod logs;
mod policy;
mod progress;
mod refresh;
mod scope;

use self::crawl::Syncer;
pub use self::details::sub_list_item_id;
use self::fetch::Job;
pub use self::graph::Discovery;
pub use self::graph_heads::HEAD_LISTS;
pub use self::ingest::{IngestSummary, add_demo_logs, demo_log_text, ingest_demo, ingest_records};
pub use self::policy::{Due, RefreshCounts, RefreshPolicy};
pub use self::progress::{LogProgress, NoProgress, Progress};
pub use self::refresh::{Find, REFRESH_MAX_PAGES, RefreshRequest, refresh};
pub use self::scope::{Scope, item_project};
use crate::api::client::{Client, ClientConfig, ClientError};
use crate::api::{Kind, LISTS};
use crate::archive::{Archive, ArchiveError, Change};
pub use crate::archive::{LogSource, log_sources};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// Errors that stop a sync.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The archive failed.
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    /// The HTTP client could not be set up.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// A `--project`, `--namespace` or `--forge` value is malformed.
    #[error("invalid scope {value:?}: {reason}")]
    Scope {
        /// The value given.
        value: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// The report could not be written.
    #[error("cannot write report {path}: {source}")]
    Report {
        /// Report file.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
}

/// What to sync and how.
#[derive(Clone, Debug)]
pub struct SyncOptions {
    /// Archive file (created if missing).
    pub archive: PathBuf,
    /// HTTP client settings (API URL, concurrency, rate, retries, timeout).
    pub client: ClientConfig,
    /// Part of Packit to mirror.
    pub scope: Scope,
    /// Fetch project details and sub-lists (prs, branches, releases, issues).
    pub project_lists: bool,
    /// Fetch `/usage` and `/system`.
    pub usage: bool,
    /// Details written per transaction when refreshing or repairing.
    pub detail_batch: usize,
    /// Archive job logs: the logs the API returns inline, and for failed jobs the text
    /// logs they link to (see [`log_sources`]).
    pub with_logs: bool,
    /// Largest log stored, in bytes of text (longer logs are cut and marked capped).
    pub log_cap_bytes: u64,
    /// Largest total of stored (compressed) log data in the archive; once reached no
    /// more logs are fetched.
    pub archive_log_cap_bytes: u64,
    /// Which unfinished entities are re-fetched ([`RefreshPolicy`]).
    pub refresh: RefreshPolicy,
    /// How a `--project` or `--namespace` scope finds its entities ([`Discovery`]).
    pub discovery: Discovery,
    /// With [`Discovery::Graph`]: walk the head lists (`HEAD_LISTS`) in full once,
    /// resumably, for the projects' history the graph cannot reach (release pipelines,
    /// scans, merged rows older than the first scoped sync). Costs one request per 50
    /// items of those lists of all of Packit, once; later syncs read their heads only.
    pub backfill: bool,
}

/// Default of [`SyncOptions::log_cap_bytes`]: 5 MiB.
pub const DEFAULT_LOG_CAP: u64 = 5 * 1024 * 1024;
/// Default of [`SyncOptions::archive_log_cap_bytes`]: 1 GiB.
pub const DEFAULT_ARCHIVE_LOG_CAP: u64 = 1024 * 1024 * 1024;

impl SyncOptions {
    /// Defaults for an archive file: whole API, polite client.
    pub fn new(archive: impl Into<PathBuf>, api: &str) -> SyncOptions {
        SyncOptions {
            archive: archive.into(),
            client: ClientConfig {
                base_url: api.to_string(),
                ..ClientConfig::default()
            },
            scope: Scope::all(),
            project_lists: true,
            usage: true,
            detail_batch: 200,
            with_logs: false,
            log_cap_bytes: DEFAULT_LOG_CAP,
            archive_log_cap_bytes: DEFAULT_ARCHIVE_LOG_CAP,
            refresh: RefreshPolicy::default(),
            backfill: false,
            discovery: Discovery::default(),
        }
    }

    /// The discovery this sync uses: the project graph only for a scope of projects
    /// and namespaces (a forge or all of Packit is walked by lists).
    pub fn effective_discovery(&self) -> Discovery {
        let s = &self.scope;
        if self.discovery == Discovery::Graph && !s.is_all() && s.forges.is_empty() {
            Discovery::Graph
        } else {
            Discovery::Lists
        }
    }
}

/// Counters of one endpoint (a label such as `copr-builds` or `copr-builds/{id}`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct EndpointReport {
    /// HTTP requests (retries included).
    pub requests: u64,
    /// Retries.
    pub retries: u64,
    /// Requests that failed for good.
    pub errors: u64,
    /// Entities stored for the first time.
    pub new: u64,
    /// Entities stored with changed content.
    pub changed: u64,
    /// Entities fetched again with the same content.
    pub unchanged: u64,
    /// Entities upstream no longer has (404), marked gone.
    pub gone: u64,
    /// List items dropped as outside the scope.
    pub out_of_scope: u64,
    /// List items without an id (not storable).
    pub without_id: u64,
}

impl EndpointReport {
    fn add(&mut self, o: &EndpointReport) {
        self.requests += o.requests;
        self.retries += o.retries;
        self.errors += o.errors;
        self.new += o.new;
        self.changed += o.changed;
        self.unchanged += o.unchanged;
        self.gone += o.gone;
        self.out_of_scope += o.out_of_scope;
        self.without_id += o.without_id;
    }

    fn count(&mut self, c: Change) {
        match c {
            Change::New => self.new += 1,
            Change::Changed => self.changed += 1,
            Change::Unchanged => self.unchanged += 1,
        }
    }
}

/// An entity or list that could not be fetched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// Endpoint label.
    pub endpoint: String,
    /// Entity kind (empty for a list page).
    pub kind: String,
    /// Entity id (or the page number of a list).
    pub id: String,
    /// The error.
    pub error: String,
}

/// Longest value a failure keeps of an id or an error, in bytes (longer ones are
/// shortened with a hash, [`crate::urls::shorten`]): a 1 MB upstream value must not
/// make a 1 MB log line or report entry.
pub const FAILURE_VALUE_MAX: usize = 300;

impl Failure {
    /// A failure with its id and error shortened to [`FAILURE_VALUE_MAX`].
    pub fn new(endpoint: &str, kind: &str, id: &str, error: &str) -> Failure {
        let short = |v: &str| crate::urls::shorten(v, FAILURE_VALUE_MAX);
        Failure {
            endpoint: short(endpoint),
            kind: kind.to_string(),
            id: short(id),
            error: short(error),
        }
    }
}

/// What a sync run did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SyncReport {
    /// Archive revision of the run.
    pub revision: i64,
    /// API base URL.
    pub api: String,
    /// Scope (canonical form).
    pub scope: String,
    /// How the scope's entities were found: `graph` or `lists` ([`Discovery`]).
    pub discovery: String,
    /// UNIX time started.
    pub started: i64,
    /// UNIX time finished.
    pub finished: i64,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Whether every list was walked to its end or stop point (no list failed).
    pub complete: bool,
    /// Per endpoint label.
    pub endpoints: BTreeMap<String, EndpointReport>,
    /// Sum over endpoints.
    pub totals: EndpointReport,
    /// Entities whose detail could not be fetched.
    pub failed_entities: Vec<Failure>,
    /// List pages that could not be fetched.
    pub failed_lists: Vec<Failure>,
    /// Items a targeted [`refresh`] looked for and did not find.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_found: Vec<Find>,
    /// Unfinished entities refreshed, deferred and given up ([`RefreshPolicy`]).
    pub refresh: RefreshCounts,
    /// What the run could not do by design, per project: e.g. the jobs a project's
    /// lists name that the project graph cannot reach.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The stored fields of the entities this run stored that could not be read, by
    /// kind and field (an upstream API change, named the day it happens).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<crate::jobs::read::DriftGroup>,
    /// [`Drift::line`](crate::jobs::read::Drift::line) of those fields: the last
    /// line of the summary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unreadable_line: Option<String>,
}

impl SyncReport {
    /// A human-readable summary (several lines).
    pub fn summary(&self) -> String {
        use std::fmt::Write;
        let t = &self.totals;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "sync r{} of {} ({}): {} requests ({} retries, {} errors) in {:.1} s; {} new, {} changed, {} unchanged, {} gone, {} out of scope{}",
            self.revision,
            self.api,
            self.scope,
            t.requests,
            t.retries,
            t.errors,
            self.seconds,
            t.new,
            t.changed,
            t.unchanged,
            t.gone,
            t.out_of_scope,
            if self.complete { "" } else { "; INCOMPLETE" }
        );
        let _ = writeln!(s, "  cost: {}", cost_model(&self.discovery));
        let r = &self.refresh;
        if r.refreshed + r.deferred + r.given_up > 0 {
            let _ = writeln!(
                s,
                "  unfinished jobs: {} refreshed, {} deferred, {} given up (see sync --help)",
                r.refreshed, r.deferred, r.given_up
            );
        }
        if r.listed_unchanged + r.moved > 0 {
            let _ = writeln!(
                s,
                "  project lists: {} unfinished jobs shown unchanged (not re-fetched), {} shown moved (re-fetched)",
                r.listed_unchanged, r.moved
            );
        }
        if r.backed_off > 0 {
            let _ = writeln!(
                s,
                "  {} entities that keep failing backed off (tried again later; see sync --help)",
                r.backed_off
            );
        }
        for (name, e) in &self.endpoints {
            let _ = writeln!(
                s,
                "  {name:<32} {:>6} req {:>4} retry {:>3} err | {:>6} new {:>6} changed {:>6} unchanged {:>4} gone",
                e.requests, e.retries, e.errors, e.new, e.changed, e.unchanged, e.gone
            );
        }
        for n in &self.notes {
            let _ = writeln!(s, "  note: {n}");
        }
        for f in &self.failed_lists {
            let _ = writeln!(s, "  FAILED list {} page {}: {}", f.endpoint, f.id, f.error);
        }
        for f in self.failed_entities.iter().take(50) {
            let _ = writeln!(s, "  failed {} {}: {}", f.kind, f.id, f.error);
        }
        if self.failed_entities.len() > 50 {
            let _ = writeln!(
                s,
                "  … and {} more failed entities (see --report-json)",
                self.failed_entities.len() - 50
            );
        }
        if let Some(line) = &self.unreadable_line {
            let _ = writeln!(
                s,
                "  {line} (shown as unreadable on their pages; `packit-pages check` names them all)"
            );
        }
        s
    }
}

/// What a sync costs with this discovery, in one line of the summary.
fn cost_model(discovery: &str) -> &'static str {
    if discovery == Discovery::Graph.as_str() {
        "project graph: requests grow with the projects in scope (about one per pipeline, SRPM build and job, a few per project), not with the rest of Packit; each sync also reads one page of six Packit-wide lists (more only when Packit added over 50 items to one since the previous sync); later syncs re-read the project lists and fetch what is new or whose status moved"
    } else {
        "Packit-wide lists: a first sync reads every list of Packit (one request per 50 items of all projects), later syncs the lists' new heads"
    }
}

const META_EPOCH: &str = "sync.epoch_rev";
const META_SCOPE: &str = "sync.scope";

/// Runs one sync (see the module documentation). Returns the report, also stored in
/// the archive's run record; entity failures and list failures are in the report, not
/// errors. Errors are reserved for what stops the run (archive, setup).
pub async fn sync(opts: &SyncOptions, progress: &dyn Progress) -> Result<SyncReport, SyncError> {
    let t0 = Instant::now();
    let client = Arc::new(Client::new(opts.client.clone())?);
    let mut archive = Archive::open(&opts.archive)?;
    let started = crate::time::now();
    let rev = archive.begin_revision(&opts.client.base_url, started)?;
    let scope_key = opts.scope.canonical();
    let epoch_rev = match archive
        .meta(META_EPOCH)?
        .and_then(|v| v.parse::<i64>().ok())
    {
        Some(e) => e,
        None => {
            let w = archive.write()?;
            w.set_meta(META_EPOCH, &rev.to_string())?;
            w.commit()?;
            rev
        }
    };
    if archive.meta(META_SCOPE)?.as_deref() != Some(scope_key.as_str()) {
        // another scope: saved positions describe other crawls
        let endpoints = archive.cursor_endpoints()?;
        let w = archive.write()?;
        for e in endpoints {
            w.clear_cursor(&e)?;
        }
        w.set_meta(META_SCOPE, &scope_key)?;
        w.commit()?;
    }
    let mut s = Syncer::new(archive, client, opts, (rev, epoch_rev), scope_key, progress);
    tracing::info!(rev, epoch = epoch_rev, scope = %s.scope_key, api = %opts.client.base_url, "sync started");

    let discovery = opts.effective_discovery();
    if discovery == Discovery::Graph {
        s.graph().await?;
        s.graph_heads().await?;
    } else {
        for ep in LISTS.iter() {
            if ep.kind == Kind::Project {
                continue;
            }
            let w = crawl::global_walk(ep);
            s.walk(&w).await?;
        }
        s.walk_projects().await?;
    }
    s.repair().await?;
    s.referenced().await?;
    s.refresh().await?;
    if discovery == Discovery::Graph && s.graph_changed_pipelines().await? {
        s.referenced().await?;
    }
    if opts.project_lists && discovery == Discovery::Lists {
        s.project_phase().await?;
    }
    if opts.usage {
        let jobs = vec![
            Job {
                kind: Kind::Usage,
                id: "all".into(),
                path: "usage".into(),
                exists: false,
                had_detail: false,
                parent: None,
            },
            Job {
                kind: Kind::System,
                id: "system".into(),
                path: "system".into(),
                exists: false,
                had_detail: false,
                parent: None,
            },
        ];
        s.fetch_and_store(jobs, "usage").await?;
    }
    if opts.with_logs {
        s.fetch_logs().await?;
    }

    let mut report = s.report(started, t0);
    let drift = stored_drift(&s.archive, rev)?;
    report.unreadable_line = drift.line();
    report.unreadable = drift.unreadable;
    let json = serde_json::to_string(&report).unwrap_or_else(|_| "{}".into());
    let w = s.archive.write()?;
    w.finish_run(rev, report.finished, &json)?;
    if report.complete {
        w.delete_meta(META_EPOCH)?;
    }
    w.commit()?;
    tracing::info!(rev, complete = report.complete, "sync finished");
    Ok(report)
}

/// The unreadable fields of the entities stored (new or changed) in revision `rev`.
fn stored_drift(archive: &Archive, rev: i64) -> Result<crate::jobs::read::Drift, SyncError> {
    let mut c = crate::jobs::read::DriftCollector::new(false);
    for (kind, id, _) in archive.changed_since(rev - 1)? {
        if let Some(e) = archive.get(kind, &id)? {
            c.add(kind, &id, e.list_json.as_deref(), e.detail_json.as_deref());
        }
    }
    Ok(c.finish())
}
