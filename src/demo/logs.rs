//! The demo's job logs: realistic failing logs of each kind (mock and rpmbuild in
//! Copr, a Koji build.log), hand-written in the real tools' formats and shared
//! with the failure tests (`tests/fixtures/logs/`), each naming the job's package,
//! and what Log Detective says of them ([`Cause`]). Pure functions of the job id
//! and package.

/// Copr `builder-live.log`: a `%check` failure.
const COPR_CHECK: &str = include_str!("../../tests/fixtures/logs/copr-builder-live.log");
/// Copr `builder-live.log`: a missing BuildRequires.
const COPR_DEPS: &str = include_str!("../../tests/fixtures/logs/copr-builddeps.log");
/// Koji `build.log`: a compile error.
const KOJI_BUILD: &str = include_str!("../../tests/fixtures/logs/koji-build.log");

/// The package the fixtures build; each demo log names its job's package instead.
const FIXTURE_PACKAGE: &str = "python-ogr";

/// Whether the log of failed Copr build `id` is the missing-BuildRequires one
/// (else the `%check` failure).
fn copr_deps(id: &str) -> bool {
    let n: u64 = id.bytes().map(u64::from).sum();
    n.is_multiple_of(3)
}

/// `text` naming `package` instead of the fixtures' package.
fn of_package(text: &str, package: &str) -> String {
    if package.is_empty() {
        text.to_string()
    } else {
        text.replace(FIXTURE_PACKAGE, package)
    }
}

/// The `builder-live.log` of failed Copr build `id` of `package`; a long one (for
/// capping) when `long`: two hundred more test results before the failure.
pub fn copr_log(id: &str, package: &str, long: bool) -> String {
    let base = of_package(if copr_deps(id) { COPR_DEPS } else { COPR_CHECK }, package);
    if !long {
        return base;
    }
    let mut out = String::new();
    for line in base.lines() {
        out.push_str(line);
        out.push('\n');
        if line.starts_with("collected ") || line.starts_with("Repositories loaded.") {
            for i in 0..200 {
                out.push_str(&format!(
                    "tests/unit/test_generated.py::test_case_{i:03} PASSED                  [ {:>2}%]\n",
                    i / 4
                ));
            }
        }
    }
    out
}

/// The `build.log` of failed Koji build `id` of `package`.
pub fn koji_log(_id: &str, package: &str) -> String {
    of_package(KOJI_BUILD, package)
}

/// What Log Detective says of a demo log: which log, the explanation, the lines
/// it points at (number in the log as stored uncapped, text, remark) and the fix.
pub struct Cause {
    /// The log's file name.
    pub log: &'static str,
    /// The explanation, naming the package.
    pub explanation: String,
    /// (line number, line, remark).
    pub snippets: Vec<(usize, String, Option<&'static str>)>,
    /// The suggested fix.
    pub solution: &'static str,
}

/// (1-based number, text) of the first line of `text` starting with `prefix`.
fn line_of(text: &str, prefix: &str) -> (usize, String) {
    text.lines()
        .enumerate()
        .find(|(_, l)| l.starts_with(prefix))
        .map(|(i, l)| (i + 1, l.to_string()))
        .unwrap_or((1, prefix.to_string()))
}

/// Log Detective's analysis of the log of failed Copr build `id` of `package`
/// in `chroot` (the log [`copr_log`] gives it).
pub fn copr_cause(id: &str, package: &str, chroot: &str) -> Cause {
    let log = copr_log(id, package, false);
    if copr_deps(id) {
        let (a, at) = line_of(&log, "No matching package to install");
        let (b, bt) = line_of(&log, "  - nothing provides");
        Cause {
            log: "builder-live.log",
            explanation: format!(
                "The build of {package} in {chroot} failed before rpmbuild ran: its BuildRequires python3dist(requests-kerberos) >= 0.15 cannot be installed, because nothing provides python3dist(gssapi), which python3-requests-kerberos needs."
            ),
            snippets: vec![
                (
                    a,
                    at,
                    Some("A build dependency is not available in the build root."),
                ),
                (
                    b,
                    bt,
                    Some("The dependency itself has an unresolvable requirement."),
                ),
            ],
            solution: "Relax the BuildRequires on python3dist(requests-kerberos), or add a Copr repository that provides it with its dependencies.",
        }
    } else {
        let (a, at) = line_of(&log, "FAILED tests/unit/test_api.py");
        let (b, bt) = line_of(&log, "error: Bad exit status");
        Cause {
            log: "builder-live.log",
            explanation: format!(
                "The build of {package} in {chroot} failed in %check: the test test_api_timeout raised an AssertionError (the mocked server answered 504, not 200), so rpmbuild stopped."
            ),
            snippets: vec![
                (
                    a,
                    at,
                    Some(
                        "A unit test failed because the HTTP response code differed from the expected one.",
                    ),
                ),
                (b, bt, Some("rpmbuild stopped in the %check section.")),
            ],
            solution: "Fix the timeout handling in the test, or skip test_api_timeout in %check until it is fixed upstream.",
        }
    }
}

/// Log Detective's analysis of the `build.log` of a failed Koji build of
/// `package` (the log [`koji_log`] gives it).
pub fn koji_cause(package: &str, chroot: &str) -> Cause {
    let log = koji_log("", package);
    let (a, at) = line_of(&log, "ogr/_speedups.c:131:12: error:");
    let (b, bt) = line_of(&log, "error: Bad exit status");
    Cause {
        log: "build.log",
        explanation: format!(
            "The build of {package} for {chroot} failed in %build: ogr/_speedups.c uses PyUnicode_AS_UNICODE, which the Python C API no longer has, so the compiler stopped."
        ),
        snippets: vec![
            (
                a,
                at,
                Some("The C extension uses a removed Python C API macro."),
            ),
            (b, bt, Some("rpmbuild stopped in the %build section.")),
        ],
        solution: "Replace PyUnicode_AS_UNICODE with PyUnicode_AsWideCharString (or drop the C speedups) upstream.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_and_causes_name_the_package_and_their_lines() {
        for id in ["1", "2", "3", "10", "12"] {
            let log = copr_log(id, "podman", false);
            assert!(
                log.contains("podman-0.50.0") && !log.contains(FIXTURE_PACKAGE),
                "{id}"
            );
            let c = copr_cause(id, "podman", "fedora-41-x86_64");
            assert!(c.explanation.contains("podman") && c.explanation.contains("fedora-41-x86_64"));
            let lines: Vec<&str> = log.lines().collect();
            for (n, text, _) in &c.snippets {
                assert_eq!(lines[n - 1], text, "{id}: line {n}");
            }
            // the deps log says nothing of tests, the check log nothing of gssapi
            assert_eq!(
                log.contains("gssapi"),
                c.explanation.contains("gssapi"),
                "{id}"
            );
        }
        let log = koji_log("7", "kernel");
        let c = koji_cause("kernel", "f41");
        let lines: Vec<&str> = log.lines().collect();
        assert!(c.explanation.contains("kernel") && log.contains("kernel.spec"));
        for (n, text, _) in &c.snippets {
            assert_eq!(lines[n - 1], text);
        }
    }
}
