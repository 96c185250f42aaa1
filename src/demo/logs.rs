//! The demo's job logs: realistic failing logs of each kind (mock and rpmbuild in
//! Copr, a Koji build.log), hand-written in the real tools' formats and shared
//! with the failure tests (`tests/fixtures/logs/`). Pure functions of the job id.

/// Copr `builder-live.log`: a `%check` failure.
const COPR_CHECK: &str = include_str!("../../tests/fixtures/logs/copr-builder-live.log");
/// Copr `builder-live.log`: a missing BuildRequires.
const COPR_DEPS: &str = include_str!("../../tests/fixtures/logs/copr-builddeps.log");
/// Koji `build.log`: a compile error.
const KOJI_BUILD: &str = include_str!("../../tests/fixtures/logs/koji-build.log");

/// The `builder-live.log` of failed Copr build `id`; a long one (for capping) when
/// `long`: two hundred more test results before the failure.
pub fn copr_log(id: &str, long: bool) -> String {
    let n: u64 = id.bytes().map(u64::from).sum();
    let base = if n.is_multiple_of(3) {
        COPR_DEPS
    } else {
        COPR_CHECK
    };
    if !long {
        return base.to_string();
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

/// The `build.log` of failed Koji build `id`.
pub fn koji_log(_id: &str) -> String {
    KOJI_BUILD.to_string()
}
