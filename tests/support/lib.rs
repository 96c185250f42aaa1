//! packit-pages' test kit: what the integration tests (`tests/it`), the examples and
//! the benchmarks share. A dev-only crate of the workspace (never published): the stub
//! of the Packit API, a private RabbitMQ, the fixture archives (the demo data set and
//! a small synthetic archive), the one helper that changes an entity in a new archive
//! revision, and helpers for folders and built sites.

pub mod broker;
mod dataset;
mod files;
pub mod padding;
pub mod pki;
pub mod revision;
pub mod stub;
pub mod synthetic;

pub use dataset::mini_dataset;
pub use files::{TempDir, fresh_dir, output_text, site_bytes, site_mtimes};
pub use revision::{in_new_revision, set_fields, set_status};
pub use synthetic::synthetic_archive;

use packit_pages::api::client::ClientConfig;
use packit_pages::archive::Archive;
use packit_pages::demo::DemoSpec;
use packit_pages::site::BuildOptions;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The repository's root folder (this crate is `tests/support` in it).
pub fn repo_root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// Creates the archive `path` holding the demo data set of `pipelines` pipelines.
pub fn demo_archive(path: &Path, pipelines: u64, seed: u64) {
    let mut archive = Archive::open(path).unwrap();
    packit_pages::demo::ingest_records(&mut archive, &DemoSpec::new(pipelines, seed)).unwrap();
}

/// What to build for tests that watch single files: the site of `archive` in `out` on
/// two threads, with the list of written files; the default theme, no content folder.
pub fn build_options(archive: PathBuf, out: PathBuf) -> BuildOptions {
    BuildOptions {
        archive,
        out,
        threads: Some(2),
        list_files: true,
        ..BuildOptions::default()
    }
}

/// A client of the stub API that never waits: no pacing, retries after 1 to 20 ms.
pub fn stub_client(stub: &stub::Stub) -> ClientConfig {
    ClientConfig {
        base_url: stub.base_url(),
        requests_per_second: 0.0,
        backoff_base: Duration::from_millis(1),
        backoff_max: Duration::from_millis(20),
        ..ClientConfig::default()
    }
}

/// The runtime sync tests drive the library on: two workers, as the binary's.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// One sync that must end complete and without failed entities; its report.
pub fn sync_clean(
    rt: &tokio::runtime::Runtime,
    opts: &packit_pages::sync::SyncOptions,
) -> packit_pages::sync::SyncReport {
    let r = rt
        .block_on(packit_pages::sync::sync(
            opts,
            &packit_pages::sync::NoProgress,
        ))
        .expect("sync");
    assert!(
        r.complete && r.failed_entities.is_empty(),
        "{}",
        r.summary()
    );
    r
}
