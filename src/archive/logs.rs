//! The `log` table: the archived logs of jobs (gzip-compressed text), what became of
//! each fetch, and their reads and writes.

use super::write::CHANGED_NOW;
use super::{Archive, Result, Writer, sql};
use crate::api::Kind;
use rusqlite::{OptionalExtension, params};

/// What became of one log of a job in the archive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogStatus {
    /// Stored whole.
    Stored,
    /// Longer than the size cap: its head and its tail are stored, joined by a
    /// marker line where the middle was cut (older archives hold only the head).
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
    /// Size of the original text in bytes, as far as it was read (older archives
    /// hold the cap plus one for a capped log).
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

impl Archive {
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
}

impl Writer<'_> {
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
            &format!("UPDATE entity SET {CHANGED_NOW} WHERE kind=?1 AND id=?2"),
            params![kind.as_str(), id],
        )?;
        Ok(stored)
    }
}
