//! What a project's PR and branch items say about their jobs' statuses, which a
//! graph-walked sync reads instead of re-fetching every unfinished job.
//!
//! Each `/projects/<key>/prs` and `/branches` item carries the status of the jobs its
//! trigger ran: SRPM builds by packit id, Copr builds by Copr build id and chroot, Koji
//! builds by task id and chroot, Testing Farm runs by request id and target. The graph
//! walk re-reads these lists on every run anyway, so a job whose listed status equals
//! its stored one has not moved and costs nothing; one whose status moved is
//! re-fetched now, whatever the refresh policy says. Jobs no item names (Bodhi updates,
//! sync-release targets, Log Detective runs, Copr targets of items that list no builds)
//! stay with the bounded refresh of [`super::policy`].

use super::error::SyncError;
use super::fetch::{Job, fetch_and_store};
use super::run::Run;
use crate::api::Kind;
use crate::api::types::Status;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

/// One job a PR or branch item names: its kind, the fields that find it among the
/// archived jobs (`build_id` or `task_id` or `pipeline_id`, with the target), and the
/// status the item shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Listed {
    pub(super) kind: Kind,
    /// The value of the kind's key field (a packit id for SRPM builds).
    pub(super) key: String,
    pub(super) target: Option<String>,
    pub(super) status: String,
}

/// The array of an item, the kind it names, the item field holding the key and the
/// field of the job's own JSON that holds the same value (`None`: the packit id).
const NAMED: [(&str, Kind, &str, Option<&str>); 4] = [
    ("srpm_builds", Kind::Srpm, "srpm_build_id", None),
    ("builds", Kind::Copr, "build_id", Some("build_id")),
    ("koji_builds", Kind::Koji, "task_id", Some("task_id")),
    (
        "tests",
        Kind::TestingFarm,
        "pipeline_id",
        Some("pipeline_id"),
    ),
];

/// Text of a JSON scalar (ids are numbers for some kinds, strings for others).
fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A status as the comparison sees it: PR items show Testing Farm statuses as Python
/// enum names (`TestingFarmResult.cancel_requested`), details as their values
/// (`cancel-requested`).
fn comparable(status: &str) -> String {
    Status::new(status).normalized().replace('_', "-")
}

/// The jobs a PR or branch item names, with the status it shows for each.
pub(super) fn listed_jobs(item: &Value) -> Vec<Listed> {
    let mut out = Vec::new();
    for (array, kind, field, _) in NAMED {
        for j in item
            .get(array)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let (Some(key), Some(status)) = (
                j.get(field).and_then(text),
                j.get("status").and_then(Value::as_str),
            ) else {
                continue;
            };
            out.push(Listed {
                kind,
                key,
                target: j.get("chroot").and_then(Value::as_str).map(str::to_string),
                status: comparable(status),
            });
        }
    }
    out
}

/// A stored job as the comparison needs it.
struct StoredJob {
    id: String,
    status: Option<String>,
    had_detail: bool,
}

/// Compares the statuses the scope's PR and branch items show (`listed`, each job
/// with the item naming it) with the stored jobs': the jobs that agree are left out
/// of this run's refresh of unfinished entities (returned), those that moved are
/// re-fetched now (returned: how many).
pub(super) async fn statuses(
    run: &mut Run<'_>,
    listed: Vec<(Listed, (Kind, String))>,
) -> Result<(BTreeSet<(Kind, String)>, u64), SyncError> {
    let mut index: HashMap<(Kind, String, Option<String>), StoredJob> = HashMap::new();
    for (_, kind, _, own) in NAMED {
        run.archive.for_each(kind, |e| {
            if e.gone_at.is_some() {
                return;
            }
            let key = match own {
                None => Some(e.id.clone()),
                Some(f) => e
                    .json()
                    .and_then(|j| serde_json::from_str::<Value>(j).ok())
                    .and_then(|v| v.get(f).and_then(text)),
            };
            let Some(key) = key else { return };
            let target = own.and_then(|_| {
                e.json()
                    .and_then(|j| serde_json::from_str::<Value>(j).ok())
                    .and_then(|v| v.get("chroot").and_then(Value::as_str).map(str::to_string))
            });
            index.insert(
                (kind, key, target),
                StoredJob {
                    id: e.id.clone(),
                    status: e.status.clone(),
                    had_detail: e.detail_json.is_some(),
                },
            );
        })?;
    }
    let mut agree = BTreeSet::new();
    let mut jobs = Vec::new();
    for (l, parent) in listed {
        let target = if l.kind == Kind::Srpm {
            None
        } else {
            l.target.clone()
        };
        let Some(s) = index.get(&(l.kind, l.key.clone(), target)) else {
            continue; // not stored yet: the referenced phase fetches it
        };
        let stored = s.status.as_deref().map(comparable);
        if stored.as_deref() == Some(l.status.as_str()) {
            agree.insert((l.kind, s.id.clone()));
        } else if !run.fetched(l.kind, &s.id)
            && let Some(j) = Job::new(l.kind, &s.id, true, s.had_detail, Some(parent))
        {
            jobs.push(j);
        }
    }
    let mut uniq = BTreeSet::new();
    jobs.retain(|j| uniq.insert((j.kind, j.id.clone())));
    // a job listed twice with different statuses (a retrigger) is re-fetched
    for j in &jobs {
        agree.remove(&(j.kind, j.id.clone()));
    }
    if !jobs.is_empty() {
        tracing::info!(
            count = jobs.len(),
            "re-fetching jobs whose listed status moved"
        );
    }
    let moved = jobs.len() as u64;
    fetch_and_store(run, jobs, "listed status moved").await?;
    Ok((agree, moved))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_an_item_names() {
        let pr = serde_json::json!({"pr_id": 3,
            "builds": [{"build_id": 123, "chroot": "fedora-rawhide-x86_64", "status": "success"}],
            "koji_builds": [{"task_id": "77", "chroot": "f41", "status": "running"}],
            "srpm_builds": [{"srpm_build_id": 12, "status": "success"}, {"status": "x"}],
            "tests": [{"pipeline_id": "ab-cd", "chroot": "fedora-41-x86_64",
                       "status": "TestingFarmResult.running"}]});
        let l = listed_jobs(&pr);
        assert_eq!(l.len(), 4);
        assert_eq!(l[0].kind, Kind::Srpm);
        assert_eq!(l[0].key, "12");
        assert_eq!(l[1].key, "123");
        assert_eq!(l[1].target.as_deref(), Some("fedora-rawhide-x86_64"));
        assert_eq!(l[2].kind, Kind::Koji);
        assert_eq!(l[3].status, "running");
        assert_eq!(
            comparable("TestingFarmResult.cancel_requested"),
            comparable("cancel-requested")
        );
        assert!(listed_jobs(&serde_json::json!(null)).is_empty());
    }
}
