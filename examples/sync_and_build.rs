//! Embedding packit-pages: sync one project from a Packit API, then build its site.
//!
//! ```text
//! cargo run --example sync_and_build -- https://prod.packit.dev/api github.com/packit/ogr site
//! ```
//!
//! Writes the archive to `DIR/archive.sqlite` and the site to `DIR/public`. An optional
//! fourth argument sets the requests per second (default 5; 0 = no limit, for local
//! test servers only). Run it again later: the sync is incremental, and the build only
//! rewrites the files whose bytes changed.

use packit_pages::{BuildOptions, SyncOptions, sync::NoProgress};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    run(&std::env::args().skip(1).collect::<Vec<_>>())
}

/// The whole program; `args` are the command-line arguments after the program name.
pub fn run(args: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let [api, project, dir, rest @ ..] = args else {
        return Err("usage: sync_and_build API_URL FORGE/NAMESPACE/REPO DIR [RPS]".into());
    };
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir)?;
    let mut sync = SyncOptions::new(dir.join("archive.sqlite"), api);
    sync.scope.add_project(project)?;
    if let Some(rps) = rest.first() {
        sync.client.requests_per_second = rps.parse()?;
    }
    let runtime = tokio::runtime::Runtime::new()?;
    let synced = runtime.block_on(packit_pages::sync(&sync, &NoProgress))?;
    eprint!("{}", synced.summary());

    let opts = BuildOptions {
        archive: sync.archive.clone(),
        out: dir.join("public"),
        ..Default::default()
    };
    let built = packit_pages::build(&opts)?;
    println!(
        "{} pages, {} files written into {}",
        built.pages,
        built.write.written,
        opts.out.display()
    );
    match synced.complete {
        true => Ok(()),
        false => Err("some lists could not be walked; run again to retry".into()),
    }
}
