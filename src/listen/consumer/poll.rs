//! The periodic poll, run beside message handling: an incremental
//! [`crate::sync::sync`] in a task of its own, so a message's pages never wait for it.
//!
//! Both draw on one politeness budget ([`crate::api::client::Pacer`]): a message's
//! refresh holds the budget while it runs, and the poll's requests wait meanwhile.
//! The poll stamps what it writes with the revision it took at its start, older than
//! any a message refresh takes during it, so builds during a poll record at most the
//! revision before the poll ([`crate::site::Session::update_below`]); the build after
//! the poll reads everything it wrote.

use super::ListenEvent;
use super::batch::Listener;
use crate::archive::Archive;
use crate::sync::{NoProgress, SyncError, SyncReport};

/// A poll in flight.
pub(super) struct Running {
    /// The archive's revision before the poll began.
    pub(super) before: i64,
    task: tokio::task::JoinHandle<Result<SyncReport, SyncError>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        // shutdown (or a lost listener) ends the poll like a kill: what it committed
        // stays, the next sync resumes
        self.task.abort();
    }
}

/// The running poll's outcome, when it ends; never, without one.
pub(super) async fn done(poll: &mut Option<Running>) -> Result<SyncReport, String> {
    match poll.as_mut() {
        Some(p) => match (&mut p.task).await {
            Ok(r) => r.map_err(|e| e.to_string()),
            Err(e) => Err(format!("poll task: {e}")),
        },
        None => std::future::pending().await,
    }
}

impl Listener<'_> {
    /// Starts a poll unless one is running.
    pub(super) fn start_poll(&mut self) {
        if self.poll.is_some() {
            tracing::debug!("poll still running; tick skipped");
            return;
        }
        let before =
            match Archive::open_read_only(&self.opts.sync.archive).and_then(|a| a.revision()) {
                Ok(r) => r,
                Err(e) => {
                    tracing::error!(error = %e, "poll not started");
                    return;
                }
            };
        let mut o = self.opts.sync.clone();
        o.usage = false;
        o.client.pacer = Some(self.pacer.clone());
        o.client.urgent = false;
        let task = tokio::spawn(async move { crate::sync::sync(&o, &NoProgress).await });
        self.poll = Some(Running { before, task });
    }

    /// Handles the end of the running poll: the build after it (uncapped), the event.
    pub(super) async fn finish_poll(&mut self, r: Result<SyncReport, String>) {
        self.poll = None;
        match r {
            Ok(report) => {
                self.stats.polls += 1;
                let changed = report.totals.new + report.totals.changed + report.totals.gone > 0;
                // builds during the poll recorded the revision before it: read again
                let build = if changed || self.stats.polls == 1 || self.built_during_poll {
                    match self.build().await {
                        Ok(b) => b,
                        Err(e) => {
                            tracing::error!(error = %e, "build after poll failed");
                            None
                        }
                    }
                } else {
                    None
                };
                self.built_during_poll = false;
                tracing::info!(
                    new = report.totals.new,
                    changed = report.totals.changed,
                    "poll done"
                );
                self.emit(ListenEvent::Polled(Box::new(report), build.map(Box::new)));
            }
            Err(e) => {
                tracing::error!(error = %e, "poll failed");
                if std::mem::take(&mut self.built_during_poll)
                    && let Err(e) = self.build().await
                {
                    tracing::error!(error = %e, "build after poll failed");
                }
            }
        }
    }

    /// Runs a poll to its end (used while the broker is away: nothing else to do).
    pub(super) async fn poll_now(&mut self) {
        self.start_poll();
        let r = done(&mut self.poll).await;
        self.finish_poll(r).await;
    }
}
