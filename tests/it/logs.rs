//! The log archive: `sync --with-logs` against the stub (which serves log files too).

use crate::support;

use packit_pages::api::Kind;
use packit_pages::api::client::ClientConfig;
use packit_pages::archive::{Archive, LogInfo, LogStatus};
use packit_pages::sync::{self, DEFAULT_LOG_CAP, NoProgress, SyncOptions, SyncReport};
use serde_json::json;
use std::path::Path;
use std::time::Duration;
use support::stub::{Dataset, Stub, log_text};
use support::{TempDir, mini_dataset};

fn options(stub: &Stub, archive: &Path) -> SyncOptions {
    SyncOptions {
        client: ClientConfig {
            max_retries: 2,
            backoff_max: Duration::from_millis(5),
            timeout: Duration::from_secs(30),
            ..support::stub_client(stub)
        },
        with_logs: true,
        ..SyncOptions::new(archive, &stub.base_url())
    }
}

async fn run(opts: &SyncOptions) -> SyncReport {
    sync::sync(opts, &NoProgress).await.expect("sync")
}

/// The mini data set with Copr targets 2000–2005 given log URLs on the stub:
/// 2000 plain builder-live.log (+ build.log.gz beside it), 2001 a 50 MiB log, 2002
/// pruned upstream, 2003 failing with 500, 2004 a successful job (not fetched), 2005
/// gzip by Content-Encoding. All but 2004 failed.
fn dataset(base: &str) -> Dataset {
    let mut ds = mini_dataset(6);
    let urls = [
        (
            2000,
            format!("{base}/logs/text/2000/builder-live.log"),
            "failure",
        ),
        (2001, format!("{base}/logs/big/50"), "failure"),
        (
            2002,
            format!("{base}/logs/gone/2002/builder-live.log"),
            "error",
        ),
        (
            2003,
            format!("{base}/logs/fail/2003/builder-live.log"),
            "failure",
        ),
        (
            2004,
            format!("{base}/logs/text/2004/builder-live.log"),
            "success",
        ),
        (2005, format!("{base}/logs/enc/2005-live"), "failure"),
    ];
    for (id, url, status) in urls {
        let d = ds.details.get_mut(&format!("copr-builds/{id}")).unwrap();
        d["status"] = json!(status);
        d["build_logs_url"] = json!(url);
    }
    // a hostile URL is never fetched
    let d = ds.details.get_mut("srpm-builds/1001").unwrap();
    d["status"] = json!("failure");
    d["logs_url"] = json!("file:///etc/passwd");
    ds
}

fn log<'a>(logs: &'a [LogInfo], id: &str, name: &str) -> &'a LogInfo {
    logs.iter()
        .find(|l| l.id == id && l.name == name)
        .unwrap_or_else(|| panic!("no log {id}/{name} in {logs:#?}"))
}

fn text(a: &Archive, id: &str, name: &str) -> String {
    String::from_utf8(a.log_text(Kind::Copr, id, name).unwrap().unwrap()).unwrap()
}

fn log_requests(stub: &Stub) -> Vec<String> {
    let mut v: Vec<String> = stub
        .log()
        .into_iter()
        .filter(|e| e.target.starts_with("/logs/"))
        .map(|e| e.target)
        .collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_logs_stores_caps_decompresses_and_does_not_refetch() {
    let dir = TempDir::new("logs");
    let stub = Stub::start(&Dataset::default());
    let base = format!("http://{}", stub.addr());
    stub.set_dataset(&dataset(&base));
    let archive = dir.join("a.sqlite");
    let opts = options(&stub, &archive);

    run(&opts).await;
    let a = Archive::open_read_only(&archive).unwrap();
    let logs = a.all_logs().unwrap();

    // plain and gzip (by .gz URL and by Content-Encoding) logs, decompressed
    assert_eq!(log(&logs, "2000", "builder-live").status, LogStatus::Stored);
    assert_eq!(
        text(&a, "2000", "builder-live"),
        log_text("2000/builder-live.log")
    );
    assert_eq!(log(&logs, "2000", "build").status, LogStatus::Stored);
    assert_eq!(text(&a, "2000", "build"), log_text("2000/build.log"));
    assert_eq!(text(&a, "2005", "builder-live"), log_text("2005-live"));
    // stored compressed
    let l = log(&logs, "2000", "builder-live");
    assert!(l.size_stored > 0);
    assert_eq!(
        l.size_original,
        Some(log_text("2000/builder-live.log").len() as i64)
    );

    // the 50 MiB log is capped at the per-log cap, and stored compressed
    let big = log(&logs, "2001", "builder-live");
    assert_eq!(big.status, LogStatus::Capped);
    assert_eq!(big.size_original, Some(50 << 20));
    assert!(big.size_stored < DEFAULT_LOG_CAP as i64 / 4, "{big:?}");
    // its head and its tail (where a build's errors are), joined by a marker line
    let t = text(&a, "2001", "builder-live");
    assert!(t.len() as u64 <= DEFAULT_LOG_CAP + 100, "{}", t.len());
    assert!(t.starts_with("line 00000000 of a very long build log"));
    let marker = format!("\n{}\n", packit_pages::api::client::CUT_MARKER);
    let (head, tail) = t.split_once(&marker).expect("the cut is marked");
    assert!(head.ends_with("..........") && tail.starts_with("line "));
    let last: u64 = tail.lines().last().unwrap()[5..13].parse().unwrap();
    assert!(last > 1_000_000, "the tail is the end of the log: {last}");

    // pruned upstream, failed (recorded per job, not fatal)
    assert_eq!(log(&logs, "2002", "builder-live").status, LogStatus::Pruned);
    assert_eq!(log(&logs, "2002", "build").status, LogStatus::Pruned);
    let f = log(&logs, "2003", "builder-live");
    assert_eq!(f.status, LogStatus::Failed);
    assert!(f.error.as_deref().unwrap().contains("500"), "{f:?}");
    assert_eq!(
        a.log_text(Kind::Copr, "2003", "builder-live").unwrap(),
        None
    );

    // successful jobs' linked logs are not fetched; inline SRPM logs are stored
    assert!(!logs.iter().any(|l| l.id == "2004"));
    let srpm = a.log_text(Kind::Srpm, "1000", "srpm").unwrap().unwrap();
    assert_eq!(
        String::from_utf8(srpm).unwrap(),
        "SRPM log of build 1000\nline 2 <b>&amp;</b> ünïcödé"
    );
    // a running job's inline log waits until the job is final
    assert_eq!(a.log_text(Kind::Srpm, "1005", "srpm").unwrap(), None);
    assert!(a.log_text(Kind::Srpm, "1003", "srpm").unwrap().is_some());
    // the file:// URL was neither fetched nor recorded
    assert!(!logs.iter().any(|l| l.name == "srpm-builder-live"));

    let first = log_requests(&stub);
    assert_eq!(first.len(), 8, "{first:#?}");
    assert!(!first.iter().any(|t| t.contains("2004")));
    drop(a);

    // re-sync: stored, capped and pruned logs are not fetched again; the failed one is
    stub.clear_log();
    let r2 = run(&opts).await;
    let again = log_requests(&stub);
    assert_eq!(
        again,
        vec![
            "/logs/fail/2003/build.log.gz".to_string(),
            "/logs/fail/2003/builder-live.log".to_string()
        ]
    );
    let a = Archive::open_read_only(&archive).unwrap();
    // a log write marks the job changed in the revision (its pages re-render)
    assert_eq!(
        a.get(Kind::Copr, "2003").unwrap().unwrap().changed_rev,
        r2.revision
    );
    assert!(a.get(Kind::Copr, "2000").unwrap().unwrap().changed_rev < r2.revision);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn archive_cap_stops_fetching_and_no_logs_without_the_option() {
    let dir = TempDir::new("logs-cap");
    let stub = Stub::start(&Dataset::default());
    let base = format!("http://{}", stub.addr());
    stub.set_dataset(&dataset(&base));

    // without --with-logs nothing is fetched or stored
    let plain = dir.join("plain.sqlite");
    run(&SyncOptions {
        with_logs: false,
        ..options(&stub, &plain)
    })
    .await;
    assert!(log_requests(&stub).is_empty());
    assert!(
        Archive::open_read_only(&plain)
            .unwrap()
            .all_logs()
            .unwrap()
            .is_empty()
    );

    // a tiny archive cap: the inline logs fill it, no linked log is fetched
    let capped = dir.join("capped.sqlite");
    run(&SyncOptions {
        archive_log_cap_bytes: 10,
        ..options(&stub, &capped)
    })
    .await;
    assert!(log_requests(&stub).is_empty());
    let a = Archive::open_read_only(&capped).unwrap();
    assert!(a.all_logs().unwrap().iter().all(|l| l.kind == Kind::Srpm));

    // a small per-log cap cuts inline and linked logs alike
    let small = dir.join("small.sqlite");
    run(&SyncOptions {
        log_cap_bytes: 10,
        ..options(&stub, &small)
    })
    .await;
    let a = Archive::open_read_only(&small).unwrap();
    let logs = a.all_logs().unwrap();
    let l = log(&logs, "2000", "builder-live");
    assert_eq!(l.status, LogStatus::Capped);
    let t = text(&a, "2000", "builder-live");
    assert!(t.starts_with("Log 2\n"), "{t}");
    assert!(t.contains(packit_pages::api::client::CUT_MARKER), "{t}");
    let s = logs.iter().find(|l| l.kind == Kind::Srpm).unwrap();
    assert_eq!(s.status, LogStatus::Capped);
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_pages_anchors_escaping_notices_and_incremental_rebuilds() {
    use packit_pages::model::{JobList, detail_path};
    use packit_pages::site::{BuildOptions, build};
    let dir = TempDir::new("logs-site");
    let stub = Stub::start(&Dataset::default());
    let base = format!("http://{}", stub.addr());
    let mut ds = dataset(&base);
    // a hostile inline log
    ds.details.get_mut("srpm-builds/1002").unwrap()["logs"] =
        json!("<script>alert(1)</script>\n\u{1b}[1;31merror: \"boom\" & more\u{1b}[0m\nok");
    stub.set_dataset(&ds);
    let archive = dir.join("a.sqlite");
    let out = dir.join("site");
    let bopts = BuildOptions {
        archive: archive.clone(),
        out: out.clone(),
        ..BuildOptions::default()
    };
    // first without logs, built; then with logs, rebuilt incrementally
    run(&SyncOptions {
        with_logs: false,
        ..options(&stub, &archive)
    })
    .await;
    build(&bopts).unwrap();
    run(&options(&stub, &archive)).await;
    build(&bopts).unwrap();

    let job = out.join(detail_path(JobList::Copr, 2000));
    let page = out.join(format!(
        "{}logs/builder-live/index.html",
        detail_path(JobList::Copr, 2000)
    ));
    let html = read(&page);
    let lines = log_text("2000/builder-live.log").lines().count();
    // one anchor (and one line element) per line
    for n in 1..=lines {
        assert!(html.contains(&format!("id=\"L{n}\"")), "line {n}: {html}");
    }
    // one link per line, and the "first error" link at the top
    assert_eq!(html.matches("<a href=\"#L").count(), lines + 1, "{html}");
    assert!(
        html.contains("<a href=\"#L4\">Go to the first error (line 4)</a>"),
        "{html}"
    );
    assert_eq!(html.matches(" id=\"L").count(), lines, "{html}");
    // escaped, coloured with classes, error lines marked
    assert!(
        html.contains("&lt;pkg&gt; &amp; &quot;friends&quot;"),
        "{html}"
    );
    assert!(!html.contains("<pkg>"));
    assert!(!html.contains('\u{1b}'));
    assert!(html.contains("<span class=\"a2\">INFO</span>"), "{html}");
    assert_eq!(html.matches("l e").count(), 2, "{html}");
    assert!(html.contains("static/log.js"));
    // the raw text beside it
    let raw = out.join(format!(
        "{}logs/builder-live.txt",
        detail_path(JobList::Copr, 2000)
    ));
    assert_eq!(read(&raw), log_text("2000/builder-live.log"));
    // the decompressed build.log.gz
    let gz = out.join(format!(
        "{}logs/build.txt",
        detail_path(JobList::Copr, 2000)
    ));
    assert_eq!(read(&gz), log_text("2000/build.log"));

    // the job page lists the error lines with links, and the logs
    let jp = read(&job.join("index.html"));
    assert!(jp.contains("logs/builder-live/index.html#L4"), "{jp}");
    assert!(jp.contains("logs/builder-live/index.html#L6"), "{jp}");
    assert!(jp.contains("error: compilation failed in 2000/builder-live.log"));
    assert!(jp.contains("logs/builder-live.txt"));

    // the capped log says so on its page and on the job page
    let capped_job = read(
        &out.join(detail_path(JobList::Copr, 2001))
            .join("index.html"),
    );
    assert!(
        capped_job.contains("Capped: the log was 50 MiB long"),
        "{capped_job}"
    );
    let capped_page = read(&out.join(format!(
        "{}logs/builder-live/index.html",
        detail_path(JobList::Copr, 2001)
    )));
    assert!(capped_page.contains("Capped: the log was 50 MiB long"));
    // pruned, failed and not archived
    let pruned = read(
        &out.join(detail_path(JobList::Copr, 2002))
            .join("index.html"),
    );
    assert!(pruned.contains("Pruned upstream"), "{pruned}");
    let failed = read(
        &out.join(detail_path(JobList::Copr, 2003))
            .join("index.html"),
    );
    assert!(
        failed.contains("Not archived: the fetch failed"),
        "{failed}"
    );
    assert!(failed.contains("HTTP 500"), "{failed}");
    let success = read(
        &out.join(detail_path(JobList::Copr, 2004))
            .join("index.html"),
    );
    assert!(
        success.contains("Not archived: the upstream copy may be pruned"),
        "{success}"
    );

    // hostile inline log text is escaped
    let hp = read(&out.join(format!(
        "{}logs/srpm/index.html",
        detail_path(JobList::Srpm, 1002)
    )));
    assert!(!hp.contains("<script>alert"), "{hp}");
    assert!(hp.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{hp}");
    assert!(
        hp.contains("<span class=\"a1 ab\">error: &quot;boom&quot; &amp; more</span>"),
        "{hp}"
    );

    // the incremental rebuild equals a clean build
    let clean = dir.join("clean");
    build(&BuildOptions {
        out: clean.clone(),
        ..bopts.clone()
    })
    .unwrap();
    let (a, b) = (support::site_bytes(&out), support::site_bytes(&clean));
    let diff: Vec<&String> = a
        .keys()
        .chain(b.keys())
        .filter(|k| !k.starts_with('.') && a.get(*k) != b.get(*k))
        .collect();
    assert!(diff.is_empty(), "incremental build differs: {diff:?}");
}

#[test]
fn log_sources_of_each_job_kind() {
    use packit_pages::sync::log_sources;
    let names = |kind, v| {
        log_sources(kind, &v)
            .into_iter()
            .map(|s| (s.name, s.url, s.inline.is_some()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(
            Kind::Copr,
            json!({"build_logs_url": "https://h/r/x/builder-live.log.gz"})
        ),
        vec![
            (
                "build".into(),
                Some("https://h/r/x/build.log.gz".into()),
                false
            ),
            (
                "builder-live".into(),
                Some("https://h/r/x/builder-live.log.gz".into()),
                false
            ),
        ]
    );
    assert_eq!(
        names(
            Kind::Koji,
            json!({"build_submission_stdout": "out", "build_logs_urls": {"x86_64": "https://k/t/build.log", "Weird/Arch": "ftp://no"}})
        ),
        vec![
            ("submission".into(), None, true),
            (
                "build-x86_64".into(),
                Some("https://k/t/build.log".into()),
                false
            ),
        ]
    );
    assert_eq!(
        names(Kind::Koji, json!({"build_logs_urls": "https://k/b.log"})),
        vec![("build".into(), Some("https://k/b.log".into()), false)]
    );
    assert_eq!(
        names(
            Kind::Srpm,
            json!({"logs": "  ", "logs_url": "file:///etc/passwd"})
        ),
        vec![]
    );
    assert_eq!(
        names(Kind::ProposeDownstream, json!({"logs": "synced"})),
        vec![("sync-release".into(), None, true)]
    );
}

#[test]
fn cli_with_logs_flag_env_and_log_cap() {
    let dir = TempDir::new("logs-cli");
    let stub = Stub::start(&Dataset::default());
    let base = format!("http://{}", stub.addr());
    stub.set_dataset(&dataset(&base));
    let run = |archive: &Path, extra: &[&str], env: Option<&str>| {
        let mut c = support::packit_pages();
        c.args(["sync", "--api", &stub.base_url(), "--archive"])
            .arg(archive)
            .args(["--rps", "0", "--progress", "none", "--no-usage"])
            .args(extra)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        if let Some(v) = env {
            c.env("PACKIT_PAGES_WITH_LOGS", v);
        }
        assert!(c.status().unwrap().success());
        Archive::open_read_only(archive)
            .unwrap()
            .all_logs()
            .unwrap()
    };
    // off by default
    assert!(run(&dir.join("off.sqlite"), &[], None).is_empty());
    // the flag, with a 1 MiB cap
    let logs = run(
        &dir.join("flag.sqlite"),
        &["--with-logs", "--log-cap", "1"],
        None,
    );
    let big = log(&logs, "2001", "builder-live");
    assert_eq!(big.status, LogStatus::Capped);
    // read up to LOG_READ_FACTOR times the cap, then stopped
    let read = big.size_original.unwrap();
    assert!(read > 32 << 20 && read < 50 << 20, "{read}");
    // the environment variable
    let logs = run(&dir.join("env.sqlite"), &[], Some("true"));
    assert_eq!(log(&logs, "2000", "builder-live").status, LogStatus::Stored);
}
