//! Live patching of a catalog: [`Catalog::apply`] moves the entities of a change
//! set from their old catalog columns to their new ones, so that a long-running
//! session does not rebuild the catalog after every sync.

use super::Result;
use super::catalog::{
    CatRow, Catalog, catalog_lists, dec, insert_sorted, is_detail_kind, month_of, valid_project_key,
};
use crate::api::Kind;
use crate::archive::Archive;
use std::collections::HashMap;

impl Catalog {
    /// Patches a catalog made by [`Catalog::build_live`] with the entities changed
    /// since it was built (`changes`, as [`Archive::changed_since`] lists them),
    /// reading their new columns from `archive`. Returns `false`, leaving the
    /// catalog half-patched, when a change is one it cannot patch (an entity that
    /// moved to another project, trigger or target, or lost its submitted time; a
    /// catalog built without rows): the caller then builds a new catalog.
    pub fn apply(&mut self, archive: &Archive, changes: &[(Kind, String, bool)]) -> Result<bool> {
        let Some(mut rows) = self.rows.take() else {
            return Ok(false);
        };
        let shape = |c: &Catalog| {
            c.projects.len() + c.projects.values().map(|p| p.triggers.len()).sum::<usize>()
        };
        let before = shape(self);
        let ok = self.apply_rows(archive, changes, &mut rows);
        // a trigger page came (the first pipeline of a pull request, say): rows of
        // that trigger's jobs link to it now (`apply` only ever adds triggers)
        if shape(self) != before {
            self.row_cache.clear();
        }
        self.rows = Some(rows);
        let ok = ok?;
        if ok {
            self.read_meta(archive)?;
        }
        Ok(ok)
    }

    fn apply_rows(
        &mut self,
        archive: &Archive,
        changes: &[(Kind, String, bool)],
        rows: &mut HashMap<(Kind, i64), CatRow>,
    ) -> Result<bool> {
        for (kind, id, _) in changes {
            let kind = *kind;
            if let Ok(num) = id.parse::<i64>() {
                self.feed_times.lock().remove(&(kind, num));
                self.row_cache.forget(kind, num);
            }
            match kind {
                Kind::Usage | Kind::System => {
                    if !self.snapshots.iter().any(|(k, i)| *k == kind && i == id) {
                        self.snapshots.push((kind, id.clone()));
                        self.snapshots
                            .sort_by(|a, b| (a.0.as_str(), &a.1).cmp(&(b.0.as_str(), &b.1)));
                    }
                    continue;
                }
                Kind::Project
                | Kind::ProjectPr
                | Kind::ProjectBranch
                | Kind::ProjectRelease
                | Kind::ProjectIssue => {
                    self.add_project_item(kind, id);
                    self.projects.retain(|k, _| valid_project_key(k));
                    continue;
                }
                _ => {}
            }
            let got = archive
                .catalog_row(kind, id)?
                .map(|(num, row)| (num, CatRow::from(row)));
            let Some((Some(num), new)) = got else {
                continue;
            };
            if let Some(old) = rows.get(&(kind, num)) {
                if old.project != new.project
                    || old.trigger != new.trigger
                    || old.target != new.target
                {
                    return Ok(false);
                }
                if !self.move_row(kind, num, old, &new) {
                    return Ok(false);
                }
            } else {
                self.add_row(kind, num, &new);
                if kind != Kind::Pipeline
                    && let Some(p) = new.project.as_deref()
                    && valid_project_key(p)
                {
                    self.project(p);
                }
                self.projects.retain(|k, _| valid_project_key(k));
            }
            if let Some(names) = archive.log_names_of(kind, id)? {
                if names.is_empty() {
                    self.logs.remove(&(kind, num));
                } else {
                    self.logs.insert((kind, num), names);
                }
            }
            rows.insert((kind, num), new);
        }
        Ok(true)
    }

    /// Moves an entity from its `old` status and submitted time to the `new` ones
    /// (same project, trigger and target). `false` when that cannot be done
    /// exactly.
    fn move_row(&mut self, kind: Kind, num: i64, old: &CatRow, new: &CatRow) -> bool {
        let day = |t: i64| t.div_euclid(86_400);
        match (old.submitted, new.submitted) {
            (Some(_), None) => return false,
            (Some(a), Some(b)) if month_of(a) != month_of(b) => return false,
            _ => {}
        }
        for l in catalog_lists(kind) {
            if l.detail_kind() == kind && l.accepts(new.target.as_deref()) {
                self.put_history(l, num, new);
            }
        }
        if kind == Kind::Pipeline {
            match (old.submitted, new.submitted) {
                (None, Some(b)) => *self.stats.pipelines_per_day.entry(day(b)).or_default() += 1,
                (Some(a), Some(b)) if day(a) != day(b) => {
                    dec(&mut self.stats.pipelines_per_day, day(a));
                    *self.stats.pipelines_per_day.entry(day(b)).or_default() += 1;
                }
                _ => {}
            }
            return true;
        }
        if is_detail_kind(kind) && old.failed() != new.failed() {
            let ids = self.failed.entry(kind).or_default();
            if new.failed() {
                insert_sorted(ids, num);
            } else if let Ok(i) = ids.binary_search(&num) {
                ids.remove(i);
            }
            if ids.is_empty() {
                self.failed.remove(&kind);
            }
        }
        for l in catalog_lists(kind) {
            if l.list_kind() != kind || !l.accepts(new.target.as_deref()) {
                continue;
            }
            let (was, is) = (old.class(l), new.class(l));
            if was != is {
                if let Some(v) = self.status_ids.get_mut(&(l, was))
                    && let Ok(i) = v.binary_search(&num)
                {
                    v.remove(i);
                    if v.is_empty() {
                        self.status_ids.remove(&(l, was));
                    }
                }
                insert_sorted(self.status_ids.entry((l, is)).or_default(), num);
                if let Some(n) = self.stats.by_status.get_mut(&(l, was)) {
                    *n -= 1;
                    if *n == 0 {
                        self.stats.by_status.remove(&(l, was));
                    }
                }
                *self.stats.by_status.entry((l, is)).or_default() += 1;
            }
            match (old.submitted, new.submitted) {
                (None, Some(b)) => self.count_submitted(l, b, new.project.as_deref()),
                (Some(a), Some(b)) if day(a) != day(b) => {
                    dec(&mut self.stats.jobs_per_day, day(a));
                    *self.stats.jobs_per_day.entry(day(b)).or_default() += 1;
                }
                _ => {}
            }
        }
        true
    }
}
