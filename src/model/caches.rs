//! The caches a catalog carries besides its data: a project's sorted trigger names,
//! the failures feed's sort times and a live session's table rows. All are derived
//! from the archive, so none takes part in comparing catalogs.

use crate::api::Kind;
use crate::jobs::JobList;
use crate::view::Cell;
use std::collections::{HashMap, HashSet};

/// The sorted trigger names of each section of a project, computed once: a
/// project with thousands of pull requests has as many pages that ask for them.
/// Derived from the other fields of the project entry, which leaves it out of its
/// comparisons and hashes.
#[derive(Clone, Debug, Default)]
pub(crate) struct NamesCache(std::sync::OnceLock<Vec<Vec<String>>>);

impl NamesCache {
    /// The names, computed by `f` on first use.
    pub(super) fn get_or_init(&self, f: impl FnOnce() -> Vec<Vec<String>>) -> &Vec<Vec<String>> {
        self.0.get_or_init(f)
    }
}

/// The sort time of the site failures feed (the job's last change, see the
/// feed) of each failed job the feed has looked at, so that a live rebuild reads
/// only the jobs that changed since and the newest few it shows, not every
/// candidate. [`Catalog::apply`](super::Catalog::apply) forgets the entities it updates. Takes no part
/// in comparisons (it is derived from the archive).
#[derive(Debug, Default)]
pub struct FeedTimes(std::sync::Mutex<HashMap<(Kind, i64), i64>>);

impl FeedTimes {
    /// The cache, locked (a poisoned lock is recovered: the map holds no invariant).
    pub fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(Kind, i64), i64>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Table rows a live session has built (job lists, target indexes, pipeline
/// tables), by the entity each row shows, so that an update re-renders its few
/// list pages from the rows that changed instead of reading and parsing every
/// row's JSON again. A row is forgotten by [`Catalog::apply`](super::Catalog::apply) when its entity
/// changes or when any entity it read (the jobs behind its status chips, a list
/// item's detail entity) does, and every row when a project or trigger page
/// comes (a job's trigger cell links to its trigger's page once a pipeline of
/// that trigger is archived). Only catalogs made by [`Catalog::build_live`](super::Catalog::build_live) keep
/// rows. Takes no part in comparisons (it is derived from the archive).
#[derive(Debug, Default)]
pub struct RowCache(std::sync::Mutex<RowCacheInner>);

#[derive(Debug, Default)]
struct RowCacheInner {
    /// Rows by entity, then by table.
    rows: HashMap<(Kind, i64), HashMap<RowTable, Vec<Cell>>>,
    /// Entities whose rows read an entity (besides their own).
    readers: HashMap<(Kind, i64), HashSet<(Kind, i64)>>,
    /// Rows held.
    len: usize,
}

/// Which table a cached row belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum RowTable {
    /// A job list.
    List(JobList),
    /// The target index of a grouping list.
    Target(JobList),
    /// A pipeline table.
    Pipeline,
}

/// Rows a session keeps at most; past that the cache starts over.
const ROW_CACHE_MAX: usize = 50_000;

impl RowCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, RowCacheInner> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn get(&self, table: RowTable, kind: Kind, id: i64) -> Option<Vec<Cell>> {
        self.lock()
            .rows
            .get(&(kind, id))
            .and_then(|t| t.get(&table))
            .cloned()
    }

    pub(super) fn put(
        &self,
        table: RowTable,
        kind: Kind,
        id: i64,
        row: Vec<Cell>,
        reads: &[(Kind, i64)],
    ) {
        let mut c = self.lock();
        if c.len >= ROW_CACHE_MAX {
            *c = RowCacheInner::default();
        }
        for r in reads {
            if *r != (kind, id) {
                c.readers.entry(*r).or_default().insert((kind, id));
            }
        }
        if c.rows
            .entry((kind, id))
            .or_default()
            .insert(table, row)
            .is_none()
        {
            c.len += 1;
        }
    }

    /// Forgets the rows of entity `kind`/`id` and of the entities whose rows read it.
    pub(super) fn forget(&self, kind: Kind, id: i64) {
        let mut c = self.lock();
        let mut gone = c.rows.remove(&(kind, id)).map_or(0, |t| t.len());
        if let Some(readers) = c.readers.remove(&(kind, id)) {
            for r in readers {
                gone += c.rows.remove(&r).map_or(0, |t| t.len());
            }
        }
        c.len -= gone;
    }

    /// Forgets every row.
    pub(super) fn clear(&self) {
        *self.lock() = RowCacheInner::default();
    }
}
