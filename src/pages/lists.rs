//! Job list pages: a list's index and numbered pages, its targets list, its
//! per-status lists, and the filter settings and pager every list page shows.

use super::PageError;
use super::{Ctx, titled};
use crate::api::types::StatusClass;
use crate::model::{JobList, Link, Model};
use crate::plan::{self, IndexList, Page, pager_items};
use serde::Serialize;
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
    let ids = ctx
        .catalog
        .list_ids
        .get(&l)
        .map(|v| v.as_slice())
        .unwrap_or(&[]);
    let n = match page {
        Page::JobListPage(_, n) => *n,
        _ => 0,
    };
    let slice = plan::window(ids, n);
    c.insert("list", &ListMeta::of(l));
    let mut table = m.list_rows(l, slice)?;
    crate::model::newest_first(&mut table.rows);
    c.insert("table", &table);
    list_filter(ctx, c, IndexList::Jobs(l), None, n == 0);
    if l.has_targets() {
        c.insert(
            "targets",
            &Link::int(format!("jobs/{}/targets/", l.slug()), l.targets_title()),
        );
        c.insert(
            "target_count",
            &ctx.catalog.detail_ids.get(&l).map(|v| v.len()).unwrap_or(0),
        );
    }
    paging(c, &format!("jobs/{}/", l.slug()), ids.len(), n, slice);
    c.insert("title", &titled(l.title(), page));
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
    let ids = ctx
        .catalog
        .detail_ids
        .get(&l)
        .map(|v| v.as_slice())
        .unwrap_or(&[]);
    let slice = plan::window(ids, n);
    c.insert(
        "list",
        &ListMeta {
            slug: l.slug(),
            title: l.targets_title(),
            singular: l.singular(),
        },
    );
    c.insert("back", &Link::int(format!("jobs/{}/", l.slug()), l.title()));
    c.insert("table", &m.target_rows(l, slice)?);
    paging(
        c,
        &format!("jobs/{}/targets/", l.slug()),
        ids.len(),
        n,
        slice,
    );
    c.insert("title", &titled(l.targets_title(), page));
    Ok(())
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
                    href: format!("jobs/{}/status/{}/", l.slug(), class.as_str()),
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
    let slice = plan::window(ids, n);
    let mut table = m.list_rows(l, &[])?;
    // ids of one class are sparse: read them in runs of neighbours
    let mut rows = Vec::with_capacity(slice.len());
    for part in slice.chunk_by(|a, b| b - a < 64) {
        rows.push(m.list_rows(l, part)?.rows);
    }
    table.rows = rows.into_iter().rev().flatten().collect();
    crate::model::newest_first(&mut table.rows);
    c.insert("list", &ListMeta::of(l));
    c.insert("status_class", class.as_str());
    c.insert("back", &Link::int(format!("jobs/{}/", l.slug()), l.title()));
    c.insert("table", &table);
    paging(
        c,
        &format!("jobs/{}/status/{}/", l.slug(), class.as_str()),
        ids.len(),
        n,
        slice,
    );
    c.insert(
        "title",
        &titled(&format!("{}: {}", l.title(), class.as_str()), page),
    );
    // the counts of every class only on the first page of each, so a status change
    // rewrites those and the pages holding the job, not every page of the list
    list_filter(ctx, c, IndexList::Jobs(l), Some(class), n == 0);
    Ok(())
}
