//! The first error lines of a test's output (`testout.log`) or of a stage's log, as
//! the test frameworks and tools Testing Farm runs print them: beakerlib's `[ FAIL ]`
//! assertions, pytest's `E ` lines and `FAILED` summary, tmt's own lines, TAP's
//! `not ok`, Ansible's `fatal:`, dnf's and rpm's errors and Testing Farm's `[E]`
//! pipeline lines. Numbered as the log page numbers lines (`picked_lines`).

use crate::jobs::{picked_lines, rpm_error, tmt_error};

/// The error lines of `text` with their line numbers (1-based, as on the log page).
pub fn output_errors(text: &str) -> Vec<(usize, String)> {
    picked_lines(text, output_error)
}

/// Whether a line of a test's output or a stage's log reports an error.
pub fn output_error(line: &str) -> bool {
    let t = line.trim_start();
    beakerlib_failure(t)
        || t.starts_with("E   ")
        || t.starts_with("FAIL:")
        || t.starts_with("not ok ")
        || t.starts_with("fatal: [")
        || t.starts_with("fail: ")
        || t.starts_with("No match for argument")
        || t.contains("] [E] ")
        || t.starts_with("[E] ")
        || (t.starts_with('=') && t.contains(" failed") && t.trim_end().ends_with('='))
        || tmt_error(t)
        || rpm_error(t)
}

/// beakerlib's failed assertions: `:: [ 10:01:02 ] :: [   FAIL   ] :: Command …`
/// (also `ERROR` and `FATAL`); its `RESULT:` summaries are left out.
fn beakerlib_failure(t: &str) -> bool {
    if !t.starts_with("::") {
        return false;
    }
    t.split(":: [").skip(1).any(|seg| {
        seg.split_once(']')
            .is_some_and(|(word, _)| matches!(word.trim(), "FAIL" | "ERROR" | "FATAL"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_frameworks_error_lines() {
        for l in [
            ":: [ 14:20:09 ] :: [   FAIL   ] :: Command 'false' (Expected 0, got 1)",
            ":: [ 14:20:09 ] :: [  ERROR   ] :: rlRun: no command",
            "E       AssertionError: b'.Ping' not found",
            "FAILED test_api.py::TestAPI::test_introspect - AssertionError",
            "========================= 1 failed, 3 passed in 2.31s ==========================",
            "not ok 3 - parses the config",
            "FAIL: test_parse (tests.test_config.TestConfig)",
            "fatal: [default-0]: FAILED! => {\"changed\": true}",
            "        fail: Command 'dnf install -y tmt-all' returned 1.",
            "Error: Unable to find a match: python3-ogr",
            "No match for argument: python3-ogr-0.50.0-1.fc41.noarch",
            "[12:32:02] [E] [guest-provisioning] Failed to provision the guest",
            "Traceback (most recent call last):",
        ] {
            assert!(output_error(l), "{l}");
        }
    }

    #[test]
    fn leaves_passing_lines_alone() {
        for l in [
            ":: [ 14:20:01 ] :: [   PASS   ] :: Command 'true' (Expected 0, got 0)",
            ":: [ 14:20:01 ] :: [  BEGIN   ] :: Running 'make check'",
            "::   RESULT: FAIL (Test)",
            ":: OVERALL RESULT: FAIL (/tests/discover/distgit)",
            "test_api.py::TestAPI::test_add_method PASSED                             [ 25%]",
            "========================= 4 passed in 2.31s ==========================",
            "ok 2 - reads the file",
            "+ echo 'no errors here'",
            "[12:01:55] [+] [guest-provisioning] Requesting a guest",
        ] {
            assert!(!output_error(l), "{l}");
        }
    }

    #[test]
    fn numbered_as_on_the_log_page() {
        let text =
            "ok\r\n\u{1b}[31mE   assert 1 == 2\u{1b}[0m\nprogress 10%\rFAILED t.py::x - boom\n";
        assert_eq!(
            output_errors(text),
            vec![
                (2, "E   assert 1 == 2".to_string()),
                (3, "FAILED t.py::x - boom".to_string())
            ]
        );
    }
}
