//! The command line's clap definitions: the subcommands, their flags, the
//! `PACKIT_PAGES_*` variables clap reads and the help texts. No logic: values are
//! resolved in `resolve` and acted on in `commands`.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Static pages for Packit CI results, mirrored from the Packit API into a local archive.
#[derive(Parser, Debug)]
#[command(name = "packit-pages", version, about, long_about = None)]
pub(crate) struct Cli {
    /// Configuration file (default: ./packit-pages.toml when present). Its relative
    /// paths are relative to its folder. Flags and PACKIT_PAGES_* variables override it.
    #[arg(long, global = true, value_name = "FILE", env = "PACKIT_PAGES_CONFIG")]
    pub(crate) config: Option<PathBuf>,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
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
sync also runs every --poll-interval seconds (the first at start), beside message
handling: a message's refresh goes first within the one politeness budget, so its
pages do not wait for a poll.

SIGTERM or Ctrl-C finishes the current batch and exits. Exit status: 0 after a clean
stop, 1 on a set-up error, 2 on a usage error.";

/// Where the site comes from and goes to (watch, serve, listen). Unset values come
/// from packit-pages.toml, then the defaults.
#[derive(Args, Debug, Clone)]
pub(crate) struct SiteArgs {
    /// Configuration file: the global `--config` (set by `main`).
    #[arg(skip)]
    pub(crate) config: Option<PathBuf>,
    /// Archive file (SQLite) [default: ./packit-archive.sqlite].
    #[arg(long, value_name = "FILE", env = "PACKIT_PAGES_ARCHIVE")]
    pub(crate) archive: Option<PathBuf>,
    /// Output directory [default: ./public].
    #[arg(long, value_name = "DIR", env = "PACKIT_PAGES_OUT")]
    pub(crate) out: Option<PathBuf>,
    /// Theme directory overriding the default theme file by file.
    #[arg(long, value_name = "DIR", env = "PACKIT_PAGES_THEME")]
    pub(crate) theme: Option<PathBuf>,
    /// Directory of markdown content pages [default: ./content if present].
    #[arg(long, value_name = "DIR", env = "PACKIT_PAGES_CONTENT")]
    pub(crate) content: Option<PathBuf>,
    /// Public URL of the site, for canonical links and the sitemap.
    #[arg(long, value_name = "URL", env = "PACKIT_PAGES_BASE_URL")]
    pub(crate) base_url: Option<String>,
}

#[derive(Args, Debug)]
pub(crate) struct ServeArgs {
    #[command(flatten)]
    pub(crate) site: SiteArgs,
    /// Port on 127.0.0.1 (0: any free port).
    #[arg(long, value_name = "PORT", default_value_t = 1111)]
    pub(crate) port: u16,
}

#[derive(Args, Debug)]
pub(crate) struct ListenArgs {
    #[command(flatten)]
    pub(crate) site: SiteArgs,
    /// Base URL of the Packit API [default: https://prod.packit.dev/api].
    #[arg(long, value_name = "URL", env = "PACKIT_PAGES_API")]
    pub(crate) api: Option<String>,
    /// fedora-messaging configuration file (TOML) of the broker, queue and bindings.
    #[arg(long, value_name = "FILE", env = "PACKIT_PAGES_AMQP_CONFIG")]
    pub(crate) amqp_config: Option<PathBuf>,
    /// Seconds between incremental syncs (list heads, unfinished jobs: Testing Farm
    /// results and whatever the bus dropped); 0 turns polling off [default: 300].
    #[arg(long, value_name = "SECONDS", env = "PACKIT_PAGES_POLL_INTERVAL")]
    pub(crate) poll_interval: Option<u64>,
    /// Keep the archive only; do not build the site.
    #[arg(long)]
    pub(crate) no_build: bool,
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

Cost without a scope: production Packit holds millions of jobs; a full crawl is
10^4-10^5 requests, at the default 5 requests per second several hours. Incremental
syncs are cheap.

Cost with --project or --namespace (--discover graph, the default): the sync walks the
projects' own graph (project, its PR/branch/release/issue lists, the SRPM builds they
name, each SRPM's pipeline, each pipeline's jobs), so a first sync costs about one
request per pipeline, SRPM build and job of the project plus a few per project, whatever
the size of Packit: a project with 300 pipelines takes a few thousand requests, some
minutes at 5 requests/s. Later syncs re-read the project's lists (a few requests) and
fetch one request per entity that is new or whose status the lists show moved; jobs the
lists show unchanged are not re-fetched. The graph reaches what hangs off the SRPM builds
of pull requests and branch pushes; release pipelines, pipelines without an SRPM build
(downstream Koji builds and Bodhi updates, propose-downstream and pull-from-upstream
runs), Koji tag requests, OpenScanHub scans and the merged /copr-builds and sync-release
run rows are only in Packit-wide lists, so every scoped sync also reads the heads of six
of them (runs, copr-builds, openscanhub-scans, propose-downstream, pull-from-upstream,
koji-tag-requests) back to where the previous sync stopped: one page each when Packit
added fewer than 50 items since, and the project's items on them are kept. The first
sync reads page 1 of each: what is older than it is reachable only with --backfill
(walks those six lists in full once, resumably) or --discover lists (all eleven lists);
once is enough, later graph syncs carry on from there.

Exit status: 0 when every list was walked (some entities may still have failed: they
are named in the summary and retried next time), 1 when a list could not be walked or
on another failure, 2 on a usage error.";

/// Options shared by the subcommands that read or write the archive.
#[derive(Args, Debug, Clone)]
pub(crate) struct ArchiveArg {
    /// The archive file (SQLite): `sync` creates it if missing, `build` and `check` read
    /// it. [default: `archive` of the config, else ./packit-archive.sqlite]
    #[arg(long, value_name = "FILE", env = "PACKIT_PAGES_ARCHIVE")]
    pub(crate) archive: Option<PathBuf>,
}

/// The API to talk to.
#[derive(Args, Debug, Clone)]
pub(crate) struct ApiArg {
    /// Base URL of the Packit API (the part before `/copr-builds`, `/runs`, ...).
    /// [default: `api` of the config, else https://prod.packit.dev/api]
    #[arg(long, value_name = "URL", env = "PACKIT_PAGES_API")]
    pub(crate) api: Option<String>,
}

#[derive(Args, Debug)]
pub(crate) struct SyncArgs {
    #[command(flatten)]
    pub(crate) api: ApiArg,
    #[command(flatten)]
    pub(crate) archive: ArchiveArg,

    /// Mirror only this project, as forge/namespace/repo (e.g. github.com/packit/ogr).
    /// Repeatable. Walked through the project's own graph (see --discover): requests in
    /// proportion to the project's pipelines and jobs, not to all of Packit.
    #[arg(long = "project", value_name = "FORGE/NS/REPO")]
    pub(crate) projects: Vec<String>,

    /// Mirror only the projects /projects/<forge>/<namespace> lists (e.g.
    /// github.com/packit), each through its graph. Repeatable. With --discover lists,
    /// GitLab sub-groups are included.
    #[arg(long = "namespace", value_name = "FORGE/NS")]
    pub(crate) namespaces: Vec<String>,

    /// Mirror only projects on this forge host (e.g. gitlab.com). Repeatable. The API
    /// cannot filter a forge cheaply, so every Packit-wide list is walked (in full the
    /// first time, about one request per 50 jobs of all of Packit) and other projects'
    /// items are dropped client-side.
    #[arg(long = "forge", value_name = "HOST")]
    pub(crate) forges: Vec<String>,

    /// How --project and --namespace find their entities: `graph` (the project's own
    /// endpoints; cost grows with the project) or `lists` (every Packit-wide list with
    /// other projects' items dropped; cost grows with all of Packit, but also finds the
    /// release pipelines, scans and merged Copr build rows older than the first graph
    /// sync).
    #[arg(long, value_name = "HOW", default_value = "graph", value_parser = ["graph", "lists"])]
    pub(crate) discover: String,

    /// With --project or --namespace: walk the six Packit-wide lists the project graph
    /// cannot do without (runs, copr-builds, openscanhub-scans, propose-downstream,
    /// pull-from-upstream, koji-tag-requests) in full once, for the projects' release
    /// pipelines, scans and merged Copr build rows older than the first sync. Costs one
    /// request per 50 items of those lists of all of Packit (hours on production), once:
    /// an interrupted backfill resumes where it stopped, and later syncs (with or without
    /// the flag) read those lists' heads only.
    #[arg(long)]
    pub(crate) backfill: bool,

    /// Requests in flight at most. Packit's API runs on two server processes: keep
    /// this at 1 unless the operators agree. [default: `concurrency` of the config, else 1]
    #[arg(long, value_name = "N", env = "PACKIT_PAGES_CONCURRENCY", value_parser = clap::value_parser!(u32).range(1..=16))]
    pub(crate) concurrency: Option<u32>,

    /// Requests started per second at most (0 = no limit; only for local test servers).
    /// [default: `rate` of the config, else 5]
    #[arg(long, value_name = "RATE", env = "PACKIT_PAGES_RATE")]
    pub(crate) rps: Option<f64>,

    /// Timeout of one request in seconds (connect, headers and body).
    #[arg(long, value_name = "SECS", default_value_t = 60.0)]
    pub(crate) timeout: f64,

    /// Retries of a request that failed with a 5xx, 408 or 429 answer, a timeout, a
    /// reset connection or a truncated or non-JSON body. Back-off doubles from
    /// --retry-base-ms with jitter, up to 60 s; a Retry-After header is honoured.
    #[arg(long, value_name = "N", default_value_t = 6)]
    pub(crate) retries: u32,

    /// First retry delay in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 500)]
    pub(crate) retry_base_ms: u64,

    /// Do not fetch project details and their PR/branch/release/issue lists (by
    /// default fetched for projects whose jobs changed: 5+ requests per project).
    #[arg(long)]
    pub(crate) no_project_lists: bool,

    /// Do not fetch /usage and /system (two requests; /usage is slow upstream).
    #[arg(long)]
    pub(crate) no_usage: bool,

    /// Refresh policy of unfinished jobs (stored by an earlier sync, status not final):
    /// those first stored less than this many days ago are re-fetched every sync;
    /// older ones on a back-off schedule (when the time since their last fetch is a
    /// quarter of their age), newest first, at most --refresh-budget per sync.
    #[arg(long, value_name = "DAYS", default_value_t = 2)]
    pub(crate) refresh_recent_days: u32,

    /// Unfinished jobs first stored more than this many days ago are given up (an
    /// event lost upstream): only --recheck-all refreshes them.
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    pub(crate) refresh_give_up_days: u32,

    /// Refresh requests per sync at most; due jobs over it are deferred to the next
    /// sync. The report counts refreshed, deferred and given up.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub(crate) refresh_budget: usize,

    /// Refresh every unfinished job, given up or not, without budget (a full
    /// re-check: one request per unfinished job). Also retries at once the entities
    /// whose fetch keeps failing, which otherwise back off (after two failures in a
    /// row: 1, 4, 16, 64 hours, at most a week) without failing the sync.
    #[arg(long)]
    pub(crate) recheck_all: bool,

    /// Archive job logs: the logs the API returns inline (SRPM, Koji submission,
    /// sync-release) and, for failed jobs, the text logs they link to (Copr
    /// builder-live.log and build.log, Koji task logs), each fetched once.
    /// [default: `with_logs` of the config, else off]
    #[arg(long, env = "PACKIT_PAGES_WITH_LOGS")]
    pub(crate) with_logs: bool,

    /// Largest log archived, in MiB; longer logs are cut and marked as capped.
    /// [default: `log_cap` of the config, else 5]
    #[arg(long, value_name = "MIB")]
    pub(crate) log_cap: Option<u64>,

    /// Largest total of archived (compressed) logs, in MiB; then no more are fetched.
    /// [default: `archive_log_cap` of the config, else 1024]
    #[arg(long, value_name = "MIB")]
    pub(crate) archive_log_cap: Option<u64>,

    /// Also write the report as JSON: per endpoint the requests made, retries, errors
    /// and entities new/changed/unchanged/gone, plus every failed entity and list.
    #[arg(long, value_name = "FILE")]
    pub(crate) report_json: Option<PathBuf>,

    /// Progress display: `auto` (bars on a terminal, log lines otherwise), `bars`,
    /// `log` or `none`.
    #[arg(long, value_name = "HOW", default_value = "auto", value_parser = ["auto", "bars", "log", "none"])]
    pub(crate) progress: String,
}

/// Arguments of `packit-pages build`.
#[derive(Args, Debug)]
pub(crate) struct BuildArgs {
    #[command(flatten)]
    pub(crate) archive: ArchiveArg,
    /// Output directory. [default: `out` of the config, else ./public]
    #[arg(long, value_name = "DIR", env = "PACKIT_PAGES_OUT")]
    pub(crate) out: Option<PathBuf>,
    /// Theme directory (`templates/`, `static/`) overriding the default theme file by file.
    /// [default: `theme` of the config]
    #[arg(long, value_name = "DIR", env = "PACKIT_PAGES_THEME")]
    pub(crate) theme: Option<PathBuf>,
    /// Public URL of the site (e.g. https://user.github.io/repo/), for canonical links,
    /// the sitemap and robots.txt. Internal links are relative anyway. [default:
    /// `base_url` of the config]
    #[arg(long, value_name = "URL", env = "PACKIT_PAGES_BASE_URL")]
    pub(crate) base_url: Option<String>,
    /// Directory of markdown content pages (faq.md, about.md). [default: `content` of
    /// the config, else ./content if present]
    #[arg(long, value_name = "DIR", env = "PACKIT_PAGES_CONTENT")]
    pub(crate) content: Option<PathBuf>,
    /// Do not trust the manifest of the previous build: compare every file with the disk.
    #[arg(long, env = "PACKIT_PAGES_FULL")]
    pub(crate) full: bool,
    /// Also write `index.json` beside every job and pipeline page: the view the page
    /// was rendered from (one more file per detail page).
    #[arg(long, env = "PACKIT_PAGES_PAGE_JSON")]
    pub(crate) page_json: bool,
    /// Write the build report (files written / unchanged / removed, timings) as JSON.
    #[arg(long, value_name = "FILE", env = "PACKIT_PAGES_REPORT_JSON")]
    pub(crate) report_json: Option<PathBuf>,
    /// Build from a generated demo archive instead of --archive.
    #[arg(long, env = "PACKIT_PAGES_DEMO")]
    pub(crate) demo: bool,
    /// Pipelines in the demo archive.
    #[arg(
        long,
        value_name = "N",
        env = "PACKIT_PAGES_PIPELINES",
        default_value_t = 2000,
        requires = "demo"
    )]
    pub(crate) pipelines: u64,
    /// Seed of the demo archive.
    #[arg(
        long,
        value_name = "S",
        env = "PACKIT_PAGES_SEED",
        default_value_t = 1,
        requires = "demo"
    )]
    pub(crate) seed: u64,
}

/// Arguments of `packit-pages demo-archive`.
#[derive(Args, Debug)]
pub(crate) struct DemoArchiveArgs {
    /// Pipelines to generate (projects, jobs and statuses scale with it).
    #[arg(long, value_name = "N", default_value_t = 2000)]
    pub(crate) pipelines: u64,
    /// Seed: the same seed and count always give the same archive, and N+k pipelines
    /// extend N with k newer ones.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub(crate) seed: u64,
    /// Put hostile strings (markup, quotes, `../`, control characters, a 1 MiB log)
    /// into names and texts, to test escaping.
    #[arg(long)]
    pub(crate) hostile: bool,
    /// The archive file to create (must not exist). Written as a complete sync of the
    /// demo data would write it; 100,000 pipelines take about two minutes.
    #[arg(value_name = "FILE")]
    pub(crate) file: PathBuf,
}

/// Arguments of `packit-pages init`.
#[derive(Args, Debug)]
pub(crate) struct InitArgs {
    /// Overwrite files of the scaffold that exist already (never writes through
    /// symbolic links or outside DIR).
    #[arg(long)]
    pub(crate) force: bool,
    /// The site folder to create (or fill).
    #[arg(value_name = "DIR")]
    pub(crate) dir: PathBuf,
}

/// Arguments of `packit-pages check`.
#[derive(Args, Debug)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    pub(crate) archive: ArchiveArg,
    /// Theme folder to check. [default: `theme` of the config]
    #[arg(long, value_name = "DIR", env = "PACKIT_PAGES_THEME")]
    pub(crate) theme: Option<PathBuf>,
    /// Content folder to check. [default: `content` of the config, else ./content if present]
    #[arg(long, value_name = "DIR", env = "PACKIT_PAGES_CONTENT")]
    pub(crate) content: Option<PathBuf>,
}

/// Arguments of `packit-pages completions`.
#[derive(Args, Debug)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_name = "SHELL")]
    pub(crate) shell: clap_complete::Shell,
}

/// Arguments of `packit-pages man`.
#[derive(Args, Debug)]
pub(crate) struct ManArgs {
    /// Write packit-pages.1 and one packit-pages-COMMAND.1 per subcommand into this
    /// folder instead of printing packit-pages.1.
    #[arg(long, value_name = "DIR")]
    pub(crate) dir: Option<PathBuf>,
}
