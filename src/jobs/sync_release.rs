//! Sync-release runs, propose downstream and pull from upstream: the list of runs
//! (one label per dist-git branch), the index of branch targets and the detail
//! page of one branch.

use super::def::{Group, JobKindDef, ListDef, reads};
use super::derive::{Keys, LogSource, Targets, inline, text as field_text};
use super::failure::first_errors;
use super::{Job, JobList, Lookup, head, job_row, own_chip, parse};
use crate::api::Kind;
use crate::api::ListEndpoint;
use crate::api::types::Status;
use crate::api::types::{SyncReleaseRunItem, SyncReleaseTarget};
use crate::view::{
    Cell, Chip, DetailView, FailureView, Link, LogView, StatusView, link_cell, timeline,
};
use serde_json::Value;

/// List columns.
pub(super) const COLUMNS: &[&str] = &["Trigger", "Targets", "Submitted", "Run"];

/// Columns of the branch target index.
pub(super) const TARGET_COLUMNS: &[&str] = &["Trigger", "Target", "Submitted", "Downstream"];

/// A run row: one label per branch and the run's own status.
pub(super) fn row<L: Lookup + ?Sized>(
    list: JobList,
    job: &Job<'_>,
    lk: &L,
) -> Result<Vec<Cell>, L::Error> {
    let v: SyncReleaseRunItem = parse(job.list_json);
    let mut chips = Vec::new();
    for (branch, st) in &v.status_per_downstream_pr {
        let pid = v.packit_id_per_downstream_pr.get(branch).copied();
        chips.push(lk.job_chip(list.detail_kind(), pid, st.as_str(), branch)?);
    }
    Ok(job_row(
        lk,
        &v.project_info(),
        chips,
        v.submitted_time,
        Cell::Chips {
            v: vec![Chip {
                status: StatusView::of(v.status.as_str()),
                text: format!("run {}", job.id),
                href: None,
            }],
        },
    ))
}

/// A branch row of the target index.
pub(super) fn target_row<L: Lookup + ?Sized>(list: JobList, job: &Job<'_>, lk: &L) -> Vec<Cell> {
    let v: SyncReleaseTarget = parse(job.json());
    let ext = v
        .downstream_prs
        .first()
        .and_then(|p| Link::ext(p.url.as_deref(), "downstream PR"));
    job_row(
        lk,
        &v.project_info(),
        vec![own_chip(list, job, v.branch.as_deref(), lk)],
        v.submitted_time.or(job.submitted),
        link_cell(ext, true),
    )
}

/// The detail page of a branch.
pub(super) fn detail<L: Lookup + ?Sized>(job: &Job<'_>, d: &mut DetailView, lk: &L) {
    let v: SyncReleaseTarget = parse(job.json());
    let info = v.project_info();
    head(d, lk, &info, v.status.as_str(), v.branch.clone(), None);
    d.timeline = timeline(v.submitted_time, v.start_time, v.finished_time);
    let mut prs = Vec::new();
    for pr in &v.downstream_prs {
        if let Some(l) = Link::ext(
            pr.url.as_deref(),
            format!(
                "{} #{}",
                pr.branch.clone().or(v.branch.clone()).unwrap_or_default(),
                pr.pr_id.map(|n| n.to_string()).unwrap_or_default()
            ),
        ) {
            prs.push(l);
        }
    }
    if let Some(l) = Link::ext(v.downstream_pr_url.as_deref(), "Downstream pull request") {
        prs.push(l);
    }
    d.links.extend(prs);
    d.links.extend(Link::ext(
        v.downstream_pr_project.as_deref(),
        "Package in dist-git",
    ));
    if let Some(t) = v.logs.clone().filter(|s| !s.is_empty()) {
        d.logs.push(LogView {
            title: "Log".into(),
            id: "log".into(),
            text: t,
            note: None,
        });
    }
}

/// A sync-release error line: an `ERROR` (or `CRITICAL`) record of Packit's log,
/// an exception, or a failed command.
pub fn sync_error(line: &str) -> bool {
    let t = line.trim_start();
    let level = t
        .split_whitespace()
        .take(4)
        .any(|w| w == "ERROR" || w == "CRITICAL");
    level
        || t.starts_with("error:")
        || t.starts_with("fatal:")
        || t.contains("Exception:")
        || t.contains("Command failed")
}

/// The failure box of a branch: the first errors of its log (archived, else as
/// the API returns it).
pub(super) fn failure<L: Lookup + ?Sized>(
    list: JobList,
    job: &Job<'_>,
    lk: &L,
) -> Result<FailureView, L::Error> {
    let v: SyncReleaseTarget = parse(job.json());
    let (lines, more) = first_errors(
        lk,
        list,
        job.id,
        &["sync-release"],
        &[("sync-release", v.logs.as_deref())],
        sync_error,
    )?;
    let what = if list == JobList::PullFromUpstream {
        "Pull from upstream"
    } else {
        "Propose downstream"
    };
    let to = v
        .branch
        .as_deref()
        .map(|b| format!(" to {b}"))
        .unwrap_or_default();
    let mut f = FailureView {
        summary: format!("{what}{to} failed."),
        lines,
        more,
        ..FailureView::default()
    };
    if f.lines.is_empty() {
        f.summary.push_str(" Its log names no error.");
    }
    Ok(f)
}

/// The downstream targets of a propose-downstream run list item.
pub(super) const PROPOSE_TARGETS: Targets = Targets {
    ids: "packit_id_per_downstream_pr",
    statuses: "status_per_downstream_pr",
    kind: Kind::ProposeDownstream,
};

/// The downstream targets of a pull-from-upstream run list item.
pub(super) const PULL_TARGETS: Targets = Targets {
    ids: "packit_id_per_downstream_pr",
    statuses: "status_per_downstream_pr",
    kind: Kind::PullFromUpstream,
};

/// Extracted keys of a run (list item): final once every target is.
pub(super) fn run_keys(list: Option<&str>) -> Keys {
    let v: SyncReleaseRunItem = parse(list);
    let mut k = Keys::job(&v.status, v.submitted_time, &v.project_info());
    k.is_final &= v.status_per_downstream_pr.values().all(Status::is_final);
    k
}

/// Each branch of a run (list item) with its status and packit id.
fn branches(list: Option<&str>) -> Vec<(String, Status, Option<i64>)> {
    let v: SyncReleaseRunItem = parse(list);
    let ids = v.packit_id_per_downstream_pr;
    v.status_per_downstream_pr
        .into_iter()
        .map(|(b, st)| {
            let id = ids.get(&b).copied();
            (b, st, id)
        })
        .collect()
}

/// Extracted keys of one target; its target is the dist-git branch.
pub(super) fn keys(json: Option<&str>) -> Keys {
    let v: SyncReleaseTarget = parse(json);
    Keys {
        target: v.branch.clone(),
        ..Keys::job(&v.status, v.submitted_time, &v.project_info())
    }
}

/// The `logs` of a target (inline).
pub(super) fn logs(json: &Value, out: &mut Vec<LogSource>) {
    out.extend(inline("sync-release", field_text(json, "logs")));
}

/// The propose-downstream kind: runs grouping one target per dist-git branch.
pub(super) const PROPOSE: JobKindDef = JobKindDef {
    kind: Kind::ProposeDownstream,
    lists: &[ListDef {
        legacy_slug: Some("propose-downstreams"),
        targets_title: "Propose downstream branches",
        ..ListDef::plain(
            JobList::ProposeDownstream,
            "propose-downstream",
            "Propose downstream",
            "Propose downstream",
        )
    }],
    api_list: ListEndpoint {
        path: "propose-downstream",
        unit: "propose-downstreams",
        kind: Kind::ProposeDownstreamRun,
        id_field: "packit_id",
        detail_richer: true,
    },
    api_detail: "propose-downstream",
    group: Some(Group {
        kind: Kind::ProposeDownstreamRun,
        targets: PROPOSE_TARGETS,
        keys: run_keys,
        per_target: branches,
    }),
    ..SYNC_RELEASE
};

/// The pull-from-upstream kind: runs grouping one target per dist-git branch.
pub(super) const PULL: JobKindDef = JobKindDef {
    kind: Kind::PullFromUpstream,
    lists: &[ListDef {
        legacy_slug: Some("pull-from-upstreams"),
        targets_title: "Pull from upstream branches",
        ..ListDef::plain(
            JobList::PullFromUpstream,
            "pull-from-upstream",
            "Pull from upstream",
            "Pull from upstream",
        )
    }],
    api_list: ListEndpoint {
        path: "pull-from-upstream",
        unit: "pull-from-upstreams",
        kind: Kind::PullFromUpstreamRun,
        id_field: "packit_id",
        detail_richer: true,
    },
    api_detail: "pull-from-upstream",
    group: Some(Group {
        kind: Kind::PullFromUpstreamRun,
        targets: PULL_TARGETS,
        keys: run_keys,
        per_target: branches,
    }),
    ..SYNC_RELEASE
};

/// What both sync-release kinds share (the fields [`PROPOSE`] and [`PULL`] do not
/// set are these).
const SYNC_RELEASE: JobKindDef = JobKindDef {
    kind: Kind::ProposeDownstream,
    lists: &[],
    api_list: ListEndpoint {
        path: "",
        unit: "",
        kind: Kind::ProposeDownstreamRun,
        id_field: "packit_id",
        detail_richer: true,
    },
    api_detail: "",
    group: None,
    target_field: Some("branch"),
    statuses: true,
    project_results: true,
    columns: COLUMNS,
    target_columns: TARGET_COLUMNS,
    read_fields: reads::<SyncReleaseTarget>,
    keys: |list, detail| keys(detail.or(list)),
    refs: None,
    logs: Some(logs),
    row: |list, job, lk| row(list, job, lk),
    target_row: Some(|list, job, lk| target_row(list, job, lk)),
    detail: |_, job, d, lk| {
        detail(job, d, lk);
        Ok(())
    },
    failure: |list, job, _, lk| failure(list, job, lk),
};

#[cfg(test)]
mod tests {
    use super::super::failure::fake::{Fake, fixture};
    use super::*;

    /// Packit's propose-downstream log: its ERROR records.
    #[test]
    fn failure_of_propose_downstream() {
        let json = serde_json::json!({"status": "error", "branch": "f41", "logs": fixture("propose-downstream.log")}).to_string();
        let job = Job {
            id: 2,
            key: "2",
            list_json: None,
            detail_json: Some(&json),
            status: Some("error"),
            submitted: None,
        };
        let f = failure(JobList::ProposeDownstream, &job, &Fake::default()).unwrap();
        let got: Vec<usize> = f.lines.iter().map(|l| l.line).collect();
        assert_eq!(got, vec![7, 9, 10]);
        assert!(
            f.lines[1]
                .text
                .contains("Failed to upload sources to the lookaside cache")
        );
        assert_eq!(f.summary, "Propose downstream to f41 failed.");
        // a record without a time stamp (ANSI colours removed)
        assert!(sync_error("ERROR Failed to upload sources"));
        assert!(!sync_error(
            "2024-11-01 12:00:01.104 sync.py INFO Syncing ERRORS.md"
        ));
    }
}
