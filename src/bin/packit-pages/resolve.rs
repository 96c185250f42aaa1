//! Settings resolution: every value comes from its flag (or the `PACKIT_PAGES_*`
//! variable clap reads for it), else from packit-pages.toml, else from the default.
//! Turns the parsed arguments into the library's option structs.

use crate::args::{ApiArg, ArchiveArg, BuildArgs, ListenArgs, SiteArgs, SyncArgs};
use anyhow::Context;
use packit_pages::api::client::ClientConfig;
use packit_pages::config::{self, Config, ConfigError};
use packit_pages::listen::{BusConfig, ListenOptions};
use packit_pages::site::BuildOptions;
use packit_pages::sync::{Scope, SyncError, SyncOptions};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The configuration file: the `--config` flag, else ./packit-pages.toml when present.
pub(crate) fn config_file(flag: Option<PathBuf>) -> Option<PathBuf> {
    flag.or_else(|| {
        let p = PathBuf::from(config::FILE_NAME);
        p.is_file().then_some(p)
    })
}

/// The configuration of `file` (see [`config_file`]), else the defaults.
pub(crate) fn load_config(file: Option<&Path>) -> Result<Config, ConfigError> {
    Ok(match file {
        Some(p) => Config::load(p)?,
        None => Config::default(),
    })
}

/// Flag (or its environment variable), else the config file's value, else the default.
fn pick<T>(flag: Option<T>, config: Option<T>, default: T) -> T {
    flag.or(config).unwrap_or(default)
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

/// A sync scope of the given projects, namespaces and forges.
fn scope(
    projects: &[String],
    namespaces: &[String],
    forges: &[String],
) -> Result<Scope, SyncError> {
    let mut scope = Scope::all();
    for p in projects {
        scope.add_project(p)?;
    }
    for n in namespaces {
        scope.add_namespace(n)?;
    }
    for f in forges {
        scope.add_forge(f)?;
    }
    Ok(scope)
}

impl ArchiveArg {
    pub(crate) fn resolve(&self, cfg: &Config) -> PathBuf {
        self.archive
            .clone()
            .unwrap_or_else(|| cfg.archive_or_default())
    }
}

impl ApiArg {
    pub(crate) fn resolve(&self, cfg: &Config) -> String {
        pick(
            self.api.clone(),
            cfg.api.clone(),
            packit_pages::api::DEFAULT_API.into(),
        )
    }
}

impl SiteArgs {
    /// The configuration and the build options of a watcher or listener.
    pub(crate) fn resolve(&self) -> Result<(Config, BuildOptions), ConfigError> {
        let c = Config::discover(self.config.as_deref())?;
        let opts = BuildOptions {
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
    pub(crate) fn config_file(&self) -> Option<PathBuf> {
        config_file(self.config.clone())
    }
}

/// The options of `sync`.
pub(crate) fn sync_options(a: &SyncArgs, cfg: &Config) -> anyhow::Result<SyncOptions> {
    // the scope flags, when any is given, replace the config's scope as a whole
    let flags_scope = !(a.projects.is_empty() && a.namespaces.is_empty() && a.forges.is_empty());
    let scope = if flags_scope {
        scope(&a.projects, &a.namespaces, &a.forges)?
    } else {
        scope(
            &cfg.scope.projects,
            &cfg.scope.namespaces,
            &cfg.scope.forges,
        )?
    };
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
    Ok(SyncOptions {
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
        discovery: if a.discover == "lists" {
            packit_pages::sync::Discovery::Lists
        } else {
            packit_pages::sync::Discovery::Graph
        },
        backfill: a.backfill,
        refresh: packit_pages::sync::RefreshPolicy {
            recent_secs: i64::from(a.refresh_recent_days) * 86_400,
            give_up_secs: i64::from(a.refresh_give_up_days) * 86_400,
            budget: a.refresh_budget,
            full_recheck: a.recheck_all,
        },
        with_logs: a.with_logs || cfg.with_logs.unwrap_or(false),
        log_cap_bytes: pick(a.log_cap, cfg.log_cap, 5).saturating_mul(1 << 20),
        archive_log_cap_bytes: pick(a.archive_log_cap, cfg.archive_log_cap, 1024)
            .saturating_mul(1 << 20),
        ..SyncOptions::new(archive, &api)
    })
}

/// The options of `build`, rendering `archive` (the resolved or the demo archive).
pub(crate) fn build_options(a: &BuildArgs, archive: PathBuf, cfg: &Config) -> BuildOptions {
    BuildOptions {
        archive,
        out: a.out.clone().unwrap_or_else(|| cfg.out_or_default()),
        theme: a.theme.clone().or_else(|| cfg.theme.clone()),
        base_url: a.base_url.clone().or_else(|| cfg.base_url.clone()),
        content: content_dir(a.content.as_deref(), cfg),
        full: a.full,
        threads: None,
        list_files: a.report_json.is_some(),
        page_json: a.page_json,
    }
}

/// The options of `listen`.
pub(crate) fn listen_options(a: &ListenArgs) -> anyhow::Result<ListenOptions> {
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
    let mut sync_opts = SyncOptions::new(build.archive.clone(), &api);
    sync_opts.scope = scope(&c.scope.projects, &c.scope.namespaces, &c.scope.forges)?;
    if let Some(r) = c.rate {
        sync_opts.client.requests_per_second = r;
    }
    if let Some(n) = c.concurrency {
        sync_opts.client.concurrency = n.max(1);
    }
    let mut opts = ListenOptions::new(bus, sync_opts, (!a.no_build).then_some(build));
    let secs = a.poll_interval.or(c.poll_interval).unwrap_or(300);
    opts.poll_interval = (secs > 0).then(|| Duration::from_secs(secs));
    Ok(opts)
}
