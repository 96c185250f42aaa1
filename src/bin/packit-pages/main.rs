//! The `packit-pages` command line. Exit codes: 0 success, 1 failure, 2 usage error.
//!
//! - `args`: the clap definitions (subcommands, flags, environment variables, help);
//! - `resolve`: settings resolution (flag or environment > packit-pages.toml > default);
//! - `commands`: one function per subcommand;
//! - `progress`: the terminal progress bars of `sync`.
//!
//! This file parses the command line, dispatches, and prints a failure.

mod args;
mod commands;
mod progress;
mod resolve;

use args::{Cli, Command};
use clap::Parser;
use std::io::IsTerminal;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let config_file = resolve::config_file(cli.config.clone());
    let load = || resolve::load_config(config_file.as_deref()).map_err(anyhow::Error::from);
    let result = match cli.command {
        Command::Sync(a) => load().and_then(|c| commands::sync(a, &c)),
        Command::Build(a) => load().and_then(|c| commands::build(a, &c)),
        Command::DemoArchive(a) => commands::demo_archive(a),
        Command::Init(a) => commands::init(a),
        Command::Check(a) => commands::check(a, config_file.as_deref()),
        Command::Completions(a) => commands::completions(a),
        Command::Man(a) => commands::man(a),
        Command::Listen(mut a) => {
            a.site.config = config_file.clone();
            commands::listen(a)
        }
        Command::Watch(mut a) => {
            a.config = config_file.clone();
            commands::watch(a, None)
        }
        Command::Serve(mut a) => {
            a.site.config = config_file.clone();
            commands::watch(a.site, Some(a.port))
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
