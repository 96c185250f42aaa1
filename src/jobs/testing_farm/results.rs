//! Testing Farm's `results.xml`, read safely: the request's overall result and, per
//! plan (`testsuite`), its result, stage, environment, reproducer and work directory,
//! its test cases (result, duration, guest, notes, logs) and, for a plan that errored
//! before its tests, the stage that failed and its log. The file is untrusted input:
//! no DTD (so no entity expansion and no external entity), a size, node and depth
//! cap, and links kept only when they resolve (against results.xml's own URL) under
//! the origin of the run's `web_url` (see [`links`]). Every log a plan or test names
//! gets a stable archive log name ([`names`]); [`fetch`] says which artifacts of a
//! run to archive, [`output`] picks the first error lines of a test's output.
//!
//! The format is the xUnit dialect Testing Farm writes for tmt and STI tests
//! (gluetool-modules' `libs/results/xunit_testing_farm.py`); the fixtures of
//! `tests/fixtures/testing-farm/` are real examples of each variant.
// Read by the sync and the job page in phase 2 of issue #32; until then its own tests
// are its only users.
#![cfg_attr(not(test), allow(dead_code, unused_imports))]

mod fetch;
mod links;
mod names;
mod output;
mod read;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_hostile;

pub use fetch::{Artifact, Known, Role, fetch_plan, listing};
pub use output::{output_error, output_errors};
pub use read::parse;

/// `results.xml` files larger than this are refused (real ones of thousands of
/// tests stay under a few megabytes).
pub const MAX_BYTES: usize = 16 << 20;
/// Elements, attributes and text nodes at most.
pub const MAX_NODES: u32 = 500_000;
/// Element nesting at most (real files nest 7 deep).
pub const MAX_DEPTH: usize = 32;

/// Why a `results.xml` could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ResultsError {
    /// The run's `web_url` is not an http(s) URL: no link could be trusted.
    #[error("results.xml of {web_url:?}: the run's web_url is not an http(s) URL")]
    WebUrl {
        /// The `web_url` given.
        web_url: String,
    },
    /// Over [`MAX_BYTES`].
    #[error("results.xml of {web_url}: {size} bytes, more than the {max} read")]
    TooLarge {
        /// The run's `web_url`.
        web_url: String,
        /// Its size.
        size: usize,
        /// The cap.
        max: usize,
    },
    /// Not UTF-8.
    #[error("results.xml of {web_url}: not UTF-8 text")]
    NotUtf8 {
        /// The run's `web_url`.
        web_url: String,
    },
    /// It has a document type declaration (entities are never expanded).
    #[error("results.xml of {web_url}: has a DTD (<!DOCTYPE …>), which is refused")]
    Dtd {
        /// The run's `web_url`.
        web_url: String,
    },
    /// Over [`MAX_NODES`] or [`MAX_DEPTH`].
    #[error("results.xml of {web_url}: {what}")]
    TooBig {
        /// The run's `web_url`.
        web_url: String,
        /// Which cap.
        what: String,
    },
    /// Not well-formed XML (a truncated file, for one).
    #[error("results.xml of {web_url}: not well-formed XML: {message}")]
    Xml {
        /// The run's `web_url`.
        web_url: String,
        /// The parser's message, with the position.
        message: String,
    },
    /// Well-formed, but its root is not `<testsuites>`.
    #[error("results.xml of {web_url}: the root element is <{root}>, not <testsuites>")]
    NotResults {
        /// The run's `web_url`.
        web_url: String,
        /// The root element's name (shortened).
        root: String,
    },
}

/// A result as Testing Farm writes it: tmt's outcomes mapped to `passed`, `failed`,
/// `error`, `info`, `needs_inspection` (tmt's warn), `not_applicable` (tmt's skip),
/// `pending`; STI's `pass` / `FAIL`; `skipped` and `undefined` for plans and runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Passed.
    Passed,
    /// Failed.
    Failed,
    /// Errored: the test (or the run) could not finish.
    Error,
    /// Passed with only an informational message.
    Info,
    /// tmt's warn (`needs_inspection`): automation treats it as failed.
    Warn,
    /// Skipped (a whole plan or run).
    Skipped,
    /// Not applicable (tmt's skip).
    NotApplicable,
    /// Discovered, waiting for execution.
    Pending,
    /// Not known (yet): a running plan, or one that never ran.
    Undefined,
    /// Any other value, kept as written.
    Other(String),
}

impl Outcome {
    /// The outcome a result attribute names (case and `pass`/`passed` forms ignored).
    pub fn of(raw: &str) -> Outcome {
        match raw.trim().to_ascii_lowercase().as_str() {
            "pass" | "passed" => Outcome::Passed,
            "fail" | "failed" | "failure" => Outcome::Failed,
            "error" | "errored" => Outcome::Error,
            "info" => Outcome::Info,
            "warn" | "needs_inspection" => Outcome::Warn,
            "skipped" => Outcome::Skipped,
            "skip" | "not_applicable" => Outcome::NotApplicable,
            "pending" => Outcome::Pending,
            "" | "undefined" => Outcome::Undefined,
            _ => Outcome::Other(raw.trim().to_string()),
        }
    }

    /// Short human text: `passed`, `not applicable`, `warn`, …
    pub fn label(&self) -> &str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::Error => "error",
            Outcome::Info => "info",
            Outcome::Warn => "warn",
            Outcome::Skipped => "skipped",
            Outcome::NotApplicable => "not applicable",
            Outcome::Pending => "pending",
            Outcome::Undefined => "undefined",
            Outcome::Other(s) => s,
        }
    }

    /// Failed, errored or warn: what a failure box names and whose output is archived.
    pub fn is_failure(&self) -> bool {
        matches!(self, Outcome::Failed | Outcome::Error | Outcome::Warn)
    }

    /// Whether a test with this outcome ran (or is running): not pending nor undefined.
    pub fn ran(&self) -> bool {
        !matches!(self, Outcome::Pending | Outcome::Undefined)
    }
}

/// What a `results.xml` says about a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Results {
    /// The request's overall result (`overall-result`).
    pub overall: Outcome,
    /// Its plans (STI: its playbooks), in the file's order.
    pub plans: Vec<Plan>,
}

impl Results {
    /// Every failed, errored or warn test, with its plan.
    pub fn failures(&self) -> impl Iterator<Item = (&Plan, &TestCase)> {
        self.plans
            .iter()
            .flat_map(|p| p.tests.iter().map(move |t| (p, t)))
            .filter(|(_, t)| t.result.is_failure())
    }
}

/// Architecture and compose a plan or test ran on (the provisioned ones, else the
/// requested ones).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Environment {
    /// `x86_64`, `aarch64`, …
    pub arch: Option<String>,
    /// `Fedora-41`, `CentOS-Stream-9`, …
    pub compose: Option<String>,
}

/// One log a plan or test names, its link kept (see [`links`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Log {
    /// Its name in results.xml (`testout.log`, `log_dir`, `tmt-log`, `guest setup`, …).
    pub name: String,
    /// Its absolute URL, under the run's origin.
    pub url: String,
    /// The guest-setup stage it belongs to (`pre_artifact_installation`, …), if any.
    pub setup_stage: Option<String>,
    /// Its archive log name (`[a-z0-9._-]`, unique per run, stable).
    pub archive_name: String,
}

/// A plan (`testsuite`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// `/plans/smoke`; an STI playbook path.
    pub name: String,
    /// Its result.
    pub result: Outcome,
    /// How far it got (`guest_provisioning`, `guest_setup`, `complete`, …), if said.
    pub stage: Option<String>,
    /// Where it ran.
    pub environment: Environment,
    /// tmt's reproducer script.
    pub reproducer: Option<String>,
    /// tmt's work directory.
    pub workdir: Option<String>,
    /// Every log it names, links kept.
    pub logs: Vec<Log>,
    /// Its test cases, in the file's order.
    pub tests: Vec<TestCase>,
    /// Set when the plan errored before any of its tests ran.
    pub failed_stage: Option<FailedStage>,
}

/// A test case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestCase {
    /// Its name as in results.xml (`/tests/smoke`); untrusted text.
    pub name: String,
    /// Its result.
    pub result: Outcome,
    /// Seconds it ran, when given.
    pub duration: Option<u64>,
    /// tmt's serial number in the plan.
    pub serial: Option<u32>,
    /// The guest it ran on (multihost plans).
    pub guest: Option<String>,
    /// Where it ran.
    pub environment: Environment,
    /// tmt's notes (`original test result: pass`, …).
    pub notes: Vec<String>,
    /// Every log it names, links kept.
    pub logs: Vec<Log>,
    /// Index in `logs` of its output: `testout.log` (tmt), the `*-str_*` log or
    /// `ansible-output.txt` (STI), `pipeline.log` (a request Testing Farm ended).
    pub output: Option<usize>,
    /// Its log directory.
    pub log_dir: Option<String>,
}

impl TestCase {
    /// Its output log.
    pub fn output_log(&self) -> Option<&Log> {
        self.output.and_then(|i| self.logs.get(i))
    }
}

/// The stage a plan failed in before its tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Getting a machine.
    Provisioning,
    /// Setting the guest up before the tested builds are installed.
    GuestSetup,
    /// Installing the tested builds (a Copr or Koji build that cannot be installed).
    ArtifactInstallation,
    /// Setting the guest up after the tested builds are installed.
    PostInstallation,
    /// tmt itself (discover, provision, prepare, …) before any test ran.
    Tmt,
    /// Nothing in results.xml says which.
    Unknown,
}

impl Stage {
    /// Human name: `artifact installation`, …
    pub fn label(self) -> &'static str {
        match self {
            Stage::Provisioning => "guest provisioning",
            Stage::GuestSetup => "guest setup",
            Stage::ArtifactInstallation => "artifact installation",
            Stage::PostInstallation => "guest setup after artifact installation",
            Stage::Tmt => "tmt",
            Stage::Unknown => "before the tests",
        }
    }
}

/// The stage a plan failed in, with the index in the plan's `logs` of its log (none:
/// `pipeline.log` is what tells).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FailedStage {
    /// Which stage.
    pub stage: Stage,
    /// Its log in the plan's `logs`.
    pub log: Option<usize>,
}
