//! `listen` from message to page against the plain broker (run by
//! `listen::listener_against_a_real_broker`): a Copr `build.end` rewrites only the
//! pages it affects, a thousand messages with malformed ones, polls, a server-named
//! queue and duplicates, the follow-up refresh, a message during a long poll.

use crate::listen::{Site, bus, copr_end, finish_2010, start, start_with};
use crate::support;
use packit_pages::listen::ListenEvent;
use packit_pages::listen::config::BusConfig;
use serde_json::json;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use support::broker::{Broker, publish};
use support::site_mtimes as snapshot;
use support::stub::Faults;

/// Scenario 1: the example Copr build.end reaches the Copr build's page, and only the
/// pages it affects are rewritten.
pub(crate) async fn copr_build_end_updates_its_page(broker: &Broker) {
    let mut site = Site::new("listen-copr", 6).await;
    let before = site.page("jobs/copr/2010/index.html");
    assert!(before.contains("pending"), "the chroot is running before");
    let files_before = snapshot(&site.build.out);
    // Packit records the end of chroot fedora-40-x86_64 of build 7000005
    for item in site.ds.lists.get_mut("copr-builds").unwrap() {
        if item["build_id"] == "7000005" {
            item["status_per_chroot"]["fedora-40-x86_64"] = json!("success");
        }
    }
    site.ds.details.get_mut("copr-builds/2010").unwrap()["status"] = json!("success");
    for run in site.ds.lists.get_mut("runs").unwrap() {
        if run["merged_run_id"] == 505 {
            run["copr"][0]["status"] = json!("success");
        }
    }
    site.stub.set_dataset(&site.ds);
    site.stub.clear_log();
    std::thread::sleep(Duration::from_millis(20));

    let mut l = start(&site, bus(broker, "pp-copr", None));
    l.connected().await;
    let config = broker.publisher_config();
    let t0 = Instant::now();
    let ids = publish(&config, "api", &[copr_end(7000005, "fedora-40-x86_64", 1)]);
    let id = ids[0].clone().expect("message id");
    let batch = loop {
        if let ListenEvent::Batch(b) = l.next(60).await {
            break b;
        }
    };
    eprintln!("copr build.end applied {:?} after publishing", t0.elapsed());
    assert_eq!(batch.message_ids, vec![id]);
    assert_eq!(batch.valid, 1);
    let after = site.page("jobs/copr/2010/index.html");
    assert_ne!(before, after, "the Copr chroot page was rebuilt");
    assert!(!after.contains("pending"), "{after}");
    assert!(after.contains("success"), "{after}");
    // only the affected pages were written: no unrelated page changed on disk
    let build = batch.build.as_ref().expect("built");
    let files_after = snapshot(&site.build.out);
    let touched: Vec<&PathBuf> = files_after
        .iter()
        .filter(|(p, t)| files_before.get(*p) != Some(*t))
        .map(|(p, _)| p)
        .collect();
    assert_eq!(touched.len() as u64, build.write.written, "{touched:?}");
    assert!(
        build.write.written >= 1 && build.write.written < 40,
        "{touched:?}"
    );
    // and they are exactly the files the build report lists as written
    let mut listed: Vec<PathBuf> = build
        .written_files
        .iter()
        .map(|f| site.build.out.join(f))
        .collect();
    listed.sort();
    let mut seen: Vec<PathBuf> = touched.iter().map(|p| (*p).clone()).collect();
    seen.sort();
    assert_eq!(seen, listed);
    assert!(
        touched
            .iter()
            .any(|p| p.ends_with("jobs/copr/2010/index.html")),
        "{touched:?}"
    );
    let rels: Vec<String> = touched
        .iter()
        .map(|p| {
            p.strip_prefix(&site.build.out)
                .unwrap()
                .to_string_lossy()
                .to_string()
        })
        .collect();
    eprintln!("rewritten: {rels:?}");
    for rel in &rels {
        // pages of other jobs and other projects stay as they were
        let other_job = ["jobs/copr/20", "jobs/srpm/", "pipeline/50"]
            .iter()
            .any(|p| rel.starts_with(p))
            && !rel.contains("2010")
            && !rel.contains("505");
        let other_project = rel.starts_with("projects/github.com/")
            && !rel.contains("org2/repo1")
            && rel.matches('/').count() > 3;
        assert!(
            !other_job && !other_project,
            "unaffected page rewritten: {rel}"
        );
    }
    // a targeted refresh: the Copr list head, the chroots, the pipeline list head
    let paths: Vec<String> = site.stub.log().iter().map(|e| e.path()).collect();
    assert!(
        paths
            .iter()
            .all(|p| p.starts_with("copr-builds") || p == "runs"),
        "{paths:?}"
    );
    let stats = l.shutdown().await;
    assert_eq!(stats.applied, 1);
    assert_eq!(broker.queue_depth("pp-copr"), Some(0), "acknowledged");
}

/// Scenario 3: 1,000 messages, 10 % malformed: the listener stays up, applies every
/// valid one and coalesces the per-chroot bursts.
pub(crate) async fn thousand_messages_with_malformed_ones(broker: &Broker) {
    let site = Site::new("listen-1000", 6).await;
    site.stub.clear_log();
    // no follow-up refresh: on a slow machine the burst outlasts its delay, and its
    // walk would be counted against the batches (follow-ups: `settle` scenario)
    let mut l = start_with(&site, bus(broker, "pp-1000", Some(vec!["#"])), |o| {
        o.settle = None;
    });
    l.connected().await;
    let mut specs = Vec::new();
    let chroots = ["fedora-40-x86_64", "fedora-41-x86_64"];
    let mut valid = 0;
    let mut malformed = 0;
    for i in 0..1000u64 {
        if i % 10 == 9 {
            malformed += 1;
            specs.push(match (i / 10) % 4 {
                0 => json!({"raw": format!("not json {i} {{"), "routing_key": "org.fedoraproject.prod.copr.build.end"}),
                1 => json!({"topic": "copr.build.end", "body": {"what": "no build id", "user": "packit"}}),
                2 => json!({"topic": "unknown.thing.happened", "body": {"n": i}}),
                _ => json!({"topic": "bodhi.update.comment", "body": {"comment": "no update"}}),
            });
        } else {
            valid += 1;
            specs.push(copr_end(
                7_000_000 + (i / 2) % 6,
                chroots[(i % 2) as usize],
                1,
            ));
        }
    }
    let ids = publish(&broker.publisher_config(), "fast", &specs);
    assert_eq!(ids.len(), 1000);
    let mut received = 0;
    let mut applied = 0;
    let mut skipped = 0;
    let mut batches = 0;
    let mut largest_find = 0;
    while received < 1000 {
        if let ListenEvent::Batch(b) = l.next(120).await {
            received += b.messages;
            applied += b.valid;
            skipped += b.malformed;
            batches += 1;
            largest_find = largest_find.max(b.request.find.len());
            assert!(
                b.request.find.len() <= 12,
                "coalesced: 6 builds × 2 chroots at most"
            );
        }
    }
    assert_eq!(received, 1000);
    assert_eq!(applied, valid);
    assert_eq!(skipped, malformed);
    assert!(
        batches < 100,
        "bursts coalesced into few refreshes: {batches} batches"
    );
    let list_walks = site
        .stub
        .log()
        .iter()
        .filter(|e| e.path() == "copr-builds")
        .count();
    assert!(
        list_walks <= batches,
        "one search per batch: {list_walks} walks for {batches} batches"
    );
    // still up: one more message is applied
    let ids = publish(
        &broker.publisher_config(),
        "api",
        &[copr_end(7_000_001, "fedora-40-x86_64", 1)],
    );
    loop {
        if let ListenEvent::Batch(b) = l.next(60).await {
            assert_eq!(b.message_ids, vec![ids[0].clone().unwrap()]);
            break;
        }
    }
    let stats = l.shutdown().await;
    assert_eq!(stats.received, 1001);
    assert_eq!(stats.malformed, malformed as u64);
    assert_eq!(broker.queue_depth("pp-1000"), Some(0));
    eprintln!("1000 messages in {batches} batches (largest refresh {largest_find} finds)");
}

/// Scenario 4: without any message, the poll interval brings what the bus does not
/// carry (here a finished SRPM build; Testing Farm results come the same way).
pub(crate) async fn polling_brings_what_the_bus_does_not(broker: &Broker) {
    let mut site = Site::new("listen-poll", 6).await;
    assert!(site.page("jobs/srpm/1005/index.html").contains("running"));
    for item in site.ds.lists.get_mut("srpm-builds").unwrap() {
        if item["srpm_build_id"] == 1005 {
            item["status"] = json!("success");
        }
    }
    site.ds.details.get_mut("srpm-builds/1005").unwrap()["status"] = json!("success");
    site.stub.set_dataset(&site.ds);
    let mut l = start_with(&site, bus(broker, "pp-poll", None), |o| {
        o.poll_interval = Some(Duration::from_secs(1));
    });
    let mut polls = 0;
    while polls < 2 {
        if let ListenEvent::Polled(report, _) = l.next(60).await {
            polls += 1;
            if polls == 1 {
                assert!(
                    report.totals.changed >= 1,
                    "the first poll finds the change"
                );
            }
        }
    }
    let page = site.page("jobs/srpm/1005/index.html");
    assert!(
        !page.contains("running") && page.contains("success"),
        "{page}"
    );
    let stats = l.shutdown().await;
    assert!(stats.polls >= 2);
}

/// Scenario 7: no configured queue (a server-named one with the default bindings), and
/// the same message id twice is applied once.
pub(crate) async fn server_named_queue_and_duplicates(broker: &Broker) {
    let site = Site::new("listen-anon", 6).await;
    let bus = BusConfig {
        amqp_url: broker.url(),
        ..BusConfig::default()
    };
    let mut l = start(&site, bus);
    l.connected().await;
    let mut spec = copr_end(7000003, "fedora-41-x86_64", 1);
    spec["id"] = json!("3d0c7c39-1111-4aaa-8bbb-000000000001");
    let ids = publish(&broker.publisher_config(), "fast", &[spec.clone(), spec]);
    assert_eq!(ids[0], ids[1]);
    let (mut seen, mut applied, mut duplicates) = (0, 0, 0);
    while seen < 2 {
        if let ListenEvent::Batch(b) = l.next(60).await {
            seen += b.messages;
            applied += b.valid;
            duplicates += b.duplicates;
        }
    }
    assert_eq!((applied, duplicates), (1, 1));
    let stats = l.shutdown().await;
    assert_eq!(stats.duplicates, 1);
}

/// Scenario 8: the message arrives before Packit has recorded the change; the
/// follow-up refresh brings it.
pub(crate) async fn follow_up_refresh_catches_a_late_api(broker: &Broker) {
    let mut site = Site::new("listen-settle", 6).await;
    let mut l = start_with(&site, bus(broker, "pp-settle", None), |o| {
        o.settle = Some(Duration::from_secs(2));
    });
    l.connected().await;
    publish(
        &broker.publisher_config(),
        "api",
        &[copr_end(7000005, "fedora-40-x86_64", 1)],
    );
    while !matches!(l.next(60).await, ListenEvent::Batch(_)) {}
    assert!(site.page("jobs/copr/2010/index.html").contains("pending"));
    // now Packit has handled the same message
    finish_2010(&mut site);
    loop {
        if let ListenEvent::Settled(report, build) = l.next(60).await {
            assert!(report.totals.changed >= 1);
            assert!(build.is_some());
            break;
        }
    }
    assert!(site.page("jobs/copr/2010/index.html").contains("success"));
    l.shutdown().await;
}

/// Scenario 9: a message during a long poll is applied within seconds, with the
/// default politeness (5 requests/s, shared by the poll and the refresh); what the
/// poll writes after the message's build still reaches the pages when it ends.
pub(crate) async fn message_during_a_long_poll(broker: &Broker) {
    let mut site = Site::new("listen-longpoll", 6).await;
    // the poll is slow (one list takes 12 s a page) ...
    site.stub.set_faults(Faults {
        slow_paths: vec![("testing-farm/results".into(), Duration::from_secs(12))],
        ..Faults::none()
    });
    // ... and brings, after the message, a finished SRPM build that only its refresh
    // of unfinished jobs (by their detail endpoint) sees
    site.ds.details.get_mut("srpm-builds/1005").unwrap()["status"] = json!("success");
    finish_2010(&mut site);
    assert!(site.page("jobs/srpm/1005/index.html").contains("running"));
    let mut l = start_with(&site, bus(broker, "pp-longpoll", None), |o| {
        o.poll_interval = Some(Duration::from_secs(3600));
        o.sync.client.requests_per_second = 5.0;
    });
    l.connected().await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let sent = Instant::now();
    publish(
        &broker.publisher_config(),
        "longpoll",
        &[copr_end(7000005, "fedora-40-x86_64", 1)],
    );
    loop {
        match l.next(30).await {
            ListenEvent::Batch(_) => break,
            ListenEvent::Polled(..) => panic!("the poll ended before the message was applied"),
            _ => {}
        }
    }
    let latency = sent.elapsed();
    eprintln!("message applied {latency:?} after publishing, during a poll");
    assert!(latency <= Duration::from_secs(5), "{latency:?}");
    assert!(site.page("jobs/copr/2010/index.html").contains("success"));
    loop {
        if let ListenEvent::Polled(report, build) = l.next(120).await {
            assert!(report.totals.changed >= 1, "the poll finds the SRPM build");
            assert!(build.is_some(), "a build follows the poll");
            break;
        }
    }
    let page = site.page("jobs/srpm/1005/index.html");
    let stored = packit_pages::archive::Archive::open_read_only(&site.sync.archive)
        .unwrap()
        .get(packit_pages::api::Kind::Srpm, "1005")
        .unwrap()
        .and_then(|e| e.status);
    assert_eq!(stored.as_deref(), Some("success"), "the poll refreshed it");
    assert!(
        !page.contains("running") && page.contains("success"),
        "the poll's late rows reach the page"
    );
    l.shutdown().await;
}
