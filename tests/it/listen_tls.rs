//! `listen` over TLS (issue 34), against a private RabbitMQ set up like Fedora's public
//! broker ([`Broker::start_tls`]: TLS only, client certificates checked against a CA the
//! test makes, SASL EXTERNAL with the user from the certificate's common name, the
//! vhost `/public_pubsub`): the README's Fedora instructions followed word for word
//! (with local certificates in place of Fedora's) bring a `copr.build.end` published by
//! the real fedora-messaging client over TLS to the page, across a broker restart; each
//! set-up error ends the command with status 1 and a message naming the problem. And,
//! without a broker: an `amqps://` URL gets a TLS ClientHello, never the plain AMQP
//! header, whatever answers there.

use crate::listen::{ListenProcess, Site, copr_end, finish_2010, listen_command};
use crate::support;
use packit_pages::listen::config::BusConfig;
use packit_pages::listen::{ListenError, ListenEvent, ListenOptions, listen};
use packit_pages::sync::SyncOptions;
use std::path::{Path, PathBuf};
use std::time::Duration;
use support::broker::{Broker, publish};
use support::pki::Pki;
use tokio::io::AsyncReadExt;

/// A fresh random-looking UUID (v4 layout, lower-case hex), as `uuidgen` prints one.
fn uuid() -> String {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let x = t ^ ((std::process::id() as u128) << 64);
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        (x >> 96) as u32,
        (x >> 80) as u16,
        (x >> 68) as u16 & 0xfff,
        (x >> 56) as u16 & 0xfff,
        x as u64 & 0xffff_ffff_ffff
    )
}

/// The `fedora.toml` block of the README's `listen` section, as written there.
fn readme_fedora_toml() -> String {
    let readme = std::fs::read_to_string(support::repo_root().join("README.md")).unwrap();
    let start = readme
        .find("```toml\n# fedora.toml")
        .expect("the README shows fedora.toml");
    let body = &readme[start + "```toml\n".len()..];
    body[..body.find("```").unwrap()].to_string()
}

/// A fedora-messaging file for `url` with the given `[tls]` files (absolute paths) and
/// one UUID queue with the default bindings.
fn conf(dir: &Path, name: &str, url: &str, tls: &[(&str, PathBuf)]) -> PathBuf {
    let mut text = format!("amqp_url = \"{url}\"\n\n[tls]\n");
    for (k, v) in tls {
        text.push_str(&format!("{k} = \"{}\"\n", v.display()));
    }
    text.push_str(&format!(
        "\n[queues.\"{}\"]\ndurable = false\nauto_delete = true\nexclusive = true\n",
        uuid()
    ));
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// The command with `conf` fails at once: status 1, stderr naming the problem
/// (every one of `needles`), no retry loop.
fn refused(site: &Site, conf: &Path, needles: &[&str]) {
    let p = ListenProcess::spawn(&mut listen_command(site, conf));
    let (status, stderr) = p.exit(45);
    assert_eq!(status.code(), Some(1), "{stderr}");
    let error = stderr
        .lines()
        .find(|l| l.starts_with("error: "))
        .unwrap_or_else(|| panic!("no error line: {stderr}"));
    for n in needles {
        assert!(error.contains(n), "{n:?} not in {error:?}");
    }
    assert!(
        !stderr.contains("connected to the broker") && !stderr.contains("retry_in"),
        "{stderr}"
    );
}

/// The README's steps: `fedora.toml` as shown, beside it `cacert.pem`,
/// `fedora-cert.pem` and `fedora-key.pem` (the test CA's and the `fedora` client's
/// here), a fresh UUID as the queue name, the broker's host in place of Fedora's; then
/// the README's command. A copr.build.end published over TLS by the fedora-messaging
/// client reaches its page, before and after a broker restart.
async fn readme_fedora_instructions_word_for_word(broker: &mut Broker, pki: &Pki) {
    let mut site = Site::new("listen-tls-readme", 6).await;
    finish_2010(&mut site);
    let dir = site.dir.path().to_path_buf();
    std::fs::copy(pki.ca(), dir.join("cacert.pem")).unwrap();
    std::fs::copy(pki.cert("fedora"), dir.join("fedora-cert.pem")).unwrap();
    std::fs::copy(pki.key("fedora"), dir.join("fedora-key.pem")).unwrap();
    let readme = readme_fedora_toml();
    assert!(readme.contains("amqps://fedora:@rabbitmq.fedoraproject.org/%2Fpublic_pubsub"));
    let toml = readme
        .replace(
            "rabbitmq.fedoraproject.org",
            &format!("localhost:{}", broker.port),
        )
        .replace("00000000-0000-0000-0000-000000000000", &uuid());
    std::fs::write(dir.join("fedora.toml"), toml).unwrap();
    // packit-pages listen --amqp-config fedora.toml --archive … --out public
    let mut cmd = support::packit_pages();
    cmd.current_dir(&dir)
        .args(["listen", "--amqp-config", "fedora.toml"])
        .arg("--archive")
        .arg(site.sync.archive.file_name().unwrap())
        .args(["--out", "public"])
        .arg("--api")
        .arg(site.stub.base_url())
        .args(["--poll-interval", "0"])
        .env("RUST_LOG", "info");
    assert_eq!(site.build.out, dir.join("public"));
    let mut p = ListenProcess::spawn(&mut cmd);
    p.wait_for("connected to the broker", 60);
    let publisher = broker.publisher_config();
    publish(
        &publisher,
        "api",
        &[copr_end(7000005, "fedora-40-x86_64", 1)],
    );
    p.wait_for("batch applied", 60);
    let page = site.page("jobs/copr/2010/index.html");
    assert!(page.contains("success") && !page.contains("pending"));
    // the broker restarts: retried with back-off over TLS, then consuming again
    broker.stop();
    p.wait_for("broker connection lost", 60);
    broker.boot();
    p.wait_for("connected to the broker", 90);
    publish(
        &publisher,
        "api",
        &[copr_end(7000004, "fedora-41-x86_64", 1)],
    );
    p.wait_for("batch applied", 60);
    p.terminate();
    let (status, stderr) = p.exit(30);
    assert!(status.success(), "{stderr}");
    assert!(stderr.contains("2 messages (2 applied"), "{stderr}");
}

/// Every set-up error ends the command with status 1 and names the problem.
async fn set_up_errors_exit_1(broker: &Broker, pki: &Pki) {
    let site = Site::new("listen-tls-errors", 1).await;
    let d = site.dir.path();
    let url = broker.url();
    let fedora = || {
        vec![
            ("ca_cert", pki.ca()),
            ("certfile", pki.cert("fedora")),
            ("keyfile", pki.key("fedora")),
        ]
    };
    // the broker's certificate against another CA
    let mut tls = fedora();
    tls[0].1 = pki.other_ca();
    let other = pki.other_ca().display().to_string();
    refused(
        &site,
        &conf(d, "ca.toml", &url, &tls),
        &["not signed by the CA", &other],
    );
    // the certificate is for localhost, the URL names 127.0.0.1
    let ip = url.replace("localhost", "127.0.0.1");
    refused(
        &site,
        &conf(d, "name.toml", &ip, &fedora()),
        &["not valid for the name \"127.0.0.1\""],
    );
    // a client certificate the broker's CA did not sign
    let mut tls = fedora();
    tls[1].1 = pki.cert("impostor");
    tls[2].1 = pki.key("impostor");
    let impostor = pki.cert("impostor").display().to_string();
    refused(
        &site,
        &conf(d, "client.toml", &url, &tls),
        &["refused the TLS connection", &impostor],
    );
    // a good certificate of a user the broker does not have
    let mut tls = fedora();
    tls[1].1 = pki.cert("nobody");
    tls[2].1 = pki.key("nobody");
    refused(
        &site,
        &conf(d, "login.toml", &url, &tls),
        &["mechanism EXTERNAL", "user \"nobody\"", "ACCESS_REFUSED"],
    );
    // amqps:// without a CA
    let tls = fedora()[1..].to_vec();
    refused(
        &site,
        &conf(d, "noca.toml", &url, &tls),
        &["amqps:// needs [tls] ca_cert"],
    );
    // a missing key file (named)
    let mut tls = fedora();
    tls[2].1 = d.join("missing-key.pem");
    refused(
        &site,
        &conf(d, "key.toml", &url, &tls),
        &["cannot read TLS file", "missing-key.pem"],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn listener_against_a_fedora_like_tls_broker() {
    let (mut broker, pki) = tokio::task::spawn_blocking(|| {
        let pki = Pki::new();
        (Broker::start_tls(&pki), pki)
    })
    .await
    .unwrap();
    set_up_errors_exit_1(&broker, &pki).await;
    readme_fedora_instructions_word_for_word(&mut broker, &pki).await;
    tokio::task::spawn_blocking(move || drop(broker))
        .await
        .unwrap();
}

/// Run by `listen::listener_against_a_real_broker`: an `amqps://` URL at the plain
/// broker's port is refused (status 1, "does not speak TLS"), never spoken to in plain.
pub(crate) async fn amqps_url_to_a_plain_broker_is_refused(broker: &Broker) {
    let pki = tokio::task::spawn_blocking(Pki::new).await.unwrap();
    let site = Site::new("listen-notls", 1).await;
    let url = format!("amqps://localhost:{}/%2F", broker.port);
    let tls = [("ca_cert", pki.ca())];
    refused(
        &site,
        &conf(site.dir.path(), "plain.toml", &url, &tls),
        &["does not speak TLS", &format!("localhost:{}", broker.port)],
    );
}

/// The first bytes `listen` sends to a socket at `url` (its `[tls] ca_cert` the test CA).
async fn first_bytes(url: String, ca: PathBuf) -> Vec<u8> {
    let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = socket.local_addr().unwrap().port();
    let mut bus = BusConfig {
        amqp_url: url.replace("PORT", &port.to_string()),
        ..BusConfig::default()
    };
    bus.tls.ca_cert = Some(ca);
    let dir = support::TempDir::new("listen-hello");
    let sync = SyncOptions::new(dir.join("archive.sqlite"), "http://127.0.0.1:9/api");
    let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
    let mut opts = ListenOptions::new(bus, sync, None);
    opts.events = Some(tx);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        listen(&opts, async {
            let _ = stopped.await;
        })
        .await
    });
    let (mut conn, _) = tokio::time::timeout(Duration::from_secs(30), socket.accept())
        .await
        .expect("a connection")
        .unwrap();
    let mut got = vec![0u8; 8];
    let mut n = 0;
    while n < 8 {
        match tokio::time::timeout(Duration::from_secs(10), conn.read(&mut got[n..])).await {
            Ok(Ok(0)) | Err(_) => break,
            Ok(Ok(k)) => n += k,
            Ok(Err(e)) => panic!("{e}"),
        }
    }
    got.truncate(n);
    drop(conn);
    // the attempt fails and is retried: the listener goes on
    loop {
        match tokio::time::timeout(Duration::from_secs(30), events.recv()).await {
            Ok(Some(ListenEvent::Disconnected(_))) => break,
            Ok(Some(ListenEvent::Connected)) => panic!("connected to a silent socket"),
            Ok(Some(_)) => {}
            other => panic!("no disconnection reported: {other:?}"),
        }
    }
    let _ = stop.send(());
    task.await.unwrap().expect("clean stop");
    got
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amqps_speaks_tls_first_never_plain_amqp() {
    let pki = tokio::task::spawn_blocking(Pki::new).await.unwrap();
    let tls = first_bytes("amqps://127.0.0.1:PORT/%2Fpublic_pubsub".into(), pki.ca()).await;
    // a TLS handshake record (0x16), TLS major version 3: a ClientHello
    assert!(
        tls.len() >= 2 && tls[0] == 0x16 && tls[1] == 0x03,
        "not a TLS ClientHello: {tls:?}"
    );
    assert!(!tls.starts_with(b"AMQP"));
    // the same probe sees the plain protocol header for amqp://
    let plain = first_bytes("amqp://127.0.0.1:PORT/%2F".into(), pki.ca()).await;
    assert_eq!(plain, b"AMQP\x00\x00\x09\x01");
}

#[tokio::test]
async fn amqps_without_ca_cert_is_refused_at_start() {
    let dir = support::TempDir::new("listen-noca");
    let bus = BusConfig {
        amqp_url: "amqps://fedora:@localhost:1/%2Fpublic_pubsub".into(),
        ..BusConfig::default()
    };
    let sync = SyncOptions::new(dir.join("archive.sqlite"), "http://127.0.0.1:9/api");
    let opts = ListenOptions::new(bus, sync, None);
    let e = tokio::time::timeout(
        Duration::from_secs(10),
        listen(&opts, std::future::pending()),
    )
    .await
    .expect("at once, no retry")
    .unwrap_err();
    assert!(matches!(e, ListenError::NoCaCert { .. }), "{e}");
    assert!(
        e.to_string().contains("amqps:// needs [tls] ca_cert"),
        "{e}"
    );
}
