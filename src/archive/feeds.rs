//! The reads of the site's generated views beyond the dashboard: the job rows of
//! Atom feeds, the status a badge shows, and the rows of a filter index shard.
//! Plain rows out; what the pages make of them lives in `crate::pages`.

use super::{Archive, Result, sql};
use crate::api::Kind;
use crate::api::types::StatusClass;
use rusqlite::{OptionalExtension as _, params};

/// One job as a feed reads it from the archive.
#[derive(Clone, Debug)]
pub struct FeedRow {
    /// Kind.
    pub kind: Kind,
    /// Number.
    pub num: i64,
    /// Status text.
    pub status: Option<String>,
    /// Submission time (UNIX seconds).
    pub submitted: Option<i64>,
    /// Target.
    pub target: Option<String>,
    /// Project key.
    pub project: Option<String>,
    /// Trigger (`pr:12`, `branch:main`, …).
    pub trigger: Option<String>,
    /// The detail JSON, else the list item's.
    pub json: Option<String>,
}

/// One row of a filter index shard.
#[derive(Clone, Debug)]
pub struct IndexRow {
    /// Number.
    pub num: i64,
    /// Status text.
    pub status: Option<String>,
    /// Submission time (UNIX seconds).
    pub submitted: Option<i64>,
    /// Project key.
    pub project: Option<String>,
    /// Trigger.
    pub trigger: Option<String>,
    /// Target.
    pub target: Option<String>,
    /// The list item's JSON (when asked for).
    pub json: Option<String>,
}

const JOB_COLS: &str =
    "kind, num, status, submitted, target, project, trigger, COALESCE(detail_json, list_json)";

fn job_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<FeedRow> {
    let kind: String = r.get(0)?;
    Ok(FeedRow {
        kind: Kind::parse(&kind).unwrap_or(Kind::System),
        num: r.get(1)?,
        status: r.get(2)?,
        submitted: r.get(3)?,
        target: r.get(4)?,
        project: r.get(5)?,
        trigger: r.get(6)?,
        json: r.get(7)?,
    })
}

impl Archive {
    /// The feed row of entity `kind`/`id`. Read by primary key (`num=?` would let
    /// SQLite, which has no statistics, walk every row of the kind).
    pub fn feed_row(&self, kind: Kind, id: &str) -> Result<Option<FeedRow>> {
        let mut one = self
            .conn
            .prepare_cached(&format!(
                "SELECT {JOB_COLS} FROM entity WHERE kind=?1 AND id=?2"
            ))
            .map_err(sql(&self.path))?;
        one.query_row(params![kind.as_str(), id], job_row)
            .optional()
            .map_err(sql(&self.path))
    }

    /// The (kind, archive id) of project `project`'s jobs of `kinds`, newest
    /// submission first, only failed and errored ones with `failures`, at most
    /// `max`. Walks the project's index, which holds kind and status, so only the
    /// rows the caller reads later are read in full.
    pub fn project_feed_keys(
        &self,
        project: &str,
        kinds: &[Kind],
        failures: bool,
        max: usize,
    ) -> Result<Vec<(Kind, String)>> {
        let e = sql(&self.path);
        let mut keys: Vec<(Kind, String)> = Vec::new();
        let mut st = self.conn.prepare_cached(
            "SELECT kind, id, status FROM entity WHERE project=?1 AND num IS NOT NULL ORDER BY submitted DESC, num DESC",
        ).map_err(&e)?;
        let mut rows = st.query([project]).map_err(&e)?;
        while let Some(r) = rows.next().map_err(&e)? {
            // borrowed, not copied: a project with few failures is walked whole
            let Some(kind) = r
                .get_ref(0)
                .map_err(&e)?
                .as_str()
                .ok()
                .and_then(Kind::parse)
            else {
                continue;
            };
            if !kinds.contains(&kind) {
                continue;
            }
            if failures {
                let status = r
                    .get_ref(2)
                    .map_err(&e)?
                    .as_str_or_null()
                    .ok()
                    .flatten()
                    .unwrap_or_default();
                if !StatusClass::of(status).is_failure() {
                    continue;
                }
            }
            keys.push((kind, r.get(1).map_err(&e)?));
            if keys.len() >= max {
                break;
            }
        }
        Ok(keys)
    }

    /// The status of the newest job of `kind` of project `project` whose target
    /// `accepts` takes (an empty status for none stored).
    pub fn latest_job_status(
        &self,
        project: &str,
        kind: Kind,
        accepts: impl Fn(Option<&str>) -> bool,
    ) -> Result<Option<String>> {
        let e = sql(&self.path);
        let mut st = self.conn.prepare_cached(
            "SELECT status, target FROM entity WHERE project=?1 AND kind=?2 AND num IS NOT NULL ORDER BY num DESC",
        ).map_err(&e)?;
        let mut rows = st.query(params![project, kind.as_str()]).map_err(&e)?;
        while let Some(r) = rows.next().map_err(&e)? {
            let status: Option<String> = r.get(0).map_err(&e)?;
            let target: Option<String> = r.get(1).map_err(&e)?;
            if accepts(target.as_deref()) {
                return Ok(Some(status.unwrap_or_default()));
            }
        }
        Ok(None)
    }

    /// The rows of kind `kind` numbered `lo..=hi`, ascending, with the list item's
    /// JSON when `with_json`.
    pub fn index_rows(
        &self,
        kind: Kind,
        lo: i64,
        hi: i64,
        with_json: bool,
    ) -> Result<Vec<IndexRow>> {
        self.rows(
            "SELECT num, status, submitted, project, trigger, target, CASE WHEN ?4 THEN list_json END FROM entity WHERE kind=?1 AND num BETWEEN ?2 AND ?3 ORDER BY num",
            params![kind.as_str(), lo, hi, with_json],
            |r| {
                Ok(IndexRow {
                    num: r.get(0)?,
                    status: r.get(1)?,
                    submitted: r.get(2)?,
                    project: r.get(3)?,
                    trigger: r.get(4)?,
                    target: r.get(5)?,
                    json: r.get(6)?,
                })
            },
        )
    }
}
