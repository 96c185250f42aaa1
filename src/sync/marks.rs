//! Where the list walks stand, kept in the archive's `meta` table: a list's completed
//! crawl, its high-water mark, and the head mark of the Packit-wide lists
//! ([`HEAD_LISTS`]) a graph-walked sync reads the heads of (module `graph_heads`).
//! The list walk (module `crawl`) and the head walk both move the head mark, never down.

use super::error::SyncError;
use crate::api::ListEndpoint;
use crate::archive::Archive;
use serde_json::Value;

/// The Packit-wide lists whose heads a graph-walked sync reads.
pub const HEAD_LISTS: [&str; 6] = [
    "runs",
    "copr-builds",
    "openscanhub-scans",
    "propose-downstream",
    "pull-from-upstream",
    "koji-tag-requests",
];

/// The archive meta key saying which scope's full crawl of a list completed.
pub(super) fn meta_crawled(path: &str) -> String {
    format!("sync.crawled:{path}")
}

/// The archive meta key of a list's high-water mark (the highest id seen).
pub(super) fn meta_high(path: &str) -> String {
    format!("sync.high:{path}")
}

/// The archive meta key of a list's head mark.
fn meta_head(path: &str) -> String {
    format!("sync.head:{path}")
}

/// A list's head mark: the top its last complete walk from page 1 reached.
pub(super) fn head_mark(archive: &Archive, path: &str) -> Result<Option<i64>, SyncError> {
    Ok(archive.meta(&meta_head(path))?.and_then(|v| v.parse().ok()))
}

/// Moves the head mark of `path` up to `top` (never down).
pub(super) fn raise_head_mark(
    archive: &mut Archive,
    path: &str,
    top: i64,
) -> Result<(), SyncError> {
    if head_mark(archive, path)?.is_none_or(|m| top > m) {
        let wr = archive.write()?;
        wr.set_meta(&meta_head(path), &top.to_string())?;
        wr.commit()?;
    }
    Ok(())
}

/// The value a list is ordered by, of one item: the packit id, or for `/copr-builds`
/// the smallest packit id of the build's chroots.
pub(super) fn order_of(ep: &ListEndpoint, item: &Value) -> Option<i64> {
    if ep.path == "copr-builds" {
        return item
            .get("packit_id_per_chroot")
            .and_then(Value::as_object)?
            .values()
            .filter_map(Value::as_i64)
            .min()
            .or_else(|| item.get("packit_id").and_then(Value::as_i64));
    }
    item.get(ep.id_field).and_then(Value::as_i64)
}
