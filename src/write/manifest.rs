//! The manifest of the output directory (`.packit-pages/manifest`: one line per file
//! with its content and shape hashes, under the build state line) and the journal
//! that live rebuilds append to it: reading the previous build, writing the next.

use super::{OutputWriter, WriteError, check_rel_path, io_err};
use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use xxhash_rust::xxh3::xxh3_64;

/// One change of a journal batch: a file with its content and shape hashes, or
/// `None` for a file removed.
pub type JournalEntry = (String, Option<(u128, u64)>);

/// Relative path of the manifest inside the output directory.
pub const MANIFEST: &str = ".packit-pages/manifest";

/// Where live rebuilds append their manifest changes (see [`OutputWriter::journal`]).
pub const JOURNAL: &str = ".packit-pages/manifest.journal";

/// What the previous build left in the output directory: its manifest with the
/// complete batches of the journal applied.
#[derive(Default)]
pub(super) struct Previous {
    /// path hash → (content hash, shape hash).
    pub(super) old: HashMap<u64, (u128, u64)>,
    /// Paths added by the journal that the manifest file does not list.
    journal_paths: Vec<String>,
    /// Paths the journal removed (the manifest file may still list them).
    journal_removed: HashSet<u64>,
    /// The previous build's state line, if the manifest had one.
    pub(super) state: Option<String>,
    /// Whether there is a previous manifest.
    pub(super) have_manifest: bool,
}

impl Previous {
    /// Reads the manifest of the output directory `root` and applies its journal.
    pub(super) fn read(root: &Path) -> Result<Previous, WriteError> {
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
        Ok(Previous {
            old,
            journal_paths,
            journal_removed,
            state: old_state,
            have_manifest,
        })
    }

    /// Applies one batch a live rebuild appended to the journal.
    fn apply(&mut self, state: &str, entries: &[JournalEntry]) {
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
        self.state = Some(state.to_string());
    }
}

impl OutputWriter {
    /// Starts the new manifest (streamed to a temporary file; committed by
    /// [`OutputWriter::finish`]) with the build state line `state`.
    pub fn manifest(&self, state: &str) -> Result<ManifestOut, WriteError> {
        let mut out = ManifestOut::create(&self.root, state)?;
        // the last state line counts: one after the entries (see `restate`) may differ
        if self.prev.state.as_deref() != Some(state) {
            out.differs();
        }
        Ok(out)
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

    /// Ends `out` with the build state line `state` when it differs from the one
    /// `out` was started with (a build that learns more while writing: the pages
    /// that failed). The last state line of a manifest counts.
    pub fn restate(&self, out: &mut ManifestOut, state: &str) -> Result<(), WriteError> {
        if self.prev.state.as_deref() != Some(state) {
            out.differs();
        }
        let mut line = Vec::new();
        manifest_header(&mut line, state);
        if line != out.head {
            out.file.write_all(&line).map_err(io_err(&out.tmp))?;
        }
        Ok(())
    }

    /// Calls `f` with every entry of the previous manifest (the file with its
    /// journal applied): path, content hash, shape hash.
    pub fn for_each_previous(
        &self,
        mut f: impl FnMut(&str, u128, u64) -> Result<(), WriteError>,
    ) -> Result<(), WriteError> {
        if !self.prev.have_manifest {
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
                if self.prev.journal_removed.contains(&key) {
                    return;
                }
                if let Some((h, s)) = self.prev.old.get(&key)
                    && let Err(e) = f(path, *h, *s)
                {
                    err = Some(e);
                }
            }
        })?;
        if let Some(e) = err {
            return Err(e);
        }
        for p in &self.prev.journal_paths {
            if let Some((h, s)) = self.prev.old.get(&xxh3_64(p.as_bytes())) {
                f(p, *h, *s)?;
            }
        }
        Ok(())
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
        if !self.prev.have_manifest {
            // nothing to append to: start an empty manifest first
            let out = self.manifest("")?;
            let _ = self.finish(out)?;
            self.prev.have_manifest = true;
        }
        let jpath = self.root.join(JOURNAL);
        let mut f = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&jpath)
            .map_err(io_err(&jpath))?;
        f.write_all(&buf).map_err(io_err(&jpath))?;
        self.prev.apply(state, entries);
        self.verify_disk = false;
        Ok(())
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

/// The state line of a manifest text, if it has one (the last one: a build may end
/// its manifest with a fuller state than it started it with).
pub fn manifest_state(text: &str) -> Option<&str> {
    text.lines().rev().find_map(|l| l.strip_prefix("#state\t"))
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
    pub(super) file: io::BufWriter<fs::File>,
    pub(super) tmp: PathBuf,
    pub(super) keep: HashSet<u64>,
    pub(super) same: bool,
    pub(super) lines: usize,
    /// The header line it started with.
    head: Vec<u8>,
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
            head,
        };
        out.file.write_all(&out.head).map_err(io_err(&out.tmp))?;
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

    /// Leaves the file `path` where it is at [`OutputWriter::finish`] without
    /// listing it: a page that could not be written keeps its last version (if
    /// any) until a build writes it again.
    pub fn spare(&mut self, path: &str) {
        self.keep.insert(xxh3_64(path.as_bytes()));
    }

    /// Marks the manifest as different from the previous one.
    fn differs(&mut self) {
        self.same = false;
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::tmpdir;
    use super::*;

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
}
