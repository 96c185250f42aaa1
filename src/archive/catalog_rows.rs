//! The rows the model reads: each job's and pipeline's catalog columns, project,
//! snapshot and log names, and entities by number range or id, as plain values
//! (the model's catalog fills itself from them; no SQL outside the archive).

use super::{Archive, ENTITY_COLS, Entity, row_entity};
use crate::api::Kind;
use rusqlite::{OptionalExtension, params};

/// Errors of these queries: SQLite's own (the model reports them as query errors).
pub type QueryError = rusqlite::Error;

/// Result alias of these queries.
pub type QueryResult<T> = std::result::Result<T, QueryError>;

/// The catalog columns of one job or pipeline entity.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CatalogRow {
    /// Extracted status.
    pub status: Option<String>,
    /// Extracted submission time.
    pub submitted: Option<i64>,
    /// Extracted `forge/namespace/repo`.
    pub project: Option<String>,
    /// Extracted trigger key (`pr:12`, `branch:main`, …).
    pub trigger: Option<String>,
    /// Extracted target.
    pub target: Option<String>,
}

/// Reads a [`CatalogRow`] from columns 1 to 5 of `r` (column 0 is the number).
fn catalog_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CatalogRow> {
    Ok(CatalogRow {
        status: r.get(1)?,
        submitted: r.get(2)?,
        project: r.get(3)?,
        trigger: r.get(4)?,
        target: r.get(5)?,
    })
}

/// Stored status and target of an entity.
pub type StatusTarget = (Option<String>, Option<String>);

impl Archive {
    /// Gives this connection a 16 MiB page cache (no memory-mapped reads, which
    /// would count the archive file into the process's resident memory).
    pub fn use_read_cache(&self) {
        let _ = self.conn.execute_batch("PRAGMA cache_size=-16384;");
    }

    /// The API of the newest sync run, if any.
    pub fn last_sync_api(&self) -> Option<String> {
        self.conn
            .query_row(
                "SELECT api FROM sync_run ORDER BY rev DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .ok()
    }

    /// Calls `f` with (kind, id, name) of every archived log with text, in that
    /// order. Archives older than schema 3 (opened read-only, not migrated) have no
    /// logs.
    pub fn for_each_log_name(&self, mut f: impl FnMut(&str, &str, String)) -> QueryResult<()> {
        let Ok(mut st) = self.conn.prepare(
            "SELECT kind, id, name FROM log WHERE data IS NOT NULL ORDER BY kind, id, name",
        ) else {
            return Ok(());
        };
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let (kind, id, name): (String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
            f(&kind, &id, name);
        }
        Ok(())
    }

    /// The names of the archived logs with text of entity `kind`/`id`, ascending;
    /// `None` for an archive without logs.
    pub fn log_names_of(&self, kind: Kind, id: &str) -> QueryResult<Option<Vec<String>>> {
        let Ok(mut st) = self.conn.prepare_cached(
            "SELECT name FROM log WHERE kind=?1 AND id=?2 AND data IS NOT NULL ORDER BY name",
        ) else {
            return Ok(None);
        };
        let names = st
            .query_map(params![kind.as_str(), id], |r| r.get(0))?
            .collect::<QueryResult<_>>()?;
        Ok(Some(names))
    }

    /// Calls `f` with the number and catalog columns of every entity of `kind` with
    /// a numeric id, ascending.
    pub fn for_each_catalog_row(
        &self,
        kind: Kind,
        mut f: impl FnMut(i64, CatalogRow),
    ) -> QueryResult<()> {
        let mut st = self.conn.prepare_cached(
            "SELECT num, status, submitted, project, trigger, target FROM entity WHERE kind=?1 AND num IS NOT NULL ORDER BY num",
        )?;
        let mut rows = st.query([kind.as_str()])?;
        while let Some(r) = rows.next()? {
            f(r.get(0)?, catalog_row(r)?);
        }
        Ok(())
    }

    /// The number (if numeric) and catalog columns of entity `kind`/`id`.
    pub fn catalog_row(
        &self,
        kind: Kind,
        id: &str,
    ) -> QueryResult<Option<(Option<i64>, CatalogRow)>> {
        let mut st = self.conn.prepare_cached(
            "SELECT num, status, submitted, project, trigger, target FROM entity WHERE kind=?1 AND id=?2",
        )?;
        st.query_row(params![kind.as_str(), id], |r| {
            Ok((r.get(0)?, catalog_row(r)?))
        })
        .optional()
    }

    /// Calls `f` with (kind, id) of every project and project sub-list entity.
    pub fn for_each_project_item(&self, mut f: impl FnMut(String, String)) -> QueryResult<()> {
        let mut st = self.conn.prepare("SELECT kind, id FROM entity WHERE kind IN ('project','project-pr','project-branch','project-release','project-issue')")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            f(r.get(0)?, r.get(1)?);
        }
        Ok(())
    }

    /// (kind, id) of the stored snapshots that are not jobs, pipelines or projects
    /// (`usage`, `system`), ordered.
    pub fn snapshot_ids(&self) -> QueryResult<Vec<(String, String)>> {
        let mut st = self.conn.prepare(
            "SELECT kind, id FROM entity WHERE kind IN ('usage','system') ORDER BY kind, id",
        )?;
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect()
    }

    /// Every project key an entity other than a project sub-list names.
    pub fn named_projects(&self) -> QueryResult<Vec<String>> {
        let mut st = self.conn.prepare("SELECT DISTINCT project FROM entity WHERE project IS NOT NULL AND kind NOT IN ('project-pr','project-branch','project-release','project-issue')")?;
        st.query_map([], |r| r.get(0))?.collect()
    }

    /// Calls `f` with the entities of `kind` numbered `lo` to `hi`, newest first.
    pub fn for_each_entity_between(
        &self,
        kind: Kind,
        lo: i64,
        hi: i64,
        mut f: impl FnMut(Entity),
    ) -> QueryResult<()> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {ENTITY_COLS} FROM entity WHERE kind=?1 AND num BETWEEN ?2 AND ?3 ORDER BY num DESC"
        ))?;
        for r in st.query_map(params![kind.as_str(), lo, hi], row_entity)? {
            f(r?);
        }
        Ok(())
    }

    /// One entity by its archive id (the statement is cached per connection).
    pub fn entity_cached(&self, kind: Kind, id: &str) -> QueryResult<Option<Entity>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {ENTITY_COLS} FROM entity WHERE kind=?1 AND id=?2"
        ))?;
        st.query_row(params![kind.as_str(), id], row_entity)
            .optional()
    }

    /// Stored status and target of entity `kind` number `num`.
    pub fn status_target(&self, kind: Kind, num: i64) -> QueryResult<Option<StatusTarget>> {
        // by number: the covering catalog index answers it; the row itself
        // keeps these columns behind its JSON, often on overflow pages
        let mut st = self
            .conn
            .prepare_cached("SELECT status, target FROM entity WHERE kind=?1 AND num=?2")?;
        st.query_row(params![kind.as_str(), num], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
    }
}
