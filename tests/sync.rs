//! The API client, the stub server and sync, end to end against the stub.

mod support;

use packit_pages::api::client::{Client, ClientConfig, ClientError, encode_path};
use packit_pages::api::{Kind, LISTS, list_item_id};
use packit_pages::archive::Archive;
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
        base_url: stub.base_url(),
        requests_per_second: 0.0,
        max_retries: 10,
        backoff_base: Duration::from_millis(1),
        backoff_max: Duration::from_millis(20),
        timeout: Duration::from_secs(20),
        ..ClientConfig::default()
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
    let detail = |path: &str| ds.details.get(path).map(|v| format!("{}\n", py_json(v)));
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
    for key in &touched {
        if encode_path(&format!("projects/{key}")).is_err() {
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
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
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
        let all = c.koji_builds(1, None).await.unwrap();
        assert_eq!(all.len(), 6);
        let scratch = c.koji_builds(1, Some(true)).await.unwrap();
        assert!(scratch.iter().all(|k| k.value.scratch == Some(true)));
        assert_eq!(scratch.len(), 3);
        let down = c.koji_builds(1, Some(false)).await.unwrap();
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
        let page = c.copr_builds(1).await.unwrap();
        assert_eq!(page.len(), 12);
        for (item, want) in page.iter().zip(&ds.lists["copr-builds"]) {
            assert_eq!(item.raw.get(), py_json(want));
            assert_eq!(item.value.build_id.as_deref(), want["build_id"].as_str());
            assert_eq!(item.value.packit_id_per_chroot.len(), 2);
        }
        let srpm = c.srpm_build(1003).await.unwrap();
        assert!(srpm.value.logs.unwrap().contains("ünïcödé"));
        assert!(
            srpm.raw.get().contains("\\u00fcn"),
            "raw text keeps the escapes"
        );
        let runs = c.runs(1).await.unwrap();
        assert_eq!(runs[0].value.merged_run_id, Some(511));
        let p = c.project("github.com/org1/repo1").await.unwrap();
        assert_eq!(p.value.repo_name.as_deref(), Some("repo1"));
        let prs = c.project_prs("github.com/org1/repo1", 1).await.unwrap();
        assert!(!prs.is_empty());
        let issues = c.project_issues("github.com/org1/repo1", 1).await.unwrap();
        assert_eq!(issues.len(), 1);
        assert!(c.system().await.unwrap().value["packit"].is_object());
        let err = c.copr_build(1).await.unwrap_err();
        assert!(err.is_not_found(), "{err}");
        assert!(err.to_string().contains("No info about build stored in DB"));
        // /runs/<id> answers 500 HTML for broken pipelines: an error, never a panic
        let broken = *ds.broken_runs.iter().next().unwrap();
        match c.run(broken).await {
            Err(ClientError::Status {
                status: 500, body, ..
            }) => assert!(body.contains("<title>")),
            other => panic!("{other:?}"),
        }
        assert!(c.run(501).await.is_ok());
        let stats = c.stats();
        assert_eq!(stats["copr-builds/{id}"].errors, 1);
        assert_eq!(
            stats["runs/{id}"].requests, 3,
            "one retry for the broken run"
        );
    });
    let log = stub.log();
    assert!(log.iter().all(|l| l.method == "GET"));
    assert_eq!(log[0].query("per_page").as_deref(), Some("50"));
}

#[test]
fn client_retries_faults_and_honours_retry_after() {
    let ds = mini_dataset(3);
    let stub = Stub::start(&ds);
    rt().block_on(async {
        let c = Client::new(client_config(&stub)).unwrap();
        // every kind of fault, on the first requests only
        for (f, name) in [
            (
                Faults {
                    status_500: 1.0,
                    ..Faults::none()
                },
                "500",
            ),
            (
                Faults {
                    status_503: 1.0,
                    ..Faults::none()
                },
                "503",
            ),
            (
                Faults {
                    reset: 1.0,
                    ..Faults::none()
                },
                "reset",
            ),
            (
                Faults {
                    truncate: 1.0,
                    ..Faults::none()
                },
                "truncated",
            ),
        ] {
            let n = stub.request_count() as u64;
            stub.set_faults(Faults {
                first_n: Some(n + 3),
                ..f
            });
            let page = c
                .srpm_builds(1)
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
        c.system().await.unwrap();
        assert!(t.elapsed() >= Duration::from_secs(2), "{:?}", t.elapsed());

        // a request that keeps failing gives up after the retries, naming the URL
        stub.set_faults(Faults {
            fail_paths: vec!["usage".into()],
            ..Faults::none()
        });
        let err = c.usage().await.unwrap_err();
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
            c.system().await.unwrap();
        }
        assert!(
            t.elapsed() >= Duration::from_millis(240),
            "{:?}",
            t.elapsed()
        );
    });
}

#[test]
fn sync_mirrors_everything_exactly() {
    let ds = mini_dataset(120);
    let stub = Stub::start(&ds);
    let dir = TempDir::new("sync-full");
    let opts = options(&stub, &dir.join("a.sqlite"));
    let report = rt().block_on(run(&opts));
    assert!(report.complete, "{}", report.summary());
    assert!(report.failed_entities.is_empty(), "{}", report.summary());
    assert_mirrors(&opts.archive, &ds);
    assert_eq!(report.endpoints["copr-builds"].new, 120);
    assert_eq!(report.endpoints["copr-builds/{id}"].new, 240);
}
