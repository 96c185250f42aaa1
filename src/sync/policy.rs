//! The refresh policy of unfinished entities: which stored jobs whose status is not
//! final a sync re-fetches. Jobs that never reach a final state (an event lost
//! upstream) would otherwise cost one request each on every sync, forever.
//!
//! - **Recent** (first stored less than [`RefreshPolicy::recent_secs`] ago): every sync.
//! - **Older**: on a back-off schedule, when the time since the last fetch is at least
//!   a quarter of the entity's age (a job stored 8 days ago is re-fetched about every
//!   2 days).
//! - **Given up** (stored more than [`RefreshPolicy::give_up_secs`] ago): only by a
//!   full re-check ([`RefreshPolicy::full_recheck`]).
//!
//! Due entities are refreshed newest first within [`RefreshPolicy::budget`] requests
//! per sync; the rest are deferred to the next one. A full re-check refreshes every
//! unfinished entity, without budget. Age counts from when the archive first stored
//! the entity, so a first sync of old data does not give up on it at once.
//!
//! An entity whose fetch keeps failing (an upstream value the API cannot serve, a
//! URL that can never be requested) backs off too ([`RefreshPolicy::retry_failing`]):
//! after a second failure in a row it is tried again an hour later, then 4, 16, 64
//! hours later, at most weekly; a full re-check tries it at once. Its error stays
//! recorded on it (and shown on its pages); the sync does not fail for it.

use serde::Serialize;

/// How a sync bounds the refresh of unfinished entities (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RefreshPolicy {
    /// Entities first stored less than this many seconds ago are refreshed every sync.
    pub recent_secs: i64,
    /// Entities first stored more than this many seconds ago are given up (refreshed
    /// only by a full re-check).
    pub give_up_secs: i64,
    /// Refresh requests per sync at most.
    pub budget: usize,
    /// Refresh every unfinished entity, given up or not, without budget.
    pub full_recheck: bool,
}

impl Default for RefreshPolicy {
    /// Two days recent, given up after 30 days, 100 requests per sync (20 s at the
    /// default 5 requests/s).
    fn default() -> Self {
        RefreshPolicy {
            recent_secs: 2 * 86_400,
            give_up_secs: 30 * 86_400,
            budget: 100,
            full_recheck: false,
        }
    }
}

/// What the policy says of one unfinished entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Due {
    /// Refresh in this sync (budget permitting).
    Now,
    /// Not yet: its back-off interval has not passed.
    Later,
    /// Too old: only a full re-check refreshes it.
    GivenUp,
}

/// Longest wait between two tries of an entity that keeps failing.
const FAILING_MAX_WAIT: i64 = 7 * 86_400;

impl RefreshPolicy {
    /// Whether an entity whose last `failures` fetches failed, the last at `last_at`,
    /// is tried again at `now` (see the module docs).
    pub fn retry_failing(&self, now: i64, failures: i64, last_at: i64) -> bool {
        if self.full_recheck || failures < 2 {
            return true;
        }
        let wait = 3_600i64
            .saturating_mul(4i64.saturating_pow((failures - 2).min(10) as u32))
            .min(FAILING_MAX_WAIT);
        now - last_at >= wait
    }

    /// The decision for an entity first stored at `first_seen` and last fetched at
    /// `last_fetched` (UNIX seconds), at time `now`.
    pub fn due(&self, now: i64, first_seen: i64, last_fetched: i64) -> Due {
        let age = (now - first_seen).max(0);
        if self.full_recheck {
            return Due::Now;
        }
        if age >= self.give_up_secs {
            return Due::GivenUp;
        }
        if age < self.recent_secs || now - last_fetched >= age / 4 {
            Due::Now
        } else {
            Due::Later
        }
    }
}

/// What the refresh of unfinished entities did in one sync.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RefreshCounts {
    /// Entities re-fetched.
    pub refreshed: u64,
    /// Entities due later (back-off) or over the budget.
    pub deferred: u64,
    /// Entities too old to be refreshed but by a full re-check.
    pub given_up: u64,
    /// Entities (finished or not) whose fetch keeps failing, not tried in this sync
    /// ([`RefreshPolicy::retry_failing`]).
    pub backed_off: u64,
    /// Unfinished jobs not re-fetched because the project's PR and branch lists show
    /// their status unchanged (a graph-walked sync).
    pub listed_unchanged: u64,
    /// Jobs re-fetched because the project's lists show their status moved.
    pub moved: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_every_time_older_backed_off_oldest_given_up() {
        let p = RefreshPolicy::default();
        let day = 86_400;
        let now = 100 * day;
        assert_eq!(p.due(now, now - day, now - 60), Due::Now);
        assert_eq!(p.due(now, now - 8 * day, now - day), Due::Later);
        assert_eq!(p.due(now, now - 8 * day, now - 2 * day), Due::Now);
        assert_eq!(p.due(now, now - 31 * day, now - 20 * day), Due::GivenUp);
        let full = RefreshPolicy {
            full_recheck: true,
            ..p
        };
        assert_eq!(full.due(now, now - 31 * day, now - 60), Due::Now);
    }

    #[test]
    fn failing_entities_back_off_up_to_a_week() {
        let p = RefreshPolicy::default();
        let h = 3_600;
        let now = 1_000 * 86_400;
        assert!(
            p.retry_failing(now, 1, now - 1),
            "one failure: the next sync"
        );
        assert!(!p.retry_failing(now, 2, now - h + 1));
        assert!(p.retry_failing(now, 2, now - h));
        assert!(!p.retry_failing(now, 3, now - 3 * h));
        assert!(p.retry_failing(now, 3, now - 4 * h));
        assert!(!p.retry_failing(now, 40, now - 6 * 86_400));
        assert!(p.retry_failing(now, 40, now - 7 * 86_400));
        let full = RefreshPolicy {
            full_recheck: true,
            ..p
        };
        assert!(full.retry_failing(now, 40, now - 1));
    }
}
