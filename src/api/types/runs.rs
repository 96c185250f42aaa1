//! Pipelines (`/runs`, merged by SRPM) and sync-release runs with their downstream
//! pull requests.

use super::{ProjectInfo, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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

with_project_info! {
    /// A sync-release (propose-downstream / pull-from-upstream) run, as listed, with
    /// its trigger and project inline.
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
    }
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
