//! What to sync and how: [`SyncOptions`] and the [`Discovery`] of a scope's entities.

use super::policy::RefreshPolicy;
use super::scope::Scope;
use crate::api::client::ClientConfig;
use std::path::PathBuf;

/// What to sync and how.
#[derive(Clone, Debug)]
pub struct SyncOptions {
    /// Archive file (created if missing).
    pub archive: PathBuf,
    /// HTTP client settings (API URL, concurrency, rate, retries, timeout).
    pub client: ClientConfig,
    /// Part of Packit to mirror.
    pub scope: Scope,
    /// Fetch project details and sub-lists (prs, branches, releases, issues).
    pub project_lists: bool,
    /// Fetch `/usage` and `/system`.
    pub usage: bool,
    /// Details written per transaction when refreshing or repairing.
    pub detail_batch: usize,
    /// Archive job logs: the logs the API returns inline, and for failed jobs the text
    /// logs they link to (see [`log_sources`](crate::archive::log_sources)).
    pub with_logs: bool,
    /// Largest log stored, in bytes of text (longer logs are cut and marked capped).
    pub log_cap_bytes: u64,
    /// Largest total of stored (compressed) log data in the archive; once reached no
    /// more logs are fetched.
    pub archive_log_cap_bytes: u64,
    /// Which unfinished entities are re-fetched ([`RefreshPolicy`]).
    pub refresh: RefreshPolicy,
    /// How a `--project` or `--namespace` scope finds its entities ([`Discovery`]).
    pub discovery: Discovery,
    /// With [`Discovery::Graph`]: walk the head lists (`HEAD_LISTS`) in full once,
    /// resumably, for the projects' history the graph cannot reach (release pipelines,
    /// scans, merged rows older than the first scoped sync). Costs one request per 50
    /// items of those lists of all of Packit, once; later syncs read their heads only.
    pub backfill: bool,
}

/// Default of [`SyncOptions::log_cap_bytes`]: 5 MiB.
pub const DEFAULT_LOG_CAP: u64 = 5 * 1024 * 1024;
/// Default of [`SyncOptions::archive_log_cap_bytes`]: 1 GiB.
pub const DEFAULT_ARCHIVE_LOG_CAP: u64 = 1024 * 1024 * 1024;

impl SyncOptions {
    /// Defaults for an archive file: whole API, polite client.
    pub fn new(archive: impl Into<PathBuf>, api: &str) -> SyncOptions {
        SyncOptions {
            archive: archive.into(),
            client: ClientConfig {
                base_url: api.to_string(),
                ..ClientConfig::default()
            },
            scope: Scope::all(),
            project_lists: true,
            usage: true,
            detail_batch: 200,
            with_logs: false,
            log_cap_bytes: DEFAULT_LOG_CAP,
            archive_log_cap_bytes: DEFAULT_ARCHIVE_LOG_CAP,
            refresh: RefreshPolicy::default(),
            backfill: false,
            discovery: Discovery::default(),
        }
    }

    /// The discovery this sync uses: the project graph only for a scope of projects
    /// and namespaces (a forge or all of Packit is walked by lists).
    pub fn effective_discovery(&self) -> Discovery {
        let s = &self.scope;
        if self.discovery == Discovery::Graph && !s.is_all() && s.forges.is_empty() {
            Discovery::Graph
        } else {
            Discovery::Lists
        }
    }
}

/// How a scoped sync finds the entities of its scope.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Discovery {
    /// The projects' own graph (see the module documentation): cost in proportion to
    /// the projects. Used for `--project` and `--namespace` scopes; a `--forge` scope
    /// or the whole of Packit is walked by lists.
    #[default]
    Graph,
    /// Every Packit-wide list, items of other projects dropped client-side: cost in
    /// proportion to all of Packit, but every kind the API lists.
    Lists,
}

impl Discovery {
    /// The name `sync --discover` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Discovery::Graph => "graph",
            Discovery::Lists => "lists",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projects_and_namespaces_walk_their_graph() {
        assert_eq!(Discovery::default(), Discovery::Graph);
        let mut o = SyncOptions::new("a.sqlite", "http://127.0.0.1:1/api");
        assert_eq!(o.effective_discovery(), Discovery::Lists, "all of Packit");
        o.scope.add_project("github.com/packit/ogr").unwrap();
        assert_eq!(o.effective_discovery(), Discovery::Graph);
        o.discovery = Discovery::Lists;
        assert_eq!(o.effective_discovery(), Discovery::Lists);
    }
}
