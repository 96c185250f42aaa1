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
    root: PathBuf,
    /// path hash → (content hash, shape hash) of the previous build.
    old: HashMap<u64, (u128, u64)>,
    /// The previous manifest's text (for carrying entries over).
    old_text: String,
    /// The previous build's state line, if the manifest had one.
    old_state: Option<String>,
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
        let mut have_manifest = false;
        let mut old_state = None;
        let old_text = fs::read_to_string(root.join(MANIFEST)).unwrap_or_default();
        if !old_text.is_empty() {
            have_manifest = true;
            old_state = manifest_state(&old_text).map(String::from);
            old.reserve(old_text.len() / 64);
            for (path, hash, shape) in parse_manifest(&old_text) {
                old.insert(xxh3_64(path.as_bytes()), (hash, shape));
            }
        }
        Ok(OutputWriter {
            root,
            old,
            old_text,
            old_state,
            verify_disk: full || !have_manifest,
            dirs: Mutex::new(HashSet::new()),
            written: AtomicU64::new(0),
            unchanged: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            tmp_counter: AtomicU64::new(0),
        })
    }

    /// The output directory (canonical).
    pub fn root(&self) -> &Path {
        &self.root
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

    /// A new manifest: the previous one with `updates` (path → content and shape
    /// hash) applied, under the state line `state`. For builds that know the set
    /// of files did not change and rendered only some of them.
    pub fn carry_manifest(&self, state: &str, updates: &HashMap<String, (u128, u64)>) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.old_text.len() + 256);
        manifest_header(&mut out, state);
        for (path, hash, shape) in parse_manifest(&self.old_text) {
            let (h, s) = updates.get(path).copied().unwrap_or((hash, shape));
            manifest_line(&mut out, path, h, s);
        }
        out
    }

    /// Writes `bytes` to `rel` unless the same bytes are already there.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<Written, WriteError> {
        check_rel_path(rel)?;
        let hash = xxh3_128(bytes);
        let target = self.root.join(rel);
        let same = if self.verify_disk {
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
                self.dirs.lock().expect("dir cache").insert(pkey);
            }
            match next {
                Some(i) => end = i + 1,
                None => break,
            }
        }
        Ok(())
    }

    /// Finishes a build: removes files of the previous manifest that the new one no
    /// longer lists, writes the new manifest atomically, syncs the directory.
    /// Returns the counts and the removed files.
    pub fn finish(&self, new_manifest: &[u8]) -> Result<(WriteStats, Vec<String>), WriteError> {
        let mut keep: HashSet<u64> = HashSet::new();
        for (path, _, _) in parse_manifest(std::str::from_utf8(new_manifest).unwrap_or("")) {
            keep.insert(xxh3_64(path.as_bytes()));
        }
        let mut removed = Vec::new();
        let mpath = self.root.join(MANIFEST);
        {
            let text = &self.old_text;
            let mut dirs_to_prune = Vec::new();
            for (path, _, _) in parse_manifest(text) {
                if keep.contains(&xxh3_64(path.as_bytes())) || check_rel_path(path).is_err() {
                    continue;
                }
                if self.is_inside_without_symlinks(path) {
                    let p = self.root.join(path);
                    match fs::remove_file(&p) {
                        Ok(()) => removed.push(path.to_string()),
                        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                        Err(e) => return Err(io_err(&p)(e)),
                    }
                    if let Some((d, _)) = path.rsplit_once('/') {
                        dirs_to_prune.push(d.to_string());
                    }
                }
            }
            // remove directories left empty, deepest first
            dirs_to_prune.sort_by_key(|d| std::cmp::Reverse(d.matches('/').count()));
            dirs_to_prune.dedup();
            for d in dirs_to_prune {
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
        }
        self.ensure_dir(".packit-pages")?;
        let _ = fs::remove_dir(self.root.join(TMP_DIR));
        if self.old_text.as_bytes() == new_manifest {
            return Ok((self.stats(removed.len() as u64), removed));
        }
        let tmp = self.root.join(".packit-pages/manifest.tmp");
        fs::write(&tmp, new_manifest).map_err(io_err(&tmp))?;
        fs::rename(&tmp, &mpath).map_err(io_err(&mpath))?;
        if let Ok(d) = fs::File::open(self.root.join(".packit-pages")) {
            let _ = d.sync_all();
        }
        if let Ok(d) = fs::File::open(&self.root) {
            let _ = d.sync_all();
        }
        Ok((self.stats(removed.len() as u64), removed))
    }

    fn stats(&self, removed: u64) -> WriteStats {
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

/// Appends one manifest line for `path` with content hash `hash` and shape hash
/// `shape`.
pub fn manifest_line(out: &mut Vec<u8>, path: &str, hash: u128, shape: u64) {
    use std::io::Write as _;
    let _ = writeln!(out, "{hash:032x}\t{shape:016x}\t{path}");
}

/// The state line of a manifest, if it has one.
pub fn manifest_state(text: &str) -> Option<&str> {
    text.lines().next().and_then(|l| l.strip_prefix("#state\t"))
}

/// Parses manifest text into (path, content hash, shape hash), skipping the header
/// and malformed lines (lines of the older two-column format get shape 0).
pub fn parse_manifest(text: &str) -> impl Iterator<Item = (&str, u128, u64)> {
    text.lines().filter_map(|l| {
        if l.starts_with('#') {
            return None;
        }
        let (h, rest) = l.split_once('\t')?;
        let hash = u128::from_str_radix(h, 16).ok()?;
        match rest.split_once('\t') {
            Some((s, p)) if s.len() == 16 => Some((p, hash, u64::from_str_radix(s, 16).ok()?)),
            _ => Some((rest, hash, 0)),
        }
    })
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
        let w = OutputWriter::open(&d, false).unwrap();
        let mut m = Vec::new();
        for (p, b) in [("a/index.html", "A"), ("b/c/index.html", "C")] {
            let r = w.write(p, b.as_bytes()).unwrap();
            assert!(r.changed);
            manifest_line(&mut m, p, r.hash, 0);
        }
        let (s, _) = w.finish(&m).unwrap();
        assert_eq!((s.written, s.unchanged, s.removed), (2, 0, 0));

        let w = OutputWriter::open(&d, false).unwrap();
        let mut m = Vec::new();
        let r = w.write("a/index.html", b"A").unwrap();
        assert!(!r.changed);
        manifest_line(&mut m, "a/index.html", r.hash, 7);
        let (s, removed) = w.finish(&m).unwrap();
        assert_eq!((s.written, s.unchanged, s.removed), (0, 1, 1));
        assert_eq!(removed, vec!["b/c/index.html".to_string()]);
        let w = OutputWriter::open(&d, false).unwrap();
        assert_eq!(w.previous("a/index.html").map(|e| e.1), Some(7));
        assert_eq!(w.previous_state(), None);
        assert!(!d.join("b/c/index.html").exists());
        assert!(!d.join("b").exists(), "empty dirs pruned");

        // without a manifest, the disk is compared
        fs::remove_file(d.join(MANIFEST)).unwrap();
        let w = OutputWriter::open(&d, false).unwrap();
        assert!(!w.write("a/index.html", b"A").unwrap().changed);
        assert!(w.write("a/index.html", b"B").unwrap().changed);
        assert_eq!(fs::read(d.join("a/index.html")).unwrap(), b"B");
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
