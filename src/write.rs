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

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use xxhash_rust::xxh3::{xxh3_64, xxh3_128};

/// One change of a journal batch: a file with its content and shape hashes, or
/// `None` for a file removed.
pub type JournalEntry = (String, Option<(u128, u64)>);

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

/// Relative path of the manifest inside the output directory.
pub const MANIFEST: &str = ".packit-pages/manifest";

/// Folder of the temporary files (renamed into place from there; emptied when a
/// build starts, so a killed build leaves nothing behind in the site).
pub const TMP_DIR: &str = ".packit-pages/tmp";

/// Where live rebuilds append their manifest changes (see [`OutputWriter::journal`]).
pub const JOURNAL: &str = ".packit-pages/manifest.journal";

/// Checks that `rel` is a safe relative path: `/`-separated, no empty, `.` or `..`
/// segments, no segment starting with `.` except the well-known `.nojekyll` and
/// `.packit-pages`, no backslash or NUL.
pub fn check_rel_path(rel: &str) -> Result<(), WriteError> {
    let bad = || WriteError::UnsafePath(rel.to_string());
    if rel.is_empty() || rel.starts_with('/') || rel.contains('\\') || rel.contains('\0') {
        return Err(bad());
    }
    for seg in rel.split('/') {
        if seg.is_empty() || seg == "." || seg == ".." {
            return Err(bad());
        }
        if seg.starts_with('.') && seg != ".nojekyll" && seg != ".packit-pages" {
            return Err(bad());
        }
    }
    if Path::new(rel)
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return Err(bad());
    }
    Ok(())
}

/// Writes files into one output directory; shareable between threads.
pub struct OutputWriter {
    /// Where files go: the output directory, or the staging folder of a first build.
    root: PathBuf,
    /// First build: the output directory that [`OutputWriter::finish`] moves the
    /// staging folder `root` to (see the module doc).
    publish: Option<PathBuf>,
    /// path hash → (content hash, shape hash) of the previous build.
    old: HashMap<u64, (u128, u64)>,
    /// Paths added by the journal that the manifest file does not list.
    journal_paths: Vec<String>,
    /// Paths the journal removed (the manifest file may still list them).
    journal_removed: HashSet<u64>,
    /// The previous build's state line, if the manifest had one.
    old_state: Option<String>,
    /// Whether there is a previous manifest.
    have_manifest: bool,
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
        let mut old = HashMap::new();
        let mut old_state = None;
        let mpath = root.join(MANIFEST);
        let have_manifest = match fs::File::open(&mpath) {
            Ok(f) => {
                let len = f.metadata().map(|m| m.len()).unwrap_or(0);
                old.reserve((len / 90) as usize);
                for_each_line(f, &mpath, |line| {
                    if let Some(st) = line.strip_prefix("#state\t") {
                        old_state = Some(st.to_string());
                    } else if let Some((path, hash, shape)) = parse_line(line) {
                        old.insert(xxh3_64(path.as_bytes()), (hash, shape));
                    }
                })?;
                true
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(e) => return Err(io_err(&mpath)(e)),
        };
        let mut journal_paths = Vec::new();
        let mut journal_removed = HashSet::new();
        if have_manifest {
            let jpath = root.join(JOURNAL);
            if let Ok(text) = fs::read_to_string(&jpath) {
                let mut known: HashSet<u64> = HashSet::new();
                for batch in journal_batches(&text) {
                    for (path, entry) in batch.entries {
                        let key = xxh3_64(path.as_bytes());
                        match entry {
                            Some(e) => {
                                if old.insert(key, e).is_none() && known.insert(key) {
                                    journal_paths.push(path.to_string());
                                }
                                journal_removed.remove(&key);
                            }
                            None => {
                                old.remove(&key);
                                journal_removed.insert(key);
                            }
                        }
                    }
                    old_state = Some(batch.state.to_string());
                }
                journal_paths.retain(|p| old.contains_key(&xxh3_64(p.as_bytes())));
            }
        }
        let mut w = OutputWriter::new(root, None);
        w.old = old;
        w.journal_paths = journal_paths;
        w.journal_removed = journal_removed;
        w.old_state = old_state;
        w.have_manifest = have_manifest;
        w.verify_disk = full || !have_manifest;
        Ok(w)
    }

    fn new(root: PathBuf, publish: Option<PathBuf>) -> OutputWriter {
        OutputWriter {
            root,
            publish,
            old: HashMap::new(),
            journal_paths: Vec::new(),
            journal_removed: HashSet::new(),
            old_state: None,
            have_manifest: false,
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
        self.old_state.as_deref()
    }

    /// Content and shape hash the previous manifest records for `rel`.
    pub fn previous(&self, rel: &str) -> Option<(u128, u64)> {
        self.old.get(&xxh3_64(rel.as_bytes())).copied()
    }

    /// Number of files the previous manifest lists.
    pub fn previous_len(&self) -> usize {
        self.old.len()
    }

    /// Starts the new manifest (streamed to a temporary file; committed by
    /// [`OutputWriter::finish`]) with the build state line `state`.
    pub fn manifest(&self, state: &str) -> Result<ManifestOut, WriteError> {
        ManifestOut::create(&self.root, state)
    }

    /// Streams the previous manifest (file and journal) into a new one, with the
    /// entries of `updates` (path → content hash, shape hash) replaced or added:
    /// the manifest of a build that produced the same files as the last one.
    pub fn carry_manifest(
        &self,
        state: &str,
        updates: &HashMap<String, (u128, u64)>,
    ) -> Result<ManifestOut, WriteError> {
        let mut out = self.manifest(state)?;
        let mut done: HashSet<u64> = HashSet::new();
        self.for_each_previous(|path, hash, shape| {
            let (h, s) = match updates.get(path) {
                Some(e) => {
                    done.insert(xxh3_64(path.as_bytes()));
                    if *e != (hash, shape) {
                        out.differs();
                    }
                    *e
                }
                None => (hash, shape),
            };
            out.line(path, h, s)
        })?;
        let mut extra: Vec<(&String, &(u128, u64))> = updates
            .iter()
            .filter(|(p, _)| !done.contains(&xxh3_64(p.as_bytes())))
            .collect();
        extra.sort();
        for (p, (h, s)) in extra {
            out.differs();
            out.line(p, *h, *s)?;
        }
        Ok(out)
    }

    /// Adds one entry to `out` (path, content hash, shape hash), noting whether the
    /// previous manifest had the same one.
    pub fn entry(
        &self,
        out: &mut ManifestOut,
        path: &str,
        hash: u128,
        shape: u64,
    ) -> Result<(), WriteError> {
        if out.same && self.previous(path) != Some((hash, shape)) {
            out.differs();
        }
        out.line(path, hash, shape)
    }

    /// Calls `f` with every entry of the previous manifest (the file with its
    /// journal applied): path, content hash, shape hash.
    pub fn for_each_previous(
        &self,
        mut f: impl FnMut(&str, u128, u64) -> Result<(), WriteError>,
    ) -> Result<(), WriteError> {
        if !self.have_manifest {
            return Ok(());
        }
        let mpath = self.root.join(MANIFEST);
        let file = fs::File::open(&mpath).map_err(io_err(&mpath))?;
        let mut err = None;
        for_each_line(file, &mpath, |line| {
            if err.is_some() {
                return;
            }
            if let Some((path, _, _)) = parse_line(line) {
                let key = xxh3_64(path.as_bytes());
                if self.journal_removed.contains(&key) {
                    return;
                }
                if let Some((h, s)) = self.old.get(&key)
                    && let Err(e) = f(path, *h, *s)
                {
                    err = Some(e);
                }
            }
        })?;
        if let Some(e) = err {
            return Err(e);
        }
        for p in &self.journal_paths {
            if let Some((h, s)) = self.old.get(&xxh3_64(p.as_bytes())) {
                f(p, *h, *s)?;
            }
        }
        Ok(())
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
            self.old.get(&xxh3_64(rel.as_bytes())).map(|e| e.0) == Some(hash)
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
            let result = (|| {
                let mut f = fs::OpenOptions::new()
                    .write(true)
                    .create(true)
                    .truncate(true)
                    .open(&target)
                    .map_err(io_err(&target))?;
                f.write_all(bytes).map_err(io_err(&target))
            })();
            if result.is_err() {
                let _ = fs::remove_file(&target);
            }
            result?;
            self.written.fetch_add(1, Ordering::Relaxed);
            self.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
            return Ok(Written {
                changed: true,
                hash,
            });
        }
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
            fs::rename(&tmp, &target).map_err(io_err(&target))
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result?;
        self.written.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        Ok(Written {
            changed: true,
            hash,
        })
    }

    /// Makes sure the directory `dir_rel` exists under the root and that neither it
    /// nor any directory above it (inside the root) is a symbolic link.
    fn ensure_dir(&self, dir_rel: &str) -> Result<(), WriteError> {
        if dir_rel.is_empty() {
            return Ok(());
        }
        let key = xxh3_64(dir_rel.as_bytes());
        if self.dirs.lock().expect("dir cache").contains(&key) {
            return Ok(());
        }
        // walk down from the root, checking each level once
        let mut end = 0;
        loop {
            let next = dir_rel[end..].find('/').map(|i| end + i);
            let prefix = match next {
                Some(i) => &dir_rel[..i],
                None => dir_rel,
            };
            let pkey = xxh3_64(prefix.as_bytes());
            let known = self.dirs.lock().expect("dir cache").contains(&pkey);
            if !known {
                let p = self.root.join(prefix);
                // in a fresh staging folder most directories are new: try to create
                // first (one syscall), look only when one is already there
                let created = self.publish.is_some() && fs::create_dir(&p).is_ok();
                if !created {
                    match fs::symlink_metadata(&p) {
                        Ok(m) if m.file_type().is_symlink() => return Err(WriteError::Symlink(p)),
                        Ok(m) if m.is_dir() => {}
                        Ok(_) => {
                            // a file where a directory must go (left by an older layout)
                            fs::remove_file(&p).map_err(io_err(&p))?;
                            fs::create_dir(&p).map_err(io_err(&p))?;
                        }
                        Err(e) if e.kind() == io::ErrorKind::NotFound => match fs::create_dir(&p) {
                            Ok(()) => {}
                            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                                let m = fs::symlink_metadata(&p).map_err(io_err(&p))?;
                                if !m.is_dir() {
                                    return Err(WriteError::Symlink(p));
                                }
                            }
                            Err(e) => return Err(io_err(&p)(e)),
                        },
                        Err(e) => return Err(io_err(&p)(e)),
                    }
                }
                self.dirs.lock().expect("dir cache").insert(pkey);
            }
            match next {
                Some(i) => end = i + 1,
                None => break,
            }
        }
        Ok(())
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
        if same && lines == self.old.len() && self.have_manifest && !journal {
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
            self.have_manifest = true;
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

    /// Records what a live rebuild did without rewriting the manifest: appends one
    /// batch to the manifest journal (`entries`: path → content and shape hashes,
    /// `None` for a removed file) ending with the new build `state`, and applies it
    /// to this writer's view of the previous build. A batch counts only once its
    /// state line is complete, so a crash mid-append leaves the previous state
    /// (and the next build compares by hash, so files written since are redone at
    /// worst); the next [`OutputWriter::finish`] folds the journal into the
    /// manifest.
    pub fn journal(&mut self, state: &str, entries: &[JournalEntry]) -> Result<(), WriteError> {
        let mut buf = Vec::with_capacity(entries.len() * 96 + state.len() + 8);
        for (p, e) in entries {
            check_rel_path(p)?;
            match e {
                Some((h, s)) => manifest_line(&mut buf, p, *h, *s),
                None => {
                    buf.extend_from_slice(b"-\t");
                    buf.extend_from_slice(p.as_bytes());
                    buf.push(b'\n');
                }
            }
        }
        manifest_header(&mut buf, state);
        if !self.have_manifest {
            // nothing to append to: start an empty manifest first
            let out = self.manifest("")?;
            let _ = self.finish(out)?;
            self.have_manifest = true;
        }
        let jpath = self.root.join(JOURNAL);
        let mut f = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&jpath)
            .map_err(io_err(&jpath))?;
        f.write_all(&buf).map_err(io_err(&jpath))?;
        for (p, e) in entries {
            let key = xxh3_64(p.as_bytes());
            match e {
                Some(e) => {
                    if self.old.insert(key, *e).is_none() {
                        self.journal_paths.push(p.clone());
                    }
                    self.journal_removed.remove(&key);
                }
                None => {
                    self.old.remove(&key);
                    self.journal_removed.insert(key);
                }
            }
        }
        self.old_state = Some(state.to_string());
        self.verify_disk = false;
        Ok(())
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

    fn is_inside_without_symlinks(&self, rel: &str) -> bool {
        let mut cur = self.root.clone();
        let segs: Vec<&str> = rel.split('/').collect();
        for seg in &segs[..segs.len().saturating_sub(1)] {
            cur.push(seg);
            match fs::symlink_metadata(&cur) {
                Ok(m) if m.is_dir() => {}
                _ => return false,
            }
        }
        true
    }
}

impl Drop for OutputWriter {
    /// A first build that did not finish removes its staging folder.
    fn drop(&mut self) {
        if self.publish.is_some() {
            let _ = fs::remove_dir_all(&self.root);
        }
    }
}

const STAGING_TAG: &str = ".packit-pages-new-";

/// For an output directory `out` that is missing or empty: a new staging folder
/// beside it and the absolute output path. Removes the staging folders killed
/// builds left there. `None` when `out` has files (or its parent cannot take a
/// staging folder: then the build writes in place, file by file).
fn staging_for(out: &Path) -> Result<Option<(PathBuf, PathBuf)>, WriteError> {
    match fs::read_dir(out) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Ok(None);
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) if e.kind() == io::ErrorKind::NotADirectory => {
            return Err(io_err(out)(e));
        }
        Err(_) => return Ok(None),
    }
    let abs = std::path::absolute(out).map_err(io_err(out))?;
    let (Some(parent), Some(name)) = (abs.parent(), abs.file_name()) else {
        return Ok(None);
    };
    let name = name.to_string_lossy();
    fs::create_dir_all(parent).map_err(io_err(parent))?;
    let parent = parent.canonicalize().map_err(io_err(parent))?;
    let prefix = format!(".{name}{STAGING_TAG}");
    if let Ok(entries) = fs::read_dir(&parent) {
        for e in entries.flatten() {
            let n = e.file_name();
            let n = n.to_string_lossy();
            // `PID-N`: the folders of builds that no longer run
            let stale = n
                .strip_prefix(&prefix)
                .and_then(|rest| rest.split('-').next())
                .and_then(|pid| pid.parse::<u32>().ok())
                .is_some_and(|pid| !process_alive(pid));
            if stale {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let seq = SEQ.fetch_add(1, Ordering::Relaxed);
    let staging = parent.join(format!("{prefix}{}-{seq}", std::process::id()));
    if fs::create_dir(&staging).is_err() {
        return Ok(None);
    }
    Ok(Some((staging, parent.join(name.as_ref()))))
}

/// Whether a process `pid` runs.
fn process_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    if cfg!(target_os = "linux") {
        Path::new(&format!("/proc/{pid}")).exists()
    } else {
        // no cheap check elsewhere: treat every other build's folder as live
        true
    }
}

/// Moves the finished staging folder to `out`: one rename when `out` is missing,
/// else (an empty directory) one rename per top-level entry, the state folder
/// last, then removes the staging folder.
fn publish(staging: &Path, out: &Path) -> Result<(), WriteError> {
    if fs::symlink_metadata(out).is_err() && fs::rename(staging, out).is_ok() {
        sync_parent(out);
        return Ok(());
    }
    let mut entries: Vec<std::ffi::OsString> = fs::read_dir(staging)
        .map_err(io_err(staging))?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<Result<_, _>>()
        .map_err(io_err(staging))?;
    // `.packit-pages` (the manifest) last: until it is there, a later build
    // compares with the disk
    entries.sort_by_key(|n| n == ".packit-pages");
    for n in entries {
        let to = out.join(&n);
        fs::rename(staging.join(&n), &to).map_err(io_err(&to))?;
    }
    fs::remove_dir(staging).map_err(io_err(staging))?;
    if let Ok(d) = fs::File::open(out) {
        let _ = d.sync_all();
    }
    sync_parent(out);
    Ok(())
}

fn sync_parent(p: &Path) {
    if let Some(d) = p.parent().and_then(|d| fs::File::open(d).ok()) {
        let _ = d.sync_all();
    }
}

/// Appends the manifest's header line carrying the build driver's `state` (one
/// line of text; tabs and newlines are replaced by spaces).
pub fn manifest_header(out: &mut Vec<u8>, state: &str) {
    out.extend_from_slice(b"#state\t");
    out.extend(
        state
            .bytes()
            .map(|b| if b == b'\n' || b == b'\t' { b' ' } else { b }),
    );
    out.push(b'\n');
}

/// Appends one manifest line: content hash, shape hash, path.
pub fn manifest_line(out: &mut Vec<u8>, path: &str, hash: u128, shape: u64) {
    use std::io::Write as _;
    let _ = writeln!(out, "{hash:032x}\t{shape:016x}\t{path}");
}

/// The state line of a manifest text, if it has one.
pub fn manifest_state(text: &str) -> Option<&str> {
    text.lines().next().and_then(|l| l.strip_prefix("#state\t"))
}

/// Parses one manifest entry line: path, content hash, shape hash (0 for the
/// older two-column form). `None` for headers and malformed lines.
fn parse_line(l: &str) -> Option<(&str, u128, u64)> {
    if l.starts_with('#') {
        return None;
    }
    let (h, rest) = l.split_once('\t')?;
    let hash = u128::from_str_radix(h, 16).ok()?;
    match rest.split_once('\t') {
        Some((s, p)) if s.len() == 16 => Some((p, hash, u64::from_str_radix(s, 16).ok()?)),
        _ => Some((rest, hash, 0)),
    }
}

/// The entries of a manifest text, in order: path, content hash, shape hash.
pub fn parse_manifest(text: &str) -> impl Iterator<Item = (&str, u128, u64)> {
    text.lines().filter_map(parse_line)
}

/// Reads a file line by line, without holding it whole in memory.
fn for_each_line(file: fs::File, path: &Path, mut f: impl FnMut(&str)) -> Result<(), WriteError> {
    use std::io::BufRead as _;
    let mut r = io::BufReader::with_capacity(1 << 16, file);
    let mut line = String::new();
    loop {
        line.clear();
        match r.read_line(&mut line) {
            Ok(0) => return Ok(()),
            Ok(_) => f(line.strip_suffix('\n').unwrap_or(&line)),
            Err(e) if e.kind() == io::ErrorKind::InvalidData => continue,
            Err(e) => return Err(io_err(path)(e)),
        }
    }
}

/// One complete batch of the manifest journal.
struct JournalBatch<'a> {
    entries: Vec<(&'a str, Option<(u128, u64)>)>,
    state: &'a str,
}

/// The complete batches of a journal text; a trailing batch without its state
/// line (a crash mid-append) is left out.
fn journal_batches(text: &str) -> Vec<JournalBatch<'_>> {
    let mut out = Vec::new();
    let mut entries = Vec::new();
    let mut rest = text;
    while let Some(nl) = rest.find('\n') {
        let line = &rest[..nl];
        rest = &rest[nl + 1..];
        if let Some(state) = line.strip_prefix("#state\t") {
            out.push(JournalBatch {
                entries: std::mem::take(&mut entries),
                state,
            });
        } else if let Some(p) = line.strip_prefix("-\t") {
            entries.push((p, None));
        } else if let Some((p, h, s)) = parse_line(line) {
            entries.push((p, Some((h, s))));
        }
    }
    out
}

/// A manifest being written: streamed to a temporary file beside the real one,
/// remembering which paths it lists (to remove the others at the end) and whether
/// it is, line for line, the previous one.
pub struct ManifestOut {
    file: io::BufWriter<fs::File>,
    tmp: PathBuf,
    keep: HashSet<u64>,
    same: bool,
    lines: usize,
}

impl ManifestOut {
    fn create(root: &Path, state: &str) -> Result<ManifestOut, WriteError> {
        let dir = root.join(".packit-pages");
        fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        let tmp = root.join(".packit-pages/manifest.tmp");
        let f = fs::File::create(&tmp).map_err(io_err(&tmp))?;
        let mut head = Vec::new();
        manifest_header(&mut head, state);
        let old_head = {
            use std::io::BufRead as _;
            let mut l = String::new();
            fs::File::open(root.join(MANIFEST))
                .ok()
                .and_then(|f| io::BufReader::new(f).read_line(&mut l).ok())
                .map(|_| l)
                .unwrap_or_default()
        };
        let mut out = ManifestOut {
            file: io::BufWriter::with_capacity(1 << 16, f),
            tmp,
            keep: HashSet::new(),
            same: old_head.as_bytes() == head.as_slice(),
            lines: 0,
        };
        out.file.write_all(&head).map_err(io_err(&out.tmp))?;
        Ok(out)
    }

    /// Adds one entry: path, content hash, shape hash.
    fn line(&mut self, path: &str, hash: u128, shape: u64) -> Result<(), WriteError> {
        let mut buf = Vec::with_capacity(path.len() + 52);
        manifest_line(&mut buf, path, hash, shape);
        self.file.write_all(&buf).map_err(io_err(&self.tmp))?;
        self.keep.insert(xxh3_64(path.as_bytes()));
        self.lines += 1;
        Ok(())
    }

    /// Marks the manifest as different from the previous one.
    fn differs(&mut self) {
        self.same = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmpdir(tag: &str) -> PathBuf {
        let p = std::env::temp_dir().join(format!("pp-write-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&p);
        fs::create_dir_all(&p).unwrap();
        p
    }

    #[test]
    fn rejects_escaping_paths() {
        for bad in [
            "../x",
            "a/../../x",
            "/etc/passwd",
            "a//b",
            "a/./b",
            ".hidden",
            "a\\b",
            "",
        ] {
            assert!(check_rel_path(bad).is_err(), "{bad}");
        }
        assert!(check_rel_path("jobs/copr/1/index.html").is_ok());
        assert!(check_rel_path(".nojekyll").is_ok());
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

    #[test]
    fn journal_batches_apply_and_fold_into_the_manifest() {
        let d = tmpdir("journal");
        let mut w = OutputWriter::open(&d, false).unwrap();
        let mut m = w.manifest("s1").unwrap();
        for p in ["a/index.html", "b/index.html"] {
            let r = w.write(p, p.as_bytes()).unwrap();
            w.entry(&mut m, p, r.hash, 1).unwrap();
        }
        w.finish(m).unwrap();

        let mut w = OutputWriter::open(&d, false).unwrap();
        let r = w.write("c/index.html", b"C").unwrap();
        assert!(w.remove_one("b/index.html").unwrap());
        w.journal(
            "s2",
            &[
                ("c/index.html".into(), Some((r.hash, 5))),
                ("b/index.html".into(), None),
            ],
        )
        .unwrap();
        assert_eq!(w.previous("c/index.html"), Some((r.hash, 5)));
        assert_eq!(w.previous("b/index.html"), None);
        // a batch cut short by a crash (no state line) does not count
        let mut j = fs::OpenOptions::new()
            .append(true)
            .open(d.join(JOURNAL))
            .unwrap();
        j.write_all(b"-\ta/index.html\n#sta").unwrap();
        drop(j);

        let mut w = OutputWriter::open(&d, false).unwrap();
        assert_eq!(w.previous_state(), Some("s2"));
        assert_eq!(w.previous("c/index.html"), Some((r.hash, 5)));
        assert_eq!(w.previous("b/index.html"), None);
        assert!(w.previous("a/index.html").is_some());
        let mut seen = Vec::new();
        w.for_each_previous(|p, _, _| {
            seen.push(p.to_string());
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, ["a/index.html", "c/index.html"]);

        // a full build folds the journal into the manifest and removes it
        let mut m = w.manifest("s3").unwrap();
        for p in ["a/index.html", "c/index.html"] {
            let (h, s) = w.previous(p).unwrap();
            w.entry(&mut m, p, h, s).unwrap();
        }
        w.finish(m).unwrap();
        assert!(!d.join(JOURNAL).exists());
        let w = OutputWriter::open(&d, false).unwrap();
        assert_eq!(w.previous_state(), Some("s3"));
        assert_eq!(w.previous("c/index.html"), Some((r.hash, 5)));
        assert_eq!(w.previous_len(), 2);
        fs::remove_dir_all(&d).unwrap();
    }

    fn staging_left(parent: &Path) -> Vec<String> {
        fs::read_dir(parent)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(STAGING_TAG))
            .collect()
    }

    #[test]
    fn first_build_is_staged_and_published_whole() {
        let d = tmpdir("stage");
        let out = d.join("site");
        // a killed build's staging folder (no such process) is cleared away
        let dead = d.join(format!(".site{STAGING_TAG}999999999-0"));
        fs::create_dir_all(dead.join("jobs")).unwrap();
        let mut w = OutputWriter::open(&out, false).unwrap();
        assert!(w.is_staged());
        assert!(!dead.exists(), "stale staging folder removed");
        let mut m = w.manifest("s1").unwrap();
        for (p, b) in [("index.html", "I"), ("a/b/index.html", "B")] {
            let r = w.write(p, b.as_bytes()).unwrap();
            assert!(r.changed);
            w.entry(&mut m, p, r.hash, 0).unwrap();
        }
        // nothing is visible before the build is done
        assert!(!out.exists());
        let (s, _) = w.finish(m).unwrap();
        assert_eq!((s.written, s.bytes_written), (2, 2));
        assert_eq!(w.root(), out.canonicalize().unwrap());
        assert!(!w.is_staged());
        assert_eq!(fs::read(out.join("a/b/index.html")).unwrap(), b"B");
        assert!(staging_left(&d).is_empty());
        let w = OutputWriter::open(&out, false).unwrap();
        assert!(!w.is_staged());
        assert_eq!(w.previous_state(), Some("s1"));
        assert!(w.previous("a/b/index.html").is_some());
        drop(w);

        // a first build that fails leaves the output as it was, and no staging folder
        let out2 = d.join("site2");
        let w = OutputWriter::open(&out2, false).unwrap();
        w.write("x/index.html", b"x").unwrap();
        assert!(w.write("../escape.html", b"x").is_err());
        drop(w);
        assert!(!out2.exists());
        assert!(staging_left(&d).is_empty());
        fs::remove_dir_all(&d).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn first_build_into_an_empty_directory_keeps_the_directory() {
        use std::os::unix::fs::MetadataExt as _;
        let d = tmpdir("stage-empty");
        let out = d.join("public");
        fs::create_dir(&out).unwrap();
        let ino = fs::metadata(&out).unwrap().ino();
        let mut w = OutputWriter::open(&out, false).unwrap();
        assert!(w.is_staged());
        let mut m = w.manifest("s1").unwrap();
        let r = w.write("p/index.html", b"P").unwrap();
        w.entry(&mut m, "p/index.html", r.hash, 0).unwrap();
        assert!(fs::read_dir(&out).unwrap().next().is_none());
        w.finish(m).unwrap();
        assert_eq!(fs::metadata(&out).unwrap().ino(), ino);
        assert_eq!(fs::read(out.join("p/index.html")).unwrap(), b"P");
        assert!(out.join(MANIFEST).exists());
        assert!(staging_left(&d).is_empty());
        fs::remove_dir_all(&d).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn refuses_symlinked_directories() {
        let d = tmpdir("link");
        let outside = tmpdir("outside");
        std::os::unix::fs::symlink(&outside, d.join("jobs")).unwrap();
        let w = OutputWriter::open(&d, false).unwrap();
        assert!(matches!(
            w.write("jobs/x/index.html", b"x"),
            Err(WriteError::Symlink(_))
        ));
        assert!(fs::read_dir(&outside).unwrap().next().is_none());
        fs::remove_dir_all(&d).unwrap();
        fs::remove_dir_all(&outside).unwrap();
    }
}
