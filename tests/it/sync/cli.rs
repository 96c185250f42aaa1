//! `packit-pages sync` as a command: a killed sync resumes to the same archive, exit
//! codes and the report, and hostile upstream values stored unchanged.

use super::*;

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
    packit_pages::demo::ingest_records(&mut a, &spec).unwrap();
    drop(a);
    assert_eq!(dump(&demo_file), rows);
}
