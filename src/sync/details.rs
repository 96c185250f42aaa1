//! Per-kind tables of sync: where the details of each list's items are, the project
//! sub-lists, detail endpoint labels, and the job kinds' answers sync asks the job
//! registry ([`crate::jobs::registry`]) for: the kinds refreshed while unfinished, the
//! kinds with logs, the kind of a fetched detail path.

use crate::api::{Kind, ListEndpoint};
use crate::jobs::DetailPath;
use serde_json::Value;

/// Where the details of a list's items are.
#[derive(Clone, Copy, Debug)]
pub(super) enum Details {
    /// The list item is all there is.
    None,
    /// `/<base>/<id>` of the same entity.
    Same(Kind),
    /// Targets named in an object field of the item (name → packit id).
    Targets { field: &'static str, kind: Kind },
}

/// Where the details of `ep`'s items are: the grouped targets a job kind names
/// ([`crate::jobs::targets_of`]), else the item's own detail endpoint.
pub(super) fn details_of(ep: &ListEndpoint) -> Details {
    if !ep.detail_richer {
        return Details::None;
    }
    match crate::jobs::targets_of(ep.kind) {
        Some(t) => Details::Targets {
            field: t.ids,
            kind: t.kind,
        },
        None => Details::Same(ep.kind),
    }
}

/// The status per target of a list item that names targets.
pub(super) fn target_statuses(kind: Kind, item: &Value) -> Option<&serde_json::Map<String, Value>> {
    let field = crate::jobs::targets_of(kind)?.statuses;
    item.get(field).and_then(Value::as_object)
}

/// The project sub-lists: suffix, kind, ordered.
pub(super) const SUB_LISTS: [(&str, Kind, bool); 4] = [
    ("prs", Kind::ProjectPr, true),
    ("branches", Kind::ProjectBranch, false),
    ("releases", Kind::ProjectRelease, false),
    ("issues", Kind::ProjectIssue, false),
];

/// The id of a project sub-list item: `key#pr`, `key:branch`, `key@tag`, `key!issue`.
pub fn sub_list_item_id(kind: Kind, key: &str, item: &Value) -> Option<String> {
    match kind {
        Kind::ProjectPr => item
            .get("pr_id")
            .and_then(Value::as_i64)
            .map(|n| format!("{key}#{n}")),
        Kind::ProjectBranch => item
            .get("branch")
            .and_then(Value::as_str)
            .map(|b| format!("{key}:{b}")),
        Kind::ProjectRelease => item
            .get("tag_name")
            .and_then(Value::as_str)
            .map(|t| format!("{key}@{t}")),
        Kind::ProjectIssue => item.as_i64().map(|n| format!("{key}!{n}")),
        _ => None,
    }
}

/// The report label of a detail endpoint: its path with the id replaced.
pub(super) fn detail_label(kind: Kind) -> String {
    match kind {
        Kind::Project => "projects/{project}".into(),
        Kind::Usage => "usage".into(),
        Kind::System => "system".into(),
        k => k
            .detail_path("0")
            .map(|p| format!("{}/{{id}}", p.trim_end_matches("/0")))
            .unwrap_or_else(|| k.as_str().to_string()),
    }
}

/// The detail kinds sync stores, by detail path prefix (`Same` details and targets).
/// Only the demo's ingest asks (through `stored`).
#[cfg_attr(not(feature = "demo"), allow(dead_code))]
pub(super) fn record_detail_kind(path: &str) -> Option<(Kind, String)> {
    let (base, id) = path.rsplit_once('/')?;
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let kind = crate::jobs::registry::fetched_detail_kind(base)?;
    Some((kind, id.to_string()))
}

/// Kinds whose stored entities are re-fetched by their detail endpoint while their
/// status is not final: every job kind of the registry.
pub(super) fn open_kinds() -> impl Iterator<Item = Kind> {
    crate::jobs::registry::refreshed_while_open().map(|(k, _)| k)
}

/// Of [`open_kinds`], whether `kind`'s list item is all there is: one seen in this
/// run's list walk is current already.
pub(super) fn list_refreshed(kind: Kind) -> bool {
    crate::jobs::registry::refreshed_while_open().any(|(k, list_only)| k == kind && list_only)
}

/// Kinds whose jobs have logs (see [`crate::archive::log_sources`]).
pub(super) fn log_kinds() -> impl Iterator<Item = Kind> {
    crate::jobs::registry::log_kinds()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_list_ids() {
        let k = "github.com/a/b";
        assert_eq!(
            sub_list_item_id(Kind::ProjectPr, k, &serde_json::json!({"pr_id": 3})).as_deref(),
            Some("github.com/a/b#3")
        );
        assert_eq!(
            sub_list_item_id(Kind::ProjectIssue, k, &serde_json::json!(7)).as_deref(),
            Some("github.com/a/b!7")
        );
        assert_eq!(
            sub_list_item_id(
                Kind::ProjectBranch,
                k,
                &serde_json::json!({"branch": "main"})
            )
            .as_deref(),
            Some("github.com/a/b:main")
        );
        assert_eq!(
            sub_list_item_id(
                Kind::ProjectRelease,
                k,
                &serde_json::json!({"tag_name": "1.0"})
            )
            .as_deref(),
            Some("github.com/a/b@1.0")
        );
    }

    #[test]
    fn labels() {
        assert_eq!(detail_label(Kind::Copr), "copr-builds/{id}");
        assert_eq!(detail_label(Kind::TestingFarm), "testing-farm/{id}");
        assert_eq!(detail_label(Kind::Project), "projects/{project}");
    }
}
