//! `listen` when things go wrong, against the plain broker (run by
//! `listen::listener_against_a_real_broker`): the broker restarts while messages flow,
//! the Packit API does not answer; and the command applies a message and stops
//! cleanly on SIGTERM.

use crate::listen::{ListenProcess, Site, bus, copr_end, finish_2010, listen_command, start};
use crate::support;
use packit_pages::listen::ListenEvent;
use serde_json::Value;
use std::collections::HashSet;
use std::time::{Duration, Instant};
use support::broker::{Broker, Publisher, publish};

/// Scenario 2: the broker restarts while messages flow; every published message is
/// applied and the listener reconnects by itself.
pub(crate) async fn broker_restart_loses_nothing(broker: &mut Broker) {
    let site = Site::new("listen-restart", 6).await;
    let mut l = start(&site, bus(broker, "pp-restart", None));
    l.connected().await;
    let specs: Vec<Value> = (0..24)
        .map(|i| {
            let chroot = if i % 2 == 0 {
                "fedora-40-x86_64"
            } else {
                "fedora-41-x86_64"
            };
            copr_end(7_000_000 + (i % 6), chroot, 1)
        })
        .collect();
    let config = broker.publisher_config();
    let mut publisher = Publisher::start_paced(&config, "api", &specs, 0.25);
    let mut published: Vec<String> = Vec::new();
    for _ in 0..8 {
        published.push(publisher.next_id().expect("published").expect("id"));
    }
    // pull the broker away mid-stream (the publisher retries until it is back)
    let mut applied: HashSet<String> = HashSet::new();
    let mut connects = 1;
    let drain = |e: ListenEvent, applied: &mut HashSet<String>, connects: &mut u32| match e {
        ListenEvent::Batch(b) => applied.extend(b.message_ids.iter().cloned()),
        ListenEvent::Connected => *connects += 1,
        _ => {}
    };
    broker.stop();
    std::thread::sleep(Duration::from_millis(500));
    broker.boot();
    while connects < 2 {
        let e = l.next(60).await;
        drain(e, &mut applied, &mut connects);
    }
    published.extend(publisher.finish().into_iter().map(|i| i.expect("id")));
    assert_eq!(published.len(), 24);
    let deadline = Instant::now() + Duration::from_secs(90);
    while !published.iter().all(|id| applied.contains(id)) {
        assert!(
            Instant::now() < deadline,
            "messages lost: {:?}",
            published
                .iter()
                .filter(|i| !applied.contains(*i))
                .collect::<Vec<_>>()
        );
        let e = l.next(90).await;
        drain(e, &mut applied, &mut connects);
    }
    assert!(connects >= 2, "the listener reconnected by itself");
    let stats = l.shutdown().await;
    assert!(stats.connections >= 2);
    assert!(stats.applied >= 24, "{stats:?}");
}

/// Scenario 5: the `packit-pages listen` command with a fedora-messaging file applies a
/// message, and SIGTERM makes it exit cleanly.
pub(crate) async fn command_applies_and_stops_on_sigterm(broker: &Broker) {
    let mut site = Site::new("listen-cmd", 6).await;
    finish_2010(&mut site);
    let conf = site.build.out.parent().unwrap().join("fedora.toml");
    std::fs::write(
        &conf,
        format!(
            "amqp_url = \"{}\"\ncallback = \"fedora_messaging.example:printer\"\n\n[queues.pp-cmd]\ndurable = true\nauto_delete = false\nexclusive = false\n\n[[bindings]]\nqueue = \"pp-cmd\"\nexchange = \"amq.topic\"\nrouting_keys = [\"org.fedoraproject.prod.copr.#\"]\n\n[consumer_config]\npackit_users = [\"packit\"]\n",
            broker.url()
        ),
    )
    .unwrap();
    let mut p = ListenProcess::spawn(&mut listen_command(&site, &conf));
    p.wait_for("connected to the broker", 60);
    publish(
        &broker.publisher_config(),
        "api",
        &[copr_end(7000005, "fedora-40-x86_64", 1)],
    );
    p.wait_for("batch applied", 60);
    assert!(site.page("jobs/copr/2010/index.html").contains("success"));
    p.terminate();
    let summary = p.wait_for("listen: ", 60);
    assert!(summary.contains("1 messages (1 applied"), "{summary}");
    let (status, _) = p.exit(30);
    assert!(status.success(), "{status}");
    assert_eq!(broker.queue_depth("pp-cmd"), Some(0));
}

/// Scenario 6: while the API does not answer, a message is sent back to the queue, not
/// acknowledged; it is applied once the API is back.
pub(crate) async fn api_outage_requeues(broker: &Broker) {
    let mut site = Site::new("listen-outage", 6).await;
    finish_2010(&mut site);
    site.stub.set_faults(support::stub::Faults {
        fail_paths: vec!["copr-builds".into()],
        ..support::stub::Faults::none()
    });
    let mut l = start(&site, bus(broker, "pp-outage", None));
    l.connected().await;
    let ids = publish(
        &broker.publisher_config(),
        "api",
        &[copr_end(7000005, "fedora-40-x86_64", 1)],
    );
    loop {
        match l.next(60).await {
            ListenEvent::Requeued(e) => {
                assert!(e.contains("copr-builds"), "{e}");
                break;
            }
            ListenEvent::Batch(b) => panic!("applied during the outage: {b:?}"),
            _ => {}
        }
    }
    assert!(!site.page("jobs/copr/2010/index.html").contains("success"));
    site.stub.set_faults(support::stub::Faults::none());
    loop {
        if let ListenEvent::Batch(b) = l.next(60).await {
            assert_eq!(b.message_ids, vec![ids[0].clone().unwrap()]);
            break;
        }
    }
    assert!(site.page("jobs/copr/2010/index.html").contains("success"));
    l.shutdown().await;
    assert_eq!(broker.queue_depth("pp-outage"), Some(0));
}
