//! Trigger: rebuilds the site when its inputs change — the markdown content
//! directory, the theme directory, the configuration file and the archive (which
//! `sync` and `listen` write). File-system events come from `notify` through a
//! debouncer, and every burst (an editor's save, a sync's many transactions) becomes
//! one incremental [`crate::site::build`]: pages whose bytes do not change are not
//! rewritten, so editing a template rewrites only the pages that use it.

use crate::config::ConfigError;
use crate::site::{BuildOptions, BuildReport, SiteError};
use notify_debouncer_full::notify::event::{AccessKind, AccessMode};
use notify_debouncer_full::notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, DebouncedEvent, new_debouncer};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Errors that stop the watcher.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// The file-system watcher could not be set up.
    #[error("cannot watch {path}: {source}")]
    Notify {
        /// The path.
        path: PathBuf,
        /// Cause.
        #[source]
        source: notify_debouncer_full::notify::Error,
    },
}

/// Rebuilds the build options when the configuration file changed (the binary merges
/// flags, environment and file); an error keeps the previous options.
pub type Reload = Arc<dyn Fn() -> Result<BuildOptions, ReloadError> + Send + Sync>;

/// Why a [`Reload`] kept the previous build options.
#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    /// The configuration file could not be read or is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Another failure, as the reloading code words it.
    #[error("{0}")]
    Other(String),
}

impl From<String> for ReloadError {
    fn from(message: String) -> ReloadError {
        ReloadError::Other(message)
    }
}

/// What to watch and how to build.
#[derive(Clone)]
pub struct WatchOptions {
    /// The build (archive, output, theme, content).
    pub build: BuildOptions,
    /// The configuration file, if any.
    pub config: Option<PathBuf>,
    /// Called when the configuration file changed.
    pub reload: Option<Reload>,
    /// Quiet time that ends a burst of events.
    pub debounce: Duration,
}

impl WatchOptions {
    /// Watches the inputs of `build` with a 200 ms debounce.
    pub fn new(build: BuildOptions) -> WatchOptions {
        WatchOptions {
            build,
            config: None,
            reload: None,
            debounce: Duration::from_millis(200),
        }
    }
}

/// What a rebuild was for and what it did.
#[derive(Debug)]
pub struct Rebuild<'a> {
    /// The changed paths that caused it.
    pub changed: &'a [PathBuf],
    /// The build's outcome.
    pub result: &'a Result<BuildReport, SiteError>,
}

/// A watched location: directories recursively; single files through their parent
/// directory (editors and SQLite replace or add files beside them), filtered by name.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Watched {
    Dir(PathBuf),
    File { dir: PathBuf, names: Vec<String> },
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

fn file_watch(p: &Path, extra_suffixes: &[&str]) -> Option<Watched> {
    let p = absolute(p);
    let name = p.file_name()?.to_string_lossy().into_owned();
    let dir = p.parent()?.to_path_buf();
    let mut names = vec![name.clone()];
    names.extend(extra_suffixes.iter().map(|s| format!("{name}{s}")));
    Some(Watched::File { dir, names })
}

fn watched(opts: &WatchOptions) -> Vec<Watched> {
    let mut w = Vec::new();
    for d in [&opts.build.content, &opts.build.theme]
        .into_iter()
        .flatten()
    {
        w.push(Watched::Dir(absolute(d)));
    }
    if let Some(c) = &opts.config {
        w.extend(file_watch(c, &[]));
    }
    // SQLite in WAL mode commits to `<archive>-wal`
    w.extend(file_watch(&opts.build.archive, &["-wal"]));
    w
}

fn relevant(w: &[Watched], path: &Path) -> bool {
    w.iter().any(|x| match x {
        Watched::Dir(d) => path.starts_with(d),
        Watched::File { dir, names } => {
            path.parent() == Some(dir.as_path())
                && path
                    .file_name()
                    .is_some_and(|n| names.iter().any(|m| n.to_string_lossy() == *m))
        }
    })
}

/// The relevant paths of events that may change a file (reads are reported too:
/// opening a template or the archive must not cause a rebuild).
fn changes(places: &[Watched], events: Vec<DebouncedEvent>) -> Vec<PathBuf> {
    events
        .into_iter()
        .filter(|e| match e.event.kind {
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
            EventKind::Access(_) => false,
            _ => true,
        })
        .flat_map(|e| e.event.paths)
        .filter(|p| relevant(places, p))
        .collect()
}

/// A fingerprint of the watched inputs: path, size and modification time of every
/// file. File-system events also report reads (the build itself opens templates and
/// the archive); only a changed fingerprint means an input changed.
fn fingerprint(w: &[Watched]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let mut add = |p: &Path| {
        if let Ok(m) = std::fs::metadata(p) {
            p.hash(&mut h);
            m.len().hash(&mut h);
            if let Ok(t) = m.modified()
                && let Ok(d) = t.duration_since(std::time::UNIX_EPOCH)
            {
                d.as_nanos().hash(&mut h);
            }
        }
    };
    for x in w {
        match x {
            Watched::Dir(d) => {
                let mut files: Vec<PathBuf> = walkdir::WalkDir::new(d)
                    .into_iter()
                    .filter_map(Result::ok)
                    .filter(|e| e.file_type().is_file())
                    .map(|e| e.into_path())
                    .collect();
                files.sort();
                for f in &files {
                    add(f);
                }
            }
            Watched::File { dir, names } => {
                for n in names {
                    add(&dir.join(n));
                }
            }
        }
    }
    h.finish()
}

/// Builds once, then rebuilds after every burst of changes until `stop` is set
/// (checked at least every 100 ms). `on_build` sees every build, the first one with no
/// changed paths. A failed build (e.g. a template syntax error while editing) is
/// reported and the watcher goes on.
pub fn watch(
    opts: &WatchOptions,
    stop: &AtomicBool,
    mut on_build: impl FnMut(Rebuild<'_>),
) -> Result<(), WatchError> {
    let mut build = opts.build.clone();
    let places = watched(opts);
    // a live session: archive changes patch its state, anything else rebuilds
    let (mut session, first) = match crate::site::Session::open(&build) {
        Ok((s, r)) => (Some(s), Ok(r)),
        Err(e) => (None, Err(e)),
    };
    // after the build: opening the archive may create its `-wal` file
    let mut last = fingerprint(&places);
    on_build(Rebuild {
        changed: &[],
        result: &first,
    });
    let (tx, rx) = std::sync::mpsc::channel::<DebounceEventResult>();
    let mut debouncer =
        new_debouncer(opts.debounce, None, tx).map_err(|source| WatchError::Notify {
            path: PathBuf::new(),
            source,
        })?;
    for p in &places {
        let (path, mode) = match p {
            Watched::Dir(d) => (d, RecursiveMode::Recursive),
            Watched::File { dir, .. } => (dir, RecursiveMode::NonRecursive),
        };
        if !path.exists() {
            tracing::warn!(path = %path.display(), "not watched: missing");
            continue;
        }
        debouncer
            .watch(path, mode)
            .map_err(|source| WatchError::Notify {
                path: path.clone(),
                source,
            })?;
    }
    let config = opts.config.as_deref().map(absolute);
    while !stop.load(Ordering::SeqCst) {
        let events = match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(Ok(ev)) => ev,
            Ok(Err(e)) => {
                tracing::warn!(error = ?e, "watch error");
                continue;
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => continue,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        };
        let mut changed = changes(&places, events);
        // more events of the same burst may already wait
        while let Ok(Ok(more)) = rx.try_recv() {
            changed.extend(changes(&places, more));
        }
        if changed.is_empty() {
            continue;
        }
        let now = fingerprint(&places);
        if now == last {
            // nothing changed after all (e.g. a file saved with the same bytes and time)
            continue;
        }
        last = now;
        changed.sort();
        changed.dedup();
        let mut reloaded = false;
        if let (Some(c), Some(reload)) = (&config, &opts.reload)
            && changed.iter().any(|p| p == c)
        {
            match reload() {
                Ok(b) => {
                    build = b;
                    reloaded = true;
                }
                Err(e) => tracing::error!(error = %e, "configuration not reloaded"),
            }
        }
        let archive = absolute(&build.archive);
        let only_archive = changed.iter().all(|p| {
            let p = absolute(p);
            p == archive || p.as_os_str().to_string_lossy() == format!("{}-wal", archive.display())
        });
        let result = match session.as_mut() {
            Some(s) if only_archive && !reloaded => s.update(),
            Some(s) => s.rebuild_with(&build),
            None => crate::site::Session::open(&build).map(|(s, r)| {
                session = Some(s);
                r
            }),
        };
        if result.is_err() {
            session = None;
        }
        on_build(Rebuild {
            changed: &changed,
            result: &result,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relevance() {
        let w = vec![
            Watched::Dir(PathBuf::from("/s/theme")),
            file_watch(Path::new("/s/a.sqlite"), &["-wal"]).unwrap(),
        ];
        assert!(relevant(&w, Path::new("/s/theme/templates/copr.html")));
        assert!(relevant(&w, Path::new("/s/a.sqlite")));
        assert!(relevant(&w, Path::new("/s/a.sqlite-wal")));
        assert!(!relevant(&w, Path::new("/s/a.sqlite-shm")));
        assert!(!relevant(&w, Path::new("/s/public/index.html")));
        assert!(!relevant(&w, Path::new("/s/themes/x")));
    }
}
