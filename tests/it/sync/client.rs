//! The API client and the stub server: the stub answers as the real server does, the
//! client returns exact raw items, retries faults and paces its requests.

use super::*;

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
