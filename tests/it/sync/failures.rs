//! Sync when upstream fails or forgets: entities deleted upstream, details that keep
//! failing, failed responses and injected faults never lose or overwrite stored data.

use super::*;

#[test]
fn deleted_upstream_is_kept_and_marked_gone() {
    let ds = mini_dataset(10);
    let stub = Stub::start(&ds);
    let dir = TempDir::new("sync-gone");
    let opts = options(&stub, &dir.join("a.sqlite"));
    let rt = rt();
    rt.block_on(run(&opts));
    let open = open_detail_paths(&opts.archive);
    assert!(
        open.contains("copr-builds/2018") && open.contains("srpm-builds/1009"),
        "{open:?}"
    );
    let before = dump(&opts.archive);
    let mut gone = ds.clone();
    gone.details.remove("copr-builds/2018");
    gone.details.remove("srpm-builds/1009");
    stub.set_dataset(&gone);
    let r = rt.block_on(run(&opts));
    assert_eq!(r.endpoints["copr-builds/{id}"].gone, 1, "{}", r.summary());
    assert_eq!(r.endpoints["srpm-builds/{id}"].gone, 1);
    let after = dump(&opts.archive);
    for key in [
        ("copr".to_string(), "2018".to_string()),
        ("srpm".into(), "1009".into()),
    ] {
        assert!(after[&key].gone, "{key:?} marked gone");
        assert_eq!(
            after[&key].detail, before[&key].detail,
            "{key:?} keeps its data"
        );
        assert_eq!(after[&key].list, before[&key].list);
    }
    assert_eq!(after.len(), before.len());
}

#[test]
fn failing_details_are_recorded_then_repaired() {
    let ds = mini_dataset(20);
    let stub = Stub::start(&ds);
    let dir = TempDir::new("sync-fail");
    let mut opts = options(&stub, &dir.join("a.sqlite"));
    opts.client.max_retries = 2;
    stub.set_faults(Faults {
        fail_paths: vec!["srpm-builds/1005".into(), "copr-builds/2010".into()],
        ..Faults::none()
    });
    let rt = rt();
    let r = rt.block_on(run(&opts));
    assert!(r.complete, "detail failures do not stop the sync");
    let failed: BTreeSet<(String, String)> = r
        .failed_entities
        .iter()
        .map(|f| (f.kind.clone(), f.id.clone()))
        .collect();
    assert_eq!(
        failed,
        BTreeSet::from([
            ("srpm".into(), "1005".into()),
            ("copr".into(), "2010".into())
        ]),
        "{}",
        r.summary()
    );
    assert!(r.summary().contains("srpm 1005"));
    let a = Archive::open_read_only(&opts.archive).unwrap();
    let srpm = a.get(Kind::Srpm, "1005").unwrap().unwrap();
    assert!(srpm.detail_json.is_none() && srpm.error.as_deref().unwrap().contains("HTTP 500"));
    assert!(a.get(Kind::Copr, "2010").unwrap().is_none());
    let parent = a.get(Kind::CoprBuild, "7000005").unwrap().unwrap();
    assert!(
        parent.error.as_deref().unwrap().contains("copr 2010"),
        "{:?}",
        parent.error
    );
    drop(a);

    stub.set_faults(Faults::none());
    stub.clear_log();
    let r = rt.block_on(run(&opts));
    assert!(r.failed_entities.is_empty(), "{}", r.summary());
    assert_mirrors(&opts.archive, &ds);
    let a = Archive::open_read_only(&opts.archive).unwrap();
    assert!(a.get(Kind::Srpm, "1005").unwrap().unwrap().error.is_none());
    assert!(
        a.get(Kind::CoprBuild, "7000005")
            .unwrap()
            .unwrap()
            .error
            .is_none()
    );
    let paths = requests_by_path(&stub);
    assert_eq!(paths.get("srpm-builds/1005"), Some(&1));
    assert_eq!(paths.get("copr-builds/2010"), Some(&1));
}

/// An entity whose fetch keeps failing (a detail, a project's sub-list) is recorded
/// with its error, never makes the sync incomplete, and backs off: after two
/// failures in a row it is not asked again in the next sync (a full re-check asks).
#[test]
fn entities_that_keep_failing_back_off_and_never_fail_the_sync() {
    let ds = mini_dataset(20);
    let stub = Stub::start(&ds);
    let dir = TempDir::new("sync-backoff");
    let mut opts = options(&stub, &dir.join("a.sqlite"));
    opts.client.max_retries = 0;
    let prs = ds
        .lists
        .keys()
        .find(|k| k.starts_with("projects/") && k.ends_with("/prs"))
        .expect("a project with pull requests")
        .clone();
    stub.set_faults(Faults {
        fail_paths: vec!["srpm-builds/1005".into(), prs.clone()],
        ..Faults::none()
    });
    let rt = rt();
    for round in 1..=2 {
        stub.clear_log();
        let r = rt.block_on(run(&opts));
        assert!(r.complete, "round {round}: {}", r.summary());
        let paths = requests_by_path(&stub);
        assert_eq!(paths.get("srpm-builds/1005"), Some(&1), "round {round}");
        if round == 1 {
            assert_eq!(paths.get(prs.as_str()), Some(&1), "round {round}");
            assert!(
                r.failed_entities
                    .iter()
                    .any(|f| f.kind == "project" && prs.contains(&f.id)),
                "{}",
                r.summary()
            );
            let a = Archive::open_read_only(&opts.archive).unwrap();
            let key = prs
                .strip_prefix("projects/")
                .unwrap()
                .strip_suffix("/prs")
                .unwrap();
            let project = a.get(Kind::Project, key).unwrap().unwrap();
            assert!(
                project.error.as_deref().unwrap().contains("prs"),
                "the project records its sub-list's failure: {:?}",
                project.error
            );
        }
    }
    // the third sync leaves both alone
    stub.clear_log();
    let r = rt.block_on(run(&opts));
    assert!(
        r.complete && r.failed_entities.is_empty(),
        "{}",
        r.summary()
    );
    assert!(r.refresh.backed_off >= 1, "{}", r.summary());
    assert!(r.summary().contains("backed off"), "{}", r.summary());
    let paths = requests_by_path(&stub);
    assert_eq!(paths.get("srpm-builds/1005"), None);
    assert_eq!(paths.get(prs.as_str()), None);
    // a full re-check asks again
    opts.refresh.full_recheck = true;
    stub.clear_log();
    let r = rt.block_on(run(&opts));
    assert!(r.complete, "{}", r.summary());
    assert_eq!(requests_by_path(&stub).get("srpm-builds/1005"), Some(&1));
}

/// A 1 MB value in a failure is shortened (with a hash) in the report and its summary.
#[test]
fn failures_shorten_long_values() {
    let long = format!("github.com/x/{}", "y".repeat(1 << 20));
    let f = sync::Failure::new(
        "projects/{project}",
        "project",
        &long,
        &format!("GET {long}: no"),
    );
    assert!(
        f.id.len() < 400 && f.error.len() < 400,
        "{} {}",
        f.id.len(),
        f.error.len()
    );
    assert!(f.id.starts_with("github.com/x/yyy") && f.id.contains("bytes, #"));
}

#[test]
fn failed_responses_never_overwrite_stored_data() {
    let ds = mini_dataset(15);
    let stub = Stub::start(&ds);
    let dir = TempDir::new("sync-worse");
    let mut opts = options(&stub, &dir.join("a.sqlite"));
    let rt = rt();
    rt.block_on(run(&opts));
    let before = dump(&opts.archive);
    // upstream changed, but every answer is now cut short
    stub.set_dataset(&mini_dataset(18));
    stub.set_faults(Faults {
        truncate: 1.0,
        ..Faults::none()
    });
    opts.client.max_retries = 1;
    let r = rt.block_on(run(&opts));
    assert!(!r.complete);
    assert!(!r.failed_lists.is_empty());
    let after = dump(&opts.archive);
    assert_eq!(before.len(), after.len());
    for (k, row) in &before {
        let a = &after[k];
        assert_eq!(
            (&a.list, &a.detail, a.gone),
            (&row.list, &row.detail, row.gone),
            "{k:?}"
        );
    }
}

#[test]
fn faults_on_a_fifth_of_requests_change_nothing() {
    let ds = demo(300);
    let stub = Stub::start(&ds);
    let dir = TempDir::new("sync-faults");
    let opts = options(&stub, &dir.join("clean.sqlite"));
    let rt = rt();
    rt.block_on(run(&opts));
    stub.set_faults(Faults::mixed(0.2, 7));
    let faulty = options(&stub, &dir.join("faulty.sqlite"));
    let r = rt.block_on(run(&faulty));
    assert!(
        r.complete && r.failed_entities.is_empty(),
        "{}",
        r.summary()
    );
    assert!(r.totals.retries > 50, "{}", r.summary());
    let log = stub.log();
    for f in ["500", "503", "reset", "truncate"] {
        assert!(
            log.iter()
                .any(|l| format!("{:?}", l.fault).to_lowercase().contains(f)),
            "no {f} fault injected"
        );
    }
    assert_eq!(dump(&faulty.archive), dump(&opts.archive));
    assert_mirrors(&faulty.archive, &ds);
}
