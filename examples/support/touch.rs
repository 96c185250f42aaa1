//! Shared by the benchmark examples: changes one entity's status in a new archive
//! revision, exactly as a sync that fetched the changed entity would store it (both
//! stored halves, history kept).

use packit_pages::api::Kind;
use packit_pages::archive::{Archive, Part};

/// Gives the `nth` entity of `kind` whose status differs from `status` that status,
/// in a new revision of the archive at `path`. Returns the entity's id.
pub fn touch(
    path: &str,
    kind: Kind,
    status: &str,
    nth: i64,
) -> Result<String, Box<dyn std::error::Error>> {
    let mut archive = Archive::open(path)?;
    let id: String = archive.connection().query_row(
        "SELECT id FROM entity WHERE kind=?1 AND status IS NOT ?2 ORDER BY num LIMIT 1 OFFSET ?3",
        rusqlite::params![kind.as_str(), status, nth],
        |r| r.get(0),
    )?;
    let e = archive.get(kind, &id)?.ok_or("entity vanished")?;
    let api: String = archive.connection().query_row(
        "SELECT api FROM sync_run ORDER BY rev DESC LIMIT 1",
        [],
        |r| r.get(0),
    )?;
    let now = archive
        .meta("last_sync")?
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0)
        + 60;
    let rev = archive.begin_revision(&api, now)?;
    let w = archive.write()?;
    for (part, json) in [(Part::Detail, e.detail_json), (Part::List, e.list_json)] {
        if let Some(j) = json {
            let mut v: serde_json::Value = serde_json::from_str(&j)?;
            v["status"] = serde_json::json!(status);
            w.put(kind, &id, part, &v.to_string(), now, rev)?;
        }
    }
    w.finish_run(rev, now, "{}")?;
    w.commit()?;
    Ok(id)
}
