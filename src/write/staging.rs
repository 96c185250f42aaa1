//! First builds into a staging folder beside the output directory, published whole
//! when the build is done (see the [`super`] module doc).

use super::{OutputWriter, WriteError, io_err};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

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
pub(super) fn staging_for(out: &Path) -> Result<Option<(PathBuf, PathBuf)>, WriteError> {
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

/// Writes one file of a staging folder in place (nobody sees the folder before it
/// is published); a file left half written is removed.
pub(super) fn write_staged(target: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let result = (|| {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(target)
            .map_err(io_err(target))?;
        f.write_all(bytes).map_err(io_err(target))
    })();
    if result.is_err() {
        let _ = fs::remove_file(target);
    }
    result
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
pub(super) fn publish(staging: &Path, out: &Path) -> Result<(), WriteError> {
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

#[cfg(test)]
mod tests {
    use super::super::tests::tmpdir;
    use super::super::*;
    use super::STAGING_TAG;

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
}
