//! Safe relative paths: nothing is written outside the output directory, and no
//! directory on the way may be a symbolic link.

use super::{OutputWriter, WriteError, io_err};
use std::fs;
use std::io;
use std::path::{Component, Path};
use xxhash_rust::xxh3::xxh3_64;

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

impl OutputWriter {
    /// Makes sure the directory `dir_rel` exists under the root and that neither it
    /// nor any directory above it (inside the root) is a symbolic link.
    pub(super) fn ensure_dir(&self, dir_rel: &str) -> Result<(), WriteError> {
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

    pub(super) fn is_inside_without_symlinks(&self, rel: &str) -> bool {
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

#[cfg(test)]
mod tests {
    use super::super::tests::tmpdir;
    use super::super::*;

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
