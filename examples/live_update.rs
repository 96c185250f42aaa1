//! Times one-entity rebuilds in a live session (what `listen` and `watch` do after
//! a message or a file change): opens a [`Session`] on a built site, then ROUNDS
//! times changes one entity's status in a new archive revision (as a sync stores
//! it) and times [`Session::update`]. Used by `scripts/bench`.
//!
//! `cargo run --release --example live_update -- ARCHIVE OUT KIND STATUS ROUNDS`
//!
//! Prints one line per update and a summary line `live: p50_ms=… max_ms=… cpu_p50_ms=…`
//! (the CPU time of the process during the update, user and system, all threads: on a
//! shared machine wall time also counts what other guests took).

use packit_pages::api::Kind;
use packit_pages::site::{BuildOptions, Session};
use packit_pages_testkit::revision::touch;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [archive, out, kind, status, rounds] = args.as_slice() else {
        return Err("usage: live_update ARCHIVE OUT KIND STATUS ROUNDS".into());
    };
    let kind = Kind::parse(kind).ok_or("unknown kind")?;
    let rounds: i64 = rounds.parse()?;
    let opts = BuildOptions {
        archive: archive.into(),
        out: out.into(),
        content: Some(concat!(env!("CARGO_MANIFEST_DIR"), "/content").into()),
        ..BuildOptions::default()
    };
    // RUST_LOG=packit_pages::page=debug prints every page rendered with its time
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let t = Instant::now();
    let (mut session, _) = Session::open(&opts)?;
    println!("open: {:.0} ms", t.elapsed().as_secs_f64() * 1e3);
    let mut times = Vec::new();
    let mut cpus = Vec::new();
    for i in 0..rounds {
        let id = touch(archive.as_ref(), kind, status, 17 + i * 101);
        let t = Instant::now();
        let c = cpu_ms();
        let r = session.update()?;
        let ms = t.elapsed().as_secs_f64() * 1e3;
        let cpu = cpu_ms() - c;
        times.push(ms);
        cpus.push(cpu);
        println!(
            "update {i}: {kind} {id} -> {status}: {ms:.1} ms ({cpu:.0} ms CPU), {} pages rendered, {} files written; ms per phase: {:?}",
            r.rendered,
            r.write.written,
            r.phases,
            kind = kind.as_str()
        );
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let p50 = times.get(times.len() / 2).copied().unwrap_or(0.0);
    let max = times.last().copied().unwrap_or(0.0);
    cpus.sort_by(|a, b| a.total_cmp(b));
    let cpu50 = cpus.get(cpus.len() / 2).copied().unwrap_or(0.0);
    println!("live: p50_ms={p50:.1} max_ms={max:.1} cpu_p50_ms={cpu50:.0} rounds={rounds}");
    Ok(())
}

/// CPU time of this process so far (user + system, every thread), in milliseconds.
fn cpu_ms() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec it is given, nothing else
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 * 1e3 + ts.tv_nsec as f64 / 1e6
}
