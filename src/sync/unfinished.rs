//! The refresh of unfinished entities: stored entities whose status is not final are
//! re-fetched by their detail endpoint as the [`RefreshPolicy`](super::policy::RefreshPolicy)
//! allows (recent ones every sync, older ones backed off, the oldest given up, within
//! the per-sync budget), and what it did, for the report.

use super::details::{list_refreshed, open_kinds};
use super::error::SyncError;
use super::fetch::{Job, fetch_and_store};
use super::policy::{Due, RefreshCounts};
use super::run::Run;
use crate::api::Kind;
use std::collections::{BTreeSet, HashSet};

/// The refresh of unfinished entities in one run, and its counts.
#[derive(Default)]
pub(super) struct Unfinished {
    refreshed: u64,
    deferred: u64,
    given_up: u64,
    listed_unchanged: u64,
}

impl Unfinished {
    /// Re-fetches the unfinished entities stored by earlier runs that are due, except
    /// those this run fetched already, the list-only ones its list walk `seen`, and
    /// those a project's lists show unchanged (`agree`, a graph walk).
    pub(super) async fn refresh(
        &mut self,
        run: &mut Run<'_>,
        seen: &HashSet<(Kind, String)>,
        agree: &BTreeSet<(Kind, String)>,
    ) -> Result<(), SyncError> {
        let policy = run.opts().refresh;
        let now = crate::time::now();
        let mut due = Vec::new();
        for k in open_kinds() {
            let list_only = list_refreshed(k);
            let failing = run.archive.failing(k)?;
            for (id, first_seen, fetched) in run
                .archive
                .open_entities_changed_before(k, run.epoch_rev())?
            {
                let key = (k, id);
                if run.fetched(k, &key.1) || (list_only && seen.contains(&key)) {
                    continue;
                }
                if agree.contains(&key) {
                    self.listed_unchanged += 1;
                    continue;
                }
                let id = key.1;
                if !run.retry(k, &id, failing.get(&id)) {
                    continue;
                }
                match policy.due(now, first_seen, fetched) {
                    Due::Now => due.push((first_seen, k, id)),
                    Due::Later => self.deferred += 1,
                    Due::GivenUp => self.given_up += 1,
                }
            }
        }
        // newest first; the budget defers the rest
        due.sort_by_key(|d| std::cmp::Reverse(d.0));
        if !policy.full_recheck && due.len() > policy.budget {
            self.deferred += (due.len() - policy.budget) as u64;
            due.truncate(policy.budget);
        }
        let jobs: Vec<Job> = due
            .into_iter()
            .filter_map(|(_, k, id)| Job::new(k, &id, true, true, None))
            .collect();
        self.refreshed += jobs.len() as u64;
        if !jobs.is_empty() {
            tracing::info!(count = jobs.len(), "refreshing unfinished entities");
        }
        fetch_and_store(run, jobs, "unfinished").await
    }

    /// The report's counts: this refresh's, with the entities the run backed off and
    /// those a graph walk re-fetched because their listed status moved.
    pub(super) fn counts(&self, backed_off: u64, moved: u64) -> RefreshCounts {
        RefreshCounts {
            refreshed: self.refreshed,
            deferred: self.deferred,
            given_up: self.given_up,
            backed_off,
            listed_unchanged: self.listed_unchanged,
            moved,
        }
    }
}
