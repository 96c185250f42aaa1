//! The periodic poll, run beside message handling: an incremental
//! [`crate::sync::sync`] in a task of its own, so a message's pages never wait for it.
//! This file starts the task and awaits its end; what follows a poll (the build, the
//! event) is the listener's (`batch`), which uses this one way.
//!
//! Both draw on one politeness budget ([`crate::api::client::Pacer`]): a message's
//! refresh holds the budget while it runs, and the poll's requests wait meanwhile.
//! The poll stamps what it writes with the revision it took at its start, older than
//! any a message refresh takes during it, so builds during a poll record at most the
//! revision before the poll ([`crate::site::Session::update_below`]); the build after
//! the poll reads everything it wrote.

use super::ListenOptions;
use crate::api::client::Pacer;
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

/// Starts a poll (an incremental sync drawing on `pacer` behind message refreshes);
/// `None` when the archive's revision cannot be read.
pub(super) fn start(opts: &ListenOptions, pacer: &Pacer) -> Option<Running> {
    let before = match Archive::open_read_only(&opts.sync.archive).and_then(|a| a.revision()) {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "poll not started");
            return None;
        }
    };
    let mut o = opts.sync.clone();
    o.usage = false;
    o.client.pacer = Some(pacer.clone());
    o.client.urgent = false;
    let task = tokio::spawn(async move { crate::sync::sync(&o, &NoProgress).await });
    Some(Running { before, task })
}
