//! What a targeted refresh is asked to re-fetch ([`RefreshRequest`], [`Find`]): the
//! union of what a batch of bus messages made stale.

use crate::api::Kind;
use serde::Serialize;
use std::collections::BTreeSet;

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

/// What a targeted [`refresh`](crate::sync::refresh()) re-fetches: the union of what a batch of bus messages
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

/// Pages of one list a [`refresh`](crate::sync::refresh()) walks at most.
pub const REFRESH_MAX_PAGES: u32 = 5;
