//! The archive's schema: its version, the migrations that bring older files forward,
//! and the checks of a file's integrity and schema that `packit-pages check` runs.

use super::write::write_refs;
use super::{Archive, ArchiveError, Result, sql};
use crate::api::Kind;
use rusqlite::Connection;
use std::path::Path;

/// Current schema version.
pub const SCHEMA_VERSION: i64 = 5;

const MIGRATIONS: [&str; 5] = [
    r#"
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE entity (
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  num INTEGER,
  list_json TEXT,
  detail_json TEXT,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  list_fetched INTEGER,
  detail_fetched INTEGER,
  gone_at INTEGER,
  error TEXT,
  error_at INTEGER,
  error_count INTEGER NOT NULL DEFAULT 0,
  status TEXT,
  is_final INTEGER NOT NULL DEFAULT 1,
  submitted INTEGER,
  project TEXT,
  trigger TEXT,
  target TEXT,
  created_rev INTEGER NOT NULL,
  changed_rev INTEGER NOT NULL,
  PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE INDEX entity_kind_num ON entity(kind, num);
CREATE INDEX entity_changed ON entity(changed_rev);
CREATE INDEX entity_project ON entity(project, kind, trigger);
CREATE INDEX entity_open ON entity(is_final, kind);
CREATE TABLE history (
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  replaced_at INTEGER NOT NULL,
  rev INTEGER NOT NULL,
  list_json TEXT,
  detail_json TEXT
);
CREATE INDEX history_entity ON history(kind, id);
CREATE TABLE link (
  job_kind TEXT NOT NULL,
  job_id TEXT NOT NULL,
  pipeline INTEGER NOT NULL,
  PRIMARY KEY (job_kind, job_id, pipeline)
) WITHOUT ROWID;
CREATE INDEX link_pipeline ON link(pipeline);
CREATE TABLE cursor (
  endpoint TEXT PRIMARY KEY,
  page INTEGER NOT NULL,
  started_rev INTEGER NOT NULL
);
CREATE TABLE sync_run (
  rev INTEGER PRIMARY KEY,
  api TEXT NOT NULL,
  started INTEGER NOT NULL,
  finished INTEGER,
  report TEXT
);
"#,
    r#"
CREATE TABLE ref (
  to_kind TEXT NOT NULL,
  to_id TEXT NOT NULL,
  from_kind TEXT NOT NULL,
  from_id TEXT NOT NULL,
  PRIMARY KEY (to_kind, to_id, from_kind, from_id)
) WITHOUT ROWID;
CREATE INDEX ref_from ON ref(from_kind, from_id);
"#,
    r#"
CREATE TABLE log (
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  url TEXT,
  fetched_at INTEGER NOT NULL,
  status TEXT NOT NULL,
  size_original INTEGER,
  data BLOB,
  error TEXT,
  PRIMARY KEY (kind, id, name)
) WITHOUT ROWID;
"#,
    // the catalog's one pass reads these columns by kind in id order: a covering index
    // keeps it from visiting the (large) rows; it also serves every (kind, num) lookup
    r#"
CREATE INDEX entity_catalog ON entity(kind, num, status, submitted, project, trigger, target);
DROP INDEX entity_kind_num;
"#,
    // a project's newest jobs (its feeds) without reading or sorting all its rows
    r#"
CREATE INDEX entity_project_time ON entity(project, submitted, num, kind, status);
"#,
];

/// The schema version of an open file; [`ArchiveError::TooNew`] when this program is
/// too old for it.
pub(super) fn schema_version(conn: &Connection, path: &Path) -> Result<i64> {
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(sql(path))?;
    if v > SCHEMA_VERSION {
        return Err(ArchiveError::TooNew {
            path: path.to_path_buf(),
            found: v,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(v)
}

impl Archive {
    pub(super) fn migrate(&mut self) -> Result<()> {
        let path = self.path.clone();
        let v = schema_version(&self.conn, &path)?;
        for (i, m) in MIGRATIONS.iter().enumerate().skip(v as usize) {
            let tx = self.conn.transaction().map_err(sql(&path))?;
            tx.execute_batch(m).map_err(sql(&path))?;
            if i == 1 && v >= 1 {
                backfill_refs(&tx, &path)?;
            }
            tx.pragma_update(None, "user_version", (i + 1) as i64)
                .map_err(sql(&path))?;
            tx.commit().map_err(sql(&path))?;
        }
        Ok(())
    }
}

/// Fills the `ref` table of an archive made before it existed.
fn backfill_refs(tx: &rusqlite::Connection, path: &Path) -> Result<()> {
    let mut st = tx
        .prepare("SELECT kind, id, list_json, detail_json FROM entity WHERE kind IN ('copr','koji','openscanhub','testing-farm','copr-build','propose-downstream-run','pull-from-upstream-run')")
        .map_err(sql(path))?;
    let rows: Vec<(String, String, Option<String>, Option<String>)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .map_err(sql(path))?
        .collect::<std::result::Result<_, _>>()
        .map_err(sql(path))?;
    for (k, id, l, d) in rows {
        if let Some(k) = Kind::parse(&k) {
            write_refs(tx, path, k, &id, l.as_deref(), d.as_deref())?;
        }
    }
    Ok(())
}

/// What SQLite says of an archive file it could read (see [`Archive::integrity_check`]).
#[derive(Debug)]
pub struct Integrity {
    /// The findings of `PRAGMA integrity_check`; empty when it answered `ok`.
    pub damage: Vec<String>,
    /// The schema version the file records (`PRAGMA user_version`).
    pub schema_version: std::result::Result<i64, rusqlite::Error>,
    /// Whether the file has the archive's tables (its `meta` table).
    pub has_tables: bool,
}

/// Why [`Archive::integrity_check`] could not look inside a file.
#[derive(Debug, thiserror::Error)]
pub enum IntegrityError {
    /// SQLite could not open the file.
    #[error("cannot open: {0}")]
    Open(#[source] rusqlite::Error),
    /// The file opened but is not a database SQLite can read.
    #[error("not a readable SQLite archive: {0}")]
    Unreadable(#[source] rusqlite::Error),
}

impl Archive {
    /// Runs SQLite's integrity check on the archive file at `path` (read-only, whatever
    /// its schema version) and reads its schema version and whether it has the
    /// archive's tables.
    pub fn integrity_check(path: &Path) -> std::result::Result<Integrity, IntegrityError> {
        let flags =
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(IntegrityError::Open)?;
        let _ = conn.execute_batch("PRAGMA busy_timeout=10000;");
        let rows: std::result::Result<Vec<String>, rusqlite::Error> = conn
            .prepare("PRAGMA integrity_check")
            .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect());
        let damage = match rows.map_err(IntegrityError::Unreadable)? {
            rows if rows.len() == 1 && rows[0] == "ok" => Vec::new(),
            rows => rows,
        };
        let schema_version = conn.query_row("PRAGMA user_version", [], |r| r.get(0));
        let has_tables = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n > 0)
            .unwrap_or(false);
        Ok(Integrity {
            damage,
            schema_version,
            has_tables,
        })
    }
}

/// Sets the schema version recorded in the archive file at `path` (tests make files
/// of other versions with it).
#[cfg(test)]
pub(crate) fn set_schema_version(path: &Path, version: i64) {
    Connection::open(path)
        .unwrap()
        .pragma_update(None, "user_version", version)
        .unwrap();
}
