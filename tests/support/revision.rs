//! Changes to an archive as a later sync would store them: the one helper that changes
//! an entity in a new archive revision (both stored halves, history kept), used by the
//! incremental, live and feed tests and by the benchmark examples.

use packit_pages::api::Kind;
use packit_pages::archive::{Archive, Part, Writer};
use serde_json::Value;
use std::path::Path;

/// Runs `f` with a writer in a new archive revision a minute after the last sync
/// (as a sync of the same API would store it), then commits.
pub fn in_new_revision(archive: &Path, f: impl FnOnce(&Writer<'_>, i64, i64)) {
    let mut ar = Archive::open(archive).unwrap();
    let now = ar
        .meta("last_sync")
        .unwrap()
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0)
        + 60;
    let api: String = ar
        .connection()
        .query_row(
            "SELECT api FROM sync_run ORDER BY rev DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let rev = ar.begin_revision(&api, now).unwrap();
    let w = ar.write().unwrap();
    f(&w, now, rev);
    w.finish_run(rev, now, "{}").unwrap();
    w.commit().unwrap();
}

/// Sets JSON `fields` of one entity (its detail and its list snapshot, whichever are
/// stored) in a new revision.
pub fn set_fields(archive: &Path, kind: Kind, id: &str, fields: &[(&str, Value)]) {
    let e = Archive::open_read_only(archive)
        .unwrap()
        .get(kind, id)
        .unwrap()
        .expect("entity exists");
    in_new_revision(archive, |w, now, rev| {
        for (part, json) in [(Part::Detail, &e.detail_json), (Part::List, &e.list_json)] {
            if let Some(j) = json {
                let mut v: Value = serde_json::from_str(j).unwrap();
                for (k, val) in fields {
                    v[*k] = val.clone();
                }
                w.put(kind, id, part, &v.to_string(), now, rev).unwrap();
            }
        }
    });
}

/// One entity's status changed in a new archive revision, as a sync stores it.
pub fn set_status(archive: &Path, kind: Kind, id: &str, status: &str) {
    set_fields(archive, kind, id, &[("status", Value::from(status))]);
}

/// Gives the `nth` entity of `kind` (in archive order) whose status differs from
/// `status` that status, in a new revision. Returns the entity's id.
pub fn touch(archive: &Path, kind: Kind, status: &str, nth: i64) -> String {
    let id: String = Archive::open_read_only(archive)
        .unwrap()
        .connection()
        .query_row(
            "SELECT id FROM entity WHERE kind=?1 AND status IS NOT ?2 ORDER BY num LIMIT 1 OFFSET ?3",
            (kind.as_str(), status, nth),
            |r| r.get(0),
        )
        .unwrap();
    set_status(archive, kind, &id, status);
    id
}
