//! Projects and their PR, branch and release sub-list items.

use super::Status;
use serde::{Deserialize, Serialize};

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
