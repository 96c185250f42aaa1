//! Build jobs: Copr builds (the list item merged over chroots, one chroot target),
//! Koji builds and SRPM builds.

use super::{ProjectInfo, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
