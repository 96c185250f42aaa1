//! The targeted refresh of a graph-walked archive (a `--project` or `--namespace`
//! scope, [`super::Discovery::Graph`]), which is what `listen` asks for on each batch
//! of bus messages: a message's build is looked up among the archived entities instead
//! of at the top of a Packit-wide list. A message about another project's build (most
//! of them) finds nothing and costs no request; one about an archived job re-fetches
//! that job and then the pipelines whose jobs changed. A build of a new pipeline of the
//! project is not archived yet either: the next poll (an incremental scoped sync)
//! finds it through the project's lists.

use super::error::SyncError;
use super::fetch::{Job, fetch_and_store, referenced};
use super::graph::changed_pipelines;
use super::request::{Find, RefreshRequest};
use super::run::Run;
use crate::api::Kind;
use serde_json::Value;
use std::collections::BTreeSet;

/// The archived kind a refresh's `Find` looks in, and the field of its JSON that names
/// the find's target, as the job registry says (Copr chroot targets by `chroot`, not
/// the merged `/copr-builds` rows, which a graph-walked archive does not hold); other
/// lists' own kind.
fn find_kind(list: &str) -> Option<(Kind, Option<&'static str>)> {
    crate::jobs::registry::refresh_target(list)
        .or_else(|| crate::jobs::list_endpoint(list).map(|e| (e.kind, None)))
}

/// Re-fetches what `req` names that the archive holds; returns the finds that
/// matched no archived entity (other projects' builds, or new ones the next poll
/// finds). List heads are not walked: they are Packit-wide.
pub(super) async fn graph_refresh(
    run: &mut Run<'_>,
    req: &RefreshRequest,
) -> Result<Vec<Find>, SyncError> {
    let mut wanted: BTreeSet<(Kind, String)> = BTreeSet::new();
    let mut not_found = Vec::new();
    for f in &req.find {
        let Some((kind, target_field)) = find_kind(&f.list) else {
            not_found.push(f.clone());
            continue;
        };
        let mut hit = false;
        for (id, json) in run.archive.ids_by_field(kind, &f.field, &f.value)? {
            let on_target = match (&f.target, target_field) {
                (Some(t), Some(field)) => serde_json::from_str::<Value>(&json)
                    .ok()
                    .and_then(|v| v.get(field).and_then(Value::as_str).map(|s| s == t))
                    .unwrap_or(false),
                _ => true,
            };
            if on_target {
                hit = true;
                wanted.insert((kind, id));
            }
        }
        if !hit {
            not_found.push(f.clone());
        }
    }
    for (k, id) in &req.entities {
        if run.archive.get(*k, id)?.is_some() {
            wanted.insert((*k, id.clone()));
        }
    }
    for k in &req.open_kinds {
        for id in run.archive.open_ids(*k)? {
            wanted.insert((*k, id));
        }
    }
    tracing::debug!(
        wanted = wanted.len(),
        elsewhere = not_found.len(),
        "scoped refresh"
    );
    let mut jobs = Vec::new();
    for (k, id) in &wanted {
        jobs.extend(Job::of_stored(&run.archive, *k, id)?);
    }
    fetch_and_store(run, jobs, "refresh").await?;
    if changed_pipelines(run).await? {
        referenced(run).await?;
    }
    Ok(not_found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_look_in_archived_kinds() {
        assert_eq!(find_kind("copr-builds"), Some((Kind::Copr, Some("chroot"))));
        assert_eq!(find_kind("koji-builds"), Some((Kind::Koji, None)));
        assert_eq!(find_kind("bodhi-updates"), Some((Kind::Bodhi, None)));
        assert_eq!(find_kind("nothing"), None);
    }
}
