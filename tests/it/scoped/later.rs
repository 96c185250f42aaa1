//! Scoped syncs after the first: rows below the head read again when they finish, a
//! namespace walked through its projects list, `listen`'s refresh on a scoped
//! archive, pipelines re-read when a job changes, the report's notes, and a failing
//! project list.

use super::*;

/// A merged `/copr-builds` row (no detail endpoint serves it) that was unfinished when
/// stored and has since been pushed below the first page by newer builds is read again
/// when it finishes: the head walk goes down to the oldest unfinished row of the scope.
#[test]
fn an_unfinished_row_below_the_head_is_read_again() {
    use serde_json::{Value, json};
    let dir = TempDir::new("scoped-open-row");
    let early = Dataset::generate(&DemoSpec::new(40, 1));
    // an ogr Copr build of the early data set, shown pending, then finished
    let row_id = early.lists["copr-builds"]
        .iter()
        .find(|r| r["project_url"].as_str() == Some(format!("https://{OGR}").as_str()))
        .map(|r| r["build_id"].clone())
        .expect("an ogr Copr build");
    // submitted an hour ago: recent for the refresh policy
    let submitted = packit_pages::time::now() - 3600;
    let with_status = |mut ds: Dataset, status: &str| {
        let mut targets = Vec::new();
        for r in ds.lists.get_mut("copr-builds").unwrap() {
            if r["build_id"] == row_id {
                r["build_submitted_time"] = json!(submitted);
                for v in r["status_per_chroot"].as_object_mut().unwrap().values_mut() {
                    *v = json!(status);
                }
                targets.extend(
                    r["packit_id_per_chroot"]
                        .as_object()
                        .unwrap()
                        .values()
                        .cloned(),
                );
            }
        }
        for t in targets {
            if let Some(d) = ds.details.get_mut(&format!("copr-builds/{t}")) {
                d["status"] = json!(status);
            }
        }
        ds
    };
    let row = |ds: &Dataset| -> Value {
        ds.lists["copr-builds"]
            .iter()
            .find(|r| r["build_id"] == row_id)
            .cloned()
            .unwrap()
    };
    let stub = Stub::start(&with_status(early, "pending"));
    let rt = rt();
    let opts = scoped_options(&stub, &dir.join("a.sqlite"), OGR);
    run(&rt, &opts);
    let grown = with_status(Dataset::generate(&DemoSpec::new(300, 1)), "pending");
    let position = grown.lists["copr-builds"]
        .iter()
        .position(|r| r["build_id"] == row_id)
        .unwrap();
    assert!(position >= 100, "the row is on page {}", position / 50 + 1);
    stub.set_dataset(&grown);
    run(&rt, &opts);
    let finished = with_status(Dataset::generate(&DemoSpec::new(300, 1)), "success");
    stub.set_dataset(&finished);
    stub.clear_log();
    run(&rt, &opts);
    let a = Archive::open_read_only(&opts.archive).unwrap();
    let id = row_id
        .as_str()
        .map(str::to_string)
        .unwrap_or(row_id.to_string());
    let stored = a
        .get(Kind::CoprBuild, &id)
        .unwrap()
        .expect("the row is stored");
    let v: Value = serde_json::from_str(stored.list_json.as_deref().unwrap()).unwrap();
    assert_eq!(v, row(&finished));
    let pages: Vec<u32> = wide_pages(&stub)
        .into_iter()
        .filter(|(l, _)| l == "copr-builds")
        .map(|(_, p)| p)
        .collect();
    assert_eq!(pages.len(), position / 50 + 1, "{pages:?}");
}

#[test]
fn a_namespace_is_walked_through_its_projects_list() {
    let ds = Dataset::generate(&DemoSpec::new(300, 1));
    let stub = Stub::start(&ds);
    let dir = TempDir::new("scoped-namespace");
    let mut opts = SyncOptions {
        client: support::stub_client(&stub),
        ..SyncOptions::new(dir.join("a.sqlite"), &stub.base_url())
    };
    opts.scope.add_namespace("github.com/packit").unwrap();
    let r = run(&rt(), &opts);
    assert_eq!(r.discovery, "graph");
    let projects: Vec<String> = ds.lists["projects/github.com/packit"]
        .iter()
        .map(|p| format!("github.com/packit/{}", p["repo_name"].as_str().unwrap()))
        .collect();
    assert!(projects.len() >= 2, "{projects:?}");
    let want: BTreeSet<String> = projects
        .iter()
        .flat_map(|p| srpm_pipelines(&ds, p))
        .collect();
    let got: BTreeSet<String> = entities(&opts.archive)
        .into_keys()
        .filter(|(k, _)| *k == Kind::Pipeline)
        .map(|(_, id)| id)
        .collect();
    assert!(got.is_superset(&want));
    // the rest came from the heads: pipelines without an SRPM build of these projects
    for id in got.difference(&want) {
        let r = ds.lists["runs"]
            .iter()
            .find(|r| r["merged_run_id"].as_i64().map(|n| n.to_string()).as_ref() == Some(id))
            .unwrap();
        let url = r["trigger"]["project_url"].as_str().unwrap();
        assert!(
            projects.iter().any(|p| url == format!("https://{p}")),
            "{id}"
        );
        assert!(!want.contains(id));
    }
    let requests = paths(&stub);
    assert!(requests.iter().any(|p| p == "projects/github.com/packit"));
    assert!(
        wide_pages(&stub)
            .iter()
            .all(|(l, page)| { *page == 1 && HEAD_LISTS.contains(&l.as_str()) })
    );
}

/// `listen` on a scoped archive: a bus message about an archived job of the project
/// re-fetches that job alone; one about another project's build costs no request.
#[test]
fn a_scoped_refresh_fetches_archived_jobs_and_drops_other_projects() {
    use packit_pages::sync::{Find, RefreshRequest};
    let ds = Dataset::generate(&DemoSpec::new(300, 1));
    let stub = Stub::start(&ds);
    let dir = TempDir::new("scoped-refresh");
    let opts = scoped_options(&stub, &dir.join("a.sqlite"), OGR);
    let rt = rt();
    run(&rt, &opts);
    let stored = entities(&opts.archive);
    let (ours_id, ours) = stored
        .iter()
        .find(|((k, _), _)| *k == Kind::Copr)
        .map(|((_, id), row)| {
            let v: serde_json::Value = serde_json::from_str(row.detail.as_ref().unwrap()).unwrap();
            (id.clone(), v)
        })
        .unwrap();
    let other = ds.lists["copr-builds"]
        .iter()
        .find(|i| i["project_url"].as_str() != Some(format!("https://{OGR}").as_str()))
        .unwrap();
    let find = |build: &serde_json::Value, chroot: &str| Find {
        list: "copr-builds".into(),
        field: "build_id".into(),
        value: build.as_str().unwrap().to_string(),
        target: Some(chroot.to_string()),
    };
    let other_chroot = other["packit_id_per_chroot"]
        .as_object()
        .unwrap()
        .keys()
        .next()
        .unwrap()
        .clone();
    let mut req = RefreshRequest::default();
    req.find
        .insert(find(&ours["build_id"], ours["chroot"].as_str().unwrap()));
    req.find.insert(find(&other["build_id"], &other_chroot));
    stub.clear_log();
    let r = rt
        .block_on(sync::refresh(&opts, &req, &NoProgress))
        .unwrap();
    assert_eq!(paths(&stub), vec![format!("copr-builds/{ours_id}")]);
    assert_eq!(r.not_found.len(), 1);
    assert_eq!(r.not_found[0].value, other["build_id"].as_str().unwrap());
    // only other projects' messages: nothing at all
    let mut req = RefreshRequest::default();
    req.find.insert(find(&other["build_id"], &other_chroot));
    req.heads.insert("bodhi-updates".into());
    stub.clear_log();
    rt.block_on(sync::refresh(&opts, &req, &NoProgress))
        .unwrap();
    assert!(paths(&stub).is_empty(), "{:?}", paths(&stub));
}

/// A job of an older pipeline finishes without its PR item saying so (the item shows
/// only its SRPM's status): the refresh of unfinished jobs re-fetches the job, and the
/// pipeline whose job changed is re-read, so its page shows the new status.
#[test]
fn a_pipeline_is_reread_when_a_job_of_it_changes() {
    use serde_json::json;
    let n = 6u64;
    let ds = support::mini_dataset(n);
    let stub = Stub::start(&ds);
    let dir = TempDir::new("scoped-reread");
    // pipeline i belongs to github.com/org{i % 3}/repo{i % 2}; i = n - 2 is running
    let i = n - 2;
    let key = format!("github.com/org{}/repo{}", i % 3, i % 2);
    let opts = scoped_options(&stub, &dir.join("a.sqlite"), &key);
    let rt = rt();
    run(&rt, &opts);
    let (run_id, target) = (500 + i, 2000 + 2 * i);
    let mut ds2 = ds.clone();
    ds2.details
        .get_mut(&format!("copr-builds/{target}"))
        .unwrap()["status"] = json!("success");
    let merged = ds2
        .details
        .get_mut(&format!("runs/merged/{run_id}"))
        .unwrap();
    merged["copr"][0]["status"] = json!("success");
    let item = merged.clone();
    for r in ds2.lists.get_mut("runs").unwrap() {
        if r["merged_run_id"] == json!(run_id) {
            *r = item.clone();
        }
    }
    stub.set_dataset(&ds2);
    stub.clear_log();
    run(&rt, &opts);
    // re-read by `/runs/merged/<id>`, or by the head of `/runs` when it is on page 1
    let p = paths(&stub);
    assert!(p.contains(&format!("runs/merged/{run_id}")) || p.contains(&"runs".to_string()));
    let a = Archive::open_read_only(&opts.archive).unwrap();
    let p = a.get(Kind::Pipeline, &run_id.to_string()).unwrap().unwrap();
    let v: serde_json::Value = serde_json::from_str(p.list_json.as_deref().unwrap()).unwrap();
    assert_eq!(v, item);
}

/// What the graph cannot reach is said in the report, per project: a dist-git
/// project's downstream builds, an upstream project's release pipelines.
#[test]
fn the_report_names_what_the_graph_cannot_reach() {
    let ds = Dataset::generate(&DemoSpec::new(300, 1));
    let stub = Stub::start(&ds);
    let dir = TempDir::new("scoped-notes");
    let rt = rt();
    let downstream = DOWNSTREAM;
    let mut opts = scoped_options(&stub, &dir.join("a.sqlite"), OGR);
    opts.scope.add_project(downstream).unwrap();
    let r = run(&rt, &opts);
    let summary = r.summary();
    let note = |key: &str| {
        r.notes
            .iter()
            .find(|n| n.starts_with(&format!("{key}: ")))
            .unwrap_or_else(|| panic!("no note on {key}: {summary}"))
    };
    assert!(
        note(OGR).contains(" releases (their pipelines"),
        "{summary}"
    );
    assert!(
        note(downstream).contains("without an SRPM build"),
        "{summary}"
    );
    assert!(summary.contains("  note: "), "{summary}");
    assert!(note(downstream).contains("--discover lists"));
}

/// A project list that cannot be read leaves the scoped sync incomplete (exit status
/// 1): the project's lists are where it finds everything.
#[test]
fn a_failing_project_list_makes_the_sync_incomplete() {
    let ds = support::mini_dataset(6);
    let stub = Stub::start(&ds);
    let key = "github.com/org1/repo1";
    stub.set_faults(support::stub::Faults {
        fail_paths: vec![format!("projects/{key}/prs")],
        ..support::stub::Faults::none()
    });
    let dir = TempDir::new("scoped-failing-list");
    let mut opts = scoped_options(&stub, &dir.join("a.sqlite"), key);
    opts.client.max_retries = 0;
    let r = rt().block_on(sync::sync(&opts, &NoProgress)).unwrap();
    assert!(!r.complete, "{}", r.summary());
    assert_eq!(r.failed_lists[0].endpoint, format!("projects/{key}/prs"));
    // read again, it completes
    stub.set_faults(support::stub::Faults::none());
    assert!(run(&rt(), &opts).complete);
}
