//! One batch of messages, start to end: de-duplication by `message_id`, dispatch,
//! the merged refresh, the site build, then the acknowledgement (or the batch sent
//! back); the follow-up refreshes; the loop that waits for messages, polls and
//! follow-ups, and what follows a poll (`poll` runs the poll's task).

use super::connection::{BrokerError, Deliveries, header_str};
use super::poll::{self, Running};
use super::{BatchReport, ListenEvent, ListenOptions, ListenStats, due, tick};
use crate::listen::dispatch::{Decision, Incoming, dispatch};
use crate::site::{BuildReport, SiteError};
use crate::sync::{NoProgress, RefreshRequest, SyncError, SyncReport};
use futures_util::StreamExt;
use lapin::Channel;
use lapin::options::{BasicAckOptions, BasicNackOptions};
use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::time::Duration;

/// Why a batch was sent back to the queue (reported as [`ListenEvent::Requeued`]).
#[derive(Debug, thiserror::Error)]
pub(super) enum BatchError {
    /// The refresh failed.
    #[error("refresh: {0}")]
    Refresh(#[source] SyncError),
    /// The API did not answer for a list page (after the client's retries).
    #[error("refresh: list {endpoint} page {page} failed: {error}")]
    ListFailed {
        endpoint: String,
        page: String,
        error: String,
    },
    /// The build task panicked or was cancelled.
    #[error("build task: {0}")]
    BuildTask(#[source] tokio::task::JoinError),
    /// The build failed.
    #[error("build: {0}")]
    Build(#[source] SiteError),
}

/// Remembers the last `cap` message ids.
pub(super) struct Dedup {
    set: HashSet<String>,
    order: VecDeque<String>,
    cap: usize,
}

impl Dedup {
    pub(super) fn new(cap: usize) -> Dedup {
        Dedup {
            set: HashSet::new(),
            order: VecDeque::new(),
            cap,
        }
    }
    fn contains(&self, id: &str) -> bool {
        self.set.contains(id)
    }
    fn insert(&mut self, id: String) {
        if self.set.insert(id.clone()) {
            self.order.push_back(id);
            while self.order.len() > self.cap {
                if let Some(old) = self.order.pop_front() {
                    self.set.remove(&old);
                }
            }
        }
    }
}

/// The running listener's state.
pub(super) struct Listener<'o> {
    pub(super) opts: &'o ListenOptions,
    pub(super) dedup: Dedup,
    pub(super) stats: ListenStats,
    /// The follow-up refresh due next: when, and the union of the batches' requests.
    pub(super) followup: Option<(tokio::time::Instant, RefreshRequest)>,
    /// The site's live build state (opened by the first build).
    pub(super) session: std::sync::Arc<std::sync::Mutex<Option<crate::site::Session>>>,
    /// The poll running beside message handling, if one is.
    pub(super) poll: Option<Running>,
    /// The API politeness budget of polls and refreshes (refreshes go first).
    pub(super) pacer: crate::api::client::Pacer,
    /// Whether a build ran (and so recorded a capped revision) during the poll.
    pub(super) built_during_poll: bool,
}

/// Why [`Listener::consume`] returned.
pub(super) enum Ended {
    /// The shutdown future resolved.
    Shutdown,
    /// The connection failed.
    Lost(BrokerError),
}

impl Listener<'_> {
    /// The sync options of message refreshes: the shared budget, first in line.
    fn urgent_sync(&self) -> crate::sync::SyncOptions {
        let mut o = self.opts.sync.clone();
        o.client.pacer = Some(self.pacer.clone());
        o.client.urgent = true;
        o
    }

    pub(super) fn emit(&self, e: ListenEvent) {
        if let Some(tx) = &self.opts.events {
            let _ = tx.send(e);
        }
    }

    /// Brings the site up to date. While a poll runs, the build records at most the
    /// revision before it (see [`crate::site::Session::update_below`]), so the rows
    /// the poll writes later are read by the next build.
    pub(super) async fn build(&mut self) -> Result<Option<BuildReport>, BatchError> {
        let Some(b) = self.opts.build.clone() else {
            return Ok(None);
        };
        let cap = self.poll.as_ref().map(|p| p.before);
        self.built_during_poll |= cap.is_some();
        let session = self.session.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = session.lock().unwrap_or_else(|e| e.into_inner());
            let result = match guard.as_mut() {
                Some(s) => s.update_below(cap),
                None => crate::site::Session::open(&b).and_then(|(mut s, r)| {
                    // a full build records the archive's revision: record the cap
                    let r = match cap {
                        Some(c) if c < s.revision() => s.update_below(Some(c)).map(|_| r)?,
                        _ => r,
                    };
                    *guard = Some(s);
                    Ok(r)
                }),
            };
            if result.is_err() {
                // start from what is on disk next time
                *guard = None;
            }
            result
        })
        .await
        .map_err(BatchError::BuildTask)?
        .map(Some)
        .map_err(BatchError::Build)
    }

    /// Starts a poll unless one is running.
    pub(super) fn start_poll(&mut self) {
        if self.poll.is_some() {
            tracing::debug!("poll still running; tick skipped");
            return;
        }
        self.poll = poll::start(self.opts, &self.pacer);
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
        let r = poll::done(&mut self.poll).await;
        self.finish_poll(r).await;
    }

    /// Runs the pending follow-up refresh (and build).
    async fn settle(&mut self) {
        let Some((_, req)) = self.followup.take() else {
            return;
        };
        let refresh = {
            let _first = self.pacer.hold();
            crate::sync::refresh(&self.urgent_sync(), &req, &NoProgress).await
        };
        match refresh {
            Ok(report) => {
                let changed = report.totals.new + report.totals.changed + report.totals.gone > 0;
                let build = if changed {
                    self.build().await.unwrap_or_else(|e| {
                        tracing::error!(error = %e, "build after follow-up failed");
                        None
                    })
                } else {
                    None
                };
                tracing::debug!(changed, "follow-up refresh done");
                self.emit(ListenEvent::Settled(Box::new(report), build.map(Box::new)));
            }
            Err(e) => tracing::error!(error = %e, "follow-up refresh failed"),
        }
    }

    /// Dispatches, refreshes, builds, then acknowledges one batch.
    async fn batch(
        &mut self,
        ch: &Channel,
        batch: Vec<lapin::message::Delivery>,
    ) -> Result<(), BrokerError> {
        let Some(last_tag) = batch.last().map(|d| d.delivery_tag) else {
            return Ok(());
        };
        let mut rep = BatchReport {
            messages: batch.len(),
            ..BatchReport::default()
        };
        let mut in_batch = HashSet::new();
        for d in &batch {
            let id = d
                .properties
                .message_id()
                .as_ref()
                .map(|s| s.as_str().to_string());
            if let Some(id) = &id {
                rep.message_ids.push(id.clone());
                if self.dedup.contains(id) || !in_batch.insert(id.clone()) {
                    rep.duplicates += 1;
                    continue;
                }
            }
            let msg = Incoming {
                routing_key: d.routing_key.as_str(),
                schema: header_str(d, "fedora_messaging_schema"),
                body: &d.data,
            };
            match dispatch(&msg, &self.opts.bus.filter) {
                Ok(Decision::Refresh(t)) => {
                    tracing::debug!(message_id = ?id, target = ?t, "refresh");
                    rep.request.merge(t.request());
                    rep.valid += 1;
                }
                Ok(Decision::Ignore(reason)) => {
                    tracing::debug!(message_id = ?id, topic = %msg.routing_key, reason, "ignored");
                    rep.ignored += 1;
                }
                Err(e) => {
                    tracing::warn!(message_id = ?id, topic = %msg.routing_key, error = %e, "message skipped");
                    rep.malformed += 1;
                }
            }
        }
        if !rep.request.is_empty() {
            let outcome = async {
                let report = {
                    // the poll waits while a message's requests go out
                    let _first = self.pacer.hold();
                    crate::sync::refresh(&self.urgent_sync(), &rep.request, &NoProgress)
                        .await
                        .map_err(BatchError::Refresh)?
                };
                if let Some(f) = report.failed_lists.first() {
                    // the API did not answer (after the client's retries): keep the
                    // messages; a failed detail is retried by the next poll instead
                    return Err(BatchError::ListFailed {
                        endpoint: f.endpoint.clone(),
                        page: f.id.clone(),
                        error: f.error.clone(),
                    });
                }
                let build = self.build().await?;
                Ok::<_, BatchError>((report, build))
            }
            .await;
            match outcome {
                Ok((report, build)) => {
                    if let Some(d) = self.opts.settle {
                        // merged into a pending follow-up without postponing it
                        let due = tokio::time::Instant::now() + d;
                        let f = self
                            .followup
                            .get_or_insert_with(|| (due, RefreshRequest::default()));
                        f.1.merge(rep.request.clone());
                    }
                    rep.sync = Some(report);
                    rep.build = build;
                }
                Err(e) => {
                    tracing::error!(error = %e, "batch failed; sending it back");
                    self.emit(ListenEvent::Requeued(e.to_string()));
                    ch.basic_nack(
                        last_tag,
                        BasicNackOptions {
                            multiple: true,
                            requeue: true,
                        },
                    )
                    .await
                    .map_err(|e| BrokerError::amqp("nack", e))?;
                    tokio::time::sleep(Duration::from_secs(2)).await;
                    return Ok(());
                }
            }
        }
        ch.basic_ack(last_tag, BasicAckOptions { multiple: true })
            .await
            .map_err(|e| BrokerError::amqp("ack", e))?;
        for id in in_batch {
            self.dedup.insert(id);
        }
        self.stats.received += rep.messages as u64;
        self.stats.applied += rep.valid as u64;
        self.stats.ignored += rep.ignored as u64;
        self.stats.malformed += rep.malformed as u64;
        self.stats.duplicates += rep.duplicates as u64;
        self.stats.batches += 1;
        tracing::info!(
            messages = rep.messages,
            valid = rep.valid,
            ignored = rep.ignored,
            malformed = rep.malformed,
            duplicates = rep.duplicates,
            written = rep.build.as_ref().map_or(0, |b| b.write.written),
            "batch applied"
        );
        self.emit(ListenEvent::Batch(Box::new(rep)));
        Ok(())
    }

    /// Consumes until shutdown or until the connection is lost.
    pub(super) async fn consume<S: Future<Output = ()>>(
        &mut self,
        ch: &Channel,
        deliveries: &mut Deliveries,
        shutdown: &mut std::pin::Pin<&mut S>,
        poll: &mut Option<tokio::time::Interval>,
    ) -> Ended {
        loop {
            let first = tokio::select! {
                biased;
                _ = shutdown.as_mut() => return Ended::Shutdown,
                _ = tick(poll) => {
                    self.start_poll();
                    continue;
                }
                r = poll::done(&mut self.poll) => {
                    self.finish_poll(r).await;
                    continue;
                }
                _ = due(&self.followup) => {
                    self.settle().await;
                    continue;
                }
                d = deliveries.next() => match d {
                    Some(Ok(d)) => d,
                    Some(Err(e)) => return Ended::Lost(BrokerError::Stream(e)),
                    None => return Ended::Lost(BrokerError::ConsumerClosed),
                },
            };
            let mut batch = vec![first];
            let deadline = tokio::time::Instant::now() + self.opts.batch_window;
            let mut lost = None;
            while batch.len() < self.opts.max_batch.max(1) {
                match tokio::time::timeout_at(deadline, deliveries.next()).await {
                    Ok(Some(Ok(d))) => batch.push(d),
                    Ok(Some(Err(e))) => {
                        lost = Some(BrokerError::Stream(e));
                        break;
                    }
                    Ok(None) => {
                        lost = Some(BrokerError::ConsumerClosed);
                        break;
                    }
                    Err(_) => break,
                }
            }
            if let Err(e) = self.batch(ch, batch).await {
                return Ended::Lost(e);
            }
            if let Some(e) = lost {
                return Ended::Lost(e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedup_is_bounded() {
        let mut d = Dedup::new(2);
        d.insert("a".into());
        d.insert("b".into());
        d.insert("a".into());
        assert!(d.contains("a") && d.contains("b"));
        d.insert("c".into());
        assert!(!d.contains("a") && d.contains("c"));
    }
}
