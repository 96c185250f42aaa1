//! Faithfulness to the real API (issue #19) against the stub, which reproduces what the
//! real server does: lists that filter out rows their pipelines still name, arrays
//! in an unstable order with Python enum reprs, unfinished jobs that never finish.

use crate::support;

use packit_pages::api::{Kind, types};
use packit_pages::archive::Archive;
use packit_pages::demo::DemoSpec;
use packit_pages::sync::{SyncOptions, SyncReport};
use serde_json::json;
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
    support::runtime()
}

fn run(rt: &tokio::runtime::Runtime, opts: &SyncOptions) -> SyncReport {
    support::sync_clean(rt, opts)
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

/// Changes the status of Copr target `id` (chroot `chroot` of Copr build `build_id`)
/// everywhere the data set shows it: the target, its build group, its pipelines and
/// the PR items naming the build.
fn set_copr_status(ds: &mut Dataset, id: i64, build_id: &str, chroot: &str, status: &str) {
    ds.details.get_mut(&format!("copr-builds/{id}")).unwrap()["status"] = json!(status);
    for item in ds.lists.get_mut("copr-builds").unwrap() {
        if item["build_id"] == build_id {
            item["status_per_chroot"][chroot] = json!(status);
        }
    }
    for run in ds.lists.get_mut("runs").unwrap() {
        for j in run["copr"].as_array_mut().into_iter().flatten() {
            if j["packit_id"] == id {
                j["status"] = json!(status);
            }
        }
    }
    for (path, items) in ds.lists.iter_mut() {
        if !path.ends_with("/prs") {
            continue;
        }
        for item in items {
            for b in item["builds"].as_array_mut().into_iter().flatten() {
                if b["build_id"] == build_id && b["chroot"] == chroot {
                    b["status"] = json!(status);
                }
            }
        }
    }
}

fn history_rows(archive: &Path, kind: Kind) -> Vec<String> {
    let a = Archive::open_read_only(archive).unwrap();
    let mut st = a
        .connection()
        .prepare("SELECT id FROM history WHERE kind=?1 ORDER BY id")
        .unwrap();
    st.query_map([kind.as_str()], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn an_order_only_refetch_changes_nothing() {
    let mut ds = Dataset::generate(&DemoSpec::new(300, 1));
    // a PR item with several builds and tests, in a project with other such items
    let (prs_path, pr_id, build_id, chroot) = ds
        .lists
        .iter()
        .filter(|(p, items)| {
            p.ends_with("/prs")
                && items
                    .iter()
                    .filter(|i| i["builds"].as_array().is_some_and(|b| b.len() > 1))
                    .count()
                    > 2
        })
        .find_map(|(p, items)| {
            let i = items.iter().find(|i| {
                i["builds"].as_array().is_some_and(|b| b.len() > 1)
                    && i["builds"][0]["status"] != "success"
                    && i["tests"].as_array().is_some_and(|t| t.len() > 1)
            })?;
            Some((
                p.clone(),
                i["pr_id"].as_i64().unwrap(),
                i["builds"][0]["build_id"].as_str().unwrap().to_string(),
                i["builds"][0]["chroot"].as_str().unwrap().to_string(),
            ))
        })
        .expect("a project with PR items of several builds");
    assert!(
        ds.lists[&prs_path]
            .iter()
            .flat_map(|i| i["tests"].as_array().into_iter().flatten())
            .any(|t| t["status"]
                .as_str()
                .unwrap()
                .starts_with("TestingFarmResult.")),
        "PR tests carry Python enum reprs"
    );
    let target = ds.lists["copr-builds"]
        .iter()
        .find(|i| i["build_id"] == build_id.as_str())
        .and_then(|i| i["packit_id_per_chroot"][&chroot].as_i64())
        .expect("the target is listed");
    let key = prs_path
        .strip_prefix("projects/")
        .unwrap()
        .strip_suffix("/prs")
        .unwrap()
        .to_string();
    let changed_pr = format!("{key}#{pr_id}");

    let stub = Stub::start(&ds);
    stub.set_unstable_order(Some(7));
    let dir = TempDir::new("faithful-order");
    let opts = options(&stub, &dir.join("a.sqlite"));
    let rt = rt();
    run(&rt, &opts);
    let out = dir.join("site");
    let build_opts = support::build_options(opts.archive.clone(), out.clone());
    packit_pages::build(&build_opts).unwrap();

    // the stub does reorder: two requests of the list differ in bytes, not in content
    let a = Archive::open_read_only(&opts.archive).unwrap();
    let before: Vec<(String, Option<String>)> = ds.lists[&prs_path]
        .iter()
        .map(|i| {
            let id = format!("{key}#{}", i["pr_id"]);
            let e = a.get(Kind::ProjectPr, &id).unwrap().unwrap();
            (id, e.list_json)
        })
        .collect();
    drop(a);

    // one Copr target changes upstream: the project's lists are read again, reordered
    set_copr_status(&mut ds, target, &build_id, &chroot, "success");
    stub.set_dataset(&ds);
    stub.clear_log();
    let r = run(&rt, &opts);
    assert!(
        stub.log().iter().any(|l| l.path() == prs_path),
        "the PR list was read again"
    );
    assert_eq!(
        history_rows(&opts.archive, Kind::ProjectPr),
        vec![changed_pr.clone()],
        "only the PR item whose build changed has a new version\n{}",
        r.summary()
    );
    assert_eq!(
        r.endpoints["projects/{project}/prs"].changed,
        1,
        "{}",
        r.summary()
    );
    let a = Archive::open_read_only(&opts.archive).unwrap();
    for (id, raw) in &before {
        if *id != changed_pr {
            let e = a.get(Kind::ProjectPr, id).unwrap().unwrap();
            assert_eq!(&e.list_json, raw, "{id}: the first bytes stay");
        }
    }
    drop(a);
    let report = packit_pages::build(&build_opts).unwrap();
    for (id, _) in &before {
        if *id != changed_pr {
            let mirror = packit_pages::plan::api_path(Kind::ProjectPr, id);
            assert!(
                !report.written_files.contains(&mirror),
                "{mirror} rewritten"
            );
        }
    }
}

#[test]
fn enum_reprs_show_as_the_status_they_name() {
    use packit_pages::api::types::{Status, StatusClass};
    for (repr, class) in [
        ("TestingFarmResult.skipped", StatusClass::Skipped),
        ("TestingFarmResult.passed", StatusClass::Success),
        ("TestingFarmResult.needs_inspection", StatusClass::Failure),
        ("TestingFarmResult.cancel_requested", StatusClass::Canceled),
        ("BuildStatus.waiting_for_srpm", StatusClass::Pending),
        ("BuildStatus.failure", StatusClass::Failure),
    ] {
        assert_eq!(Status::new(repr).class(), class, "{repr}");
    }
}

/// Requests of one sync that are not list pages: details (the refresh, new items).
fn detail_requests(stub: &Stub) -> usize {
    stub.log()
        .iter()
        .filter(|l| l.query("page").is_none() && !matches!(l.path().as_str(), "usage" | "system"))
        .count()
}

#[test]
fn refresh_requests_per_sync_stay_bounded_as_stale_jobs_grow() {
    let rt = rt();
    let dir = TempDir::new("faithful-refresh");
    let mut opts = None;
    let mut stale_before = 0;
    for n in [200, 400, 800] {
        // unfinished jobs that never finish pile up: each data set has more
        let ds = Dataset::generate(&DemoSpec::new(n, 1));
        let stub = Stub::start(&ds);
        let o = opts.get_or_insert_with(|| {
            let mut o = options(&stub, &dir.join("a.sqlite"));
            o.refresh.budget = 10;
            o
        });
        o.client = support::stub_client(&stub);
        o.client.base_url = stub.base_url();
        run(&rt, o);
        stub.clear_log();
        let r = run(&rt, o);
        let stale = r.refresh.refreshed + r.refresh.deferred;
        assert!(
            stale > stale_before,
            "stale jobs grow: {stale} after {stale_before}"
        );
        stale_before = stale;
        assert_eq!(r.refresh.refreshed, 10, "{}", r.summary());
        assert!(r.refresh.deferred > 10, "{}", r.summary());
        assert!(
            detail_requests(&stub) <= 10,
            "{} detail requests\n{}",
            detail_requests(&stub),
            r.summary()
        );
        assert!(r.summary().contains("10 refreshed"), "{}", r.summary());
    }
    let o = opts.unwrap();
    let ds = Dataset::generate(&DemoSpec::new(800, 1));
    let stub = Stub::start(&ds);
    // given up: none refreshed
    let mut given_up = SyncOptions {
        client: support::stub_client(&stub),
        ..o.clone()
    };
    given_up.refresh.give_up_secs = 0;
    let r = run(&rt, &given_up);
    assert_eq!(r.refresh.refreshed, 0);
    assert_eq!(r.refresh.given_up, stale_before, "{}", r.summary());
    // a full re-check refreshes every one
    stub.clear_log();
    given_up.refresh.full_recheck = true;
    let r = run(&rt, &given_up);
    assert_eq!(r.refresh.refreshed, stale_before, "{}", r.summary());
    assert_eq!(r.refresh.deferred + r.refresh.given_up, 0);
}
