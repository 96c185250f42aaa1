//! The projects of a sync: each project's detail and its `prs`, `branches`,
//! `releases` and `issues` lists, for the projects whose jobs changed (a list-walked
//! sync) or the projects of the scope (the project graph's way in).

use super::crawl::{Ids, Lists, Walk};
use super::details::{Details, SUB_LISTS};
use super::error::SyncError;
use super::fetch::{Job, fetch_and_store};
use super::report::Failure;
use super::run::Run;
use crate::api::Kind;

/// Anitya (release-monitoring.org) projects are keyed by their page URL; they are not
/// git projects and have no `/projects/…` endpoints.
pub(super) const ANITYA_PREFIX: &str = "release-monitoring.org/";

/// Project details and sub-lists for projects with pipelines changed in this epoch.
pub(super) async fn project_phase(run: &mut Run<'_>, lists: &mut Lists) -> Result<(), SyncError> {
    let keys: Vec<String> = run
        .archive
        .projects_changed_since(run.epoch_rev())?
        .into_iter()
        .filter(|k| run.opts().scope.contains(Some(k)) && !k.starts_with(ANITYA_PREFIX))
        .collect();
    read_projects(run, lists, &keys, false).await
}

/// Each project's detail and its `prs`, `branches`, `releases` and `issues` lists.
/// `graph`: the project graph walk of a scoped sync, where these lists are the way
/// in: read whole each run (a new pipeline changes an old PR's item), never backed
/// off, and a list that cannot be read makes the sync incomplete. Otherwise a
/// project that keeps failing backs off, and a failed list is the project's failure.
pub(super) async fn read_projects(
    run: &mut Run<'_>,
    lists: &mut Lists,
    keys: &[String],
    graph: bool,
) -> Result<(), SyncError> {
    let mut jobs = Vec::new();
    let mut walkable = Vec::new();
    let now = crate::time::now();
    let failing = run.archive.failing(Kind::Project)?;
    for key in keys {
        if !graph && !run.retry(Kind::Project, key, failing.get(key)) {
            continue;
        }
        let path = format!("projects/{key}");
        if let Err(e) = crate::api::client::encode_path(&path) {
            // a key such as `github.com/../x/y` cannot be requested faithfully
            let exists = run.archive.get(Kind::Project, key)?.is_some();
            if exists {
                let w = run.archive.write()?;
                w.record_error(Kind::Project, key, &e.to_string(), now)?;
                w.commit()?;
            }
            run.note_failures(vec![Failure::new(
                "projects/{project}",
                Kind::Project.as_str(),
                key,
                &e.to_string(),
            )]);
            continue;
        }
        let stored = run.archive.get(Kind::Project, key)?;
        jobs.push(Job::at(
            Kind::Project,
            key,
            path,
            stored.is_some(),
            stored.is_some_and(|e| e.detail_json.is_some()),
        ));
        walkable.push(key.clone());
    }
    fetch_and_store(run, jobs, "projects/{project}").await?;
    for key in walkable {
        // a sub-list that fails again continues the project's count of failures
        let failures = failing.get(&key).map_or(0, |f| f.0);
        for (suffix, kind, ordered) in SUB_LISTS {
            let w = Walk {
                path: format!("projects/{key}/{suffix}"),
                label: format!("projects/{{project}}/{suffix}"),
                kind,
                ids: Ids::Sub {
                    key: key.clone(),
                    failures,
                },
                details: Details::None,
                ordered: ordered && !graph,
                filter: false,
            };
            if !lists.walk(run, &w).await? && graph {
                // the project's lists are where this walk finds everything: without
                // one the sync is incomplete (the failure is on the project too)
                let error = run.last_error();
                run.fail_list(Failure::new(&w.path, "", "1", &error));
            }
        }
    }
    Ok(())
}
