//! A private RabbitMQ for tests and benchmarks: Debian's `rabbitmq-server` started on
//! loopback with its own node name, ports (AMQP, Erlang distribution, epmd), data and
//! log directories and Erlang cookie, so it neither needs nor touches a system broker.
//! Missing `rabbitmq-server` is a test failure (scripts/install-test-deps installs it),
//! never a skip. Dropping the broker stops the node and its epmd.
//!
//! [`Broker::start_tls`] starts one set up like Fedora's public broker: TLS only, a
//! client certificate required and checked against the test CA ([`crate::pki`]),
//! SASL EXTERNAL with the user taken from the certificate's common name
//! (`rabbitmq_auth_mechanism_ssl`), the vhost `/public_pubsub` where `fedora` may
//! declare and bind only UUID-named (or server-named) queues, and a
//! `packit-publisher` that may publish.
//!
//! Also finds the Python with the fedora-messaging client that scripts/install-test-deps
//! puts in a venv under the target directory, and runs `tests/bus/publish.py` with it.

use crate::TempDir;
use crate::pki::Pki;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running private broker.
pub struct Broker {
    pub dir: TempDir,
    pub node: String,
    pub port: u16,
    dist_port: u16,
    epmd_port: u16,
    bin: PathBuf,
    server: Option<Child>,
    /// The certificates of a TLS broker ([`Broker::start_tls`]).
    tls: Option<PathBuf>,
}

/// The virtual host of a TLS broker, Fedora's public one.
pub const TLS_VHOST: &str = "/public_pubsub";

/// What `fedora` may configure and write on the TLS broker: UUID-named queues (as on
/// Fedora's public broker) and server-named ones.
const FEDORA_QUEUES: &str =
    "^(amq\\.gen-.*|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$";

/// A distinct node name for every broker of the process.
fn node_name() -> String {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("pptest{}n{n}@localhost", std::process::id())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The directory holding `rabbitmq-server` and `rabbitmqctl` (Debian keeps the real
/// scripts in /usr/lib/rabbitmq/bin; the /usr/sbin wrappers switch to the rabbitmq
/// user, which could not write our temporary directories).
fn rabbit_bin() -> PathBuf {
    if let Some(d) = std::env::var_os("RABBITMQ_BIN_DIR") {
        return PathBuf::from(d);
    }
    let debian = Path::new("/usr/lib/rabbitmq/bin");
    if debian.join("rabbitmq-server").is_file() {
        return debian.to_path_buf();
    }
    if let Some(path) = std::env::var_os("PATH") {
        for d in std::env::split_paths(&path) {
            if d.join("rabbitmq-server").is_file() {
                return d;
            }
        }
    }
    panic!(
        "rabbitmq-server not found (looked in /usr/lib/rabbitmq/bin and PATH): \
         the listen tests need a real RabbitMQ; run scripts/install-test-deps \
         (apt-get install rabbitmq-server) or set RABBITMQ_BIN_DIR"
    );
}

impl Broker {
    /// Starts a broker and waits until it accepts AMQP connections.
    pub fn start() -> Broker {
        let mut b = Broker::prepare();
        std::fs::write(b.dir.join("enabled_plugins"), "[].\n").unwrap();
        b.boot();
        b
    }

    fn prepare() -> Broker {
        let bin = rabbit_bin();
        let dir = TempDir::new("rabbit");
        for d in ["mnesia", "log"] {
            std::fs::create_dir_all(dir.join(d)).unwrap();
        }
        Broker {
            node: node_name(),
            port: free_port(),
            dist_port: free_port(),
            epmd_port: free_port(),
            dir,
            bin,
            server: None,
            tls: None,
        }
    }

    /// Starts a broker set up like Fedora's public one (see the module's doc), its TLS
    /// listener on [`Broker::port`], with the certificates of `pki`.
    pub fn start_tls(pki: &Pki) -> Broker {
        let mut b = Broker::prepare();
        let p = |f: PathBuf| f.to_string_lossy().into_owned();
        std::fs::write(
            b.dir.join("enabled_plugins"),
            "[rabbitmq_auth_mechanism_ssl].\n",
        )
        .unwrap();
        std::fs::write(
            b.dir.join("rabbitmq.conf"),
            format!(
                "listeners.tcp = none\n\
                 listeners.ssl.default = 127.0.0.1:{port}\n\
                 ssl_options.cacertfile = {ca}\n\
                 ssl_options.certfile = {cert}\n\
                 ssl_options.keyfile = {key}\n\
                 ssl_options.verify = verify_peer\n\
                 ssl_options.fail_if_no_peer_cert = true\n\
                 auth_mechanisms.1 = EXTERNAL\n\
                 ssl_cert_login_from = common_name\n",
                port = b.port,
                ca = p(pki.ca()),
                cert = p(pki.cert("server")),
                key = p(pki.key("server")),
            ),
        )
        .unwrap();
        b.tls = Some(pki.dir.path().to_path_buf());
        b.boot();
        b.ctl(&["add_vhost", TLS_VHOST]);
        for (user, configure, write) in [
            ("fedora", FEDORA_QUEUES, FEDORA_QUEUES),
            ("packit-publisher", ".*", ".*"),
        ] {
            b.ctl(&["add_user", user, "unused-password"]);
            b.ctl(&["clear_password", user]);
            b.ctl(&[
                "set_permissions",
                "-p",
                TLS_VHOST,
                user,
                configure,
                write,
                ".*",
            ]);
        }
        b
    }

    /// Runs `rabbitmqctl ARGS` on this node; panics when it fails.
    pub fn ctl(&self, args: &[&str]) {
        let out = self
            .command("rabbitmqctl")
            .args(["-n", &self.node, "-q"])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "rabbitmqctl {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn command(&self, prog: &str) -> Command {
        let mut c = Command::new(self.bin.join(prog));
        let d = self.dir.path();
        c.current_dir(d)
            .env("HOME", d)
            .env("RABBITMQ_NODENAME", &self.node)
            .env("RABBITMQ_DIST_PORT", self.dist_port.to_string())
            .env("ERL_EPMD_ADDRESS", "127.0.0.1")
            .env("ERL_EPMD_PORT", self.epmd_port.to_string())
            .env("RABBITMQ_MNESIA_BASE", d.join("mnesia"))
            .env("RABBITMQ_LOG_BASE", d.join("log"))
            .env("RABBITMQ_ENABLED_PLUGINS_FILE", d.join("enabled_plugins"))
            .env(
                "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS",
                "-kernel inet_dist_use_interface {127,0,0,1}",
            );
        if self.tls.is_some() {
            c.env("RABBITMQ_CONFIG_FILE", d.join("rabbitmq.conf"));
        } else {
            c.env("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1")
                .env("RABBITMQ_NODE_PORT", self.port.to_string());
        }
        c
    }

    /// (Re)starts the node on the same ports and data directory.
    pub fn boot(&mut self) {
        let t0 = Instant::now();
        let log = std::fs::File::create(self.dir.join("server.out")).unwrap();
        let child = self
            .command("rabbitmq-server")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start rabbitmq-server: {e}"));
        self.server = Some(child);
        // the node registers with epmd after a few seconds; await_startup fails until then
        loop {
            let out = self
                .command("rabbitmqctl")
                .args(["-n", &self.node, "-q", "await_startup", "--timeout", "30"])
                .stdin(Stdio::null())
                .output()
                .unwrap();
            if out.status.success() {
                break;
            }
            if let Some(c) = self.server.as_mut()
                && let Ok(Some(st)) = c.try_wait()
            {
                panic!(
                    "rabbitmq-server exited ({st}): {}",
                    std::fs::read_to_string(self.dir.join("server.out")).unwrap_or_default()
                );
            }
            assert!(
                t0.elapsed() < Duration::from_secs(90),
                "RabbitMQ did not start in 90 s: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            std::thread::sleep(Duration::from_millis(300));
        }
        eprintln!(
            "broker {} up on port {} in {:?}",
            self.node,
            self.port,
            t0.elapsed()
        );
    }

    /// Stops the node (data stays for [`Broker::boot`]).
    pub fn stop(&mut self) {
        let _ = self
            .command("rabbitmqctl")
            .args(["-n", &self.node, "-q", "stop"])
            .stdin(Stdio::null())
            .output();
        if let Some(mut c) = self.server.take() {
            let t0 = Instant::now();
            while t0.elapsed() < Duration::from_secs(20) {
                if let Ok(Some(_)) = c.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// `amqp://guest:guest@127.0.0.1:<port>/%2F`; for a TLS broker
    /// `amqps://localhost:<port>/%2Fpublic_pubsub`.
    pub fn url(&self) -> String {
        match self.tls {
            Some(_) => format!("amqps://localhost:{}/%2Fpublic_pubsub", self.port),
            None => format!("amqp://guest:guest@127.0.0.1:{}/%2F", self.port),
        }
    }

    /// A fedora-messaging configuration for publishing to this broker with production
    /// routing keys (on a TLS broker as `packit-publisher`, with its certificate).
    pub fn publisher_config(&self) -> PathBuf {
        let p = self.dir.join("publisher.toml");
        let tls = match &self.tls {
            Some(d) => {
                let f = |n: &str| d.join(n).to_string_lossy().into_owned();
                format!(
                    "\n[tls]\nca_cert = \"{}\"\ncertfile = \"{}\"\nkeyfile = \"{}\"\n",
                    f("ca.pem"),
                    f("packit-publisher-cert.pem"),
                    f("packit-publisher-key.pem")
                )
            }
            None => String::new(),
        };
        std::fs::write(
            &p,
            format!(
                "amqp_url = \"{}\"\npublish_exchange = \"amq.topic\"\ntopic_prefix = \"org.fedoraproject.prod\"\npassive_declares = false\n{tls}\n[client_properties]\napp = \"packit-pages tests\"\n",
                self.url()
            ),
        )
        .unwrap();
        p
    }

    /// Messages ready in a queue.
    pub fn queue_depth(&self, queue: &str) -> Option<u64> {
        let vhost = if self.tls.is_some() { TLS_VHOST } else { "/" };
        let out = self
            .command("rabbitmqctl")
            .args(["-n", &self.node, "-q", "list_queues", "-p", vhost])
            .args(["name", "messages"])
            .output()
            .ok()?;
        String::from_utf8_lossy(&out.stdout).lines().find_map(|l| {
            let mut it = l.split_whitespace();
            (it.next()? == queue).then(|| it.next()?.parse().ok())?
        })
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        self.stop();
        // epmd was started for our port; ask it to go
        let _ = Command::new("epmd")
            .env("ERL_EPMD_PORT", self.epmd_port.to_string())
            .arg("-kill")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// The Python of the test venv (fedora-messaging installed), or a panic saying how to
/// get it.
pub fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("PACKIT_PAGES_TEST_PYTHON") {
        return PathBuf::from(p);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::repo_root().join("target"));
    let p = target.join("test-venv/bin/python");
    assert!(
        p.is_file(),
        "{} missing: the listen tests publish with the fedora-messaging Python client; \
         run scripts/install-test-deps (or set PACKIT_PAGES_TEST_PYTHON)",
        p.display()
    );
    p
}

/// A running `tests/bus/publish.py`; `ids` reads the ids it printed.
pub struct Publisher {
    child: Child,
    out: std::io::BufReader<std::process::ChildStdout>,
}

impl Publisher {
    /// Starts publishing `specs` (JSON lines, see publish.py) in `mode` (`api`/`fast`).
    pub fn start(config: &Path, mode: &str, specs: &[serde_json::Value]) -> Publisher {
        Publisher::start_paced(config, mode, specs, 0.0)
    }

    /// Like [`Publisher::start`], pausing `pause` seconds before each message (`api`).
    pub fn start_paced(
        config: &Path,
        mode: &str,
        specs: &[serde_json::Value],
        pause: f64,
    ) -> Publisher {
        let script = crate::repo_root().join("tests/bus/publish.py");
        let mut child = Command::new(python())
            .arg(script)
            .arg(mode)
            .arg(pause.to_string())
            .env("FEDORA_MESSAGING_CONF", config)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start publish.py");
        let mut stdin = child.stdin.take().unwrap();
        let text: String = specs.iter().map(|s| format!("{s}\n")).collect();
        std::thread::spawn(move || {
            let _ = stdin.write_all(text.as_bytes());
        });
        let out = std::io::BufReader::new(child.stdout.take().unwrap());
        Publisher { child, out }
    }

    /// The next published message id (`Some(None)` for raw messages); `None` at the end.
    pub fn next_id(&mut self) -> Option<Option<String>> {
        let mut line = String::new();
        match self.out.read_line(&mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => {
                let v: serde_json::Value = serde_json::from_str(&line).ok()?;
                Some(v["id"].as_str().map(str::to_string))
            }
        }
    }

    /// Waits for the end; panics when the publisher failed.
    pub fn finish(mut self) -> Vec<Option<String>> {
        let mut ids = Vec::new();
        while let Some(id) = self.next_id() {
            ids.push(id);
        }
        let st = self.child.wait().unwrap();
        assert!(st.success(), "publish.py failed: {st}");
        ids
    }
}

/// Publishes and waits: the ids, in order.
pub fn publish(config: &Path, mode: &str, specs: &[serde_json::Value]) -> Vec<Option<String>> {
    Publisher::start(config, mode, specs).finish()
}
