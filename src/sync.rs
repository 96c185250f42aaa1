//! Sync: pull the Packit API into the archive, politely, resumably and without ever
//! losing what is stored.
//!
//! # What one [`sync`] run does
//! 1. Takes a new archive revision ([`Archive::begin_revision`]).
//! 2. Walks every global list of [`api::LISTS`] (`per_page=50`, newest first):
//!    - the first time (per list and scope) a **full crawl** to the end, saving the
//!      next page as a cursor in the same transaction as each page's items, so an
//!      interrupted crawl resumes where it stopped;
//!    - afterwards **incrementally**: pages from the top until one brings nothing new
//!      (no in-scope item new or changed, no out-of-scope id above the list's
//!      high-water mark). Items are de-duplicated by id across shifting pages.
//!
//!    With each page it fetches the details that hold more than the list item
//!    ([`ListEndpoint::detail_richer`]) for new or changed items and for items whose
//!    detail is missing: `/srpm-builds/<id>` etc. for the same entity, the chroot
//!    targets of `packit_id_per_chroot` for Copr builds ([`Kind::Copr`]), the
//!    downstream targets of `packit_id_per_downstream_pr` for sync-release runs. The
//!    page's items, details, errors and cursor are written in **one transaction**.
//! 3. Repairs details still missing (a detail that failed in an earlier run).
//! 4. Re-fetches, by their detail endpoint, entities stored by earlier runs whose status
//!    is not final ([`Archive::open_ids_changed_before`]). A 404 marks the entity gone
//!    ([`crate::archive::Writer::mark_gone`]); it is never removed.
//! 5. For every project in scope that has jobs or pipelines created or changed since the
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
//! # Scope
//! `--project`, `--namespace` and `--forge` keep only part of Packit. The API cannot
//! filter, so the lists are still walked in full (the first time) and items outside
//! the scope are dropped client-side; the saving is in details, projects and storage.

use crate::api::client::{Client, ClientConfig, ClientError, PER_PAGE, RequestStats};
use crate::api::types;
use crate::api::{self, Kind, LISTS, ListEndpoint, list_item_id, project_key};
use crate::archive::{Archive, ArchiveError, Change, LogStatus, Part};
pub use crate::archive::{LogSource, log_sources};
use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
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

/// Which part of Packit to mirror. Empty = everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    /// `forge/namespace/repo` keys.
    pub projects: BTreeSet<String>,
    /// `forge/namespace` prefixes (sub-groups included).
    pub namespaces: BTreeSet<String>,
    /// Forge host names.
    pub forges: BTreeSet<String>,
}

fn clean_scope_value(v: &str) -> String {
    let v = v.trim();
    let v = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"))
        .unwrap_or(v);
    v.trim_matches('/').to_string()
}

/// The non-empty `/`-separated segments of a scope value.
fn segments(c: &str) -> usize {
    c.split('/').filter(|s| !s.is_empty()).count()
}

/// `cleaned` (the cleaned form of the value `v`) when `valid` holds for it, else a
/// scope error naming `v` with `reason`.
fn scope_check(
    v: &str,
    cleaned: String,
    reason: &'static str,
    valid: impl FnOnce(&str) -> bool,
) -> Result<String, SyncError> {
    if valid(&cleaned) {
        Ok(cleaned)
    } else {
        Err(SyncError::Scope {
            value: v.to_string(),
            reason,
        })
    }
}

impl Scope {
    /// Everything.
    pub fn all() -> Scope {
        Scope::default()
    }

    /// Whether the scope is unrestricted.
    pub fn is_all(&self) -> bool {
        self.projects.is_empty() && self.namespaces.is_empty() && self.forges.is_empty()
    }

    /// Adds a `forge/namespace/repo` project (a URL is accepted too).
    pub fn add_project(&mut self, v: &str) -> Result<(), SyncError> {
        let c = clean_scope_value(v);
        let c = c.strip_suffix(".git").unwrap_or(&c).to_string();
        let reason = "a project is forge/namespace/repo, e.g. github.com/packit/ogr";
        self.projects
            .insert(scope_check(v, c, reason, |c| segments(c) >= 3)?);
        Ok(())
    }

    /// Adds a `forge/namespace`.
    pub fn add_namespace(&mut self, v: &str) -> Result<(), SyncError> {
        let c = clean_scope_value(v);
        let reason = "a namespace is forge/namespace, e.g. github.com/packit";
        self.namespaces
            .insert(scope_check(v, c, reason, |c| segments(c) >= 2)?);
        Ok(())
    }

    /// Adds a forge host.
    pub fn add_forge(&mut self, v: &str) -> Result<(), SyncError> {
        let c = clean_scope_value(v);
        let reason = "a forge is a host name, e.g. github.com";
        self.forges.insert(scope_check(v, c, reason, |c| {
            !c.is_empty() && !c.contains('/')
        })?);
        Ok(())
    }

    /// Whether a project key is in scope. Items without a project are in scope only
    /// when the scope is unrestricted.
    pub fn contains(&self, key: Option<&str>) -> bool {
        if self.is_all() {
            return true;
        }
        let Some(k) = key else { return false };
        self.projects.contains(k)
            || self.namespaces.iter().any(|n| {
                k.len() > n.len() && k.starts_with(n.as_str()) && k.as_bytes()[n.len()] == b'/'
            })
            || self.forges.iter().any(|f| {
                k.len() > f.len() && k.starts_with(f.as_str()) && k.as_bytes()[f.len()] == b'/'
            })
    }

    /// A stable text form, stored with crawl state (a changed scope means a new full
    /// crawl).
    pub fn canonical(&self) -> String {
        if self.is_all() {
            return "all".into();
        }
        let mut parts = Vec::new();
        parts.extend(self.forges.iter().map(|f| format!("forge:{f}")));
        parts.extend(self.namespaces.iter().map(|n| format!("namespace:{n}")));
        parts.extend(self.projects.iter().map(|p| format!("project:{p}")));
        parts.join(" ")
    }
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

/// What a sync run did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SyncReport {
    /// Archive revision of the run.
    pub revision: i64,
    /// API base URL.
    pub api: String,
    /// Scope (canonical form).
    pub scope: String,
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
        for (name, e) in &self.endpoints {
            let _ = writeln!(
                s,
                "  {name:<32} {:>6} req {:>4} retry {:>3} err | {:>6} new {:>6} changed {:>6} unchanged {:>4} gone",
                e.requests, e.retries, e.errors, e.new, e.changed, e.unchanged, e.gone
            );
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
        s
    }
}

/// Progress of a sync, per resource (an endpoint label).
pub trait Progress: Send + Sync {
    /// A resource starts (may be called again for the same resource).
    fn begin(&self, resource: &str) {
        let _ = resource;
    }
    /// `items` more items of `resource` processed.
    fn advance(&self, resource: &str, items: u64) {
        let _ = (resource, items);
    }
    /// A resource is done for now.
    fn end(&self, resource: &str) {
        let _ = resource;
    }
}

/// No progress output.
pub struct NoProgress;
impl Progress for NoProgress {}

/// Progress as `tracing` log lines (for non-terminal stderr).
#[derive(Default)]
pub struct LogProgress {
    state: Mutex<HashMap<String, (u64, Instant)>>,
}

impl Progress for LogProgress {
    fn begin(&self, resource: &str) {
        let mut m = self.state.lock().unwrap_or_else(|e| e.into_inner());
        m.entry(resource.to_string())
            .or_insert_with(|| (0, Instant::now()));
    }
    fn advance(&self, resource: &str, items: u64) {
        let mut m = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let e = m
            .entry(resource.to_string())
            .or_insert_with(|| (0, Instant::now()));
        e.0 += items;
        tracing::debug!(resource, items = e.0, "progress");
    }
    fn end(&self, resource: &str) {
        let m = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((n, t)) = m.get(resource) {
            let secs = t.elapsed().as_secs_f64().max(1e-3);
            tracing::info!(
                resource,
                items = n,
                rate = format!("{:.1}/s", *n as f64 / secs),
                "done"
            );
        }
    }
}

/// An indicatif spinner per resource with items and rate (for a terminal).
pub struct BarProgress {
    multi: indicatif::MultiProgress,
    bars: Mutex<HashMap<String, indicatif::ProgressBar>>,
}

impl Default for BarProgress {
    fn default() -> Self {
        BarProgress {
            multi: indicatif::MultiProgress::new(),
            bars: Mutex::new(HashMap::new()),
        }
    }
}

impl BarProgress {
    fn bar(&self, resource: &str) -> indicatif::ProgressBar {
        let mut m = self.bars.lock().unwrap_or_else(|e| e.into_inner());
        m.entry(resource.to_string())
            .or_insert_with(|| {
                let style = indicatif::ProgressStyle::with_template(
                    "{spinner} {prefix:<30} {pos:>8} items  {per_sec:>12}  {elapsed}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner());
                let b = self
                    .multi
                    .add(indicatif::ProgressBar::new_spinner().with_style(style));
                b.set_prefix(resource.to_string());
                b.enable_steady_tick(std::time::Duration::from_millis(200));
                b
            })
            .clone()
    }
}

impl Progress for BarProgress {
    fn begin(&self, resource: &str) {
        self.bar(resource);
    }
    fn advance(&self, resource: &str, items: u64) {
        self.bar(resource).inc(items);
    }
    fn end(&self, resource: &str) {
        let b = self.bar(resource);
        b.disable_steady_tick();
        b.tick();
    }
}

/// Where the details of a list's items are.
#[derive(Clone, Copy, Debug)]
enum Details {
    /// The list item is all there is.
    None,
    /// `/<base>/<id>` of the same entity.
    Same(Kind),
    /// Targets named in an object field of the item (name → packit id).
    Targets { field: &'static str, kind: Kind },
}

fn details_of(ep: &ListEndpoint) -> Details {
    if !ep.detail_richer {
        return Details::None;
    }
    match ep.kind {
        Kind::CoprBuild => Details::Targets {
            field: "packit_id_per_chroot",
            kind: Kind::Copr,
        },
        Kind::ProposeDownstreamRun => Details::Targets {
            field: "packit_id_per_downstream_pr",
            kind: Kind::ProposeDownstream,
        },
        Kind::PullFromUpstreamRun => Details::Targets {
            field: "packit_id_per_downstream_pr",
            kind: Kind::PullFromUpstream,
        },
        k => Details::Same(k),
    }
}

/// The status per target of a list item that names targets.
fn target_statuses(kind: Kind, item: &Value) -> Option<&serde_json::Map<String, Value>> {
    let field = match kind {
        Kind::CoprBuild => "status_per_chroot",
        _ => "status_per_downstream_pr",
    };
    item.get(field).and_then(Value::as_object)
}

/// How list items get their id.
#[derive(Clone, Debug)]
enum Ids {
    Global(&'static ListEndpoint),
    /// A project sub-list (kind says which).
    Sub(String),
}

/// One list to walk.
#[derive(Clone, Debug)]
struct Walk {
    path: String,
    label: String,
    kind: Kind,
    ids: Ids,
    details: Details,
    /// Newest first, so an incremental walk may stop early.
    ordered: bool,
    /// Drop items outside the scope.
    filter: bool,
}

/// The project sub-lists: suffix, kind, ordered.
const SUB_LISTS: [(&str, Kind, bool); 4] = [
    ("prs", Kind::ProjectPr, true),
    ("branches", Kind::ProjectBranch, false),
    ("releases", Kind::ProjectRelease, false),
    ("issues", Kind::ProjectIssue, false),
];

/// The id of a project sub-list item: `key#pr`, `key:branch`, `key@tag`, `key!issue`.
pub fn sub_list_item_id(kind: Kind, key: &str, item: &Value) -> Option<String> {
    match kind {
        Kind::ProjectPr => item
            .get("pr_id")
            .and_then(Value::as_i64)
            .map(|n| format!("{key}#{n}")),
        Kind::ProjectBranch => item
            .get("branch")
            .and_then(Value::as_str)
            .map(|b| format!("{key}:{b}")),
        Kind::ProjectRelease => item
            .get("tag_name")
            .and_then(Value::as_str)
            .map(|t| format!("{key}@{t}")),
        Kind::ProjectIssue => item.as_i64().map(|n| format!("{key}!{n}")),
        _ => None,
    }
}

/// The `forge/namespace/repo` a list item belongs to (runs: their trigger's project).
pub fn item_project(kind: Kind, item: &Value) -> Option<String> {
    let url = match kind {
        Kind::Pipeline => item.get("trigger")?.get("project_url")?,
        _ => item.get("project_url")?,
    };
    project_key(url.as_str()?)
}

/// The report label of a detail endpoint: its path with the id replaced.
fn detail_label(kind: Kind) -> String {
    match kind {
        Kind::Project => "projects/{project}".into(),
        Kind::Usage => "usage".into(),
        Kind::System => "system".into(),
        k => k
            .detail_path("0")
            .map(|p| format!("{}/{{id}}", p.trim_end_matches("/0")))
            .unwrap_or_else(|| k.as_str().to_string()),
    }
}

/// One detail to fetch.
#[derive(Clone, Debug)]
struct Job {
    kind: Kind,
    id: String,
    path: String,
    /// The entity row exists (or will, within the same transaction).
    exists: bool,
    /// A detail is stored already (else the first one counts as new).
    had_detail: bool,
    /// List item that named this target, for errors on targets never stored.
    parent: Option<(Kind, String)>,
}

impl Job {
    fn new(
        kind: Kind,
        id: &str,
        exists: bool,
        had_detail: bool,
        parent: Option<(Kind, String)>,
    ) -> Option<Job> {
        Some(Job {
            kind,
            id: id.to_string(),
            path: kind.detail_path(id)?,
            exists,
            had_detail,
            parent,
        })
    }
}

/// What to do with the list's cursor in a page's transaction.
enum CursorOp {
    Set(u32, i64),
    /// Leave the list's crawl state alone (targeted refreshes).
    Keep,
    /// Clear; `true`: a full crawl completed (record it).
    Clear(bool),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    /// To the end.
    Full,
    /// Until a page brings nothing new.
    Head,
}

/// Anitya (release-monitoring.org) projects are keyed by their page URL; they are not
/// git projects and have no `/projects/…` endpoints.
const ANITYA_PREFIX: &str = "release-monitoring.org/";

const META_EPOCH: &str = "sync.epoch_rev";
const META_SCOPE: &str = "sync.scope";

fn meta_crawled(path: &str) -> String {
    format!("sync.crawled:{path}")
}

fn meta_high(path: &str) -> String {
    format!("sync.high:{path}")
}

struct Syncer<'p> {
    archive: Archive,
    client: Arc<Client>,
    opts: SyncOptions,
    rev: i64,
    epoch_rev: i64,
    scope_key: String,
    progress: &'p dyn Progress,
    counts: BTreeMap<String, EndpointReport>,
    failed_entities: Vec<Failure>,
    failed_lists: Vec<Failure>,
    /// Entities whose detail was fetched (or list item seen) in this run.
    fetched: HashSet<(Kind, String)>,
    seen_items: HashSet<(Kind, String)>,
    /// High-water marks written in this run, per list path.
    high_written: HashMap<String, i64>,
}

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

    for ep in LISTS.iter() {
        if ep.kind == Kind::Project {
            continue;
        }
        let w = Walk {
            path: ep.path.to_string(),
            label: ep.path.to_string(),
            kind: ep.kind,
            ids: Ids::Global(ep),
            details: details_of(ep),
            ordered: true,
            filter: true,
        };
        s.walk(&w).await?;
    }
    s.walk_projects().await?;
    s.repair().await?;
    s.refresh().await?;
    if opts.project_lists {
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

    let report = s.report(started, t0);
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

/// An item to look for at the top of a list (see [`RefreshRequest`]).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Find {
    /// Global list path, e.g. `copr-builds`.
    pub list: String,
    /// Field of the list item to match, e.g. `build_id`.
    pub field: String,
    /// The value to match (numbers compare by their decimal text).
    pub value: String,
    /// For lists whose items name targets (Copr chroots, sync-release branches): only
    /// this target's detail is re-fetched; `None`: every target.
    pub target: Option<String>,
}

/// What a targeted [`refresh`] re-fetches: the union of what a batch of bus messages
/// made stale, so a burst (one Copr message per chroot) is one refresh.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RefreshRequest {
    /// Items to find at the top of their list: the list is walked from page 1 until
    /// every item is found and a page brings nothing new (at most
    /// [`REFRESH_MAX_PAGES`] pages); found items get their details re-fetched
    /// (all, or just the named target), then the pipelines those details name.
    pub find: BTreeSet<Find>,
    /// Lists whose head is walked as an incremental sync walks it (until a page
    /// brings nothing new).
    pub heads: BTreeSet<String>,
    /// Kinds whose unfinished entities are re-fetched.
    pub open_kinds: BTreeSet<Kind>,
    /// Entities re-fetched by their detail endpoint.
    pub entities: BTreeSet<(Kind, String)>,
}

impl RefreshRequest {
    /// Adds everything `other` asks for.
    pub fn merge(&mut self, other: RefreshRequest) {
        self.find.extend(other.find);
        self.heads.extend(other.heads);
        self.open_kinds.extend(other.open_kinds);
        self.entities.extend(other.entities);
    }

    /// Whether there is nothing to do.
    pub fn is_empty(&self) -> bool {
        self.find.is_empty()
            && self.heads.is_empty()
            && self.open_kinds.is_empty()
            && self.entities.is_empty()
    }

    /// The lists searched (each walked once, however many items are sought in it).
    pub fn find_lists(&self) -> BTreeSet<&str> {
        self.find.iter().map(|f| f.list.as_str()).collect()
    }
}

/// Pages of one list a [`refresh`] walks at most.
pub const REFRESH_MAX_PAGES: u32 = 5;

/// A list item predicate of a search.
enum Pred<'a> {
    /// `field` equals the find's value.
    Eq(&'a Find),
    /// The numeric `field` is at most `value` (walks `/runs`, newest first, down to a
    /// pipeline id).
    AtMost { field: &'static str, value: i64 },
}

impl Pred<'_> {
    fn matches(&self, v: &Value) -> bool {
        match self {
            Pred::Eq(f) => match v.get(f.field.as_str()) {
                Some(Value::String(s)) => *s == f.value,
                Some(Value::Number(n)) => n.to_string() == f.value,
                _ => false,
            },
            Pred::AtMost { field, value } => v
                .get(*field)
                .and_then(Value::as_i64)
                .is_some_and(|n| n <= *value),
        }
    }
}

/// A targeted refresh: re-fetches what `req` names (see [`RefreshRequest`]) in a new
/// archive revision, with the same storage rules as [`sync`] (never worse than what is
/// stored, every page in one transaction). List crawl state (cursors) and the
/// `last_sync` time of the last full sync are left alone.
/// Items searched for and not found are in the report's `not_found`.
pub async fn refresh(
    opts: &SyncOptions,
    req: &RefreshRequest,
    progress: &dyn Progress,
) -> Result<SyncReport, SyncError> {
    let t0 = Instant::now();
    let client = Arc::new(Client::new(opts.client.clone())?);
    let mut archive = Archive::open(&opts.archive)?;
    let started = crate::time::now();
    let rev = archive.begin_revision(&opts.client.base_url, started)?;
    let mut s = Syncer::new(
        archive,
        client,
        opts,
        (rev, rev),
        opts.scope.canonical(),
        progress,
    );
    tracing::debug!(
        rev,
        finds = req.find.len(),
        heads = req.heads.len(),
        "refresh started"
    );
    let mut by_list: BTreeMap<&str, Vec<&Find>> = BTreeMap::new();
    for f in &req.find {
        by_list.entry(f.list.as_str()).or_default().push(f);
    }
    let mut not_found: Vec<Find> = Vec::new();
    let mut wanted: Vec<(Kind, String)> = Vec::new();
    for (list, finds) in by_list {
        let Some(ep) = api::list_endpoint(list) else {
            not_found.extend(finds.into_iter().cloned());
            continue;
        };
        let preds: Vec<Pred> = finds.iter().map(|f| Pred::Eq(f)).collect();
        let found = s.search(ep, &preds).await?;
        for (i, f) in finds.iter().enumerate() {
            let Some(item) = found.get(&i) else {
                not_found.push((*f).clone());
                continue;
            };
            if !s
                .opts
                .scope
                .contains(item_project(ep.kind, item).as_deref())
            {
                continue;
            }
            let Some(id) = list_item_id(ep, item) else {
                continue;
            };
            match details_of(ep) {
                Details::None => {}
                Details::Same(k) => wanted.push((k, id)),
                Details::Targets { field, kind } => {
                    if let Some(m) = item.get(field).and_then(Value::as_object) {
                        for (name, t) in m {
                            if f.target.as_ref().is_none_or(|n| n == name)
                                && let Some(t) = t.as_i64()
                            {
                                wanted.push((kind, t.to_string()));
                            }
                        }
                    }
                }
            }
        }
    }
    for list in &req.heads {
        if let Some(ep) = api::list_endpoint(list) {
            let w = global_walk(ep);
            s.walk(&w).await?;
        }
    }
    wanted.extend(req.entities.iter().cloned());
    for k in &req.open_kinds {
        for id in s.archive.open_ids(*k)? {
            wanted.push((*k, id));
        }
    }
    let mut jobs = Vec::new();
    let mut uniq = HashSet::new();
    for (k, id) in &wanted {
        if !uniq.insert((*k, id.clone())) || s.fetched.contains(&(*k, id.clone())) {
            continue;
        }
        let stored = s.archive.get(*k, id)?;
        if let Some(j) = Job::new(
            *k,
            id,
            stored.is_some(),
            stored.as_ref().is_some_and(|e| e.detail_json.is_some()),
            None,
        ) {
            jobs.push(j);
        }
    }
    s.fetch_and_store(jobs, "refresh").await?;
    // the pipelines of what was refreshed: walk /runs down to the oldest of them
    let mut runs: BTreeSet<i64> = BTreeSet::new();
    for (k, id) in &uniq {
        if let Some(e) = s.archive.get(*k, id)?
            && let Some(d) = e.detail_json.as_deref()
            && let Ok(v) = serde_json::from_str::<Value>(d)
            && let Some(ids) = v.get("run_ids").and_then(Value::as_array)
        {
            runs.extend(ids.iter().filter_map(Value::as_i64));
        }
    }
    if let Some(&oldest) = runs.first() {
        let ep = api::list_endpoint("runs").expect("runs list");
        s.search(
            ep,
            &[Pred::AtMost {
                field: "merged_run_id",
                value: oldest,
            }],
        )
        .await?;
    }
    let mut report = s.report(started, t0);
    report.not_found = not_found;
    let json = serde_json::to_string(&report).unwrap_or_else(|_| "{}".into());
    let w = s.archive.write()?;
    w.finish_partial_run(rev, report.finished, &json)?;
    w.commit()?;
    tracing::debug!(rev, requests = report.totals.requests, "refresh finished");
    Ok(report)
}

/// The walk of a global list.
fn global_walk(ep: &'static ListEndpoint) -> Walk {
    Walk {
        path: ep.path.to_string(),
        label: ep.path.to_string(),
        kind: ep.kind,
        ids: Ids::Global(ep),
        details: details_of(ep),
        ordered: true,
        filter: true,
    }
}

impl<'p> Syncer<'p> {
    /// A syncer writing revision `revs.0` of a crawl that started at `revs.1`.
    fn new(
        archive: Archive,
        client: Arc<Client>,
        opts: &SyncOptions,
        revs: (i64, i64),
        scope_key: String,
        progress: &'p dyn Progress,
    ) -> Syncer<'p> {
        Syncer {
            archive,
            client,
            opts: opts.clone(),
            rev: revs.0,
            epoch_rev: revs.1,
            scope_key,
            progress,
            counts: BTreeMap::new(),
            failed_entities: Vec::new(),
            failed_lists: Vec::new(),
            fetched: HashSet::new(),
            seen_items: HashSet::new(),
            high_written: HashMap::new(),
        }
    }
}

impl Syncer<'_> {
    /// Page `page` of the list `w` walks; `None` when the fetch failed, which is logged
    /// and recorded among the failed lists.
    async fn list_page(&mut self, w: &Walk, page: u32) -> Option<api::client::Page> {
        let client = self.client.clone();
        match client.list_page(&w.label, &w.path, &[], page).await {
            Ok(p) => Some(p),
            Err(e) => {
                tracing::warn!(list = %w.path, page, error = %e, "list page failed");
                self.failed_lists.push(Failure {
                    endpoint: w.path.clone(),
                    kind: String::new(),
                    id: page.to_string(),
                    error: e.to_string(),
                });
                None
            }
        }
    }

    /// The report of the run so far (counts plus the client's request statistics).
    fn report(&self, started: i64, t0: Instant) -> SyncReport {
        let mut endpoints = self.counts.clone();
        for (label, st) in self.client.stats() {
            let e = endpoints.entry(label).or_default();
            let RequestStats {
                requests,
                retries,
                errors,
            } = st;
            e.requests += requests;
            e.retries += retries;
            e.errors += errors;
        }
        let mut totals = EndpointReport::default();
        for e in endpoints.values() {
            totals.add(e);
        }
        SyncReport {
            revision: self.rev,
            api: self.opts.client.base_url.clone(),
            scope: self.scope_key.clone(),
            started,
            finished: crate::time::now(),
            seconds: t0.elapsed().as_secs_f64(),
            complete: self.failed_lists.is_empty(),
            endpoints,
            totals,
            failed_entities: self.failed_entities.clone(),
            failed_lists: self.failed_lists.clone(),
            not_found: Vec::new(),
        }
    }

    /// Walks a list from its top, storing pages as an incremental walk does, until
    /// every predicate matched an item and a page brought nothing new (or
    /// [`REFRESH_MAX_PAGES`], or the list's end). Returns the first matching item per
    /// predicate index.
    async fn search(
        &mut self,
        ep: &'static ListEndpoint,
        preds: &[Pred<'_>],
    ) -> Result<HashMap<usize, Value>, SyncError> {
        let w = global_walk(ep);
        self.progress.begin(&w.label);
        let high: Option<i64> = self
            .archive
            .meta(&meta_high(&w.path))?
            .and_then(|v| v.parse().ok());
        let mut seen = HashSet::new();
        let mut found: HashMap<usize, Value> = HashMap::new();
        for page in 1..=REFRESH_MAX_PAGES {
            let Some(p) = self.list_page(&w, page).await else {
                break;
            };
            let n = p.items.len();
            for raw in &p.items {
                if found.len() == preds.len() {
                    break;
                }
                let Ok(v) = serde_json::from_str::<Value>(raw.get()) else {
                    continue;
                };
                for (i, pr) in preds.iter().enumerate() {
                    if !found.contains_key(&i) && pr.matches(&v) {
                        found.insert(i, v.clone());
                    }
                }
            }
            let fresh = self
                .process_page(&w, p.items, &mut seen, high, |_| CursorOp::Keep)
                .await?;
            let end = n == 0 || (n < PER_PAGE as usize && w.path != "runs");
            if end || (found.len() == preds.len() && fresh == 0) {
                break;
            }
        }
        self.progress.end(&w.label);
        Ok(found)
    }

    /// The log phase: stores the inline logs of every final job and fetches the linked logs
    /// of final failed jobs, each once (failed fetches are tried again next run).
    /// Failures are recorded per log, never fatal; the archive cap stops fetching.
    async fn fetch_logs(&mut self) -> Result<(), SyncError> {
        let have: HashSet<(Kind, String, String)> = self
            .archive
            .all_logs()?
            .into_iter()
            .filter(|l| l.status != LogStatus::Failed)
            .map(|l| (l.kind, l.id, l.name))
            .collect();
        let mut todo: Vec<(Kind, String, LogSource)> = Vec::new();
        for kind in [
            Kind::Srpm,
            Kind::Copr,
            Kind::Koji,
            Kind::ProposeDownstream,
            Kind::PullFromUpstream,
        ] {
            self.archive.for_each(kind, |e| {
                let Some(json) = e.json().and_then(|j| serde_json::from_str::<Value>(j).ok())
                else {
                    return;
                };
                let failed = e.is_final
                    && e.status.as_deref().is_some_and(|s| {
                        matches!(
                            types::Status::new(s).class(),
                            types::StatusClass::Failure | types::StatusClass::Error
                        )
                    });
                for src in log_sources(kind, &json) {
                    if have.contains(&(kind, e.id.clone(), src.name.clone())) {
                        continue;
                    }
                    // a running job's inline log still grows: stored once final
                    if (src.inline.is_some() && e.is_final) || failed {
                        todo.push((kind, e.id.clone(), src));
                    }
                }
            })?;
        }
        let mut total = self.archive.log_bytes()?.max(0) as u64;
        let cap = self.opts.log_cap_bytes;
        let mut skipped = 0u64;
        for (kind, id, src) in todo {
            let now = crate::time::now();
            let (status, text, size, error) = if let Some(t) = &src.inline {
                let b = t.as_bytes();
                let capped = b.len() as u64 > cap;
                let cut = &b[..b.len().min(cap as usize)];
                let status = if capped {
                    LogStatus::Capped
                } else {
                    LogStatus::Stored
                };
                (status, Some(cut.to_vec()), Some(b.len() as i64), None)
            } else {
                if total >= self.opts.archive_log_cap_bytes {
                    skipped += 1;
                    continue;
                }
                let url = src.url.as_deref().unwrap_or_default();
                match self.client.fetch_log("logs", url, cap).await {
                    Ok(f) => {
                        let status = if f.capped {
                            LogStatus::Capped
                        } else {
                            LogStatus::Stored
                        };
                        let size = f.text.len() as i64 + i64::from(f.capped);
                        (status, Some(f.text), Some(size), None)
                    }
                    Err(e) if e.is_not_found() => (LogStatus::Pruned, None, None, None),
                    Err(e) => (LogStatus::Failed, None, None, Some(e.to_string())),
                }
            };
            let w = self.archive.write()?;
            let stored = w.put_log(
                kind,
                &id,
                &src.name,
                src.url.as_deref(),
                status,
                text.as_deref(),
                size,
                error.as_deref(),
                now,
            )?;
            w.commit()?;
            total += stored as u64;
            if status != LogStatus::Failed {
                self.count("logs").new += 1;
            }
        }
        if skipped > 0 {
            tracing::warn!(
                skipped,
                cap = self.opts.archive_log_cap_bytes,
                "archive log cap reached: logs not fetched"
            );
        }
        Ok(())
    }

    fn count(&mut self, label: &str) -> &mut EndpointReport {
        self.counts.entry(label.to_string()).or_default()
    }

    /// The projects list(s) for the scope: all projects, per forge, per namespace
    /// (single projects come with their details in the project phase).
    async fn walk_projects(&mut self) -> Result<(), SyncError> {
        let ep = api::list_endpoint("projects").expect("projects list");
        let mut walks = Vec::new();
        if self.opts.scope.is_all() {
            walks.push(("projects".to_string(), "projects".to_string(), true));
        } else {
            for f in &self.opts.scope.forges {
                walks.push((format!("projects/{f}"), "projects/{forge}".into(), true));
            }
            for n in &self.opts.scope.namespaces {
                walks.push((
                    format!("projects/{n}"),
                    "projects/{forge}/{namespace}".into(),
                    false,
                ));
            }
        }
        for (path, label, ordered) in walks {
            let w = Walk {
                path,
                label,
                kind: Kind::Project,
                ids: Ids::Global(ep),
                details: Details::None,
                ordered,
                filter: true,
            };
            self.walk(&w).await?;
        }
        Ok(())
    }

    /// Walks one list: resumes a saved crawl, then (or else) a full crawl the first
    /// time or an incremental walk from the top.
    async fn walk(&mut self, w: &Walk) -> Result<bool, SyncError> {
        self.progress.begin(&w.label);
        let crawled =
            self.archive.meta(&meta_crawled(&w.path))?.as_deref() == Some(self.scope_key.as_str());
        let high: Option<i64> = self
            .archive
            .meta(&meta_high(&w.path))?
            .and_then(|v| v.parse().ok());
        let mut seen = HashSet::new();
        let head = crawled && w.ordered;
        let mode = if head { Mode::Head } else { Mode::Full };
        let ok = match self.archive.cursor(&w.path)? {
            Some((page, started_rev)) => {
                tracing::info!(list = %w.path, page, "resuming interrupted crawl");
                let ok = self
                    .walk_from(w, page.max(1), started_rev, mode, high, &mut seen)
                    .await?;
                if ok && w.ordered {
                    // catch what arrived at the top meanwhile
                    self.walk_from(w, 1, self.rev, Mode::Head, high, &mut seen)
                        .await?
                } else {
                    ok
                }
            }
            None => {
                self.walk_from(w, 1, self.rev, mode, high, &mut seen)
                    .await?
            }
        };
        self.progress.end(&w.label);
        Ok(ok)
    }

    async fn walk_from(
        &mut self,
        w: &Walk,
        start: u32,
        started_rev: i64,
        mode: Mode,
        high: Option<i64>,
        seen: &mut HashSet<String>,
    ) -> Result<bool, SyncError> {
        let mut page = start;
        loop {
            let Some(p) = self.list_page(w, page).await else {
                return Ok(false);
            };
            let n = p.items.len();
            let end = n == 0 || (n < PER_PAGE as usize && w.path != "runs");
            let fresh = self
                .process_page(w, p.items, seen, high, |fresh| {
                    if end {
                        CursorOp::Clear(mode == Mode::Full)
                    } else if mode == Mode::Head && fresh == 0 {
                        CursorOp::Clear(false)
                    } else {
                        CursorOp::Set(page + 1, started_rev)
                    }
                })
                .await?;
            if end || (mode == Mode::Head && fresh == 0) {
                return Ok(true);
            }
            page += 1;
        }
    }

    /// Stores one page (items, their details, cursor) in one transaction. Returns how
    /// many items were fresh (new or changed in scope, or above the high-water mark).
    async fn process_page(
        &mut self,
        w: &Walk,
        items: Vec<Box<RawValue>>,
        seen: &mut HashSet<String>,
        high: Option<i64>,
        cursor: impl FnOnce(usize) -> CursorOp,
    ) -> Result<usize, SyncError> {
        struct Entry {
            id: String,
            raw: Box<RawValue>,
        }
        let mut entries = Vec::new();
        let mut jobs: Vec<Job> = Vec::new();
        let mut fresh = 0usize;
        let mut page_high: Option<i64> = None;
        let mut report = EndpointReport::default();
        for raw in items {
            let Ok(v) = serde_json::from_str::<Value>(raw.get()) else {
                report.without_id += 1;
                continue;
            };
            let id = match &w.ids {
                Ids::Global(ep) => list_item_id(ep, &v),
                Ids::Sub(key) => sub_list_item_id(w.kind, key, &v),
            };
            let Some(id) = id else {
                report.without_id += 1;
                continue;
            };
            if !seen.insert(id.clone()) {
                continue;
            }
            let num = id.parse::<i64>().ok();
            if let Some(n) = num {
                page_high = Some(page_high.map_or(n, |h: i64| h.max(n)));
            }
            if w.filter
                && !self
                    .opts
                    .scope
                    .contains(item_project(w.kind, &v).as_deref())
            {
                report.out_of_scope += 1;
                if let (Some(n), Some(h)) = (num, high)
                    && n > h
                {
                    fresh += 1;
                }
                continue;
            }
            let stored = self.archive.get(w.kind, &id)?;
            let change = match stored.as_ref().and_then(|e| e.list_json.as_deref()) {
                None if stored.is_none() => Change::New,
                None => Change::Changed,
                Some(s) if s == raw.get() => Change::Unchanged,
                Some(s) => match serde_json::from_str::<Value>(s) {
                    Ok(old) if old == v => Change::Unchanged,
                    _ => Change::Changed,
                },
            };
            if change != Change::Unchanged {
                fresh += 1;
            }
            self.seen_items.insert((w.kind, id.clone()));
            match w.details {
                Details::None => {}
                Details::Same(k) => {
                    let missing = stored
                        .as_ref()
                        .is_none_or(|e| e.detail_json.is_none() && e.gone_at.is_none());
                    if (change != Change::Unchanged || missing)
                        && !self.fetched.contains(&(k, id.clone()))
                        && let Some(j) = Job::new(
                            k,
                            &id,
                            true,
                            stored.as_ref().is_some_and(|e| e.detail_json.is_some()),
                            None,
                        )
                    {
                        jobs.push(j);
                    }
                }
                Details::Targets { field, kind } => {
                    // the item's own status per target, e.g. `status_per_chroot`
                    let statuses = target_statuses(w.kind, &v);
                    if let Some(m) = v.get(field).and_then(Value::as_object) {
                        for (name, t) in m.iter() {
                            let Some(t) = t.as_i64() else { continue };
                            let tid = t.to_string();
                            if self.fetched.contains(&(kind, tid.clone())) {
                                continue;
                            }
                            let ts = self.archive.get(kind, &tid)?;
                            let missing = ts
                                .as_ref()
                                .is_none_or(|e| e.detail_json.is_none() && e.gone_at.is_none());
                            // a changed item re-fetches only the targets that may have
                            // changed: unfinished ones and those whose status moved
                            let moved = ts.as_ref().is_some_and(|e| {
                                !e.is_final
                                    || statuses.and_then(|s| s.get(name)).and_then(Value::as_str)
                                        != e.status.as_deref()
                            });
                            if (change == Change::New
                                || missing
                                || (change == Change::Changed && moved))
                                && let Some(j) = Job::new(
                                    kind,
                                    &tid,
                                    ts.is_some(),
                                    ts.as_ref().is_some_and(|e| e.detail_json.is_some()),
                                    Some((w.kind, id.clone())),
                                )
                            {
                                jobs.push(j);
                            }
                        }
                    }
                }
            }
            entries.push(Entry { id, raw });
        }
        let mut uniq = HashSet::new();
        jobs.retain(|j| uniq.insert((j.kind, j.id.clone())));
        let results = Self::fetch(self.client.clone(), &jobs).await;

        // one transaction: items, details, errors, cursor
        let now = crate::time::now();
        let rev = self.rev;
        let mut detail_counts: Vec<(String, Option<Change>, bool)> = Vec::new();
        let mut failures = Vec::new();
        let mut new_high = None;
        {
            let wr = self.archive.write()?;
            for e in &entries {
                let c = wr.put(w.kind, &e.id, Part::List, e.raw.get(), now, rev)?;
                report.count(c);
            }
            for (job, res) in jobs.iter().zip(results) {
                let label = detail_label(job.kind);
                match store_result(&wr, job, res, now, rev)? {
                    Stored::Put(c) => detail_counts.push((label, Some(c), false)),
                    Stored::Gone => detail_counts.push((label, None, true)),
                    Stored::Failed(f) => failures.push(f),
                }
            }
            match cursor(fresh) {
                CursorOp::Set(p, started) => wr.set_cursor(&w.path, p, started)?,
                CursorOp::Keep => {}
                CursorOp::Clear(done) => {
                    wr.clear_cursor(&w.path)?;
                    if done {
                        wr.set_meta(&meta_crawled(&w.path), &self.scope_key)?;
                    }
                }
            }
            let written = self.high_written.get(&w.path).copied();
            if let Some(h) = page_high
                && high.is_none_or(|old| h > old)
                && written.is_none_or(|old| h > old)
            {
                wr.set_meta(&meta_high(&w.path), &h.to_string())?;
                new_high = Some(h);
            }
            wr.commit()?;
        }
        if let Some(h) = new_high {
            self.high_written.insert(w.path.clone(), h);
        }
        for j in &jobs {
            self.fetched.insert((j.kind, j.id.clone()));
        }
        let n = entries.len() as u64;
        self.count(&w.label).add(&report);
        for (label, c, gone) in detail_counts {
            let e = self.count(&label);
            if let Some(c) = c {
                e.count(c);
            }
            if gone {
                e.gone += 1;
            }
        }
        self.note_failures(failures);
        self.progress.advance(&w.label, n);
        Ok(fresh)
    }

    fn note_failures(&mut self, failures: Vec<Failure>) {
        for f in failures {
            tracing::warn!(kind = %f.kind, id = %f.id, error = %f.error, "fetch failed");
            self.failed_entities.push(f);
        }
    }

    /// Fetches details concurrently (the client bounds requests in flight). Takes the
    /// client, not `self`, so the future stays `Send` (the archive is not `Sync`).
    async fn fetch(client: Arc<Client>, jobs: &[Job]) -> Vec<Result<Box<RawValue>, ClientError>> {
        let mut set = tokio::task::JoinSet::new();
        for (i, j) in jobs.iter().enumerate() {
            let c = client.clone();
            let label = detail_label(j.kind);
            let path = j.path.clone();
            set.spawn(async move { (i, c.detail(&label, &path).await) });
        }
        let mut out: Vec<Option<Result<Box<RawValue>, ClientError>>> =
            (0..jobs.len()).map(|_| None).collect();
        while let Some(r) = set.join_next().await {
            match r {
                Ok((i, res)) => out[i] = Some(res),
                Err(e) => std::panic::resume_unwind(e.into_panic()),
            }
        }
        out.into_iter()
            .map(|r| r.expect("every task reports"))
            .collect()
    }

    /// Fetches and stores details in batches of `detail_batch`, one transaction each.
    async fn fetch_and_store(&mut self, jobs: Vec<Job>, resource: &str) -> Result<(), SyncError> {
        if jobs.is_empty() {
            return Ok(());
        }
        self.progress.begin(resource);
        for batch in jobs.chunks(self.opts.detail_batch.max(1)) {
            let results = Self::fetch(self.client.clone(), batch).await;
            let now = crate::time::now();
            let mut counts = Vec::new();
            let mut failures = Vec::new();
            let mut ok_parents: BTreeMap<(Kind, String), bool> = BTreeMap::new();
            {
                let wr = self.archive.write()?;
                for (job, res) in batch.iter().zip(results) {
                    let label = detail_label(job.kind);
                    let stored = store_result(&wr, job, res, now, self.rev)?;
                    if let Some(p) = &job.parent {
                        let ok = !matches!(stored, Stored::Failed(_));
                        let e = ok_parents.entry(p.clone()).or_insert(true);
                        *e &= ok;
                    }
                    match stored {
                        Stored::Put(c) => counts.push((label, Some(c))),
                        Stored::Gone => counts.push((label, None)),
                        Stored::Failed(f) => failures.push(f),
                    }
                }
                for ((k, id), ok) in &ok_parents {
                    if *ok {
                        wr.clear_error(*k, id)?;
                    }
                }
                wr.commit()?;
            }
            for j in batch {
                self.fetched.insert((j.kind, j.id.clone()));
            }
            for (label, c) in counts {
                let e = self.count(&label);
                match c {
                    Some(c) => e.count(c),
                    None => e.gone += 1,
                }
            }
            self.note_failures(failures);
            self.progress.advance(resource, batch.len() as u64);
        }
        self.progress.end(resource);
        Ok(())
    }

    /// Details still missing: list items whose detail (or targets) never arrived.
    async fn repair(&mut self) -> Result<(), SyncError> {
        let mut jobs = Vec::new();
        for ep in LISTS.iter() {
            match details_of(ep) {
                Details::None => {}
                Details::Same(k) => {
                    for id in self.archive.ids_without_detail(k)? {
                        if !self.fetched.contains(&(k, id.clone()))
                            && let Some(j) = Job::new(k, &id, true, false, None)
                        {
                            jobs.push(j);
                        }
                    }
                }
                Details::Targets { field, kind } => {
                    for (parent, tid) in self.archive.missing_targets(ep.kind, field, kind)? {
                        if self.fetched.contains(&(kind, tid.clone())) {
                            continue;
                        }
                        let exists = self.archive.get(kind, &tid)?.is_some();
                        if let Some(j) =
                            Job::new(kind, &tid, exists, false, Some((ep.kind, parent)))
                        {
                            jobs.push(j);
                        }
                    }
                }
            }
        }
        let mut uniq = HashSet::new();
        jobs.retain(|j| uniq.insert((j.kind, j.id.clone())));
        if !jobs.is_empty() {
            tracing::info!(count = jobs.len(), "fetching missing details");
        }
        self.fetch_and_store(jobs, "missing details").await
    }

    /// Re-fetches entities stored by earlier runs whose status is not final.
    async fn refresh(&mut self) -> Result<(), SyncError> {
        const KINDS: [Kind; 10] = [
            Kind::Srpm,
            Kind::Copr,
            Kind::Koji,
            Kind::TestingFarm,
            Kind::ProposeDownstream,
            Kind::PullFromUpstream,
            Kind::Bodhi,
            Kind::KojiTagRequest,
            Kind::OpenScanHub,
            Kind::LogDetective,
        ];
        let mut jobs = Vec::new();
        for k in KINDS {
            let list_only = matches!(k, Kind::OpenScanHub | Kind::LogDetective);
            for id in self.archive.open_ids_changed_before(k, self.epoch_rev)? {
                let key = (k, id.clone());
                if self.fetched.contains(&key) || (list_only && self.seen_items.contains(&key)) {
                    continue;
                }
                if let Some(j) = Job::new(k, &id, true, true, None) {
                    jobs.push(j);
                }
            }
        }
        if !jobs.is_empty() {
            tracing::info!(count = jobs.len(), "refreshing unfinished entities");
        }
        self.fetch_and_store(jobs, "unfinished").await
    }

    /// Project details and sub-lists for projects with pipelines changed in this epoch.
    async fn project_phase(&mut self) -> Result<(), SyncError> {
        let keys: Vec<String> = self
            .archive
            .projects_changed_since(self.epoch_rev)?
            .into_iter()
            .filter(|k| self.opts.scope.contains(Some(k)) && !k.starts_with(ANITYA_PREFIX))
            .collect();
        let mut jobs = Vec::new();
        let mut walkable = Vec::new();
        let now = crate::time::now();
        for key in &keys {
            let path = format!("projects/{key}");
            if let Err(e) = crate::api::client::encode_path(&path) {
                // a key such as `github.com/../x/y` cannot be requested faithfully
                let exists = self.archive.get(Kind::Project, key)?.is_some();
                if exists {
                    let w = self.archive.write()?;
                    w.record_error(Kind::Project, key, &e.to_string(), now)?;
                    w.commit()?;
                }
                self.note_failures(vec![Failure {
                    endpoint: "projects/{project}".into(),
                    kind: Kind::Project.to_string(),
                    id: key.clone(),
                    error: e.to_string(),
                }]);
                continue;
            }
            let stored = self.archive.get(Kind::Project, key)?;
            jobs.push(Job {
                kind: Kind::Project,
                id: key.clone(),
                path,
                exists: stored.is_some(),
                had_detail: stored.is_some_and(|e| e.detail_json.is_some()),
                parent: None,
            });
            walkable.push(key.clone());
        }
        self.fetch_and_store(jobs, "projects/{project}").await?;
        for key in walkable {
            for (suffix, kind, ordered) in SUB_LISTS {
                let w = Walk {
                    path: format!("projects/{key}/{suffix}"),
                    label: format!("projects/{{project}}/{suffix}"),
                    kind,
                    ids: Ids::Sub(key.clone()),
                    details: Details::None,
                    ordered,
                    filter: false,
                };
                self.walk(&w).await?;
            }
        }
        Ok(())
    }
}

enum Stored {
    Put(Change),
    Gone,
    Failed(Failure),
}

/// Stores one fetched detail, or records why it could not be fetched. Never writes
/// anything worse than what is stored.
fn store_result(
    wr: &crate::archive::Writer<'_>,
    job: &Job,
    res: Result<Box<RawValue>, ClientError>,
    now: i64,
    rev: i64,
) -> Result<Stored, SyncError> {
    let label = detail_label(job.kind);
    match res {
        Ok(raw) => {
            let c = wr.put(job.kind, &job.id, Part::Detail, raw.get(), now, rev)?;
            Ok(Stored::Put(if c == Change::Changed && !job.had_detail {
                Change::New
            } else {
                c
            }))
        }
        Err(e) if e.is_not_found() && job.exists => {
            wr.mark_gone(job.kind, &job.id, now, rev)?;
            Ok(Stored::Gone)
        }
        Err(e) => {
            let msg = e.to_string();
            if job.exists {
                wr.record_error(job.kind, &job.id, &msg, now)?;
            } else if let Some((pk, pid)) = &job.parent {
                wr.record_error(*pk, pid, &format!("{} {}: {msg}", job.kind, job.id), now)?;
            }
            Ok(Stored::Failed(Failure {
                endpoint: label,
                kind: job.kind.to_string(),
                id: job.id.clone(),
                error: msg,
            }))
        }
    }
}

/// What [`ingest_records`] wrote.
#[derive(Clone, Debug, Default, Serialize)]
pub struct IngestSummary {
    /// Archive revision of the ingestion.
    pub revision: i64,
    /// Rows written (list items and details; an entity with both counts twice).
    pub rows: u64,
    /// Entities per kind after the ingestion.
    pub entities: BTreeMap<String, u64>,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl IngestSummary {
    /// One line for humans.
    pub fn summary(&self) -> String {
        let total: u64 = self.entities.values().sum();
        format!(
            "demo archive r{}: {} rows, {} entities ({}) in {:.1} s",
            self.revision,
            self.rows,
            total,
            self.entities
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect::<Vec<_>>()
                .join(", "),
            self.seconds
        )
    }
}

/// Rows written per transaction by [`ingest_records`].
const INGEST_BATCH: usize = 4000;

/// How sync stores the records of one list endpoint path.
fn record_list_kind(endpoint: &str) -> Option<(Kind, Ids)> {
    if let Some(ep) = LISTS.iter().find(|l| l.path == endpoint) {
        return Some((ep.kind, Ids::Global(ep)));
    }
    let rest = endpoint.strip_prefix("projects/")?;
    for (suffix, kind, _) in SUB_LISTS {
        if let Some(key) = rest.strip_suffix(&format!("/{suffix}"))
            && key.split('/').count() >= 3
        {
            return Some((kind, Ids::Sub(key.to_string())));
        }
    }
    // per-forge and per-namespace project lists repeat items of `projects`
    None
}

/// The detail kinds sync stores, by detail path prefix (`Same` details and targets).
fn record_detail_kind(path: &str) -> Option<(Kind, String)> {
    let (base, id) = path.rsplit_once('/')?;
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let kind = match base {
        "copr-builds" => Kind::Copr,
        "koji-builds" => Kind::Koji,
        "srpm-builds" => Kind::Srpm,
        "testing-farm" => Kind::TestingFarm,
        "propose-downstream" => Kind::ProposeDownstream,
        "pull-from-upstream" => Kind::PullFromUpstream,
        "bodhi-updates" => Kind::Bodhi,
        "koji-tag-requests" => Kind::KojiTagRequest,
        _ => return None,
    };
    Some((kind, id.to_string()))
}

/// Buffered rows, written in one transaction per batch.
struct RowBuffer {
    rows: Vec<(Kind, String, Part, String)>,
    written: u64,
    now: i64,
    rev: i64,
}

impl RowBuffer {
    fn push(
        &mut self,
        archive: &mut Archive,
        kind: Kind,
        id: String,
        part: Part,
        text: String,
    ) -> Result<(), ArchiveError> {
        self.rows.push((kind, id, part, text));
        if self.rows.len() >= INGEST_BATCH {
            self.flush(archive)?;
        }
        Ok(())
    }

    fn flush(&mut self, archive: &mut Archive) -> Result<(), ArchiveError> {
        if self.rows.is_empty() {
            return Ok(());
        }
        // both halves of an entity in one insert when it is new
        let mut order: Vec<(Kind, String)> = Vec::new();
        let mut halves: HashMap<(Kind, String), (Option<String>, Option<String>)> = HashMap::new();
        for (kind, id, part, text) in self.rows.drain(..) {
            self.written += 1;
            let e = halves.entry((kind, id)).or_insert_with_key(|k| {
                order.push(k.clone());
                (None, None)
            });
            match part {
                Part::List => e.0 = Some(text),
                Part::Detail => e.1 = Some(text),
            }
        }
        let w = archive.write()?;
        for key in order {
            let (list, detail) = halves.remove(&key).unwrap_or_default();
            let (kind, id) = key;
            if !w.insert_new(
                kind,
                &id,
                list.as_deref(),
                detail.as_deref(),
                self.now,
                self.rev,
            )? {
                if let Some(l) = &list {
                    w.put(kind, &id, Part::List, l, self.now, self.rev)?;
                }
                if let Some(d) = &detail {
                    w.put(kind, &id, Part::Detail, d, self.now, self.rev)?;
                }
            }
        }
        w.commit()
    }
}

/// The same as [`ingest_records`] (the name `build --demo` uses).
pub fn ingest_demo(
    archive: &mut Archive,
    spec: &crate::demo::DemoSpec,
) -> Result<IngestSummary, SyncError> {
    ingest_records(archive, spec)
}

/// The synthetic build log of demo job `id` (deterministic; ANSI colours, a warning
/// and error lines like a real RPM build).
pub fn demo_log_text(id: &str) -> String {
    let mut t = String::new();
    t.push_str(&format!(
        "\u{1b}[1mBuilding package for job {id}\u{1b}[0m\nINFO: mock.py version 6.1 starting\n"
    ));
    for i in 1..=30 {
        t.push_str(&format!(
            "gcc -O2 -g -Wall -c src/module{i}.c -o build/module{i}.o\n"
        ));
        if i == 12 {
            t.push_str("\u{1b}[33mwarning:\u{1b}[0m unused variable 'tmp' in module12.c\n");
        }
    }
    t.push_str(&format!(
        "src/module31.c:42:7: \u{1b}[1;31merror:\u{1b}[0m 'job_{id}' undeclared (first use in this function)\n"
    ));
    t.push_str("make: *** [Makefile:12: build/module31.o] Error 1\n");
    t.push_str("error: Bad exit status from /var/tmp/rpm-tmp.build (%build)\n");
    t.push_str("    Bad exit status from /var/tmp/rpm-tmp.build (%build)\n");
    t.push_str("\u{1b}[31mFinish: build phase for package, status FAILED\u{1b}[0m\n");
    t
}

/// Archives synthetic logs for up to `max` failed Copr and `max` failed Koji jobs of a demo
/// archive (so demo sites show log pages); every fifth is stored as capped. Returns
/// how many were stored.
pub fn add_demo_logs(archive: &mut Archive, max: usize) -> Result<usize, SyncError> {
    let mut jobs: Vec<(Kind, String, &'static str, Option<String>)> = Vec::new();
    for (kind, name) in [(Kind::Copr, "builder-live"), (Kind::Koji, "build-x86_64")] {
        let start = jobs.len();
        archive.for_each(kind, |e| {
            let failed = e.status.as_deref().is_some_and(|s| {
                matches!(
                    types::Status::new(s).class(),
                    types::StatusClass::Failure | types::StatusClass::Error
                )
            });
            if failed && jobs.len() - start < max {
                let url = e
                    .json()
                    .and_then(|j| serde_json::from_str::<Value>(j).ok())
                    .and_then(|v| log_sources(kind, &v).into_iter().find(|s| s.name == name))
                    .and_then(|s| s.url);
                jobs.push((kind, e.id.clone(), name, url));
            }
        })?;
    }
    let now = crate::time::now();
    let w = archive.write()?;
    for (i, (kind, id, name, url)) in jobs.iter().enumerate() {
        let text = demo_log_text(id);
        let capped = i % 5 == 4;
        let (status, stored, size) = if capped {
            let cut = &text.as_bytes()[..text.len() / 2];
            (LogStatus::Capped, cut, (text.len() / 2 + 1) as i64)
        } else {
            (LogStatus::Stored, text.as_bytes(), text.len() as i64)
        };
        w.put_log(
            *kind,
            id,
            name,
            url.as_deref(),
            status,
            Some(stored),
            Some(size),
            None,
            now,
        )?;
    }
    w.commit()?;
    Ok(jobs.len())
}

/// Details that arrived before the list item naming them, kept until it arrives.
/// Details never claimed (e.g. Copr targets the list leaves out) are dropped once this
/// many newer ones wait, which bounds memory: items and their details are generated
/// pipeline by pipeline.
const PENDING_MAX: usize = 50_000;

/// The ingestion state of [`ingest_records`].
struct Ingest<'a> {
    archive: &'a mut Archive,
    buf: RowBuffer,
    /// Details sync would fetch (named by a stored list item).
    wanted: HashSet<(Kind, String)>,
    /// Details not (yet) named by a list item, oldest first.
    pending: HashMap<(Kind, String), String>,
    pending_order: std::collections::VecDeque<(Kind, String)>,
    /// Projects of stored jobs and pipelines (where sync's project phase goes).
    touched: HashSet<String>,
    /// Project records that came before any job of their project, by project.
    early_projects: HashMap<String, Vec<(Kind, String, Part, String)>>,
}

fn project_fetchable(key: &str) -> bool {
    !key.starts_with(ANITYA_PREFIX)
        && crate::api::client::encode_path(&format!("projects/{key}")).is_ok()
}

impl Ingest<'_> {
    fn put(
        &mut self,
        kind: Kind,
        id: String,
        part: Part,
        text: String,
    ) -> Result<(), ArchiveError> {
        self.buf.push(self.archive, kind, id, part, text)
    }

    fn want(&mut self, kind: Kind, id: String) -> Result<(), ArchiveError> {
        let key = (kind, id);
        if let Some(text) = self.pending.remove(&key) {
            self.put(key.0, key.1.clone(), Part::Detail, text)?;
        }
        self.wanted.insert(key);
        Ok(())
    }

    fn touch(&mut self, project: Option<String>) -> Result<(), ArchiveError> {
        if let Some(p) = project
            && !self.touched.contains(&p)
        {
            for (kind, id, part, text) in self.early_projects.remove(&p).unwrap_or_default() {
                self.put(kind, id, part, text)?;
            }
            self.touched.insert(p);
        }
        Ok(())
    }

    /// Stores a project record now if sync's project phase would fetch it, later if
    /// the project has no job yet (dropped at the end if it never gets one).
    fn project_record(
        &mut self,
        key: &str,
        kind: Kind,
        id: String,
        part: Part,
        text: String,
    ) -> Result<(), ArchiveError> {
        if !project_fetchable(key) {
            return Ok(());
        }
        if self.touched.contains(key) {
            return self.put(kind, id, part, text);
        }
        self.early_projects
            .entry(key.to_string())
            .or_default()
            .push((kind, id, part, text));
        Ok(())
    }

    fn record(&mut self, r: crate::demo::Record) -> Result<(), ArchiveError> {
        use crate::api::client::flask_json;
        use crate::demo::Record;
        match r {
            Record::ListItem { endpoint, item } => match record_list_kind(&endpoint) {
                Some((kind, Ids::Global(ep))) => {
                    if kind == Kind::Project && endpoint != "projects" {
                        return Ok(());
                    }
                    let Some(id) = list_item_id(ep, &item) else {
                        return Ok(());
                    };
                    if kind != Kind::Project {
                        self.touch(item_project(kind, &item))?;
                    }
                    match details_of(ep) {
                        Details::None => {}
                        Details::Same(k) => self.want(k, id.clone())?,
                        Details::Targets { field, kind: tk } => {
                            let targets: Vec<i64> = item
                                .get(field)
                                .and_then(Value::as_object)
                                .into_iter()
                                .flat_map(|m| m.values())
                                .filter_map(Value::as_i64)
                                .collect();
                            for t in targets {
                                self.want(tk, t.to_string())?;
                            }
                        }
                    }
                    self.put(kind, id, Part::List, flask_json(&item))
                }
                Some((kind, Ids::Sub(key))) => match sub_list_item_id(kind, &key, &item) {
                    Some(id) => self.project_record(&key, kind, id, Part::List, flask_json(&item)),
                    None => Ok(()),
                },
                _ => Ok(()),
            },
            Record::Detail { path, body } => {
                if let Some(key) = path.strip_prefix("projects/") {
                    let text = flask_json(&body);
                    return self.project_record(
                        key,
                        Kind::Project,
                        key.to_string(),
                        Part::Detail,
                        text,
                    );
                }
                let (kind, id) = match path.as_str() {
                    "usage" => (Kind::Usage, "all".to_string()),
                    "system" => (Kind::System, "system".to_string()),
                    _ => match record_detail_kind(&path) {
                        Some(k) => k,
                        None => return Ok(()),
                    },
                };
                if matches!(kind, Kind::Usage | Kind::System) {
                    return self.put(kind, id, Part::Detail, flask_json(&body));
                }
                self.touch(
                    body.get("project_url")
                        .and_then(Value::as_str)
                        .and_then(project_key),
                )?;
                let key = (kind, id);
                if self.wanted.contains(&key) {
                    self.put(key.0, key.1, Part::Detail, flask_json(&body))
                } else {
                    self.pending_order.push_back(key.clone());
                    self.pending.insert(key, flask_json(&body));
                    while self.pending_order.len() > PENDING_MAX {
                        if let Some(old) = self.pending_order.pop_front() {
                            self.pending.remove(&old);
                        }
                    }
                    Ok(())
                }
            }
        }
    }
}

/// Streams the demo data set of `spec` into the archive exactly as a complete sync
/// against a server holding that data would store it: global list items
/// (`Part::List`, kind and id from [`api::LISTS`] / [`list_item_id`]); SRPM, Koji,
/// Testing Farm, Bodhi and Koji-tag-request details of listed items; the Copr chroot
/// targets and sync-release targets the list items name; `/usage` and `/system`; and,
/// for projects that have jobs (and can be requested by URL), the project detail and
/// its PR, branch, release and issue sub-lists. Texts are written in the server's JSON
/// form ([`crate::api::client::flask_json`]); times are the data set's `now`.
///
/// One pass over [`crate::demo::generate`] with bounded memory: rows are written in
/// transactions of a few thousand (a new entity's list item and detail in one insert);
/// details wait for the list item naming them in a bounded buffer, and project records
/// for the first job of their project.
pub fn ingest_records(
    archive: &mut Archive,
    spec: &crate::demo::DemoSpec,
) -> Result<IngestSummary, SyncError> {
    let t0 = Instant::now();
    let now = spec.now();
    // a large page cache: the entity table's b-tree is revisited for every row
    archive
        .connection()
        .execute_batch("PRAGMA cache_size=-262144;")
        .map_err(|source| ArchiveError::Sqlite {
            path: archive.path().to_path_buf(),
            source,
        })?;
    let rev = archive.begin_revision(
        &format!("demo:seed={},hostile={}", spec.seed, spec.hostile),
        now,
    )?;
    let mut ing = Ingest {
        archive,
        buf: RowBuffer {
            rows: Vec::with_capacity(INGEST_BATCH),
            written: 0,
            now,
            rev,
        },
        wanted: HashSet::new(),
        pending: HashMap::new(),
        pending_order: std::collections::VecDeque::new(),
        touched: HashSet::new(),
        early_projects: HashMap::new(),
    };
    let mut failed: Option<ArchiveError> = None;
    crate::demo::generate(spec, &mut |r| {
        if failed.is_none()
            && let Err(e) = ing.record(r)
        {
            failed = Some(e);
        }
    });
    if let Some(e) = failed.take() {
        return Err(e.into());
    }
    ing.buf.flush(ing.archive)?;
    let rows = ing.buf.written;
    let unsafe_keys: Vec<(String, String)> = archive
        .projects_changed_since(rev)?
        .into_iter()
        .filter(|k| !k.starts_with(ANITYA_PREFIX))
        .filter_map(|k| {
            let e = crate::api::client::encode_path(&format!("projects/{k}")).err()?;
            Some((k, e.to_string()))
        })
        .collect();

    let mut entities = BTreeMap::new();
    for k in Kind::ALL {
        let n = archive.count(k)?;
        if n > 0 {
            entities.insert(k.to_string(), n);
        }
    }
    let summary = IngestSummary {
        revision: rev,
        rows,
        entities,
        seconds: t0.elapsed().as_secs_f64(),
    };
    let w = archive.write()?;
    for (key, msg) in &unsafe_keys {
        w.record_error(Kind::Project, key, msg, now)?;
    }
    w.finish_run(
        rev,
        now,
        &serde_json::to_string(&summary).unwrap_or_else(|_| "{}".into()),
    )?;
    w.commit()?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_matching() {
        let mut s = Scope::all();
        assert!(s.contains(None));
        s.add_namespace("gitlab.com/redhat").unwrap();
        s.add_project("https://github.com/packit/ogr.git").unwrap();
        s.add_forge("src.fedoraproject.org").unwrap();
        assert!(s.contains(Some("github.com/packit/ogr")));
        assert!(!s.contains(Some("github.com/packit/ogre")));
        assert!(s.contains(Some("gitlab.com/redhat/centos-stream/src/kernel")));
        assert!(!s.contains(Some("gitlab.com/redhatx/a")));
        assert!(s.contains(Some("src.fedoraproject.org/rpms/x")));
        assert!(!s.contains(None));
        assert_eq!(
            s.canonical(),
            "forge:src.fedoraproject.org namespace:gitlab.com/redhat project:github.com/packit/ogr"
        );
        assert!(s.add_project("github.com/packit").is_err());
        assert!(s.add_namespace("github.com").is_err());
        assert!(s.add_forge("github.com/x").is_err());
        let e = s.add_forge("https:///").unwrap_err().to_string();
        assert_eq!(
            e,
            "invalid scope \"https:///\": a forge is a host name, e.g. github.com"
        );
        let e = s
            .add_project("github.com/packit/.git")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("\"github.com/packit/.git\": a project is"),
            "{e}"
        );
    }

    #[test]
    fn sub_list_ids() {
        let k = "github.com/a/b";
        assert_eq!(
            sub_list_item_id(Kind::ProjectPr, k, &serde_json::json!({"pr_id": 3})).as_deref(),
            Some("github.com/a/b#3")
        );
        assert_eq!(
            sub_list_item_id(Kind::ProjectIssue, k, &serde_json::json!(7)).as_deref(),
            Some("github.com/a/b!7")
        );
        assert_eq!(
            sub_list_item_id(
                Kind::ProjectBranch,
                k,
                &serde_json::json!({"branch": "main"})
            )
            .as_deref(),
            Some("github.com/a/b:main")
        );
        assert_eq!(
            sub_list_item_id(
                Kind::ProjectRelease,
                k,
                &serde_json::json!({"tag_name": "1.0"})
            )
            .as_deref(),
            Some("github.com/a/b@1.0")
        );
    }

    #[test]
    fn labels() {
        assert_eq!(detail_label(Kind::Copr), "copr-builds/{id}");
        assert_eq!(detail_label(Kind::TestingFarm), "testing-farm/{id}");
        assert_eq!(detail_label(Kind::Project), "projects/{project}");
    }

    #[test]
    fn item_projects() {
        let run = serde_json::json!({"trigger": {"project_url": "https://github.com/a/b"}});
        assert_eq!(
            item_project(Kind::Pipeline, &run).as_deref(),
            Some("github.com/a/b")
        );
        assert_eq!(item_project(Kind::Pipeline, &serde_json::json!({})), None);
    }
}
