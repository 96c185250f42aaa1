//! Faithfulness to the real API (issue #19) against the stub, which reproduces what the
//! real server does: lists that filter out rows their pipelines still name, arrays
//! in an unstable order with Python enum reprs, unfinished jobs that never finish.

use crate::support;

use packit_pages::api::{Kind, types};
use packit_pages::archive::Archive;
use packit_pages::demo::DemoSpec;
use packit_pages::sync::{self, NoProgress, SyncOptions, SyncReport};
use std::collections::BTreeSet;
use std::path::Path;
use support::TempDir;
use support::stub::{Dataset, Stub};

fn options(stub: &Stub, archive: &Path) -> SyncOptions {
    SyncOptions {
        client: support::stub_client(stub),
        ..SyncOptions::new(archive, &stub.base_url())
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn run(rt: &tokio::runtime::Runtime, opts: &SyncOptions) -> SyncReport {
    let r = rt.block_on(sync::sync(opts, &NoProgress)).expect("sync");
    assert!(
        r.complete && r.failed_entities.is_empty(),
        "{}",
        r.summary()
    );
    r
}

/// Every (kind, id) a pipeline of `ds` names.
fn named_by_pipelines(ds: &Dataset) -> BTreeSet<(Kind, String)> {
    let mut out = BTreeSet::new();
    for item in &ds.lists["runs"] {
        let run: types::Run = serde_json::from_value(item.clone()).unwrap();
        for (kind, job) in packit_pages::jobs::run_jobs(&run) {
            if let Some(id) = job.packit_id {
                out.insert((kind, id.to_string()));
            }
        }
    }
    out
}

/// Copr target ids `/copr-builds` lists (its `packit_id_per_chroot` values).
fn listed_copr_targets(ds: &Dataset) -> BTreeSet<String> {
    ds.lists["copr-builds"]
        .iter()
        .flat_map(|i| i["packit_id_per_chroot"].as_object().unwrap().values())
        .map(|v| v.as_i64().unwrap().to_string())
        .collect()
}

#[test]
fn every_job_a_pipeline_names_is_archived_and_paged() {
    let ds = Dataset::generate(&DemoSpec::new(300, 1));
    let named = named_by_pipelines(&ds);
    let listed = listed_copr_targets(&ds);
    // the stub reproduces the real `/copr-builds`: targets failed before Copr started
    // are named by their pipeline and served by `/copr-builds/<id>`, never listed
    let unlisted: Vec<&String> = named
        .iter()
        .filter(|(k, id)| *k == Kind::Copr && !listed.contains(id))
        .map(|(_, id)| id)
        .collect();
    assert!(unlisted.len() >= 5, "{} unlisted targets", unlisted.len());
    for id in &unlisted {
        let d = &ds.details[&format!("copr-builds/{id}")];
        assert_eq!(d["status"], "failure");
        assert!(d["build_start_time"].is_null() && d["build_logs_url"].is_null());
    }

    let stub = Stub::start(&ds);
    let dir = TempDir::new("faithful-named");
    let opts = options(&stub, &dir.join("a.sqlite"));
    let rt = rt();
    run(&rt, &opts);
    let a = Archive::open_read_only(&opts.archive).unwrap();
    for (kind, id) in &named {
        let e = a.get(*kind, id).unwrap();
        assert!(
            e.as_ref()
                .is_some_and(|e| e.detail_json.is_some() || e.list_json.is_some()),
            "{kind} {id} named by a pipeline is not archived"
        );
    }
    for id in &unlisted {
        let e = a.get(Kind::Copr, id).unwrap().unwrap();
        assert_eq!(e.status.as_deref(), Some("failure"), "copr {id}");
    }
    assert!(a.referenced_missing().unwrap().is_empty());

    // a second sync fetches none of them again
    stub.clear_log();
    run(&rt, &opts);
    let refetched = stub
        .log()
        .iter()
        .filter(|l| {
            unlisted
                .iter()
                .any(|id| l.path() == format!("copr-builds/{id}"))
        })
        .count();
    assert_eq!(refetched, 0, "unlisted failed targets are final");

    // and each has its page
    let out = dir.join("site");
    packit_pages::build(&support::build_options(opts.archive.clone(), out.clone())).unwrap();
    for id in &unlisted {
        let page = out.join(format!("jobs/copr/{id}/index.html"));
        assert!(page.exists(), "no page {}", page.display());
    }
}
