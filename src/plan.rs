//! The plan: which pages the site has, where each is written, how lists are paged,
//! and what every page depends on.
//!
//! Lists are paged in fixed chunks of [`PER_PAGE`](crate::model::PER_PAGE) items numbered from the OLDEST
//! item (page 1 = the 50 smallest ids), so a new job only changes the last numbered
//! page and the list's index (which shows the newest 50 and a pager). Each [`Page`]
//! can say which inputs it reads ([`Page::inputs`]) and [`Plan::pages_for_entity`]
//! answers the reverse question, which is what incremental rebuilds build on.
//!
//! Incremental rebuilds use two things from here. [`Page::shape`] hashes the
//! catalog data a page shows besides entity contents (its slice of a list, the
//! list's length, a project's trigger names…): a page whose shape hash differs from
//! the one the last build recorded must be rendered again. [`affected_by`] maps a
//! change set (entities added or changed since the last build) to the pages that
//! show those entities: their own pages, the list pages holding them, the merged
//! pipelines they belong to and every page listing those pipelines, the other jobs
//! of those pipelines (whose pages show the changed job as a related chip), and
//! the site-wide aggregates.

mod affected;
mod api;
mod groups;
mod page;
mod paging;
mod shape;

pub use self::affected::affected_by;
pub use self::api::api_path;
pub use self::groups::Group;
pub use self::page::{Alias, Badge, Feed, Input, Page};
pub use self::paging::{
    IndexList, PagerItem, SHARD, STATUS_CLASSES, chunk, chunks, newest, older_page, pager_items,
    pages, simple_pager, window,
};
pub use self::shape::{ShapeIndex, structure_digest};

use crate::api::Kind;
use crate::model::{Catalog, JobList, Section};
use groups::detail_pages;

/// Top-level names the site uses itself (content pages may not take them).
pub const RESERVED_TOP: [&str; 11] = [
    "api",
    "idx",
    "feeds",
    "jobs",
    "pipeline",
    "pipelines",
    "projects",
    "usage",
    "static",
    "results",
    "page",
];

/// Every page of a site.
#[derive(Debug, Default)]
pub struct Plan {
    /// Pages in build order (assets and content first, aggregates, then details).
    pub pages: Vec<Page>,
}

impl Plan {
    /// Decides the pages for a catalog, the names of the content pages and the
    /// theme's static assets.
    pub fn build(catalog: &Catalog, content: &[String], assets: &[String]) -> Plan {
        let mut p: Vec<Page> = Vec::new();
        p.push(Page::NoJekyll);
        p.push(Page::Robots);
        p.push(Page::NotFound);
        p.extend(assets.iter().map(|a| Page::Asset(a.as_str().into())));
        p.push(Page::Home);
        p.push(Page::Usage);
        for c in content {
            if !RESERVED_TOP.contains(&c.as_str()) {
                p.push(Page::Content(c.as_str().into()));
            }
        }
        p.push(Page::JobsIndex);
        for l in JobList::ALL {
            p.extend(Group::List(l).pages(catalog));
        }
        p.extend(Group::Pipelines.pages(catalog));
        p.extend(Group::ProjectIndex.pages(catalog));
        for key in catalog.projects.keys() {
            p.extend(Group::Project(key.as_str().into()).pages(catalog));
        }
        // pipelines and job details, with the legacy aliases of every detail id
        p.extend(catalog.pipelines.iter().map(|id| Page::Pipeline(*id)));
        for l in JobList::ALL {
            let Some(ids) = catalog.detail_ids.get(&l) else {
                continue;
            };
            for id in ids {
                detail_pages(catalog, l, *id, &mut p);
            }
        }
        p.extend(Group::Indexes.pages(catalog));
        // the API mirror: every job, pipeline and project entity
        for l in JobList::ALL {
            let detail = catalog
                .detail_ids
                .get(&l)
                .map(|v| v.as_slice())
                .unwrap_or(&[]);
            p.extend(
                detail
                    .iter()
                    .map(|id| Page::Api(l.detail_kind(), id.to_string().into())),
            );
            if l.has_targets() {
                let list = catalog
                    .list_ids
                    .get(&l)
                    .map(|v| v.as_slice())
                    .unwrap_or(&[]);
                p.extend(
                    list.iter()
                        .map(|id| Page::Api(l.list_kind(), id.to_string().into())),
                );
            }
        }
        p.extend(
            catalog
                .pipelines
                .iter()
                .map(|id| Page::Api(Kind::Pipeline, id.to_string().into())),
        );
        for e in catalog.projects.values() {
            if e.has_entity {
                p.push(Page::Api(Kind::Project, e.key.as_str().into()));
            }
            for (s, name) in &e.listed {
                let (kind, sep) = match s {
                    Section::Prs => (Kind::ProjectPr, '#'),
                    Section::Branches => (Kind::ProjectBranch, ':'),
                    Section::Releases => (Kind::ProjectRelease, '@'),
                    Section::Issues => (Kind::ProjectIssue, '!'),
                };
                p.push(Page::Api(kind, format!("{}{sep}{name}", e.key).into()));
            }
        }
        p.extend(
            catalog
                .snapshots
                .iter()
                .map(|(k, id)| Page::Api(*k, id.as_str().into())),
        );
        let html_pages = p.iter().filter(|x| x.in_sitemap()).count();
        if html_pages > SITEMAP_MAX {
            p.extend((1..=html_pages.div_ceil(SITEMAP_MAX) as u32).map(Page::SitemapPart));
        }
        p.push(Page::Sitemap);
        Plan { pages: p }
    }

    /// Adds, beside every job detail and pipeline page, the JSON of the view it was
    /// rendered from (`index.json`). Optional: it adds one file per detail page.
    pub fn add_view_json(&mut self) {
        let extra: Vec<Page> = self
            .pages
            .iter()
            .filter(|p| matches!(p, Page::JobDetail(..) | Page::Pipeline(_)))
            .map(|p| Page::ViewJson(Box::new(p.clone())))
            .collect();
        let at = self
            .pages
            .iter()
            .position(|p| matches!(p, Page::SitemapPart(_) | Page::Sitemap))
            .unwrap_or(self.pages.len());
        self.pages.splice(at..at, extra);
    }

    /// Pages that read entity `kind`/`id` (whose output may change when it does).
    pub fn pages_for_entity(&self, catalog: &Catalog, kind: Kind, id: &str) -> Vec<&Page> {
        let num: Option<i64> = id.parse().ok();
        self.pages
            .iter()
            .filter(|page| {
                page.inputs(catalog).iter().any(|i| match i {
                    Input::Entity(k, i) => *k == kind && i == id,
                    Input::ListRange(l, lo, hi) => {
                        l.list_kind() == kind && num.is_some_and(|n| n >= *lo && n <= *hi)
                    }
                    Input::AllOf(k) => *k == kind,
                    _ => false,
                })
            })
            .collect()
    }

    /// Pages that read anything about project `key`.
    pub fn pages_for_project(&self, catalog: &Catalog, key: &str) -> Vec<&Page> {
        self.pages
            .iter()
            .filter(|page| {
                page.inputs(catalog)
                    .iter()
                    .any(|i| matches!(i, Input::Project(k) if k == key) || *i == Input::ProjectSet)
            })
            .collect()
    }
}

/// Most URLs in one sitemap file.
pub const SITEMAP_MAX: usize = 50_000;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::StatusClass;

    #[test]
    fn chunks_are_fixed_from_the_oldest() {
        let ids: Vec<i64> = (1..=120).collect();
        assert_eq!(chunk(Some(&ids), 1).unwrap(), &ids[0..50]);
        assert_eq!(chunk(Some(&ids), 3).unwrap(), &ids[100..120]);
        assert_eq!(chunk(Some(&ids), 4), None);
        assert_eq!(chunk(Some(&ids), 0), None);
        assert_eq!(newest(&ids), &ids[70..]);
        // a new item changes only the last chunk
        let mut more = ids.clone();
        more.push(121);
        assert_eq!(chunk(Some(&more), 2), chunk(Some(&ids), 2));
    }

    #[test]
    fn paths_and_inputs() {
        let mut c = Catalog::default();
        c.list_ids.insert(JobList::Copr, (1..=60).collect());
        c.detail_ids.insert(JobList::Copr, vec![5, 7]);
        c.pipelines = vec![1];
        let plan = Plan::build(&c, &["faq".into()], &["site.css".into()]);
        let files: Vec<String> = plan.pages.iter().map(|p| p.file(&c)).collect();
        for f in [
            "index.html",
            "jobs/copr/index.html",
            "jobs/copr/page/2/index.html",
            "jobs/copr/5/index.html",
            "jobs/copr-builds/5/index.html",
            "results/copr-builds/7/index.html",
            "jobs/koji-tag-requests/index.html",
            "pipeline/1/index.html",
            "pipelines/index.html",
            "faq/index.html",
            "static/site.css",
            "404.html",
            "sitemap.xml",
            ".nojekyll",
        ] {
            assert!(files.contains(&f.to_string()), "{f}");
        }
        let hit = plan.pages_for_entity(&c, Kind::CoprBuild, "55");
        assert!(hit.contains(&&Page::JobListPage(JobList::Copr, 2)));
        assert!(!hit.contains(&&Page::JobListPage(JobList::Copr, 1)));
        assert!(hit.contains(&&Page::JobListIndex(JobList::Copr)));
        let hit = plan.pages_for_entity(&c, Kind::Copr, "5");
        assert!(hit.contains(&&Page::JobDetail(JobList::Copr, 5)));
    }

    #[test]
    fn pages_beyond_the_dashboard() {
        let mut c = Catalog::default();
        c.list_ids.insert(JobList::Copr, (1..=60).collect());
        c.detail_ids.insert(JobList::Copr, vec![5, 7]);
        c.status_ids
            .insert((JobList::Copr, StatusClass::Failure), vec![3, 4]);
        c.pipelines = vec![1];
        let mut e = crate::model::ProjectEntry {
            key: "github.com/a/b".into(),
            has_entity: true,
            pipelines: vec![1],
            ..Default::default()
        };
        e.lists.insert(JobList::Copr);
        e.triggers
            .insert((Section::Branches, "main".into()), vec![1]);
        c.projects.insert(e.key.clone(), e);
        let mut plan = Plan::build(&c, &[], &[]);
        plan.add_view_json();
        let files: Vec<String> = plan.pages.iter().map(|p| p.file(&c)).collect();
        for f in [
            "api/copr-builds/5.json",
            "api/list/copr-builds/60.json",
            "api/runs/merged/1.json",
            "api/projects/github.com/a/b.json",
            "jobs/copr/5/index.json",
            "pipeline/1/index.json",
            "jobs/copr/status/failure/index.html",
            "jobs/copr/status/failure/page/1/index.html",
            "idx/copr/meta.js",
            "idx/copr/1.js",
            "idx/pipelines/1.js",
            "idx/projects/1.js",
            "feeds/failures.xml",
            "projects/github.com/a/b/feed.xml",
            "projects/github.com/a/b/failures.xml",
            "projects/github.com/a/b/badge.svg",
            "projects/github.com/a/b/badge/copr.svg",
            "projects/github.com/a/b/branches/main/badge.svg",
        ] {
            assert!(files.contains(&f.to_string()), "{f}");
        }
        assert!(!files.iter().any(|f| f.contains("status/success")));
        // what a change of Copr build 55 touches
        let hit = plan.pages_for_entity(&c, Kind::CoprBuild, "55");
        for p in [
            Page::IndexShard(IndexList::Jobs(JobList::Copr), 1),
            Page::IndexMeta(IndexList::Jobs(JobList::Copr)),
            Page::StatusList(JobList::Copr, StatusClass::Failure, 0),
            Page::Api(Kind::CoprBuild, "55".into()),
        ] {
            assert!(hit.contains(&&p), "{p:?}");
        }
        assert!(!hit.contains(&&Page::Api(Kind::CoprBuild, "54".into())));
        let hit = plan.pages_for_entity(&c, Kind::Copr, "5");
        assert!(hit.contains(&&Page::ViewJson(Box::new(Page::JobDetail(
            JobList::Copr,
            5
        )))));
        assert!(hit.contains(&&Page::Feed(Feed::Failures)));
        let hit = plan.pages_for_project(&c, "github.com/a/b");
        assert!(hit.contains(&&Page::Badge("github.com/a/b".into(), Badge::Project)));
        assert!(hit.contains(&&Page::Feed(Feed::Project("github.com/a/b".into()))));
        assert!(hit.contains(&&Page::IndexShard(IndexList::Projects, 1)));
    }
}
