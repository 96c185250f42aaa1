//! The other job kinds: Testing Farm runs, sync-release targets, Bodhi updates, Koji
//! tag requests, OpenScanHub scans and Log Detective analyses.

use super::{DownstreamPr, ProjectInfo, Status};
use serde::{Deserialize, Serialize};

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
