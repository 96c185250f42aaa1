//! One run of a sync or refresh: what every phase shares. The archive revision it
//! writes, the client, the options, the progress sink, the report's tally (counters
//! per endpoint, failures, notes), what this run fetched already, and the politeness
//! towards failing entities ([`Backoff`]). Opening a run takes its revision; finishing
//! it records the report.

use super::backoff::{Backoff, FailureRecord};
use super::error::SyncError;
use super::options::SyncOptions;
use super::policy::RefreshCounts;
use super::progress::Progress;
use super::report::{EndpointReport, Failure, SyncReport};
use crate::api::Kind;
use crate::api::client::{Client, RequestStats};
use crate::archive::Archive;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

/// The archive meta key of the revision the current (possibly interrupted) sync epoch
/// started at.
const META_EPOCH: &str = "sync.epoch_rev";
/// The archive meta key of the scope the saved list positions belong to.
const META_SCOPE: &str = "sync.scope";

/// The shared state of one run (see the module documentation).
pub(super) struct Run<'p> {
    /// The archive the run writes.
    pub(super) archive: Archive,
    client: Arc<Client>,
    opts: SyncOptions,
    rev: i64,
    epoch_rev: i64,
    scope_key: String,
    progress: &'p dyn Progress,
    started: i64,
    t0: Instant,
    counts: BTreeMap<String, EndpointReport>,
    failed_entities: Vec<Failure>,
    failed_lists: Vec<Failure>,
    /// What the report should tell beside the counts (e.g. what the graph misses).
    notes: Vec<String>,
    /// Entities whose detail was fetched in this run.
    fetched: HashSet<(Kind, String)>,
    backoff: Backoff,
}

impl<'p> Run<'p> {
    /// Opens a sync: a new revision of the archive, in the epoch of an interrupted
    /// sync if there is one; the saved list positions are dropped when the scope
    /// changed (they describe other crawls).
    pub(super) fn begin_sync(
        opts: &SyncOptions,
        progress: &'p dyn Progress,
    ) -> Result<Run<'p>, SyncError> {
        let mut run = Run::begin(opts, progress)?;
        let rev = run.rev;
        let archive = &mut run.archive;
        run.epoch_rev = match archive
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
        if archive.meta(META_SCOPE)?.as_deref() != Some(run.scope_key.as_str()) {
            let endpoints = archive.cursor_endpoints()?;
            let w = archive.write()?;
            for e in endpoints {
                w.clear_cursor(&e)?;
            }
            w.set_meta(META_SCOPE, &run.scope_key)?;
            w.commit()?;
        }
        Ok(run)
    }

    /// Opens a targeted refresh: a new revision that is its own epoch.
    pub(super) fn begin_refresh(
        opts: &SyncOptions,
        progress: &'p dyn Progress,
    ) -> Result<Run<'p>, SyncError> {
        Run::begin(opts, progress)
    }

    fn begin(opts: &SyncOptions, progress: &'p dyn Progress) -> Result<Run<'p>, SyncError> {
        let t0 = Instant::now();
        let client = Arc::new(Client::new(opts.client.clone())?);
        let mut archive = Archive::open(&opts.archive)?;
        let started = crate::time::now();
        let rev = archive.begin_revision(&opts.client.base_url, started)?;
        Ok(Run {
            archive,
            client,
            opts: opts.clone(),
            rev,
            epoch_rev: rev,
            scope_key: opts.scope.canonical(),
            progress,
            started,
            t0,
            counts: BTreeMap::new(),
            failed_entities: Vec::new(),
            failed_lists: Vec::new(),
            notes: Vec::new(),
            fetched: HashSet::new(),
            backoff: Backoff::new(opts.refresh),
        })
    }

    /// The revision this run writes.
    pub(super) fn rev(&self) -> i64 {
        self.rev
    }

    /// The revision the sync epoch started at (an interrupted sync's, else [`Self::rev`]).
    pub(super) fn epoch_rev(&self) -> i64 {
        self.epoch_rev
    }

    /// The scope in its canonical form.
    pub(super) fn scope_key(&self) -> &str {
        &self.scope_key
    }

    pub(super) fn opts(&self) -> &SyncOptions {
        &self.opts
    }

    pub(super) fn client(&self) -> &Arc<Client> {
        &self.client
    }

    pub(super) fn progress(&self) -> &'p dyn Progress {
        self.progress
    }

    /// The counters of one endpoint label.
    pub(super) fn count(&mut self, label: &str) -> &mut EndpointReport {
        self.counts.entry(label.to_string()).or_default()
    }

    /// Logs and records entities that could not be fetched.
    pub(super) fn note_failures(&mut self, failures: Vec<Failure>) {
        for f in failures {
            tracing::warn!(kind = %f.kind, id = %f.id, error = %f.error, "fetch failed");
            self.failed_entities.push(f);
        }
    }

    /// Records a list that could not be read (the run is then incomplete).
    pub(super) fn fail_list(&mut self, f: Failure) {
        self.failed_lists.push(f);
    }

    /// The error of the last entity that could not be fetched (empty when none).
    pub(super) fn last_error(&self) -> String {
        self.failed_entities
            .last()
            .map_or_else(String::new, |f| f.error.clone())
    }

    /// Adds a note to the report.
    pub(super) fn note(&mut self, note: String) {
        self.notes.push(note);
    }

    /// Whether this run fetched the detail of `kind`/`id` already.
    pub(super) fn fetched(&self, kind: Kind, id: &str) -> bool {
        self.fetched.contains(&(kind, id.to_string()))
    }

    /// Records that this run fetched the detail of `kind`/`id`.
    pub(super) fn mark_fetched(&mut self, kind: Kind, id: &str) {
        self.fetched.insert((kind, id.to_string()));
    }

    /// Whether a failing entity is tried in this run ([`Backoff::retry`]).
    pub(super) fn retry(&mut self, kind: Kind, id: &str, failing: Option<&FailureRecord>) -> bool {
        self.backoff.retry(kind, id, failing)
    }

    /// [`Self::retry`] for one stored entity, its failure record read from the archive.
    pub(super) fn retry_stored(&mut self, kind: Kind, id: &str) -> Result<bool, SyncError> {
        self.backoff.retry_stored(&self.archive, kind, id)
    }

    /// Entities not tried in this run because their fetch keeps failing.
    pub(super) fn backed_off(&self) -> u64 {
        self.backoff.backed_off()
    }

    /// The report of the run so far (counts plus the client's request statistics);
    /// `refresh` says what the refresh of unfinished entities did.
    pub(super) fn report(&self, refresh: RefreshCounts) -> SyncReport {
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
            discovery: self.opts.effective_discovery().as_str().to_string(),
            started: self.started,
            finished: crate::time::now(),
            seconds: self.t0.elapsed().as_secs_f64(),
            complete: self.failed_lists.is_empty(),
            endpoints,
            totals,
            failed_entities: self.failed_entities.clone(),
            failed_lists: self.failed_lists.clone(),
            not_found: Vec::new(),
            refresh,
            notes: self.notes.clone(),
            unreadable: Vec::new(),
            unreadable_line: None,
        }
    }

    /// Records `report` as the run's result: a complete sync closes its epoch.
    pub(super) fn finish_sync(mut self, report: &SyncReport) -> Result<(), SyncError> {
        let json = serde_json::to_string(report).unwrap_or_else(|_| "{}".into());
        let w = self.archive.write()?;
        w.finish_run(self.rev, report.finished, &json)?;
        if report.complete {
            w.delete_meta(META_EPOCH)?;
        }
        w.commit()?;
        Ok(())
    }

    /// Records `report` as a partial run (a targeted refresh).
    pub(super) fn finish_refresh(mut self, report: &SyncReport) -> Result<(), SyncError> {
        let json = serde_json::to_string(report).unwrap_or_else(|_| "{}".into());
        let w = self.archive.write()?;
        w.finish_partial_run(self.rev, report.finished, &json)?;
        w.commit()?;
        Ok(())
    }
}
