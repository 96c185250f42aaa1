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

#[test]
fn stub_speaks_like_the_real_server() {
    let ds = mini_dataset(30);
    let stub = Stub::start(&ds);
    rt().block_on(async {
        packit_pages::api::client::install_crypto_provider();
        let http = reqwest::Client::new();
        let get = |p: &str| {
            let url = format!("{}/{p}", stub.base_url());
            let http = http.clone();
            async move {
                let r = http.get(url).send().await.unwrap();
                let status = r.status().as_u16();
                let h = r.headers().clone();
                (status, h, r.text().await.unwrap())
            }
        };
        let (s, h, body) = get("copr-builds?page=2&per_page=10").await;
        assert_eq!(s, 206);
        assert_eq!(h["content-range"], "copr-builds 11-20/*");
        assert_eq!(h["access-control-allow-origin"], "*");
        let items: Vec<Value> = serde_json::from_str(&body).unwrap();
        assert_eq!(items.len(), 10);
        assert_eq!(items[0], ds.lists["copr-builds"][10]);
        // sorted keys, compact, ASCII-escaped
        assert!(body.starts_with("[{\"branch_name\":null,\"build_id\":"), "{body:.60}");

        let (s, _, body) = get("copr-builds?per_page=100").await;
        assert_eq!(s, 400);
        assert_eq!(
            body,
            "{\"errors\":{\"per_page\":\"Results per page The value '100' is not a valid choice for 'per_page'.\"},\"message\":\"Input payload validation failed\"}\n"
        );
        let (s, h, _) = get("runs?page=0&per_page=2").await;
        assert_eq!((s, &h["content-range"]), (206, &"runs 1-2/*".parse().unwrap()));
        let (s, h, body) = get("srpm-builds?page=9&per_page=50").await;
        assert_eq!((s, body.as_str()), (206, "[]\n"));
        assert_eq!(h["content-range"], "srpm-builds 401-450/*");
        let (s, _, body) = get("projects?page=5&per_page=50").await;
        assert_eq!((s, body.as_str()), (200, "[]\n"));
        let (s, _, body) = get("copr-builds/999999").await;
        assert_eq!((s, body.as_str()), (404, "{\"error\":\"No info about build stored in DB\"}\n"));
        let (s, _, body) = get("propose-downstream/5").await;
        assert_eq!(s, 404);
        assert!(body.contains("No info about propose downstream target stored in DB"));
        let broken = *ds.broken_runs.iter().next().unwrap();
        let (s, h, body) = get(&format!("runs/{broken}")).await;
        assert_eq!(s, 500);
        assert!(h["content-type"].to_str().unwrap().starts_with("text/html"));
        assert!(body.contains("Internal Server Error"));
        let (s, _, _) = get("runs/merged/501").await;
        assert_eq!(s, 200);
        let (s, _, body) = get("runs/merged/100").await;
        assert_eq!((s, body.as_str()), (404, "{\"error\":\"No run has been found in DB\"}\n"));
    });
    let log = stub.log();
    assert_eq!(log.len(), 10);
    assert_eq!(log[0].path(), "copr-builds");
    assert_eq!(log[0].query("page").as_deref(), Some("2"));
    assert_eq!(log[1].status, 400);
}

#[test]
fn stub_filters_koji_builds_by_scratch() {
    let mut ds = Dataset::default();
    ds.lists.insert(
        "koji-builds".into(),
        (0..6)
            .rev()
            .map(
                |i| serde_json::json!({"packit_id": i, "scratch": i % 2 == 0, "status": "success"}),
            )
            .collect(),
    );
    let stub = Stub::start(&ds);
    rt().block_on(async {
        let c = Client::new(client_config(&stub)).unwrap();
        let all = c
            .list_items::<types::KojiBuild>("koji-builds", "koji-builds", &[], 1)
            .await
            .unwrap();
        assert_eq!(all.len(), 6);
        let scratch = c
            .list_items::<types::KojiBuild>(
                "koji-builds",
                "koji-builds",
                &[("scratch", "true".into())],
                1,
            )
            .await
            .unwrap();
        assert!(scratch.iter().all(|k| k.value.scratch == Some(true)));
        assert_eq!(scratch.len(), 3);
        let down = c
            .list_items::<types::KojiBuild>(
                "koji-builds",
                "koji-builds",
                &[("scratch", "false".into())],
                1,
            )
            .await
            .unwrap();
        assert!(down.iter().all(|k| k.value.scratch == Some(false)));
        assert_eq!(down.len(), 3);
    });
    assert_eq!(stub.log()[1].query("scratch").as_deref(), Some("true"));
}

#[test]
fn client_returns_exact_raw_items_and_typed_models() {
    let ds = mini_dataset(12);
    let stub = Stub::start(&ds);
    rt().block_on(async {
        let c = Client::new(client_config(&stub)).unwrap();
        let page = c
            .list_items::<types::CoprBuildListItem>("copr-builds", "copr-builds", &[], 1)
            .await
            .unwrap();
        assert_eq!(page.len(), 12);
        for (item, want) in page.iter().zip(&ds.lists["copr-builds"]) {
            assert_eq!(item.raw.get(), py_json(want));
            assert_eq!(item.value.build_id.as_deref(), want["build_id"].as_str());
            assert_eq!(item.value.packit_id_per_chroot.len(), 2);
        }
        let srpm = c
            .detail_item::<types::SrpmBuild>("srpm-builds/{id}", "srpm-builds/1003")
            .await
            .unwrap();
        assert!(srpm.value.logs.unwrap().contains("ünïcödé"));
        assert!(
            srpm.raw.get().contains("\\u00fcn"),
            "raw text keeps the escapes"
        );
        let runs = c
            .list_items::<types::Run>("runs", "runs", &[], 1)
            .await
            .unwrap();
        assert_eq!(runs[0].value.merged_run_id, Some(511));
        let p = c
            .detail_item::<types::Project>("projects/{project}", "projects/github.com/org1/repo1")
            .await
            .unwrap();
        assert_eq!(p.value.repo_name.as_deref(), Some("repo1"));
        let prs = c
            .list_items::<types::ProjectTriggerItem>(
                "projects/{project}/prs",
                "projects/github.com/org1/repo1/prs",
                &[],
                1,
            )
            .await
            .unwrap();
        assert!(!prs.is_empty());
        let issues = c
            .list_items::<i64>(
                "projects/{project}/issues",
                "projects/github.com/org1/repo1/issues",
                &[],
                1,
            )
            .await
            .unwrap();
        assert_eq!(issues.len(), 1);
        assert!(
            c.detail_item::<serde_json::Value>("system", "system")
                .await
                .unwrap()
                .value["packit"]
                .is_object()
        );
        let err = c
            .detail_item::<types::CoprBuildTarget>("copr-builds/{id}", "copr-builds/1")
            .await
            .unwrap_err();
        assert!(err.is_not_found(), "{err}");
        assert!(err.to_string().contains("No info about build stored in DB"));
        // /runs/<id> answers 500 HTML for broken pipelines: an error, never a panic
        let broken = *ds.broken_runs.iter().next().unwrap();
        match c
            .detail_with_retries(
                "runs/{id}",
                &format!("runs/{broken}"),
                c.config().max_retries.min(1),
            )
            .await
        {
            Err(ClientError::Status {
                status: 500, body, ..
            }) => assert!(body.contains("<title>")),
            other => panic!("{other:?}"),
        }
        assert!(
            c.detail_with_retries("runs/{id}", "runs/501", c.config().max_retries.min(1))
                .await
                .is_ok()
        );
        let stats = c.stats();
        assert_eq!(stats["copr-builds/{id}"].errors, 1);
        assert_eq!(
            stats["runs/{id}"].requests, 3,
            "one retry for the broken run"
        );
    });
    let log = stub.log();
    assert!(log.iter().all(|l| l.method == "GET"));
    let ua = log[0].user_agent.as_deref().unwrap();
    assert!(
        ua.starts_with(&format!("packit-pages/{} ", env!("CARGO_PKG_VERSION"))),
        "{ua}"
    );
    assert_eq!(log[0].query("per_page").as_deref(), Some("50"));
}

#[test]
fn client_retries_faults_and_honours_retry_after() {
    let ds = mini_dataset(3);
    let stub = Stub::start(&ds);
    rt().block_on(async {
        let c = Client::new(client_config(&stub)).unwrap();
        // every kind of fault, on the first requests only
        let only = |set: fn(&mut Faults)| {
            let mut f = Faults::none();
            set(&mut f);
            f
        };
        for (f, name) in [
            (only(|f| f.status_500 = 1.0), "500"),
            (only(|f| f.status_503 = 1.0), "503"),
            (only(|f| f.reset = 1.0), "reset"),
            (only(|f| f.truncate = 1.0), "truncated"),
        ] {
            let n = stub.request_count() as u64;
            stub.set_faults(Faults {
                first_n: Some(n + 3),
                ..f
            });
            let page = c
                .list_items::<types::SrpmBuild>("srpm-builds", "srpm-builds", &[], 1)
                .await
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(page.len(), 3, "{name}");
            assert_eq!(stub.request_count() as u64, n + 4, "{name}: three retries");
        }
        assert_eq!(c.stats()["srpm-builds"].retries, 12);

        // Retry-After: 1 is honoured (the back-off alone would take milliseconds)
        let n = stub.request_count() as u64;
        stub.set_faults(Faults {
            status_503: 1.0,
            retry_after: Some(1),
            first_n: Some(n + 2),
            ..Faults::none()
        });
        let t = Instant::now();
        c.detail_item::<serde_json::Value>("system", "system")
            .await
            .unwrap();
        assert!(t.elapsed() >= Duration::from_secs(2), "{:?}", t.elapsed());

        // a request that keeps failing gives up after the retries, naming the URL
        stub.set_faults(Faults {
            fail_paths: vec!["usage".into()],
            ..Faults::none()
        });
        let err = c
            .detail_item::<serde_json::Value>("usage", "usage")
            .await
            .unwrap_err();
        assert!(
            matches!(err, ClientError::Status { status: 500, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("/api/usage"), "{err}");
        assert_eq!(c.stats()["usage"].requests, 11);
    });
}

#[test]
fn client_paces_requests_and_names_itself() {
    let ds = mini_dataset(2);
    let stub = Stub::start(&ds);
    rt().block_on(async {
        let c = Client::new(ClientConfig {
            requests_per_second: 20.0,
            ..client_config(&stub)
        })
        .unwrap();
        let t = Instant::now();
        for _ in 0..6 {
            c.detail_item::<serde_json::Value>("system", "system")
                .await
                .unwrap();
        }
        assert!(
            t.elapsed() >= Duration::from_millis(240),
            "{:?}",
            t.elapsed()
        );
    });
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

fn bin() -> std::process::Command {
    let mut c = support::packit_pages();
    c.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    c
}

fn sync_cmd(stub: &Stub, archive: &Path) -> std::process::Command {
    let mut c = bin();
    c.args(["sync", "--api", &stub.base_url(), "--archive"])
        .arg(archive)
        .args(["--rps", "0", "--retry-base-ms", "1", "--progress", "none"]);
    c
}

#[test]
fn killed_sync_resumes_to_the_same_archive() {
    let ds = demo(300);
    let stub = Stub::start(&ds);
    stub.set_faults(Faults::latency(1));
    let dir = TempDir::new("sync-kill");
    let clean = dir.join("clean.sqlite");
    let status = sync_cmd(&stub, &clean).status().unwrap();
    assert!(status.success());
    let total = stub.request_count();
    stub.clear_log();

    let killed = dir.join("killed.sqlite");
    let mut kills = 0;
    let mut seed = 12345u64;
    for i in 1..=10u64 {
        // kill points spread over the crawl, each a little off the even grid
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let target = (i as usize * total) / 12 + (seed >> 60) as usize;
        let mut child = sync_cmd(&stub, &killed).spawn().unwrap();
        loop {
            if let Some(st) = child.try_wait().unwrap() {
                panic!("sync finished ({st}) before kill point {i} at request {target} of {total}");
            }
            if stub.request_count() >= target {
                child.kill().unwrap();
                child.wait().unwrap();
                kills += 1;
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    assert_eq!(kills, 10);
    let before_final = stub.request_count();
    assert!(sync_cmd(&stub, &killed).status().unwrap().success());
    let resumed_total = stub.request_count();
    assert!(
        resumed_total < total * 2,
        "resuming re-did too much: {resumed_total} requests vs {total} (final run {})",
        resumed_total - before_final
    );
    let (a, b) = (dump(&clean), dump(&killed));
    assert_eq!(a.len(), b.len(), "same entities");
    for (k, row) in &a {
        assert_eq!(Some(row), b.get(k), "{k:?}");
    }
    assert_mirrors(&killed, &ds);
}

#[test]
fn cli_exit_codes_and_report() {
    let ds = mini_dataset(5);
    let stub = Stub::start(&ds);
    let dir = TempDir::new("sync-cli");
    let st = bin().args(["sync", "--concurrency", "0"]).status().unwrap();
    assert_eq!(st.code(), Some(2), "usage error");
    let st = bin()
        .args([
            "sync",
            "--api",
            "http://127.0.0.1:9/api",
            "--retries",
            "0",
            "--progress",
            "none",
            "--archive",
        ])
        .arg(dir.join("x.sqlite"))
        .status()
        .unwrap();
    assert_eq!(st.code(), Some(1), "unreachable API");
    let report = dir.join("report.json");
    let st = sync_cmd(&stub, &dir.join("a.sqlite"))
        .arg("--report-json")
        .arg(&report)
        .status()
        .unwrap();
    assert_eq!(st.code(), Some(0));
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(r["complete"], true);
    assert_eq!(r["endpoints"]["copr-builds"]["new"], 5);
    assert_eq!(r["endpoints"]["copr-builds"]["requests"], 1);
    assert_eq!(r["endpoints"]["copr-builds/{id}"]["new"], 10);
    let help = support::packit_pages()
        .args(["sync", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    for flag in [
        "--project",
        "--namespace",
        "--forge",
        "--concurrency",
        "--rps",
        "--retries",
        "--timeout",
        "--report-json",
        "--api",
        "--archive",
    ] {
        assert!(help.contains(flag), "--help explains {flag}");
    }
    assert!(
        help.contains("Packit-wide list")
            && help.contains("whatever")
            && help.contains("--discover"),
        "--help says what scoping costs: {help}"
    );
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

#[test]
fn hostile_values_are_stored_unchanged_and_never_used_as_paths() {
    let mut spec = DemoSpec::new(300, 1);
    spec.hostile = true;
    let ds = Dataset::generate(&spec);
    let stub = Stub::start(&ds);
    let dir = TempDir::new("sync-hostile");
    let opts = options(&stub, &dir.join("a.sqlite"));
    let r = rt().block_on(run(&opts));
    assert!(r.complete, "{}", r.summary());
    assert_mirrors(&opts.archive, &ds);
    let rows = dump(&opts.archive);
    let texts: Vec<&str> = rows
        .values()
        .flat_map(|r| [r.list.as_deref(), r.detail.as_deref()])
        .flatten()
        .collect();
    for needle in [
        "<script>alert(1)</script>",
        "../../etc/passwd",
        "%2e%2e",
        "\\\"quotes' &amp;",
    ] {
        assert!(
            texts.iter().any(|t| t.contains(needle)),
            "{needle} stored verbatim"
        );
    }
    assert!(
        texts.iter().any(|t| t.len() >= 1 << 20),
        "the 1 MiB string is kept"
    );
    let parsed_rtl = rows.values().filter_map(|r| r.list.as_deref()).any(|t| {
        serde_json::from_str::<Value>(t).is_ok_and(|v| v.to_string().contains("\u{5e9}\u{5dc}"))
    });
    assert!(parsed_rtl, "non-ASCII survives");
    // projects whose key has a `..` segment cannot be requested faithfully: named, not fetched
    assert!(
        r.failed_entities
            .iter()
            .any(|f| f.id.contains("..") && f.error.contains("cannot be requested"))
    );
    for l in stub.log() {
        assert!(
            !l.path().split('/').any(|s| s == ".." || s == "."),
            "requested {}",
            l.target
        );
    }
    // nothing but the archive was written
    let mut files: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert!(files.iter().all(|f| f.starts_with("a.sqlite")), "{files:?}");

    // the demo archive is what this sync stored
    let demo_file = dir.join("demo.sqlite");
    let mut a = Archive::open(&demo_file).unwrap();
    sync::ingest_records(&mut a, &spec).unwrap();
    drop(a);
    assert_eq!(dump(&demo_file), rows);
}
