//! Sync throughput against the stub server: items (list items and details) stored per
//! second with 0 ms and 20 ms of added latency per request, and the client's own CPU
//! time per item.
//!
//! `cargo bench --bench sync` (optionally `-- <pipelines>`). No assertions: it prints.
//! The stub runs on its own threads; the sync runs on this thread (a current-thread
//! runtime: HTTP, JSON and SQLite all happen here), so this thread's CPU time
//! (Linux `/proc/thread-self/stat`) is the client's.

use packit_pages::demo::{Dataset, DemoSpec};
use packit_pages::sync::{NoProgress, SyncOptions, sync};
use packit_pages_testkit::stub;
use std::time::{Duration, Instant};

/// CPU seconds used by the calling thread (None where /proc is unavailable).
fn thread_cpu() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // fields after the command name (which is in parentheses and may hold spaces)
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    let (utime, stime): (f64, f64) = (f.get(11)?.parse().ok()?, f.get(12)?.parse().ok()?);
    Some((utime + stime) / 100.0) // USER_HZ is 100 on Linux
}

fn run(ds: &Dataset, latency_ms: u64, concurrency: usize) {
    let server = stub::Stub::start(ds);
    server.set_faults(stub::Faults::latency(latency_ms));
    let dir = std::env::temp_dir().join(format!(
        "pp-bench-{}-{latency_ms}-{concurrency}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut opts = SyncOptions::new(dir.join("a.sqlite"), &server.base_url());
    opts.client.requests_per_second = 0.0;
    opts.client.concurrency = concurrency;
    opts.client.backoff_base = Duration::from_millis(1);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let cpu0 = thread_cpu();
    let t = Instant::now();
    let report = rt.block_on(sync(&opts, &NoProgress)).expect("sync");
    let wall = t.elapsed().as_secs_f64();
    let cpu = cpu0.and_then(|c0| Some(thread_cpu()? - c0));
    let t = &report.totals;
    let entities = (t.new + t.changed + t.unchanged) as f64;
    println!(
        "sync: latency {latency_ms:>2} ms, concurrency {concurrency}: {:>6} requests, {:>6} items stored (list items + details) in {wall:>6.2} s = {:>7.0} items/s; client CPU {}",
        t.requests,
        entities,
        entities / wall,
        cpu.map(|c| format!(
            "{:.1} µs/item ({c:.2} s, {:.0} % of wall time)",
            c * 1e6 / entities,
            100.0 * c / wall
        ))
        .unwrap_or_else(|| "n/a".into())
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    let pipelines: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(2000);
    let big = Dataset::generate(&DemoSpec::new(pipelines, 1));
    let small = Dataset::generate(&DemoSpec::new((pipelines / 4).max(50), 1));
    println!(
        "sync benchmark ({pipelines} pipelines at 0 ms, {} at 20 ms)",
        (pipelines / 4).max(50)
    );
    run(&big, 0, 1);
    run(&small, 20, 1);
    run(&small, 20, 4);
}
