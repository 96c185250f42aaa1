//! The list crawler: one run's state ([`Syncer`]) and the walk of a list page by page,
//! full or incremental, storing each page with its details and cursor in one
//! transaction.

use super::details::{Details, detail_label, details_of, sub_list_item_id, target_statuses};
use super::fetch::{Job, Stored, store_result};
use super::{EndpointReport, Failure, Progress, SyncError, SyncOptions, SyncReport, item_project};
use crate::api::client::{Client, PER_PAGE, RequestStats};
use crate::api::{self, Kind, ListEndpoint, list_item_id};
use crate::archive::{Archive, Change, Part};
use serde_json::Value;
use serde_json::value::RawValue;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

/// How list items get their id.
#[derive(Clone, Debug)]
pub(super) enum Ids {
    Global(&'static ListEndpoint),
    /// A project sub-list (kind says which).
    Sub(String),
}

/// One list to walk.
#[derive(Clone, Debug)]
pub(super) struct Walk {
    pub(super) path: String,
    pub(super) label: String,
    pub(super) kind: Kind,
    pub(super) ids: Ids,
    pub(super) details: Details,
    /// Newest first, so an incremental walk may stop early.
    pub(super) ordered: bool,
    /// Drop items outside the scope.
    pub(super) filter: bool,
}

/// What to do with the list's cursor in a page's transaction.
pub(super) enum CursorOp {
    Set(u32, i64),
    /// Leave the list's crawl state alone (targeted refreshes).
    Keep,
    /// Clear; `true`: a full crawl completed (record it).
    Clear(bool),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Mode {
    /// To the end.
    Full,
    /// Until a page brings nothing new.
    Head,
}

pub(super) fn meta_crawled(path: &str) -> String {
    format!("sync.crawled:{path}")
}

pub(super) fn meta_high(path: &str) -> String {
    format!("sync.high:{path}")
}

pub(super) struct Syncer<'p> {
    pub(super) archive: Archive,
    pub(super) client: Arc<Client>,
    pub(super) opts: SyncOptions,
    pub(super) rev: i64,
    pub(super) epoch_rev: i64,
    pub(super) scope_key: String,
    pub(super) progress: &'p dyn Progress,
    pub(super) counts: BTreeMap<String, EndpointReport>,
    pub(super) failed_entities: Vec<Failure>,
    pub(super) failed_lists: Vec<Failure>,
    /// Entities whose detail was fetched (or list item seen) in this run.
    pub(super) fetched: HashSet<(Kind, String)>,
    pub(super) seen_items: HashSet<(Kind, String)>,
    /// High-water marks written in this run, per list path.
    pub(super) high_written: HashMap<String, i64>,
    /// What the refresh of unfinished entities did.
    pub(super) refresh_counts: super::policy::RefreshCounts,
    /// What the report should tell beside the counts (e.g. what the graph misses).
    pub(super) notes: Vec<String>,
    /// Projects whose fetch failed before this sync's project phase: failures in a
    /// row, when the last was (a fetched detail clears the record; a sub-list that
    /// fails again continues the count).
    pub(super) failing_projects: HashMap<String, (i64, i64)>,
    /// Entities not tried in this sync because their fetch keeps failing.
    pub(super) backed_off: HashSet<(Kind, String)>,
    /// Unfinished jobs whose status the scope's PR and branch items show unchanged
    /// (a graph walk, [`super::graph_status`]): not refreshed by the policy.
    pub(super) list_agree: std::collections::BTreeSet<(Kind, String)>,
    /// A graph walk read the heads of Packit-wide lists for the first time (nothing
    /// older than this sync is reachable through them).
    pub(super) heads_started: bool,
    /// The top (highest order value) of page 1 of each head list this run's list walk
    /// read, for [`Syncer::raise_head_mark`] once the walk completes.
    pub(super) list_tops: HashMap<String, i64>,
}

/// The walk of a global list.
pub(super) fn global_walk(ep: &'static ListEndpoint) -> Walk {
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
    pub(super) fn new(
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
            refresh_counts: Default::default(),
            notes: Vec::new(),
            failing_projects: HashMap::new(),
            backed_off: HashSet::new(),
            list_agree: Default::default(),
            heads_started: false,
            list_tops: HashMap::new(),
        }
    }
}

impl Syncer<'_> {
    /// Page `page` of the list `w` walks; `None` when the fetch failed, which is logged
    /// and recorded among the failed lists.
    pub(super) async fn list_page(&mut self, w: &Walk, page: u32) -> Option<api::client::Page> {
        let client = self.client.clone();
        match client.list_page(&w.label, &w.path, &[], page).await {
            Ok(p) => Some(p),
            Err(e) => {
                if let Ids::Sub(key) = &w.ids {
                    // one project's sub-list: a failure of that project (recorded on
                    // it, backed off), not of the sync
                    let f = Failure::new(&w.label, Kind::Project.as_str(), key, &e.to_string());
                    let now = crate::time::now();
                    let before = self.failing_projects.get(key).map_or(0, |f| f.0);
                    let recorded = self.archive.write().and_then(|wr| {
                        let msg = format!("{}: {}", w.label, f.error);
                        wr.record_failure_in_row(Kind::Project, key, &msg, now, before + 1)?;
                        wr.commit()
                    });
                    if let Err(e) = recorded {
                        tracing::error!(error = %e, "cannot record a project's failure");
                    }
                    self.note_failures(vec![f]);
                    return None;
                }
                let f = Failure::new(&w.path, "", &page.to_string(), &e.to_string());
                tracing::warn!(list = %f.endpoint, page, error = %f.error, "list page failed");
                self.failed_lists.push(f);
                None
            }
        }
    }

    /// The report of the run so far (counts plus the client's request statistics).
    pub(super) fn report(&self, started: i64, t0: Instant) -> SyncReport {
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
            started,
            finished: crate::time::now(),
            seconds: t0.elapsed().as_secs_f64(),
            complete: self.failed_lists.is_empty(),
            endpoints,
            totals,
            failed_entities: self.failed_entities.clone(),
            failed_lists: self.failed_lists.clone(),
            not_found: Vec::new(),
            refresh: self.refresh_counts,
            notes: self.notes.clone(),
            unreadable: Vec::new(),
            unreadable_line: None,
        }
    }

    pub(super) fn count(&mut self, label: &str) -> &mut EndpointReport {
        self.counts.entry(label.to_string()).or_default()
    }

    pub(super) fn note_failures(&mut self, failures: Vec<Failure>) {
        for f in failures {
            tracing::warn!(kind = %f.kind, id = %f.id, error = %f.error, "fetch failed");
            self.failed_entities.push(f);
        }
    }

    /// The projects list(s) for the scope: all projects, per forge, per namespace
    /// (single projects come with their details in the project phase).
    pub(super) async fn walk_projects(&mut self) -> Result<(), SyncError> {
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
    pub(super) async fn walk(&mut self, w: &Walk) -> Result<bool, SyncError> {
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
        if let Some(t) = self.list_tops.remove(&w.path)
            && ok
        {
            self.raise_head_mark(&w.path, t)?;
        }
        self.progress.end(&w.label);
        Ok(ok)
    }

    pub(super) async fn walk_from(
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
            if page == 1
                && let Ids::Global(ep) = &w.ids
                && super::HEAD_LISTS.contains(&ep.path)
                && w.path == ep.path
            {
                // the top a complete walk moves the list's head mark to
                let top = p
                    .items
                    .iter()
                    .filter_map(|raw| serde_json::from_str::<Value>(raw.get()).ok())
                    .filter_map(|v| super::graph_heads::order_of(ep, &v))
                    .max();
                if let Some(t) = top {
                    self.list_tops.insert(w.path.clone(), t);
                }
            }
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
    pub(super) async fn process_page(
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
                    Ok(old) if crate::archive::same_content(&old, &v) => Change::Unchanged,
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
                    // a detail that keeps failing backs off while its item stays the same
                    let missing = missing
                        && (change != Change::Unchanged
                            || stored.as_ref().is_none_or(|e| e.error.is_none())
                            || self.retry_stored(k, &id)?);
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
                            let missing = missing
                                && (change != Change::Unchanged
                                    || ts.as_ref().is_none_or(|e| e.error.is_none())
                                    || self.retry_stored(kind, &tid)?);
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
}
