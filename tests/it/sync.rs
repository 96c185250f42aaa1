//! The API client, the stub server and sync, end to end against the stub.

use crate::support;

use packit_pages::api::client::{Client, ClientConfig, ClientError, encode_path};
use packit_pages::api::{Kind, list_item_id, types};
use packit_pages::archive::Archive;
use packit_pages::demo::DemoSpec;
use packit_pages::jobs::{DetailPath, LISTS};
use packit_pages::sync::{
    self, NoProgress, SyncOptions, SyncReport, item_project, sub_list_item_id,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};
use support::stub::{Dataset, Faults, Stub, py_json};
use support::{TempDir, mini_dataset};

mod cli;
mod client;
mod failures;

fn client_config(stub: &Stub) -> ClientConfig {
    ClientConfig {
        max_retries: 10,
        timeout: Duration::from_secs(20),
        ..support::stub_client(stub)
    }
}

fn options(stub: &Stub, archive: &Path) -> SyncOptions {
    SyncOptions {
        client: client_config(stub),
        ..SyncOptions::new(archive, &stub.base_url())
    }
}

async fn run(opts: &SyncOptions) -> SyncReport {
    sync::sync(opts, &NoProgress).await.expect("sync")
}

/// One stored entity as compared between archives.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    list: Option<String>,
    detail: Option<String>,
    gone: bool,
    error: Option<String>,
    status: Option<String>,
    is_final: bool,
    project: Option<String>,
}

fn dump(path: &Path) -> BTreeMap<(String, String), Row> {
    let a = Archive::open_read_only(path).unwrap();
    let mut st = a
        .connection()
        .prepare("SELECT kind, id, list_json, detail_json, gone_at, error, status, is_final, project FROM entity")
        .unwrap();
    st.query_map([], |r| {
        Ok((
            (r.get(0)?, r.get(1)?),
            Row {
                list: r.get(2)?,
                detail: r.get(3)?,
                gone: r.get::<_, Option<i64>>(4)?.is_some(),
                error: r.get(5)?,
                status: r.get(6)?,
                is_final: r.get(7)?,
                project: r.get(8)?,
            },
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// What a complete sync of `ds` must store: (kind, id) → (list text, detail text), the
/// texts exactly as the stub serialises them.
fn expected(ds: &Dataset) -> BTreeMap<(String, String), (Option<String>, Option<String>)> {
    let mut out: BTreeMap<(String, String), (Option<String>, Option<String>)> = BTreeMap::new();
    let detail = |path: &str| ds.details.get(path).map(py_json);
    let mut touched = BTreeSet::new();
    for ep in LISTS.iter() {
        for item in ds.lists.get(ep.path).into_iter().flatten() {
            let Some(id) = list_item_id(ep, item) else {
                continue;
            };
            if ep.kind != Kind::Project
                && let Some(p) = item_project(ep.kind, item)
            {
                touched.insert(p);
            }
            out.entry((ep.kind.to_string(), id.clone())).or_default().0 = Some(py_json(item));
            if !ep.detail_richer {
                continue;
            }
            let targets = match ep.kind {
                Kind::CoprBuild => Some(("packit_id_per_chroot", Kind::Copr)),
                Kind::ProposeDownstreamRun => {
                    Some(("packit_id_per_downstream_pr", Kind::ProposeDownstream))
                }
                Kind::PullFromUpstreamRun => {
                    Some(("packit_id_per_downstream_pr", Kind::PullFromUpstream))
                }
                _ => None,
            };
            match targets {
                None => {
                    let d = detail(&ep.kind.detail_path(&id).unwrap());
                    out.get_mut(&(ep.kind.to_string(), id)).unwrap().1 = d;
                }
                Some((field, kind)) => {
                    for t in item[field].as_object().unwrap().values() {
                        let tid = t.as_i64().unwrap().to_string();
                        let d = detail(&kind.detail_path(&tid).unwrap());
                        if let Some(p) = d
                            .as_deref()
                            .and_then(|d| serde_json::from_str::<Value>(d).ok())
                            .and_then(|v| {
                                v["project_url"]
                                    .as_str()
                                    .and_then(packit_pages::api::project_key)
                            })
                        {
                            touched.insert(p);
                        }
                        if d.is_some() {
                            out.entry((kind.to_string(), tid)).or_default().1 = d;
                        }
                    }
                }
            }
        }
    }
    // jobs that only their pipelines name (filtered out of their list): their detail
    for item in ds.lists.get("runs").into_iter().flatten() {
        let Ok(run) = serde_json::from_value::<types::Run>(item.clone()) else {
            continue;
        };
        for (kind, job) in packit_pages::jobs::run_jobs(&run) {
            let Some(id) = job.packit_id.map(|i| i.to_string()) else {
                continue;
            };
            let key = (kind.to_string(), id.clone());
            if out.contains_key(&key) {
                continue;
            }
            if let Some(d) = kind.detail_path(&id).and_then(|p| detail(&p)) {
                out.insert(key, (None, Some(d)));
            }
        }
    }
    // jobs other stored entities name (a fetched detail may name more)
    loop {
        let mut add = Vec::new();
        for ((kind, _), (list, d)) in &out {
            let Some(kind) = Kind::parse(kind) else {
                continue;
            };
            for (k, id) in packit_pages::jobs::refs_of(kind, list.as_deref(), d.as_deref()) {
                if !out.contains_key(&(k.to_string(), id.clone()))
                    && let Some(d) = k.detail_path(&id).and_then(|p| detail(&p))
                {
                    add.push(((k.to_string(), id), (None, Some(d))));
                }
            }
        }
        if add.is_empty() {
            break;
        }
        out.extend(add);
    }
    // projects of stored jobs and pipelines, as the archive extracts them
    for ((kind, _), (list, detail)) in &out {
        for text in [list, detail].into_iter().flatten() {
            let v: Value = serde_json::from_str(text).unwrap();
            let url = if kind == "pipeline" {
                &v["trigger"]["project_url"]
            } else {
                &v["project_url"]
            };
            if let Some(p) = url.as_str().and_then(packit_pages::api::project_key) {
                touched.insert(p);
            }
        }
    }
    for key in &touched {
        if encode_path(&format!("projects/{key}")).is_err()
            || key.starts_with("release-monitoring.org/")
        {
            continue;
        }
        if let Some(d) = detail(&format!("projects/{key}")) {
            out.entry(("project".into(), key.clone())).or_default().1 = Some(d);
        }
        for (suffix, kind) in [
            ("prs", Kind::ProjectPr),
            ("branches", Kind::ProjectBranch),
            ("releases", Kind::ProjectRelease),
            ("issues", Kind::ProjectIssue),
        ] {
            for item in ds
                .lists
                .get(&format!("projects/{key}/{suffix}"))
                .into_iter()
                .flatten()
            {
                let id = sub_list_item_id(kind, key, item).unwrap();
                out.entry((kind.to_string(), id)).or_default().0 = Some(py_json(item));
            }
        }
    }
    out.insert(("usage".into(), "all".into()), (None, detail("usage")));
    out.insert(("system".into(), "system".into()), (None, detail("system")));
    out
}

/// Asserts the archive holds exactly `ds` (raw text and parsed JSON).
fn assert_mirrors(path: &Path, ds: &Dataset) {
    let want = expected(ds);
    let got = dump(path);
    let missing: Vec<_> = want
        .keys()
        .filter(|k| !got.contains_key(*k))
        .take(5)
        .collect();
    let extra: Vec<_> = got
        .keys()
        .filter(|k| !want.contains_key(*k))
        .take(5)
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}, extra {extra:?}"
    );
    for (k, (list, detail)) in &want {
        let row = &got[k];
        let parse = |s: &Option<String>| {
            s.as_deref()
                .map(|s| serde_json::from_str::<Value>(s).unwrap())
        };
        assert_eq!(parse(&row.list), parse(list), "list JSON of {k:?}");
        assert_eq!(parse(&row.detail), parse(detail), "detail JSON of {k:?}");
        assert_eq!(&row.list, list, "list text of {k:?}");
        assert_eq!(
            row.detail.as_deref().map(|d| d.trim_end()),
            detail.as_deref().map(|d| d.trim_end()),
            "detail text of {k:?}"
        );
        assert!(!row.gone, "{k:?} gone");
    }
}

fn rt() -> tokio::runtime::Runtime {
    support::runtime()
}

/// Requests per path in the stub log.
fn requests_by_path(stub: &Stub) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for l in stub.log() {
        *m.entry(l.path()).or_insert(0) += 1;
    }
    m
}

/// The list paths of a data set that sync walks (global lists and project sub-lists).
fn is_list_path(ds: &Dataset, path: &str) -> bool {
    LISTS.iter().any(|l| l.path == path)
        || (path.starts_with("projects/") && ds.lists.contains_key(path))
        || ["prs", "branches", "releases", "issues"]
            .iter()
            .any(|s| path.ends_with(&format!("/{s}")))
}

/// Checks the request budget of an incremental sync from `old` to `new`.
/// Serves `new` instead of `old` and syncs again: the sync is complete, stays within
/// the incremental budget and leaves the archive mirroring `new`.
fn resync_within_budget(
    rt: &tokio::runtime::Runtime,
    stub: &Stub,
    opts: &SyncOptions,
    old: &Dataset,
    new: &Dataset,
) -> SyncReport {
    let open_before = open_detail_paths(&opts.archive);
    assert!(!open_before.is_empty(), "the data set has unfinished jobs");
    stub.set_dataset(new);
    stub.clear_log();
    let r = rt.block_on(run(opts));
    assert!(
        r.complete && r.failed_entities.is_empty(),
        "{}",
        r.summary()
    );
    assert_incremental_budget(stub, old, new, &open_before);
    assert_mirrors(&opts.archive, new);
    r
}

fn assert_incremental_budget(
    stub: &Stub,
    old: &Dataset,
    new: &Dataset,
    open_before: &BTreeSet<String>,
) {
    let by_path = requests_by_path(stub);
    let ids = |ds: &Dataset, path: &str| -> BTreeSet<String> {
        ds.lists
            .get(path)
            .into_iter()
            .flatten()
            .map(py_json)
            .collect()
    };
    let mut detail_requests = 0;
    let mut allowed: BTreeSet<String> = open_before.clone();
    let want_old = expected(old);
    let want_new = expected(new);
    for (k, v) in &want_new {
        if want_old.get(k) != Some(v) {
            if let Some(kind) = Kind::parse(&k.0)
                && let Some(p) = kind.detail_path(&k.1)
            {
                allowed.insert(p);
            }
            if k.0 != "project" {
                // a changed job or pipeline refreshes its project
                if let Some(p) = v.0.as_deref().or(v.1.as_deref()).and_then(|s| {
                    let v: Value = serde_json::from_str(s).ok()?;
                    let url = v
                        .get("project_url")
                        .or_else(|| v.get("trigger")?.get("project_url"))?;
                    packit_pages::api::project_key(url.as_str()?)
                }) {
                    allowed.insert(format!("projects/{p}"));
                }
            }
        }
    }
    allowed.insert("usage".into());
    allowed.insert("system".into());
    for (path, n) in &by_path {
        if is_list_path(new, path) {
            let old_items = ids(old, path);
            let k = ids(new, path).difference(&old_items).count();
            let bound = k.div_ceil(50) + 1;
            assert!(
                *n <= bound,
                "{path}: {n} list requests for {k} new items (bound {bound})"
            );
        } else {
            assert_eq!(*n, 1, "{path} requested {n} times");
            assert!(allowed.contains(path), "unexpected detail request {path}");
            detail_requests += 1;
        }
    }
    assert!(detail_requests <= allowed.len());
}

/// Detail paths of the archive's entities whose status is not final.
fn open_detail_paths(path: &Path) -> BTreeSet<String> {
    dump(path)
        .into_iter()
        .filter(|(_, r)| !r.is_final && !r.gone)
        .filter_map(|((k, id), _)| Kind::parse(&k)?.detail_path(&id))
        .collect()
}

#[test]
fn second_sync_fetches_only_what_is_new_or_unfinished() {
    let (n, k) = (160, 37);
    let old = mini_dataset(n);
    let new = mini_dataset(n + k);
    let stub = Stub::start(&old);
    let dir = TempDir::new("sync-incr");
    let opts = options(&stub, &dir.join("a.sqlite"));
    let rt = rt();
    let r1 = rt.block_on(run(&opts));
    assert!(r1.complete);
    let r2 = resync_within_budget(&rt, &stub, &opts, &old, &new);
    assert_eq!(r2.endpoints["runs"].new, k);
    // nothing changed upstream: a third sync reads one page per list
    stub.clear_log();
    let r3 = rt.block_on(run(&opts));
    assert_eq!(r3.totals.new + r3.totals.changed, 0, "{}", r3.summary());
    for (path, n) in requests_by_path(&stub) {
        assert_eq!(n, 1, "{path}");
    }
}

#[test]
fn scope_keeps_one_project_but_walks_every_list() {
    let ds = mini_dataset(60);
    let stub = Stub::start(&ds);
    let dir = TempDir::new("sync-scope");
    let mut opts = options(&stub, &dir.join("a.sqlite"));
    opts.scope.add_project("github.com/org1/repo1").unwrap();
    opts.discovery = packit_pages::sync::Discovery::Lists;
    let r = rt().block_on(run(&opts));
    assert!(r.complete, "{}", r.summary());
    let rows = dump(&opts.archive);
    for ((kind, id), row) in &rows {
        match kind.as_str() {
            "usage" | "system" => {}
            "project-pr" | "project-branch" | "project-issue" => {
                assert!(id.starts_with("github.com/org1/repo1"), "{id}")
            }
            _ => assert_eq!(
                row.project.as_deref(),
                Some("github.com/org1/repo1"),
                "{kind} {id}"
            ),
        }
    }
    assert_eq!(rows.keys().filter(|k| k.0 == "copr-build").count(), 10);
    assert!(r.endpoints["copr-builds"].out_of_scope == 50);
    // the lists were walked to their end, details only for the project
    let paths = requests_by_path(&stub);
    assert_eq!(paths["runs"], 3);
    assert_eq!(
        paths
            .keys()
            .filter(|p| p.starts_with("srpm-builds/"))
            .count(),
        10
    );
    assert!(!paths.contains_key("projects"));
    assert!(paths.contains_key("projects/github.com/org1/repo1/prs"));
    assert!(!paths.contains_key("projects/github.com/org0/repo0/prs"));
}

fn demo(pipelines: u64) -> Dataset {
    Dataset::generate(&DemoSpec::new(pipelines, 1))
}

#[test]
fn full_then_incremental_sync_of_2000_pipelines() {
    let (n, k) = (2000, 37);
    let old = demo(n);
    let stub = Stub::start(&old);
    let dir = TempDir::new("sync-2000");
    let opts = options(&stub, &dir.join("a.sqlite"));
    let rt = rt();
    let r1 = rt.block_on(run(&opts));
    assert!(
        r1.complete && r1.failed_entities.is_empty(),
        "{}",
        r1.summary()
    );
    assert_mirrors(&opts.archive, &old);
    assert_eq!(r1.endpoints["runs"].new, old.lists["runs"].len() as u64);

    let new = demo(n + k);
    let r2 = resync_within_budget(&rt, &stub, &opts, &old, &new);
    let list_requests: usize = requests_by_path(&stub)
        .iter()
        .filter(|(p, _)| is_list_path(&new, p))
        .map(|(_, n)| n)
        .sum();
    assert!(
        list_requests < r1.totals.requests as usize / 10,
        "{}",
        r2.summary()
    );
}
