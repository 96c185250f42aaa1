//! The archive: one SQLite file holding every entity ever fetched from the Packit API.
//!
//! For each entity (kind, id) it keeps the raw JSON exactly as received — the list item
//! and the detail separately — when it was first and last fetched, whether upstream
//! has since deleted it, the last fetch error, and a few extracted keys the site needs
//! (status, finality, submission time, project, trigger, target, job → pipeline links).
//! Superseded versions move to `history`, so nothing once stored is lost (Packit blanks
//! SRPM logs after 30 days; the archive keeps them).
//!
//! Every write goes through a transaction; the file is in WAL mode with full
//! synchronisation, so a crash at any instant leaves the last committed state. The
//! schema is versioned (`PRAGMA user_version`) and migrated forward on open.
//!
//! Each sync run takes a new *revision*; every row records the revision that created it
//! and the one that last changed it, which is how builds find what changed.

use crate::api::types::{self, ProjectInfo, Run, Status};
use crate::api::{Kind, project_key};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde_json::Value;
use std::path::{Path, PathBuf};

pub mod feeds;

/// Errors of the archive.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// SQLite failed.
    #[error("archive {path}: {source}")]
    Sqlite {
        /// Archive file.
        path: PathBuf,
        /// Cause.
        #[source]
        source: rusqlite::Error,
    },
    /// The file was written by a newer packit-pages.
    #[error("archive {path}: schema version {found} is newer than this program's {supported}")]
    TooNew {
        /// Archive file.
        path: PathBuf,
        /// Version in the file.
        found: i64,
        /// Newest version this program knows.
        supported: i64,
    },
    /// A value offered for storage is not valid JSON.
    #[error("{kind} {id}: not valid JSON: {source}")]
    BadJson {
        /// Entity kind.
        kind: Kind,
        /// Entity id.
        id: String,
        /// Cause.
        #[source]
        source: serde_json::Error,
    },
    /// The archive file does not exist (read-only open).
    #[error(
        "archive {0} does not exist (run `packit-pages sync` or `packit-pages demo-archive` first)"
    )]
    Missing(PathBuf),
}

/// Result alias.
pub type Result<T> = std::result::Result<T, ArchiveError>;

/// What a write did to an entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Not stored before.
    New,
    /// Stored before with different content.
    Changed,
    /// Same content as stored.
    Unchanged,
}

/// One stored entity.
#[derive(Clone, Debug)]
pub struct Entity {
    /// Kind.
    pub kind: Kind,
    /// Id.
    pub id: String,
    /// Raw list item JSON as received.
    pub list_json: Option<String>,
    /// Raw detail JSON as received.
    pub detail_json: Option<String>,
    /// UNIX time first stored.
    pub first_seen: i64,
    /// UNIX time last fetched.
    pub last_seen: i64,
    /// UNIX time upstream answered 404 for it, if it did.
    pub gone_at: Option<i64>,
    /// Last fetch error, if the last detail fetch failed.
    pub error: Option<String>,
    /// Extracted status.
    pub status: Option<String>,
    /// Whether the status is final.
    pub is_final: bool,
    /// Extracted submission time.
    pub submitted: Option<i64>,
    /// Extracted `forge/namespace/repo`.
    pub project: Option<String>,
    /// Revision that created it.
    pub created_rev: i64,
    /// Revision that last changed it.
    pub changed_rev: i64,
}

impl Entity {
    /// The richest JSON known: the detail when stored, else the list item.
    pub fn json(&self) -> Option<&str> {
        self.detail_json.as_deref().or(self.list_json.as_deref())
    }
}

/// A superseded version of an entity: (replaced_at, list_json, detail_json).
pub type Version = (i64, Option<String>, Option<String>);

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

/// What became of one log of a job in the archive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogStatus {
    /// Stored whole.
    Stored,
    /// Stored up to the size cap; the rest was dropped.
    Capped,
    /// The fetch failed (see the error); tried again by the next sync.
    Failed,
    /// Upstream no longer has it (404/410).
    Pruned,
}

impl LogStatus {
    /// The name stored in the archive.
    pub fn as_str(self) -> &'static str {
        match self {
            LogStatus::Stored => "stored",
            LogStatus::Capped => "capped",
            LogStatus::Failed => "failed",
            LogStatus::Pruned => "pruned",
        }
    }

    /// Parses a stored name (unknown names read as failed).
    pub fn parse(s: &str) -> LogStatus {
        match s {
            "stored" => LogStatus::Stored,
            "capped" => LogStatus::Capped,
            "pruned" => LogStatus::Pruned,
            _ => LogStatus::Failed,
        }
    }

    /// Whether text is stored.
    pub fn has_text(self) -> bool {
        matches!(self, LogStatus::Stored | LogStatus::Capped)
    }
}

/// One archived log of a job, without its text.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LogInfo {
    /// Job kind.
    #[serde(skip)]
    pub kind: Kind,
    /// Job id.
    pub id: String,
    /// Log name (`[a-z0-9._-]`, unique per job), e.g. `builder-live` or `srpm`.
    pub name: String,
    /// Where it was fetched from (None for logs the API returned inline).
    pub url: Option<String>,
    /// UNIX time of the (last) fetch.
    pub fetched_at: i64,
    /// What became of it.
    pub status: LogStatus,
    /// Size of the original text in bytes, as far as it was read (the cap plus one
    /// when capped).
    pub size_original: Option<i64>,
    /// Size of the stored (compressed) data.
    pub size_stored: i64,
    /// Fetch error, for failed logs.
    pub error: Option<String>,
}

/// Compresses log text for storage (gzip).
pub fn compress_log(text: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // writing to a Vec cannot fail
    let _ = e.write_all(text);
    e.finish().unwrap_or_default()
}

/// Where one log of a job comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogSource {
    /// Log name, unique per job (`[a-z0-9._-]`).
    pub name: String,
    /// A linked text log (fetched for failed jobs only).
    pub url: Option<String>,
    /// A log the API returned inline.
    pub inline: Option<String>,
}

fn log_name_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>()
        .trim_matches(['-', '.'])
        .to_string()
}

/// The logs a job's JSON (detail or list item) names: SRPM `logs` (inline) and
/// `logs_url`; Copr `build_logs_url` (`builder-live.log`, gzip or not) and the `build.log.gz` beside
/// it; Koji `build_submission_stdout` (inline) and `build_logs_urls` (per arch); the
/// `logs` of propose-downstream and pull-from-upstream targets (inline). Empty text
/// and non-http(s) URLs are left out.
pub fn log_sources(kind: Kind, json: &Value) -> Vec<LogSource> {
    let text = |k: &str| {
        json.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string)
    };
    let http = |u: String| {
        let l = u.to_ascii_lowercase();
        (l.starts_with("http://") || l.starts_with("https://")).then_some(u)
    };
    let inline = |name: &str, t: Option<String>| {
        t.map(|t| LogSource {
            name: name.into(),
            url: None,
            inline: Some(t),
        })
    };
    let linked = |name: String, u: Option<String>| {
        u.and_then(http).map(|u| LogSource {
            name,
            url: Some(u),
            inline: None,
        })
    };
    let mut out = Vec::new();
    match kind {
        Kind::Srpm => {
            out.extend(inline("srpm", text("logs")));
            out.extend(linked("srpm-builder-live".into(), text("logs_url")));
        }
        Kind::Copr => {
            if let Some(u) = text("build_logs_url").and_then(http) {
                let dir = u
                    .strip_suffix("builder-live.log")
                    .or_else(|| u.strip_suffix("builder-live.log.gz"));
                if let Some(dir) = dir {
                    out.extend(linked("build".into(), Some(format!("{dir}build.log.gz"))));
                }
                out.extend(linked("builder-live".into(), Some(u)));
            }
        }
        Kind::Koji => {
            out.extend(inline("submission", text("build_submission_stdout")));
            match json.get("build_logs_urls") {
                Some(Value::Object(m)) => {
                    for (arch, u) in m {
                        let name = format!("build-{}", log_name_part(arch));
                        out.extend(linked(name, u.as_str().map(str::to_string)));
                    }
                }
                Some(Value::String(u)) => out.extend(linked("build".into(), Some(u.clone()))),
                _ => {}
            }
        }
        Kind::ProposeDownstream | Kind::PullFromUpstream => {
            out.extend(inline("sync-release", text("logs")));
        }
        _ => {}
    }
    out
}

const LOG_COLS: &str =
    "kind, id, name, url, fetched_at, status, size_original, COALESCE(LENGTH(data), 0), error";

fn row_log(r: &rusqlite::Row<'_>) -> rusqlite::Result<LogInfo> {
    let kind: String = r.get(0)?;
    let status: String = r.get(5)?;
    Ok(LogInfo {
        kind: Kind::parse(&kind).unwrap_or(Kind::System),
        id: r.get(1)?,
        name: r.get(2)?,
        url: r.get(3)?,
        fetched_at: r.get(4)?,
        status: LogStatus::parse(&status),
        size_original: r.get(6)?,
        size_stored: r.get(7)?,
        error: r.get(8)?,
    })
}

/// Extracted keys of an entity.
#[derive(Debug, Default, Clone, PartialEq)]
struct Extract {
    status: Option<String>,
    is_final: bool,
    submitted: Option<i64>,
    project: Option<String>,
    trigger: Option<String>,
    target: Option<String>,
}

impl Extract {
    /// Sets the status (and finality), submission time, project and trigger of a
    /// single job.
    fn job(&mut self, status: &Status, submitted: Option<i64>, info: &ProjectInfo) {
        self.is_final = status.is_final();
        self.status = Some(status.0.clone());
        self.submitted = submitted;
        (self.project, self.trigger) = info_keys(info);
    }
}

/// The archive file.
pub struct Archive {
    conn: Connection,
    path: PathBuf,
}

fn sql(path: &Path) -> impl Fn(rusqlite::Error) -> ArchiveError + '_ {
    move |source| ArchiveError::Sqlite {
        path: path.to_path_buf(),
        source,
    }
}

/// The schema version of an open file; [`ArchiveError::TooNew`] when this program is
/// too old for it.
fn schema_version(conn: &Connection, path: &Path) -> Result<i64> {
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
    /// Opens (creating and migrating as needed) an archive for reading and writing.
    pub fn open(path: impl AsRef<Path>) -> Result<Archive> {
        let path = path.as_ref().to_path_buf();
        let conn = Connection::open(&path).map_err(sql(&path))?;
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;",
        )
        .map_err(sql(&path))?;
        conn.set_prepared_statement_cache_capacity(64);
        let mut a = Archive { conn, path };
        a.migrate()?;
        Ok(a)
    }

    /// Opens an existing archive read-only (for building sites, in parallel).
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Archive> {
        let path = path.as_ref().to_path_buf();
        if !path.exists() {
            return Err(ArchiveError::Missing(path));
        }
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(sql(&path))?;
        conn.execute_batch("PRAGMA busy_timeout=10000;")
            .map_err(sql(&path))?;
        schema_version(&conn, &path)?;
        Ok(Archive { conn, path })
    }

    /// [`Archive::open_read_only`], reading pages through a memory map of the file
    /// instead of a system call and a copy each (SQLite maps at most 2 GiB). For the
    /// renderers of live updates, which open fresh connections with cold page caches
    /// for every update: 10-15 % less CPU per update. Full builds do not map: every
    /// connection's map counts the pages it touched in the process's resident size.
    pub fn open_read_only_mapped(path: impl AsRef<Path>) -> Result<Archive> {
        let a = Archive::open_read_only(path)?;
        a.conn
            .execute_batch("PRAGMA mmap_size=2147418112;")
            .map_err(sql(&a.path))?;
        Ok(a)
    }

    /// Makes every later read of this connection one read transaction, held until the
    /// connection closes: all reads see the same snapshot of the archive (a sync that
    /// commits meanwhile is not half seen), and SQLite does not take and drop its file
    /// lock and look at the file's size for each statement (a full build runs one
    /// statement or more per file it writes). For read-only connections that live as long
    /// as one build or one update.
    pub fn hold_snapshot(&self) -> Result<()> {
        self.conn.execute_batch("BEGIN").map_err(sql(&self.path))?;
        // the transaction takes its snapshot at its first read: now
        self.conn
            .query_row("SELECT count(*) FROM meta", [], |_| Ok(()))
            .map_err(sql(&self.path))
    }

    /// Brings an existing archive of an older schema up to this program's, when
    /// its file can be written (a build then reads it with the newer indexes);
    /// leaves it alone otherwise (every schema version this program knows is still
    /// read correctly, only slower). An upgrade that fails (a read-only mount the
    /// permission bits do not show, a full disk) is logged as a warning and the
    /// archive is read as it is. Returns whether it migrated.
    pub fn upgrade(path: impl AsRef<Path>) -> Result<bool> {
        let path = path.as_ref();
        let ro = Archive::open_read_only(path)?;
        let v = schema_version(&ro.conn, path)?;
        drop(ro);
        let writable = std::fs::metadata(path).is_ok_and(|m| !m.permissions().readonly());
        if v >= SCHEMA_VERSION || !writable {
            return Ok(false);
        }
        match Archive::open(path) {
            Ok(_) => Ok(true),
            Err(e) => {
                tracing::warn!(
                    "{}: reading the archive at schema version {v} (could not upgrade it to {SCHEMA_VERSION}: {e})",
                    path.display()
                );
                Ok(false)
            }
        }
    }

    /// The archive file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn migrate(&mut self) -> Result<()> {
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

    /// Starts a write transaction.
    pub fn write(&mut self) -> Result<Writer<'_>> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(sql(&path))?;
        Ok(Writer { tx, path })
    }

    /// Takes a new revision for a sync run against `api` and records the run. Committed
    /// at once, so the revision is never reused.
    pub fn begin_revision(&mut self, api: &str, now: i64) -> Result<i64> {
        let w = self.write()?;
        let rev = w.bump_revision()?;
        w.exec(
            "INSERT INTO sync_run(rev, api, started) VALUES (?1, ?2, ?3)",
            params![rev, api, now],
        )?;
        w.commit()?;
        Ok(rev)
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

    fn ids_where(&self, kind: Kind, cond: &str) -> Result<Vec<String>> {
        self.rows(
            &format!("SELECT id FROM entity WHERE kind=?1 AND {cond} ORDER BY num DESC, id"),
            [kind.as_str()],
            |r| r.get::<_, String>(0),
        )
    }

    /// Runs a (cached) query and collects its rows as `read` reads them.
    fn rows<T, P: rusqlite::Params>(
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
        let rows = self.rows(
            "SELECT kind, id FROM entity WHERE project=?1 AND trigger=?2 AND kind NOT IN ('pipeline','project','project-pr','project-branch','project-release','project-issue')",
            params![project, trigger],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
        )?;
        Ok(rows
            .into_iter()
            .filter_map(|(k, id)| Some((Kind::parse(&k)?, id)))
            .collect())
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

    /// The archived logs of one job, by name.
    pub fn logs_of(&self, kind: Kind, id: &str) -> Result<Vec<LogInfo>> {
        self.rows(
            &format!("SELECT {LOG_COLS} FROM log WHERE kind=?1 AND id=?2 ORDER BY name"),
            params![kind.as_str(), id],
            row_log,
        )
    }

    /// Every archived log record (without text), by job and name.
    pub fn all_logs(&self) -> Result<Vec<LogInfo>> {
        self.rows(
            &format!("SELECT {LOG_COLS} FROM log ORDER BY kind, id, name"),
            [],
            row_log,
        )
    }

    /// The text of an archived log (None when not stored), decompressed.
    pub fn log_text(&self, kind: Kind, id: &str, name: &str) -> Result<Option<Vec<u8>>> {
        let data: Option<Option<Vec<u8>>> = self
            .conn
            .query_row(
                "SELECT data FROM log WHERE kind=?1 AND id=?2 AND name=?3",
                params![kind.as_str(), id, name],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql(&self.path))?;
        Ok(data
            .flatten()
            .map(|d| crate::api::client::gunzip_capped(&d, usize::MAX as u64 - 1).0))
    }

    /// Total bytes of stored (compressed) log data.
    pub fn log_bytes(&self) -> Result<i64> {
        self.conn
            .query_row("SELECT COALESCE(SUM(LENGTH(data)), 0) FROM log", [], |r| {
                r.get(0)
            })
            .map_err(sql(&self.path))
    }

    /// The underlying connection, for read-only queries by later stages.
    pub fn connection(&self) -> &Connection {
        &self.conn
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

/// Which half of an entity a write stores.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// The list item.
    List,
    /// The detail response.
    Detail,
}

/// A write transaction. Dropping it without [`Writer::commit`] rolls back.
pub struct Writer<'a> {
    tx: rusqlite::Transaction<'a>,
    path: PathBuf,
}

impl Writer<'_> {
    /// Runs one statement of the transaction.
    fn exec(&self, statement: &str, params: impl rusqlite::Params) -> Result<()> {
        self.tx
            .execute(statement, params)
            .map_err(sql(&self.path))?;
        Ok(())
    }

    fn bump_revision(&self) -> Result<i64> {
        let cur: Option<String> = self
            .tx
            .query_row("SELECT value FROM meta WHERE key='revision'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(sql(&self.path))?;
        let rev = cur.and_then(|v| v.parse::<i64>().ok()).unwrap_or(0) + 1;
        self.set_meta("revision", &rev.to_string())?;
        Ok(rev)
    }

    /// Sets a metadata value.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.exec(
            "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            params![key, value],
        )
    }

    /// Stores one half of an entity exactly as received. Content equal (as JSON) to
    /// what is stored only refreshes `last_seen`; different content moves the old
    /// version to history.
    pub fn put(
        &self,
        kind: Kind,
        id: &str,
        part: Part,
        raw: &str,
        now: i64,
        rev: i64,
    ) -> Result<Change> {
        let value: Value = serde_json::from_str(raw).map_err(|source| ArchiveError::BadJson {
            kind,
            id: id.to_string(),
            source,
        })?;
        let col = match part {
            Part::List => "list_json",
            Part::Detail => "detail_json",
        };
        let fetched_col = match part {
            Part::List => "list_fetched",
            Part::Detail => "detail_fetched",
        };
        let old = self.halves(kind, id)?;
        let num: Option<i64> = id.parse().ok();
        let change = match &old {
            None => Change::New,
            Some((l, d)) => {
                let prev = match part {
                    Part::List => l,
                    Part::Detail => d,
                };
                match prev.as_deref().map(serde_json::from_str::<Value>) {
                    Some(Ok(p)) if p == value => Change::Unchanged,
                    _ => Change::Changed,
                }
            }
        };
        match (change, old) {
            (Change::Unchanged, _) => {
                self.tx
                    .prepare_cached(&format!("UPDATE entity SET last_seen=?3, {fetched_col}=?3, gone_at=NULL, error=NULL, error_count=0 WHERE kind=?1 AND id=?2"))
                    .and_then(|mut st| st.execute(params![kind.as_str(), id, now]))
                    .map_err(sql(&self.path))?;
                return Ok(Change::Unchanged);
            }
            (Change::New, _) => {
                self.tx
                    .prepare_cached(&format!("INSERT INTO entity(kind, id, num, {col}, first_seen, last_seen, {fetched_col}, created_rev, changed_rev) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?5, ?6, ?6)"))
                    .and_then(|mut st| st.execute(params![kind.as_str(), id, num, raw, now, rev]))
                    .map_err(sql(&self.path))?;
            }
            (Change::Changed, Some((l, d))) => {
                let had_this_part = match part {
                    Part::List => l.is_some(),
                    Part::Detail => d.is_some(),
                };
                if had_this_part {
                    self.tx
                        .prepare_cached("INSERT INTO history(kind, id, replaced_at, rev, list_json, detail_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
                        .and_then(|mut st| st.execute(params![kind.as_str(), id, now, rev, l, d]))
                        .map_err(sql(&self.path))?;
                }
                self.tx
                    .prepare_cached(&format!("UPDATE entity SET {col}=?3, last_seen=?4, {fetched_col}=?4, gone_at=NULL, error=NULL, error_count=0, changed_rev=?5 WHERE kind=?1 AND id=?2"))
                    .and_then(|mut st| st.execute(params![kind.as_str(), id, raw, now, rev]))
                    .map_err(sql(&self.path))?;
            }
            (Change::Changed, None) => unreachable!("a change needs a stored row"),
        }
        self.reextract(kind, id)?;
        Ok(change)
    }

    /// The stored list item and detail of an entity; None when it is not stored.
    fn halves(&self, kind: Kind, id: &str) -> Result<Option<(Option<String>, Option<String>)>> {
        self.tx
            .prepare_cached("SELECT list_json, detail_json FROM entity WHERE kind=?1 AND id=?2")
            .and_then(|mut st| {
                st.query_row(params![kind.as_str(), id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .map_err(sql(&self.path))
    }

    /// Recomputes the extracted keys (and links) of an entity from its stored JSON.
    fn reextract(&self, kind: Kind, id: &str) -> Result<()> {
        let (l, d) = self
            .halves(kind, id)?
            .ok_or_else(|| sql(&self.path)(rusqlite::Error::QueryReturnedNoRows))?;
        let ex = extract(kind, l.as_deref(), d.as_deref());
        self.tx
            .prepare_cached("UPDATE entity SET status=?3, is_final=?4, submitted=?5, project=?6, trigger=?7, target=?8 WHERE kind=?1 AND id=?2")
            .and_then(|mut st| st.execute(params![kind.as_str(), id, ex.status, ex.is_final, ex.submitted, ex.project, ex.trigger, ex.target]))
            .map_err(sql(&self.path))?;
        if kind == Kind::Pipeline {
            self.write_links(id, l.as_deref())?;
        }
        self.write_refs(kind, id, l.as_deref(), d.as_deref())?;
        Ok(())
    }

    /// Rewrites the references entity `kind`/`id` makes to other jobs.
    fn write_refs(
        &self,
        kind: Kind,
        id: &str,
        list: Option<&str>,
        detail: Option<&str>,
    ) -> Result<()> {
        write_refs(&self.tx, &self.path, kind, id, list, detail)
    }

    /// Rewrites the job → pipeline links of pipeline `id` from its list item.
    fn write_links(&self, id: &str, list: Option<&str>) -> Result<()> {
        let pid: i64 = id.parse().unwrap_or(0);
        self.tx
            .prepare_cached("DELETE FROM link WHERE pipeline=?1")
            .and_then(|mut st| st.execute([pid]))
            .map_err(sql(&self.path))?;
        if let Some(run) = list.and_then(|s| serde_json::from_str::<Run>(s).ok()) {
            let mut ins = self
                .tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO link(job_kind, job_id, pipeline) VALUES (?1, ?2, ?3)",
                )
                .map_err(sql(&self.path))?;
            for (k, job) in run_jobs(&run) {
                if let Some(jid) = job.packit_id {
                    ins.execute(params![k.as_str(), jid.to_string(), pid])
                        .map_err(sql(&self.path))?;
                }
            }
        }
        Ok(())
    }

    /// Stores an entity not stored before with both halves at once, exactly as
    /// [`Writer::put`] of each half would, in one statement (for bulk loads). Returns
    /// `false` and writes nothing when the entity exists already; use `put` then.
    pub fn insert_new(
        &self,
        kind: Kind,
        id: &str,
        list: Option<&str>,
        detail: Option<&str>,
        now: i64,
        rev: i64,
    ) -> Result<bool> {
        for raw in [list, detail].into_iter().flatten() {
            serde_json::from_str::<serde::de::IgnoredAny>(raw).map_err(|source| {
                ArchiveError::BadJson {
                    kind,
                    id: id.to_string(),
                    source,
                }
            })?;
        }
        let ex = extract(kind, list, detail);
        let num: Option<i64> = id.parse().ok();
        let n = self
            .tx
            .prepare_cached(
                "INSERT INTO entity(kind, id, num, list_json, detail_json, first_seen, last_seen, list_fetched, detail_fetched, created_rev, changed_rev, status, is_final, submitted, project, trigger, target) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8, ?9, ?9, ?10, ?11, ?12, ?13, ?14, ?15) ON CONFLICT(kind, id) DO NOTHING",
            )
            .and_then(|mut st| {
                st.execute(params![
                    kind.as_str(),
                    id,
                    num,
                    list,
                    detail,
                    now,
                    list.map(|_| now),
                    detail.map(|_| now),
                    rev,
                    ex.status,
                    ex.is_final,
                    ex.submitted,
                    ex.project,
                    ex.trigger,
                    ex.target
                ])
            })
            .map_err(sql(&self.path))?;
        if n == 0 {
            return Ok(false);
        }
        if kind == Kind::Pipeline {
            self.write_links(id, list)?;
        }
        self.write_refs(kind, id, list, detail)?;
        Ok(true)
    }

    /// Marks an entity as deleted upstream (404 on re-fetch). It stays in the archive.
    pub fn mark_gone(&self, kind: Kind, id: &str, now: i64, rev: i64) -> Result<()> {
        self.exec(
            "UPDATE entity SET gone_at=?3, changed_rev=?4 WHERE kind=?1 AND id=?2 AND gone_at IS NULL",
            params![kind.as_str(), id, now, rev],
        )
    }

    /// Records a failed fetch of an entity; its stored data is left untouched. The
    /// entity counts as changed in the current revision (its pages show the error).
    pub fn record_error(&self, kind: Kind, id: &str, message: &str, now: i64) -> Result<()> {
        self.exec(
            "UPDATE entity SET error=?3, error_at=?4, error_count=error_count+1, changed_rev=MAX(changed_rev, COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key='revision'), 0)) WHERE kind=?1 AND id=?2",
            params![kind.as_str(), id, message, now],
        )
    }

    /// Stores (or replaces) one log of a job: `text` is the log as read (already cut to
    /// the cap when `status` is capped), `size_original` how many bytes were read. The
    /// job counts as changed in the current revision (its pages show the log). Returns
    /// the size of the stored (compressed) data.
    #[allow(clippy::too_many_arguments)]
    pub fn put_log(
        &self,
        kind: Kind,
        id: &str,
        name: &str,
        url: Option<&str>,
        status: LogStatus,
        text: Option<&[u8]>,
        size_original: Option<i64>,
        error: Option<&str>,
        now: i64,
    ) -> Result<usize> {
        let data = text.map(compress_log);
        let stored = data.as_ref().map_or(0, Vec::len);
        self.exec(
            "INSERT INTO log(kind, id, name, url, fetched_at, status, size_original, data, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
             ON CONFLICT(kind, id, name) DO UPDATE SET url=excluded.url, fetched_at=excluded.fetched_at, status=excluded.status, size_original=excluded.size_original, data=excluded.data, error=excluded.error",
            params![kind.as_str(), id, name, url, now, status.as_str(), size_original, data, error],
        )?;
        self.exec(
            "UPDATE entity SET changed_rev=MAX(changed_rev, COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key='revision'), 0)) WHERE kind=?1 AND id=?2",
            params![kind.as_str(), id],
        )?;
        Ok(stored)
    }

    /// Saves the crawl position of a list endpoint.
    pub fn set_cursor(&self, endpoint: &str, page: u32, started_rev: i64) -> Result<()> {
        self.exec(
            "INSERT INTO cursor(endpoint, page, started_rev) VALUES (?1, ?2, ?3) ON CONFLICT(endpoint) DO UPDATE SET page=excluded.page, started_rev=excluded.started_rev",
            params![endpoint, page as i64, started_rev],
        )
    }

    /// Forgets the crawl position of a list endpoint (its crawl completed).
    pub fn clear_cursor(&self, endpoint: &str) -> Result<()> {
        self.exec("DELETE FROM cursor WHERE endpoint=?1", [endpoint])
    }

    /// Records the end of a sync run.
    pub fn finish_run(&self, rev: i64, now: i64, report: &str) -> Result<()> {
        self.finish_partial_run(rev, now, report)?;
        self.set_meta("last_sync", &now.to_string())
    }

    /// Records the end of a targeted refresh: like [`Writer::finish_run`], but the
    /// `last_sync` time (shown on every page) stays that of the last full sync.
    pub fn finish_partial_run(&self, rev: i64, now: i64, report: &str) -> Result<()> {
        self.exec(
            "UPDATE sync_run SET finished=?2, report=?3 WHERE rev=?1",
            params![rev, now, report],
        )
    }

    /// Removes a metadata value.
    pub fn delete_meta(&self, key: &str) -> Result<()> {
        self.exec("DELETE FROM meta WHERE key=?1", [key])
    }

    /// Clears the recorded fetch error of an entity (its data is untouched).
    pub fn clear_error(&self, kind: Kind, id: &str) -> Result<()> {
        self.exec(
            "UPDATE entity SET error=NULL, error_at=NULL, error_count=0 WHERE kind=?1 AND id=?2 AND error IS NOT NULL",
            params![kind.as_str(), id],
        )
    }

    /// Commits.
    pub fn commit(self) -> Result<()> {
        self.tx.commit().map_err(sql(&self.path))
    }
}

/// The jobs of a `/runs` item with the kind each belongs to.
pub fn run_jobs(run: &Run) -> impl Iterator<Item = (Kind, &types::RunJob)> {
    run.srpm
        .iter()
        .map(|j| (Kind::Srpm, j))
        .chain(run.copr.iter().map(|j| (Kind::Copr, j)))
        .chain(run.koji.iter().map(|j| (Kind::Koji, j)))
        .chain(run.test_run.iter().map(|j| (Kind::TestingFarm, j)))
        .chain(run.bodhi_update.iter().map(|j| (Kind::Bodhi, j)))
        .chain(
            run.propose_downstream
                .iter()
                .map(|j| (Kind::ProposeDownstream, j)),
        )
        .chain(
            run.pull_from_upstream
                .iter()
                .map(|j| (Kind::PullFromUpstream, j)),
        )
}

/// The trigger of a project-info block as a short key: `pr:12`, `branch:main`,
/// `release:1.0`, `issue:3`, `anitya:1.2`.
pub fn trigger_key(info: &ProjectInfo) -> Option<String> {
    if let Some(pr) = info.pr_id {
        Some(format!("pr:{pr}"))
    } else if let Some(i) = info.issue_id {
        Some(format!("issue:{i}"))
    } else if let Some(b) = &info.branch_name {
        Some(format!("branch:{b}"))
    } else if let Some(r) = &info.release {
        Some(format!("release:{r}"))
    } else {
        info.anitya_version.as_ref().map(|v| format!("anitya:{v}"))
    }
}

fn info_keys(info: &ProjectInfo) -> (Option<String>, Option<String>) {
    (
        info.project_url.as_deref().and_then(project_key),
        trigger_key(info),
    )
}

fn worst<'a>(statuses: impl Iterator<Item = &'a Status>) -> (Option<String>, bool) {
    use types::StatusClass as C;
    let rank = |c: C| match c {
        C::Error => 0,
        C::Failure => 1,
        C::Running => 2,
        C::Pending => 3,
        C::Canceled => 4,
        C::Unknown => 5,
        C::Skipped => 6,
        C::Success => 7,
    };
    let mut best: Option<&Status> = None;
    let mut all_final = true;
    for s in statuses {
        all_final &= s.is_final();
        if best.is_none_or(|b| rank(s.class()) < rank(b.class())) {
            best = Some(s);
        }
    }
    (best.map(|s| s.0.clone()), all_final)
}

fn extract(kind: Kind, list: Option<&str>, detail: Option<&str>) -> Extract {
    fn parse<T: serde::de::DeserializeOwned + Default>(s: Option<&str>) -> T {
        s.and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default()
    }
    let best = detail.or(list);
    let mut ex = Extract {
        is_final: true,
        ..Extract::default()
    };
    match kind {
        Kind::CoprBuild => {
            let v: types::CoprBuildListItem = parse(list);
            (ex.status, ex.is_final) = worst(v.status_per_chroot.values());
            ex.submitted = types::submitted(v.build_submitted_time, v.submitted_time);
            (ex.project, ex.trigger) = info_keys(&v.project_info());
        }
        Kind::Copr => {
            let v: types::CoprBuildTarget = parse(best);
            let submitted = types::submitted(v.build_submitted_time, v.submitted_time);
            ex.job(&v.status, submitted, &v.project_info());
            ex.target = v.chroot.clone();
        }
        Kind::Koji => {
            let mut v: types::KojiBuild = parse(best);
            if detail.is_some() && list.is_some() {
                // the list item has the packit id and scratch flag; keep them
                let l: types::KojiBuild = parse(list);
                v.scratch = v.scratch.or(l.scratch);
            }
            let submitted = types::submitted(v.build_submitted_time, v.submitted_time);
            ex.job(&v.status, submitted, &v.project_info());
            ex.target = match v.scratch {
                Some(false) => Some(format!(
                    "downstream:{}",
                    v.chroot.clone().unwrap_or_default()
                )),
                _ => v.chroot.clone(),
            };
        }
        Kind::Srpm => {
            let v: types::SrpmBuild = parse(best);
            let l: types::SrpmBuild = parse(list);
            let submitted = types::submitted(v.build_submitted_time, v.submitted_time)
                .or(types::submitted(l.build_submitted_time, l.submitted_time));
            let info = if v.project_url.is_some() {
                v.project_info()
            } else {
                l.project_info()
            };
            ex.job(&v.status, submitted, &info);
        }
        Kind::TestingFarm => {
            let v: types::TestingFarmRun = parse(best);
            ex.job(&v.status, v.submitted_time, &v.project_info());
            ex.target = v.chroot.clone().or(v.target.clone());
        }
        Kind::Pipeline => {
            let v: Run = parse(list.or(detail));
            let statuses: Vec<&Status> = run_jobs(&v).map(|(_, j)| &j.status).collect();
            (ex.status, ex.is_final) = worst(statuses.into_iter());
            ex.submitted = v.time_submitted;
            if let Some(t) = &v.trigger {
                (ex.project, ex.trigger) = info_keys(t);
            }
        }
        Kind::ProposeDownstreamRun | Kind::PullFromUpstreamRun => {
            let v: types::SyncReleaseRunItem = parse(list);
            ex.job(&v.status, v.submitted_time, &v.info);
            ex.is_final &= v.status_per_downstream_pr.values().all(Status::is_final);
        }
        Kind::ProposeDownstream | Kind::PullFromUpstream => {
            let v: types::SyncReleaseTarget = parse(best);
            ex.job(&v.status, v.submitted_time, &v.project_info());
            ex.target = v.branch.clone();
        }
        Kind::Bodhi => {
            let v: types::BodhiUpdate = parse(best);
            ex.job(&v.status, v.submitted_time, &v.project_info());
            ex.target = v.branch.clone();
        }
        Kind::KojiTagRequest => {
            let v: types::KojiTagRequest = parse(best);
            ex.submitted = v.tag_request_submitted_time;
            ex.target = v.chroot.clone();
            (ex.project, ex.trigger) = info_keys(&v.project_info());
        }
        Kind::OpenScanHub => {
            let v: types::OpenScanHubScan = parse(best);
            ex.job(&v.status, v.submitted_time, &v.project_info());
        }
        Kind::LogDetective => {
            let v: types::LogDetectiveRun = parse(best);
            ex.job(&v.status, v.submitted_time, &v.project_info());
            ex.target = v.chroot.clone();
        }
        Kind::Project => {
            let v: types::Project = parse(best);
            ex.project = v.project_url.as_deref().and_then(project_key);
        }
        Kind::ProjectPr | Kind::ProjectBranch | Kind::ProjectRelease | Kind::ProjectIssue => {}
        Kind::Usage | Kind::System => {}
    }
    ex
}

/// The jobs an entity's pages show as related chips, from its stored JSON: the
/// SRPM and Log Detective runs of a build, the builds a test ran on, the build a
/// scan analysed, the chroots of a Copr build and the targets of a sync-release run.
pub fn refs_of(kind: Kind, list: Option<&str>, detail: Option<&str>) -> Vec<(Kind, String)> {
    let mut out = Vec::new();
    let mut scan = |json: Option<&str>| {
        let Some(v) = json.and_then(|j| serde_json::from_str::<Value>(j).ok()) else {
            return;
        };
        let mut one = |field: &str, k: Kind| {
            if let Some(n) = v.get(field).and_then(Value::as_i64) {
                out.push((k, n.to_string()));
            }
        };
        match kind {
            Kind::Copr | Kind::Koji => one("srpm_build_id", Kind::Srpm),
            Kind::OpenScanHub => one("copr_build_target_id", Kind::Copr),
            _ => {}
        }
        let mut many = |field: &str, k: Kind| match v.get(field) {
            Some(Value::Array(a)) => out.extend(
                a.iter()
                    .filter_map(Value::as_i64)
                    .map(|n| (k, n.to_string())),
            ),
            Some(Value::Object(o)) => out.extend(
                o.values()
                    .filter_map(Value::as_i64)
                    .map(|n| (k, n.to_string())),
            ),
            _ => {}
        };
        match kind {
            Kind::Copr | Kind::Koji => many("log_detective_runs", Kind::LogDetective),
            Kind::TestingFarm => {
                many("copr_build_ids", Kind::Copr);
                many("koji_build_ids", Kind::Koji);
            }
            Kind::CoprBuild => many("packit_id_per_chroot", Kind::Copr),
            Kind::ProposeDownstreamRun => {
                many("packit_id_per_downstream_pr", Kind::ProposeDownstream)
            }
            Kind::PullFromUpstreamRun => {
                many("packit_id_per_downstream_pr", Kind::PullFromUpstream)
            }
            _ => {}
        }
    };
    scan(list);
    scan(detail);
    out.sort();
    out.dedup();
    out
}

fn write_refs(
    tx: &rusqlite::Connection,
    path: &Path,
    kind: Kind,
    id: &str,
    list: Option<&str>,
    detail: Option<&str>,
) -> Result<()> {
    let refs = refs_of(kind, list, detail);
    tx.prepare_cached("DELETE FROM ref WHERE from_kind=?1 AND from_id=?2")
        .and_then(|mut st| st.execute(params![kind.as_str(), id]))
        .map_err(sql(path))?;
    if refs.is_empty() {
        return Ok(());
    }
    let mut ins = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO ref(to_kind, to_id, from_kind, from_id) VALUES (?1, ?2, ?3, ?4)",
        )
        .map_err(sql(path))?;
    for (k, to) in refs {
        ins.execute(params![k.as_str(), to, kind.as_str(), id])
            .map_err(sql(path))?;
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp() -> (tempdir::Dir, PathBuf) {
        let d = tempdir::Dir::new();
        let p = d.0.join("a.sqlite");
        (d, p)
    }

    #[test]
    fn a_held_snapshot_does_not_see_later_commits() {
        let (_d, p) = tmp();
        let mut w = Archive::open(&p).unwrap();
        w.begin_revision("https://api.example", 1).unwrap();
        let held = Archive::open_read_only(&p).unwrap();
        held.hold_snapshot().unwrap();
        w.begin_revision("https://api.example", 2).unwrap();
        assert_eq!(held.revision().unwrap(), 1);
        assert_eq!(Archive::open_read_only(&p).unwrap().revision().unwrap(), 2);
    }

    #[test]
    fn sqlite_is_built_for_parallel_readers() {
        // .cargo/config.toml: per-connection page caches without a global lock, no
        // allocation statistics, overflow pages through the page cache
        let (_d, p) = tmp();
        let a = Archive::open(&p).unwrap();
        let mut st = a.connection().prepare("PRAGMA compile_options").unwrap();
        let opts: Vec<String> = st
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert!(
            !opts.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"),
            "{opts:?}"
        );
        assert!(
            !opts.iter().any(|o| o == "DIRECT_OVERFLOW_READ"),
            "{opts:?}"
        );
        assert!(opts.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"), "{opts:?}");
    }

    #[test]
    fn live_renderers_read_through_a_memory_map_and_builds_do_not() {
        let (_d, p) = tmp();
        drop(Archive::open(&p).unwrap());
        let mmap = |a: Archive| -> i64 {
            a.connection()
                .query_row("PRAGMA mmap_size", [], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(mmap(Archive::open_read_only(&p).unwrap()), 0);
        assert!(mmap(Archive::open_read_only_mapped(&p).unwrap()) >= 1 << 30);
    }

    #[test]
    fn builds_upgrade_older_archives_they_can_write() {
        let (_d, p) = tmp();
        drop(Archive::open(&p).unwrap());
        let index = |p: &Path| -> bool {
            Archive::open_read_only(p)
                .unwrap()
                .connection()
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE name='entity_project_time'",
                    [],
                    |r| r.get::<_, i64>(0),
                )
                .unwrap()
                == 1
        };
        assert!(index(&p));
        assert!(!Archive::upgrade(&p).unwrap(), "current: nothing to do");
        // the archive as schema 4 left it
        {
            let c = Connection::open(&p).unwrap();
            c.execute_batch("DROP INDEX entity_project_time; PRAGMA user_version=4;")
                .unwrap();
        }
        assert!(!index(&p));
        let mut perm = std::fs::metadata(&p).unwrap().permissions();
        perm.set_readonly(true);
        std::fs::set_permissions(&p, perm.clone()).unwrap();
        assert!(!Archive::upgrade(&p).unwrap(), "read-only: left alone");
        assert!(!index(&p));
        // an upgrade that fails (here: its index name is taken) leaves the archive
        // readable as it was
        #[allow(clippy::permissions_set_readonly_false)]
        perm.set_readonly(false);
        std::fs::set_permissions(&p, perm.clone()).unwrap();
        Connection::open(&p)
            .unwrap()
            .execute_batch("CREATE TABLE entity_project_time (x)")
            .unwrap();
        assert!(!Archive::upgrade(&p).unwrap(), "failed upgrade: left alone");
        let ro = Archive::open_read_only(&p).unwrap();
        assert_eq!(schema_version(&ro.conn, &p).unwrap(), 4);
        drop(ro);
        Connection::open(&p)
            .unwrap()
            .execute_batch("DROP TABLE entity_project_time")
            .unwrap();
        #[allow(clippy::permissions_set_readonly_false)]
        perm.set_readonly(false);
        std::fs::set_permissions(&p, perm).unwrap();
        assert!(Archive::upgrade(&p).unwrap());
        assert!(index(&p));
        assert_eq!(
            schema_version(&Archive::open_read_only(&p).unwrap().conn, &p).unwrap(),
            SCHEMA_VERSION
        );
    }

    mod tempdir {
        pub struct Dir(pub std::path::PathBuf);
        impl Dir {
            pub fn new() -> Dir {
                use std::sync::atomic::{AtomicU32, Ordering};
                static N: AtomicU32 = AtomicU32::new(0);
                let p = std::env::temp_dir().join(format!(
                    "pp-archive-{}-{}",
                    std::process::id(),
                    N.fetch_add(1, Ordering::SeqCst)
                ));
                std::fs::create_dir_all(&p).unwrap();
                Dir(p)
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }

    #[test]
    fn stores_raw_text_and_detects_changes() {
        let (_d, p) = tmp();
        let mut a = Archive::open(&p).unwrap();
        let rev = a.begin_revision("http://x", 100).unwrap();
        let raw = r#"{"status": "pending", "chroot": "f40", "project_url": "https://github.com/a/b", "pr_id": 3}"#;
        let w = a.write().unwrap();
        assert_eq!(
            w.put(Kind::Copr, "7", Part::Detail, raw, 100, rev).unwrap(),
            Change::New
        );
        // same JSON, other spacing: unchanged
        let same = r#"{"chroot":"f40","pr_id":3,"project_url":"https://github.com/a/b","status":"pending"}"#;
        assert_eq!(
            w.put(Kind::Copr, "7", Part::Detail, same, 101, rev)
                .unwrap(),
            Change::Unchanged
        );
        w.commit().unwrap();
        let e = a.get(Kind::Copr, "7").unwrap().unwrap();
        assert_eq!(e.detail_json.as_deref(), Some(raw));
        assert!(!e.is_final);
        assert_eq!(e.project.as_deref(), Some("github.com/a/b"));
        assert_eq!(a.open_ids(Kind::Copr).unwrap(), vec!["7".to_string()]);

        let rev2 = a.begin_revision("http://x", 200).unwrap();
        let w = a.write().unwrap();
        let done = r#"{"status": "success", "chroot": "f40"}"#;
        assert_eq!(
            w.put(Kind::Copr, "7", Part::Detail, done, 200, rev2)
                .unwrap(),
            Change::Changed
        );
        w.commit().unwrap();
        assert!(a.open_ids(Kind::Copr).unwrap().is_empty());
        assert_eq!(
            a.history(Kind::Copr, "7").unwrap()[0].2.as_deref(),
            Some(raw)
        );
        assert_eq!(
            a.changed_since(rev).unwrap(),
            vec![(Kind::Copr, "7".to_string(), false)]
        );
        assert_eq!(a.changed_since(0).unwrap().len(), 1);
    }

    #[test]
    fn rollback_keeps_last_committed_state() {
        let (_d, p) = tmp();
        let mut a = Archive::open(&p).unwrap();
        let rev = a.begin_revision("http://x", 1).unwrap();
        {
            let w = a.write().unwrap();
            w.put(
                Kind::Srpm,
                "1",
                Part::List,
                r#"{"status":"success"}"#,
                1,
                rev,
            )
            .unwrap();
            // dropped without commit
        }
        assert_eq!(a.count(Kind::Srpm).unwrap(), 0);
        let w = a.write().unwrap();
        assert!(matches!(
            w.put(Kind::Srpm, "1", Part::List, "{not json", 1, rev),
            Err(ArchiveError::BadJson { .. })
        ));
    }

    #[test]
    fn pipelines_link_their_jobs_and_gone_is_kept() {
        let (_d, p) = tmp();
        let mut a = Archive::open(&p).unwrap();
        let rev = a.begin_revision("http://x", 1).unwrap();
        let w = a.write().unwrap();
        let run = r#"{"merged_run_id": 9, "srpm": {"packit_id": 4, "status": "success"}, "copr": [{"packit_id": 5, "target": "f40", "status": "running"}], "koji": [], "test_run": [], "bodhi_update": [], "propose_downstream": [], "pull_from_upstream": [], "vm_image_build": [], "time_submitted": 50, "trigger": {"pr_id": 2, "project_url": "https://github.com/a/b"}}"#;
        w.put(Kind::Pipeline, "9", Part::List, run, 1, rev).unwrap();
        w.mark_gone(Kind::Pipeline, "9", 2, rev).unwrap();
        w.commit().unwrap();
        assert_eq!(a.pipelines_of(Kind::Copr, "5").unwrap(), vec![9]);
        let e = a.get(Kind::Pipeline, "9").unwrap().unwrap();
        assert_eq!(e.gone_at, Some(2));
        assert_eq!(e.status.as_deref(), Some("running"));
        assert!(!e.is_final);
        assert_eq!(e.submitted, Some(50));
    }

    #[test]
    fn insert_new_equals_two_puts() {
        let (_d, p) = tmp();
        let mut a = Archive::open(&p).unwrap();
        let rev = a.begin_revision("x", 5).unwrap();
        let run = r#"{"merged_run_id": 9, "copr": [{"packit_id": 5, "status": "running"}], "time_submitted": 50, "trigger": {"pr_id": 2, "project_url": "https://github.com/a/b"}}"#;
        let det = r#"{"run_id": 9}"#;
        let w = a.write().unwrap();
        w.put(Kind::Pipeline, "9", Part::List, run, 5, rev).unwrap();
        w.put(Kind::Pipeline, "9", Part::Detail, det, 5, rev)
            .unwrap();
        assert!(
            w.insert_new(Kind::Pipeline, "10", Some(run), Some(det), 5, rev)
                .unwrap()
        );
        assert!(
            !w.insert_new(Kind::Pipeline, "10", Some("{}"), None, 6, rev)
                .unwrap()
        );
        assert!(
            w.insert_new(Kind::Copr, "1", Some("{bad"), None, 5, rev)
                .is_err()
        );
        w.commit().unwrap();
        let (x, y) = (
            a.get(Kind::Pipeline, "9").unwrap().unwrap(),
            a.get(Kind::Pipeline, "10").unwrap().unwrap(),
        );
        assert_eq!(
            (
                x.list_json,
                x.detail_json,
                x.status,
                x.is_final,
                x.submitted,
                x.project,
                x.first_seen,
                x.created_rev
            ),
            (
                y.list_json,
                y.detail_json,
                y.status,
                y.is_final,
                y.submitted,
                y.project,
                y.first_seen,
                y.created_rev
            )
        );
        assert_eq!(a.pipelines_of(Kind::Copr, "5").unwrap(), vec![9, 10]);
    }

    #[test]
    fn reopen_migrated_file() {
        let (_d, p) = tmp();
        drop(Archive::open(&p).unwrap());
        let a = Archive::open(&p).unwrap();
        assert_eq!(a.revision().unwrap(), 0);
        let ro = Archive::open_read_only(&p).unwrap();
        assert_eq!(ro.count(Kind::Copr).unwrap(), 0);
        assert!(matches!(
            Archive::open_read_only(p.with_extension("nope")),
            Err(ArchiveError::Missing(_))
        ));
    }
}
