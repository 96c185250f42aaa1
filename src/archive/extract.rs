//! What the archive derives from an entity's raw JSON, per job kind: the extracted
//! keys (status, finality, submission time, project, trigger, target), the jobs it
//! references, the jobs of a pipeline, and the logs a job names.

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

fn log_name_part(s: &str) -> String {
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

/// The logs a job's JSON (detail or list item) names: SRPM `logs` (inline) and
/// `logs_url`; Copr `build_logs_url` (`builder-live.log`, gzip or not) and the `build.log.gz` beside
/// it; Koji `build_submission_stdout` (inline) and `build_logs_urls` (per arch); the
/// `logs` of propose-downstream and pull-from-upstream targets (inline). Empty text
/// and non-http(s) URLs are left out.
pub fn log_sources(kind: Kind, json: &Value) -> Vec<LogSource> {
    let text = |k: &str| {
        json.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string)
    };
    let http = |u: String| {
        let l = u.to_ascii_lowercase();
        (l.starts_with("http://") || l.starts_with("https://")).then_some(u)
    };
    let inline = |name: &str, t: Option<String>| {
        t.map(|t| LogSource {
            name: name.into(),
            url: None,
            inline: Some(t),
        })
    };
    let linked = |name: String, u: Option<String>| {
        u.and_then(http).map(|u| LogSource {
            name,
            url: Some(u),
            inline: None,
        })
    };
    let mut out = Vec::new();
    match kind {
        Kind::Srpm => {
            out.extend(inline("srpm", text("logs")));
            out.extend(linked("srpm-builder-live".into(), text("logs_url")));
        }
        Kind::Copr => {
            if let Some(u) = text("build_logs_url").and_then(http) {
                let dir = u
                    .strip_suffix("builder-live.log")
                    .or_else(|| u.strip_suffix("builder-live.log.gz"));
                if let Some(dir) = dir {
                    out.extend(linked("build".into(), Some(format!("{dir}build.log.gz"))));
                }
                out.extend(linked("builder-live".into(), Some(u)));
            }
        }
        Kind::Koji => {
            out.extend(inline("submission", text("build_submission_stdout")));
            match json.get("build_logs_urls") {
                Some(Value::Object(m)) => {
                    for (arch, u) in m {
                        let name = format!("build-{}", log_name_part(arch));
                        out.extend(linked(name, u.as_str().map(str::to_string)));
                    }
                }
                Some(Value::String(u)) => out.extend(linked("build".into(), Some(u.clone()))),
                _ => {}
            }
        }
        Kind::ProposeDownstream | Kind::PullFromUpstream => {
            out.extend(inline("sync-release", text("logs")));
        }
        _ => {}
    }
    out
}

/// Extracted keys of an entity.
#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct Extract {
    pub(super) status: Option<String>,
    pub(super) is_final: bool,
    pub(super) submitted: Option<i64>,
    pub(super) project: Option<String>,
    pub(super) trigger: Option<String>,
    pub(super) target: Option<String>,
}

impl Extract {
    /// Sets the status (and finality), submission time, project and trigger of a
    /// single job.
    fn job(&mut self, status: &Status, submitted: Option<i64>, info: &ProjectInfo) {
        self.is_final = status.is_final();
        self.status = Some(status.0.clone());
        self.submitted = submitted;
        (self.project, self.trigger) = info_keys(info);
    }
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

fn info_keys(info: &ProjectInfo) -> (Option<String>, Option<String>) {
    (
        info.project_url.as_deref().and_then(project_key),
        trigger_key(info),
    )
}

fn worst<'a>(statuses: impl Iterator<Item = &'a Status>) -> (Option<String>, bool) {
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

pub(super) fn extract(kind: Kind, list: Option<&str>, detail: Option<&str>) -> Extract {
    fn parse<T: serde::de::DeserializeOwned + Default>(s: Option<&str>) -> T {
        s.and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default()
    }
    let best = detail.or(list);
    let mut ex = Extract {
        is_final: true,
        ..Extract::default()
    };
    match kind {
        Kind::CoprBuild => {
            let v: types::CoprBuildListItem = parse(list);
            (ex.status, ex.is_final) = worst(v.status_per_chroot.values());
            ex.submitted = types::submitted(v.build_submitted_time, v.submitted_time);
            (ex.project, ex.trigger) = info_keys(&v.project_info());
        }
        Kind::Copr => {
            let v: types::CoprBuildTarget = parse(best);
            let submitted = types::submitted(v.build_submitted_time, v.submitted_time);
            ex.job(&v.status, submitted, &v.project_info());
            ex.target = v.chroot.clone();
        }
        Kind::Koji => {
            let mut v: types::KojiBuild = parse(best);
            if detail.is_some() && list.is_some() {
                // the list item has the packit id and scratch flag; keep them
                let l: types::KojiBuild = parse(list);
                v.scratch = v.scratch.or(l.scratch);
            }
            let submitted = types::submitted(v.build_submitted_time, v.submitted_time);
            ex.job(&v.status, submitted, &v.project_info());
            ex.target = match v.scratch {
                Some(false) => Some(format!(
                    "downstream:{}",
                    v.chroot.clone().unwrap_or_default()
                )),
                _ => v.chroot.clone(),
            };
        }
        Kind::Srpm => {
            let v: types::SrpmBuild = parse(best);
            let l: types::SrpmBuild = parse(list);
            let submitted = types::submitted(v.build_submitted_time, v.submitted_time)
                .or(types::submitted(l.build_submitted_time, l.submitted_time));
            let info = if v.project_url.is_some() {
                v.project_info()
            } else {
                l.project_info()
            };
            ex.job(&v.status, submitted, &info);
        }
        Kind::TestingFarm => {
            let v: types::TestingFarmRun = parse(best);
            ex.job(&v.status, v.submitted_time, &v.project_info());
            ex.target = v.chroot.clone().or(v.target.clone());
        }
        Kind::Pipeline => {
            let v: Run = parse(list.or(detail));
            let statuses: Vec<&Status> = run_jobs(&v).map(|(_, j)| &j.status).collect();
            (ex.status, ex.is_final) = worst(statuses.into_iter());
            ex.submitted = v.time_submitted;
            if let Some(t) = &v.trigger {
                (ex.project, ex.trigger) = info_keys(t);
            }
        }
        Kind::ProposeDownstreamRun | Kind::PullFromUpstreamRun => {
            let v: types::SyncReleaseRunItem = parse(list);
            ex.job(&v.status, v.submitted_time, &v.info);
            ex.is_final &= v.status_per_downstream_pr.values().all(Status::is_final);
        }
        Kind::ProposeDownstream | Kind::PullFromUpstream => {
            let v: types::SyncReleaseTarget = parse(best);
            ex.job(&v.status, v.submitted_time, &v.project_info());
            ex.target = v.branch.clone();
        }
        Kind::Bodhi => {
            let v: types::BodhiUpdate = parse(best);
            ex.job(&v.status, v.submitted_time, &v.project_info());
            ex.target = v.branch.clone();
        }
        Kind::KojiTagRequest => {
            let v: types::KojiTagRequest = parse(best);
            ex.submitted = v.tag_request_submitted_time;
            ex.target = v.chroot.clone();
            (ex.project, ex.trigger) = info_keys(&v.project_info());
        }
        Kind::OpenScanHub => {
            let v: types::OpenScanHubScan = parse(best);
            ex.job(&v.status, v.submitted_time, &v.project_info());
        }
        Kind::LogDetective => {
            let v: types::LogDetectiveRun = parse(best);
            ex.job(&v.status, v.submitted_time, &v.project_info());
            ex.target = v.chroot.clone();
        }
        Kind::Project => {
            let v: types::Project = parse(best);
            ex.project = v.project_url.as_deref().and_then(project_key);
        }
        Kind::ProjectPr | Kind::ProjectBranch | Kind::ProjectRelease | Kind::ProjectIssue => {}
        Kind::Usage | Kind::System => {}
    }
    ex
}

/// The jobs an entity's pages show as related chips, from its stored JSON: the
/// SRPM and Log Detective runs of a build, the builds a test ran on, the build a
/// scan analysed, the chroots of a Copr build and the targets of a sync-release run.
pub fn refs_of(kind: Kind, list: Option<&str>, detail: Option<&str>) -> Vec<(Kind, String)> {
    let mut out = Vec::new();
    let mut scan = |json: Option<&str>| {
        let Some(v) = json.and_then(|j| serde_json::from_str::<Value>(j).ok()) else {
            return;
        };
        let mut one = |field: &str, k: Kind| {
            if let Some(n) = v.get(field).and_then(Value::as_i64) {
                out.push((k, n.to_string()));
            }
        };
        match kind {
            Kind::Copr | Kind::Koji => one("srpm_build_id", Kind::Srpm),
            Kind::OpenScanHub => one("copr_build_target_id", Kind::Copr),
            _ => {}
        }
        let mut many = |field: &str, k: Kind| match v.get(field) {
            Some(Value::Array(a)) => out.extend(
                a.iter()
                    .filter_map(Value::as_i64)
                    .map(|n| (k, n.to_string())),
            ),
            Some(Value::Object(o)) => out.extend(
                o.values()
                    .filter_map(Value::as_i64)
                    .map(|n| (k, n.to_string())),
            ),
            _ => {}
        };
        match kind {
            Kind::Copr | Kind::Koji => many("log_detective_runs", Kind::LogDetective),
            Kind::TestingFarm => {
                many("copr_build_ids", Kind::Copr);
                many("koji_build_ids", Kind::Koji);
            }
            Kind::CoprBuild => many("packit_id_per_chroot", Kind::Copr),
            Kind::ProposeDownstreamRun => {
                many("packit_id_per_downstream_pr", Kind::ProposeDownstream)
            }
            Kind::PullFromUpstreamRun => {
                many("packit_id_per_downstream_pr", Kind::PullFromUpstream)
            }
            _ => {}
        }
    };
    scan(list);
    scan(detail);
    out.sort();
    out.dedup();
    out
}
