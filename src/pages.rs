//! One renderer per page kind. `render_page` sets up what every page's template
//! context holds (title, root, path, site values, canonical link) and hands the
//! [`Page`] to the module that renders its kind: lists, projects, pipelines, job
//! details, home and usage, feeds, badges, filter indexes, logs, the API mirror,
//! the sitemap and redirects.

mod badges;
mod detail;
mod feeds;
mod filter_index;
mod home;
mod lists;
mod logs;
mod mirror;
mod pipeline;
mod projects;
mod sitemap;

pub use feeds::FEED_MAX;

use crate::model::{Catalog, Model, TimeView};
use crate::plan::{Page, Plan};
use crate::render::{Theme, rel_href};
use crate::view::ContentView;
use serde::Serialize;
use std::collections::BTreeMap;
use tera::Context;

/// Why a page could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// Reading the archive failed.
    #[error(transparent)]
    Archive(#[from] crate::archive::ArchiveError),
    /// Building a view failed.
    #[error(transparent)]
    Model(#[from] crate::model::ModelError),
    /// The template failed.
    #[error("rendering {page}: {source}")]
    Render {
        /// Output file.
        page: String,
        /// Cause.
        #[source]
        source: crate::render::RenderError,
    },
    /// The theme failed.
    #[error(transparent)]
    Theme(#[from] crate::render::RenderError),
    /// A JSON output failed.
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
}

/// What every page of a build reads besides the archive: the catalog, the theme,
/// the site-wide values, the content pages and the plan (for the sitemap). Set up
/// by the build driver (`site::renderer`).
pub(crate) struct Ctx<'a> {
    pub(crate) catalog: &'a Catalog,
    pub(crate) theme: &'a Theme,
    pub(crate) site: SiteInfo,
    /// `site` as a template value, made once: every page's context holds it (a
    /// clone shares it), instead of serializing it again per page.
    pub(crate) site_value: std::sync::OnceLock<tera::Value>,
    pub(crate) content: BTreeMap<String, ContentView>,
    pub(crate) plan: &'a Plan,
}

/// Site-wide values every page sees.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct SiteInfo {
    pub(crate) name: &'static str,
    pub(crate) version: &'static str,
    pub(crate) last_sync: Option<TimeView>,
    pub(crate) api: Option<String>,
    pub(crate) base_url: Option<String>,
    pub(crate) content: Vec<(String, String)>,
    pub(crate) job_lists: Vec<NavList>,
}

#[derive(Clone, Debug, Serialize)]
pub(crate) struct NavList {
    pub(crate) slug: &'static str,
    pub(crate) title: &'static str,
    pub(crate) href: String,
    pub(crate) count: usize,
}

/// The relative path from page `path` back to the site root (`../` per level).
pub(crate) fn root_of(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// The title of a list page: ` – page n` added on numbered pages (see
/// [`Page::page_no`]).
fn titled(title: &str, page: &Page) -> String {
    match page.page_no() {
        Some(n) => format!("{title} – page {n}"),
        None => title.to_string(),
    }
}

/// Renders one page to bytes. With `sink`, hands the page's template context to it
/// instead of rendering (HTML pages only; see `site::page_data`).
pub(crate) fn render_page(
    ctx: &Ctx<'_>,
    m: &Model<'_>,
    page: &Page,
    file: &str,
    sink: Option<&mut dyn FnMut(&Context)>,
) -> Result<Vec<u8>, PageError> {
    let path = page.path(ctx.catalog);
    let root = root_of(&path);
    let mut c = Context::new();
    c.insert("title", ctx.site.name);
    c.insert("root", &root);
    c.insert("path", &path);
    c.insert_value(
        "site",
        ctx.site_value
            .get_or_init(|| tera::Value::from_serializable(&ctx.site))
            .clone(),
    );
    let canonical = match &ctx.site.base_url {
        Some(b) => format!("{b}{path}"),
        None => rel_href(&root, &path),
    };
    c.insert("canonical", &canonical);
    match page {
        Page::NoJekyll => return Ok(Vec::new()),
        Page::Asset(name) => {
            return Ok(ctx.theme.assets().get(&**name).cloned().unwrap_or_default());
        }
        Page::Robots => {}
        Page::Api(kind, id) => return mirror::api_json(m, *kind, id),
        Page::ViewJson(inner) => return mirror::view_json(m, inner),
        Page::Feed(f) => return feeds::feed(ctx, m, f, &path, &c),
        Page::Badge(k, b) => return badges::badge(ctx, m, k, b, &c),
        Page::IndexMeta(i) => return filter_index::index_meta(ctx, *i),
        Page::IndexShard(i, n) => return filter_index::index_shard(ctx, m, *i, *n),
        Page::StatusList(l, class, n) => lists::status_list(ctx, m, &mut c, page, *l, *class, *n)?,
        Page::Sitemap | Page::SitemapPart(_) => sitemap::sitemap(ctx, page, &mut c),
        Page::Redirect(..) | Page::Alias(..) => sitemap::redirect(ctx, page, &root, &mut c),
        Page::NotFound => {
            // served for any missing path, at any depth (GitHub Pages, Netlify): links
            // absolute with the base URL, else root-absolute (right for a site at
            // the root of its host; a site under a path needs the base URL)
            let root = ctx.site.base_url.as_deref().unwrap_or("/");
            c.insert("root", root);
            c.insert("canonical", &format!("{root}{path}"));
        }
        Page::Home => home::home(ctx, m, &mut c)?,
        Page::JobsIndex => home::jobs_index(ctx, &mut c),
        Page::JobListIndex(l) | Page::JobListPage(l, _) => {
            lists::job_list(ctx, m, &mut c, page, *l)?
        }
        Page::TargetList(l, n) => lists::target_list(ctx, m, &mut c, page, *l, *n)?,
        Page::JobDetail(l, id) => detail::job_detail(m, &mut c, *l, *id)?,
        Page::Log(l, id, name) => logs::log_page(m, &mut c, *l, *id, name)?,
        Page::LogRaw(l, id, name) => return logs::log_raw(m, *l, *id, name),
        Page::PipelineIndex | Page::PipelinePage(_) => {
            pipeline::pipeline_list(ctx, m, &mut c, page)?
        }
        Page::Pipeline(id) => pipeline::pipeline(m, &mut c, *id)?,
        Page::Projects(_) | Page::Forge(..) | Page::Namespace(..) => {
            projects::project_list(ctx, m, &mut c, page)?
        }
        Page::Project(k) => projects::project(ctx, m, &mut c, k)?,
        Page::ProjectSection(k, s, n) => projects::section(ctx, m, &mut c, page, k, *s, *n)?,
        Page::ProjectHistory(k, n) => projects::history_page(ctx, m, &mut c, page, k, *n)?,
        Page::Trigger(k, s, name, n) => projects::trigger(ctx, m, &mut c, page, k, *s, name, *n)?,
        Page::Usage => home::usage(ctx, &mut c),
        Page::Content(name) => {
            let cv = ctx.content.get(&**name);
            c.insert("title", &cv.map(|c| c.title.clone()).unwrap_or_default());
            c.insert("content", &cv);
        }
    }
    if let Some(sink) = sink {
        sink(&c);
        return Ok(Vec::new());
    }
    ctx.theme
        .render(page.template(), &c)
        .map_err(|source| PageError::Render {
            page: file.to_string(),
            source,
        })
}
