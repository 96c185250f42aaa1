//! The Packit service REST API: response models (`types`), the entity kinds
//! (`Kind`), the shape of a list endpoint (`ListEndpoint`) with the two that belong
//! to no job kind (pipelines, projects), and the HTTP client. Each job kind's
//! endpoints are in its definition (`crate::jobs::registry`).
//!
//! This is the first stage of the data's way; it knows nothing of the archive or
//! the site.

pub mod client;
pub mod types;

use serde::Serialize;

/// Default API base URL.
pub const DEFAULT_API: &str = "https://prod.packit.dev/api";

/// Every kind of entity the archive keeps. The string form is what the archive stores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A Copr build merged over its chroots (`/copr-builds` list item), keyed by Copr build id.
    CoprBuild,
    /// One Copr chroot target (`/copr-builds/<id>`), keyed by packit id.
    Copr,
    /// Koji build target (scratch or downstream).
    Koji,
    /// SRPM build.
    Srpm,
    /// Testing Farm run target.
    TestingFarm,
    /// A merged pipeline (`/runs` item), keyed by merged run id.
    Pipeline,
    /// A propose-downstream run (list item).
    ProposeDownstreamRun,
    /// A propose-downstream target (detail).
    ProposeDownstream,
    /// A pull-from-upstream run (list item).
    PullFromUpstreamRun,
    /// A pull-from-upstream target (detail).
    PullFromUpstream,
    /// Bodhi update target.
    Bodhi,
    /// Koji tag request target.
    KojiTagRequest,
    /// OpenScanHub scan.
    OpenScanHub,
    /// Log Detective run.
    LogDetective,
    /// A project, keyed by `forge/namespace/repo`.
    Project,
    /// A project's PR sub-list item, keyed by `forge/namespace/repo#pr`.
    ProjectPr,
    /// A project's branch sub-list item, keyed by `forge/namespace/repo:branch`.
    ProjectBranch,
    /// A project's release sub-list item, keyed by `forge/namespace/repo@tag`.
    ProjectRelease,
    /// A project's issue sub-list item, keyed by `forge/namespace/repo!issue`.
    ProjectIssue,
    /// Usage statistics snapshot, keyed by `all`.
    Usage,
    /// Service versions, keyed by `system`.
    System,
}

impl Kind {
    /// All kinds.
    pub const ALL: [Kind; 21] = [
        Kind::CoprBuild,
        Kind::Copr,
        Kind::Koji,
        Kind::Srpm,
        Kind::TestingFarm,
        Kind::Pipeline,
        Kind::ProposeDownstreamRun,
        Kind::ProposeDownstream,
        Kind::PullFromUpstreamRun,
        Kind::PullFromUpstream,
        Kind::Bodhi,
        Kind::KojiTagRequest,
        Kind::OpenScanHub,
        Kind::LogDetective,
        Kind::Project,
        Kind::ProjectPr,
        Kind::ProjectBranch,
        Kind::ProjectRelease,
        Kind::ProjectIssue,
        Kind::Usage,
        Kind::System,
    ];

    /// The name stored in the archive.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::CoprBuild => "copr-build",
            Kind::Copr => "copr",
            Kind::Koji => "koji",
            Kind::Srpm => "srpm",
            Kind::TestingFarm => "testing-farm",
            Kind::Pipeline => "pipeline",
            Kind::ProposeDownstreamRun => "propose-downstream-run",
            Kind::ProposeDownstream => "propose-downstream",
            Kind::PullFromUpstreamRun => "pull-from-upstream-run",
            Kind::PullFromUpstream => "pull-from-upstream",
            Kind::Bodhi => "bodhi",
            Kind::KojiTagRequest => "koji-tag-request",
            Kind::OpenScanHub => "openscanhub",
            Kind::LogDetective => "log-detective",
            Kind::Project => "project",
            Kind::ProjectPr => "project-pr",
            Kind::ProjectBranch => "project-branch",
            Kind::ProjectRelease => "project-release",
            Kind::ProjectIssue => "project-issue",
            Kind::Usage => "usage",
            Kind::System => "system",
        }
    }

    /// Parses the archive name.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A paginated list endpoint of the API and what its items are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListEndpoint {
    /// Path without `/api/`.
    pub path: &'static str,
    /// Unit in `Content-Range`.
    pub unit: &'static str,
    /// Kind of the list items.
    pub kind: Kind,
    /// Field holding the item id.
    pub id_field: &'static str,
    /// Whether the detail endpoint holds more than the list item (so sync fetches it).
    pub detail_richer: bool,
}

/// The list of merged pipelines (`/runs`), walked first.
pub const RUNS: ListEndpoint = ListEndpoint {
    path: "runs",
    unit: "runs",
    kind: Kind::Pipeline,
    id_field: "merged_run_id",
    detail_richer: false,
};

/// The list of projects, walked last.
pub const PROJECTS: ListEndpoint = ListEndpoint {
    path: "projects",
    unit: "git-projects",
    kind: Kind::Project,
    id_field: "project_url",
    detail_richer: false,
};

/// The detail endpoint of a project (`projects/<forge>/<namespace>/<repo>`); the job
/// kinds' endpoints are in their definitions (`crate::jobs::registry`).
pub const PROJECT_DETAIL: &str = "projects";

/// `forge/namespace/repo` for a project URL such as `https://github.com/packit/ogr`.
/// GitLab sub-group namespaces keep their slashes. Returns `None` for URLs that do
/// not have at least a host, a namespace and a repository.
pub fn project_key(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let rest = rest.trim_end_matches('/');
    let rest = rest.strip_suffix(".git").unwrap_or(rest);
    let mut parts = rest.splitn(2, '/');
    let host = parts.next().filter(|h| !h.is_empty())?;
    let path = parts.next()?;
    let (ns, repo) = path.rsplit_once('/')?;
    if ns.is_empty() || repo.is_empty() {
        return None;
    }
    Some(format!("{host}/{ns}/{repo}"))
}

/// The id of a list item of `endpoint`, as the archive keys it.
pub fn list_item_id(endpoint: &ListEndpoint, item: &serde_json::Value) -> Option<String> {
    let v = item.get(endpoint.id_field)?;
    match endpoint.kind {
        Kind::Project => v.as_str().and_then(project_key),
        _ => match v {
            serde_json::Value::Number(n) => n.as_i64().map(|n| n.to_string()),
            serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_keys() {
        assert_eq!(
            project_key("https://github.com/packit/ogr").as_deref(),
            Some("github.com/packit/ogr")
        );
        assert_eq!(
            project_key("https://gitlab.com/redhat/centos-stream/src/kernel/").as_deref(),
            Some("gitlab.com/redhat/centos-stream/src/kernel")
        );
        assert_eq!(project_key("https://github.com/only"), None);
        assert_eq!(project_key(""), None);
    }

    #[test]
    fn kinds_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn list_ids() {
        let copr = ListEndpoint {
            path: "copr-builds",
            unit: "copr-builds",
            kind: Kind::CoprBuild,
            id_field: "build_id",
            detail_richer: true,
        };
        let item = serde_json::json!({"build_id": "5705488"});
        assert_eq!(list_item_id(&copr, &item).as_deref(), Some("5705488"));
        assert_eq!(
            list_item_id(&RUNS, &serde_json::json!({"merged_run_id": 7})).as_deref(),
            Some("7")
        );
        assert_eq!(list_item_id(&RUNS, &serde_json::json!({})), None);
        assert_eq!(
            list_item_id(
                &PROJECTS,
                &serde_json::json!({"project_url": "https://github.com/a/b"})
            )
            .as_deref(),
            Some("github.com/a/b")
        );
    }
}
