//! The politeness of one sync towards entities whose fetch keeps failing: which are
//! tried in this run, as [`RefreshPolicy::retry_failing`] allows, and how many were
//! left for a later one (the report's `backed_off`).

use super::error::SyncError;
use super::policy::RefreshPolicy;
use crate::api::Kind;
use crate::archive::Archive;
use std::collections::HashSet;

/// Failure records are `(failures in a row, time of the last)`, as the archive keeps
/// them ([`Archive::failing`], [`Archive::failure_of`]).
pub(super) type FailureRecord = (i64, i64);

/// The back-off of failing entities in one run.
pub(super) struct Backoff {
    policy: RefreshPolicy,
    /// Entities not tried in this run because their fetch keeps failing.
    backed_off: HashSet<(Kind, String)>,
}

impl Backoff {
    pub(super) fn new(policy: RefreshPolicy) -> Backoff {
        Backoff {
            policy,
            backed_off: HashSet::new(),
        }
    }

    /// Whether an entity with this failure record is tried in this sync; one that is
    /// not counts as backed off (once per run).
    pub(super) fn retry(&mut self, kind: Kind, id: &str, failing: Option<&FailureRecord>) -> bool {
        let Some(&(n, at)) = failing else {
            return true;
        };
        let go = self.policy.retry_failing(crate::time::now(), n, at);
        if !go {
            self.backed_off.insert((kind, id.to_string()));
        }
        go
    }

    /// [`Self::retry`] for one stored entity, its failure record read from the archive.
    pub(super) fn retry_stored(
        &mut self,
        archive: &Archive,
        kind: Kind,
        id: &str,
    ) -> Result<bool, SyncError> {
        let f = archive.failure_of(kind, id)?;
        Ok(self.retry(kind, id, f.as_ref()))
    }

    /// Entities left for a later sync.
    pub(super) fn backed_off(&self) -> u64 {
        self.backed_off.len() as u64
    }
}
