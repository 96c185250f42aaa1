//! Job list pages: a list's index and numbered pages, its targets list, its
//! per-status lists, and the filter settings and pager every list page shows.

use super::PageError;
use super::{Ctx, titled};
use crate::api::types::StatusClass;
use crate::model::{JobList, Link, Model};
use crate::plan::{self, IndexList, Page, pager_items};
use crate::urls;
use serde::Serialize;
use std::collections::BTreeMap;
use tera::Context;

#[derive(Serialize)]
pub(super) struct ListMeta {
    slug: &'static str,
    title: &'static str,
    singular: &'static str,
}

impl ListMeta {
    pub(super) fn of(l: JobList) -> ListMeta {
        ListMeta {
            slug: l.slug(),
            title: l.title(),
            singular: l.singular(),
        }
    }
}

/// `jobs/<list>/` and `jobs/<list>/page/<n>/`.
pub(super) fn job_list(
    ctx: &Ctx<'_>,
    m: &Model<'_>,
    c: &mut Context,
    page: &Page,
    l: JobList,
) -> Result<(), PageError> {
    let n = match page {
        Page::JobListPage(_, n) => *n,
        _ => 0,
    };
    let frame = Frame {
        list: ListMeta::of(l),
        base: urls::job_list_path(l.slug()),
        title: l.title().to_string(),
        back: None,
    };
    let slice = frame.insert(c, page, ids_in(&ctx.catalog.list_ids, &l), n);
    let mut table = m.list_rows(l, slice)?;
    crate::model::newest_first(&mut table.rows);
    c.insert("table", &table);
    list_filter(ctx, c, IndexList::Jobs(l), None, n == 0);
    if l.has_targets() {
        c.insert(
            "targets",
            &Link::int(urls::job_targets_path(l.slug()), l.targets_title()),
        );
        c.insert(
            "target_count",
            &ctx.catalog.detail_ids.get(&l).map(|v| v.len()).unwrap_or(0),
        );
    }
    Ok(())
}

/// `jobs/<list>/targets/` and its numbered pages.
pub(super) fn target_list(
    ctx: &Ctx<'_>,
    m: &Model<'_>,
    c: &mut Context,
    page: &Page,
    l: JobList,
    n: u32,
) -> Result<(), PageError> {
    let frame = Frame {
        list: ListMeta {
            title: l.targets_title(),
            ..ListMeta::of(l)
        },
        base: urls::job_targets_path(l.slug()),
        title: l.targets_title().to_string(),
        back: Some(l),
    };
    let slice = frame.insert(c, page, ids_in(&ctx.catalog.detail_ids, &l), n);
    c.insert("table", &m.target_rows(l, slice)?);
    Ok(())
}

/// The ids of `key`'s items in one of the catalog's id maps (none when absent).
fn ids_in<'a, K: Ord>(map: &'a BTreeMap<K, Vec<i64>>, key: &K) -> &'a [i64] {
    map.get(key).map(|v| v.as_slice()).unwrap_or(&[])
}

/// What a page of a fixed-chunk job list shows around its table.
struct Frame {
    list: ListMeta,
    /// The path of the list's first page (the base of its numbered pages).
    base: String,
    title: String,
    /// The job list to link back to (for a list derived from it).
    back: Option<JobList>,
}

impl Frame {
    /// Inserts the list, the way back, the pager and the title of page `n` of the
    /// list of `ids`, and returns the ids that page shows.
    fn insert<'a>(self, c: &mut Context, page: &Page, ids: &'a [i64], n: u32) -> &'a [i64] {
        let slice = plan::window(ids, n);
        c.insert("list", &self.list);
        if let Some(l) = self.back {
            c.insert("back", &Link::int(urls::job_list_path(l.slug()), l.title()));
        }
        paging(c, &self.base, ids.len(), n, slice);
        c.insert("title", &titled(&self.title, page));
        slice
    }
}

/// Paging of a fixed-chunk list: `n` = 0 for the index.
pub(super) fn paging(c: &mut Context, base: &str, total: usize, n: u32, slice: &[i64]) {
    let count = plan::chunks(total);
    let items = pager_items(base, count, n);
    let (from, to) = match (slice.first(), slice.last()) {
        (Some(a), Some(b)) => (*a, *b),
        _ => (0, 0),
    };
    c.insert("pager", &items);
    c.insert("total", &total);
    c.insert("page_no", &n);
    c.insert("pages", &count);
    c.insert("shown", &slice.len());
    c.insert("id_from", &from);
    c.insert("id_to", &to);
    let newer = if n == 0 || n >= count {
        None
    } else {
        Some(format!("{base}page/{}/", n + 1))
    };
    let older_no = plan::older_page(total, n);
    c.insert("newer", &newer);
    c.insert("older", &older_no.map(|o| format!("{base}page/{o}/")));
    // the index shows the newest items; the numbered pages are fixed chunks from
    // the oldest, so the newest numbered page repeats some (or all) of them
    c.insert(
        "overlap",
        &(n == 0 && count > 0 && total > slice.len()).then_some((count, older_no)),
    );
}

/// Filter settings of a list page: which index, and the per-status pages.
#[derive(Serialize)]
struct FilterCfg {
    index: &'static str,
    meta: String,
    statuses: Vec<StatusLink>,
}

#[derive(Serialize)]
struct StatusLink {
    class: &'static str,
    count: usize,
    href: String,
    current: bool,
}

/// Inserts `filter` (the filter script's settings and, with `counts`, the links to
/// the per-status pages with their counts) into the context of a list page. Only
/// pages that read the whole list may show counts: a numbered page reads its own
/// range only (see `Page::inputs`).
pub(super) fn list_filter(
    ctx: &Ctx<'_>,
    c: &mut Context,
    i: IndexList,
    current: Option<StatusClass>,
    counts: bool,
) {
    let statuses = match i {
        IndexList::Jobs(l) if counts => plan::STATUS_CLASSES
            .iter()
            .filter_map(|class| {
                let n = ctx.catalog.status_ids.get(&(l, *class))?.len();
                Some(StatusLink {
                    class: class.as_str(),
                    count: n,
                    href: urls::job_status_path(l.slug(), class.as_str()),
                    current: current == Some(*class),
                })
            })
            .collect(),
        _ => Vec::new(),
    };
    c.insert(
        "filter",
        &FilterCfg {
            index: i.slug(),
            meta: format!("idx/{}/meta.js", i.slug()),
            statuses,
        },
    );
}

/// A job list restricted to one status class (`jobs/<list>/status/<class>/`).
pub(super) fn status_list(
    ctx: &Ctx<'_>,
    m: &Model<'_>,
    c: &mut Context,
    page: &Page,
    l: JobList,
    class: StatusClass,
    n: u32,
) -> Result<(), PageError> {
    let ids = ctx
        .catalog
        .status_ids
        .get(&(l, class))
        .map(|v| v.as_slice())
        .unwrap_or(&[]);
    let frame = Frame {
        list: ListMeta::of(l),
        base: urls::job_status_path(l.slug(), class.as_str()),
        title: format!("{}: {}", l.title(), class.as_str()),
        back: Some(l),
    };
    let slice = frame.insert(c, page, ids, n);
    let mut table = m.list_rows(l, &[])?;
    // ids of one class are sparse: read them in runs of neighbours
    let mut rows = Vec::with_capacity(slice.len());
    for part in slice.chunk_by(|a, b| b - a < 64) {
        rows.push(m.list_rows(l, part)?.rows);
    }
    table.rows = rows.into_iter().rev().flatten().collect();
    crate::model::newest_first(&mut table.rows);
    c.insert("status_class", class.as_str());
    c.insert("table", &table);
    // the counts of every class only on the first page of each, so a status change
    // rewrites those and the pages holding the job, not every page of the list
    list_filter(ctx, c, IndexList::Jobs(l), Some(class), n == 0);
    Ok(())
}
