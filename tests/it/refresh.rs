//! `sync::refresh`, the targeted re-fetch behind `listen`, against the stub API.

use crate::support;

use packit_pages::api::Kind;
use packit_pages::archive::Archive;
use packit_pages::sync::{self, Find, NoProgress, RefreshRequest, SyncOptions};
use serde_json::{Value, json};
use std::time::Duration;
use support::stub::{Dataset, Stub};
use support::{TempDir, mini_dataset};

fn options(stub: &Stub, archive: &std::path::Path) -> SyncOptions {
    SyncOptions {
        client: support::stub_client(stub),
        ..SyncOptions::new(archive, &stub.base_url())
    }
}

/// Marks chroot `fedora-40-x86_64` of the newest Copr build (7000005, target 2010,
/// pipeline 505) finished.
fn finish_newest_chroot(ds: &mut Dataset) {
    for item in ds.lists.get_mut("copr-builds").unwrap() {
        if item["build_id"] == "7000005" {
            item["status_per_chroot"]["fedora-40-x86_64"] = json!("success");
        }
    }
    ds.details.get_mut("copr-builds/2010").unwrap()["status"] = json!("success");
    for run in ds.lists.get_mut("runs").unwrap() {
        if run["merged_run_id"] == 505 {
            run["copr"][0]["status"] = json!("success");
        }
    }
}

fn status(a: &Archive, kind: Kind, id: &str) -> Option<String> {
    a.get(kind, id).unwrap().and_then(|e| e.status)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_finds_the_build_and_fetches_only_its_chroot() {
    let dir = TempDir::new("refresh");
    let mut ds = mini_dataset(6);
    let stub = Stub::start(&ds);
    let opts = options(&stub, &dir.join("a.sqlite"));
    sync::sync(&opts, &NoProgress).await.unwrap();
    {
        let a = Archive::open_read_only(&opts.archive).unwrap();
        assert_eq!(status(&a, Kind::Copr, "2010").as_deref(), Some("pending"));
    }
    finish_newest_chroot(&mut ds);
    stub.set_dataset(&ds);
    stub.clear_log();
    let mut req = RefreshRequest::default();
    for _ in 0..3 {
        // a burst: the same chroot three times is one search
        req.merge(RefreshRequest {
            find: [Find {
                list: "copr-builds".into(),
                field: "build_id".into(),
                value: "7000005".into(),
                target: Some("fedora-40-x86_64".into()),
            }]
            .into(),
            ..RefreshRequest::default()
        });
    }
    let report = sync::refresh(&opts, &req, &NoProgress).await.unwrap();
    assert!(report.not_found.is_empty(), "{:?}", report.not_found);
    assert!(report.complete);
    let a = Archive::open_read_only(&opts.archive).unwrap();
    assert_eq!(status(&a, Kind::Copr, "2010").as_deref(), Some("success"));
    // the other chroot is still running (its list item changed, so sync's rule
    // re-fetches it as unfinished: still pending)
    assert_eq!(status(&a, Kind::Copr, "2011").as_deref(), Some("pending"));
    let paths: Vec<String> = stub.log().iter().map(|e| e.path()).collect();
    assert_eq!(
        paths.iter().filter(|p| *p == "copr-builds").count(),
        1,
        "{paths:?}"
    );
    assert!(paths.contains(&"copr-builds/2010".to_string()), "{paths:?}");
    // its pipeline's list item, stored from the /runs head
    assert!(paths.contains(&"runs".to_string()), "{paths:?}");
    let run: Value = serde_json::from_str(
        a.get(Kind::Pipeline, "505")
            .unwrap()
            .unwrap()
            .list_json
            .as_deref()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(run["copr"][0]["status"], "success");
    assert!(
        paths.len() <= 6,
        "a targeted refresh is a handful of requests: {paths:?}"
    );
    // no other list was walked
    assert!(
        paths
            .iter()
            .all(|p| p.starts_with("copr-builds") || p == "runs"),
        "{paths:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_reports_what_it_cannot_find_and_walks_heads() {
    let dir = TempDir::new("refresh-missing");
    let ds = mini_dataset(4);
    let stub = Stub::start(&ds);
    let opts = options(&stub, &dir.join("a.sqlite"));
    sync::sync(&opts, &NoProgress).await.unwrap();
    stub.clear_log();
    let last_sync = || {
        Archive::open_read_only(&opts.archive)
            .unwrap()
            .meta("last_sync")
            .unwrap()
    };
    let synced = last_sync();
    assert!(synced.is_some());
    std::thread::sleep(Duration::from_millis(1100));
    let req = RefreshRequest {
        find: [Find {
            list: "koji-builds".into(),
            field: "task_id".into(),
            value: "123".into(),
            target: None,
        }]
        .into(),
        heads: ["srpm-builds".to_string()].into(),
        open_kinds: [Kind::Srpm].into(),
        ..RefreshRequest::default()
    };
    let report = sync::refresh(&opts, &req, &NoProgress).await.unwrap();
    assert_eq!(report.not_found.len(), 1);
    // the time shown as "last synchronised" stays that of the full sync
    assert_eq!(last_sync(), synced);
    assert_eq!(report.not_found[0].value, "123");
    let paths: Vec<String> = stub.log().iter().map(|e| e.path()).collect();
    assert!(paths.contains(&"srpm-builds".to_string()), "{paths:?}");
    // the two running SRPM builds are re-fetched
    assert!(paths.contains(&"srpm-builds/1003".to_string()), "{paths:?}");
    assert!(paths.contains(&"srpm-builds/1002".to_string()), "{paths:?}");
    assert!(
        !paths.contains(&"srpm-builds/1000".to_string()),
        "{paths:?}"
    );
    // crawl state of a later sync is untouched: it is still incremental and complete
    let again = sync::sync(&opts, &NoProgress).await.unwrap();
    assert!(again.complete);
}
