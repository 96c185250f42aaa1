//! `listen` end to end: a private RabbitMQ (Debian's rabbitmq-server, started here on
//! loopback), messages published with the real fedora-messaging Python client, the
//! stub Packit API, the archive and the built site. This file holds what the scenarios
//! share and the test that runs them against a plain broker: `listen_flow` (messages
//! to pages, polls, follow-ups), `listen_faults` (a broker restart, an API outage, the
//! command and its exit) and `listen_tls` (a broker set up like Fedora's: TLS, client
//! certificates, SASL EXTERNAL; the set-up errors).
//!
//! One broker serves every scenario (it takes seconds to start), so they run in one
//! test function, in order. A missing rabbitmq-server or fedora-messaging venv fails
//! the test (scripts/install-test-deps provides both); nothing is skipped.

use crate::support;

use packit_pages::listen::config::{Binding, BusConfig, QueueConfig};
use packit_pages::listen::{ListenEvent, ListenOptions, ListenStats};
use packit_pages::site::BuildOptions;
use packit_pages::sync::{self, NoProgress, SyncOptions};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};
use support::broker::Broker;
use support::stub::{Dataset, Stub};
use support::{TempDir, mini_dataset};
use tokio::sync::mpsc::UnboundedReceiver;

/// One of the project's real fedora-messaging messages (tests/fixtures/fedora-messaging).
pub(crate) fn example(rel: &str) -> Value {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fedora-messaging");
    serde_json::from_str(&std::fs::read_to_string(dir.join(rel)).unwrap()).unwrap()
}

/// The example Copr `build.end` body, as Packit's build `build_id` chroot `chroot`.
pub(crate) fn copr_end(build_id: u64, chroot: &str, status: i64) -> Value {
    let mut b = example("copr/copr.build.end.json");
    b["user"] = json!("packit");
    b["owner"] = json!("packit");
    b["build"] = json!(build_id);
    b["chroot"] = json!(chroot);
    b["status"] = json!(status);
    json!({"schema": "copr.build.end", "body": b})
}

/// A site over the stub: archive synced, site built.
pub(crate) struct Site {
    pub(crate) dir: TempDir,
    pub(crate) stub: Stub,
    pub(crate) ds: Dataset,
    pub(crate) sync: SyncOptions,
    pub(crate) build: BuildOptions,
}

impl Site {
    pub(crate) async fn new(tag: &str, pipelines: u64) -> Site {
        let dir = TempDir::new(tag);
        let ds = mini_dataset(pipelines);
        let stub = Stub::start(&ds);
        let sync = SyncOptions {
            client: support::stub_client(&stub),
            ..SyncOptions::new(dir.join("archive.sqlite"), &stub.base_url())
        };
        sync::sync(&sync, &NoProgress).await.expect("initial sync");
        let build = support::build_options(sync.archive.clone(), dir.join("public"));
        let b = build.clone();
        tokio::task::spawn_blocking(move || packit_pages::site::build(&b))
            .await
            .unwrap()
            .expect("initial build");
        Site {
            dir,
            stub,
            ds,
            sync,
            build,
        }
    }

    pub(crate) fn page(&self, rel: &str) -> String {
        std::fs::read_to_string(self.build.out.join(rel)).unwrap_or_default()
    }
}

pub(crate) fn bus(broker: &Broker, queue: &str, keys: Option<Vec<&str>>) -> BusConfig {
    let mut b = BusConfig {
        amqp_url: broker.url(),
        ..BusConfig::default()
    };
    b.queues.insert(queue.to_string(), QueueConfig::default());
    b.bindings = vec![Binding {
        queue: queue.to_string(),
        exchange: "amq.topic".into(),
        routing_keys: keys
            .unwrap_or_else(|| packit_pages::listen::config::DEFAULT_ROUTING_KEYS.to_vec())
            .into_iter()
            .map(str::to_string)
            .collect(),
    }];
    b
}

/// A listener running on the test's runtime.
pub(crate) struct Running {
    events: UnboundedReceiver<ListenEvent>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<ListenStats>,
}

pub(crate) fn start(site: &Site, bus: BusConfig) -> Running {
    start_with(site, bus, |_| {})
}

/// [`start`] with options `adjust` changes.
pub(crate) fn start_with(
    site: &Site,
    bus: BusConfig,
    adjust: impl FnOnce(&mut ListenOptions),
) -> Running {
    let (tx, events) = tokio::sync::mpsc::unbounded_channel();
    let mut opts = ListenOptions::new(bus, site.sync.clone(), Some(site.build.clone()));
    opts.events = Some(tx);
    opts.max_backoff = Duration::from_secs(2);
    adjust(&mut opts);
    let (stop, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        packit_pages::listen::listen(&opts, async {
            let _ = rx.await;
        })
        .await
        .expect("listener")
    });
    Running {
        events,
        stop: Some(stop),
        task,
    }
}

impl Running {
    /// The next event, or a panic after `secs`.
    pub(crate) async fn next(&mut self, secs: u64) -> ListenEvent {
        tokio::time::timeout(Duration::from_secs(secs), self.events.recv())
            .await
            .expect("listener event in time")
            .expect("listener alive")
    }

    pub(crate) async fn connected(&mut self) {
        loop {
            if let ListenEvent::Connected = self.next(30).await {
                return;
            }
        }
    }

    pub(crate) async fn shutdown(mut self) -> ListenStats {
        let _ = self.stop.take().unwrap().send(());
        tokio::time::timeout(Duration::from_secs(30), self.task)
            .await
            .expect("clean exit in time")
            .unwrap()
    }
}

/// Marks chroot fedora-40-x86_64 of build 7000005 (target 2010, pipeline 505) done.
pub(crate) fn finish_2010(site: &mut Site) {
    for item in site.ds.lists.get_mut("copr-builds").unwrap() {
        if item["build_id"] == "7000005" {
            item["status_per_chroot"]["fedora-40-x86_64"] = json!("success");
        }
    }
    site.ds.details.get_mut("copr-builds/2010").unwrap()["status"] = json!("success");
    site.stub.set_dataset(&site.ds);
}

/// `packit-pages listen` over `site` with the bus configuration `conf`, no poll.
pub(crate) fn listen_command(site: &Site, conf: &Path) -> Command {
    let mut c = support::packit_pages();
    c.args(["listen", "--amqp-config"])
        .arg(conf)
        .arg("--api")
        .arg(site.stub.base_url())
        .arg("--archive")
        .arg(&site.sync.archive)
        .arg("--out")
        .arg(&site.build.out)
        .args(["--poll-interval", "0"])
        .env("RUST_LOG", "info");
    c
}

/// A running `packit-pages listen` process, its stderr read line by line (and echoed).
/// Dropping it kills the process if it still runs.
pub(crate) struct ListenProcess {
    child: Child,
    lines: Receiver<String>,
    /// Every stderr line read so far.
    pub(crate) seen: Vec<String>,
}

impl ListenProcess {
    pub(crate) fn spawn(command: &mut Command) -> ListenProcess {
        let mut child = command.stderr(Stdio::piped()).spawn().unwrap();
        let (tx, lines) = std::sync::mpsc::channel::<String>();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                eprintln!("  | {line}");
                let _ = tx.send(line);
            }
        });
        ListenProcess {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// The first line (from now) containing `needle`, or a panic after `secs`.
    pub(crate) fn wait_for(&mut self, needle: &str, secs: u64) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self
                .lines
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no {needle:?} in time; stderr: {:#?}", self.seen));
            self.seen.push(line.clone());
            if line.contains(needle) {
                return line;
            }
        }
    }

    /// Sends SIGTERM.
    pub(crate) fn terminate(&self) {
        let st = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(st.success());
    }

    /// The exit status within `secs` (a panic otherwise) and the whole stderr.
    pub(crate) fn exit(mut self, secs: u64) -> (ExitStatus, String) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            while let Ok(l) = self.lines.try_recv() {
                self.seen.push(l);
            }
            assert!(
                Instant::now() < deadline,
                "still running after {secs} s; stderr: {:#?}",
                self.seen
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        // the reader thread ends with the process's stderr
        while let Ok(l) = self.lines.recv_timeout(Duration::from_secs(5)) {
            self.seen.push(l);
        }
        (status, self.seen.join("\n"))
    }
}

impl Drop for ListenProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn listener_against_a_real_broker() {
    use crate::{listen_faults as faults, listen_flow as flow, listen_tls as tls};
    let mut broker = tokio::task::spawn_blocking(Broker::start).await.unwrap();
    flow::copr_build_end_updates_its_page(&broker).await;
    flow::thousand_messages_with_malformed_ones(&broker).await;
    flow::polling_brings_what_the_bus_does_not(&broker).await;
    faults::command_applies_and_stops_on_sigterm(&broker).await;
    faults::api_outage_requeues(&broker).await;
    flow::server_named_queue_and_duplicates(&broker).await;
    flow::follow_up_refresh_catches_a_late_api(&broker).await;
    flow::message_during_a_long_poll(&broker).await;
    tls::amqps_url_to_a_plain_broker_is_refused(&broker).await;
    faults::broker_restart_loses_nothing(&mut broker).await;
    tokio::task::spawn_blocking(move || drop(broker))
        .await
        .unwrap();
}
