//! The heads of Packit-wide lists that a graph-walked sync reads for what the project
//! graph cannot reach ([`HEAD_LISTS`]): pipelines without an SRPM build (releases,
//! downstream Koji builds and Bodhi updates, propose-downstream and pull-from-upstream),
//! the merged `/copr-builds` rows, OpenScanHub scans and Koji tag requests.
//!
//! These lists are newest first (by packit id; `/copr-builds` by the smallest packit id
//! of a build's chroots). The first graph-walked sync reads page 1 of each and keeps
//! its highest id as the list's head mark; every later sync reads pages from the top
//! until it reaches the page that holds the mark, keeping the items of its scope, and
//! moves the mark when the walk got there (a page that cannot be read leaves the mark,
//! so the next sync reads the gap). A `--discover lists` sync that walked a list from
//! its top moves the mark too, so graph syncs after it carry on from there. What a run
//! costs here is one page per list plus a page per 50 items Packit added since the
//! previous run, whatever the size of Packit; nothing older than the first sync is
//! reachable this way: [`super::SyncOptions::backfill`] walks these six lists in full
//! once (resumably), and a `--discover lists` sync (all eleven lists) brings it too.
//!
//! Rows of these lists carry statuses that no detail endpoint serves (a merged Copr
//! build's status per chroot, a release pipeline's jobs): while such a row of the scope
//! is unfinished and recent (submitted less than the refresh policy's `recent_secs`
//! ago), the walk goes down to its page too, so the row is read again. A row still
//! unfinished after that is left as it is (its jobs' details are still refreshed).

use super::crawl::{CursorOp, Lists, global_walk};
use super::error::SyncError;
use super::graph::list_value;
use super::marks::{HEAD_LISTS, head_mark, meta_crawled, order_of, raise_head_mark};
use super::run::Run;
use crate::api::client::PER_PAGE;
use crate::api::{Kind, ListEndpoint};
use serde_json::Value;
use std::collections::HashSet;

/// The walk of the head lists in one run.
#[derive(Default)]
pub(super) struct HeadWalk {
    /// A list's head was read for the first time (nothing older than this sync is
    /// reachable through it).
    started: bool,
}

impl HeadWalk {
    /// Reads the head of each of [`HEAD_LISTS`] (see the module documentation). A page
    /// that cannot be read is a failed list: the sync is incomplete, the mark stays.
    pub(super) async fn walk(
        &mut self,
        run: &mut Run<'_>,
        lists: &mut Lists,
    ) -> Result<(), SyncError> {
        for path in HEAD_LISTS {
            let ep = crate::jobs::list_endpoint(path).expect("a Packit-wide list");
            let w = global_walk(ep);
            let crawled =
                run.archive.meta(&meta_crawled(path))?.as_deref() == Some(run.scope_key());
            if run.opts().backfill && !crawled {
                // the whole list once (resumable; moves the head mark when complete)
                lists.walk(run, &w).await?;
                continue;
            }
            let mark = head_mark(&run.archive, path)?;
            let floor = match (mark, oldest_open_row(run, ep.kind, ep)?) {
                (Some(h), Some(o)) => Some(h.min(o)),
                (h, _) => h,
            };
            run.progress().begin(&w.label);
            let mut seen = HashSet::new();
            let mut top: Option<i64> = None;
            let mut page = 1;
            let complete = loop {
                let Some(p) = Lists::list_page(run, &w, page).await else {
                    break false;
                };
                let n = p.items.len();
                let orders: Vec<i64> = p
                    .items
                    .iter()
                    .filter_map(|raw| serde_json::from_str::<Value>(raw.get()).ok())
                    .filter_map(|v| order_of(ep, &v))
                    .collect();
                top = top.max(orders.iter().copied().max());
                // `/runs` pages can be short before the end (merged pipelines)
                let end = n == 0 || (n < PER_PAGE as usize && path != "runs");
                lists
                    .process_page(run, &w, p.items, &mut seen, None, |_| CursorOp::Keep)
                    .await?;
                let reached = match (floor, orders.iter().min()) {
                    (None, _) => true,
                    (Some(f), Some(l)) => *l <= f,
                    (Some(_), None) => false,
                };
                if end || reached {
                    break true;
                }
                page += 1;
            };
            if complete && let Some(t) = top {
                raise_head_mark(&mut run.archive, path, t)?;
            }
            if mark.is_none() {
                self.started = true;
            }
            run.progress().end(&w.label);
        }
        Ok(())
    }

    /// Whether a head list was read for the first time in this run (its report then
    /// notes what the graph cannot reach).
    pub(super) fn started(&self) -> bool {
        self.started
    }
}

/// The lowest id among the rows of `kind` in the archive that are unfinished and
/// recent, that only the list can bring again (for pipelines: those without an
/// SRPM build, which the graph does not re-read).
fn oldest_open_row(run: &Run<'_>, kind: Kind, ep: &ListEndpoint) -> Result<Option<i64>, SyncError> {
    let since = crate::time::now() - run.opts().refresh.recent_secs;
    let mut lowest: Option<i64> = None;
    for (id, first_seen, _) in run.archive.open_entities_changed_before(kind, i64::MAX)? {
        let Some(e) = run.archive.get(kind, &id)? else {
            continue;
        };
        // recent by its own submission time: a backfill stores old rows that never
        // finished upstream, which would otherwise pull every walk to the bottom
        if e.submitted.unwrap_or(first_seen) < since {
            continue;
        }
        let Some(v) = list_value(&e) else {
            continue;
        };
        // the graph re-reads the pipelines of SRPM builds itself
        if kind == Kind::Pipeline && !v.get("srpm").is_none_or(Value::is_null) {
            continue;
        }
        let Some(n) = order_of(ep, &v) else { continue };
        lowest = Some(lowest.map_or(n, |l| l.min(n)));
    }
    Ok(lowest)
}
