//! The `packit-pages` command line: a thin wrapper over the library.

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "packit-pages",
    version,
    about = "Static-site generator for Packit CI results"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Render the archive as a static site.
    Build(BuildArgs),
}

/// Arguments of `packit-pages build`.
#[derive(Args, Debug)]
struct BuildArgs {
    /// Archive file (SQLite) to render.
    #[arg(long, env = "PACKIT_PAGES_ARCHIVE", required_unless_present = "demo")]
    archive: Option<PathBuf>,
    /// Output directory.
    #[arg(long, env = "PACKIT_PAGES_OUT")]
    out: PathBuf,
    /// Theme directory overriding the default theme file by file.
    #[arg(long, env = "PACKIT_PAGES_THEME")]
    theme: Option<PathBuf>,
    /// Public URL of the site, for canonical links, sitemap and robots.txt.
    #[arg(long, env = "PACKIT_PAGES_BASE_URL")]
    base_url: Option<String>,
    /// Directory of markdown content pages (faq.md, about.md).
    #[arg(long, env = "PACKIT_PAGES_CONTENT")]
    content: Option<PathBuf>,
    /// Compare every file with the disk instead of trusting the manifest.
    #[arg(long, env = "PACKIT_PAGES_FULL")]
    full: bool,
    /// Write the build report as JSON to this file.
    #[arg(long, env = "PACKIT_PAGES_REPORT_JSON")]
    report_json: Option<PathBuf>,
    /// Build from a generated demo archive instead of --archive.
    #[arg(long, env = "PACKIT_PAGES_DEMO")]
    demo: bool,
    /// Pipelines in the demo archive.
    #[arg(
        long,
        env = "PACKIT_PAGES_PIPELINES",
        default_value_t = 2000,
        requires = "demo"
    )]
    pipelines: u64,
    /// Seed of the demo archive.
    #[arg(
        long,
        env = "PACKIT_PAGES_SEED",
        default_value_t = 1,
        requires = "demo"
    )]
    seed: u64,
}

fn build(args: BuildArgs) -> anyhow::Result<()> {
    let archive = match (&args.archive, args.demo) {
        (Some(a), false) => a.clone(),
        _ => demo_archive(args.pipelines, args.seed)?,
    };
    let opts = packit_pages::site::BuildOptions {
        archive,
        out: args.out.clone(),
        theme: args.theme.clone(),
        base_url: args.base_url.clone(),
        content: args.content.clone().or_else(|| {
            let d = PathBuf::from("content");
            d.is_dir().then_some(d)
        }),
        full: args.full,
        threads: None,
    };
    let report = packit_pages::site::build(&opts)
        .with_context(|| format!("building {}", args.out.display()))?;
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
    if let Some(path) = &args.report_json {
        std::fs::write(path, serde_json::to_vec_pretty(&report)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// Generates (once, cached by parameters) a demo archive and returns its path.
fn demo_archive(pipelines: u64, seed: u64) -> anyhow::Result<PathBuf> {
    anyhow::bail!(
        "--demo needs the demo data set (pipelines {pipelines}, seed {seed}), which this build does not include yet"
    )
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Build(args) => build(args),
    }
}
