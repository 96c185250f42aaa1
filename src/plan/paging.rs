//! List paging: fixed chunks of [`PER_PAGE`] items numbered from the oldest, the
//! filter index shards, and the pager links a list page shows (numbered pages in a
//! window around the current one).

use crate::api::types::StatusClass;
use crate::model::{Catalog, JobList, PER_PAGE};
use serde::Serialize;

/// The status classes in display order (their index is the status code of the
/// filter indexes).
pub const STATUS_CLASSES: [StatusClass; 8] = [
    StatusClass::Success,
    StatusClass::Failure,
    StatusClass::Error,
    StatusClass::Pending,
    StatusClass::Running,
    StatusClass::Skipped,
    StatusClass::Canceled,
    StatusClass::Unknown,
];

/// Items per filter index shard.
pub const SHARD: usize = 250;

/// The lists the filter script can search.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IndexList {
    /// A job list.
    Jobs(JobList),
    /// The pipelines.
    Pipelines,
    /// The projects.
    Projects,
}

impl IndexList {
    /// Name of the index (`copr`, `pipelines`, `projects`).
    pub fn slug(self) -> &'static str {
        match self {
            IndexList::Jobs(l) => l.slug(),
            IndexList::Pipelines => "pipelines",
            IndexList::Projects => "projects",
        }
    }

    /// Every index of a site.
    pub fn all() -> Vec<IndexList> {
        let mut v: Vec<IndexList> = JobList::ALL.iter().map(|l| IndexList::Jobs(*l)).collect();
        v.push(IndexList::Pipelines);
        v.push(IndexList::Projects);
        v
    }

    /// The ids of the list, ascending (project indexes have one shard).
    pub fn ids(self, catalog: &Catalog) -> &[i64] {
        match self {
            IndexList::Jobs(l) => catalog
                .list_ids
                .get(&l)
                .map(|v| v.as_slice())
                .unwrap_or(&[]),
            IndexList::Pipelines => &catalog.pipelines,
            IndexList::Projects => &[],
        }
    }

    /// Number of shards.
    pub fn shards(self, catalog: &Catalog) -> u32 {
        match self {
            IndexList::Projects => 1,
            l => l.ids(catalog).len().div_ceil(SHARD) as u32,
        }
    }

    /// The ids of shard `n` (1-based).
    pub fn shard(self, catalog: &Catalog, n: u32) -> &[i64] {
        let ids = self.ids(catalog);
        let start = ((n.max(1) - 1) as usize * SHARD).min(ids.len());
        &ids[start..(start + SHARD).min(ids.len())]
    }
}

pub(super) fn paged(base: &str, n: u32) -> String {
    if n <= 1 {
        base.to_string()
    } else {
        format!("{base}page/{n}/")
    }
}

pub(super) fn chunked(base: &str, n: u32) -> String {
    if n == 0 {
        base.to_string()
    } else {
        format!("{base}page/{n}/")
    }
}

/// The `n`-th (1-based) fixed chunk of ascending ids.
pub fn chunk(ids: Option<&[i64]>, n: u32) -> Option<&[i64]> {
    let ids = ids?;
    let start = (n as usize).checked_sub(1)? * PER_PAGE;
    if start >= ids.len() {
        return None;
    }
    Some(&ids[start..(start + PER_PAGE).min(ids.len())])
}

/// The newest [`PER_PAGE`] ids of an ascending list.
pub fn newest(ids: &[i64]) -> &[i64] {
    &ids[ids.len().saturating_sub(PER_PAGE)..]
}

/// The ids page `n` of a fixed-chunk list shows: the newest for the index (`n` = 0),
/// else chunk `n` (empty past the end).
pub fn window(ids: &[i64], n: u32) -> &[i64] {
    if n == 0 {
        newest(ids)
    } else {
        chunk(Some(ids), n).unwrap_or(&[])
    }
}

/// The numbered page an "older" link of page `n` (0: the index) of a list of
/// `total` items leads to: the page before `n`, or, from the index, the page
/// holding the item just older than the newest [`PER_PAGE`] it shows.
pub fn older_page(total: usize, n: u32) -> Option<u32> {
    match n {
        0 => total
            .checked_sub(PER_PAGE + 1)
            .map(|pos| (pos / PER_PAGE) as u32 + 1),
        1 => None,
        n => Some(n - 1),
    }
}

/// Number of fixed chunks for `n` items.
pub fn chunks(n: usize) -> u32 {
    n.div_ceil(PER_PAGE) as u32
}

/// Number of pages for `n` items (at least 1).
pub fn pages(n: usize) -> u32 {
    chunks(n).max(1)
}

/// One pager entry.
#[derive(Clone, Debug, Serialize)]
pub struct PagerItem {
    /// Link text.
    pub text: String,
    /// Target (none for a gap).
    pub href: Option<String>,
    /// Whether this is the page shown.
    pub current: bool,
}

/// The numbered links of a list of `count` pages seen from page `n` (0: the index).
pub fn pager_items(base: &str, count: u32, n: u32) -> Vec<PagerItem> {
    let mut items = Vec::new();
    if n != 0 {
        items.push(PagerItem {
            text: "Newest".into(),
            href: Some(base.to_string()),
            current: false,
        });
    }
    // the first and last two pages and two either side of the current one (of the
    // newest for the index), with gaps: a link to every page would make a list of N
    // pages cost N² links
    let mut shown: std::collections::BTreeSet<u32> = std::collections::BTreeSet::new();
    if count <= 10 {
        shown.extend(1..=count);
    } else {
        let centre = if n == 0 { count } else { n };
        shown.extend([1, 2, count - 1, count]);
        shown.extend(centre.saturating_sub(2).max(1)..=(centre + 2).min(count));
    }
    let mut prev: Option<u32> = None;
    for &i in shown.iter().rev() {
        if prev.is_some_and(|p| p > i + 1) {
            items.push(PagerItem {
                text: "…".into(),
                href: None,
                current: false,
            });
        }
        items.push(PagerItem {
            text: i.to_string(),
            href: Some(format!("{base}page/{i}/")),
            current: i == n,
        });
        prev = Some(i);
    }
    items
}

/// The links of a list with a link to every page (none for one page; page 1 is
/// the base).
pub fn simple_pager(base: &str, total: usize, n: u32) -> Vec<PagerItem> {
    let pages = pages(total);
    if pages <= 1 {
        return Vec::new();
    }
    (1..=pages)
        .map(|i| PagerItem {
            text: i.to_string(),
            href: Some(if i == 1 {
                base.to_string()
            } else {
                format!("{base}page/{i}/")
            }),
            current: i == n,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pager_texts(total: usize, n: u32) -> Vec<String> {
        pager_items("jobs/copr/", chunks(total), n)
            .into_iter()
            .map(|p| p.text)
            .collect()
    }

    #[test]
    fn long_lists_get_a_windowed_pager() {
        // 100 pages: the ends, two either side of the current page, gaps between
        let per = PER_PAGE;
        assert_eq!(
            pager_texts(100 * per, 50),
            [
                "Newest", "100", "99", "…", "52", "51", "50", "49", "48", "…", "2", "1"
            ]
        );
        // the index shows the newest pages
        assert_eq!(
            pager_texts(100 * per, 0),
            ["100", "99", "98", "…", "2", "1"]
        );
        // short lists keep every page
        assert_eq!(pager_texts(3 * per, 0), ["3", "2", "1"]);
    }

    #[test]
    fn the_index_leads_to_the_page_after_its_items() {
        let per = PER_PAGE;
        // one page: nothing older
        assert_eq!(older_page(per, 0), None);
        assert_eq!(older_page(per / 2, 0), None);
        // one item more: page 1 holds it
        assert_eq!(older_page(per + 1, 0), Some(1));
        // 2.5 pages: the index shows items 1.5P..2.5P, the next older one is on page 2
        assert_eq!(older_page(2 * per + per / 2, 0), Some(2));
        // 3 pages exactly: the index is page 3, page 2 comes next
        assert_eq!(older_page(3 * per, 0), Some(2));
        // numbered pages step back one at a time, page 1 is the oldest
        assert_eq!(older_page(3 * per, 3), Some(2));
        assert_eq!(older_page(3 * per, 1), None);
        // the item just before the index's oldest is on the page it names
        for total in per + 1..4 * per {
            let o = older_page(total, 0).unwrap() as usize;
            let pos = total - per - 1;
            assert!(((o - 1) * per..o * per).contains(&pos), "{total}");
        }
    }
}
