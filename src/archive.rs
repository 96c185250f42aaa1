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
//!
//! This module is the archive handle (opening, snapshots, upgrades) and its errors;
//! `schema` holds the tables, migrations and integrity check, `read` and `write` the
//! entity queries and the write transaction, and `logs` the archived job logs.
//! What is derived from an entity's JSON (its keys, references and logs) is each job
//! kind's own knowledge: [`crate::jobs::keys`]. Every SQL statement
//! of the program lives in this module and its children.

mod logs;
mod read;
mod schema;
mod write;

pub use self::logs::{LogInfo, LogStatus, compress_log};
pub(crate) use self::read::{ENTITY_COLS, row_entity};
#[cfg(test)]
pub(crate) use self::schema::set_schema_version;
pub use self::schema::{Integrity, IntegrityError, SCHEMA_VERSION};
pub use self::write::{Part, Writer, same_content};
pub use crate::jobs::{LogSource, log_sources, refs_of, run_jobs, trigger_key};

use self::schema::schema_version;
use crate::api::Kind;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

mod catalog_rows;
pub use catalog_rows::{CatalogRow, QueryError, QueryResult};
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

    /// Gives this connection a large page cache (256 MiB) for a bulk load, where the
    /// entity table's b-tree is revisited for every row.
    pub fn use_bulk_load_cache(&self) -> Result<()> {
        self.conn
            .execute_batch("PRAGMA cache_size=-262144;")
            .map_err(sql(&self.path))
    }

    /// The underlying connection, for tests and tools that inspect the file directly;
    /// the library's other stages use the typed methods (every statement lives here).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn tmp() -> (tempdir::Dir, PathBuf) {
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
