//! The AMQP consumer: connect (TLS with a client certificate and SASL EXTERNAL for the
//! Fedora brokers), declare and bind the configured queues, then consume in batches.
//!
//! Delivery is at-least-once: a batch (the messages that arrive within
//! [`ListenOptions::batch_window`] of the first) is dispatched, its refresh committed
//! to the archive and the site rebuilt, and only then is it acknowledged (one
//! `basic.ack` with `multiple`). A refresh that cannot walk a list (the API is away)
//! or a build that fails sends the batch back (`basic.nack` with requeue) and pauses. Messages are de-duplicated on their
//! `message_id` (a bounded memory of recent ids), so a redelivery after a lost ack
//! costs nothing. Malformed and unknown messages are logged and acknowledged with
//! their batch. When the broker goes away the listener reconnects with exponential
//! back-off; the shutdown future (SIGTERM in the binary) is honoured between batches,
//! so the current batch always finishes.

use super::config::{BusConfig, QueueConfig};
use super::dispatch::{Decision, Incoming, dispatch};
use crate::site::{BuildOptions, BuildReport};
use crate::sync::{NoProgress, RefreshRequest, SyncOptions, SyncReport};
use futures_util::StreamExt;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions, QueueBindOptions,
    QueueDeclareOptions,
};
use lapin::tcp::{OwnedIdentity, OwnedTLSConfig};
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::uri::{AMQPUri, SASLMechanism};
use lapin::{Channel, Connection, ConnectionProperties, DefaultConnectionBuilder};
use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Errors that stop the listener (everything else is logged and retried).
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

/// Remembers the last `cap` message ids.
struct Dedup {
    set: HashSet<String>,
    order: VecDeque<String>,
    cap: usize,
}

impl Dedup {
    fn new(cap: usize) -> Dedup {
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

/// The TLS settings of `bus` (files read now).
fn tls_config(bus: &BusConfig) -> Result<OwnedTLSConfig, ListenError> {
    let read = |p: &PathBuf| {
        std::fs::read(p).map_err(|source| ListenError::Tls {
            path: p.clone(),
            source,
        })
    };
    let cert_chain = match &bus.tls.ca_cert {
        Some(p) => Some(String::from_utf8_lossy(&read(p)?).into_owned()),
        None => None,
    };
    let identity = match (&bus.tls.certfile, &bus.tls.keyfile) {
        (Some(c), Some(k)) => Some(OwnedIdentity::PKCS8 {
            pem: read(c)?,
            key: read(k)?,
        }),
        _ => None,
    };
    Ok(OwnedTLSConfig {
        identity,
        cert_chain,
    })
}

/// The broker URI of `bus`: SASL EXTERNAL when a client certificate is configured and
/// the URL names no mechanism (what the Python client does).
pub fn broker_uri(bus: &BusConfig) -> Result<AMQPUri, ListenError> {
    let mut uri: AMQPUri = bus.amqp_url.parse().map_err(|reason| ListenError::Url {
        url: bus.amqp_url.clone(),
        reason,
    })?;
    if bus.tls.certfile.is_some() && uri.query.auth_mechanism.is_none() {
        uri.query.auth_mechanism = Some(SASLMechanism::External);
    }
    Ok(uri)
}

fn queue_arguments(q: &QueueConfig) -> FieldTable {
    let mut t = FieldTable::default();
    for (k, v) in &q.arguments {
        let v = match v {
            toml::Value::Integer(n) => AMQPValue::LongLongInt(*n),
            toml::Value::Boolean(b) => AMQPValue::Boolean(*b),
            toml::Value::Float(f) => AMQPValue::Double(*f),
            toml::Value::String(s) => AMQPValue::LongString(s.as_str().into()),
            _ => continue,
        };
        t.insert(ShortString::from(k.as_str()), v);
    }
    t
}

type Deliveries = futures_util::stream::SelectAll<lapin::Consumer>;

/// Connects, declares and binds, and starts consuming every configured queue.
async fn connect(bus: &BusConfig) -> Result<(Connection, Channel, Deliveries), String> {
    let uri = broker_uri(bus).map_err(|e| e.to_string())?;
    let tls = tls_config(bus).map_err(|e| e.to_string())?;
    let mut props = ConnectionProperties::default();
    for (k, v) in &bus.client_properties {
        props = props.with_client_property(k.as_str().into(), v.as_str().into());
    }
    let conn = DefaultConnectionBuilder::new()
        .map_err(|e| e.to_string())?
        .with_uri(uri)
        .with_properties(props)
        .with_tls_config(tls)
        .connect()
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let ch = conn
        .create_channel()
        .await
        .map_err(|e| format!("channel: {e}"))?;
    ch.basic_qos(bus.qos.prefetch_count, BasicQosOptions::default())
        .await
        .map_err(|e| format!("qos: {e}"))?;
    let mut queues: Vec<(ShortString, Vec<(String, String)>)> = Vec::new();
    if bus.queues.is_empty() {
        let q = ch
            .queue_declare(
                "".into(),
                QueueDeclareOptions {
                    exclusive: true,
                    auto_delete: true,
                    durable: false,
                    ..QueueDeclareOptions::default()
                },
                FieldTable::default(),
            )
            .await
            .map_err(|e| format!("queue.declare: {e}"))?;
        let keys = bus
            .anonymous_routing_keys()
            .into_iter()
            .map(|k| ("amq.topic".to_string(), k))
            .collect();
        queues.push((q.name().clone(), keys));
    } else {
        for (name, q) in &bus.queues {
            ch.queue_declare(
                name.as_str().into(),
                QueueDeclareOptions {
                    passive: bus.passive_declares,
                    durable: q.durable,
                    exclusive: q.exclusive,
                    auto_delete: q.auto_delete,
                    nowait: false,
                },
                queue_arguments(q),
            )
            .await
            .map_err(|e| format!("queue.declare {name}: {e}"))?;
            let keys = bus
                .bindings
                .iter()
                .filter(|b| &b.queue == name)
                .flat_map(|b| {
                    b.routing_keys
                        .iter()
                        .map(|k| (b.exchange.clone(), k.clone()))
                })
                .collect();
            queues.push((name.as_str().into(), keys));
        }
    }
    let mut consumers = Vec::new();
    for (name, keys) in queues {
        if !bus.passive_declares {
            for (exchange, key) in keys {
                ch.queue_bind(
                    name.clone(),
                    exchange.as_str().into(),
                    key.as_str().into(),
                    QueueBindOptions::default(),
                    FieldTable::default(),
                )
                .await
                .map_err(|e| format!("queue.bind {name} {key}: {e}"))?;
            }
        }
        let c = ch
            .basic_consume(
                name.clone(),
                "".into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .map_err(|e| format!("basic.consume {name}: {e}"))?;
        consumers.push(c);
    }
    Ok((conn, ch, futures_util::stream::select_all(consumers)))
}

fn header_str<'a>(d: &'a lapin::message::Delivery, key: &str) -> Option<&'a str> {
    let h = d.properties.headers().as_ref()?;
    let (_, v) = h.inner().iter().find(|(k, _)| k.as_str() == key)?;
    match v {
        AMQPValue::LongString(s) => std::str::from_utf8(s.as_bytes()).ok(),
        AMQPValue::ShortString(s) => Some(s.as_str()),
        _ => None,
    }
}

/// The running listener's state.
struct Listener<'o> {
    opts: &'o ListenOptions,
    dedup: Dedup,
    stats: ListenStats,
    /// The follow-up refresh due next: when, and the union of the batches' requests.
    followup: Option<(tokio::time::Instant, RefreshRequest)>,
    /// The site's live build state (opened by the first build).
    session: std::sync::Arc<std::sync::Mutex<Option<crate::site::Session>>>,
}

enum Ended {
    Shutdown,
    Lost(String),
}

impl Listener<'_> {
    fn emit(&self, e: ListenEvent) {
        if let Some(tx) = &self.opts.events {
            let _ = tx.send(e);
        }
    }

    async fn build(&self) -> Result<Option<BuildReport>, String> {
        let Some(b) = self.opts.build.clone() else {
            return Ok(None);
        };
        let session = self.session.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = session.lock().unwrap_or_else(|e| e.into_inner());
            let result = match guard.as_mut() {
                Some(s) => s.update(),
                None => crate::site::Session::open(&b).map(|(s, r)| {
                    *guard = Some(s);
                    r
                }),
            };
            if result.is_err() {
                // start from what is on disk next time
                *guard = None;
            }
            result
        })
        .await
        .map_err(|e| format!("build task: {e}"))?
        .map(Some)
        .map_err(|e| format!("build: {e}"))
    }

    async fn poll(&mut self) {
        let mut o = self.opts.sync.clone();
        o.usage = false;
        match crate::sync::sync(&o, &NoProgress).await {
            Ok(report) => {
                self.stats.polls += 1;
                let changed = report.totals.new + report.totals.changed + report.totals.gone > 0;
                let build = if changed || self.stats.polls == 1 {
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
                tracing::info!(
                    new = report.totals.new,
                    changed = report.totals.changed,
                    "poll done"
                );
                self.emit(ListenEvent::Polled(Box::new(report), build.map(Box::new)));
            }
            Err(e) => tracing::error!(error = %e, "poll failed"),
        }
    }

    /// Runs the pending follow-up refresh (and build).
    async fn settle(&mut self) {
        let Some((_, req)) = self.followup.take() else {
            return;
        };
        match crate::sync::refresh(&self.opts.sync, &req, &NoProgress).await {
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
    ) -> Result<(), String> {
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
                let report = crate::sync::refresh(&self.opts.sync, &rep.request, &NoProgress)
                    .await
                    .map_err(|e| format!("refresh: {e}"))?;
                if let Some(f) = report.failed_lists.first() {
                    // the API did not answer (after the client's retries): keep the
                    // messages; a failed detail is retried by the next poll instead
                    return Err(format!(
                        "refresh: list {} page {} failed: {}",
                        f.endpoint, f.id, f.error
                    ));
                }
                let build = self.build().await?;
                Ok::<_, String>((report, build))
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
                    self.emit(ListenEvent::Requeued(e.clone()));
                    ch.basic_nack(
                        last_tag,
                        BasicNackOptions {
                            multiple: true,
                            requeue: true,
                        },
                    )
                    .await
                    .map_err(|e| format!("nack: {e}"))?;
                    tokio::time::sleep(Duration::from_secs(2)).await;
                    return Ok(());
                }
            }
        }
        ch.basic_ack(last_tag, BasicAckOptions { multiple: true })
            .await
            .map_err(|e| format!("ack: {e}"))?;
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
    async fn consume<S: Future<Output = ()>>(
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
                    self.poll().await;
                    continue;
                }
                _ = due(&self.followup) => {
                    self.settle().await;
                    continue;
                }
                d = deliveries.next() => match d {
                    Some(Ok(d)) => d,
                    Some(Err(e)) => return Ended::Lost(e.to_string()),
                    None => return Ended::Lost("the broker closed the consumer".into()),
                },
            };
            let mut batch = vec![first];
            let deadline = tokio::time::Instant::now() + self.opts.batch_window;
            let mut lost = None;
            while batch.len() < self.opts.max_batch.max(1) {
                match tokio::time::timeout_at(deadline, deliveries.next()).await {
                    Ok(Some(Ok(d))) => batch.push(d),
                    Ok(Some(Err(e))) => {
                        lost = Some(e.to_string());
                        break;
                    }
                    Ok(None) => {
                        lost = Some("the broker closed the consumer".into());
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
/// back-off forever; only set-up errors (URL, TLS files) end it early.
pub async fn listen(
    opts: &ListenOptions,
    shutdown: impl Future<Output = ()>,
) -> Result<ListenStats, ListenError> {
    broker_uri(&opts.bus)?;
    tls_config(&opts.bus)?;
    let shutdown = std::pin::pin!(shutdown);
    let mut shutdown = shutdown;
    let mut l = Listener {
        opts,
        dedup: Dedup::new(200_000),
        stats: ListenStats::default(),
        followup: None,
        session: Default::default(),
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
                s.unwrap_or_else(|_| Err(format!("no connection within {CONNECT_TIMEOUT:?}")))
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
            Err(e) => Ended::Lost(e),
        };
        if let Ended::Lost(e) = ended {
            if started.elapsed() > Duration::from_secs(30) {
                backoff = first_backoff;
            }
            tracing::warn!(error = %e, retry_in = ?backoff, "broker connection lost");
            l.emit(ListenEvent::Disconnected(e));
            // polls go on while the broker is away
            let pause = tokio::time::sleep(backoff);
            tokio::pin!(pause);
            loop {
                tokio::select! {
                    biased;
                    _ = shutdown.as_mut() => return Ok(l.stats),
                    _ = &mut pause => break,
                    _ = tick(&mut poll) => l.poll().await,
                }
            }
            backoff = (backoff * 2).min(opts.max_backoff.max(first_backoff));
        }
    }
}

/// The URL without its password, for logs.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((u, _)) => format!("{}{u}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
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

    #[test]
    fn external_auth_with_client_certificate() {
        let mut bus = BusConfig {
            amqp_url: "amqps://fedora:@rabbitmq.fedoraproject.org/%2Fpublic_pubsub".into(),
            ..BusConfig::default()
        };
        let u = broker_uri(&bus).unwrap();
        assert_eq!(u.vhost, "/public_pubsub");
        assert_eq!(u.query.auth_mechanism, None);
        bus.tls.certfile = Some("c.pem".into());
        bus.tls.keyfile = Some("k.pem".into());
        assert_eq!(
            broker_uri(&bus).unwrap().query.auth_mechanism,
            Some(SASLMechanism::External)
        );
        assert!(matches!(tls_config(&bus), Err(ListenError::Tls { .. })));
        bus.amqp_url = "http://x".into();
        assert!(matches!(broker_uri(&bus), Err(ListenError::Url { .. })));
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact("amqp://guest:secret@h/%2F"),
            "amqp://guest:***@h/%2F"
        );
        assert_eq!(redact("amqps://h/%2F"), "amqps://h/%2F");
    }
}
