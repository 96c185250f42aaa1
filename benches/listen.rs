//! Message-to-page latency of `listen`: a private RabbitMQ (as in tests/listen.rs),
//! the stub API and a small site. Each round publishes one Copr `build.end` (with the
//! headers and properties fedora-messaging sets) and waits until the listener has
//! refreshed the archive, rebuilt the site and acknowledged the message; the time from
//! publish to that point is the latency (the page is on disk then). Prints p50, p95
//! and max twice: with the listener alone and an unpaced client, then with polls
//! running back to back (one list answering in 2 s a page) and poll and messages
//! sharing the default politeness of 5 requests/s — the case where a message used
//! to wait for the whole poll.
//!
//! `cargo bench --bench listen` (optionally `-- <rounds> <batch-window-ms>`; defaults
//! 40 rounds, the listener's default window of 300 ms; under `cargo test` 5 rounds).
//! Needs rabbitmq-server (scripts/install-test-deps).

use lapin::options::BasicPublishOptions;
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::{BasicProperties, Connection, ConnectionProperties};
use packit_pages::listen::config::{Binding, BusConfig, QueueConfig};
use packit_pages::listen::{ListenEvent, ListenOptions};
use packit_pages::site::BuildOptions;
use packit_pages::sync::{NoProgress, SyncOptions};
use packit_pages_testkit as support;
use serde_json::json;
use std::time::{Duration, Instant};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// The listener's options of one phase: `sync` and `build` as set up, the batch
/// window, and a poll interval (polls run back to back when short).
struct Phase {
    bus: BusConfig,
    sync: SyncOptions,
    build: BuildOptions,
    window_ms: u64,
    poll: Option<Duration>,
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` runs a short smoke round
    let benching = std::env::args().any(|a| a == "--bench");
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let rounds: usize = args
        .first()
        .and_then(|a| a.parse().ok())
        .unwrap_or(if benching { 40 } else { 5 });
    let window_ms: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(300);
    let broker = support::broker::Broker::start();
    let dir = support::TempDir::new("bench-listen");
    let pipelines = 200;
    let ds = support::mini_dataset(pipelines);
    let stub = support::stub::Stub::start(&ds);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut sync = SyncOptions::new(dir.join("a.sqlite"), &stub.base_url());
    sync.client.requests_per_second = 0.0;
    let polite = sync.client.clone();
    rt.block_on(packit_pages::sync::sync(&sync, &NoProgress))
        .unwrap();
    let build = BuildOptions {
        archive: sync.archive.clone(),
        out: dir.join("public"),
        theme: None,
        base_url: None,
        content: None,
        full: false,
        threads: None,
        list_files: false,
        page_json: false,
    };
    let first = packit_pages::site::build(&build).unwrap();
    println!(
        "site: {} files from {pipelines} pipelines, first build {} ms",
        first.files, first.millis
    );
    let mut bus = BusConfig {
        amqp_url: broker.url(),
        ..BusConfig::default()
    };
    bus.queues.insert("bench".into(), QueueConfig::default());
    bus.bindings = vec![Binding {
        queue: "bench".into(),
        exchange: "amq.topic".into(),
        routing_keys: vec!["org.fedoraproject.prod.copr.#".into()],
    }];
    let quiet = run(
        &rt,
        &broker,
        Phase {
            bus: bus.clone(),
            sync: sync.clone(),
            build: build.clone(),
            window_ms,
            poll: None,
        },
        rounds,
        pipelines,
    );
    report("no poll, no politeness", window_ms, &quiet.0);
    // a long poll at all times: one list answers in 2 s a page, and poll and
    // messages share the default budget of 5 requests/s
    stub.set_faults(support::stub::Faults {
        slow_paths: vec![("testing-farm/results".into(), Duration::from_secs(2))],
        ..support::stub::Faults::none()
    });
    let mut polite_sync = sync.clone();
    polite_sync.client = polite;
    let busy = run(
        &rt,
        &broker,
        Phase {
            bus,
            sync: polite_sync,
            build,
            window_ms,
            poll: Some(Duration::from_millis(100)),
        },
        rounds,
        pipelines,
    );
    report(
        &format!(
            "while polls run back to back ({} polls ended), 5 requests/s",
            busy.1
        ),
        window_ms,
        &busy.0,
    );
}

fn report(what: &str, window_ms: u64, latencies: &[f64]) {
    let mut sorted = latencies.to_vec();
    sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "message-to-page latency over {} messages, {what} (batch window {window_ms} ms): p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms",
        sorted.len(),
        percentile(&sorted, 0.5),
        percentile(&sorted, 0.95),
        sorted.last().copied().unwrap_or(0.0)
    );
}

/// Runs a listener with `p` and publishes `rounds` messages one after another;
/// returns their latencies (ms) and the polls that ended meanwhile.
fn run(
    rt: &tokio::runtime::Runtime,
    broker: &support::broker::Broker,
    p: Phase,
    rounds: usize,
    pipelines: u64,
) -> (Vec<f64>, usize) {
    let Phase {
        bus,
        sync,
        build,
        window_ms,
        poll,
    } = p;
    let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
    let mut opts = ListenOptions::new(bus, sync, Some(build));
    opts.events = Some(tx);
    opts.poll_interval = poll;
    opts.settle = None;
    opts.batch_window = Duration::from_millis(window_ms);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let listener = rt.spawn(async move {
        packit_pages::listen::listen(&opts, async {
            let _ = stopped.await;
        })
        .await
    });
    let url = broker.url();
    let result = rt.block_on(async move {
        let mut polls = 0;
        loop {
            if let Some(ListenEvent::Connected) = events.recv().await {
                break;
            }
        }
        if poll.is_some() {
            // the first poll is under way
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        let conn = Connection::connect(&url, ConnectionProperties::default()).await.unwrap();
        let ch = conn.create_channel().await.unwrap();
        let mut out = Vec::new();
        for round in 0..rounds {
            let i = round as u64 % pipelines;
            let chroot = if round % 2 == 0 { "fedora-40-x86_64" } else { "fedora-41-x86_64" };
            let body = json!({"build": 7_000_000 + i, "chroot": chroot, "copr": "bench",
                "owner": "packit", "user": "packit", "pkg": "hello", "status": 1,
                "version": "1.0-1", "what": "build end", "ip": "127.0.0.1", "who": "bench", "pid": 1});
            let id = format!("bench-{}-{round}", std::process::id());
            let mut headers = FieldTable::default();
            headers.insert(ShortString::from("fedora_messaging_schema"), AMQPValue::LongString("copr.build.end".into()));
            headers.insert(ShortString::from("fedora_messaging_severity"), AMQPValue::LongInt(20));
            headers.insert(ShortString::from("fedora_messaging_user_packit"), AMQPValue::Boolean(true));
            headers.insert(ShortString::from("sent-at"), AMQPValue::LongString("2026-01-01T00:00:00+00:00".into()));
            let props = BasicProperties::default()
                .with_content_type("application/json".into())
                .with_content_encoding("utf-8".into())
                .with_delivery_mode(2)
                .with_message_id(id.as_str().into())
                .with_headers(headers);
            let t0 = Instant::now();
            ch.basic_publish(
                "amq.topic".into(),
                "org.fedoraproject.prod.copr.build.end".into(),
                BasicPublishOptions::default(),
                body.to_string().as_bytes(),
                props,
            )
            .await
            .unwrap();
            loop {
                match events.recv().await {
                    Some(ListenEvent::Batch(b)) if b.message_ids.contains(&id) => {
                        out.push(t0.elapsed().as_secs_f64() * 1000.0);
                        break;
                    }
                    Some(ListenEvent::Polled(..)) => polls += 1,
                    Some(_) => {}
                    None => panic!("listener stopped"),
                }
            }
        }
        let _ = conn.close(200, "bye".into()).await;
        (out, polls)
    });
    let _ = stop.send(());
    rt.block_on(listener).unwrap().unwrap();
    result
}
