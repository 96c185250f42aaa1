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
    /// Render the archive as a static site (every page, legacy redirects, sitemap).
    Build(BuildArgs),
    /// Write a deterministic synthetic archive (for the quick start, tests and benchmarks).
    DemoArchive(DemoArchiveArgs),
    /// Keep the archive and the site current from the Fedora message bus (AMQP).
    #[command(long_about = LISTEN_ABOUT)]
    Listen(ListenArgs),
    /// Build, then rebuild whenever content, theme, configuration or archive change.
    Watch(SiteArgs),
    /// Like `watch`, and show the site on 127.0.0.1 with live reload.
    Serve(ServeArgs),
}

const LISTEN_ABOUT: &str = "\
Keep the archive and the site current from the Fedora message bus.

Packit publishes nothing on the bus; its jobs show up as Copr, Koji, dist-git and Bodhi
messages. `listen` reads a fedora-messaging configuration file (amqp_url, [tls],
[queues.*], [[bindings]], [client_properties], [qos]; the Packit filter in
[consumer_config]: packit_users, copr_users, koji_users, distgit_users, bodhi_users),
maps every message to what must be re-fetched from the Packit API, coalesces bursts,
updates the archive, rebuilds the site incrementally, and only then acknowledges the
messages. Testing Farm sends nothing and the bus can drop messages, so an incremental
sync also runs every --poll-interval seconds (the first at start).

SIGTERM or Ctrl-C finishes the current batch and exits. Exit status: 0 after a clean
stop, 1 on a set-up error, 2 on a usage error.";

/// Where the site comes from and goes to (watch, serve, listen). Unset values come
/// from packit-pages.toml, then the defaults.
#[derive(Args, Debug, Clone)]
struct SiteArgs {
    /// Configuration file (default: ./packit-pages.toml when present).
    #[arg(long, value_name = "FILE", env = "PACKIT_PAGES_CONFIG")]
    config: Option<PathBuf>,
    /// Archive file (SQLite) [default: ./packit-archive.sqlite].
    #[arg(long, value_name = "FILE", env = "PACKIT_PAGES_ARCHIVE")]
    archive: Option<PathBuf>,
    /// Output directory [default: ./public].
    #[arg(long, value_name = "DIR", env = "PACKIT_PAGES_OUT")]
    out: Option<PathBuf>,
    /// Theme directory overriding the default theme file by file.
    #[arg(long, value_name = "DIR", env = "PACKIT_PAGES_THEME")]
    theme: Option<PathBuf>,
    /// Directory of markdown content pages [default: ./content if present].
    #[arg(long, value_name = "DIR", env = "PACKIT_PAGES_CONTENT")]
    content: Option<PathBuf>,
    /// Public URL of the site, for canonical links and the sitemap.
    #[arg(long, value_name = "URL", env = "PACKIT_PAGES_BASE_URL")]
    base_url: Option<String>,
}

impl SiteArgs {
    fn resolve(
        &self,
    ) -> anyhow::Result<(
        packit_pages::config::Config,
        packit_pages::site::BuildOptions,
    )> {
        let c = packit_pages::config::Config::discover(self.config.as_deref())?;
        let opts = packit_pages::site::BuildOptions {
            archive: self
                .archive
                .clone()
                .or_else(|| c.archive.clone())
                .unwrap_or_else(|| PathBuf::from("./packit-archive.sqlite")),
            out: self
                .out
                .clone()
                .or_else(|| c.out.clone())
                .unwrap_or_else(|| PathBuf::from("./public")),
            theme: self.theme.clone().or_else(|| c.theme.clone()),
            base_url: self.base_url.clone().or_else(|| c.base_url.clone()),
            content: self
                .content
                .clone()
                .or_else(|| c.content.clone())
                .or_else(|| {
                    let d = PathBuf::from("content");
                    d.is_dir().then_some(d)
                }),
            full: false,
            threads: None,
        };
        Ok((c, opts))
    }

    /// The configuration file a watcher follows.
    fn config_file(&self) -> Option<PathBuf> {
        self.config.clone().or_else(|| {
            let p = PathBuf::from(packit_pages::config::FILE_NAME);
            p.is_file().then_some(p)
        })
    }
}

#[derive(Args, Debug)]
struct ServeArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Port on 127.0.0.1 (0: any free port).
    #[arg(long, value_name = "PORT", default_value_t = 1111)]
    port: u16,
}

#[derive(Args, Debug)]
struct ListenArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Base URL of the Packit API [default: https://prod.packit.dev/api].
    #[arg(long, value_name = "URL", env = "PACKIT_PAGES_API")]
    api: Option<String>,
    /// fedora-messaging configuration file (TOML) of the broker, queue and bindings.
    #[arg(long, value_name = "FILE", env = "PACKIT_PAGES_AMQP_CONFIG")]
    amqp_config: Option<PathBuf>,
    /// Seconds between incremental syncs (list heads, unfinished jobs: Testing Farm
    /// results and whatever the bus dropped); 0 turns polling off [default: 300].
    #[arg(long, value_name = "SECONDS", env = "PACKIT_PAGES_POLL_INTERVAL")]
    poll_interval: Option<u64>,
    /// Keep the archive only; do not build the site.
    #[arg(long)]
    no_build: bool,
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let result = match cli.command {
        Command::Sync(a) => run_sync(a),
        Command::Build(a) => run_build(a),
        Command::DemoArchive(a) => run_demo_archive(a),
        Command::Listen(a) => run_listen(a),
        Command::Watch(a) => run_watch(a, None),
        Command::Serve(a) => run_watch(a.site, Some(a.port)),
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

/// Arguments of `packit-pages build`.
#[derive(Args, Debug)]
struct BuildArgs {
    /// Archive file (SQLite) to render.
    #[arg(
        long,
        value_name = "FILE",
        env = "PACKIT_PAGES_ARCHIVE",
        required_unless_present = "demo"
    )]
    archive: Option<PathBuf>,
    /// Output directory.
    #[arg(
        long,
        value_name = "DIR",
        env = "PACKIT_PAGES_OUT",
        default_value = "./public"
    )]
    out: PathBuf,
    /// Theme directory (`templates/`, `static/`) overriding the default theme file by file.
    #[arg(long, value_name = "DIR", env = "PACKIT_PAGES_THEME")]
    theme: Option<PathBuf>,
    /// Public URL of the site (e.g. https://user.github.io/repo/), for canonical links,
    /// the sitemap and robots.txt. Internal links are relative anyway.
    #[arg(long, value_name = "URL", env = "PACKIT_PAGES_BASE_URL")]
    base_url: Option<String>,
    /// Directory of markdown content pages (faq.md, about.md); default `./content` if present.
    #[arg(long, value_name = "DIR", env = "PACKIT_PAGES_CONTENT")]
    content: Option<PathBuf>,
    /// Do not trust the manifest of the previous build: compare every file with the disk.
    #[arg(long, env = "PACKIT_PAGES_FULL")]
    full: bool,
    /// Write the build report (files written / unchanged / removed, timings) as JSON.
    #[arg(long, value_name = "FILE", env = "PACKIT_PAGES_REPORT_JSON")]
    report_json: Option<PathBuf>,
    /// Build from a generated demo archive instead of --archive.
    #[arg(long, env = "PACKIT_PAGES_DEMO")]
    demo: bool,
    /// Pipelines in the demo archive.
    #[arg(
        long,
        value_name = "N",
        env = "PACKIT_PAGES_PIPELINES",
        default_value_t = 2000,
        requires = "demo"
    )]
    pipelines: u64,
    /// Seed of the demo archive.
    #[arg(
        long,
        value_name = "S",
        env = "PACKIT_PAGES_SEED",
        default_value_t = 1,
        requires = "demo"
    )]
    seed: u64,
}

fn run_build(a: BuildArgs) -> anyhow::Result<ExitCode> {
    let archive = match (&a.archive, a.demo) {
        (Some(p), false) => p.clone(),
        _ => demo_archive(a.pipelines, a.seed)?,
    };
    let opts = packit_pages::site::BuildOptions {
        archive,
        out: a.out.clone(),
        theme: a.theme.clone(),
        base_url: a.base_url.clone(),
        content: a.content.clone().or_else(|| {
            let d = PathBuf::from("content");
            d.is_dir().then_some(d)
        }),
        full: a.full,
        threads: None,
    };
    let report = packit_pages::site::build(&opts)
        .with_context(|| format!("building the site into {}", a.out.display()))?;
    eprintln!(
        "{} files ({} pages, {} redirects): {} written, {} unchanged, {} removed in {} ms ({:.0} files/s)",
        report.files,
        report.pages,
        report.redirects,
        report.write.written,
        report.write.unchanged,
        report.write.removed,
        report.millis,
        report.files_per_second
    );
    if let Some(path) = &a.report_json {
        let json = serde_json::to_string_pretty(&report)?;
        std::fs::write(path, json + "\n")
            .with_context(|| format!("cannot write report {}", path.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The demo archive for `build --demo`: generated once per (pipelines, seed) into the
/// system cache directory and reused.
fn demo_archive(pipelines: u64, seed: u64) -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join("packit-pages-demo");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join(format!(
        "demo-v{}-{pipelines}-{seed}.sqlite",
        env!("CARGO_PKG_VERSION")
    ));
    if !path.exists() {
        write_demo_archive(&path, pipelines, seed, false)?;
    }
    Ok(path)
}

/// Writes a complete demo archive to `path` (atomically: a temporary file renamed).
fn write_demo_archive(
    path: &std::path::Path,
    pipelines: u64,
    seed: u64,
    hostile: bool,
) -> anyhow::Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    let mut spec = packit_pages::demo::DemoSpec::new(pipelines, seed);
    spec.hostile = hostile;
    let summary = {
        let mut archive = packit_pages::archive::Archive::open(&tmp)?;
        sync::ingest_records(&mut archive, &spec)?
    };
    for ext in ["sqlite-wal", "sqlite-shm"] {
        let _ = std::fs::remove_file(tmp.with_extension(ext));
    }
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!("{}: {}", path.display(), summary.summary());
    Ok(())
}

/// Arguments of `packit-pages demo-archive`.
#[derive(Args, Debug)]
struct DemoArchiveArgs {
    /// Pipelines to generate (projects, jobs and statuses scale with it).
    #[arg(long, value_name = "N", default_value_t = 2000)]
    pipelines: u64,
    /// Seed: the same seed and count always give the same archive, and N+k pipelines
    /// extend N with k newer ones.
    #[arg(long, value_name = "S", default_value_t = 1)]
    seed: u64,
    /// Put hostile strings (markup, quotes, `../`, control characters, a 1 MiB log)
    /// into names and texts, to test escaping.
    #[arg(long)]
    hostile: bool,
    /// The archive file to create (must not exist). Written as a complete sync of the
    /// demo data would write it; 100,000 pipelines take about two minutes.
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

fn run_demo_archive(a: DemoArchiveArgs) -> anyhow::Result<ExitCode> {
    if a.file.exists() {
        anyhow::bail!("{} exists already; choose a new file", a.file.display());
    }
    write_demo_archive(&a.file, a.pipelines, a.seed, a.hostile)?;
    Ok(ExitCode::SUCCESS)
}

/// Resolves when SIGTERM or Ctrl-C arrives.
async fn termination() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn run_listen(a: ListenArgs) -> anyhow::Result<ExitCode> {
    use packit_pages::listen::{BusConfig, ListenOptions};
    let (c, build) = a.site.resolve()?;
    let amqp = a
        .amqp_config
        .clone()
        .or_else(|| c.amqp_config.clone())
        .context("--amqp-config is required (or amqp_config in packit-pages.toml)")?;
    let bus = BusConfig::load(&amqp)?;
    let api = a
        .api
        .clone()
        .or_else(|| c.api.clone())
        .unwrap_or_else(|| packit_pages::api::DEFAULT_API.to_string());
    let mut scope = Scope::all();
    for p in &c.scope.projects {
        scope.add_project(p)?;
    }
    for n in &c.scope.namespaces {
        scope.add_namespace(n)?;
    }
    for f in &c.scope.forges {
        scope.add_forge(f)?;
    }
    let mut sync_opts = SyncOptions::new(build.archive.clone(), &api);
    sync_opts.scope = scope;
    if let Some(r) = c.rate {
        sync_opts.client.requests_per_second = r;
    }
    if let Some(n) = c.concurrency {
        sync_opts.client.concurrency = n.max(1);
    }
    let mut opts = ListenOptions::new(bus, sync_opts, (!a.no_build).then_some(build));
    let secs = a.poll_interval.or(c.poll_interval).unwrap_or(300);
    opts.poll_interval = (secs > 0).then(|| Duration::from_secs(secs));
    let stats = runtime()?.block_on(packit_pages::listen::listen(&opts, termination()))?;
    eprintln!(
        "listen: {} messages ({} applied, {} ignored, {} malformed, {} duplicates) in {} batches, {} polls, {} connections",
        stats.received,
        stats.applied,
        stats.ignored,
        stats.malformed,
        stats.duplicates,
        stats.batches,
        stats.polls,
        stats.connections
    );
    Ok(ExitCode::SUCCESS)
}

fn run_watch(a: SiteArgs, port: Option<u16>) -> anyhow::Result<ExitCode> {
    use packit_pages::watch::{Rebuild, WatchOptions};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let (_, build) = a.resolve()?;
    let mut opts = WatchOptions::new(build);
    opts.config = a.config_file();
    let args = a.clone();
    let reload: packit_pages::watch::Reload =
        Arc::new(move || args.resolve().map(|(_, b)| b).map_err(|e| format!("{e:#}")));
    opts.reload = Some(reload);
    let stop = Arc::new(AtomicBool::new(false));
    let rt = runtime()?;
    let flag = stop.clone();
    rt.spawn(async move {
        termination().await;
        flag.store(true, Ordering::SeqCst);
    });
    let report = |r: Rebuild<'_>| match r.result {
        Ok(b) => eprintln!(
            "{}{}",
            packit_pages::serve::summary(b),
            if r.changed.is_empty() {
                String::new()
            } else {
                format!(" (after {} changed files)", r.changed.len())
            }
        ),
        Err(e) => eprintln!("build failed: {e}"),
    };
    match port {
        None => packit_pages::watch::watch(&opts, &stop, report)?,
        Some(port) => packit_pages::serve::serve(
            &opts,
            std::net::SocketAddr::from(([127, 0, 0, 1], port)),
            &stop,
            |addr| eprintln!("serving on http://{addr}/ (Ctrl-C stops)"),
            report,
        )?,
    }
    Ok(ExitCode::SUCCESS)
}
