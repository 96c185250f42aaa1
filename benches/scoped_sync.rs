//! What a first scoped sync costs against a stub holding 100,000 pipelines (the data
//! set's own plus the rest of Packit, generated on request) when the project mirrored
//! has a few hundred: requests, and the time they take at the default 5 requests/s,
//! for the old Packit-wide walk (`--discover lists`) and the project graph
//! (`--discover graph`, the default), then for an incremental graph sync.
//!
//! `cargo bench --bench scoped_sync` (optionally `-- <total pipelines>`). No
//! assertions: it prints. Requests are counted from the stub's log; the time at
//! 5 requests/s is requests / 5 (the real server's own time per request comes on top).

use packit_pages::demo::{Dataset, DemoSpec};
use packit_pages::sync::{Discovery, NoProgress, SyncOptions, sync};
use packit_pages_testkit::padding::Padding;
use packit_pages_testkit::stub::Stub;
use std::time::{Duration, Instant};

const PROJECT: &str = "github.com/packit/ogr";

fn options(stub: &Stub, dir: &std::path::Path, discovery: Discovery) -> SyncOptions {
    let mut o = SyncOptions::new(dir.join("a.sqlite"), &stub.base_url());
    o.client.requests_per_second = 0.0;
    o.client.backoff_base = Duration::from_millis(1);
    o.scope.add_project(PROJECT).unwrap();
    o.discovery = discovery;
    o
}

fn line(what: &str, requests: usize, wall: f64, pipelines: usize) {
    let at5 = requests as f64 / 5.0;
    println!(
        "{what:<34} {requests:>7} requests ({:>5.1} per pipeline of the project), {:>9} at 5 requests/s (took {wall:.1} s here)",
        requests as f64 / pipelines.max(1) as f64,
        human(at5)
    );
}

fn human(secs: f64) -> String {
    if secs >= 3600.0 {
        format!("{:.1} h", secs / 3600.0)
    } else if secs >= 60.0 {
        format!("{:.1} min", secs / 60.0)
    } else {
        format!("{secs:.0} s")
    }
}

fn main() {
    let total: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    let own = 3000.min(total);
    let ds = Dataset::generate(&DemoSpec::new(own, 1));
    let project_pipelines = ds.lists["runs"]
        .iter()
        .filter(|r| r["trigger"]["project_url"].as_str() == Some(&format!("https://{PROJECT}")[..]))
        .count();
    let stub = Stub::start_padded(
        &ds,
        Padding {
            pipelines: total - own,
        },
    );
    println!(
        "scoped first sync of {PROJECT} ({project_pipelines} pipelines) against a stub of {total} pipelines"
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    for (name, discovery) in [
        ("before: Packit-wide lists", Discovery::Lists),
        ("after: project graph", Discovery::Graph),
    ] {
        let dir = std::env::temp_dir().join(format!("pp-scoped-{}-{name:.6}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        stub.clear_log();
        let t = Instant::now();
        let r = rt
            .block_on(sync(&options(&stub, &dir, discovery), &NoProgress))
            .expect("sync");
        line(
            name,
            stub.request_count(),
            t.elapsed().as_secs_f64(),
            project_pipelines,
        );
        let pages: usize = stub
            .log()
            .iter()
            .filter(|l| l.query("page").is_some() && !l.path().starts_with("projects/"))
            .count();
        println!(
            "{:<34} {pages} of them pages of Packit-wide lists; {} entities stored",
            "",
            r.totals.new + r.totals.changed + r.totals.unchanged
        );
        if discovery == Discovery::Graph {
            // an incremental sync: nothing new upstream
            stub.clear_log();
            let t = Instant::now();
            rt.block_on(sync(&options(&stub, &dir, discovery), &NoProgress))
                .expect("sync");
            line(
                "after: graph, incremental",
                stub.request_count(),
                t.elapsed().as_secs_f64(),
                project_pipelines,
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
