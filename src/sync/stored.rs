//! What sync stores from each endpoint, for another source of the same data (the
//! demo's ingest, which writes an archive as a complete sync would): the kind and id
//! of a list's items, of a detail path, the details a list item makes sync fetch, and
//! which projects sync can request. Compiled with the `demo` feature only.

use super::details::{Details, SUB_LISTS, details_of, record_detail_kind};
use super::projects::ANITYA_PREFIX;
use crate::api::{Kind, ListEndpoint};
use crate::jobs::LISTS;
use serde_json::Value;

/// How sync stores the items of one list endpoint path.
pub(crate) enum ListRecord {
    /// A Packit-wide list (the per-forge and per-namespace project lists included).
    Global(&'static ListEndpoint),
    /// A project sub-list of `kind` of the project `key`.
    Sub {
        /// The sub-list's kind (PRs, branches, releases, issues).
        kind: Kind,
        /// The project.
        key: String,
    },
}

/// How sync stores the items of the list at `endpoint` (`None`: it does not, e.g.
/// per-forge project lists, which repeat items of `projects`).
pub(crate) fn list_record(endpoint: &str) -> Option<ListRecord> {
    if let Some(ep) = LISTS.iter().find(|l| l.path == endpoint) {
        return Some(ListRecord::Global(ep));
    }
    let rest = endpoint.strip_prefix("projects/")?;
    for (suffix, kind, _) in SUB_LISTS {
        if let Some(key) = rest.strip_suffix(&format!("/{suffix}"))
            && key.split('/').count() >= 3
        {
            return Some(ListRecord::Sub {
                kind,
                key: key.to_string(),
            });
        }
    }
    None
}

/// The kind and id sync stores a detail at `path` as (`Same` details and targets).
pub(crate) fn detail_record(path: &str) -> Option<(Kind, String)> {
    record_detail_kind(path)
}

/// The details sync fetches for the item `id` of the list `ep`: its own detail, or
/// the targets it names.
pub(crate) fn wanted_details(ep: &ListEndpoint, id: &str, item: &Value) -> Vec<(Kind, String)> {
    match details_of(ep) {
        Details::None => Vec::new(),
        Details::Same(k) => vec![(k, id.to_string())],
        Details::Targets { field, kind } => item
            .get(field)
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|m| m.values())
            .filter_map(Value::as_i64)
            .map(|t| (kind, t.to_string()))
            .collect(),
    }
}

/// Whether sync fetches details of `kind` (named by a list item or another entity).
pub(crate) fn detail_fetched(kind: Kind) -> bool {
    LISTS.iter().any(|ep| match details_of(ep) {
        Details::Same(x) | Details::Targets { kind: x, .. } => x == kind,
        Details::None => false,
    })
}

/// Whether sync's project phase can fetch the project `key` (not an Anitya project,
/// and a key a request can name).
pub(crate) fn project_fetchable(key: &str) -> bool {
    !is_anitya(key) && crate::api::client::encode_path(&format!("projects/{key}")).is_ok()
}

/// Whether `key` is an Anitya project (no `/projects/…` endpoints).
pub(crate) fn is_anitya(key: &str) -> bool {
    key.starts_with(ANITYA_PREFIX)
}
