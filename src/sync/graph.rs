//! The project graph: how a scoped sync finds its projects' entities from the
//! projects' own endpoints instead of walking Packit-wide lists, so that what it costs
//! grows with the projects, not with Packit.
//!
//! # The walk ([`Discovery::Graph`](super::Discovery::Graph))
//! 1. The projects: each `--project`, and for each `--namespace` the projects
//!    `/projects/<forge>/<namespace>` lists (that namespace exactly: a GitLab sub-group
//!    is a namespace of its own).
//! 2. Per project `/projects/<key>` and its `prs`, `branches`, `releases` and `issues`
//!    lists, read whole on every run (they are short; re-reading them is how later runs
//!    find new triggers, new pipelines and retriggers).
//! 3. The SRPM builds the PR and branch items name (`srpm_builds[].srpm_build_id`, the
//!    only packit ids these lists carry: Copr builds appear by Copr build id, Koji
//!    builds by task id, tests by Testing Farm request id): `/srpm-builds/<id>` for
//!    each one not stored yet. Its `run_ids` are the pipelines built on it.
//! 4. The pipeline of each SRPM: `/runs/merged/<min(run_ids)>`, the same object as the
//!    `/runs` item of the merged pipeline (packit-service's `process_runs`), stored as
//!    that list item. It names every job by packit id (Copr chroots, Koji builds,
//!    Testing Farm runs, Bodhi updates, propose-downstream and pull-from-upstream
//!    targets), so `/runs/<id>` and the `/<kind>/groups/<id>` endpoints add nothing
//!    (and `/runs/<id>` answers 500 for some pipelines). Fetched when the pipeline is
//!    new, its SRPM changed, it is the newest of a changed PR or branch item (a
//!    retrigger), and after the refresh of unfinished jobs when one of its jobs
//!    changed.
//! 5. Then the common phases: the jobs stored pipelines and jobs name
//!    (`referenced`: Copr targets, Koji builds, Testing Farm runs, Bodhi updates,
//!    sync-release targets, then the SRPMs and Log Detective runs those name) and
//!    the bounded refresh of unfinished jobs.
//!
//! 6. The statuses the PR and branch items show decide which of their jobs are
//!    re-fetched (module `graph_status`), and the heads of six Packit-wide lists bring
//!    what the graph cannot reach (module `graph_heads`).
//!
//! **Cost.** A first run: about 5 requests per project plus one per PR/branch/release
//! /issue page of 50, one per SRPM build, one per pipeline and one per job, plus the
//! first page of each head list; nothing that grows with the rest of Packit. A later
//! run: the project's lists again, one page of each head list (more when Packit added
//! over 50 items to it since the previous run), and one request per entity that is new
//! or whose status moved.
//!
//! **What the graph cannot reach.** The API has no per-project entry to entities
//! outside the SRPM builds of pull requests and branch pushes: pipelines of releases
//! (the `releases` list names no job) and pipelines without an SRPM build (downstream
//! Koji builds and Bodhi updates of dist-git projects, propose-downstream and
//! pull-from-upstream runs), Koji tag requests, OpenScanHub scans (nothing names them
//! by packit id) and the list-only rows that merge several entities (`/copr-builds`
//! items, one per Copr build over its chroots, and `/propose-downstream` and
//! `/pull-from-upstream` run items). From the first scoped sync on they come through
//! the list heads; those older than it only through a [`Discovery::Lists`](super::Discovery::Lists) sync (the
//! Packit-wide walk), which a mirror needs once at most.

use super::crawl::Lists;
use super::error::SyncError;
use super::fetch::{Job, fetch_all, fetch_and_store};
use super::graph_status::{Listed, listed_jobs, statuses};
use super::projects::read_projects;
use super::report::Failure;
use super::run::Run;
use crate::api::Kind;
use crate::archive::{Archive, Entity, Part};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The report label of `/runs/merged/<id>`.
const MERGED_LABEL: &str = "runs/merged/{id}";

/// The SRPM build ids a PR or branch item of a project list names.
fn named_srpms(item: &Value) -> Vec<String> {
    item.get("srpm_builds")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|b| b.get("srpm_build_id").and_then(Value::as_i64))
        .map(|n| n.to_string())
        .collect()
}

/// Whether a project sub-list item id (`key#pr`, `key:branch`, `key@tag`, `key!issue`)
/// belongs to the project `key`.
fn sub_item_of(id: &str, key: &str) -> bool {
    id.len() > key.len()
        && id.starts_with(key)
        && matches!(id.as_bytes()[key.len()], b'#' | b':' | b'@' | b'!')
}

/// The stored list item of an entity as JSON (`None` when it has none or it does not
/// parse).
pub(super) fn list_value(e: &Entity) -> Option<Value> {
    serde_json::from_str(e.list_json.as_deref()?).ok()
}

/// The merged pipeline id of an SRPM build's detail: its smallest `run_ids` value.
fn merged_id(srpm_detail: &str) -> Option<i64> {
    let v: Value = serde_json::from_str(srpm_detail).ok()?;
    v.get("run_ids")?
        .as_array()?
        .iter()
        .filter_map(Value::as_i64)
        .min()
}

/// Calls `f` with each stored item of `kinds` (project sub-lists) of the projects
/// `keys` that upstream still lists, with the project's key and the item's JSON.
fn each_project_item(
    archive: &Archive,
    keys: &[String],
    kinds: &[Kind],
    mut f: impl FnMut(Kind, &str, &Entity, Value),
) -> Result<(), SyncError> {
    for &kind in kinds {
        archive.for_each(kind, |e| {
            let Some(key) = keys.iter().find(|k| sub_item_of(&e.id, k)) else {
                return;
            };
            if e.gone_at.is_some() {
                return;
            }
            if let Some(v) = list_value(&e) {
                f(kind, key, &e, v);
            }
        })?;
    }
    Ok(())
}

/// The graph walk of one run (steps 1–4 of the module documentation, and the
/// statuses its projects' lists show).
#[derive(Default)]
pub(super) struct GraphWalk {
    /// Unfinished jobs whose status the scope's PR and branch items show unchanged:
    /// not refreshed by the policy.
    agree: BTreeSet<(Kind, String)>,
    /// Jobs re-fetched because the project's lists show their status moved.
    moved: u64,
}

impl GraphWalk {
    /// The graph phase: the projects, their lists, the SRPM builds those name, their
    /// pipelines, then the jobs whose listed status moved.
    pub(super) async fn walk(
        &mut self,
        run: &mut Run<'_>,
        lists: &mut Lists,
    ) -> Result<(), SyncError> {
        lists.walk_projects(run).await?;
        let keys = graph_keys(run)?;
        read_projects(run, lists, &keys, true).await?;
        let (named, newest_changed) = graph_srpms(run, &keys)?;
        let mut jobs = Vec::new();
        for (id, parent) in &named {
            let stored = run.archive.get(Kind::Srpm, id)?;
            let missing = stored
                .as_ref()
                .is_none_or(|e| e.detail_json.is_none() && e.gone_at.is_none());
            // one whose fetch keeps failing is retried on the back-off schedule
            if missing
                && !run.fetched(Kind::Srpm, id)
                && (stored.is_none() || run.retry_stored(Kind::Srpm, id)?)
                && let Some(j) = Job::new(
                    Kind::Srpm,
                    id,
                    stored.is_some(),
                    false,
                    Some(parent.clone()),
                )
            {
                jobs.push(j);
            }
        }
        fetch_and_store(run, jobs, "srpm-builds/{id}").await?;
        let merged = pipelines_due(run, &named, &newest_changed)?;
        fetch_merged(run, merged).await?;
        let mut listed: Vec<(Listed, (Kind, String))> = Vec::new();
        let kinds = [Kind::ProjectPr, Kind::ProjectBranch];
        each_project_item(&run.archive, &keys, &kinds, |kind, _, e, v| {
            for l in listed_jobs(&v) {
                listed.push((l, (kind, e.id.clone())));
            }
        })?;
        let (agree, moved) = statuses(run, listed).await?;
        self.agree = agree;
        self.moved += moved;
        Ok(())
    }

    /// The jobs the projects' lists show unchanged (left out of the refresh of
    /// unfinished entities).
    pub(super) fn agree(&self) -> &BTreeSet<(Kind, String)> {
        &self.agree
    }

    /// How many jobs were re-fetched because their listed status moved.
    pub(super) fn moved(&self) -> u64 {
        self.moved
    }
}

/// The `forge/namespace/repo` keys of the scope: its projects and the stored
/// projects of its namespaces.
fn graph_keys(run: &Run<'_>) -> Result<Vec<String>, SyncError> {
    let scope = &run.opts().scope;
    let mut keys: BTreeSet<String> = scope.projects.clone();
    if !scope.namespaces.is_empty() {
        run.archive.for_each(Kind::Project, |e| {
            if e.gone_at.is_none() && scope.contains(Some(&e.id)) {
                keys.insert(e.id);
            }
        })?;
    }
    Ok(keys.into_iter().collect())
}

/// The SRPM ids the PR and branch items of `keys` name, each with the item naming
/// it, and the newest SRPM of each item this run changed (a retrigger adds a
/// pipeline to an SRPM without changing it).
#[allow(clippy::type_complexity)]
fn graph_srpms(
    run: &Run<'_>,
    keys: &[String],
) -> Result<(BTreeMap<String, (Kind, String)>, BTreeSet<String>), SyncError> {
    let mut named = BTreeMap::new();
    let mut newest_changed = BTreeSet::new();
    let kinds = [Kind::ProjectPr, Kind::ProjectBranch];
    let rev = run.rev();
    each_project_item(&run.archive, keys, &kinds, |kind, _, e, v| {
        let ids = named_srpms(&v);
        if e.changed_rev == rev
            && let Some(newest) = ids.iter().max_by_key(|i| i.parse::<i64>().unwrap_or(0))
        {
            newest_changed.insert(newest.clone());
        }
        for id in ids {
            named.entry(id).or_insert_with(|| (kind, e.id.clone()));
        }
    })?;
    Ok((named, newest_changed))
}

/// Notes for the report of a first graph-walked sync on what each project's lists
/// show that the graph cannot reach: PR and branch items with builds but no SRPM
/// build (a dist-git project's downstream Koji builds) and releases (their
/// pipelines). Those newer than the first sync come through the list heads
/// (`graph_heads`); older ones only through one `--backfill` (or `--discover lists`) sync.
pub(super) fn graph_notes(run: &mut Run<'_>) -> Result<(), SyncError> {
    let keys = graph_keys(run)?;
    let mut no_srpm: BTreeMap<String, usize> = BTreeMap::new();
    let mut releases: BTreeMap<String, usize> = BTreeMap::new();
    let kinds = [Kind::ProjectPr, Kind::ProjectBranch, Kind::ProjectRelease];
    each_project_item(&run.archive, &keys, &kinds, |kind, key, _, v| {
        if kind == Kind::ProjectRelease {
            *releases.entry(key.to_string()).or_default() += 1;
            return;
        }
        let named = |f: &str| {
            v.get(f)
                .and_then(Value::as_array)
                .is_some_and(|a| !a.is_empty())
        };
        if !named("srpm_builds") && (named("builds") || named("koji_builds") || named("tests")) {
            *no_srpm.entry(key.to_string()).or_default() += 1;
        }
    })?;
    for key in &keys {
        let (n, r) = (no_srpm.get(key.as_str()), releases.get(key.as_str()));
        if n.is_none() && r.is_none() {
            continue;
        }
        let mut parts = Vec::new();
        if let Some(n) = n {
            parts.push(format!("{n} PR/branch items name builds without an SRPM build (e.g. downstream Koji builds)"));
        }
        if let Some(r) = r {
            parts.push(format!(
                "{r} releases (their pipelines, e.g. propose-downstream)"
            ));
        }
        run.note(format!(
            "{key}: {}: the project graph cannot reach their jobs; those after this first scoped sync come through the heads of Packit-wide lists, older ones only through one sync with --backfill (or --discover lists)",
            parts.join(" and ")
        ));
    }
    Ok(())
}

/// The merged pipeline ids to fetch (step 4), each with the SRPM it came from.
fn pipelines_due(
    run: &Run<'_>,
    named: &BTreeMap<String, (Kind, String)>,
    newest_changed: &BTreeSet<String>,
) -> Result<Vec<(i64, String)>, SyncError> {
    let mut due = BTreeMap::new();
    for id in named.keys() {
        let Some(srpm) = run.archive.get(Kind::Srpm, id)? else {
            continue;
        };
        let Some(m) = srpm.detail_json.as_deref().and_then(merged_id) else {
            continue;
        };
        let pipeline = run.archive.get(Kind::Pipeline, &m.to_string())?;
        // an unfinished pipeline is re-read when a job of it changes (see
        // `changed_pipelines`), not on every sync
        let fetch =
            pipeline.is_none() || srpm.changed_rev == run.rev() || newest_changed.contains(id);
        if fetch {
            due.entry(m).or_insert_with(|| id.clone());
        }
    }
    Ok(due.into_iter().collect())
}

/// Re-reads the pipelines of the jobs this run changed (the bounded refresh of
/// unfinished jobs, step 5): their `/runs` items carry each job's status. Returns
/// whether any was re-read (the jobs it names may be new).
pub(super) async fn changed_pipelines(run: &mut Run<'_>) -> Result<bool, SyncError> {
    let rev = run.rev();
    let mut due = BTreeMap::new();
    for (kind, id, created) in run.archive.changed_since(rev - 1)? {
        if created || matches!(kind, Kind::Pipeline | Kind::Project) {
            continue;
        }
        for p in run.archive.pipelines_of(kind, &id)? {
            let stored = run.archive.get(Kind::Pipeline, &p.to_string())?;
            if stored.is_some_and(|e| e.changed_rev < rev) {
                due.entry(p).or_insert_with(String::new);
            }
        }
    }
    let any = !due.is_empty();
    fetch_merged(run, due.into_iter().collect()).await?;
    Ok(any)
}

/// Fetches `/runs/merged/<id>` for each pipeline and stores it as the pipeline's
/// `/runs` item, in batches of one transaction each.
async fn fetch_merged(run: &mut Run<'_>, merged: Vec<(i64, String)>) -> Result<(), SyncError> {
    if merged.is_empty() {
        return Ok(());
    }
    let progress = run.progress();
    progress.begin(MERGED_LABEL);
    for batch in merged.chunks(run.opts().detail_batch.max(1)) {
        let requests = batch
            .iter()
            .map(|(m, _)| (MERGED_LABEL.to_string(), format!("runs/merged/{m}")));
        let results = fetch_all(run.client().clone(), requests).await;
        let now = crate::time::now();
        let rev = run.rev();
        let mut counts = Vec::new();
        let mut failures = Vec::new();
        {
            let wr = run.archive.write()?;
            for ((m, srpm), res) in batch.iter().zip(results) {
                let parsed = res.map_err(|e| e.to_string()).and_then(|raw| {
                    serde_json::from_str::<Value>(raw.get())
                        .map(|v| (v, raw))
                        .map_err(|e| e.to_string())
                });
                match parsed {
                    Ok((v, raw)) => {
                        // the window lookup may answer another group: key it by
                        // the id it says it has, as the list does
                        let id = v
                            .get("merged_run_id")
                            .and_then(Value::as_i64)
                            .unwrap_or(*m)
                            .to_string();
                        counts.push(wr.put(
                            Kind::Pipeline,
                            &id,
                            Part::List,
                            raw.get(),
                            now,
                            rev,
                        )?);
                    }
                    Err(e) => {
                        let (k, id) = if srpm.is_empty() {
                            (Kind::Pipeline, m.to_string())
                        } else {
                            (Kind::Srpm, srpm.clone())
                        };
                        // an UPDATE: nothing when the entity is not stored
                        wr.record_error(k, &id, &format!("pipeline {m}: {e}"), now)?;
                        failures.push(Failure {
                            endpoint: MERGED_LABEL.into(),
                            kind: Kind::Pipeline.to_string(),
                            id: m.to_string(),
                            error: e,
                        });
                    }
                }
            }
            wr.commit()?;
        }
        let e = run.count(MERGED_LABEL);
        for c in counts {
            e.count(c);
        }
        run.note_failures(failures);
        progress.advance(MERGED_LABEL, batch.len() as u64);
    }
    progress.end(MERGED_LABEL);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srpms_of_items_and_merged_ids() {
        let pr = serde_json::json!({"pr_id": 3, "builds": [], "srpm_builds": [
            {"srpm_build_id": 12, "status": "success", "log_url": "x"},
            {"srpm_build_id": 15, "status": "failure", "log_url": "y"}]});
        assert_eq!(named_srpms(&pr), vec!["12", "15"]);
        assert!(named_srpms(&serde_json::json!(7)).is_empty());
        assert_eq!(merged_id(r#"{"run_ids": [9, 4, 7]}"#), Some(4));
        assert_eq!(merged_id(r#"{"run_ids": []}"#), None);
        assert_eq!(merged_id("not json"), None);
        assert!(sub_item_of("github.com/a/b#3", "github.com/a/b"));
        assert!(sub_item_of("github.com/a/b@1.0", "github.com/a/b"));
        assert!(!sub_item_of("github.com/a/bc#3", "github.com/a/b"));
        assert!(!sub_item_of("github.com/a/b", "github.com/a/b"));
    }
}
