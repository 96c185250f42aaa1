//! Targeted refresh: re-fetches what a batch of bus messages made stale (the items,
//! list heads, unfinished kinds and entities of a [`RefreshRequest`]).

use super::crawl::{CursorOp, Syncer, global_walk, meta_high};
use super::details::{Details, details_of};
use super::{Progress, SyncError, SyncOptions, SyncReport, item_project};
use crate::api::client::{Client, PER_PAGE};
use crate::api::{Kind, ListEndpoint, list_item_id};
use crate::archive::Archive;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

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
pub(super) enum Pred<'a> {
    /// `field` equals the find's value.
    Eq(&'a Find),
    /// The numeric `field` is at most `value` (walks `/runs`, newest first, down to a
    /// pipeline id).
    AtMost { field: &'static str, value: i64 },
}

impl Pred<'_> {
    pub(super) fn matches(&self, v: &Value) -> bool {
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
/// archive revision, with the same storage rules as [`sync`](crate::sync()) (never worse than what is
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
    if opts.effective_discovery() == super::Discovery::Graph {
        let not_found = s.graph_refresh(req).await?;
        return finish(s, started, t0, not_found);
    }
    let mut by_list: BTreeMap<&str, Vec<&Find>> = BTreeMap::new();
    for f in &req.find {
        by_list.entry(f.list.as_str()).or_default().push(f);
    }
    let mut not_found: Vec<Find> = Vec::new();
    let mut wanted: Vec<(Kind, String)> = Vec::new();
    for (list, finds) in by_list {
        let Some(ep) = crate::jobs::list_endpoint(list) else {
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
        if let Some(ep) = crate::jobs::list_endpoint(list) {
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
        jobs.extend(s.detail_job(*k, id)?);
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
        let ep = crate::jobs::list_endpoint("runs").expect("runs list");
        s.search(
            ep,
            &[Pred::AtMost {
                field: "merged_run_id",
                value: oldest,
            }],
        )
        .await?;
    }
    finish(s, started, t0, not_found)
}

/// Records the refresh's report as a partial run and returns it.
fn finish(
    mut s: Syncer<'_>,
    started: i64,
    t0: Instant,
    not_found: Vec<Find>,
) -> Result<SyncReport, SyncError> {
    let mut report = s.report(started, t0);
    report.not_found = not_found;
    let json = serde_json::to_string(&report).unwrap_or_else(|_| "{}".into());
    let w = s.archive.write()?;
    w.finish_partial_run(s.rev, report.finished, &json)?;
    w.commit()?;
    tracing::debug!(
        rev = s.rev,
        requests = report.totals.requests,
        "refresh finished"
    );
    Ok(report)
}

impl Syncer<'_> {
    /// Walks a list from its top, storing pages as an incremental walk does, until
    /// every predicate matched an item and a page brought nothing new (or
    /// [`REFRESH_MAX_PAGES`], or the list's end). Returns the first matching item per
    /// predicate index.
    pub(super) async fn search(
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
}
