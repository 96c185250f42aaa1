//! The failure box's cause extraction over the real failed build logs of
//! `tests/fixtures/real-logs/`: the rank of each log's cause, the hit rate (the
//! cause among the listed lines), the first-line rate, and the throughput in MB
//! of log text per CPU second of one thread.
//!
//! `cargo bench --bench extract`. No assertions: it prints (the floor and each
//! rank are held by `src/jobs/failure/corpus_tests.rs`). The extraction is
//! private to the library's job kinds, so its two files are compiled in here as
//! they are there.

use serde::Deserialize;
use std::time::{Duration, Instant};

// what `extract.rs` takes from its parent module in the library
use packit_pages::html::strip_ansi;
#[allow(dead_code)]
#[path = "../src/jobs/failure/extract.rs"]
mod extract;
#[allow(dead_code)]
#[path = "../src/jobs/failure/rules.rs"]
mod rules;

use extract::causes;

#[derive(Deserialize)]
struct Manifest {
    log: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    file: String,
    tool: String,
    cause: Vec<String>,
}

fn rank(text: &str, wanted: &[String]) -> Option<usize> {
    let (found, _) = causes(text);
    found
        .iter()
        .position(|c| {
            std::iter::once(&c.text)
                .chain(c.details.iter().map(|d| &d.1))
                .any(|l| wanted.iter().any(|w| l.contains(w.as_str())))
        })
        .map(|r| r + 1)
}

fn main() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/real-logs/");
    let manifest = std::fs::read_to_string(format!("{dir}causes.toml")).unwrap();
    let m: Manifest = toml::from_str(&manifest).unwrap();
    let logs: Vec<(Entry, String)> = m
        .log
        .into_iter()
        .map(|e| {
            let bytes = std::fs::read(format!("{dir}{}", e.file)).unwrap();
            let text = String::from_utf8_lossy(&bytes).into_owned();
            (e, text)
        })
        .collect();

    let (mut hit, mut first) = (0, 0);
    println!("{:<38} {:<30} rank", "log", "tool");
    for (e, text) in &logs {
        let r = rank(text, &e.cause);
        hit += usize::from(r.is_some());
        first += usize::from(r == Some(1));
        let shown = r.map_or("-".to_string(), |r| r.to_string());
        println!("{:<38} {:<30} {shown}", e.file, e.tool);
    }
    let n = logs.len() as f64;
    println!(
        "\n{} logs: cause listed {:.1} %, first {:.1} %",
        logs.len(),
        100.0 * hit as f64 / n,
        100.0 * first as f64 / n
    );

    let bytes: usize = logs.iter().map(|(_, t)| t.len()).sum();
    let (start, cpu0) = (Instant::now(), thread_cpu());
    let mut rounds = 0;
    while start.elapsed() < Duration::from_secs(3) {
        for (_, text) in &logs {
            std::hint::black_box(causes(std::hint::black_box(text)));
        }
        rounds += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    let done = (bytes * rounds) as f64 / 1e6;
    // CPU time, not wall time: the rate of one core however busy the machine is
    match (cpu0, thread_cpu()) {
        (Some(a), Some(b)) if b > a => println!(
            "throughput: {:.0} MB/s per CPU second, one thread ({:.0} MB/s wall; {:.1} MB of logs, {rounds} rounds)",
            done / (b - a),
            done / secs,
            bytes as f64 / 1e6
        ),
        _ => println!("throughput: {:.0} MB/s wall, one thread", done / secs),
    }
}

/// CPU seconds used by the calling thread (None where /proc is unavailable).
fn thread_cpu() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // fields after the command name (which is in parentheses and may hold spaces)
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    let (utime, stime): (f64, f64) = (f.get(11)?.parse().ok()?, f.get(12)?.parse().ok()?);
    Some((utime + stime) / 100.0) // USER_HZ is 100 on Linux
}
