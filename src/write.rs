//! The output writer: puts rendered files into the output directory atomically and
//! skips files whose bytes are already there.
//!
//! Every file is written to a temporary name in its own directory with one
//! `write_all` and then renamed over the target, so a reader (or a crash) only ever
//! sees the old or the new file, never a torn one. A manifest of xxh3-128 content
//! hashes (`DIR/.packit-pages/manifest`) remembers what the previous build wrote; a
//! file whose hash equals the manifest's is not touched. Without a manifest (first
//! build into an existing folder, or `--full`) the writer compares with the file on
//! disk instead. Files the previous manifest lists and this build does not produce
//! are removed at the end.
//!
//! The manifest also carries, per file, the *shape* hash the build driver computed
//! from the catalog data the page shows (so a later build can tell which pages a
//! structural change touches), and one header line with the driver's build state
//! (archive revision, template and content hashes): together they are what makes
//! incremental rebuilds possible, and they are committed in one rename.
//!
//! Crash safety: each rename is atomic, and the manifest is committed last (itself
//! through a temporary file and a rename, followed by one directory sync). After a
//! crash the old manifest is still in place; it may describe files that were since
//! replaced, so a rerun compares by hash, finds them different from the manifest,
//! and rewrites them (rewriting equal bytes is harmless), and files that were
//! already removed are simply gone. A rerun therefore always produces the correct
//! site. No per-file fsync is done: the site is a cache of the archive and can be
//! rebuilt.
//!
//! A first build into a missing or empty output directory is atomic as a whole:
//! it writes into a fresh staging folder beside the output directory
//! (`.NAME.packit-pages-new-PID-N`, with nothing there to compare with), and
//! [`OutputWriter::finish`] publishes it whole:
//! one rename when the output directory does not exist, else one rename per
//! top-level entry into the empty directory (kept, with its owner, permissions and
//! any process sitting in it), the `.packit-pages` state folder last. A failed
//! build removes its staging folder; a killed one leaves it to be removed by the
//! next build. Either way the output directory stays as it was: empty.
//!
//! Nothing is ever written outside the output directory: every relative path is
//! checked (no `..`, no absolute path, no empty or dot-leading segment) and the
//! directories on the way are checked not to be symbolic links.

mod manifest;
mod paths;
mod staging;

pub use self::manifest::{
    JOURNAL, JournalEntry, MANIFEST, ManifestOut, manifest_header, manifest_line, manifest_state,
    parse_manifest,
};
pub use self::paths::check_rel_path;

use self::manifest::Previous;
use self::staging::{publish, staging_for, write_staged};
use std::collections::HashSet;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use xxhash_rust::xxh3::{xxh3_64, xxh3_128};

/// Errors of the writer.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// A path would leave the output directory or is malformed.
    #[error("refusing to write unsafe path {0:?}")]
    UnsafePath(String),
    /// A directory on the way is a symbolic link.
    #[error("refusing to write through symbolic link {0}")]
    Symlink(PathBuf),
    /// File system error.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// Cause.
        #[source]
        source: io::Error,
    },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Counts of what a build did to the output directory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct WriteStats {
    /// Files written (new or changed).
    pub written: u64,
    /// Files left as they were (same bytes).
    pub unchanged: u64,
    /// Files of the previous build removed because this build no longer has them.
    pub removed: u64,
    /// Bytes written.
    pub bytes_written: u64,
}

/// Folder of the temporary files (renamed into place from there; emptied when a
/// build starts, so a killed build leaves nothing behind in the site).
pub const TMP_DIR: &str = ".packit-pages/tmp";

/// Writes files into one output directory; shareable between threads.
pub struct OutputWriter {
    /// Where files go: the output directory, or the staging folder of a first build.
    root: PathBuf,
    /// First build: the output directory that [`OutputWriter::finish`] moves the
    /// staging folder `root` to (see the module doc).
    publish: Option<PathBuf>,
    /// What the previous build left: its manifest with the journal applied.
    prev: Previous,
    /// Whether to compare with the disk instead of trusting the manifest.
    verify_disk: bool,
    /// Directories known to exist and not to be symlinks (hashes of relative paths).
    dirs: Mutex<HashSet<u64>>,
    written: AtomicU64,
    unchanged: AtomicU64,
    bytes: AtomicU64,
    tmp_counter: AtomicU64,
}

/// What the writer did with one file, plus the line for the new manifest.
#[derive(Debug)]
pub struct Written {
    /// Whether the file was (re)written.
    pub changed: bool,
    /// Content hash.
    pub hash: u128,
}

impl OutputWriter {
    /// Opens (creating) `root`. With `full`, the previous manifest is not trusted and
    /// every file is compared with the disk.
    pub fn open(root: &Path, full: bool) -> Result<OutputWriter, WriteError> {
        if let Some((staging, publish)) = staging_for(root)? {
            let tmp = staging.join(TMP_DIR);
            fs::create_dir_all(&tmp).map_err(io_err(&tmp))?;
            return Ok(OutputWriter::new(staging, Some(publish)));
        }
        fs::create_dir_all(root).map_err(io_err(root))?;
        let root = root.canonicalize().map_err(io_err(root))?;
        let tmp = root.join(TMP_DIR);
        match fs::symlink_metadata(root.join(".packit-pages")) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(WriteError::Symlink(root.join(".packit-pages")));
            }
            _ => {}
        }
        let _ = fs::remove_dir_all(&tmp);
        fs::create_dir_all(&tmp).map_err(io_err(&tmp))?;
        let prev = Previous::read(&root)?;
        let mut w = OutputWriter::new(root, None);
        w.verify_disk = full || !prev.have_manifest;
        w.prev = prev;
        Ok(w)
    }

    fn new(root: PathBuf, publish: Option<PathBuf>) -> OutputWriter {
        OutputWriter {
            root,
            publish,
            prev: Previous::default(),
            verify_disk: false,
            dirs: Mutex::new(HashSet::new()),
            written: AtomicU64::new(0),
            unchanged: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            tmp_counter: AtomicU64::new(0),
        }
    }

    /// Where files are written (canonical): the output directory, or during a
    /// first build its staging folder (the output directory after
    /// [`OutputWriter::finish`]).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether this is a first build written into a staging folder.
    pub fn is_staged(&self) -> bool {
        self.publish.is_some()
    }

    /// The state line the previous build committed with its manifest.
    pub fn previous_state(&self) -> Option<&str> {
        self.prev.state.as_deref()
    }

    /// Content and shape hash the previous manifest records for `rel`.
    pub fn previous(&self, rel: &str) -> Option<(u128, u64)> {
        self.prev.old.get(&xxh3_64(rel.as_bytes())).copied()
    }

    /// Number of files the previous manifest lists.
    pub fn previous_len(&self) -> usize {
        self.prev.old.len()
    }

    /// Writes `bytes` to `rel` unless the same bytes are already there.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<Written, WriteError> {
        check_rel_path(rel)?;
        let hash = xxh3_128(bytes);
        let target = self.root.join(rel);
        let same = if self.publish.is_some() {
            // a fresh staging folder of our own: nothing there to compare with
            false
        } else if self.verify_disk {
            match fs::read(&target) {
                Ok(existing) => existing == bytes,
                Err(_) => false,
            }
        } else {
            self.prev.old.get(&xxh3_64(rel.as_bytes())).map(|e| e.0) == Some(hash)
        };
        if same {
            self.unchanged.fetch_add(1, Ordering::Relaxed);
            return Ok(Written {
                changed: false,
                hash,
            });
        }
        let dir_rel = rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        self.ensure_dir(dir_rel)?;
        if self.publish.is_some() {
            // a staging folder is unseen until it is published whole: its files need
            // no temporary name (one rename less per file)
            write_staged(&target, bytes)?;
        } else {
            self.replace(&target, bytes)?;
        }
        self.written.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        Ok(Written {
            changed: true,
            hash,
        })
    }

    /// Writes `bytes` to a temporary file and renames it over `target`: a reader (or a
    /// crash) sees the old file or the new one, never a torn one.
    fn replace(&self, target: &Path, bytes: &[u8]) -> Result<(), WriteError> {
        let n = self.tmp_counter.fetch_add(1, Ordering::Relaxed);
        let tmp = self
            .root
            .join(format!("{TMP_DIR}/{}-{n}", std::process::id()));
        let result = (|| {
            let mut f = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp)
                .map_err(io_err(&tmp))?;
            f.write_all(bytes).map_err(io_err(&tmp))?;
            drop(f);
            fs::rename(&tmp, target).map_err(io_err(target))
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }

    /// Ends the build: removes the files the previous manifest lists and `manifest`
    /// does not (and directories left empty), then commits the new manifest (one
    /// rename, one directory sync) and drops the journal. Returns the statistics
    /// and the removed paths. A first build's staging folder is then published as
    /// the output directory (see the module doc), which [`OutputWriter::root`]
    /// names from then on.
    pub fn finish(
        &mut self,
        manifest: ManifestOut,
    ) -> Result<(WriteStats, Vec<String>), WriteError> {
        let ManifestOut {
            file,
            tmp,
            keep,
            same,
            lines,
            ..
        } = manifest;
        let mut removed = Vec::new();
        let mut dirs_to_prune = Vec::new();
        let mut err = None;
        self.for_each_previous(|path, _, _| {
            if keep.contains(&xxh3_64(path.as_bytes())) || check_rel_path(path).is_err() {
                return Ok(());
            }
            match self.remove_one(path) {
                Ok(true) => {
                    removed.push(path.to_string());
                    if let Some((d, _)) = path.rsplit_once('/') {
                        dirs_to_prune.push(d.to_string());
                    }
                }
                Ok(false) => {}
                Err(e) => err = Some(e),
            }
            Ok(())
        })?;
        if let Some(e) = err {
            return Err(e);
        }
        self.prune_dirs(dirs_to_prune);
        drop(
            file.into_inner()
                .map_err(|e| io_err(&tmp)(e.into_error()))?,
        );
        let _ = fs::remove_dir(self.root.join(TMP_DIR));
        let jpath = self.root.join(JOURNAL);
        let journal = jpath.exists();
        // nothing changed: keep the manifest (and its modification time) as it is
        if same && lines == self.prev.old.len() && self.prev.have_manifest && !journal {
            let _ = fs::remove_file(&tmp);
            return Ok((self.stats(removed.len() as u64), removed));
        }
        let mpath = self.root.join(MANIFEST);
        // the journal goes first: a crash before the rename leaves the older
        // manifest alone, which only makes the next build do more work
        if journal {
            fs::remove_file(&jpath).map_err(io_err(&jpath))?;
        }
        fs::rename(&tmp, &mpath).map_err(io_err(&mpath))?;
        if let Ok(d) = fs::File::open(self.root.join(".packit-pages")) {
            let _ = d.sync_all();
        }
        if let Ok(d) = fs::File::open(&self.root) {
            let _ = d.sync_all();
        }
        if let Some(out) = self.publish.take() {
            publish(&self.root, &out)?;
            self.root = out;
            self.prev.have_manifest = true;
            self.dirs.lock().expect("dir cache").clear();
        }
        Ok((self.stats(removed.len() as u64), removed))
    }

    /// Removes the output file `rel` (a page the site no longer has), checking the
    /// path first. Returns whether there was a file.
    pub fn remove_one(&self, rel: &str) -> Result<bool, WriteError> {
        check_rel_path(rel)?;
        if !self.is_inside_without_symlinks(rel) {
            return Ok(false);
        }
        let p = self.root.join(rel);
        match fs::remove_file(&p) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(io_err(&p)(e)),
        }
    }

    /// Removes the directories of `dirs` (and their parents) that are empty, deepest
    /// first.
    pub fn prune_dirs(&self, mut dirs: Vec<String>) {
        if dirs.is_empty() {
            return;
        }
        dirs.sort_by_key(|d| std::cmp::Reverse(d.matches('/').count()));
        dirs.dedup();
        for d in dirs {
            let mut cur = d.as_str();
            loop {
                if fs::remove_dir(self.root.join(cur)).is_err() {
                    break;
                }
                match cur.rsplit_once('/') {
                    Some((parent, _)) => cur = parent,
                    None => break,
                }
            }
        }
        // directories may be gone: check them again when next written to
        if let Ok(mut set) = self.dirs.lock() {
            set.clear();
        }
    }

    /// Size in bytes of the manifest journal (0 when there is none).
    pub fn journal_len(&self) -> u64 {
        fs::metadata(self.root.join(JOURNAL))
            .map(|m| m.len())
            .unwrap_or(0)
    }

    /// Resets the per-build counters (a live session reuses one writer).
    pub fn reset_stats(&self) {
        self.written.store(0, Ordering::Relaxed);
        self.unchanged.store(0, Ordering::Relaxed);
        self.bytes.store(0, Ordering::Relaxed);
    }

    /// The counters so far, with `removed` files removed.
    pub fn stats(&self, removed: u64) -> WriteStats {
        WriteStats {
            written: self.written.load(Ordering::Relaxed),
            unchanged: self.unchanged.load(Ordering::Relaxed),
            removed,
            bytes_written: self.bytes.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn tmpdir(tag: &str) -> PathBuf {
        let p = std::env::temp_dir().join(format!("pp-write-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&p);
        fs::create_dir_all(&p).unwrap();
        p
    }

    #[test]
    fn skips_unchanged_and_removes_stale() {
        let d = tmpdir("skip");
        let mut w = OutputWriter::open(&d, false).unwrap();
        let mut m = w.manifest("s1").unwrap();
        for (p, b) in [("a/index.html", "A"), ("b/c/index.html", "C")] {
            let r = w.write(p, b.as_bytes()).unwrap();
            assert!(r.changed);
            w.entry(&mut m, p, r.hash, 0).unwrap();
        }
        let (s, _) = w.finish(m).unwrap();
        assert_eq!((s.written, s.unchanged, s.removed), (2, 0, 0));

        let mut w = OutputWriter::open(&d, false).unwrap();
        assert_eq!(w.previous_state(), Some("s1"));
        let mut m = w.manifest("s2").unwrap();
        let r = w.write("a/index.html", b"A").unwrap();
        assert!(!r.changed);
        w.entry(&mut m, "a/index.html", r.hash, 7).unwrap();
        let (s, removed) = w.finish(m).unwrap();
        assert_eq!((s.written, s.unchanged, s.removed), (0, 1, 1));
        assert_eq!(removed, vec!["b/c/index.html".to_string()]);
        let mut w = OutputWriter::open(&d, false).unwrap();
        assert_eq!(w.previous("a/index.html").map(|e| e.1), Some(7));
        assert_eq!(w.previous_state(), Some("s2"));
        assert!(!d.join("b/c/index.html").exists());
        assert!(!d.join("b").exists(), "empty dirs pruned");

        // the same manifest again: not rewritten
        let mtime = |d: &Path| fs::metadata(d.join(MANIFEST)).unwrap().modified().unwrap();
        let before = mtime(&d);
        std::thread::sleep(std::time::Duration::from_millis(20));
        let r = w.write("a/index.html", b"A").unwrap();
        let mut m = w.manifest("s2").unwrap();
        w.entry(&mut m, "a/index.html", r.hash, 7).unwrap();
        w.finish(m).unwrap();
        assert_eq!(mtime(&d), before);
        assert!(!d.join(".packit-pages/manifest.tmp").exists());

        // without a manifest, the disk is compared
        fs::remove_file(d.join(MANIFEST)).unwrap();
        let w = OutputWriter::open(&d, false).unwrap();
        assert!(!w.write("a/index.html", b"A").unwrap().changed);
        assert!(w.write("a/index.html", b"B").unwrap().changed);
        assert_eq!(fs::read(d.join("a/index.html")).unwrap(), b"B");
        fs::remove_dir_all(&d).unwrap();
    }
}
