//! Response models of the Packit service API.
//!
//! Every field is optional and defaults when absent (the API omits keys rather than
//! sending `null` in many places), unknown keys are ignored, and statuses are strings
//! with helpers rather than closed enums, so new upstream values never break parsing.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
        const CLASSES: [(&str, StatusClass); 26] = [
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

with_project_info! {
    /// `/copr-builds` list item: one Copr build merged over its chroots.
    pub struct CoprBuildListItem {
        /// Some target id of the build.
        pub packit_id: Option<i64>,
        /// Copr project name.
        pub project: Option<String>,
        /// Copr build id (a string).
        pub build_id: Option<String>,
        /// chroot → status.
        pub status_per_chroot: BTreeMap<String, Status>,
        /// chroot → target packit id.
        pub packit_id_per_chroot: BTreeMap<String, i64>,
        /// Submission time.
        pub build_submitted_time: Option<i64>,
        /// Submission time (renamed key).
        pub submitted_time: Option<i64>,
        /// Copr web page.
        pub web_url: Option<String>,
        /// Commit SHA.
        pub r#ref: Option<String>,
    }
}

/// A package built by Copr.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BuiltPackage {
    /// Architecture (`src` for the source RPM).
    pub arch: Option<String>,
    /// Epoch.
    pub epoch: Option<i64>,
    /// Package name.
    pub name: Option<String>,
    /// Release.
    pub release: Option<String>,
    /// Version.
    pub version: Option<String>,
}

with_project_info! {
    /// `/copr-builds/<id>`: one chroot target.
    pub struct CoprBuildTarget {
        /// Copr build id.
        pub build_id: Option<String>,
        /// Status.
        pub status: Status,
        /// Chroot.
        pub chroot: Option<String>,
        /// Submission time.
        pub build_submitted_time: Option<i64>,
        /// Submission time (renamed key).
        pub submitted_time: Option<i64>,
        /// Start time.
        pub build_start_time: Option<i64>,
        /// Finish time.
        pub build_finished_time: Option<i64>,
        /// Commit SHA.
        pub commit_sha: Option<String>,
        /// Copr web page.
        pub web_url: Option<String>,
        /// Build log URL.
        pub build_logs_url: Option<String>,
        /// Copr project.
        pub copr_project: Option<String>,
        /// Copr owner.
        pub copr_owner: Option<String>,
        /// SRPM build packit id.
        pub srpm_build_id: Option<i64>,
        /// Pipeline ids.
        pub run_ids: Vec<i64>,
        /// Packages built.
        pub built_packages: Option<Vec<BuiltPackage>>,
        /// Log Detective run ids.
        pub log_detective_runs: Vec<i64>,
    }
}

/// Koji build log URLs: an arch → URL object in current rows, a bare string in old ones.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LogUrls {
    /// arch → URL.
    PerArch(BTreeMap<String, Option<String>>),
    /// A single URL.
    One(String),
    /// Anything else the API may have stored.
    Other(serde_json::Value),
}

impl LogUrls {
    /// (label, url) pairs.
    pub fn entries(&self) -> Vec<(String, String)> {
        match self {
            LogUrls::PerArch(m) => m
                .iter()
                .filter_map(|(k, v)| v.clone().map(|v| (k.clone(), v)))
                .collect(),
            LogUrls::One(u) => vec![("log".into(), u.clone())],
            LogUrls::Other(_) => Vec::new(),
        }
    }
}

with_project_info! {
    /// `/koji-builds` list item and `/koji-builds/<id>` detail (the detail has more keys).
    pub struct KojiBuild {
        /// Packit id (list only).
        pub packit_id: Option<i64>,
        /// Koji task id.
        pub task_id: Option<String>,
        /// Scratch build?
        pub scratch: Option<bool>,
        /// Status (free text).
        pub status: Status,
        /// Target / dist-git branch.
        pub chroot: Option<String>,
        /// Submission time.
        pub build_submitted_time: Option<i64>,
        /// Submission time (renamed key).
        pub submitted_time: Option<i64>,
        /// Start time.
        pub build_start_time: Option<i64>,
        /// Finish time.
        pub build_finished_time: Option<i64>,
        /// Commit SHA.
        pub commit_sha: Option<String>,
        /// Koji web page.
        pub web_url: Option<String>,
        /// Build logs.
        pub build_logs_urls: Option<LogUrls>,
        /// SRPM build packit id.
        pub srpm_build_id: Option<i64>,
        /// Pipeline ids.
        pub run_ids: Vec<i64>,
        /// Output of the submission command.
        pub build_submission_stdout: Option<String>,
        /// Error message.
        pub error_message: Option<String>,
        /// Log Detective run ids.
        pub log_detective_runs: Vec<i64>,
    }
}

with_project_info! {
    /// `/srpm-builds` list item and `/srpm-builds/<id>` detail.
    pub struct SrpmBuild {
        /// Packit id (list only).
        pub srpm_build_id: Option<i64>,
        /// Status.
        pub status: Status,
        /// Dashboard URL of the build (list only).
        pub log_url: Option<String>,
        /// Submission time.
        pub build_submitted_time: Option<i64>,
        /// Submission time (renamed key).
        pub submitted_time: Option<i64>,
        /// Start time.
        pub build_start_time: Option<i64>,
        /// Finish time.
        pub build_finished_time: Option<i64>,
        /// SRPM download URL (blanked after 30 days).
        pub url: Option<String>,
        /// Build log text (blanked after 30 days).
        pub logs: Option<String>,
        /// Copr log URL for SRPMs built in Copr.
        pub logs_url: Option<String>,
        /// Copr build id.
        pub copr_build_id: Option<String>,
        /// Copr web page.
        pub copr_web_url: Option<String>,
        /// Pipeline ids.
        pub run_ids: Vec<i64>,
    }
}

with_project_info! {
    /// `/testing-farm/results` item and `/testing-farm/<id>` detail.
    pub struct TestingFarmRun {
        /// Packit id (list only).
        pub packit_id: Option<i64>,
        /// Testing Farm request UUID.
        pub pipeline_id: Option<String>,
        /// Commit (list).
        pub r#ref: Option<String>,
        /// Commit (detail).
        pub commit_sha: Option<String>,
        /// Status.
        pub status: Status,
        /// Target (list).
        pub target: Option<String>,
        /// Target (detail).
        pub chroot: Option<String>,
        /// Artifacts page.
        pub web_url: Option<String>,
        /// Submission time.
        pub submitted_time: Option<i64>,
        /// Copr target ids tested.
        pub copr_build_ids: Vec<i64>,
        /// Koji target ids tested.
        pub koji_build_ids: Vec<i64>,
        /// Pipeline ids.
        pub run_ids: Vec<i64>,
    }
}

/// One job inside a `/runs` item.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunJob {
    /// Packit id of the job.
    pub packit_id: Option<i64>,
    /// Target / chroot / branch.
    pub target: Option<String>,
    /// Status.
    pub status: Status,
}

/// `/runs` item and `/runs/merged/<id>`: a pipeline merged by SRPM.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Run {
    /// Smallest pipeline id of the merged group.
    pub merged_run_id: Option<i64>,
    /// SRPM job.
    pub srpm: Option<RunJob>,
    /// Copr jobs.
    pub copr: Vec<RunJob>,
    /// Koji jobs.
    pub koji: Vec<RunJob>,
    /// Testing Farm jobs.
    pub test_run: Vec<RunJob>,
    /// Bodhi jobs.
    pub bodhi_update: Vec<RunJob>,
    /// Propose-downstream targets.
    pub propose_downstream: Vec<RunJob>,
    /// Pull-from-upstream targets.
    pub pull_from_upstream: Vec<RunJob>,
    /// VM image builds.
    pub vm_image_build: Vec<RunJob>,
    /// Submission time (absent when nothing was found).
    pub time_submitted: Option<i64>,
    /// Trigger (absent when nothing was found; may be `{}`).
    pub trigger: Option<ProjectInfo>,
}

/// A sync-release (propose-downstream / pull-from-upstream) run, as listed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SyncReleaseRunItem {
    /// Run id (not a target id).
    pub packit_id: Option<i64>,
    /// Run status.
    pub status: Status,
    /// Submission time.
    pub submitted_time: Option<i64>,
    /// branch → target status.
    pub status_per_downstream_pr: BTreeMap<String, Status>,
    /// branch → target packit id.
    pub packit_id_per_downstream_pr: BTreeMap<String, i64>,
    /// Trigger and project, inline.
    #[serde(flatten)]
    pub info: ProjectInfo,
}

/// A downstream pull request opened by a sync release.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DownstreamPr {
    /// PR number.
    pub pr_id: Option<i64>,
    /// dist-git branch.
    pub branch: Option<String>,
    /// Fast-forward merge?
    pub is_fast_forward: Option<bool>,
    /// PR URL.
    pub url: Option<String>,
}

with_project_info! {
    /// `/propose-downstream/<id>` and `/pull-from-upstream/<id>`: one target.
    pub struct SyncReleaseTarget {
        /// Target status.
        pub status: Status,
        /// dist-git branch.
        pub branch: Option<String>,
        /// Downstream PRs.
        pub downstream_prs: Vec<DownstreamPr>,
        /// Downstream project URL.
        pub downstream_pr_project: Option<String>,
        /// Submission time.
        pub submitted_time: Option<i64>,
        /// Start time.
        pub start_time: Option<i64>,
        /// Finish time.
        pub finished_time: Option<i64>,
        /// Log text.
        pub logs: Option<String>,
        /// 2022-era field.
        pub downstream_pr_url: Option<String>,
    }
}

with_project_info! {
    /// `/bodhi-updates` item and detail.
    pub struct BodhiUpdate {
        /// Packit id (list).
        pub packit_id: Option<i64>,
        /// Status.
        pub status: Status,
        /// dist-git branch.
        pub branch: Option<String>,
        /// Bodhi page.
        pub web_url: Option<String>,
        /// Koji NVRs, space separated.
        pub koji_nvrs: Option<String>,
        /// Update alias.
        pub alias: Option<String>,
        /// Submission time.
        pub submitted_time: Option<i64>,
        /// Update creation time.
        pub update_creation_time: Option<i64>,
        /// Pipeline ids.
        pub run_ids: Vec<i64>,
        /// Error message.
        pub error_message: Option<String>,
    }
}

with_project_info! {
    /// `/koji-tag-requests` item and detail (no status field upstream).
    pub struct KojiTagRequest {
        /// Packit id (list).
        pub packit_id: Option<i64>,
        /// Koji task id.
        pub task_id: Option<String>,
        /// Submission time.
        pub tag_request_submitted_time: Option<i64>,
        /// Target.
        pub chroot: Option<String>,
        /// Side tag.
        pub sidetag: Option<String>,
        /// NVR.
        pub nvr: Option<String>,
        /// Commit.
        pub commit_sha: Option<String>,
        /// Koji page.
        pub web_url: Option<String>,
        /// Pipeline ids.
        pub run_ids: Vec<i64>,
    }
}

with_project_info! {
    /// `/openscanhub-scans` item and detail.
    pub struct OpenScanHubScan {
        /// Packit id (list).
        pub packit_id: Option<i64>,
        /// OSH task id (an integer).
        pub task_id: Option<i64>,
        /// Status.
        pub status: Status,
        /// OSH task URL.
        pub url: Option<String>,
        /// New findings.
        pub issues_added_count: Option<i64>,
        /// Added findings URL.
        pub issues_added_url: Option<String>,
        /// Fixed findings URL.
        pub issues_fixed_url: Option<String>,
        /// All findings URL.
        pub scan_results_url: Option<String>,
        /// Copr target packit id.
        pub copr_build_target_id: Option<i64>,
        /// Submission time.
        pub submitted_time: Option<i64>,
    }
}

/// A Log Detective text block.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LdText {
    /// The text.
    pub text: Option<String>,
}

/// A log snippet Log Detective picked.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LdSnippet {
    /// Line number in the source file.
    pub line_number: Option<i64>,
    /// Log file name.
    pub source_file: Option<String>,
    /// Snippet text.
    pub text: Option<String>,
    /// Analysis of the snippet.
    pub snippet_analysis: Option<String>,
}

/// Log Detective's answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LdResponse {
    /// Explanation.
    pub explanation: Option<LdText>,
    /// True when nothing was found.
    pub no_issue_found: Option<bool>,
    /// Snippets.
    pub snippets: Vec<LdSnippet>,
    /// Suggested solution.
    pub solution: Option<LdText>,
}

with_project_info! {
    /// `/log-detective` item and detail (the same object).
    pub struct LogDetectiveRun {
        /// Packit id.
        pub packit_id: Option<i64>,
        /// Analysis UUID.
        pub analysis_id: Option<String>,
        /// Status.
        pub status: Status,
        /// Target.
        pub chroot: Option<String>,
        /// Commit.
        pub commit_sha: Option<String>,
        /// The analysis.
        pub log_detective_response: Option<LdResponse>,
        /// Error text.
        pub error_msg: Option<String>,
        /// Copr build id or Koji task id analysed.
        pub target_build: Option<String>,
        /// Pipeline ids.
        pub run_ids: Vec<i64>,
        /// Submission time.
        pub submitted_time: Option<i64>,
    }
}

/// `/projects` item and `/projects/<forge>/<ns>/<repo>` detail.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Project {
    /// Namespace (may contain `/` for GitLab sub-groups).
    pub namespace: Option<String>,
    /// Repository name.
    pub repo_name: Option<String>,
    /// Project URL.
    pub project_url: Option<String>,
    /// PRs handled.
    pub prs_handled: Option<i64>,
    /// Branches handled.
    pub branches_handled: Option<i64>,
    /// Releases handled.
    pub releases_handled: Option<i64>,
    /// Issues handled.
    pub issues_handled: Option<i64>,
}

/// A build inside a project PR / branch sub-list item.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SubBuild {
    /// Copr build id.
    pub build_id: Option<String>,
    /// Koji task id.
    pub task_id: Option<String>,
    /// SRPM packit id.
    pub srpm_build_id: Option<i64>,
    /// TF request id.
    pub pipeline_id: Option<String>,
    /// Target.
    pub chroot: Option<String>,
    /// Status (PR tests carry a `TestingFarmResult.` prefix).
    pub status: Status,
    /// External page.
    pub web_url: Option<String>,
    /// Dashboard URL (SRPM).
    pub log_url: Option<String>,
}

/// `/projects/…/prs` item (also `/branches` with `branch` instead of `pr_id`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectTriggerItem {
    /// PR number.
    pub pr_id: Option<i64>,
    /// Branch name.
    pub branch: Option<String>,
    /// Copr builds.
    pub builds: Vec<SubBuild>,
    /// Koji builds.
    pub koji_builds: Vec<SubBuild>,
    /// SRPM builds.
    pub srpm_builds: Vec<SubBuild>,
    /// Testing Farm runs.
    pub tests: Vec<SubBuild>,
}

/// `/projects/…/releases` item.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectRelease {
    /// Tag.
    pub tag_name: Option<String>,
    /// Commit.
    pub commit_hash: Option<String>,
}

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
