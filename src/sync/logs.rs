//! The job-log phase of a sync: inline logs of final jobs and the linked logs of failed
//! ones, each stored once, within the per-log and archive caps.

use super::details::log_kinds;
use super::error::SyncError;
use super::options::SyncOptions;
use super::run::Run;
use crate::api::{Kind, types};
use crate::archive::{LogSource, LogStatus, log_sources};
use serde_json::Value;
use std::collections::HashSet;

/// The log fetcher of one run: the caps and what it stored and left.
pub(super) struct LogFetcher {
    /// Largest log stored, in bytes of text.
    cap: u64,
    /// Largest total of stored (compressed) log data in the archive.
    archive_cap: u64,
    /// Stored log data so far (compressed bytes).
    total: u64,
    /// Logs not fetched because the archive cap was reached.
    skipped: u64,
}

impl LogFetcher {
    pub(super) fn new(opts: &SyncOptions) -> LogFetcher {
        LogFetcher {
            cap: opts.log_cap_bytes,
            archive_cap: opts.archive_log_cap_bytes,
            total: 0,
            skipped: 0,
        }
    }

    /// The log phase: stores the inline logs of every final job and fetches the linked logs
    /// of final failed jobs, each once (failed fetches are tried again next run).
    /// Failures are recorded per log, never fatal; the archive cap stops fetching.
    pub(super) async fn fetch(&mut self, run: &mut Run<'_>) -> Result<(), SyncError> {
        let have: HashSet<(Kind, String, String)> = run
            .archive
            .all_logs()?
            .into_iter()
            .filter(|l| l.status != LogStatus::Failed)
            .map(|l| (l.kind, l.id, l.name))
            .collect();
        let mut todo: Vec<(Kind, String, LogSource)> = Vec::new();
        for kind in log_kinds() {
            run.archive.for_each(kind, |e| {
                let Some(json) = e.json().and_then(|j| serde_json::from_str::<Value>(j).ok())
                else {
                    return;
                };
                let failed = e.is_final
                    && e.status
                        .as_deref()
                        .is_some_and(|s| types::Status::new(s).class().is_failure());
                for src in log_sources(kind, &json) {
                    if have.contains(&(kind, e.id.clone(), src.name.clone())) {
                        continue;
                    }
                    // a running job's inline log still grows: stored once final
                    if (src.inline.is_some() && e.is_final) || failed {
                        todo.push((kind, e.id.clone(), src));
                    }
                }
            })?;
        }
        self.total = run.archive.log_bytes()?.max(0) as u64;
        let client = run.client().clone();
        let cap = self.cap;
        for (kind, id, src) in todo {
            let now = crate::time::now();
            let (status, text, size, error) = if let Some(t) = &src.inline {
                let b = t.as_bytes();
                // the head and the tail: a build's errors are at its end
                let (kept, capped) = crate::api::client::head_and_tail(b, cap);
                let status = if capped {
                    LogStatus::Capped
                } else {
                    LogStatus::Stored
                };
                (status, Some(kept), Some(b.len() as i64), None)
            } else {
                if self.total >= self.archive_cap {
                    self.skipped += 1;
                    continue;
                }
                let url = src.url.as_deref().unwrap_or_default();
                match client.fetch_log("logs", url, cap).await {
                    Ok(f) => {
                        let status = if f.capped {
                            LogStatus::Capped
                        } else {
                            LogStatus::Stored
                        };
                        let size = i64::try_from(f.size).unwrap_or(i64::MAX);
                        (status, Some(f.text), Some(size), None)
                    }
                    Err(e) if e.is_not_found() => (LogStatus::Pruned, None, None, None),
                    Err(e) => (LogStatus::Failed, None, None, Some(e.to_string())),
                }
            };
            let w = run.archive.write()?;
            let stored = w.put_log(
                kind,
                &id,
                &src.name,
                src.url.as_deref(),
                status,
                text.as_deref(),
                size,
                error.as_deref(),
                now,
            )?;
            w.commit()?;
            self.total += stored as u64;
            if status != LogStatus::Failed {
                run.count("logs").new += 1;
            }
        }
        if self.skipped > 0 {
            tracing::warn!(
                skipped = self.skipped,
                cap = self.archive_cap,
                "archive log cap reached: logs not fetched"
            );
        }
        Ok(())
    }
}
