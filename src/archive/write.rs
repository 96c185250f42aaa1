//! Writes to the archive: one [`Writer`] transaction storing entities (moving
//! superseded versions to history), links, references, errors, cursors and runs.

use super::{Archive, ArchiveError, Change, Result, sql};
use crate::api::Kind;
use crate::api::types::Run;
use crate::jobs::{keys as extract, refs_of, run_jobs};
use rusqlite::{OptionalExtension, params};
use serde_json::Value;
use std::path::{Path, PathBuf};

impl Archive {
    /// Starts a write transaction.
    pub fn write(&mut self) -> Result<Writer<'_>> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(sql(&path))?;
        Ok(Writer { tx, path })
    }

    /// Takes a new revision for a sync run against `api` and records the run. Committed
    /// at once, so the revision is never reused.
    pub fn begin_revision(&mut self, api: &str, now: i64) -> Result<i64> {
        let w = self.write()?;
        let rev = w.bump_revision()?;
        w.exec(
            "INSERT INTO sync_run(rev, api, started) VALUES (?1, ?2, ?3)",
            params![rev, api, now],
        )?;
        w.commit()?;
        Ok(rev)
    }
}

/// SQL assignment that marks a row as changed in the archive's current revision (its
/// pages show what was recorded), for writes that take no revision argument.
pub(super) const CHANGED_NOW: &str = "changed_rev=MAX(changed_rev, COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key='revision'), 0))";

/// Which half of an entity a write stores.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// The list item.
    List,
    /// The detail response.
    Detail,
}

/// A write transaction. Dropping it without [`Writer::commit`] rolls back.
pub struct Writer<'a> {
    tx: rusqlite::Transaction<'a>,
    path: PathBuf,
}

impl Writer<'_> {
    /// Runs one statement of the transaction.
    pub(super) fn exec(&self, statement: &str, params: impl rusqlite::Params) -> Result<()> {
        self.tx
            .execute(statement, params)
            .map_err(sql(&self.path))?;
        Ok(())
    }

    fn bump_revision(&self) -> Result<i64> {
        let cur: Option<String> = self
            .tx
            .query_row("SELECT value FROM meta WHERE key='revision'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(sql(&self.path))?;
        let rev = cur.and_then(|v| v.parse::<i64>().ok()).unwrap_or(0) + 1;
        self.set_meta("revision", &rev.to_string())?;
        Ok(rev)
    }

    /// Sets a metadata value.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.exec(
            "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            params![key, value],
        )
    }

    /// Stores one half of an entity exactly as received. Content equal (as JSON) to
    /// what is stored only refreshes `last_seen`; different content moves the old
    /// version to history.
    pub fn put(
        &self,
        kind: Kind,
        id: &str,
        part: Part,
        raw: &str,
        now: i64,
        rev: i64,
    ) -> Result<Change> {
        let value: Value = serde_json::from_str(raw).map_err(|source| ArchiveError::BadJson {
            kind,
            id: id.to_string(),
            source,
        })?;
        let col = match part {
            Part::List => "list_json",
            Part::Detail => "detail_json",
        };
        let fetched_col = match part {
            Part::List => "list_fetched",
            Part::Detail => "detail_fetched",
        };
        let old = self.halves(kind, id)?;
        let num: Option<i64> = id.parse().ok();
        let change = match &old {
            None => Change::New,
            Some((l, d)) => {
                let prev = match part {
                    Part::List => l,
                    Part::Detail => d,
                };
                match prev.as_deref().map(serde_json::from_str::<Value>) {
                    Some(Ok(p)) if same_content(&p, &value) => Change::Unchanged,
                    _ => Change::Changed,
                }
            }
        };
        match (change, old) {
            (Change::Unchanged, _) => {
                // an unchanged list item says nothing of the detail whose fetch failed:
                // its error (and count of failures in a row) stays
                let clear = match part {
                    Part::List => "",
                    Part::Detail => ", error=NULL, error_count=0",
                };
                self.tx
                    .prepare_cached(&format!("UPDATE entity SET last_seen=?3, {fetched_col}=?3, gone_at=NULL{clear} WHERE kind=?1 AND id=?2"))
                    .and_then(|mut st| st.execute(params![kind.as_str(), id, now]))
                    .map_err(sql(&self.path))?;
                return Ok(Change::Unchanged);
            }
            (Change::New, _) => {
                self.tx
                    .prepare_cached(&format!("INSERT INTO entity(kind, id, num, {col}, first_seen, last_seen, {fetched_col}, created_rev, changed_rev) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?5, ?6, ?6)"))
                    .and_then(|mut st| st.execute(params![kind.as_str(), id, num, raw, now, rev]))
                    .map_err(sql(&self.path))?;
            }
            (Change::Changed, Some((l, d))) => {
                let had_this_part = match part {
                    Part::List => l.is_some(),
                    Part::Detail => d.is_some(),
                };
                if had_this_part {
                    self.tx
                        .prepare_cached("INSERT INTO history(kind, id, replaced_at, rev, list_json, detail_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
                        .and_then(|mut st| st.execute(params![kind.as_str(), id, now, rev, l, d]))
                        .map_err(sql(&self.path))?;
                }
                self.tx
                    .prepare_cached(&format!("UPDATE entity SET {col}=?3, last_seen=?4, {fetched_col}=?4, gone_at=NULL, error=NULL, error_count=0, changed_rev=?5 WHERE kind=?1 AND id=?2"))
                    .and_then(|mut st| st.execute(params![kind.as_str(), id, raw, now, rev]))
                    .map_err(sql(&self.path))?;
            }
            (Change::Changed, None) => unreachable!("a change needs a stored row"),
        }
        self.reextract(kind, id)?;
        Ok(change)
    }

    /// The stored list item and detail of an entity; None when it is not stored.
    fn halves(&self, kind: Kind, id: &str) -> Result<Option<(Option<String>, Option<String>)>> {
        self.tx
            .prepare_cached("SELECT list_json, detail_json FROM entity WHERE kind=?1 AND id=?2")
            .and_then(|mut st| {
                st.query_row(params![kind.as_str(), id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .map_err(sql(&self.path))
    }

    /// Recomputes the extracted keys (and links) of an entity from its stored JSON.
    fn reextract(&self, kind: Kind, id: &str) -> Result<()> {
        let (l, d) = self
            .halves(kind, id)?
            .ok_or_else(|| sql(&self.path)(rusqlite::Error::QueryReturnedNoRows))?;
        let ex = extract(kind, l.as_deref(), d.as_deref());
        self.tx
            .prepare_cached("UPDATE entity SET status=?3, is_final=?4, submitted=?5, project=?6, trigger=?7, target=?8 WHERE kind=?1 AND id=?2")
            .and_then(|mut st| st.execute(params![kind.as_str(), id, ex.status, ex.is_final, ex.submitted, ex.project, ex.trigger, ex.target]))
            .map_err(sql(&self.path))?;
        if kind == Kind::Pipeline {
            self.write_links(id, l.as_deref())?;
        }
        self.write_refs(kind, id, l.as_deref(), d.as_deref())?;
        Ok(())
    }

    /// Rewrites the references entity `kind`/`id` makes to other jobs.
    fn write_refs(
        &self,
        kind: Kind,
        id: &str,
        list: Option<&str>,
        detail: Option<&str>,
    ) -> Result<()> {
        write_refs(&self.tx, &self.path, kind, id, list, detail)
    }

    /// Rewrites the job → pipeline links of pipeline `id` from its list item.
    fn write_links(&self, id: &str, list: Option<&str>) -> Result<()> {
        let pid: i64 = id.parse().unwrap_or(0);
        self.tx
            .prepare_cached("DELETE FROM link WHERE pipeline=?1")
            .and_then(|mut st| st.execute([pid]))
            .map_err(sql(&self.path))?;
        if let Some(run) = list.map(|s| crate::jobs::parse::<Run>(Some(s))) {
            let mut ins = self
                .tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO link(job_kind, job_id, pipeline) VALUES (?1, ?2, ?3)",
                )
                .map_err(sql(&self.path))?;
            for (k, job) in run_jobs(&run) {
                if let Some(jid) = job.packit_id {
                    ins.execute(params![k.as_str(), jid.to_string(), pid])
                        .map_err(sql(&self.path))?;
                }
            }
        }
        Ok(())
    }

    /// Stores an entity not stored before with both halves at once, exactly as
    /// [`Writer::put`] of each half would, in one statement (for bulk loads). Returns
    /// `false` and writes nothing when the entity exists already; use `put` then.
    pub fn insert_new(
        &self,
        kind: Kind,
        id: &str,
        list: Option<&str>,
        detail: Option<&str>,
        now: i64,
        rev: i64,
    ) -> Result<bool> {
        for raw in [list, detail].into_iter().flatten() {
            serde_json::from_str::<serde::de::IgnoredAny>(raw).map_err(|source| {
                ArchiveError::BadJson {
                    kind,
                    id: id.to_string(),
                    source,
                }
            })?;
        }
        let ex = extract(kind, list, detail);
        let num: Option<i64> = id.parse().ok();
        let n = self
            .tx
            .prepare_cached(
                "INSERT INTO entity(kind, id, num, list_json, detail_json, first_seen, last_seen, list_fetched, detail_fetched, created_rev, changed_rev, status, is_final, submitted, project, trigger, target) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8, ?9, ?9, ?10, ?11, ?12, ?13, ?14, ?15) ON CONFLICT(kind, id) DO NOTHING",
            )
            .and_then(|mut st| {
                st.execute(params![
                    kind.as_str(),
                    id,
                    num,
                    list,
                    detail,
                    now,
                    list.map(|_| now),
                    detail.map(|_| now),
                    rev,
                    ex.status,
                    ex.is_final,
                    ex.submitted,
                    ex.project,
                    ex.trigger,
                    ex.target
                ])
            })
            .map_err(sql(&self.path))?;
        if n == 0 {
            return Ok(false);
        }
        if kind == Kind::Pipeline {
            self.write_links(id, list)?;
        }
        self.write_refs(kind, id, list, detail)?;
        Ok(true)
    }

    /// Marks an entity as deleted upstream (404 on re-fetch). It stays in the archive.
    pub fn mark_gone(&self, kind: Kind, id: &str, now: i64, rev: i64) -> Result<()> {
        self.exec(
            "UPDATE entity SET gone_at=?3, changed_rev=?4 WHERE kind=?1 AND id=?2 AND gone_at IS NULL",
            params![kind.as_str(), id, now, rev],
        )
    }

    /// [`Writer::record_error`] with the count of failures in a row set to `count`
    /// (a project whose detail arrives but whose sub-list keeps failing).
    pub fn record_failure_in_row(
        &self,
        kind: Kind,
        id: &str,
        message: &str,
        now: i64,
        count: i64,
    ) -> Result<()> {
        self.record_error(kind, id, message, now)?;
        self.exec(
            "UPDATE entity SET error_count=?3 WHERE kind=?1 AND id=?2",
            params![kind.as_str(), id, count],
        )
    }

    /// Records a failed fetch of an entity; its stored data is left untouched. The
    /// entity counts as changed in the current revision (its pages show the error).
    /// A message longer than 2,000 bytes is stored shortened ([`crate::urls::shorten`]).
    pub fn record_error(&self, kind: Kind, id: &str, message: &str, now: i64) -> Result<()> {
        let message = crate::urls::shorten(message, 2000);
        self.exec(
            &format!("UPDATE entity SET error=?3, error_at=?4, error_count=error_count+1, {CHANGED_NOW} WHERE kind=?1 AND id=?2"),
            params![kind.as_str(), id, message, now],
        )
    }

    /// Saves the crawl position of a list endpoint.
    pub fn set_cursor(&self, endpoint: &str, page: u32, started_rev: i64) -> Result<()> {
        self.exec(
            "INSERT INTO cursor(endpoint, page, started_rev) VALUES (?1, ?2, ?3) ON CONFLICT(endpoint) DO UPDATE SET page=excluded.page, started_rev=excluded.started_rev",
            params![endpoint, page as i64, started_rev],
        )
    }

    /// Forgets the crawl position of a list endpoint (its crawl completed).
    pub fn clear_cursor(&self, endpoint: &str) -> Result<()> {
        self.exec("DELETE FROM cursor WHERE endpoint=?1", [endpoint])
    }

    /// Records the end of a sync run.
    pub fn finish_run(&self, rev: i64, now: i64, report: &str) -> Result<()> {
        self.finish_partial_run(rev, now, report)?;
        self.set_meta("last_sync", &now.to_string())
    }

    /// Records the end of a targeted refresh: like [`Writer::finish_run`], but the
    /// `last_sync` time (shown on every page) stays that of the last full sync.
    pub fn finish_partial_run(&self, rev: i64, now: i64, report: &str) -> Result<()> {
        self.exec(
            "UPDATE sync_run SET finished=?2, report=?3 WHERE rev=?1",
            params![rev, now, report],
        )
    }

    /// Removes a metadata value.
    pub fn delete_meta(&self, key: &str) -> Result<()> {
        self.exec("DELETE FROM meta WHERE key=?1", [key])
    }

    /// Clears the recorded fetch error of an entity if it starts with `prefix` (a
    /// parent's record of one target's failure, once that target arrived).
    pub fn clear_error_about(&self, kind: Kind, id: &str, prefix: &str) -> Result<()> {
        self.exec(
            "UPDATE entity SET error=NULL, error_at=NULL, error_count=0 WHERE kind=?1 AND id=?2 AND substr(error, 1, length(?3))=?3",
            params![kind.as_str(), id, prefix],
        )
    }

    /// Clears the recorded fetch error of an entity (its data is untouched).
    pub fn clear_error(&self, kind: Kind, id: &str) -> Result<()> {
        self.exec(
            "UPDATE entity SET error=NULL, error_at=NULL, error_count=0 WHERE kind=?1 AND id=?2 AND error IS NOT NULL",
            params![kind.as_str(), id],
        )
    }

    /// Commits.
    pub fn commit(self) -> Result<()> {
        self.tx.commit().map_err(sql(&self.path))
    }
}

/// Whether two JSON values hold the same content: equal once every array is sorted by
/// the canonical JSON of its elements. Some real lists return arrays in an order that
/// is not stable between two identical requests (SQL without `ORDER BY`, such as the
/// `builds` and `tests` of `/projects/<forge>/<ns>/<repo>/prs`); a re-fetch that
/// differs only in such an order is not a change (the first bytes stay stored).
pub fn same_content(a: &Value, b: &Value) -> bool {
    a == b || canonical(a) == canonical(b)
}

/// `v` with every array sorted by its elements' canonical JSON text (object keys are
/// compared as maps, so their order never matters).
fn canonical(v: &Value) -> Value {
    match v {
        Value::Array(items) => {
            let mut c: Vec<(String, Value)> = items
                .iter()
                .map(|i| {
                    let i = canonical(i);
                    (i.to_string(), i)
                })
                .collect();
            c.sort_by(|x, y| x.0.cmp(&y.0));
            Value::Array(c.into_iter().map(|(_, i)| i).collect())
        }
        Value::Object(m) => {
            Value::Object(m.iter().map(|(k, x)| (k.clone(), canonical(x))).collect())
        }
        x => x.clone(),
    }
}

pub(super) fn write_refs(
    tx: &rusqlite::Connection,
    path: &Path,
    kind: Kind,
    id: &str,
    list: Option<&str>,
    detail: Option<&str>,
) -> Result<()> {
    let refs = refs_of(kind, list, detail);
    tx.prepare_cached("DELETE FROM ref WHERE from_kind=?1 AND from_id=?2")
        .and_then(|mut st| st.execute(params![kind.as_str(), id]))
        .map_err(sql(path))?;
    if refs.is_empty() {
        return Ok(());
    }
    let mut ins = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO ref(to_kind, to_id, from_kind, from_id) VALUES (?1, ?2, ?3, ?4)",
        )
        .map_err(sql(path))?;
    for (k, to) in refs {
        ins.execute(params![k.as_str(), to, kind.as_str(), id])
            .map_err(sql(path))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tests::tmp;
    use super::super::*;

    #[test]
    fn stores_raw_text_and_detects_changes() {
        let (_d, p) = tmp();
        let mut a = Archive::open(&p).unwrap();
        let rev = a.begin_revision("http://x", 100).unwrap();
        let raw = r#"{"status": "pending", "chroot": "f40", "project_url": "https://github.com/a/b", "pr_id": 3}"#;
        let w = a.write().unwrap();
        assert_eq!(
            w.put(Kind::Copr, "7", Part::Detail, raw, 100, rev).unwrap(),
            Change::New
        );
        // same JSON, other spacing: unchanged
        let same = r#"{"chroot":"f40","pr_id":3,"project_url":"https://github.com/a/b","status":"pending"}"#;
        assert_eq!(
            w.put(Kind::Copr, "7", Part::Detail, same, 101, rev)
                .unwrap(),
            Change::Unchanged
        );
        w.commit().unwrap();
        let e = a.get(Kind::Copr, "7").unwrap().unwrap();
        assert_eq!(e.detail_json.as_deref(), Some(raw));
        assert!(!e.is_final);
        assert_eq!(e.project.as_deref(), Some("github.com/a/b"));
        assert_eq!(a.open_ids(Kind::Copr).unwrap(), vec!["7".to_string()]);

        let rev2 = a.begin_revision("http://x", 200).unwrap();
        let w = a.write().unwrap();
        let done = r#"{"status": "success", "chroot": "f40"}"#;
        assert_eq!(
            w.put(Kind::Copr, "7", Part::Detail, done, 200, rev2)
                .unwrap(),
            Change::Changed
        );
        w.commit().unwrap();
        assert!(a.open_ids(Kind::Copr).unwrap().is_empty());
        assert_eq!(
            a.history(Kind::Copr, "7").unwrap()[0].2.as_deref(),
            Some(raw)
        );
        assert_eq!(
            a.changed_since(rev).unwrap(),
            vec![(Kind::Copr, "7".to_string(), false)]
        );
        assert_eq!(a.changed_since(0).unwrap().len(), 1);
    }

    #[test]
    fn order_only_changes_are_no_change() {
        let (_d, p) = tmp();
        let mut a = Archive::open(&p).unwrap();
        let first = r#"{"pr_id":1,"builds":[{"chroot":"a","status":"success"},{"chroot":"b","status":"failure"}],"tests":[1,[2,3]]}"#;
        let shuffled = r#"{"tests":[[3,2],1],"builds":[{"status":"failure","chroot":"b"},{"chroot":"a","status":"success"}],"pr_id":1}"#;
        let changed = r#"{"pr_id":1,"builds":[{"chroot":"a","status":"success"},{"chroot":"b","status":"success"}],"tests":[1,[2,3]]}"#;
        let w = a.write().unwrap();
        assert_eq!(
            w.put(Kind::ProjectPr, "p#1", Part::List, first, 1, 1)
                .unwrap(),
            Change::New
        );
        assert_eq!(
            w.put(Kind::ProjectPr, "p#1", Part::List, shuffled, 2, 2)
                .unwrap(),
            Change::Unchanged
        );
        w.commit().unwrap();
        let e = a.get(Kind::ProjectPr, "p#1").unwrap().unwrap();
        assert_eq!(e.list_json.as_deref(), Some(first), "the first bytes stay");
        assert!(a.history(Kind::ProjectPr, "p#1").unwrap().is_empty());
        let w = a.write().unwrap();
        assert_eq!(
            w.put(Kind::ProjectPr, "p#1", Part::List, changed, 3, 3)
                .unwrap(),
            Change::Changed
        );
        w.commit().unwrap();
        assert_eq!(a.history(Kind::ProjectPr, "p#1").unwrap().len(), 1);
    }

    #[test]
    fn rollback_keeps_last_committed_state() {
        let (_d, p) = tmp();
        let mut a = Archive::open(&p).unwrap();
        let rev = a.begin_revision("http://x", 1).unwrap();
        {
            let w = a.write().unwrap();
            w.put(
                Kind::Srpm,
                "1",
                Part::List,
                r#"{"status":"success"}"#,
                1,
                rev,
            )
            .unwrap();
            // dropped without commit
        }
        assert_eq!(a.count(Kind::Srpm).unwrap(), 0);
        let w = a.write().unwrap();
        assert!(matches!(
            w.put(Kind::Srpm, "1", Part::List, "{not json", 1, rev),
            Err(ArchiveError::BadJson { .. })
        ));
    }

    #[test]
    fn pipelines_link_their_jobs_and_gone_is_kept() {
        let (_d, p) = tmp();
        let mut a = Archive::open(&p).unwrap();
        let rev = a.begin_revision("http://x", 1).unwrap();
        let w = a.write().unwrap();
        let run = r#"{"merged_run_id": 9, "srpm": {"packit_id": 4, "status": "success"}, "copr": [{"packit_id": 5, "target": "f40", "status": "running"}], "koji": [], "test_run": [], "bodhi_update": [], "propose_downstream": [], "pull_from_upstream": [], "vm_image_build": [], "time_submitted": 50, "trigger": {"pr_id": 2, "project_url": "https://github.com/a/b"}}"#;
        w.put(Kind::Pipeline, "9", Part::List, run, 1, rev).unwrap();
        w.mark_gone(Kind::Pipeline, "9", 2, rev).unwrap();
        w.commit().unwrap();
        assert_eq!(a.pipelines_of(Kind::Copr, "5").unwrap(), vec![9]);
        let e = a.get(Kind::Pipeline, "9").unwrap().unwrap();
        assert_eq!(e.gone_at, Some(2));
        assert_eq!(e.status.as_deref(), Some("running"));
        assert!(!e.is_final);
        assert_eq!(e.submitted, Some(50));
    }

    #[test]
    fn insert_new_equals_two_puts() {
        let (_d, p) = tmp();
        let mut a = Archive::open(&p).unwrap();
        let rev = a.begin_revision("x", 5).unwrap();
        let run = r#"{"merged_run_id": 9, "copr": [{"packit_id": 5, "status": "running"}], "time_submitted": 50, "trigger": {"pr_id": 2, "project_url": "https://github.com/a/b"}}"#;
        let det = r#"{"run_id": 9}"#;
        let w = a.write().unwrap();
        w.put(Kind::Pipeline, "9", Part::List, run, 5, rev).unwrap();
        w.put(Kind::Pipeline, "9", Part::Detail, det, 5, rev)
            .unwrap();
        assert!(
            w.insert_new(Kind::Pipeline, "10", Some(run), Some(det), 5, rev)
                .unwrap()
        );
        assert!(
            !w.insert_new(Kind::Pipeline, "10", Some("{}"), None, 6, rev)
                .unwrap()
        );
        assert!(
            w.insert_new(Kind::Copr, "1", Some("{bad"), None, 5, rev)
                .is_err()
        );
        w.commit().unwrap();
        let (x, y) = (
            a.get(Kind::Pipeline, "9").unwrap().unwrap(),
            a.get(Kind::Pipeline, "10").unwrap().unwrap(),
        );
        assert_eq!(
            (
                x.list_json,
                x.detail_json,
                x.status,
                x.is_final,
                x.submitted,
                x.project,
                x.first_seen,
                x.created_rev
            ),
            (
                y.list_json,
                y.detail_json,
                y.status,
                y.is_final,
                y.submitted,
                y.project,
                y.first_seen,
                y.created_rev
            )
        );
        assert_eq!(a.pipelines_of(Kind::Copr, "5").unwrap(), vec![9, 10]);
    }
}
