//! The AMQP consumer: connect (TLS with a client certificate and SASL EXTERNAL for the
//! Fedora brokers), declare and bind the configured queues, then consume in batches.
//!
//! Delivery is at-least-once: a batch (the messages that arrive within
//! [`ListenOptions::batch_window`] of the first) is dispatched, its refresh committed
//! to the archive and the site rebuilt, and only then is it acknowledged (one
//! `basic.ack` with `multiple`). A refresh that cannot walk a list (the API is away)
//! or a build that fails sends the batch back (`basic.nack` with requeue) and pauses.
//! Messages are de-duplicated on their `message_id` (a bounded memory of recent ids),
//! so a redelivery after a lost ack costs nothing. Malformed and unknown messages are
//! logged and acknowledged with their batch. When the broker goes away the listener
//! reconnects with exponential back-off; the shutdown future (SIGTERM in the binary)
//! is honoured between batches, so the current batch always finishes.
//!
//! The periodic poll runs in a task beside message handling (`poll`): a message's
//! refresh goes first within the one politeness budget, so its pages are written
//! within seconds whatever a poll is doing.
//!
//! Set-up errors (the URL, the TLS files, a broker certificate the CA does not sign or
//! that names another host, a refused client certificate or login, a peer that does
//! not speak TLS) end the listener at once ([`ListenError`]); network faults and
//! broker restarts are retried with back-off, over TLS too.
//!
//! This file holds the options, reports and the reconnecting loop; `connection`
//! makes one connection over `transport` (TCP, and TLS with what `tls` sets up for
//! `amqps://`); `batch` handles one batch, the follow-up refreshes and what follows a
//! poll; `poll` runs the poll's task.

mod batch;
mod connection;
mod poll;
mod tls;
mod transport;

pub use connection::{BrokerError, broker_uri};

use self::batch::{Dedup, Ended, Listener};
use self::connection::{connect, redact};
use super::config::BusConfig;
use crate::site::{BuildOptions, BuildReport};
use crate::sync::{RefreshRequest, SyncOptions, SyncReport};
use std::future::Future;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Set-up errors: they stop the listener (everything else is logged and retried).
#[derive(Debug, thiserror::Error)]
pub enum ListenError {
    /// The broker URL is invalid.
    #[error("invalid amqp_url {url:?}: {reason}")]
    Url {
        /// The URL.
        url: String,
        /// Parser message.
        reason: String,
    },
    /// A TLS file could not be read.
    #[error("cannot read TLS file {path}: {source}")]
    Tls {
        /// The file.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// A TLS file was read but is not what it should be (no certificate, no key, a key
    /// that does not match the certificate).
    #[error("TLS file {path}: {reason}")]
    TlsFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// `amqps://` without `[tls] ca_cert`: there is nothing to check the broker against.
    #[error(
        "{url}: amqps:// needs [tls] ca_cert, the CA certificate the broker's certificate is checked against"
    )]
    NoCaCert {
        /// `amqps://host:port`.
        url: String,
    },
    /// The broker's certificate was not accepted.
    #[error("the certificate of the broker {broker} is {problem}")]
    ServerCertificate {
        /// `host:port`.
        broker: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The broker ended the TLS handshake with an alert (it refused the client
    /// certificate, or wants one).
    #[error("the broker {broker} refused the TLS connection: {reason}")]
    TlsRefused {
        /// `host:port`.
        broker: String,
        /// The alert and what it likely means.
        reason: String,
    },
    /// What answered at an `amqps://` URL does not speak TLS.
    #[error("{broker} does not speak TLS ({detail}): is it a plain amqp:// port?")]
    NotTls {
        /// `host:port`.
        broker: String,
        /// The TLS error.
        detail: String,
    },
    /// The broker refused the login (`ACCESS_REFUSED`) or the virtual host
    /// (`NOT_ALLOWED`).
    #[error(
        "the broker {broker} refused the login with mechanism {mechanism} as user {user}: {message}"
    )]
    LoginRefused {
        /// `host:port`.
        broker: String,
        /// The SASL mechanism (`EXTERNAL` with a client certificate).
        mechanism: &'static str,
        /// The user (for `EXTERNAL`, the client certificate's common name).
        user: String,
        /// The broker's reply text.
        message: String,
    },
}

/// How to listen.
#[derive(Clone, Debug)]
pub struct ListenOptions {
    /// The bus configuration (broker, TLS, queues, bindings, Packit filter).
    pub bus: BusConfig,
    /// API, archive and scope for refreshes and polls.
    pub sync: SyncOptions,
    /// Site build after each change; `None`: keep the archive only.
    pub build: Option<BuildOptions>,
    /// Incremental sync (list heads, unfinished entities) this often; `None`: never.
    /// The first poll runs at start.
    pub poll_interval: Option<Duration>,
    /// Refresh what a batch named once more this long after it (`None`: never). A bus
    /// message and Packit's own handling of it race: Packit may not have recorded the
    /// new status when the first refresh asks.
    pub settle: Option<Duration>,
    /// How long to gather messages after the first of a batch.
    pub batch_window: Duration,
    /// Messages in one batch at most.
    pub max_batch: usize,
    /// Longest pause between reconnection attempts.
    pub max_backoff: Duration,
    /// Where to send events (for tests, benchmarks and monitoring).
    pub events: Option<tokio::sync::mpsc::UnboundedSender<ListenEvent>>,
}

impl ListenOptions {
    /// Defaults: batches of up to 500 messages gathered for 300 ms, a follow-up
    /// refresh 20 s later, reconnection back-off up to 60 s, no polling, no events.
    pub fn new(bus: BusConfig, sync: SyncOptions, build: Option<BuildOptions>) -> ListenOptions {
        ListenOptions {
            bus,
            sync,
            build,
            poll_interval: None,
            settle: Some(Duration::from_secs(20)),
            batch_window: Duration::from_millis(300),
            max_batch: 500,
            max_backoff: Duration::from_secs(60),
            events: None,
        }
    }
}

/// What one batch did.
#[derive(Clone, Debug, Default)]
pub struct BatchReport {
    /// Messages in the batch.
    pub messages: usize,
    /// Message ids of the batch (those that had one).
    pub message_ids: Vec<String>,
    /// Messages that asked for a refresh.
    pub valid: usize,
    /// Known messages not about Packit.
    pub ignored: usize,
    /// Malformed or unknown messages.
    pub malformed: usize,
    /// Messages already processed (same `message_id`).
    pub duplicates: usize,
    /// The merged refresh.
    pub request: RefreshRequest,
    /// The refresh's report, when there was one.
    pub sync: Option<SyncReport>,
    /// The build's report, when there was one.
    pub build: Option<BuildReport>,
}

/// Something the listener did.
#[derive(Clone, Debug)]
pub enum ListenEvent {
    /// Connected and consuming.
    Connected,
    /// The connection was lost or could not be made; a reconnection follows.
    Disconnected(String),
    /// A batch was applied and acknowledged.
    Batch(Box<BatchReport>),
    /// A batch failed (refresh or build) and was sent back to the queue.
    Requeued(String),
    /// A poll ran (its sync report and build report).
    Polled(Box<SyncReport>, Option<Box<BuildReport>>),
    /// A follow-up refresh ran (see [`ListenOptions::settle`]).
    Settled(Box<SyncReport>, Option<Box<BuildReport>>),
}

/// Totals over a listener's life.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ListenStats {
    /// Messages received.
    pub received: u64,
    /// Messages that asked for a refresh and were applied.
    pub applied: u64,
    /// Known messages not about Packit.
    pub ignored: u64,
    /// Malformed or unknown messages (acknowledged and logged).
    pub malformed: u64,
    /// Redeliveries skipped by `message_id`.
    pub duplicates: u64,
    /// Batches acknowledged.
    pub batches: u64,
    /// Successful connections.
    pub connections: u64,
    /// Polls run.
    pub polls: u64,
}

/// How long one connection attempt (TCP, TLS, AMQP handshake, declarations) may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// When the pending follow-up is due; never, without one.
async fn due(f: &Option<(tokio::time::Instant, RefreshRequest)>) {
    match f {
        Some((at, _)) => tokio::time::sleep_until(*at).await,
        None => std::future::pending::<()>().await,
    }
}

/// The next tick of the poll interval; never, without one.
async fn tick(poll: &mut Option<tokio::time::Interval>) {
    match poll.as_mut() {
        Some(p) => {
            p.tick().await;
        }
        None => std::future::pending::<()>().await,
    }
}

/// Runs the listener until `shutdown` resolves (checked between batches, so the
/// current batch finishes and is acknowledged). Connection problems are retried with
/// back-off forever; only set-up errors ([`ListenError`]) end it early.
pub async fn listen(
    opts: &ListenOptions,
    shutdown: impl Future<Output = ()>,
) -> Result<ListenStats, ListenError> {
    tls::client_config(&opts.bus, &broker_uri(&opts.bus)?)?;
    let shutdown = std::pin::pin!(shutdown);
    let mut shutdown = shutdown;
    let mut l = Listener {
        opts,
        dedup: Dedup::new(200_000),
        stats: ListenStats::default(),
        followup: None,
        session: Default::default(),
        poll: None,
        pacer: crate::api::client::Pacer::new(),
        built_during_poll: false,
    };
    let mut poll = opts.poll_interval.map(|d| {
        let mut i = tokio::time::interval(d.max(Duration::from_millis(10)));
        i.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        i
    });
    let first_backoff = Duration::from_millis(250);
    let mut backoff = first_backoff;
    loop {
        let started = Instant::now();
        let session = tokio::select! {
            biased;
            _ = shutdown.as_mut() => return Ok(l.stats),
            s = tokio::time::timeout(CONNECT_TIMEOUT, connect(&opts.bus)) => {
                s.unwrap_or(Err(BrokerError::Timeout(CONNECT_TIMEOUT)))
            }
        };
        let ended = match session {
            Ok((conn, ch, mut deliveries)) => {
                l.stats.connections += 1;
                tracing::info!(url = %redact(&opts.bus.amqp_url), "connected to the broker");
                l.emit(ListenEvent::Connected);
                let ended = l
                    .consume(&ch, &mut deliveries, &mut shutdown, &mut poll)
                    .await;
                if let Ended::Shutdown = ended {
                    let _ = ch.close(200, "shutdown".into()).await;
                    let _ = conn.close(200, "shutdown".into()).await;
                    tracing::info!("listener stopped");
                    return Ok(l.stats);
                }
                ended
            }
            Err(BrokerError::Setup(e)) => return Err(e),
            Err(e) => Ended::Lost(e),
        };
        if let Ended::Lost(e) = ended {
            if started.elapsed() > Duration::from_secs(30) {
                backoff = first_backoff;
            }
            tracing::warn!(error = %e, retry_in = ?backoff, "broker connection lost");
            l.emit(ListenEvent::Disconnected(e.to_string()));
            // polls go on while the broker is away
            let pause = tokio::time::sleep(backoff);
            tokio::pin!(pause);
            loop {
                tokio::select! {
                    biased;
                    _ = shutdown.as_mut() => return Ok(l.stats),
                    _ = &mut pause => break,
                    _ = tick(&mut poll) => l.poll_now().await,
                    r = poll::done(&mut l.poll) => l.finish_poll(r).await,
                }
            }
            backoff = (backoff * 2).min(opts.max_backoff.max(first_backoff));
        }
    }
}
