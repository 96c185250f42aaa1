//! Archive log names for the artifacts of one run: `results.xml`, `pipeline.log`,
//! `test-<test name>` for test outputs and `stage-<plan>-<log>` for a plan's logs.
//! A name is `[a-z0-9._-]` (the archive's log-name rule, `derive::log_name_part`),
//! at most [`MAX_PART`] bytes per part, and a plain segment by `urls::encode_segment`'s
//! rule, so test names with `../`, control or bidirectional characters or of any
//! length become safe URL segments. Names are unique per run: one URL keeps one
//! name, a second URL whose name is taken gets `-2`, `-3`, … in the file's order,
//! so reading the same results.xml again gives the same names.

use crate::jobs::derive::log_name_part;
use crate::urls::encode_segment;
use std::collections::{HashMap, HashSet};

/// Bytes of a readable part kept.
pub(super) const MAX_PART: usize = 80;

/// The archive log name of results.xml.
pub const RESULTS: &str = "results.xml";
/// The archive log name of pipeline.log.
pub const PIPELINE: &str = "pipeline.log";

/// The names given so far, by URL.
#[derive(Default)]
pub(super) struct Names {
    by_url: HashMap<String, String>,
    taken: HashSet<String>,
}

impl Names {
    /// With `results.xml` and `pipeline.log` given to their URLs.
    pub(super) fn new(results_url: &str, pipeline_url: &str) -> Names {
        let mut n = Names::default();
        for (url, name) in [(results_url, RESULTS), (pipeline_url, PIPELINE)] {
            n.by_url.insert(url.to_string(), name.to_string());
            n.taken.insert(name.to_string());
        }
        n
    }

    /// The name of `url`: the one it has, else `<prefix>-<parts…>` made unique.
    pub(super) fn name(&mut self, url: &str, prefix: &str, parts: &[&str]) -> String {
        if let Some(n) = self.by_url.get(url) {
            return n.clone();
        }
        let base = compose(prefix, parts);
        let mut name = base.clone();
        let mut i = 2;
        while self.taken.contains(&name) {
            name = format!("{base}-{i}");
            i += 1;
        }
        self.taken.insert(name.clone());
        self.by_url.insert(url.to_string(), name.clone());
        name
    }
}

/// `<prefix>-<part>-<part>`: each part made `[a-z0-9._-]` and cut to [`MAX_PART`]
/// bytes, empty parts left out.
pub(super) fn compose(prefix: &str, parts: &[&str]) -> String {
    let mut out = prefix.to_string();
    for p in parts {
        let mut part = log_name_part(p);
        // every byte is ASCII: any cut is a character boundary
        part.truncate(MAX_PART);
        let part = part.trim_end_matches(['-', '.']);
        if !part.is_empty() {
            out.push('-');
            out.push_str(part);
        }
    }
    // already a plain segment (ASCII `[a-z0-9._-]`, a prefix no reserved or device
    // name has, well under the length cap): the existing rule keeps it as it is
    encode_segment(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_test_names_become_plain_segments() {
        let long = "/tests/".to_string() + &"ä".repeat(200);
        for name in [
            "/tests/smoke",
            "../../../etc/passwd",
            "/tests/\u{202e}gnp.exe",
            "/tests/a\u{0}b\u{1b}[31m",
            "/",
            "",
            "CON",
            ".hidden",
            long.as_str(),
            &"x".repeat(400),
        ] {
            let n = compose("test", &[name]);
            assert!(n.len() <= 4 + 1 + MAX_PART, "{n}");
            assert!(
                n.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b)),
                "{n}"
            );
            assert_eq!(encode_segment(&n), n);
            assert!(!n.contains(".."), "{n}");
            assert!(n.starts_with("test"), "{n}");
        }
        assert_eq!(
            compose("test", &["/tests/core/smoke"]),
            "test-tests-core-smoke"
        );
        assert_eq!(compose("test", &["../../../etc/passwd"]), "test-etc-passwd");
        assert_eq!(compose("test", &["/"]), "test");
    }

    #[test]
    fn names_are_unique_and_stable_per_url() {
        let mut n = Names::new("https://h/r/results.xml", "https://h/r/pipeline.log");
        let a = n.name("https://h/r/a/output.txt", "test", &["/a/b"]);
        let b = n.name("https://h/r/b/output.txt", "test", &["/a-b"]);
        let a2 = n.name("https://h/r/a/output.txt", "test", &["/other"]);
        let c = n.name("https://h/r/c/output.txt", "test", &["/a/b"]);
        let p = n.name("https://h/r/pipeline.log", "test", &["/failure"]);
        assert_eq!((a.as_str(), b.as_str()), ("test-a-b", "test-a-b-2"));
        assert_eq!((a2.as_str(), c.as_str()), ("test-a-b", "test-a-b-3"));
        assert_eq!(p, PIPELINE);
    }
}
