//! The list walk: its state in one run ([`Lists`]) and the walk of a list page by page,
//! full or incremental, storing each page with its details and cursor in one
//! transaction.

use super::details::{Details, detail_label, details_of, sub_list_item_id, target_statuses};
use super::error::SyncError;
use super::fetch::{Job, Stored, fetch, store_result};
use super::marks::{HEAD_LISTS, meta_crawled, meta_high, order_of, raise_head_mark};
use super::report::{EndpointReport, Failure};
use super::run::Run;
use super::scope::item_project;
use crate::api::client::PER_PAGE;
use crate::api::{self, Kind, ListEndpoint, list_item_id};
use crate::archive::{Change, Part};
use serde_json::Value;
use serde_json::value::RawValue;
use std::collections::{HashMap, HashSet};

/// How list items get their id.
#[derive(Clone, Debug)]
pub(super) enum Ids {
    Global(&'static ListEndpoint),
    /// A project sub-list (kind says which) of the project `key`, which had `failures`
    /// failed fetches in a row before this run (a list that fails continues the count).
    Sub {
        key: String,
        failures: i64,
    },
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

/// The list walk's state in one run: what it saw and the marks it moved.
#[derive(Default)]
pub(super) struct Lists {
    /// List items seen in this run.
    seen_items: HashSet<(Kind, String)>,
    /// High-water marks written in this run, per list path.
    high_written: HashMap<String, i64>,
    /// The top (highest order value) of page 1 of each head list this run's walk
    /// read, for the head mark once the walk completes.
    list_tops: HashMap<String, i64>,
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

impl Lists {
    /// The list items this run's walks saw.
    pub(super) fn seen(&self) -> &HashSet<(Kind, String)> {
        &self.seen_items
    }

    /// Page `page` of the list `w` walks; `None` when the fetch failed, which is logged
    /// and recorded among the failed lists.
    pub(super) async fn list_page(
        run: &mut Run<'_>,
        w: &Walk,
        page: u32,
    ) -> Option<api::client::Page> {
        let client = run.client().clone();
        match client.list_page(&w.label, &w.path, &[], page).await {
            Ok(p) => Some(p),
            Err(e) => {
                if let Ids::Sub { key, failures } = &w.ids {
                    // one project's sub-list: a failure of that project (recorded on
                    // it, backed off), not of the sync
                    let f = Failure::new(&w.label, Kind::Project.as_str(), key, &e.to_string());
                    let now = crate::time::now();
                    let recorded = run.archive.write().and_then(|wr| {
                        let msg = format!("{}: {}", w.label, f.error);
                        wr.record_failure_in_row(Kind::Project, key, &msg, now, failures + 1)?;
                        wr.commit()
                    });
                    if let Err(e) = recorded {
                        tracing::error!(error = %e, "cannot record a project's failure");
                    }
                    run.note_failures(vec![f]);
                    return None;
                }
                let f = Failure::new(&w.path, "", &page.to_string(), &e.to_string());
                tracing::warn!(list = %f.endpoint, page, error = %f.error, "list page failed");
                run.fail_list(f);
                None
            }
        }
    }

    /// The projects list(s) for the scope: all projects, per forge, per namespace
    /// (single projects come with their details in the project phase).
    pub(super) async fn walk_projects(&mut self, run: &mut Run<'_>) -> Result<(), SyncError> {
        let ep = crate::jobs::list_endpoint("projects").expect("projects list");
        let mut walks = Vec::new();
        let scope = &run.opts().scope;
        if scope.is_all() {
            walks.push(("projects".to_string(), "projects".to_string(), true));
        } else {
            for f in &scope.forges {
                walks.push((format!("projects/{f}"), "projects/{forge}".into(), true));
            }
            for n in &scope.namespaces {
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
            self.walk(run, &w).await?;
        }
        Ok(())
    }

    /// Walks one list: resumes a saved crawl, then (or else) a full crawl the first
    /// time or an incremental walk from the top.
    pub(super) async fn walk(&mut self, run: &mut Run<'_>, w: &Walk) -> Result<bool, SyncError> {
        run.progress().begin(&w.label);
        let crawled = run.archive.meta(&meta_crawled(&w.path))?.as_deref() == Some(run.scope_key());
        let high: Option<i64> = run
            .archive
            .meta(&meta_high(&w.path))?
            .and_then(|v| v.parse().ok());
        let mut seen = HashSet::new();
        let head = crawled && w.ordered;
        let mode = if head { Mode::Head } else { Mode::Full };
        let rev = run.rev();
        let ok = match run.archive.cursor(&w.path)? {
            Some((page, started_rev)) => {
                tracing::info!(list = %w.path, page, "resuming interrupted crawl");
                let ok = self
                    .walk_from(run, w, page.max(1), started_rev, mode, high, &mut seen)
                    .await?;
                if ok && w.ordered {
                    // catch what arrived at the top meanwhile
                    self.walk_from(run, w, 1, rev, Mode::Head, high, &mut seen)
                        .await?
                } else {
                    ok
                }
            }
            None => {
                self.walk_from(run, w, 1, rev, mode, high, &mut seen)
                    .await?
            }
        };
        if let Some(t) = self.list_tops.remove(&w.path)
            && ok
        {
            raise_head_mark(&mut run.archive, &w.path, t)?;
        }
        run.progress().end(&w.label);
        Ok(ok)
    }

    #[allow(clippy::too_many_arguments)]
    async fn walk_from(
        &mut self,
        run: &mut Run<'_>,
        w: &Walk,
        start: u32,
        started_rev: i64,
        mode: Mode,
        high: Option<i64>,
        seen: &mut HashSet<String>,
    ) -> Result<bool, SyncError> {
        let mut page = start;
        loop {
            let Some(p) = Self::list_page(run, w, page).await else {
                return Ok(false);
            };
            let n = p.items.len();
            let end = n == 0 || (n < PER_PAGE as usize && w.path != "runs");
            if page == 1
                && let Ids::Global(ep) = &w.ids
                && HEAD_LISTS.contains(&ep.path)
                && w.path == ep.path
            {
                // the top a complete walk moves the list's head mark to
                let top = p
                    .items
                    .iter()
                    .filter_map(|raw| serde_json::from_str::<Value>(raw.get()).ok())
                    .filter_map(|v| order_of(ep, &v))
                    .max();
                if let Some(t) = top {
                    self.list_tops.insert(w.path.clone(), t);
                }
            }
            let fresh = self
                .process_page(run, w, p.items, seen, high, |fresh| {
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
        run: &mut Run<'_>,
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
                Ids::Sub { key, .. } => sub_list_item_id(w.kind, key, &v),
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
                && !run
                    .opts()
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
            let stored = run.archive.get(w.kind, &id)?;
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
                            || run.retry_stored(k, &id)?);
                    if (change != Change::Unchanged || missing)
                        && !run.fetched(k, &id)
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
                            if run.fetched(kind, &tid) {
                                continue;
                            }
                            let ts = run.archive.get(kind, &tid)?;
                            let missing = ts
                                .as_ref()
                                .is_none_or(|e| e.detail_json.is_none() && e.gone_at.is_none());
                            let missing = missing
                                && (change != Change::Unchanged
                                    || ts.as_ref().is_none_or(|e| e.error.is_none())
                                    || run.retry_stored(kind, &tid)?);
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
        let results = fetch(run.client().clone(), &jobs).await;

        // one transaction: items, details, errors, cursor
        let now = crate::time::now();
        let rev = run.rev();
        let scope_key = run.scope_key().to_string();
        let mut detail_counts: Vec<(String, Option<Change>, bool)> = Vec::new();
        let mut failures = Vec::new();
        let mut new_high = None;
        {
            let wr = run.archive.write()?;
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
                        wr.set_meta(&meta_crawled(&w.path), &scope_key)?;
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
            run.mark_fetched(j.kind, &j.id);
        }
        let n = entries.len() as u64;
        run.count(&w.label).add(&report);
        for (label, c, gone) in detail_counts {
            let e = run.count(&label);
            if let Some(c) = c {
                e.count(c);
            }
            if gone {
                e.gone += 1;
            }
        }
        run.note_failures(failures);
        run.progress().advance(&w.label, n);
        Ok(fresh)
    }
}
