//! Reads of the archive: entities, their history, links, references, crawl cursors
//! and metadata, with the one row mapper that makes an [`Entity`].

use super::{Archive, Entity, Result, Version, sql};
use crate::api::Kind;
use rusqlite::{OptionalExtension, params};

impl Archive {
    /// A metadata value.
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key=?1", [key], |r| r.get(0))
            .optional()
            .map_err(sql(&self.path))
    }

    /// The newest revision (0 for an empty archive).
    pub fn revision(&self) -> Result<i64> {
        Ok(self
            .meta("revision")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }

    /// One entity.
    pub fn get(&self, kind: Kind, id: &str) -> Result<Option<Entity>> {
        self.conn
            .query_row(
                &format!("SELECT {ENTITY_COLS} FROM entity WHERE kind=?1 AND id=?2"),
                params![kind.as_str(), id],
                row_entity,
            )
            .optional()
            .map_err(sql(&self.path))
    }

    /// Number of entities of a kind.
    pub fn count(&self, kind: Kind) -> Result<u64> {
        self.conn
            .query_row(
                "SELECT count(*) FROM entity WHERE kind=?1",
                [kind.as_str()],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u64)
            .map_err(sql(&self.path))
    }

    /// Ids of a kind whose status is not final and that upstream has not deleted.
    pub fn open_ids(&self, kind: Kind) -> Result<Vec<String>> {
        self.ids_where(kind, "is_final=0 AND gone_at IS NULL")
    }

    /// Ids of a kind that have a list item but no detail yet (and are not gone).
    pub fn ids_without_detail(&self, kind: Kind) -> Result<Vec<String>> {
        self.ids_where(kind, "detail_json IS NULL AND gone_at IS NULL")
    }

    /// Entities of a kind whose last fetch failed: id → (failures in a row, when the
    /// last one was).
    pub fn failing(&self, kind: Kind) -> Result<std::collections::HashMap<String, (i64, i64)>> {
        Ok(self
            .rows(
                "SELECT id, error_count, COALESCE(error_at, 0) FROM entity WHERE kind=?1 AND error IS NOT NULL",
                [kind.as_str()],
                |r| Ok((r.get::<_, String>(0)?, (r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))),
            )?
            .into_iter()
            .collect())
    }

    /// The failure record (failures in a row, when the last was) of one entity whose
    /// last fetch failed.
    pub fn failure_of(&self, kind: Kind, id: &str) -> Result<Option<(i64, i64)>> {
        Ok(self
            .rows(
                "SELECT error_count, COALESCE(error_at, 0) FROM entity WHERE kind=?1 AND id=?2 AND error IS NOT NULL",
                params![kind.as_str(), id],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
            )?
            .into_iter()
            .next())
    }

    /// Ids of a kind whose detail (else list item) has the top-level `field` equal to
    /// `value` (numbers compare by their decimal text), with that JSON. A scan of the
    /// kind: meant for scoped archives (a bus message's build in the projects mirrored).
    pub fn ids_by_field(
        &self,
        kind: Kind,
        field: &str,
        value: &str,
    ) -> Result<Vec<(String, String)>> {
        self.rows(
            "SELECT id, COALESCE(detail_json, list_json) AS j FROM entity WHERE kind=?1 AND json_valid(j) \
             AND CAST(json_extract(j, ?2) AS TEXT)=?3 ORDER BY num DESC, id",
            params![kind.as_str(), format!("$.\"{field}\""), value],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
        )
    }

    fn ids_where(&self, kind: Kind, cond: &str) -> Result<Vec<String>> {
        self.rows(
            &format!("SELECT id FROM entity WHERE kind=?1 AND {cond} ORDER BY num DESC, id"),
            [kind.as_str()],
            |r| r.get::<_, String>(0),
        )
    }

    /// Runs a (cached) query and collects its rows as `read` reads them.
    pub(super) fn rows<T, P: rusqlite::Params>(
        &self,
        query: &str,
        params: P,
        read: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        let mut st = self.conn.prepare_cached(query).map_err(sql(&self.path))?;
        let rows = st.query_map(params, read).map_err(sql(&self.path))?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(sql(&self.path))
    }

    /// Runs a query whose first two columns are a kind and an id: (kind, id), rows of
    /// a kind this program does not know left out.
    fn kind_ids<P: rusqlite::Params>(&self, query: &str, params: P) -> Result<Vec<(Kind, String)>> {
        let rows = self.rows(query, params, |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        Ok(rows
            .into_iter()
            .filter_map(|(k, id)| Some((Kind::parse(&k)?, id)))
            .collect())
    }

    /// Calls `f` for every entity of `kind`, newest (highest numeric id) first, without
    /// loading them all at once.
    pub fn for_each(&self, kind: Kind, mut f: impl FnMut(Entity)) -> Result<()> {
        let mut st = self
            .conn
            .prepare_cached(&format!(
                "SELECT {ENTITY_COLS} FROM entity WHERE kind=?1 ORDER BY num DESC, id"
            ))
            .map_err(sql(&self.path))?;
        let mut rows = st.query([kind.as_str()]).map_err(sql(&self.path))?;
        while let Some(r) = rows.next().map_err(sql(&self.path))? {
            f(row_entity(r).map_err(sql(&self.path))?);
        }
        Ok(())
    }

    /// Entities created or changed after revision `since`: (kind, id, created).
    pub fn changed_since(&self, since: i64) -> Result<Vec<(Kind, String, bool)>> {
        // no ORDER BY: sorting in SQL would make SQLite scan the whole table in
        // index order instead of searching the (small) set of changed rows
        let mut rows = self.rows(
            "SELECT kind, num, id, created_rev > ?1 FROM entity WHERE changed_rev > ?1",
            [since],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<i64>>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, bool>(3)?,
                ))
            },
        )?;
        rows.sort();
        Ok(rows
            .into_iter()
            .filter_map(|(k, _, id, created)| Some((Kind::parse(&k)?, id, created)))
            .collect())
    }

    /// Merged pipeline ids a job belongs to.
    pub fn pipelines_of(&self, kind: Kind, id: &str) -> Result<Vec<i64>> {
        self.rows(
            "SELECT pipeline FROM link WHERE job_kind=?1 AND job_id=?2 ORDER BY pipeline",
            params![kind.as_str(), id],
            |r| r.get::<_, i64>(0),
        )
    }

    /// Jobs linked to merged pipeline `pipeline`: (kind, id).
    pub fn jobs_of(&self, pipeline: i64) -> Result<Vec<(Kind, String)>> {
        self.kind_ids(
            "SELECT job_kind, job_id FROM link WHERE pipeline=?1",
            params![pipeline],
        )
    }

    /// Entities whose pages show job `kind`/`id` (they reference it: an SRPM
    /// build, a tested Copr build, a chroot of a Copr build…): (kind, id).
    pub fn referrers(&self, kind: Kind, id: &str) -> Result<Vec<(Kind, String)>> {
        self.kind_ids(
            "SELECT from_kind, from_id FROM ref WHERE to_kind=?1 AND to_id=?2",
            params![kind.as_str(), id],
        )
    }

    /// Extracted project key and trigger of an entity.
    pub fn project_trigger(
        &self,
        kind: Kind,
        id: &str,
    ) -> Result<(Option<String>, Option<String>)> {
        let mut st = self
            .conn
            .prepare_cached("SELECT project, trigger FROM entity WHERE kind=?1 AND id=?2")
            .map_err(sql(&self.path))?;
        Ok(st
            .query_row(params![kind.as_str(), id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .map_err(sql(&self.path))?
            .unwrap_or((None, None)))
    }

    /// The jobs (entities other than pipelines and project items) of one project's
    /// trigger (`pr:12`, `branch:main`, ...).
    pub fn jobs_of_trigger(&self, project: &str, trigger: &str) -> Result<Vec<(Kind, String)>> {
        self.kind_ids(
            "SELECT kind, id FROM entity WHERE project=?1 AND trigger=?2 AND kind NOT IN ('pipeline','project','project-pr','project-branch','project-release','project-issue')",
            params![project, trigger],
        )
    }

    /// Older versions of an entity, newest first: (replaced_at, list_json, detail_json).
    pub fn history(&self, kind: Kind, id: &str) -> Result<Vec<Version>> {
        self.rows(
            "SELECT replaced_at, list_json, detail_json FROM history WHERE kind=?1 AND id=?2 ORDER BY rowid DESC",
            params![kind.as_str(), id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
    }

    /// The saved crawl position of a list endpoint: (next page, revision it started in).
    pub fn cursor(&self, endpoint: &str) -> Result<Option<(u32, i64)>> {
        self.conn
            .query_row(
                "SELECT page, started_rev FROM cursor WHERE endpoint=?1",
                [endpoint],
                |r| Ok((r.get::<_, i64>(0)? as u32, r.get(1)?)),
            )
            .optional()
            .map_err(sql(&self.path))
    }

    /// Ids of a kind whose status is not final, that upstream has not deleted, and
    /// that were last changed before revision `rev` (used by sync to refresh what an
    /// earlier run stored, not what the current run just wrote).
    pub fn open_ids_changed_before(&self, kind: Kind, rev: i64) -> Result<Vec<String>> {
        self.rows(
            "SELECT id FROM entity WHERE kind=?1 AND is_final=0 AND gone_at IS NULL AND changed_rev < ?2 ORDER BY num DESC, id",
            params![kind.as_str(), rev],
            |r| r.get::<_, String>(0),
        )
    }

    /// Like [`Archive::open_ids_changed_before`], with when each was first stored and
    /// last fetched: (id, first_seen, last fetched), newest first.
    pub fn open_entities_changed_before(
        &self,
        kind: Kind,
        rev: i64,
    ) -> Result<Vec<(String, i64, i64)>> {
        self.rows(
            "SELECT id, first_seen, COALESCE(detail_fetched, list_fetched, last_seen) FROM entity WHERE kind=?1 AND is_final=0 AND gone_at IS NULL AND changed_rev < ?2 ORDER BY num DESC, id",
            params![kind.as_str(), rev],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?)),
        )
    }

    /// Targets named in the list items of `parent` (the integer values of the object
    /// `field`, e.g. `packit_id_per_chroot`) that are stored neither with a detail nor
    /// as gone: (parent id, target id). Parents that are gone are skipped.
    pub fn missing_targets(
        &self,
        parent: Kind,
        field: &str,
        target: Kind,
    ) -> Result<Vec<(String, String)>> {
        self.rows(
            "SELECT p.id, CAST(j.value AS TEXT) FROM entity p, json_each(p.list_json, ?2) j \
             WHERE p.kind=?1 AND p.gone_at IS NULL AND json_valid(p.list_json) \
             AND NOT EXISTS (SELECT 1 FROM entity t WHERE t.kind=?3 AND t.id=CAST(j.value AS TEXT) \
             AND (t.detail_json IS NOT NULL OR t.gone_at IS NOT NULL)) ORDER BY p.num DESC, p.id",
            params![parent.as_str(), format!("$.{field}"), target.as_str()],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
        )
    }

    /// Jobs that a pipeline (`link`) or another entity (`ref`) names but that are not
    /// stored at all (neither list item, detail nor gone): (kind, id, referrer kind,
    /// referrer id), one referrer per job. Lists of the real API filter some rows out
    /// (`/copr-builds` drops targets that failed before Copr started) that pipelines
    /// still name; sync fetches these by their detail endpoint.
    pub fn referenced_missing(&self) -> Result<Vec<(Kind, String, Kind, String)>> {
        let rows = self.rows(
            "SELECT k, i, fk, MIN(fi) FROM ( \
               SELECT l.job_kind AS k, l.job_id AS i, 'pipeline' AS fk, CAST(l.pipeline AS TEXT) AS fi FROM link l \
               UNION ALL SELECT r.to_kind, r.to_id, r.from_kind, r.from_id FROM ref r) \
             WHERE NOT EXISTS (SELECT 1 FROM entity t WHERE t.kind=k AND t.id=i) \
             GROUP BY k, i ORDER BY k, CAST(i AS INTEGER) DESC, i",
            [],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            },
        )?;
        Ok(rows
            .into_iter()
            .filter_map(|(k, i, fk, fi)| Some((Kind::parse(&k)?, i, Kind::parse(&fk)?, fi)))
            .collect())
    }

    /// Distinct `forge/namespace/repo` keys of entities created or changed in revision
    /// `rev` or later.
    pub fn projects_changed_since(&self, rev: i64) -> Result<Vec<String>> {
        self.rows(
            "SELECT DISTINCT project FROM entity WHERE changed_rev >= ?1 AND project IS NOT NULL ORDER BY project",
            [rev],
            |r| r.get::<_, String>(0),
        )
    }

    /// Endpoints that have a saved crawl position.
    pub fn cursor_endpoints(&self) -> Result<Vec<String>> {
        self.rows("SELECT endpoint FROM cursor ORDER BY endpoint", [], |r| {
            r.get::<_, String>(0)
        })
    }
}

/// The columns of the `entity` table that make an [`Entity`], in the order
/// [`row_entity`] reads them (for `SELECT {ENTITY_COLS} FROM entity …`).
pub(crate) const ENTITY_COLS: &str = "kind, id, list_json, detail_json, first_seen, last_seen, gone_at, error, status, is_final, submitted, project, created_rev, changed_rev";

/// Reads an [`Entity`] from a row selected with [`ENTITY_COLS`] (an unknown kind reads
/// as [`Kind::System`]).
pub(crate) fn row_entity(r: &rusqlite::Row<'_>) -> rusqlite::Result<Entity> {
    let kind: String = r.get(0)?;
    Ok(Entity {
        kind: Kind::parse(&kind).unwrap_or(Kind::System),
        id: r.get(1)?,
        list_json: r.get(2)?,
        detail_json: r.get(3)?,
        first_seen: r.get(4)?,
        last_seen: r.get(5)?,
        gone_at: r.get(6)?,
        error: r.get(7)?,
        status: r.get(8)?,
        is_final: r.get(9)?,
        submitted: r.get(10)?,
        project: r.get(11)?,
        created_rev: r.get(12)?,
        changed_rev: r.get(13)?,
    })
}
