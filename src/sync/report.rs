//! What a sync run did: [`SyncReport`] with its per-endpoint counters and failures,
//! and its human-readable summary.

use super::options::Discovery;
use super::policy::RefreshCounts;
use super::request::Find;
use crate::archive::Change;
use serde::Serialize;
use std::collections::BTreeMap;

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
    pub(super) fn add(&mut self, o: &EndpointReport) {
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

    pub(super) fn count(&mut self, c: Change) {
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
    /// Items a targeted [`refresh`](super::refresh()) looked for and did not find.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_found: Vec<Find>,
    /// Unfinished entities refreshed, deferred and given up ([`RefreshPolicy`](super::RefreshPolicy)).
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
