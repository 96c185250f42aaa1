//! The [`Page`] enum: every kind of page (or generated file) of the site, where each
//! is written ([`Page::path`]), which template renders it and what it reads.

use super::api::api_path;
use super::paging::{IndexList, chunk, chunked, chunks, paged, pages};
use crate::api::Kind;
use crate::api::types::StatusClass;
use crate::model::{
    Catalog, JobList, PER_PAGE, Section, detail_path, encode_segment, forge_path, namespace_path,
    pipeline_path, project_path, trigger_path,
};
use crate::urls;
use std::sync::Arc;

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
    /// Packit API endpoint that returns it (see [`super::api_path`]).
    Api(Kind, Arc<str>),
    /// `<page>index.json`: the view a job or pipeline page was rendered from
    /// (only with [`super::Plan::add_view_json`]).
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
    /// `idx/<list>/<n>.js`: shard `n` (fixed chunks of [`super::SHARD`] items from the
    /// oldest) of the compact filter index of a list.
    IndexShard(IndexList, u32),
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
            Alias::Jobs => urls::job_page_path(list.legacy_slug().unwrap_or(list.slug()), id),
            Alias::Results => urls::job_results_path(list.legacy_slug().unwrap_or(list.slug()), id),
            Alias::OtherKoji => {
                let other = list.def().twin.unwrap_or(list);
                urls::job_page_path(other.detail_slug(), id)
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

impl Page {
    /// Site-relative path: a directory ending in `/` (written as `index.html`
    /// inside it) or a file name.
    pub fn path(&self, catalog: &Catalog) -> String {
        match self {
            Page::Home => String::new(),
            Page::JobsIndex => "jobs/".into(),
            Page::JobListIndex(l) => urls::job_list_path(l.slug()),
            Page::JobListPage(l, n) => urls::job_list_page_path(l.slug(), *n),
            Page::JobDetail(l, id) => detail_path(*l, *id),
            Page::Log(l, id, name) => urls::job_log_path(l.detail_slug(), *id, name),
            Page::LogRaw(l, id, name) => urls::job_log_text_path(l.detail_slug(), *id, name),
            Page::TargetList(l, n) => chunked(&urls::job_targets_path(l.slug()), *n),
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
            Page::StatusList(l, c, n) => chunked(&urls::job_status_path(l.slug(), c.as_str()), *n),
            Page::IndexMeta(i) => format!("idx/{}/meta.js", i.slug()),
            Page::IndexShard(i, n) => format!("idx/{}/{n}.js", i.slug()),
        }
    }

    /// The number a page of a paged list shows in its title (` – page n`): `None`
    /// for a list's index or first page and for pages that are not list pages.
    pub fn page_no(&self) -> Option<u32> {
        let (n, first) = match self {
            Page::JobListPage(_, n)
            | Page::PipelinePage(n)
            | Page::TargetList(_, n)
            | Page::ProjectHistory(_, n)
            | Page::Trigger(_, _, _, n)
            | Page::StatusList(_, _, n) => (*n, 0),
            Page::Projects(n)
            | Page::Forge(_, n)
            | Page::Namespace(_, _, n)
            | Page::ProjectSection(_, _, n) => (*n, 1),
            _ => return None,
        };
        (n > first).then_some(n)
    }

    /// When a build writes the page: every page of a lower rank is on disk before a
    /// page of a higher one is written, so a build interrupted anywhere leaves no
    /// page linking to one it had not written yet. Pages first (logs, assets, API
    /// JSON), then job pages, pipelines, triggers, project sections, projects,
    /// namespaces and forges, the lists, and last the index pages, feeds and the
    /// sitemap. The numbered pages of a list come before its index (first page).
    pub fn write_rank(&self) -> u8 {
        let paged = |base: u8| base + u8::from(self.page_no().is_none());
        match self {
            Page::Asset(_)
            | Page::NoJekyll
            | Page::Log(..)
            | Page::LogRaw(..)
            | Page::Api(..)
            | Page::Content(_)
            | Page::NotFound
            | Page::Usage
            | Page::Badge(..) => 0,
            Page::JobDetail(..) | Page::ViewJson(_) => 1,
            Page::Pipeline(_) => 2,
            Page::Trigger(..) => paged(3),
            Page::ProjectSection(..) | Page::ProjectHistory(..) => paged(5),
            Page::Project(_) | Page::Feed(_) => 7,
            Page::Namespace(..) => paged(8),
            Page::Forge(..) => paged(10),
            Page::JobListPage(..)
            | Page::TargetList(..)
            | Page::StatusList(..)
            | Page::PipelinePage(_)
            | Page::IndexShard(..)
            | Page::Projects(_) => paged(12),
            Page::JobListIndex(_)
            | Page::PipelineIndex
            | Page::IndexMeta(_)
            | Page::Redirect(..)
            | Page::Alias(..) => 14,
            Page::Home | Page::JobsIndex | Page::Sitemap | Page::SitemapPart(_) | Page::Robots => {
                15
            }
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

impl Page {
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
