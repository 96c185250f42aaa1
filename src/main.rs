//! The `packit-pages` command line: one subcommand per job, each with its own argument
//! struct and handler. Exit codes: 0 success, 1 failure, 2 usage error.

use anyhow::Context;
use clap::{Args, CommandFactory, Parser, Subcommand};
use packit_pages::api::client::ClientConfig;
use packit_pages::config::{self, Config};
use packit_pages::sync::{self, BarProgress, LogProgress, Progress, Scope, SyncOptions};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// Static pages for Packit CI results, mirrored from the Packit API into a local archive.
#[derive(Parser, Debug)]
#[command(name = "packit-pages", version, about, long_about = None)]
struct Cli {
    /// Configuration file (default: ./packit-pages.toml when present). Its relative
    /// paths are relative to its folder. Flags and PACKIT_PAGES_* variables override it.
    #[arg(long, global = true, value_name = "FILE", env = "PACKIT_PAGES_CONFIG")]
    config: Option<PathBuf>,
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
    /// Create a site folder: packit-pages.toml, content/ (FAQ, about) and theme/.
    Init(InitArgs),
    /// Validate the configuration, the theme's templates, the content and the archive.
    Check(CheckArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
    /// Print the man page (or write one page per command into a folder).
    Man(ManArgs),
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
    /// Configuration file: the global `--config` (set by `main`).
    #[arg(skip)]
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
                .unwrap_or_else(|| c.archive_or_default()),
            out: self.out.clone().unwrap_or_else(|| c.out_or_default()),
            theme: self.theme.clone().or_else(|| c.theme.clone()),
            base_url: self.base_url.clone().or_else(|| c.base_url.clone()),
            content: content_dir(self.content.as_deref(), &c),
            full: false,
            threads: None,
            list_files: false,
            page_json: false,
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
    /// The archive file (SQLite): `sync` creates it if missing, `build` and `check` read
    /// it. [default: `archive` of the config, else ./packit-archive.sqlite]
    #[arg(long, value_name = "FILE", env = "PACKIT_PAGES_ARCHIVE")]
    archive: Option<PathBuf>,
}

impl ArchiveArg {
    fn resolve(&self, cfg: &Config) -> PathBuf {
        self.archive
            .clone()
            .unwrap_or_else(|| cfg.archive_or_default())
    }
}

/// Flag (or its environment variable), else the config file's value, else the default.
fn pick<T>(flag: Option<T>, config: Option<T>, default: T) -> T {
    flag.or(config).unwrap_or(default)
}

/// The API to talk to.
#[derive(Args, Debug, Clone)]
struct ApiArg {
    /// Base URL of the Packit API (the part before `/copr-builds`, `/runs`, ...).
    /// [default: `api` of the config, else https://prod.packit.dev/api]
    #[arg(long, value_name = "URL", env = "PACKIT_PAGES_API")]
    api: Option<String>,
}

impl ApiArg {
    fn resolve(&self, cfg: &Config) -> String {
        pick(
            self.api.clone(),
            cfg.api.clone(),
            packit_pages::api::DEFAULT_API.into(),
        )
    }
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
    /// this at 1 unless the operators agree. [default: `concurrency` of the config, else 1]
    #[arg(long, value_name = "N", env = "PACKIT_PAGES_CONCURRENCY", value_parser = clap::value_parser!(u32).range(1..=16))]
    concurrency: Option<u32>,

    /// Requests started per second at most (0 = no limit; only for local test servers).
    /// [default: `rate` of the config, else 5]
    #[arg(long, value_name = "RATE", env = "PACKIT_PAGES_RATE")]
    rps: Option<f64>,

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

    /// Archive job logs: the logs the API returns inline (SRPM, Koji submission,
    /// sync-release) and, for failed jobs, the text logs they link to (Copr
    /// builder-live.log and build.log, Koji task logs), each fetched once.
    /// [default: `with_logs` of the config, else off]
    #[arg(long, env = "PACKIT_PAGES_WITH_LOGS")]
    with_logs: bool,

    /// Largest log archived, in MiB; longer logs are cut and marked as capped.
    /// [default: `log_cap` of the config, else 5]
    #[arg(long, value_name = "MIB")]
    log_cap: Option<u64>,

    /// Largest total of archived (compressed) logs, in MiB; then no more are fetched.
    /// [default: `archive_log_cap` of the config, else 1024]
    #[arg(long, value_name = "MIB")]
    archive_log_cap: Option<u64>,

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
    let config_file = cli.config.clone().or_else(|| {
        let p = PathBuf::from(config::FILE_NAME);
        p.is_file().then_some(p)
    });
    let load = || -> anyhow::Result<Config> {
        Ok(match &config_file {
            Some(p) => Config::load(p)?,
            None => Config::default(),
        })
    };
    let result = match cli.command {
        Command::Sync(a) => load().and_then(|c| run_sync(a, &c)),
        Command::Build(a) => load().and_then(|c| run_build(a, &c)),
        Command::DemoArchive(a) => run_demo_archive(a),
        Command::Init(a) => run_init(a),
        Command::Check(a) => run_check(a, config_file.as_deref()),
        Command::Completions(a) => run_completions(a),
        Command::Man(a) => run_man(a),
        Command::Listen(mut a) => {
            a.site.config = config_file.clone();
            run_listen(a)
        }
        Command::Watch(mut a) => {
            a.config = config_file.clone();
            run_watch(a, None)
        }
        Command::Serve(mut a) => {
            a.site.config = config_file.clone();
            run_watch(a.site, Some(a.port))
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", error_text(&e));
            ExitCode::FAILURE
        }
    }
}

/// An error and its causes joined by ": ", leaving out a cause whose text the
/// level above already ends with (the library's errors name their path and
/// include their I/O cause: "F: Not a directory" would read "F: Not a directory:
/// Not a directory" otherwise).
fn error_text(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.ends_with(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
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

fn run_sync(a: SyncArgs, cfg: &Config) -> anyhow::Result<ExitCode> {
    let mut scope = Scope::all();
    // the scope flags, when any is given, replace the config's scope as a whole
    let flags_scope = !(a.projects.is_empty() && a.namespaces.is_empty() && a.forges.is_empty());
    let (projects, namespaces, forges) = if flags_scope {
        (&a.projects, &a.namespaces, &a.forges)
    } else {
        (
            &cfg.scope.projects,
            &cfg.scope.namespaces,
            &cfg.scope.forges,
        )
    };
    for p in projects {
        scope.add_project(p)?;
    }
    for n in namespaces {
        scope.add_namespace(n)?;
    }
    for f in forges {
        scope.add_forge(f)?;
    }
    if !(a.timeout > 0.0 && a.timeout.is_finite()) {
        anyhow::bail!("--timeout must be a positive number of seconds");
    }
    let rps = pick(a.rps, cfg.rate, 5.0);
    if !(rps >= 0.0 && rps.is_finite()) {
        anyhow::bail!("--rps (or `rate`) must be 0 (no limit) or a positive rate");
    }
    let concurrency = pick(a.concurrency.map(|c| c as usize), cfg.concurrency, 1);
    if !(1..=16).contains(&concurrency) {
        anyhow::bail!("`concurrency` must be between 1 and 16");
    }
    let api = a.api.resolve(cfg);
    let archive = a.archive.resolve(cfg);
    let opts = SyncOptions {
        client: ClientConfig {
            base_url: api.clone(),
            concurrency,
            requests_per_second: rps,
            timeout: Duration::from_secs_f64(a.timeout),
            max_retries: a.retries,
            backoff_base: Duration::from_millis(a.retry_base_ms),
            ..ClientConfig::default()
        },
        scope,
        project_lists: !a.no_project_lists,
        usage: !a.no_usage,
        with_logs: a.with_logs || cfg.with_logs.unwrap_or(false),
        log_cap_bytes: pick(a.log_cap, cfg.log_cap, 5).saturating_mul(1 << 20),
        archive_log_cap_bytes: pick(a.archive_log_cap, cfg.archive_log_cap, 1024)
            .saturating_mul(1 << 20),
        ..SyncOptions::new(archive, &api)
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
    #[command(flatten)]
    archive: ArchiveArg,
    /// Output directory. [default: `out` of the config, else ./public]
    #[arg(long, value_name = "DIR", env = "PACKIT_PAGES_OUT")]
    out: Option<PathBuf>,
    /// Theme directory (`templates/`, `static/`) overriding the default theme file by file.
    /// [default: `theme` of the config]
    #[arg(long, value_name = "DIR", env = "PACKIT_PAGES_THEME")]
    theme: Option<PathBuf>,
    /// Public URL of the site (e.g. https://user.github.io/repo/), for canonical links,
    /// the sitemap and robots.txt. Internal links are relative anyway. [default:
    /// `base_url` of the config]
    #[arg(long, value_name = "URL", env = "PACKIT_PAGES_BASE_URL")]
    base_url: Option<String>,
    /// Directory of markdown content pages (faq.md, about.md). [default: `content` of
    /// the config, else ./content if present]
    #[arg(long, value_name = "DIR", env = "PACKIT_PAGES_CONTENT")]
    content: Option<PathBuf>,
    /// Do not trust the manifest of the previous build: compare every file with the disk.
    #[arg(long, env = "PACKIT_PAGES_FULL")]
    full: bool,
    /// Also write `index.json` beside every job and pipeline page: the view the page
    /// was rendered from (one more file per detail page).
    #[arg(long, env = "PACKIT_PAGES_PAGE_JSON")]
    page_json: bool,
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

/// The content directory: the flag, else the configuration's, else `content` when
/// that folder exists.
fn content_dir(flag: Option<&Path>, cfg: &Config) -> Option<PathBuf> {
    flag.map(Path::to_path_buf)
        .or_else(|| cfg.content.clone())
        .or_else(|| {
            let d = PathBuf::from("content");
            d.is_dir().then_some(d)
        })
}

fn run_build(a: BuildArgs, cfg: &Config) -> anyhow::Result<ExitCode> {
    let archive = if a.demo {
        demo_archive(a.pipelines, a.seed)?
    } else {
        a.archive.resolve(cfg)
    };
    let out = a.out.clone().unwrap_or_else(|| cfg.out_or_default());
    let opts = packit_pages::site::BuildOptions {
        archive,
        out: out.clone(),
        theme: a.theme.clone().or_else(|| cfg.theme.clone()),
        base_url: a.base_url.clone().or_else(|| cfg.base_url.clone()),
        content: content_dir(a.content.as_deref(), cfg),
        full: a.full,
        threads: None,
        list_files: a.report_json.is_some(),
        page_json: a.page_json,
    };
    let report = packit_pages::site::build(&opts)
        .with_context(|| format!("building the site into {}", out.display()))?;
    eprintln!(
        "{} build, {} files ({} pages, {} redirects), {} rendered: {} written, {} unchanged, {} removed in {} ms ({:.0} files/s)",
        match report.mode {
            packit_pages::site::BuildMode::Full => "full",
            packit_pages::site::BuildMode::Incremental => "incremental",
        },
        report.files,
        report.pages,
        report.redirects,
        report.rendered,
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
        "demo-v{}-s{}-{pipelines}-{seed}.sqlite",
        env!("CARGO_PKG_VERSION"),
        packit_pages::archive::SCHEMA_VERSION
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
        let summary = sync::ingest_records(&mut archive, &spec)?;
        // a few archived logs, so that demo sites show log pages
        sync::add_demo_logs(&mut archive, 20)?;
        summary
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

/// Arguments of `packit-pages init`.
#[derive(Args, Debug)]
struct InitArgs {
    /// Overwrite files of the scaffold that exist already (never writes through
    /// symbolic links or outside DIR).
    #[arg(long)]
    force: bool,
    /// The site folder to create (or fill).
    #[arg(value_name = "DIR")]
    dir: PathBuf,
}

fn run_init(a: InitArgs) -> anyhow::Result<ExitCode> {
    let written = packit_pages::scaffold::init(&a.dir, a.force)?;
    for p in &written {
        eprintln!("created {}", p.display());
    }
    eprintln!(
        "\nNext: cd {} && packit-pages build --demo   (a demo site in public/),\n\
         or edit packit-pages.toml, then packit-pages sync && packit-pages build.",
        a.dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `packit-pages check`.
#[derive(Args, Debug)]
struct CheckArgs {
    #[command(flatten)]
    archive: ArchiveArg,
    /// Theme folder to check. [default: `theme` of the config]
    #[arg(long, value_name = "DIR", env = "PACKIT_PAGES_THEME")]
    theme: Option<PathBuf>,
    /// Content folder to check. [default: `content` of the config, else ./content if present]
    #[arg(long, value_name = "DIR", env = "PACKIT_PAGES_CONTENT")]
    content: Option<PathBuf>,
}

fn run_check(a: CheckArgs, config_file: Option<&Path>) -> anyhow::Result<ExitCode> {
    let report = packit_pages::check::check(&packit_pages::check::CheckOptions {
        config: config_file.map(Path::to_path_buf),
        theme: a.theme,
        content: a.content,
        archive: a.archive.archive,
    });
    for c in &report.checked {
        eprintln!("checked {c}");
    }
    for p in &report.problems {
        eprintln!("{p}");
    }
    eprintln!("{}", report.summary());
    Ok(if report.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Arguments of `packit-pages completions`.
#[derive(Args, Debug)]
struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_name = "SHELL")]
    shell: clap_complete::Shell,
}

fn run_completions(a: CompletionsArgs) -> anyhow::Result<ExitCode> {
    let mut cmd = Cli::command();
    clap_complete::generate(a.shell, &mut cmd, "packit-pages", &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `packit-pages man`.
#[derive(Args, Debug)]
struct ManArgs {
    /// Write packit-pages.1 and one packit-pages-COMMAND.1 per subcommand into this
    /// folder instead of printing packit-pages.1.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

fn run_man(a: ManArgs) -> anyhow::Result<ExitCode> {
    let cmd = Cli::command();
    match &a.dir {
        None => match clap_mangen::Man::new(cmd).render(&mut std::io::stdout()) {
            // `packit-pages man | head` is not an error
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            r => r?,
        },
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            clap_mangen::generate_to(cmd, dir)
                .with_context(|| format!("cannot write man pages into {}", dir.display()))?;
        }
    }
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
        Arc::new(move || args.resolve().map(|(_, b)| b).map_err(|e| error_text(&e)));
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

#[cfg(test)]
mod tests {
    use super::error_text;

    #[test]
    fn error_text_leaves_out_causes_already_said() {
        let io = std::io::Error::new(std::io::ErrorKind::NotADirectory, "Not a directory");
        let e = anyhow::Error::new(packit_pages::write::WriteError::Io {
            path: "/x/site".into(),
            source: io,
        })
        .context("building the site into /x/site");
        assert_eq!(
            error_text(&e),
            "building the site into /x/site: /x/site: Not a directory"
        );
        let plain = anyhow::anyhow!("inner").context("outer");
        assert_eq!(error_text(&plain), "outer: inner");
    }
}
