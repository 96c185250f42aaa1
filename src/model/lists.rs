//! Job list tables and job detail pages: the rows of job lists, target indexes
//! and pipeline tables (through a live session's [`RowCache`](super::RowCache)),
//! and the detail view of one job; what each kind shows is in [`crate::jobs`].

use super::caches::RowTable;
use super::{Model, Result, entity_notices};
use crate::api::Kind;
use crate::archive::Entity;
use crate::jobs::{self, JobList};
use crate::view::{Cell, DetailView, ListView};
use std::collections::HashMap;

impl Model<'_> {
    /// Column headers of a job list.
    pub fn list_columns(list: JobList) -> Vec<String> {
        jobs::list_columns(list)
    }

    /// Rows of a job list for the list-kind entities with the given ids.
    pub fn list_rows(&self, list: JobList, ids: &[i64]) -> Result<ListView> {
        let rows = self.rows_of(
            RowTable::List(list),
            list.list_kind(),
            Some(list.detail_kind()),
            ids,
            |e| jobs::list_row(list, &job_of(e), self),
        )?;
        Ok(ListView {
            columns: Self::list_columns(list),
            rows,
        })
    }

    /// Rows of the target index of a grouping list (Copr chroots, sync-release
    /// branches) for the detail entities with the given ids.
    pub fn target_rows(&self, list: JobList, ids: &[i64]) -> Result<ListView> {
        let rows = self.rows_of(RowTable::Target(list), list.detail_kind(), None, ids, |e| {
            Ok(jobs::target_row(list, &job_of(e), self))
        })?;
        Ok(ListView {
            columns: jobs::target_columns(list),
            rows,
        })
    }

    /// Rows of `table` for the entities of `kind` with the given ids (ascending),
    /// newest first, made by `row` or taken from the session's [`RowCache`].
    /// `also` is the kind of other entities with the same ids the rows read (a
    /// list item's detail entity).
    pub(super) fn rows_of(
        &self,
        table: RowTable,
        kind: Kind,
        also: Option<Kind>,
        ids: &[i64],
        row: impl Fn(&Entity) -> Result<Vec<Cell>>,
    ) -> Result<Vec<Vec<Cell>>> {
        let cache = &self.catalog.row_cache;
        if self.catalog.rows.is_none() {
            return self.entities_in(kind, ids)?.iter().map(row).collect();
        }
        // newest first, as `entities_in` returns them
        let mut out: Vec<Option<Vec<Cell>>> = ids
            .iter()
            .rev()
            .map(|&id| cache.get(table, kind, id))
            .collect();
        let missing: Vec<i64> = ids
            .iter()
            .zip(out.iter().rev())
            .filter(|(_, r)| r.is_none())
            .map(|(&id, _)| id)
            .collect();
        if !missing.is_empty() {
            let mut made: HashMap<i64, Vec<Cell>> = HashMap::with_capacity(missing.len());
            for e in self.entities_in(kind, &missing)? {
                let Ok(id) = e.id.parse::<i64>() else {
                    continue;
                };
                let mut reads = vec![(kind, id)];
                reads.extend(also.map(|k| (k, id)));
                *self.reads.borrow_mut() = Some(reads);
                let r = row(&e);
                let reads = self.reads.borrow_mut().take().unwrap_or_default();
                let r = r?;
                cache.put(table, kind, id, r.clone(), &reads);
                made.insert(id, r);
            }
            for (slot, id) in out.iter_mut().zip(ids.iter().rev()) {
                if slot.is_none() {
                    *slot = made.remove(id);
                }
            }
        }
        Ok(out.into_iter().flatten().collect())
    }

    /// The detail view of job `id` of `list`.
    pub fn detail(&self, list: JobList, id: i64) -> Result<Option<DetailView>> {
        let Some(e) = self.entity(list.detail_kind(), id)? else {
            return Ok(None);
        };
        let mut d = DetailView {
            kind_title: list.singular().into(),
            list_slug: list.slug().into(),
            list_title: list.title().into(),
            id,
            notices: entity_notices(&e),
            pipelines: self.pipelines_of(list.detail_kind(), id)?,
            ..DetailView::default()
        };
        jobs::detail(list, &job_of(&e), &mut d, self)?;
        Ok(Some(d))
    }
}

/// Puts rows (given newest id first) newest first by their first time cell
/// (when submitted): ids follow creation, and a job may be submitted long after
/// it was created (a Testing Farm run waits for its builds). A row without a
/// time keeps its place after the row before it. Stable: equal times keep the
/// id order.
pub fn newest_first(rows: &mut Vec<Vec<Cell>>) {
    let time = |r: &[Cell]| {
        r.iter().find_map(|c| match c {
            Cell::Time { v } => Some(v.as_ref().map(|t| t.iso.clone())),
            _ => None,
        })?
    };
    // (sort key, row): the key of a row without a time is the one before it
    let mut keyed: Vec<(Option<String>, Vec<Cell>)> = Vec::with_capacity(rows.len());
    let mut before: Option<String> = None;
    for r in rows.drain(..) {
        let k = time(&r).or_else(|| before.clone());
        before = k.clone();
        keyed.push((k, r));
    }
    // rows ahead of every time (none before them) stay first
    keyed.sort_by(|a, b| match (&a.0, &b.0) {
        (None, None) => std::cmp::Ordering::Equal,
        (None, Some(_)) => std::cmp::Ordering::Less,
        (Some(_), None) => std::cmp::Ordering::Greater,
        (Some(x), Some(y)) => y.cmp(x),
    });
    rows.extend(keyed.into_iter().map(|(_, r)| r));
}

/// The plain fields of a stored job the job views read.
fn job_of(e: &Entity) -> jobs::Job<'_> {
    jobs::Job {
        id: e.id.parse().unwrap_or(0),
        key: &e.id,
        list_json: e.list_json.as_deref(),
        detail_json: e.detail_json.as_deref(),
        status: e.status.as_deref(),
        submitted: e.submitted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::tv;

    fn row(id: i64, t: Option<i64>) -> Vec<Cell> {
        vec![Cell::Text { v: id.to_string() }, Cell::Time { v: tv(t) }]
    }

    fn ids(rows: &[Vec<Cell>]) -> Vec<String> {
        rows.iter()
            .map(|r| match &r[0] {
                Cell::Text { v } => v.clone(),
                _ => String::new(),
            })
            .collect()
    }

    #[test]
    fn rows_go_newest_first_by_time() {
        // ids newest first, as the lists read them; times out of id order (real
        // Testing Farm runs: ids 1755..1749 at these submitted times)
        let mut rows = vec![
            row(1755, Some(1_781_902_752)),
            row(1754, Some(1_781_903_529)),
            row(1753, None),
            row(1752, Some(1_781_905_490)),
            row(1749, Some(1_782_690_689)),
            row(1748, Some(1_782_690_689)),
        ];
        newest_first(&mut rows);
        assert_eq!(ids(&rows), ["1749", "1748", "1752", "1754", "1753", "1755"]);
        // no times at all: the id order stays
        let mut rows = vec![row(3, None), row(2, None), row(1, None)];
        newest_first(&mut rows);
        assert_eq!(ids(&rows), ["3", "2", "1"]);
    }
}
