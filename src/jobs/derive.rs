//! The shared parts of what the archive derives from a job's raw JSON: the
//! extracted [`Keys`] (status, finality, submission time, project, trigger, target),
//! [`LogSource`], [`Targets`], the jobs of a pipeline and the helpers the kinds read
//! their references and logs with. What one kind derives lives in that kind's
//! module; the dispatch on kinds is the registry's (`registry.rs`). The kinds import
//! this module; it imports none of them.

use crate::api::types::{self, ProjectInfo, Run, Status};
use crate::api::{Kind, project_key};
use serde_json::Value;

/// Where one log of a job comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogSource {
    /// Log name, unique per job (`[a-z0-9._-]`).
    pub name: String,
    /// A linked text log (fetched for failed jobs only).
    pub url: Option<String>,
    /// A log the API returned inline.
    pub inline: Option<String>,
}

/// The keys the archive extracts from an entity's JSON and indexes.
#[derive(Debug, Clone, PartialEq)]
pub struct Keys {
    /// Raw status (the worst one for entities that group several jobs).
    pub status: Option<String>,
    /// Whether the entity (all its jobs) reached a final state.
    pub is_final: bool,
    /// Submission time (UNIX seconds).
    pub submitted: Option<i64>,
    /// Project key (`forge/namespace/repo`).
    pub project: Option<String>,
    /// Trigger key (see [`trigger_key`]).
    pub trigger: Option<String>,
    /// Target (chroot, branch, …).
    pub target: Option<String>,
}

impl Default for Keys {
    fn default() -> Keys {
        Keys {
            status: None,
            is_final: true,
            submitted: None,
            project: None,
            trigger: None,
            target: None,
        }
    }
}

impl Keys {
    /// The keys of a single job: its status (and finality), submission time,
    /// project and trigger.
    pub(super) fn job(status: &Status, submitted: Option<i64>, info: &ProjectInfo) -> Keys {
        let (project, trigger) = info_keys(info);
        Keys {
            status: Some(status.0.clone()),
            is_final: status.is_final(),
            submitted,
            project,
            trigger,
            target: None,
        }
    }
}

/// How a list item that groups targets names them: the object field mapping each
/// target to its packit id, the one mapping it to its status, and the targets' kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Targets {
    /// Field: target name → packit id.
    pub ids: &'static str,
    /// Field: target name → status.
    pub statuses: &'static str,
    /// Kind of the targets.
    pub kind: Kind,
}

/// The jobs of a `/runs` item with the kind each belongs to.
pub fn run_jobs(run: &Run) -> impl Iterator<Item = (Kind, &types::RunJob)> {
    run.srpm
        .iter()
        .map(|j| (Kind::Srpm, j))
        .chain(run.copr.iter().map(|j| (Kind::Copr, j)))
        .chain(run.koji.iter().map(|j| (Kind::Koji, j)))
        .chain(run.test_run.iter().map(|j| (Kind::TestingFarm, j)))
        .chain(run.bodhi_update.iter().map(|j| (Kind::Bodhi, j)))
        .chain(
            run.propose_downstream
                .iter()
                .map(|j| (Kind::ProposeDownstream, j)),
        )
        .chain(
            run.pull_from_upstream
                .iter()
                .map(|j| (Kind::PullFromUpstream, j)),
        )
}

/// The trigger of a project-info block as a short key: `pr:12`, `branch:main`,
/// `release:1.0`, `issue:3`, `anitya:1.2`.
pub fn trigger_key(info: &ProjectInfo) -> Option<String> {
    if let Some(pr) = info.pr_id {
        Some(format!("pr:{pr}"))
    } else if let Some(i) = info.issue_id {
        Some(format!("issue:{i}"))
    } else if let Some(b) = &info.branch_name {
        Some(format!("branch:{b}"))
    } else if let Some(r) = &info.release {
        Some(format!("release:{r}"))
    } else {
        info.anitya_version.as_ref().map(|v| format!("anitya:{v}"))
    }
}

/// The project and trigger keys of a project-info block.
pub(super) fn info_keys(info: &ProjectInfo) -> (Option<String>, Option<String>) {
    (
        info.project_url.as_deref().and_then(project_key),
        trigger_key(info),
    )
}

/// The worst of several statuses (error first, success last) and whether all are final.
pub(super) fn worst<'a>(statuses: impl Iterator<Item = &'a Status>) -> (Option<String>, bool) {
    use types::StatusClass as C;
    let rank = |c: C| match c {
        C::Error => 0,
        C::Failure => 1,
        C::Running => 2,
        C::Pending => 3,
        C::Canceled => 4,
        C::Unknown => 5,
        C::Skipped => 6,
        C::Success => 7,
    };
    let mut best: Option<&Status> = None;
    let mut all_final = true;
    for s in statuses {
        all_final &= s.is_final();
        if best.is_none_or(|b| rank(s.class()) < rank(b.class())) {
            best = Some(s);
        }
    }
    (best.map(|s| s.0.clone()), all_final)
}

/// A reference in an integer field.
pub(super) fn one(v: &Value, field: &str, kind: Kind, out: &mut Vec<(Kind, String)>) {
    if let Some(n) = v.get(field).and_then(Value::as_i64) {
        out.push((kind, n.to_string()));
    }
}

/// The references in an array or object field of integers.
pub(super) fn many(v: &Value, field: &str, kind: Kind, out: &mut Vec<(Kind, String)>) {
    let ids: Box<dyn Iterator<Item = &Value>> = match v.get(field) {
        Some(Value::Array(a)) => Box::new(a.iter()),
        Some(Value::Object(o)) => Box::new(o.values()),
        _ => return,
    };
    out.extend(ids.filter_map(Value::as_i64).map(|n| (kind, n.to_string())));
}

/// A non-blank string field.
pub(super) fn text(json: &Value, key: &str) -> Option<String> {
    json.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .map(str::to_string)
}

/// The URL if it is http(s).
pub(super) fn http(u: String) -> Option<String> {
    let l = u.to_ascii_lowercase();
    (l.starts_with("http://") || l.starts_with("https://")).then_some(u)
}

/// A log the API returned inline, if there is text.
pub(super) fn inline(name: &str, t: Option<String>) -> Option<LogSource> {
    t.map(|t| LogSource {
        name: name.into(),
        url: None,
        inline: Some(t),
    })
}

/// A linked log, if the URL is http(s).
pub(super) fn linked(name: String, u: Option<String>) -> Option<LogSource> {
    u.and_then(http).map(|u| LogSource {
        name,
        url: Some(u),
        inline: None,
    })
}

/// A log name part: `[a-z0-9._-]`, no leading or trailing `-` or `.`.
pub(super) fn log_name_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>()
        .trim_matches(['-', '.'])
        .to_string()
}
