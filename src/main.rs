//! The `packit-pages` command line: one subcommand per job, each with its own argument
//! struct and handler. Exit codes: 0 success, 1 failure, 2 usage error.

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use packit_pages::api::client::ClientConfig;
use packit_pages::sync::{self, BarProgress, LogProgress, Progress, Scope, SyncOptions};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Static pages for Packit CI results, mirrored from the Packit API into a local archive.
#[derive(Parser, Debug)]
#[command(name = "packit-pages", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Mirror the Packit API into the archive (full crawl the first time, incremental after).
    #[command(long_about = SYNC_ABOUT)]
    Sync(SyncArgs),
    /// Write a deterministic synthetic archive (no network), for demos and tests.
    DemoArchive(DemoArchiveArgs),
}

const SYNC_ABOUT: &str = "\
Mirror the Packit API into the archive.

The first sync of each list is a full crawl (50 items per request, newest first); it
saves its position with every page, so an interrupted crawl resumes where it stopped.
Later syncs walk each list from the top until a page brings nothing new, fetch the
details of new and changed items, re-fetch jobs that have not finished, and refresh the
projects whose jobs changed (project detail plus its PR, branch, release and issue
lists). Entities upstream deleted are kept and marked gone; failed fetches never
overwrite stored data. Killing the process at any moment leaves a consistent archive.

Cost: production Packit holds millions of jobs; a full crawl is 10^4-10^5 requests, at
the default 5 requests per second several hours. Incremental syncs are cheap.

Exit status: 0 when every list was walked (some entities may still have failed: they
are named in the summary and retried next time), 1 when a list could not be walked or
on another failure, 2 on a usage error.";

/// Options shared by the subcommands that read or write the archive.
#[derive(Args, Debug, Clone)]
struct ArchiveArg {
    /// The archive file (SQLite). Created by `sync` / `demo-archive` if missing.
    #[arg(
        long,
        value_name = "FILE",
        env = "PACKIT_PAGES_ARCHIVE",
        default_value = "./packit-archive.sqlite"
    )]
    archive: PathBuf,
}

/// The API to talk to.
#[derive(Args, Debug, Clone)]
struct ApiArg {
    /// Base URL of the Packit API (the part before `/copr-builds`, `/runs`, ...).
    #[arg(
        long,
        value_name = "URL",
        env = "PACKIT_PAGES_API",
        default_value = packit_pages::api::DEFAULT_API
    )]
    api: String,
}

#[derive(Args, Debug)]
struct SyncArgs {
    #[command(flatten)]
    api: ApiArg,
    #[command(flatten)]
    archive: ArchiveArg,

    /// Mirror only this project, as forge/namespace/repo (e.g. github.com/packit/ogr).
    /// Repeatable. The API cannot filter, so every list is still walked (in full the
    /// first time, about one request per 50 jobs of all of Packit); items of other
    /// projects are dropped client-side, which saves their details and storage.
    #[arg(long = "project", value_name = "FORGE/NS/REPO")]
    projects: Vec<String>,

    /// Mirror only projects under this forge/namespace (e.g. github.com/packit;
    /// GitLab sub-groups included). Repeatable. Same list-walking cost as --project.
    #[arg(long = "namespace", value_name = "FORGE/NS")]
    namespaces: Vec<String>,

    /// Mirror only projects on this forge host (e.g. gitlab.com). Repeatable. Same
    /// list-walking cost as --project.
    #[arg(long = "forge", value_name = "HOST")]
    forges: Vec<String>,

    /// Requests in flight at most. Packit's API runs on two server processes: keep
    /// this at 1 unless the operators agree.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=16))]
    concurrency: u32,

    /// Requests started per second at most (0 = no limit; only for local test servers).
    #[arg(long, value_name = "RATE", default_value_t = 5.0)]
    rps: f64,

    /// Timeout of one request in seconds (connect, headers and body).
    #[arg(long, value_name = "SECS", default_value_t = 60.0)]
    timeout: f64,

    /// Retries of a request that failed with a 5xx, 408 or 429 answer, a timeout, a
    /// reset connection or a truncated or non-JSON body. Back-off doubles from
    /// --retry-base-ms with jitter, up to 60 s; a Retry-After header is honoured.
    #[arg(long, value_name = "N", default_value_t = 6)]
    retries: u32,

    /// First retry delay in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 500)]
    retry_base_ms: u64,

    /// Do not fetch project details and their PR/branch/release/issue lists (by
    /// default fetched for projects whose jobs changed: 5+ requests per project).
    #[arg(long)]
    no_project_lists: bool,

    /// Do not fetch /usage and /system (two requests; /usage is slow upstream).
    #[arg(long)]
    no_usage: bool,

    /// Also write the report as JSON: per endpoint the requests made, retries, errors
    /// and entities new/changed/unchanged/gone, plus every failed entity and list.
    #[arg(long, value_name = "FILE")]
    report_json: Option<PathBuf>,

    /// Progress display: `auto` (bars on a terminal, log lines otherwise), `bars`,
    /// `log` or `none`.
    #[arg(long, value_name = "HOW", default_value = "auto", value_parser = ["auto", "bars", "log", "none"])]
    progress: String,
}

#[derive(Args, Debug)]
struct DemoArchiveArgs {
    /// Number of synthetic pipelines (runs); 100000 takes well under a minute.
    #[arg(long, value_name = "N", default_value_t = 2000)]
    pipelines: u64,

    /// Random seed: the same seed and count always give the same archive, and N+k
    /// pipelines extend N with k newer ones.
    #[arg(long, value_name = "S", default_value_t = 1)]
    seed: u64,

    /// Put hostile strings (markup, quotes, `../`, control characters, a 1 MiB log)
    /// into names and texts, to test escaping.
    #[arg(long)]
    hostile: bool,

    /// The archive file to write (created; an existing archive gets a new revision).
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let result = match cli.command {
        Command::Sync(a) => run_sync(a),
        Command::DemoArchive(a) => run_demo_archive(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn run_sync(a: SyncArgs) -> anyhow::Result<ExitCode> {
    let mut scope = Scope::all();
    for p in &a.projects {
        scope.add_project(p)?;
    }
    for n in &a.namespaces {
        scope.add_namespace(n)?;
    }
    for f in &a.forges {
        scope.add_forge(f)?;
    }
    if !(a.timeout > 0.0 && a.timeout.is_finite()) {
        anyhow::bail!("--timeout must be a positive number of seconds");
    }
    if !(a.rps >= 0.0 && a.rps.is_finite()) {
        anyhow::bail!("--rps must be 0 (no limit) or a positive rate");
    }
    let opts = SyncOptions {
        client: ClientConfig {
            base_url: a.api.api.clone(),
            concurrency: a.concurrency as usize,
            requests_per_second: a.rps,
            timeout: Duration::from_secs_f64(a.timeout),
            max_retries: a.retries,
            backoff_base: Duration::from_millis(a.retry_base_ms),
            ..ClientConfig::default()
        },
        scope,
        project_lists: !a.no_project_lists,
        usage: !a.no_usage,
        ..SyncOptions::new(a.archive.archive.clone(), &a.api.api)
    };
    let progress: Box<dyn Progress> = match a.progress.as_str() {
        "bars" => Box::new(BarProgress::default()),
        "log" => Box::new(LogProgress::default()),
        "none" => Box::new(sync::NoProgress),
        _ if std::io::stderr().is_terminal() => Box::new(BarProgress::default()),
        _ => Box::new(LogProgress::default()),
    };
    let report = runtime()?
        .block_on(sync::sync(&opts, progress.as_ref()))
        .with_context(|| format!("sync into {}", opts.archive.display()))?;
    drop(progress);
    eprint!("{}", report.summary());
    if let Some(path) = &a.report_json {
        let json = serde_json::to_string_pretty(&report)?;
        std::fs::write(path, json + "\n")
            .with_context(|| format!("cannot write report {}", path.display()))?;
    }
    Ok(if report.complete {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn run_demo_archive(a: DemoArchiveArgs) -> anyhow::Result<ExitCode> {
    let mut spec = packit_pages::demo::DemoSpec::new(a.pipelines, a.seed);
    spec.hostile = a.hostile;
    let mut archive = packit_pages::archive::Archive::open(&a.file)
        .with_context(|| format!("cannot open {}", a.file.display()))?;
    let summary = sync::ingest_records(&mut archive, &spec)
        .with_context(|| format!("demo archive {}", a.file.display()))?;
    eprintln!("{}", summary.summary());
    Ok(ExitCode::SUCCESS)
}
