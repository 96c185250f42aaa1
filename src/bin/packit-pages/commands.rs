//! One function per subcommand: each takes its parsed arguments (and the loaded
//! configuration), calls the library and prints what it did. Returns the exit code.

use crate::args::{
    BuildArgs, CheckArgs, Cli, CompletionsArgs, DemoArchiveArgs, InitArgs, ListenArgs, ManArgs,
    SiteArgs, SyncArgs,
};
use crate::{progress, resolve};
use anyhow::Context;
use clap::CommandFactory;
use packit_pages::config::Config;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

pub(crate) fn sync(a: SyncArgs, cfg: &Config) -> anyhow::Result<ExitCode> {
    let opts = resolve::sync_options(&a, cfg)?;
    let progress = progress::progress(&a.progress);
    let report = runtime()?
        .block_on(packit_pages::sync::sync(&opts, progress.as_ref()))
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

pub(crate) fn build(a: BuildArgs, cfg: &Config) -> anyhow::Result<ExitCode> {
    let archive = if a.demo {
        cached_demo_archive(a.pipelines, a.seed)?
    } else {
        a.archive.resolve(cfg)
    };
    let opts = resolve::build_options(&a, archive, cfg);
    let out = opts.out.clone();
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
    print_drift(&report.drift);
    if let Some(path) = &a.report_json {
        let json = serde_json::to_string_pretty(&report)?;
        std::fs::write(path, json + "\n")
            .with_context(|| format!("cannot write report {}", path.display()))?;
    }
    if !report.failed_pages.is_empty() {
        for f in &report.failed_pages {
            eprintln!(
                "page not written: {}: {}: {}",
                packit_pages::site::short(&f.file),
                f.entity,
                f.error
            );
        }
        eprintln!(
            "{} page(s) could not be written; every other page was written and published",
            report.failed_pages.len()
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// The drift lines of a build report: each unreadable field and each field the
/// code does not know yet, grouped by kind and field.
fn print_drift(d: &packit_pages::site::Drift) {
    for g in &d.unreadable {
        eprintln!("unreadable field: {g}");
    }
    if let Some(line) = d.line() {
        eprintln!("{line}; each is shown as unreadable on its page (an upstream API change?)");
    }
    for g in &d.unknown {
        eprintln!("note: field not known to this version: {g}");
    }
}

/// The demo archive for `build --demo`: generated once per (pipelines, seed) into the
/// system cache directory and reused.
fn cached_demo_archive(pipelines: u64, seed: u64) -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join("packit-pages-demo");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join(format!(
        "demo-v{}-s{}-l2-{pipelines}-{seed}.sqlite",
        env!("CARGO_PKG_VERSION"),
        packit_pages::archive::SCHEMA_VERSION
    ));
    if !path.exists() {
        write_demo_archive_file(&path, pipelines, seed, false)?;
    }
    Ok(path)
}

/// Writes a complete demo archive to `path` (atomically: a temporary file renamed).
fn write_demo_archive_file(
    path: &Path,
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
        let summary = packit_pages::demo::ingest_records(&mut archive, &spec)?;
        // a few archived logs, so that demo sites show log pages
        packit_pages::demo::add_demo_logs(&mut archive, 20)?;
        summary
    };
    for ext in ["sqlite-wal", "sqlite-shm"] {
        let _ = std::fs::remove_file(tmp.with_extension(ext));
    }
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!("{}: {}", path.display(), summary.summary());
    Ok(())
}

pub(crate) fn demo_archive(a: DemoArchiveArgs) -> anyhow::Result<ExitCode> {
    if a.file.exists() {
        anyhow::bail!("{} exists already; choose a new file", a.file.display());
    }
    write_demo_archive_file(&a.file, a.pipelines, a.seed, a.hostile)?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn init(a: InitArgs) -> anyhow::Result<ExitCode> {
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

pub(crate) fn check(a: CheckArgs, config_file: Option<&Path>) -> anyhow::Result<ExitCode> {
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
    for n in &report.notes {
        eprintln!("note: {n}");
    }
    eprintln!("{}", report.summary());
    Ok(if report.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

pub(crate) fn completions(a: CompletionsArgs) -> anyhow::Result<ExitCode> {
    let mut cmd = Cli::command();
    clap_complete::generate(a.shell, &mut cmd, "packit-pages", &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn man(a: ManArgs) -> anyhow::Result<ExitCode> {
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

pub(crate) fn listen(a: ListenArgs) -> anyhow::Result<ExitCode> {
    let opts = resolve::listen_options(&a)?;
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

pub(crate) fn watch(a: SiteArgs, port: Option<u16>) -> anyhow::Result<ExitCode> {
    use packit_pages::watch::{Rebuild, WatchOptions};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let (_, build) = a.resolve()?;
    let mut opts = WatchOptions::new(build);
    opts.config = a.config_file();
    let args = a.clone();
    let reload: packit_pages::watch::Reload = Arc::new(move || Ok(args.resolve()?.1));
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
