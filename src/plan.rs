//! The plan: which pages the site has, where each is written, how lists are paged,
//! and what every page depends on.
//!
//! Lists are paged in fixed chunks of [`PER_PAGE`] items numbered from the OLDEST
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

use crate::api::Kind;
use crate::api::types::StatusClass;
use crate::archive::{Archive, ArchiveError};
use crate::model::{
    Catalog, JobList, PER_PAGE, Section, detail_path, encode_segment, forge_path, namespace_path,
    pipeline_path, project_path, trigger_path,
};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use xxhash_rust::xxh3::Xxh3;

/// One page (or generated file) of the site.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Page {
    /// `index.html`.
    Home,
    /// `jobs/`: the job types.
    JobsIndex,
    /// `jobs/<list>/`: newest items plus the pager.
    JobListIndex(JobList),
    /// `jobs/<list>/page/<n>/`: fixed chunk `n` (1 = oldest).
    JobListPage(JobList, u32),
    /// `jobs/<list>/<id>/`.
    JobDetail(JobList, i64),
    /// `jobs/<list>/<id>/logs/<name>/`: an archived log, one anchor per line.
    Log(JobList, i64, Arc<str>),
    /// `jobs/<list>/<id>/logs/<name>.txt`: the archived log as plain text.
    LogRaw(JobList, i64, Arc<str>),
    /// `jobs/<list>/targets/` (0 = newest) and `…/targets/page/<n>/`: every detail
    /// target of lists whose items group several targets (Copr chroots, sync-release
    /// branches), so targets no list item names still have an index.
    TargetList(JobList, u32),
    /// `pipeline/`.
    PipelineIndex,
    /// `pipeline/page/<n>/`.
    PipelinePage(u32),
    /// `pipeline/<id>/`.
    Pipeline(i64),
    /// `projects/` (page 1) and `projects/page/<n>/`.
    Projects(u32),
    /// `projects/<forge>/` and its pages.
    Forge(Arc<str>, u32),
    /// `projects/<forge>/<ns…>/` and its pages.
    Namespace(Arc<str>, Arc<str>, u32),
    /// `projects/<forge>/<ns…>/<repo>/`.
    Project(Arc<str>),
    /// `…/<repo>/<section>/` and its pages.
    ProjectSection(Arc<str>, Section, u32),
    /// `…/<repo>/history/` (0 = index) and `…/history/page/<n>/`.
    ProjectHistory(Arc<str>, u32),
    /// `…/<repo>/<section>/<name>/` (0 = index) and numbered pages.
    Trigger(Arc<str>, Section, Arc<str>, u32),
    /// `usage/`.
    Usage,
    /// A markdown content page (`faq/`, `about/`).
    Content(Arc<str>),
    /// `404.html`.
    NotFound,
    /// `sitemap.xml` (or the sitemap index).
    Sitemap,
    /// `sitemap-<n>.xml` when the site has more than 50,000 pages.
    SitemapPart(u32),
    /// `robots.txt`.
    Robots,
    /// `.nojekyll`.
    NoJekyll,
    /// `static/<name>` theme asset.
    Asset(Arc<str>),
    /// A legacy URL redirecting to another page.
    Redirect(Arc<str>, Box<Page>),
    /// A legacy alias of a job detail page (compact: one per detail id and alias).
    Alias(Alias, JobList, i64),
    /// `api/…/<id>.json`: the archive's raw JSON of one entity, at the path of the
    /// Packit API endpoint that returns it (see [`api_path`]).
    Api(Kind, Arc<str>),
    /// `<page>index.json`: the view a job or pipeline page was rendered from
    /// (only with [`Plan::add_view_json`]).
    ViewJson(Box<Page>),
    /// An Atom feed.
    Feed(Feed),
    /// An SVG status badge of a project.
    Badge(Arc<str>, Badge),
    /// `jobs/<list>/status/<class>/` (0 = newest) and `…/page/<n>/`: the jobs of a
    /// list with one status class, the no-JavaScript form of the status filter.
    StatusList(JobList, StatusClass, u32),
    /// `idx/<list>/meta.js`: what the filter script needs to know of an index
    /// (shard count, total).
    IndexMeta(IndexList),
    /// `idx/<list>/<n>.js`: shard `n` (fixed chunks of [`SHARD`] items from the
    /// oldest) of the compact filter index of a list.
    IndexShard(IndexList, u32),
}

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

/// The Atom feeds of the site.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Feed {
    /// `…/<repo>/feed.xml`: every job of a project, newest first.
    Project(Arc<str>),
    /// `…/<repo>/failures.xml`: failed and errored jobs of a project.
    ProjectFailures(Arc<str>),
    /// `feeds/failures.xml`: failed and errored jobs of every project.
    Failures,
}

/// The status badges of a project (latest status, shields-like SVG).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Badge {
    /// `…/<repo>/badge.svg`: the project's latest pipeline.
    Project,
    /// `…/<repo>/badge/<list>.svg`: the project's latest job of one type.
    List(JobList),
    /// `…/<repo>/branches/<name>/badge.svg`: the latest pipeline of a branch.
    Branch(Arc<str>),
}

/// The legacy URLs that keep old links to a job detail page alive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Alias {
    /// `jobs/<old plural name>/<id>/`.
    Jobs,
    /// `results/<old plural name>/<id>/` (2021-era check-run links).
    Results,
    /// The other Koji route (`jobs/koji/<id>/` ↔ `jobs/koji-downstream/<id>/`).
    OtherKoji,
}

impl Alias {
    /// Path of the alias of detail page `list`/`id`.
    pub fn path(self, list: JobList, id: i64) -> String {
        match self {
            Alias::Jobs => format!("jobs/{}/{id}/", list.legacy_slug().unwrap_or(list.slug())),
            Alias::Results => format!(
                "results/{}/{id}/",
                list.legacy_slug().unwrap_or(list.slug())
            ),
            Alias::OtherKoji => {
                let other = if list == JobList::Koji {
                    JobList::KojiDownstream
                } else {
                    JobList::Koji
                };
                format!("jobs/{}/{id}/", other.detail_slug())
            }
        }
    }
}

/// What a page reads.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Input {
    /// One entity.
    Entity(Kind, String),
    /// The list items of a job list with ids in a range (inclusive).
    ListRange(JobList, i64, i64),
    /// Every item of a kind (counts, newest items).
    AllOf(Kind),
    /// Everything about one project (its entity, pipelines, triggers).
    Project(String),
    /// The set of projects.
    ProjectSet,
    /// Archive metadata (last sync, source API).
    Meta,
    /// A content file.
    Content(String),
    /// A template of the theme.
    Template(&'static str),
}

fn paged(base: &str, n: u32) -> String {
    if n <= 1 {
        base.to_string()
    } else {
        format!("{base}page/{n}/")
    }
}

fn chunked(base: &str, n: u32) -> String {
    if n == 0 {
        base.to_string()
    } else {
        format!("{base}page/{n}/")
    }
}

impl Page {
    /// Site-relative path: a directory ending in `/` (written as `index.html`
    /// inside it) or a file name.
    pub fn path(&self, catalog: &Catalog) -> String {
        match self {
            Page::Home => String::new(),
            Page::JobsIndex => "jobs/".into(),
            Page::JobListIndex(l) => format!("jobs/{}/", l.slug()),
            Page::JobListPage(l, n) => format!("jobs/{}/page/{n}/", l.slug()),
            Page::JobDetail(l, id) => detail_path(*l, *id),
            Page::Log(l, id, name) => format!("{}logs/{name}/", detail_path(*l, *id)),
            Page::LogRaw(l, id, name) => format!("{}logs/{name}.txt", detail_path(*l, *id)),
            Page::TargetList(l, n) => chunked(&format!("jobs/{}/targets/", l.slug()), *n),
            Page::PipelineIndex => "pipeline/".into(),
            Page::PipelinePage(n) => format!("pipeline/page/{n}/"),
            Page::Pipeline(id) => pipeline_path(*id),
            Page::Projects(n) => paged("projects/", *n),
            Page::Forge(f, n) => paged(&forge_path(f), *n),
            Page::Namespace(f, ns, n) => paged(&namespace_path(f, ns, catalog), *n),
            Page::Project(k) => project_path(k),
            Page::ProjectSection(k, s, n) => {
                paged(&format!("{}{}/", project_path(k), s.slug()), *n)
            }
            Page::ProjectHistory(k, n) => chunked(&format!("{}history/", project_path(k)), *n),
            Page::Trigger(k, s, name, n) => chunked(&trigger_path(k, *s, name), *n),
            Page::Usage => "usage/".into(),
            Page::Content(name) => format!("{}/", encode_segment(name)),
            Page::NotFound => "404.html".into(),
            Page::Sitemap => "sitemap.xml".into(),
            Page::SitemapPart(n) => format!("sitemap-{n}.xml"),
            Page::Robots => "robots.txt".into(),
            Page::NoJekyll => ".nojekyll".into(),
            Page::Asset(name) => format!("static/{name}"),
            Page::Redirect(from, _) => from.to_string(),
            Page::Alias(a, l, id) => a.path(*l, *id),
            Page::Api(k, id) => api_path(*k, id),
            Page::ViewJson(p) => format!("{}index.json", p.path(catalog)),
            Page::Feed(Feed::Project(k)) => format!("{}feed.xml", project_path(k)),
            Page::Feed(Feed::ProjectFailures(k)) => format!("{}failures.xml", project_path(k)),
            Page::Feed(Feed::Failures) => "feeds/failures.xml".into(),
            Page::Badge(k, Badge::Project) => format!("{}badge.svg", project_path(k)),
            Page::Badge(k, Badge::List(l)) => format!("{}badge/{}.svg", project_path(k), l.slug()),
            Page::Badge(k, Badge::Branch(b)) => {
                format!("{}badge.svg", trigger_path(k, Section::Branches, b))
            }
            Page::StatusList(l, c, n) => {
                chunked(&format!("jobs/{}/status/{}/", l.slug(), c.as_str()), *n)
            }
            Page::IndexMeta(i) => format!("idx/{}/meta.js", i.slug()),
            Page::IndexShard(i, n) => format!("idx/{}/{n}.js", i.slug()),
        }
    }

    /// The file written for the page, relative to the output directory.
    pub fn file(&self, catalog: &Catalog) -> String {
        let p = self.path(catalog);
        if p.is_empty() || p.ends_with('/') {
            format!("{p}index.html")
        } else {
            p
        }
    }

    /// Whether the page is an HTML page that belongs in the sitemap.
    pub fn in_sitemap(&self) -> bool {
        !matches!(
            self,
            Page::NotFound
                | Page::Sitemap
                | Page::SitemapPart(_)
                | Page::Robots
                | Page::NoJekyll
                | Page::Asset(_)
                | Page::Redirect(..)
                | Page::Alias(..)
                | Page::Api(..)
                | Page::ViewJson(_)
                | Page::Feed(_)
                | Page::Badge(..)
                | Page::IndexMeta(_)
                | Page::IndexShard(..)
                | Page::Log(..)
                | Page::LogRaw(..)
        )
    }

    /// The template that renders the page.
    pub fn template(&self) -> &'static str {
        match self {
            Page::Home => "home.html",
            Page::JobsIndex => "jobs.html",
            Page::JobListIndex(_) | Page::JobListPage(..) | Page::TargetList(..) => "job_list.html",
            Page::JobDetail(..) => "job.html",
            Page::Log(..) => "log.html",
            Page::LogRaw(..) => "",
            Page::PipelineIndex | Page::PipelinePage(_) => "pipelines.html",
            Page::Pipeline(_) => "pipeline.html",
            Page::Projects(_) | Page::Forge(..) | Page::Namespace(..) => "projects.html",
            Page::Project(_) => "project.html",
            Page::ProjectSection(..) => "section.html",
            Page::ProjectHistory(..) | Page::Trigger(..) => "history.html",
            Page::Usage => "usage.html",
            Page::Content(_) => "content.html",
            Page::NotFound => "404.html",
            Page::Sitemap | Page::SitemapPart(_) => "sitemap.xml",
            Page::Robots => "robots.txt",
            Page::NoJekyll | Page::Asset(_) | Page::Api(..) | Page::ViewJson(_) => "",
            Page::Feed(_) => "feed.xml",
            Page::Badge(..) => "badge.svg",
            Page::StatusList(..) => "job_list.html",
            Page::IndexMeta(_) | Page::IndexShard(..) => "",
            Page::Redirect(..) | Page::Alias(..) => "redirect.html",
        }
    }

    /// What the page reads from the archive (besides its template and `Meta`,
    /// which every HTML page reads for the footer).
    pub fn inputs(&self, catalog: &Catalog) -> Vec<Input> {
        let mut v = vec![Input::Template(self.template()), Input::Meta];
        match self {
            Page::Home | Page::Usage | Page::JobsIndex => {
                v.extend(JobList::ALL.map(|l| Input::AllOf(l.list_kind())));
                v.push(Input::AllOf(Kind::Pipeline));
            }
            Page::JobListIndex(l) => v.push(Input::AllOf(l.list_kind())),
            Page::TargetList(l, _) => v.push(Input::AllOf(l.detail_kind())),
            Page::JobListPage(l, n) => {
                if let Some(c) = chunk(catalog.list_ids.get(l).map(|v| v.as_slice()), *n) {
                    v.push(Input::ListRange(*l, c[0], c[c.len() - 1]));
                }
            }
            Page::JobDetail(l, id) => {
                v.push(Input::Entity(l.detail_kind(), id.to_string()));
                v.push(Input::AllOf(Kind::Pipeline));
            }
            // a log write marks its job changed
            Page::Log(l, id, _) => v.push(Input::Entity(l.detail_kind(), id.to_string())),
            Page::LogRaw(l, id, _) => {
                return vec![Input::Entity(l.detail_kind(), id.to_string())];
            }
            Page::PipelineIndex | Page::PipelinePage(_) | Page::Pipeline(_) => {
                v.push(Input::AllOf(Kind::Pipeline));
                if let Page::Pipeline(id) = self {
                    v.push(Input::Entity(Kind::Pipeline, id.to_string()));
                }
            }
            Page::Projects(_) | Page::Forge(..) | Page::Namespace(..) => v.push(Input::ProjectSet),
            Page::Project(k)
            | Page::ProjectSection(k, ..)
            | Page::ProjectHistory(k, _)
            | Page::Trigger(k, ..) => v.push(Input::Project(k.to_string())),
            Page::Content(n) => v.push(Input::Content(n.to_string())),
            Page::Sitemap | Page::SitemapPart(_) => v.push(Input::ProjectSet),
            Page::Redirect(_, to) => return to.inputs(catalog),
            Page::Alias(_, l, id) => return Page::JobDetail(*l, *id).inputs(catalog),
            Page::Api(k, id) => return vec![Input::Entity(*k, id.to_string())],
            Page::Feed(Feed::Project(k) | Feed::ProjectFailures(k)) | Page::Badge(k, _) => {
                v.push(Input::Project(k.to_string()))
            }
            Page::StatusList(l, ..) | Page::IndexMeta(IndexList::Jobs(l)) => {
                v.push(Input::AllOf(l.list_kind()))
            }
            Page::IndexMeta(IndexList::Pipelines) | Page::IndexShard(IndexList::Pipelines, _) => {
                v.push(Input::AllOf(Kind::Pipeline))
            }
            Page::IndexMeta(IndexList::Projects) | Page::IndexShard(IndexList::Projects, _) => {
                v.push(Input::ProjectSet)
            }
            Page::IndexShard(i @ IndexList::Jobs(l), n) => {
                let ids = i.shard(catalog, *n);
                if let (Some(lo), Some(hi)) = (ids.first(), ids.last()) {
                    v.push(Input::ListRange(*l, *lo, *hi));
                }
            }
            Page::Feed(Feed::Failures) => {
                v.extend(JobList::ALL.map(|l| Input::AllOf(l.detail_kind())));
            }
            Page::ViewJson(p) => {
                let mut v = p.inputs(catalog);
                v.retain(|i| !matches!(i, Input::Template(_)));
                return v;
            }
            _ => {}
        }
        v
    }
}

fn h<T: Hash + ?Sized>(v: &T) -> u64 {
    let mut s = Xxh3::new();
    v.hash(&mut s);
    s.finish()
}

/// Precomputed per-build data for [`Page::shape`]: project header digests and the
/// project groupings, computed once instead of per page.
pub struct ShapeIndex<'c> {
    headers: HashMap<&'c str, u64>,
    all: Vec<&'c crate::model::ProjectEntry>,
    forges: BTreeMap<&'c str, Vec<&'c crate::model::ProjectEntry>>,
    namespaces: BTreeMap<(&'c str, &'c str), Vec<&'c crate::model::ProjectEntry>>,
}

impl<'c> ShapeIndex<'c> {
    /// Indexes `catalog`.
    pub fn new(catalog: &'c Catalog) -> ShapeIndex<'c> {
        let headers = catalog
            .projects
            .iter()
            .map(|(k, p)| {
                let counts: Vec<usize> = Section::ALL.iter().map(|s| p.names(*s).len()).collect();
                let ns = namespace_path(p.forge(), p.namespace(), catalog);
                (
                    k.as_str(),
                    h(&(k, p.has_entity, counts, p.pipelines.len(), ns)),
                )
            })
            .collect();
        ShapeIndex {
            headers,
            all: catalog.projects.values().collect(),
            forges: catalog.forges(),
            namespaces: catalog.namespaces(),
        }
    }

    fn header(&self, key: &str) -> u64 {
        self.headers.get(key).copied().unwrap_or(0)
    }

    /// Digest of the rows of page `n` of a project list (0: of the whole list).
    fn rows(&self, list: &[&crate::model::ProjectEntry], n: u32) -> u64 {
        let slice = if n == 0 {
            list
        } else {
            let start = (n as usize - 1) * PER_PAGE;
            &list[start.min(list.len())..(start + PER_PAGE).min(list.len())]
        };
        let rows: Vec<u64> = slice.iter().map(|p| self.header(&p.key)).collect();
        h(&(rows, list.len()))
    }
}

/// Digest of the catalog's structure: which lists, pipelines, projects and
/// triggers exist (not their statuses). Equal digests mean an equal plan.
pub fn structure_digest(catalog: &Catalog, content: &[String], assets: &[String]) -> u64 {
    let mut s = Xxh3::new();
    catalog.list_ids.hash(&mut s);
    catalog.detail_ids.hash(&mut s);
    catalog.pipelines.hash(&mut s);
    for p in catalog.projects.values() {
        p.hash(&mut s);
    }
    catalog.snapshots.hash(&mut s);
    catalog.logs.hash(&mut s);
    // how many per-status pages each list has (not which jobs: a status change that
    // keeps the page counts is not structural)
    let mut status_pages: Vec<(JobList, usize, u32)> = catalog
        .status_ids
        .iter()
        .map(|((l, c), ids)| (*l, *c as usize, chunks(ids.len())))
        .collect();
    status_pages.sort();
    status_pages.hash(&mut s);
    content.hash(&mut s);
    assets.hash(&mut s);
    s.finish()
}

impl Page {
    /// Hash of the catalog data the page shows besides the contents of the
    /// entities it reads (see the module documentation). Pages whose catalog
    /// inputs are site-wide (home, usage, sitemap) or nil (details, redirects,
    /// assets) have shape 0: the build driver handles them by other means.
    pub fn shape(&self, catalog: &Catalog, idx: &ShapeIndex<'_>) -> u64 {
        let list = |l: &JobList| catalog.list_ids.get(l).map(|v| v.as_slice()).unwrap_or(&[]);
        let details = |l: &JobList| {
            catalog
                .detail_ids
                .get(l)
                .map(|v| v.as_slice())
                .unwrap_or(&[])
        };
        match self {
            Page::JobListIndex(l) => h(&(1u8, newest(list(l)), list(l).len(), details(l).len())),
            Page::JobListPage(l, n) => h(&(
                2u8,
                chunk(Some(list(l)), *n),
                list(l).len(),
                details(l).len(),
            )),
            Page::TargetList(l, n) => {
                let ids = details(l);
                let slice = if *n == 0 {
                    Some(newest(ids))
                } else {
                    chunk(Some(ids), *n)
                };
                h(&(3u8, slice, ids.len()))
            }
            Page::PipelineIndex => h(&(4u8, newest(&catalog.pipelines), catalog.pipelines.len())),
            Page::PipelinePage(n) => h(&(
                5u8,
                chunk(Some(&catalog.pipelines), *n),
                catalog.pipelines.len(),
            )),
            Page::Projects(n) => h(&(6u8, idx.rows(&idx.all, *n))),
            Page::Forge(f, n) => h(&(7u8, idx.forges.get(&**f).map(|v| idx.rows(v, *n)))),
            Page::Namespace(f, ns, n) => h(&(
                8u8,
                idx.namespaces.get(&(&**f, &**ns)).map(|v| idx.rows(v, *n)),
            )),
            Page::Project(k) => {
                let p = catalog.projects.get(&**k);
                let recent = p.map(|p| {
                    let r = newest(&p.pipelines);
                    &r[r.len().saturating_sub(10)..]
                });
                h(&(9u8, idx.header(k), recent))
            }
            Page::ProjectSection(k, s, n) => {
                let Some(p) = catalog.projects.get(&**k) else {
                    return 0;
                };
                let names = p.names(*s);
                let start = (*n as usize).saturating_sub(1) * PER_PAGE;
                let slice = &names[start.min(names.len())..(start + PER_PAGE).min(names.len())];
                let rows: Vec<(usize, Option<i64>)> = slice
                    .iter()
                    .map(|name| {
                        let pipes = p.triggers.get(&(*s, name.clone()));
                        (
                            pipes.map(|v| v.len()).unwrap_or(0),
                            pipes.and_then(|v| v.last().copied()),
                        )
                    })
                    .collect();
                h(&(10u8, idx.header(k), slice, rows, names.len()))
            }
            Page::ProjectHistory(k, n) => {
                let ids = catalog
                    .projects
                    .get(&**k)
                    .map(|p| p.pipelines.as_slice())
                    .unwrap_or(&[]);
                let slice = if *n == 0 {
                    Some(newest(ids))
                } else {
                    chunk(Some(ids), *n)
                };
                h(&(11u8, idx.header(k), slice, ids.len()))
            }
            Page::Trigger(k, s, name, n) => {
                let ids = catalog
                    .projects
                    .get(&**k)
                    .and_then(|p| p.triggers.get(&(*s, name.to_string())))
                    .map(|v| v.as_slice())
                    .unwrap_or(&[]);
                let slice = if ids.len() <= PER_PAGE {
                    Some(ids)
                } else if *n == 0 {
                    Some(newest(ids))
                } else {
                    chunk(Some(ids), *n)
                };
                h(&(12u8, idx.header(k), slice, ids.len()))
            }
            Page::StatusList(l, class, n) => {
                let ids = catalog
                    .status_ids
                    .get(&(*l, *class))
                    .map(|v| v.as_slice())
                    .unwrap_or(&[]);
                if *n == 0 {
                    // the first page shows the counts of every class
                    let counts: Vec<usize> = STATUS_CLASSES
                        .iter()
                        .map(|c| {
                            catalog
                                .status_ids
                                .get(&(*l, *c))
                                .map(|v| v.len())
                                .unwrap_or(0)
                        })
                        .collect();
                    h(&(13u8, newest(ids), ids.len(), counts))
                } else {
                    h(&(13u8, chunk(Some(ids), *n), ids.len()))
                }
            }
            Page::IndexShard(IndexList::Projects, _) | Page::IndexMeta(IndexList::Projects) => {
                h(&(16u8, idx.rows(&idx.all, 0)))
            }
            Page::IndexShard(i, n) => h(&(14u8, i.shard(catalog, *n), i.shards(catalog))),
            Page::IndexMeta(i) => h(&(15u8, i.ids(catalog).len(), i.shards(catalog))),
            Page::ViewJson(inner) => inner.shape(catalog, idx),
            _ => 0,
        }
    }

    /// Whether the page is part of the plan for `catalog` (cheap; for pages
    /// derived from a change set).
    pub fn exists(&self, catalog: &Catalog) -> bool {
        let list_len = |l: &JobList| catalog.list_ids.get(l).map(|v| v.len()).unwrap_or(0);
        let det_len = |l: &JobList| catalog.detail_ids.get(l).map(|v| v.len()).unwrap_or(0);
        match self {
            Page::JobListPage(l, n) => *n >= 1 && *n <= chunks(list_len(l)),
            Page::TargetList(l, n) => l.has_targets() && *n <= chunks(det_len(l)),
            Page::JobDetail(l, id) => catalog.has_detail(*l, *id),
            Page::Log(l, id, name) | Page::LogRaw(l, id, name) => catalog.has_log(*l, *id, name),
            Page::PipelinePage(n) => *n >= 1 && *n <= chunks(catalog.pipelines.len()),
            Page::Pipeline(id) => catalog.has_pipeline(*id),
            Page::Project(k) => catalog.projects.contains_key(&**k),
            Page::ProjectSection(k, s, n) => catalog
                .projects
                .get(&**k)
                .is_some_and(|p| *n >= 1 && *n <= pages(p.names(*s).len())),
            Page::ProjectHistory(k, n) => catalog
                .projects
                .get(&**k)
                .is_some_and(|p| *n <= chunks(p.pipelines.len())),
            Page::Trigger(k, s, name, n) => catalog.projects.get(&**k).is_some_and(|p| {
                p.triggers
                    .get(&(*s, name.to_string()))
                    .is_some_and(|v| *n == 0 || (v.len() > PER_PAGE && *n <= chunks(v.len())))
            }),
            _ => true,
        }
    }
}

/// Position-derived pages of id `id` in ascending `ids`: the index (when among
/// the newest) and its numbered chunk.
fn slice_pages(
    ids: &[i64],
    id: i64,
    index: Page,
    page: impl Fn(u32) -> Page,
    out: &mut HashSet<Page>,
) {
    if let Ok(pos) = ids.binary_search(&id) {
        if pos + PER_PAGE >= ids.len() {
            out.insert(index);
        }
        out.insert(page((pos / PER_PAGE) as u32 + 1));
    }
}

/// The pages showing job (or pipeline) entity `kind`/`num` directly: its detail
/// pages and the list and target pages holding it.
fn own_pages(catalog: &Catalog, kind: Kind, num: i64, out: &mut HashSet<Page>) {
    for l in JobList::ALL {
        if l.list_kind() == kind {
            let ids = catalog
                .list_ids
                .get(&l)
                .map(|v| v.as_slice())
                .unwrap_or(&[]);
            slice_pages(
                ids,
                num,
                Page::JobListIndex(l),
                |n| Page::JobListPage(l, n),
                out,
            );
            if let Ok(pos) = ids.binary_search(&num) {
                out.insert(Page::IndexShard(
                    IndexList::Jobs(l),
                    (pos / SHARD) as u32 + 1,
                ));
                out.insert(Page::IndexMeta(IndexList::Jobs(l)));
                // the list's first page shows the status counts
                out.insert(Page::JobListIndex(l));
            }
            for class in STATUS_CLASSES {
                if let Some(ids) = catalog.status_ids.get(&(l, class)) {
                    slice_pages(
                        ids,
                        num,
                        Page::StatusList(l, class, 0),
                        |n| Page::StatusList(l, class, n),
                        out,
                    );
                }
            }
        }
        if l.detail_kind() == kind && catalog.has_detail(l, num) {
            out.insert(Page::JobDetail(l, num));
            for name in catalog.logs.get(&(kind, num)).into_iter().flatten() {
                out.insert(Page::Log(l, num, name.as_str().into()));
                out.insert(Page::LogRaw(l, num, name.as_str().into()));
            }
            if l.has_targets() {
                slice_pages(
                    catalog
                        .detail_ids
                        .get(&l)
                        .map(|v| v.as_slice())
                        .unwrap_or(&[]),
                    num,
                    Page::TargetList(l, 0),
                    |n| Page::TargetList(l, n),
                    out,
                );
            }
        }
    }
}

/// Every page of project `key`.
fn project_pages(catalog: &Catalog, key: &str, out: &mut HashSet<Page>) {
    let Some(p) = catalog.projects.get(key) else {
        return;
    };
    let k: Arc<str> = key.into();
    out.insert(Page::Project(k.clone()));
    for s in Section::ALL {
        out.extend((1..=pages(p.names(s).len())).map(|n| Page::ProjectSection(k.clone(), s, n)));
    }
    out.extend((0..=chunks(p.pipelines.len())).map(|n| Page::ProjectHistory(k.clone(), n)));
    for ((s, name), ids) in &p.triggers {
        let nm: Arc<str> = name.as_str().into();
        out.insert(Page::Trigger(k.clone(), *s, nm.clone(), 0));
        if ids.len() > PER_PAGE {
            out.extend(
                (1..=chunks(ids.len())).map(|n| Page::Trigger(k.clone(), *s, nm.clone(), n)),
            );
        }
    }
    // the project-list pages holding it
    let at = |v: &[&crate::model::ProjectEntry]| {
        v.iter()
            .position(|e| e.key == key)
            .map(|i| (i / PER_PAGE) as u32 + 1)
    };
    let all: Vec<&crate::model::ProjectEntry> = catalog.projects.values().collect();
    if let Some(n) = at(&all) {
        out.insert(Page::Projects(n));
    }
    let forge = p.forge();
    if let Some(v) = catalog.forges().get(forge)
        && let Some(n) = at(v)
    {
        out.insert(Page::Forge(forge.into(), n));
    }
    if let Some(v) = catalog.namespaces().get(&(forge, p.namespace()))
        && let Some(n) = at(v)
    {
        out.insert(Page::Namespace(forge.into(), p.namespace().into(), n));
    }
}

/// The pages showing merged pipeline `id`: its page, the pipeline lists, and its
/// project's pages that list it (history, trigger, section row, project page).
fn pipeline_pages(
    catalog: &Catalog,
    archive: &Archive,
    id: i64,
    out: &mut HashSet<Page>,
) -> Result<(), ArchiveError> {
    out.insert(Page::Pipeline(id));
    out.insert(Page::Api(Kind::Pipeline, id.to_string().into()));
    if let Ok(pos) = catalog.pipelines.binary_search(&id) {
        out.insert(Page::IndexShard(
            IndexList::Pipelines,
            (pos / SHARD) as u32 + 1,
        ));
        out.insert(Page::IndexMeta(IndexList::Pipelines));
    }
    slice_pages(
        &catalog.pipelines,
        id,
        Page::PipelineIndex,
        Page::PipelinePage,
        out,
    );
    let (project, trigger) = archive.project_trigger(Kind::Pipeline, &id.to_string())?;
    let Some(key) = project else {
        return Ok(());
    };
    let Some(p) = catalog.projects.get(&key) else {
        return Ok(());
    };
    let k: Arc<str> = key.as_str().into();
    out.insert(Page::Project(k.clone()));
    slice_pages(
        &p.pipelines,
        id,
        Page::ProjectHistory(k.clone(), 0),
        |n| Page::ProjectHistory(k.clone(), n),
        out,
    );
    if let Some((s, name)) = trigger.as_deref().and_then(Section::of_trigger) {
        let nm: Arc<str> = name.into();
        if let Some(ids) = p.triggers.get(&(s, name.to_string())) {
            out.insert(Page::Trigger(k.clone(), s, nm.clone(), 0));
            if ids.len() > PER_PAGE {
                slice_pages(
                    ids,
                    id,
                    Page::Trigger(k.clone(), s, nm.clone(), 0),
                    |n| Page::Trigger(k.clone(), s, nm.clone(), n),
                    out,
                );
            }
        }
        if let Some(i) = p.names(s).iter().position(|n| n == name) {
            out.insert(Page::ProjectSection(
                k.clone(),
                s,
                (i / PER_PAGE) as u32 + 1,
            ));
        }
    }
    Ok(())
}

/// The feeds and badges of project `key`.
fn project_extras(catalog: &Catalog, key: &str, out: &mut HashSet<Page>) {
    let Some(p) = catalog.projects.get(key) else {
        return;
    };
    let k: Arc<str> = key.into();
    out.insert(Page::Feed(Feed::Project(k.clone())));
    out.insert(Page::Feed(Feed::ProjectFailures(k.clone())));
    out.insert(Page::Badge(k.clone(), Badge::Project));
    for l in JobList::ALL {
        out.insert(Page::Badge(k.clone(), Badge::List(l)));
    }
    for (s, name) in p.triggers.keys() {
        if *s == Section::Branches {
            out.insert(Page::Badge(k.clone(), Badge::Branch(name.as_str().into())));
        }
    }
}

/// The project key an entity of a project kind belongs to.
fn project_of(kind: Kind, id: &str) -> Option<&str> {
    let sep = match kind {
        Kind::Project => return Some(id),
        Kind::ProjectPr => '#',
        Kind::ProjectBranch => ':',
        Kind::ProjectRelease => '@',
        Kind::ProjectIssue => '!',
        _ => return None,
    };
    id.rsplit_once(sep).map(|(k, _)| k)
}

/// The pages affected by a change set: `changes` are the entities added or
/// changed since the last build, as [`Archive::changed_since`] reports them. The
/// result may hold pages the current plan no longer has; filter with
/// [`Page::exists`].
pub fn affected_by(
    catalog: &Catalog,
    archive: &Archive,
    changes: &[(Kind, String, bool)],
    out: &mut HashSet<Page>,
) -> Result<(), ArchiveError> {
    if changes.is_empty() {
        return Ok(());
    }
    out.insert(Page::Home);
    out.insert(Page::Usage);
    out.insert(Page::JobsIndex);
    out.insert(Page::Feed(Feed::Failures));
    let mut pipes: HashSet<i64> = HashSet::new();
    let mut jobs: HashSet<(Kind, String)> = HashSet::new();
    let mut projects: HashSet<String> = HashSet::new();
    let created_pipes: HashSet<i64> = changes
        .iter()
        .filter(|(k, _, created)| *k == Kind::Pipeline && *created)
        .filter_map(|(_, id, _)| id.parse().ok())
        .collect();
    for (kind, id, created) in changes {
        out.insert(Page::Api(*kind, id.as_str().into()));
        if let Some(key) = project_of(*kind, id) {
            project_pages(catalog, key, out);
            projects.insert(key.to_string());
            out.insert(Page::IndexMeta(IndexList::Projects));
            out.insert(Page::IndexShard(IndexList::Projects, 1));
            continue;
        }
        if let (Some(p), _) = archive.project_trigger(*kind, id)? {
            projects.insert(p);
        }
        let Ok(num) = id.parse::<i64>() else {
            continue;
        };
        if *kind == Kind::Pipeline {
            // a changed pipeline may have gained or lost jobs: their pages name it
            pipes.insert(num);
            jobs.extend(archive.jobs_of(num)?);
            // the first pipeline of a trigger makes its page: the trigger cells of
            // the trigger's jobs link to it from now on
            if *created
                && let (Some(p), Some(t)) = archive.project_trigger(*kind, id)?
                && let Some((s, name)) = Section::of_trigger(&t)
                && catalog.projects.get(&p).is_some_and(|e| {
                    e.triggers
                        .get(&(s, name.to_string()))
                        .is_some_and(|ids| ids.iter().all(|i| created_pipes.contains(i)))
                })
            {
                jobs.extend(archive.jobs_of_trigger(&p, &t)?);
            }
            continue;
        }
        jobs.insert((*kind, id.clone()));
        // the pipelines holding a changed job show it; its sibling jobs do not
        pipes.extend(archive.pipelines_of(*kind, id)?);
    }
    for key in &projects {
        project_extras(catalog, key, out);
    }
    for p in &pipes {
        pipeline_pages(catalog, archive, *p, out)?;
        if let (Some(key), _) = archive.project_trigger(Kind::Pipeline, &p.to_string())? {
            project_extras(catalog, &key, out);
        }
    }
    for (kind, id) in &jobs {
        if let Ok(num) = id.parse::<i64>() {
            own_pages(catalog, *kind, num, out);
        }
    }
    // and the jobs that show one of those as a related chip: in their list rows (a
    // Copr build its chroots, a sync-release run its targets) or only on their
    // detail pages (a test its builds, a build its SRPM, a scan its build)
    let mut referrers: HashSet<(Kind, String)> = HashSet::new();
    for (kind, id) in &jobs {
        referrers.extend(archive.referrers(*kind, id)?);
    }
    for (kind, id) in &referrers {
        let Ok(num) = id.parse::<i64>() else {
            continue;
        };
        if jobs.contains(&(*kind, id.clone())) {
            continue;
        }
        if chips_in_rows(*kind) {
            own_pages(catalog, *kind, num, out);
        } else {
            for l in JobList::ALL {
                if l.detail_kind() == *kind && catalog.has_detail(l, num) {
                    out.insert(Page::JobDetail(l, num));
                }
            }
        }
    }
    Ok(())
}

/// Whether the list rows of entities of `kind` show other jobs as chips (the
/// grouping lists: a Copr build's chroots, a sync-release run's targets).
fn chips_in_rows(kind: Kind) -> bool {
    JobList::ALL
        .iter()
        .any(|l| l.has_targets() && l.list_kind() == kind)
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

/// Number of fixed chunks for `n` items.
pub fn chunks(n: usize) -> u32 {
    n.div_ceil(PER_PAGE) as u32
}

/// Number of pages for `n` items (at least 1).
pub fn pages(n: usize) -> u32 {
    chunks(n).max(1)
}

/// Path of the API mirror file of entity `kind`/`id`: `api/<endpoint>/<id>.json`
/// where `<endpoint>` is the Packit API's detail endpoint (`copr-builds`,
/// `runs/merged`, `projects/<forge>/<ns>/<repo>`, …). Kinds the API only serves in
/// lists (merged Copr builds, sync-release runs) go under `api/list/<list path>/`.
/// Id segments are encoded with [`encode_segment`].
pub fn api_path(kind: Kind, id: &str) -> String {
    let enc = id
        .split('/')
        .map(encode_segment)
        .collect::<Vec<_>>()
        .join("/");
    let sub = |sep: char, slug: &str| match id.rsplit_once(sep) {
        Some((key, name)) => format!(
            "list/projects/{}/{slug}/{}",
            key.split('/')
                .map(encode_segment)
                .collect::<Vec<_>>()
                .join("/"),
            encode_segment(name)
        ),
        None => format!("list/projects/{slug}/{}", encode_segment(id)),
    };
    let p = match kind {
        Kind::Pipeline => format!("runs/merged/{enc}"),
        Kind::ProjectPr => sub('#', "prs"),
        Kind::ProjectBranch => sub(':', "branches"),
        Kind::ProjectRelease => sub('@', "releases"),
        Kind::ProjectIssue => sub('!', "issues"),
        Kind::Usage => "usage".into(),
        Kind::System => "system".into(),
        Kind::CoprBuild => format!("list/copr-builds/{enc}"),
        Kind::ProposeDownstreamRun => format!("list/propose-downstream/{enc}"),
        Kind::PullFromUpstreamRun => format!("list/pull-from-upstream/{enc}"),
        k => k
            .detail_path(&enc)
            .unwrap_or_else(|| format!("other/{}/{enc}", k.as_str())),
    };
    format!("api/{p}.json")
}

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

/// A part of the plan whose pages depend on a small part of the catalog: a live
/// rebuild compares a touched group's pages before and after a change to find the
/// pages that came or went (see [`Group::touched_by`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Group {
    /// A job list: its index, numbered pages, target and per-status lists, redirects.
    List(JobList),
    /// The pipeline list.
    Pipelines,
    /// The project, forge and namespace lists and the failures feed.
    ProjectIndex,
    /// One project's pages, feeds and badges.
    Project(Arc<str>),
    /// One pipeline's page.
    Pipeline(i64),
    /// One job's detail page, its legacy aliases and log pages.
    Detail(JobList, i64),
    /// The filter indexes.
    Indexes,
    /// One entity's page of the API mirror.
    Api(Kind, Arc<str>),
}

impl Group {
    /// The group's pages for `catalog`, in plan order.
    pub fn pages(&self, catalog: &Catalog) -> Vec<Page> {
        let mut p = Vec::new();
        match self {
            Group::List(l) => {
                let l = *l;
                p.push(Page::JobListIndex(l));
                let n = chunks(catalog.list_ids.get(&l).map(|v| v.len()).unwrap_or(0));
                p.extend((1..=n).map(|i| Page::JobListPage(l, i)));
                if l.has_targets() {
                    let t = chunks(catalog.detail_ids.get(&l).map(|v| v.len()).unwrap_or(0));
                    p.push(Page::TargetList(l, 0));
                    p.extend((1..=t).map(|i| Page::TargetList(l, i)));
                }
                for class in STATUS_CLASSES {
                    let n = catalog
                        .status_ids
                        .get(&(l, class))
                        .map(|v| v.len())
                        .unwrap_or(0);
                    if n > 0 {
                        p.push(Page::StatusList(l, class, 0));
                        p.extend((1..=chunks(n)).map(|i| Page::StatusList(l, class, i)));
                    }
                }
                if let Some(old) = l.legacy_slug() {
                    let to = Box::new(Page::JobListIndex(l));
                    p.push(Page::Redirect(format!("jobs/{old}/").into(), to.clone()));
                    p.push(Page::Redirect(format!("results/{old}/").into(), to.clone()));
                }
                p.push(Page::Redirect(
                    format!("results/{}/", l.slug()).into(),
                    Box::new(Page::JobListIndex(l)),
                ));
            }
            Group::Pipelines => {
                p.push(Page::PipelineIndex);
                p.extend((1..=chunks(catalog.pipelines.len())).map(Page::PipelinePage));
                p.push(Page::Redirect(
                    "pipelines/".into(),
                    Box::new(Page::PipelineIndex),
                ));
            }
            Group::ProjectIndex => {
                p.extend((1..=pages(catalog.projects.len())).map(Page::Projects));
                for (forge, ps) in catalog.forges() {
                    let f: Arc<str> = forge.into();
                    p.extend((1..=pages(ps.len())).map(|n| Page::Forge(f.clone(), n)));
                }
                for ((forge, ns), ps) in catalog.namespaces() {
                    let (f, n): (Arc<str>, Arc<str>) = (forge.into(), ns.into());
                    p.extend(
                        (1..=pages(ps.len())).map(|i| Page::Namespace(f.clone(), n.clone(), i)),
                    );
                }
                p.push(Page::Feed(Feed::Failures));
            }
            Group::Project(k) => {
                let Some(e) = catalog.projects.get(&**k) else {
                    return p;
                };
                p.push(Page::Project(k.clone()));
                p.push(Page::Feed(Feed::Project(k.clone())));
                p.push(Page::Feed(Feed::ProjectFailures(k.clone())));
                p.push(Page::Badge(k.clone(), Badge::Project));
                p.extend(
                    e.lists
                        .iter()
                        .map(|l| Page::Badge(k.clone(), Badge::List(*l))),
                );
                p.extend(
                    e.triggers
                        .keys()
                        .filter(|(s, _)| *s == Section::Branches)
                        .map(|(_, b)| Page::Badge(k.clone(), Badge::Branch(b.as_str().into()))),
                );
                for s in Section::ALL {
                    let n = e.names(s).len();
                    p.extend((1..=pages(n)).map(|i| Page::ProjectSection(k.clone(), s, i)));
                }
                p.push(Page::ProjectHistory(k.clone(), 0));
                p.extend(
                    (1..=chunks(e.pipelines.len())).map(|i| Page::ProjectHistory(k.clone(), i)),
                );
                for ((s, name), pipes) in &e.triggers {
                    let nm: Arc<str> = name.as_str().into();
                    p.push(Page::Trigger(k.clone(), *s, nm.clone(), 0));
                    if pipes.len() > PER_PAGE {
                        p.extend(
                            (1..=chunks(pipes.len()))
                                .map(|i| Page::Trigger(k.clone(), *s, nm.clone(), i)),
                        );
                    }
                }
            }
            Group::Pipeline(id) => {
                if catalog.has_pipeline(*id) {
                    p.push(Page::Pipeline(*id));
                }
            }
            Group::Detail(l, id) => {
                if catalog.has_detail(*l, *id) {
                    detail_pages(catalog, *l, *id, &mut p);
                }
            }
            Group::Indexes => {
                for i in IndexList::all() {
                    p.push(Page::IndexMeta(i));
                    p.extend((1..=i.shards(catalog)).map(|n| Page::IndexShard(i, n)));
                }
            }
            Group::Api(kind, id) => {
                if api_exists(catalog, *kind, id) {
                    p.push(Page::Api(*kind, id.clone()));
                }
            }
        }
        p
    }

    /// The groups whose pages may come or go when entity `kind`/`id` changes
    /// (`project`: the project it names, if any). Besides these, only the sitemap
    /// parts depend on the set of pages.
    pub fn touched_by(kind: Kind, id: &str, project: Option<&str>) -> Vec<Group> {
        let mut g = vec![Group::Api(kind, id.into()), Group::Indexes];
        let num: Option<i64> = id.parse().ok();
        for l in JobList::ALL {
            if l.list_kind() == kind || l.detail_kind() == kind {
                g.push(Group::List(l));
                if l.detail_kind() == kind
                    && let Some(n) = num
                {
                    g.push(Group::Detail(l, n));
                }
            }
        }
        if kind == Kind::Pipeline {
            g.push(Group::Pipelines);
            if let Some(n) = num {
                g.push(Group::Pipeline(n));
            }
        }
        let key = match kind {
            Kind::Project => Some(id),
            Kind::ProjectPr => id.rsplit_once('#').map(|(k, _)| k),
            Kind::ProjectBranch => id.rsplit_once(':').map(|(k, _)| k),
            Kind::ProjectRelease => id.rsplit_once('@').map(|(k, _)| k),
            Kind::ProjectIssue => id.rsplit_once('!').map(|(k, _)| k),
            _ => project,
        };
        if let Some(k) = key {
            g.push(Group::ProjectIndex);
            g.push(Group::Project(k.into()));
        }
        g.sort();
        g.dedup();
        g
    }
}

/// The pages of one job detail: legacy aliases, the page, its log pages.
fn detail_pages(catalog: &Catalog, l: JobList, id: i64, p: &mut Vec<Page>) {
    if l.legacy_slug().is_some() {
        p.push(Page::Alias(Alias::Jobs, l, id));
        p.push(Page::Alias(Alias::Results, l, id));
    }
    // the dashboard serves any Koji id under both Koji routes
    if matches!(l, JobList::Koji | JobList::KojiDownstream) {
        p.push(Page::Alias(Alias::OtherKoji, l, id));
    }
    p.push(Page::JobDetail(l, id));
    for name in catalog
        .logs
        .get(&(l.detail_kind(), id))
        .into_iter()
        .flatten()
    {
        p.push(Page::Log(l, id, name.as_str().into()));
        p.push(Page::LogRaw(l, id, name.as_str().into()));
    }
}

/// Whether the API mirror has a page for entity `kind`/`id`.
fn api_exists(catalog: &Catalog, kind: Kind, id: &str) -> bool {
    let num: Option<i64> = id.parse().ok();
    let has =
        |v: Option<&Vec<i64>>| num.is_some_and(|n| v.is_some_and(|v| v.binary_search(&n).is_ok()));
    let in_lists = JobList::ALL.into_iter().any(|l| {
        (l.detail_kind() == kind && has(catalog.detail_ids.get(&l)))
            || (l.has_targets() && l.list_kind() == kind && has(catalog.list_ids.get(&l)))
    });
    if in_lists {
        return true;
    }
    let listed = |s: Section, sep: char| {
        id.rsplit_once(sep).is_some_and(|(k, n)| {
            catalog
                .projects
                .get(k)
                .is_some_and(|e| e.listed.contains(&(s, n.to_string())))
        })
    };
    match kind {
        Kind::Pipeline => num.is_some_and(|n| catalog.has_pipeline(n)),
        Kind::Project => catalog.projects.get(id).is_some_and(|e| e.has_entity),
        Kind::ProjectPr => listed(Section::Prs, '#'),
        Kind::ProjectBranch => listed(Section::Branches, ':'),
        Kind::ProjectRelease => listed(Section::Releases, '@'),
        Kind::ProjectIssue => listed(Section::Issues, '!'),
        Kind::Usage | Kind::System => catalog.snapshots.iter().any(|(k, i)| *k == kind && i == id),
        _ => false,
    }
}

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
