//! The test stub of the Packit API as a standalone server, for benchmarks and manual
//! runs against a demo data set:
//!
//! ```text
//! cargo run --example stub_server -- --pipelines 2000 --latency-ms 20 --port 8089
//! packit-pages sync --api http://127.0.0.1:8089/api --rps 0 --archive demo-copy.sqlite
//! ```
//!
//! Runs until killed. Every request is logged to stderr with `--verbose`.

use clap::Parser;
use packit_pages::demo::{Dataset, DemoSpec};
use packit_pages_testkit::stub;
use std::time::Duration;

/// Serve a synthetic Packit API on 127.0.0.1.
#[derive(Parser, Debug)]
struct Args {
    /// Pipelines in the demo data set.
    #[arg(long, default_value_t = 2000)]
    pipelines: u64,
    /// Seed of the demo data set.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Hostile strings in the data set.
    #[arg(long)]
    hostile: bool,
    /// Port (0 = any free port; the address is printed).
    #[arg(long, default_value_t = 8089)]
    port: u16,
    /// Delay added to every answer, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Share of requests answered with a fault (500, 503, reset, truncated body).
    #[arg(long, default_value_t = 0.0)]
    faults: f64,
    /// Print every request.
    #[arg(long)]
    verbose: bool,
}

fn main() {
    let a = Args::parse();
    let mut spec = DemoSpec::new(a.pipelines, a.seed);
    spec.hostile = a.hostile;
    let ds = Dataset::generate(&spec);
    let server = stub::Stub::start_on(&ds, a.port);
    let mut faults = stub::Faults::mixed(a.faults, a.seed);
    faults.latency = Duration::from_millis(a.latency_ms);
    server.set_faults(faults);
    println!("{}", server.base_url());
    let mut shown = 0;
    loop {
        std::thread::sleep(Duration::from_millis(500));
        if a.verbose {
            let log = server.log();
            for l in &log[shown..] {
                eprintln!("{} {} {}", l.status, l.method, l.target);
            }
            shown = log.len();
        }
    }
}
