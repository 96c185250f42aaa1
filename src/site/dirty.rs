//! The one decision of which pages a build or live update renders and removes,
//! shared by [`super::build`] and [`super::Session::update`]. Pure: the callers
//! hand over what they found out (the pages the change set affects, the pages that
//! came or went, the pages whose shapes to compare) and how to look up what the
//! last build recorded.

use crate::model::Catalog;
use crate::plan::{Page, ShapeIndex};
use std::collections::HashSet;

/// What an update knows before deciding.
pub(super) struct Facts<'a> {
    /// The catalog as it is now.
    pub catalog: &'a Catalog,
    /// Its shape index.
    pub idx: &'a ShapeIndex<'a>,
    /// Pages to render whatever their shapes: those the change set affects
    /// ([`crate::plan::affected_by`]) and those whose template, asset or content
    /// changed.
    pub marked: HashSet<Page>,
    /// Whether the archive's last sync time changed (the home page shows it).
    pub sync_changed: bool,
    /// Pages whose shape is compared with the recorded one: rendered when it
    /// differs or none is recorded.
    pub compare: Vec<&'a Page>,
    /// Pages that came (rendered whatever else holds).
    pub added: HashSet<Page>,
    /// Pages that went (removed, never rendered).
    pub removed: HashSet<Page>,
    /// Pages the last build could not render or write (it left them out of its
    /// manifest): rendered again whatever else holds, unless they went.
    pub retry: HashSet<Page>,
    /// Whether job and pipeline pages have their view JSON beside them.
    pub page_json: bool,
}

/// What to do.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Dirty {
    /// Pages to render, in write order ([`Page::write_rank`], then file order).
    pub render: Vec<Page>,
    /// Pages to remove.
    pub remove: HashSet<Page>,
}

/// Decides the pages to render and remove. `recorded`: the shape the last build
/// recorded for a page (`None`: not recorded); `kept`: whether a page is part of
/// the site being updated (besides the added ones).
pub(super) fn decide(
    facts: Facts<'_>,
    mut recorded: impl FnMut(&Page) -> Option<u64>,
    kept: impl Fn(&Page) -> bool,
) -> Dirty {
    let Facts {
        catalog,
        idx,
        mut marked,
        sync_changed,
        compare,
        mut added,
        mut removed,
        retry,
        page_json,
    } = facts;
    let mut dirty = std::mem::take(&mut marked);
    if sync_changed {
        dirty.insert(Page::Home);
    }
    for p in compare {
        if dirty.contains(p) {
            continue;
        }
        let shape = p.shape(catalog, idx);
        if recorded(p).is_none_or(|s| s != shape) {
            dirty.insert(p.clone());
        }
    }
    if page_json {
        let views = |set: &HashSet<Page>| -> Vec<Page> {
            set.iter()
                .filter(|p| matches!(p, Page::JobDetail(..) | Page::Pipeline(_)))
                .map(|p| Page::ViewJson(Box::new(p.clone())))
                .collect()
        };
        let (d, a, r) = (views(&dirty), views(&added), views(&removed));
        dirty.extend(d);
        added.extend(a);
        removed.extend(r);
    }
    dirty.retain(|p| !removed.contains(p) && (added.contains(p) || kept(p)));
    dirty.extend(added);
    dirty.extend(retry.into_iter().filter(|p| !removed.contains(p)));
    let mut render: Vec<Page> = dirty.into_iter().collect();
    render.sort_by_cached_key(|p| (p.write_rank(), p.file(catalog)));
    Dirty {
        render,
        remove: removed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::JobList;
    use std::collections::HashMap;

    fn catalog() -> Catalog {
        let mut c = Catalog::default();
        c.list_ids.insert(JobList::Copr, (1..=60).collect());
        c.detail_ids.insert(JobList::Copr, vec![5, 7]);
        c.pipelines = vec![1];
        c
    }

    fn facts<'a>(c: &'a Catalog, idx: &'a ShapeIndex<'a>) -> Facts<'a> {
        Facts {
            catalog: c,
            idx,
            marked: HashSet::new(),
            sync_changed: false,
            compare: Vec::new(),
            added: HashSet::new(),
            removed: HashSet::new(),
            retry: HashSet::new(),
            page_json: false,
        }
    }

    #[test]
    fn marked_pages_of_the_site_and_the_home_page_on_a_new_sync() {
        let c = catalog();
        let idx = ShapeIndex::new(&c);
        let mut f = facts(&c, &idx);
        f.marked = [Page::JobDetail(JobList::Copr, 5), Page::Pipeline(9)].into();
        f.sync_changed = true;
        let d = decide(f, |_| None, |p| *p != Page::Pipeline(9));
        assert_eq!(
            d.render,
            vec![Page::JobDetail(JobList::Copr, 5), Page::Home]
        );
        assert!(d.render.contains(&Page::Home));
        assert!(!d.render.contains(&Page::Pipeline(9)));
    }

    #[test]
    fn shapes_that_differ_or_are_unknown_are_rendered() {
        let c = catalog();
        let idx = ShapeIndex::new(&c);
        let same = Page::JobListPage(JobList::Copr, 1);
        let moved = Page::JobListPage(JobList::Copr, 2);
        let unknown = Page::JobListIndex(JobList::Copr);
        let shapes: HashMap<Page, u64> = [
            (same.clone(), same.shape(&c, &idx)),
            (moved.clone(), moved.shape(&c, &idx) ^ 1),
        ]
        .into();
        let mut f = facts(&c, &idx);
        f.compare = vec![&same, &moved, &unknown];
        let d = decide(f, |p| shapes.get(p).copied(), |_| true);
        assert_eq!(d.render, vec![moved.clone(), unknown.clone()]);
    }

    #[test]
    fn pages_that_failed_last_time_are_rendered_again_unless_they_went() {
        let c = catalog();
        let idx = ShapeIndex::new(&c);
        let failed = Page::JobDetail(JobList::Copr, 5);
        let gone = Page::Pipeline(1);
        let mut f = facts(&c, &idx);
        f.retry = [failed.clone(), gone.clone()].into();
        f.removed = [gone].into();
        // not in the last manifest (`kept` says no), yet rendered
        let d = decide(f, |_| None, |_| false);
        assert_eq!(d.render, vec![failed]);
    }

    #[test]
    fn pages_are_rendered_before_the_pages_linking_to_them() {
        let c = catalog();
        let idx = ShapeIndex::new(&c);
        let mut f = facts(&c, &idx);
        f.marked = [
            Page::Home,
            Page::JobListIndex(JobList::Copr),
            Page::JobListPage(JobList::Copr, 1),
            Page::Pipeline(1),
            Page::JobDetail(JobList::Copr, 5),
            Page::Sitemap,
        ]
        .into();
        let d = decide(f, |_| None, |_| true);
        assert_eq!(
            d.render,
            vec![
                Page::JobDetail(JobList::Copr, 5),
                Page::Pipeline(1),
                Page::JobListPage(JobList::Copr, 1),
                Page::JobListIndex(JobList::Copr),
                Page::Home,
                Page::Sitemap,
            ]
        );
    }

    #[test]
    fn added_and_removed_pages_and_their_view_json() {
        let c = catalog();
        let idx = ShapeIndex::new(&c);
        let new = Page::JobDetail(JobList::Copr, 7);
        let gone = Page::Pipeline(2);
        let mut f = facts(&c, &idx);
        f.marked = [gone.clone()].into();
        f.added = [new.clone()].into();
        f.removed = [gone.clone()].into();
        f.page_json = true;
        let d = decide(f, |_| None, |_| false);
        assert_eq!(d.render, vec![new.clone(), Page::ViewJson(Box::new(new))]);
        assert!(d.remove.contains(&Page::ViewJson(Box::new(gone.clone()))));
        assert!(d.remove.contains(&gone));
    }
}
