//! Targeted refresh: re-fetches what a batch of bus messages made stale (the items,
//! list heads, unfinished kinds and entities of a [`RefreshRequest`]).

use super::crawl::{CursorOp, Lists, global_walk};
use super::details::{Details, details_of};
use super::error::SyncError;
use super::fetch::{Job, fetch_and_store};
use super::graph_refresh::graph_refresh;
use super::marks::meta_high;
use super::options::{Discovery, SyncOptions};
use super::policy::RefreshCounts;
use super::progress::Progress;
use super::report::SyncReport;
use super::request::{Find, REFRESH_MAX_PAGES, RefreshRequest};
use super::run::Run;
use super::scope::item_project;
use crate::api::client::PER_PAGE;
use crate::api::{Kind, ListEndpoint, list_item_id};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

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
/// archive revision, with the same storage rules as [`sync`](crate::sync()) (never worse than what is
/// stored, every page in one transaction). List crawl state (cursors) and the
/// `last_sync` time of the last full sync are left alone.
/// Items searched for and not found are in the report's `not_found`.
pub async fn refresh(
    opts: &SyncOptions,
    req: &RefreshRequest,
    progress: &dyn Progress,
) -> Result<SyncReport, SyncError> {
    let mut run = Run::begin_refresh(opts, progress)?;
    tracing::debug!(
        rev = run.rev(),
        finds = req.find.len(),
        heads = req.heads.len(),
        "refresh started"
    );
    if opts.effective_discovery() == Discovery::Graph {
        let not_found = graph_refresh(&mut run, req).await?;
        return finish(run, not_found);
    }
    let mut lists = Lists::default();
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
        let found = search(&mut run, &mut lists, ep, &preds).await?;
        for (i, f) in finds.iter().enumerate() {
            let Some(item) = found.get(&i) else {
                not_found.push((*f).clone());
                continue;
            };
            if !opts.scope.contains(item_project(ep.kind, item).as_deref()) {
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
            lists.walk(&mut run, &w).await?;
        }
    }
    wanted.extend(req.entities.iter().cloned());
    for k in &req.open_kinds {
        for id in run.archive.open_ids(*k)? {
            wanted.push((*k, id));
        }
    }
    let mut jobs = Vec::new();
    let mut uniq = HashSet::new();
    for (k, id) in &wanted {
        if !uniq.insert((*k, id.clone())) || run.fetched(*k, id) {
            continue;
        }
        jobs.extend(Job::of_stored(&run.archive, *k, id)?);
    }
    fetch_and_store(&mut run, jobs, "refresh").await?;
    // the pipelines of what was refreshed: walk /runs down to the oldest of them
    let mut runs: BTreeSet<i64> = BTreeSet::new();
    for (k, id) in &uniq {
        if let Some(e) = run.archive.get(*k, id)?
            && let Some(d) = e.detail_json.as_deref()
            && let Ok(v) = serde_json::from_str::<Value>(d)
            && let Some(ids) = v.get("run_ids").and_then(Value::as_array)
        {
            runs.extend(ids.iter().filter_map(Value::as_i64));
        }
    }
    if let Some(&oldest) = runs.first() {
        let ep = crate::jobs::list_endpoint("runs").expect("runs list");
        search(
            &mut run,
            &mut lists,
            ep,
            &[Pred::AtMost {
                field: "merged_run_id",
                value: oldest,
            }],
        )
        .await?;
    }
    finish(run, not_found)
}

/// Records the refresh's report as a partial run and returns it.
fn finish(run: Run<'_>, not_found: Vec<Find>) -> Result<SyncReport, SyncError> {
    let backed_off = run.backed_off();
    let mut report = run.report(RefreshCounts {
        backed_off,
        ..RefreshCounts::default()
    });
    report.not_found = not_found;
    let rev = run.rev();
    run.finish_refresh(&report)?;
    tracing::debug!(rev, requests = report.totals.requests, "refresh finished");
    Ok(report)
}

/// Walks a list from its top, storing pages as an incremental walk does, until
/// every predicate matched an item and a page brought nothing new (or
/// [`REFRESH_MAX_PAGES`], or the list's end). Returns the first matching item per
/// predicate index.
async fn search(
    run: &mut Run<'_>,
    lists: &mut Lists,
    ep: &'static ListEndpoint,
    preds: &[Pred<'_>],
) -> Result<HashMap<usize, Value>, SyncError> {
    let w = global_walk(ep);
    run.progress().begin(&w.label);
    let high: Option<i64> = run
        .archive
        .meta(&meta_high(&w.path))?
        .and_then(|v| v.parse().ok());
    let mut seen = HashSet::new();
    let mut found: HashMap<usize, Value> = HashMap::new();
    for page in 1..=REFRESH_MAX_PAGES {
        let Some(p) = Lists::list_page(run, &w, page).await else {
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
        let fresh = lists
            .process_page(run, &w, p.items, &mut seen, high, |_| CursorOp::Keep)
            .await?;
        let end = n == 0 || (n < PER_PAGE as usize && w.path != "runs");
        if end || (found.len() == preds.len() && fresh == 0) {
            break;
        }
    }
    run.progress().end(&w.label);
    Ok(found)
}
