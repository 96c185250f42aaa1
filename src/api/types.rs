//! Response models of the Packit service API.
//!
//! Every field is optional and defaults when absent (the API omits keys rather than
//! sending `null` in many places), unknown keys are ignored, and statuses are strings
//! with helpers rather than closed enums, so new upstream values never break parsing.

use serde::{Deserialize, Serialize};

/// A job or pipeline status as the API sends it: free text with known-value helpers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Status(pub String);

/// What a status means for display and for deciding whether to re-fetch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StatusClass {
    /// success, passed, succeeded, submitted, finished, complete
    Success,
    /// failure, failed, needs_inspection
    Failure,
    /// error
    Error,
    /// pending, queued, new, waiting_for_srpm, retry
    Pending,
    /// running, building, uploading, registering
    Running,
    /// skipped
    Skipped,
    /// canceled, cancel-requested
    Canceled,
    /// anything else (unknown, empty, new upstream values)
    Unknown,
}

impl StatusClass {
    /// Stable lower-case name, used in CSS classes and URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusClass::Success => "success",
            StatusClass::Failure => "failure",
            StatusClass::Error => "error",
            StatusClass::Pending => "pending",
            StatusClass::Running => "running",
            StatusClass::Skipped => "skipped",
            StatusClass::Canceled => "canceled",
            StatusClass::Unknown => "unknown",
        }
    }

    /// The class of status text `s` (see [`Status::normalized`]; case does not
    /// matter). Allocates nothing: index walks call it for every row.
    pub fn of(s: &str) -> StatusClass {
        const CLASSES: [(&str, StatusClass); 27] = [
            ("success", StatusClass::Success),
            ("passed", StatusClass::Success),
            ("succeeded", StatusClass::Success),
            ("submitted", StatusClass::Success),
            ("finished", StatusClass::Success),
            ("complete", StatusClass::Success),
            ("failure", StatusClass::Failure),
            ("failed", StatusClass::Failure),
            ("needs_inspection", StatusClass::Failure),
            ("error", StatusClass::Error),
            ("pending", StatusClass::Pending),
            ("queued", StatusClass::Pending),
            ("new", StatusClass::Pending),
            ("waiting_for_srpm", StatusClass::Pending),
            ("retry", StatusClass::Pending),
            ("running", StatusClass::Running),
            ("building", StatusClass::Running),
            ("uploading", StatusClass::Running),
            ("registering", StatusClass::Running),
            ("importing", StatusClass::Running),
            ("starting", StatusClass::Running),
            ("skipped", StatusClass::Skipped),
            ("canceled", StatusClass::Canceled),
            ("cancelled", StatusClass::Canceled),
            ("cancel-requested", StatusClass::Canceled),
            // Python's `str()` of `TestingFarmResult.cancel_requested` (PR lists)
            ("cancel_requested", StatusClass::Canceled),
            ("unknown", StatusClass::Unknown),
        ];
        let s = normalized(s);
        CLASSES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(s))
            .map(|(_, c)| *c)
            .unwrap_or(StatusClass::Unknown)
    }

    /// Whether a job in this class failed (a failure or an error).
    pub fn is_failure(self) -> bool {
        matches!(self, StatusClass::Failure | StatusClass::Error)
    }

    /// Whether no further change is expected for a job in this class.
    pub fn is_final(self) -> bool {
        !matches!(self, StatusClass::Pending | StatusClass::Running)
    }
}

/// [`Status::normalized`] of text.
fn normalized(s: &str) -> &str {
    s.rsplit_once('.')
        .filter(|(p, _)| p.ends_with("Result") || p.ends_with("Status"))
        .map(|(_, v)| v)
        .unwrap_or(s)
}

impl Status {
    /// Builds a status from text.
    pub fn new(s: impl Into<String>) -> Self {
        Status(s.into())
    }

    /// The status text with the `TestingFarmResult.` enum-name prefix of project PR
    /// lists removed.
    pub fn normalized(&self) -> &str {
        normalized(&self.0)
    }

    /// The display class of this status.
    pub fn class(&self) -> StatusClass {
        StatusClass::of(&self.0)
    }

    /// Whether the job will not change any more (so it need not be re-fetched).
    pub fn is_final(&self) -> bool {
        self.class().is_final()
    }

    /// The status text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Hands the project-info fields (REFERENCE §1.5), each `/// doc` and `name: type`, to
/// `$then!` after the tokens `$pre`: the one list behind [`ProjectInfo`] and every
/// struct that carries the block inline.
macro_rules! project_info_fields {
    ($then:ident! { $($pre:tt)* }) => {
        $then! {
            $($pre)*
            /// Pull / merge request number.
            pr_id: Option<i64>,
            /// Issue number (propose-downstream from an issue comment).
            issue_id: Option<i64>,
            /// Branch of a push (or a side tag's target).
            branch_name: Option<String>,
            /// Release tag.
            release: Option<String>,
            /// Anitya version(s), `;`-joined.
            anitya_version: Option<String>,
            /// Forge namespace (null for Anitya projects).
            repo_namespace: Option<String>,
            /// Repository name (null for Anitya projects).
            repo_name: Option<String>,
            /// Project URL on its forge.
            project_url: Option<String>,
            /// release-monitoring.org project id.
            anitya_project_id: Option<i64>,
            /// release-monitoring.org project name.
            anitya_project_name: Option<String>,
            /// release-monitoring.org package.
            anitya_package: Option<String>,
            /// True for Anitya (non-git) projects.
            non_git_upstream: Option<bool>,
        }
    };
}

/// Declares a response struct: its own fields, then the project-info fields `$i`
/// (from `project_info_fields!`). `@inline` structs, which carry the block merged
/// into the object as the API sends it, also get a `project_info()` accessor.
macro_rules! response_struct {
    (@$how:ident
     $(#[$m:meta])* pub struct $name:ident { $($(#[$fm:meta])* pub $f:ident : $t:ty,)* }
     $($(#[$im:meta])* $i:ident : $it:ty,)*) => {
        $(#[$m])*
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
        #[serde(default)]
        pub struct $name {
            $($(#[$fm])* pub $f: $t,)*
            $($(#[$im])* pub $i: $it,)*
        }
        response_struct!(@accessor $how $name $($i)*);
    };
    (@accessor own $name:ident $($i:ident)*) => {};
    (@accessor inline $name:ident $($i:ident)*) => {
        impl $name {
            /// The trigger and project of this object.
            pub fn project_info(&self) -> ProjectInfo {
                ProjectInfo {
                    $($i: Clone::clone(&self.$i),)*
                }
            }
        }
    };
}

project_info_fields!(response_struct! {
    @own
    /// The trigger and project of a job: the API's "project info" block (REFERENCE §1.5).
    pub struct ProjectInfo {}
});

/// Declares a response struct that carries the project-info fields inline, as the API
/// merges them into the object rather than nesting them.
macro_rules! with_project_info {
    ($($item:tt)*) => {
        project_info_fields!(response_struct! { @inline $($item)* });
    };
}

/// `build_submitted_time`, accepted under its planned new name `submitted_time` too.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SubmittedTime {
    /// The current key.
    pub build_submitted_time: Option<i64>,
    /// The renamed key (unmerged upstream change, REFERENCE §2).
    pub submitted_time: Option<i64>,
}

mod builds;
mod jobs;
mod projects;
mod runs;

pub use self::builds::{
    BuiltPackage, CoprBuildListItem, CoprBuildTarget, KojiBuild, LogUrls, SrpmBuild,
};
pub use self::jobs::{
    BodhiUpdate, KojiTagRequest, LdResponse, LdSnippet, LdText, LogDetectiveRun, OpenScanHubScan,
    SyncReleaseTarget, TestingFarmRun,
};
pub use self::projects::{Project, ProjectRelease, ProjectTriggerItem, SubBuild};
pub use self::runs::{DownstreamPr, Run, RunJob, SyncReleaseRunItem};

/// Submission time of copr/koji/srpm objects under either key.
pub fn submitted(build_submitted_time: Option<i64>, submitted_time: Option<i64>) -> Option<i64> {
    build_submitted_time.or(submitted_time)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EX: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/api/real-server-synthetic-data/"
    );

    fn read(name: &str) -> String {
        std::fs::read_to_string(format!("{EX}{name}")).unwrap()
    }

    #[test]
    fn status_helpers() {
        assert_eq!(
            Status::new("TestingFarmResult.passed").normalized(),
            "passed"
        );
        assert_eq!(
            Status::new("cancel-requested").class(),
            StatusClass::Canceled
        );
        assert_eq!(
            Status::new("waiting_for_srpm").class(),
            StatusClass::Pending
        );
        assert!(!Status::new("running").is_final());
        assert_eq!(Status::new("brand-new-value").class(), StatusClass::Unknown);
        assert!(Status::new("brand-new-value").is_final());
    }

    #[test]
    fn parses_real_examples() {
        let runs: Vec<Run> = serde_json::from_str(&read("runs_page1_per20.json")).unwrap();
        assert!(
            runs.iter()
                .any(|r| r.merged_run_id == Some(999) && r.copr.len() == 6)
        );
        let copr: CoprBuildTarget = serde_json::from_str(&read("copr-build_2366.json")).unwrap();
        assert_eq!(copr.build_id.as_deref(), Some("7000846"));
        assert_eq!(copr.built_packages.as_ref().unwrap().len(), 2);
        assert!(
            copr.project_info()
                .project_url
                .unwrap()
                .starts_with("https://")
        );
        let tf: TestingFarmRun = serde_json::from_str(&read("testing-farm_1700.json")).unwrap();
        assert_eq!(tf.copr_build_ids, vec![2299]);
        let list: Vec<CoprBuildListItem> =
            serde_json::from_str(&read("copr-builds_page1_per20.json")).unwrap();
        assert!(!list.is_empty());
        let _: Vec<KojiBuild> =
            serde_json::from_str(&read("koji-builds_page1_per10.json")).unwrap();
        let _: Vec<SrpmBuild> =
            serde_json::from_str(&read("srpm-builds_page1_per10.json")).unwrap();
        let _: Vec<TestingFarmRun> =
            serde_json::from_str(&read("testing-farm-results_page1_per20.json")).unwrap();
        let _: Vec<SyncReleaseRunItem> =
            serde_json::from_str(&read("propose-downstream_page1_per10.json")).unwrap();
        let _: Vec<BodhiUpdate> =
            serde_json::from_str(&read("bodhi-updates_page1_per10.json")).unwrap();
        let _: Vec<Project> = serde_json::from_str(&read("projects_page1_per20.json")).unwrap();
    }

    #[test]
    fn inline_project_info_has_every_field_of_the_block() {
        let json = r#"{"pr_id": 1, "issue_id": 2, "branch_name": "b", "release": "r",
            "anitya_version": "v", "repo_namespace": "n", "repo_name": "m",
            "project_url": "u", "anitya_project_id": 3, "anitya_project_name": "a",
            "anitya_package": "p", "non_git_upstream": true, "status": "failed"}"#;
        let info: ProjectInfo = serde_json::from_str(json).unwrap();
        let k: KojiBuild = serde_json::from_str(json).unwrap();
        assert_eq!(k.project_info(), info);
        assert_eq!(info.non_git_upstream, Some(true));
        assert_eq!(info.anitya_project_id, Some(3));
        // the block serializes inline under the same keys
        let v = serde_json::to_value(&k).unwrap();
        let info_v = serde_json::to_value(&info).unwrap();
        for (key, val) in info_v.as_object().unwrap() {
            assert_eq!(&v[key], val, "{key}");
        }
        assert_eq!(v["status"], "failed");
    }

    #[test]
    fn tolerates_renamed_and_missing_keys() {
        let k: KojiBuild = serde_json::from_str(
            r#"{"submitted_time": 5, "status": "weird", "build_logs_urls": "http://x/log", "new_key": 1}"#,
        )
        .unwrap();
        assert_eq!(submitted(k.build_submitted_time, k.submitted_time), Some(5));
        assert_eq!(k.build_logs_urls.unwrap().entries().len(), 1);
        let c: CoprBuildTarget = serde_json::from_str("{}").unwrap();
        assert_eq!(c.status.as_str(), "");
    }
}
