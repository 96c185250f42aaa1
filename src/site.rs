//! The build driver: archive → model → plan → render → write.
//!
//! [`build`] opens the archive read-only, indexes it once ([`Catalog`]), decides the
//! pages ([`Plan`]), and renders them in parallel on all cores in chunks, each rayon
//! worker with its own read-only archive connection; rendered bytes go straight to
//! the [`OutputWriter`] and are dropped, so memory stays flat however big the site.
//! Pages never embed the wall-clock time: the footer shows the archive's last sync,
//! so two builds of the same archive are byte-identical.

use crate::archive::Archive;
use crate::model::{
    self, Catalog, JobList, Link, Model, PER_PAGE, ProjectEntry, Section, StatusView, TimeView, tv,
};
use crate::plan::{self, Page, PagerItem, Plan, pager_items, simple_pager};
use crate::render::{RenderError, Theme, rel_href};
use crate::write::{OutputWriter, WriteError, WriteStats};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;
use tera::Context;

mod extras;
mod live;
mod logs;

pub use live::Session;

/// Errors of a build.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    /// Reading the archive failed.
    #[error(transparent)]
    Archive(#[from] crate::archive::ArchiveError),
    /// Building a view failed.
    #[error(transparent)]
    Model(#[from] model::ModelError),
    /// Rendering failed.
    #[error("rendering {page}: {source}")]
    Render {
        /// Output file.
        page: String,
        /// Cause.
        #[source]
        source: RenderError,
    },
    /// Loading the theme failed.
    #[error(transparent)]
    Theme(#[from] RenderError),
    /// Writing failed.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// Loading content pages failed.
    #[error("content: {0}")]
    Content(String),
    /// Serialising a JSON page failed.
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
}

/// What to build.
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    /// Archive file.
    pub archive: PathBuf,
    /// Output directory.
    pub out: PathBuf,
    /// Theme directory overriding the default theme per file.
    pub theme: Option<PathBuf>,
    /// Public URL of the site (`https://user.github.io/repo/`) for canonical links,
    /// the sitemap and robots.txt.
    pub base_url: Option<String>,
    /// Directory of markdown content pages (`faq.md`, `about.md`).
    pub content: Option<PathBuf>,
    /// Ignore the manifest and compare every file with the disk.
    pub full: bool,
    /// Worker threads (default: all cores).
    pub threads: Option<usize>,
    /// List the files written, left unchanged and removed in the report.
    pub list_files: bool,
    /// Also write, beside every job and pipeline page, the JSON of the view it was
    /// rendered from (`index.json`; one more file per detail page).
    pub page_json: bool,
}

/// What a build did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct BuildReport {
    /// Full or incremental.
    pub mode: BuildMode,
    /// Entities added or changed in the archive since the last build.
    pub changed_entities: u64,
    /// Pages rendered (the rest were known to be unaffected).
    pub rendered: u64,
    /// Files in the site (pages, redirects, assets, sitemap…).
    pub files: u64,
    /// HTML pages (not counting redirects).
    pub pages: u64,
    /// Redirect stubs.
    pub redirects: u64,
    /// Writer counts.
    pub write: WriteStats,
    /// Archive revision built.
    pub revision: i64,
    /// Pipelines in the archive.
    pub pipelines: u64,
    /// Wall time in milliseconds.
    pub millis: u64,
    /// Files per second.
    pub files_per_second: f64,
    /// Milliseconds per phase: indexing the archive (`catalog`), loading the theme
    /// and content and planning the pages (`plan`), reading the previous manifest
    /// (`manifest`), deciding and rendering and writing pages (`render`), and
    /// committing the manifest and removing stale files (`commit`).
    pub phases: BTreeMap<&'static str, u64>,
    /// Files written (new or changed), when asked for ([`BuildOptions::list_files`]).
    pub written_files: Vec<String>,
    /// Files rendered with the bytes already on disk, when asked for.
    pub unchanged_files: Vec<String>,
    /// Files removed (no longer part of the site), when asked for.
    pub removed_files: Vec<String>,
}

/// A rendered markdown page, as the content module hands it over.
#[derive(Clone, Debug, Serialize)]
pub struct ContentView {
    /// File stem (`faq`).
    pub name: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Safe HTML fragment rendered by the content module.
    pub html: String,
    /// Table of contents: (level, text, id).
    pub toc: Vec<TocView>,
}

/// One table-of-contents entry.
#[derive(Clone, Debug, Serialize)]
pub struct TocView {
    /// Heading level.
    pub level: u32,
    /// Text.
    pub text: String,
    /// Anchor.
    pub id: String,
}

/// Site-wide values every page sees.
#[derive(Clone, Debug, Serialize)]
struct SiteInfo {
    name: &'static str,
    version: &'static str,
    last_sync: Option<TimeView>,
    api: Option<String>,
    base_url: Option<String>,
    content: Vec<(String, String)>,
    job_lists: Vec<NavList>,
}

#[derive(Clone, Debug, Serialize)]
struct NavList {
    slug: &'static str,
    title: &'static str,
    href: String,
    count: usize,
}

/// Loads content pages through the content module.
fn load_content(dir: Option<&std::path::Path>) -> Result<Vec<ContentView>, SiteError> {
    let Some(dir) = dir else {
        return Ok(Vec::new());
    };
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    content_bridge::load(dir)
}

mod content_bridge {
    use super::{ContentView, SiteError, TocView};
    use std::path::Path;

    /// Renders every `*.md` of `dir` through the content module.
    pub fn load(dir: &Path) -> Result<Vec<ContentView>, SiteError> {
        let pages = crate::content::load_dir(dir).map_err(|e| SiteError::Content(e.to_string()))?;
        Ok(pages
            .into_iter()
            .map(|p| ContentView {
                name: p.name,
                title: p.title,
                description: p.description,
                html: p.html,
                toc: p
                    .toc
                    .into_iter()
                    .map(|t| TocView {
                        level: t.level as u32,
                        text: t.text,
                        id: t.id,
                    })
                    .collect(),
            })
            .collect())
    }
}

struct Ctx<'a> {
    catalog: &'a Catalog,
    theme: &'a Theme,
    site: SiteInfo,
    /// `site` as a template value, made once: every page's context holds it (a
    /// clone shares it), instead of serializing it again per page.
    site_value: std::sync::OnceLock<tera::Value>,
    content: BTreeMap<String, ContentView>,
    plan: &'a Plan,
}

fn root_of(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// What a build recorded about its inputs, kept in the manifest's header line so
/// the next build can tell what changed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, serde::Deserialize)]
struct BuildState {
    /// Generator version plus a hash of the sources it was built from (a changed
    /// program may render differently).
    generator: String,
    /// Which archive (canonical path).
    archive: String,
    /// Archive revision built.
    revision: i64,
    /// Site-wide inputs every page shows (base URL, source API, navigation).
    globals: u64,
    /// Archive's last sync time (shown on the home page).
    last_sync: Option<i64>,
    /// [`plan::structure_digest`].
    structure: u64,
    /// Template closure hashes.
    templates: BTreeMap<String, u64>,
    /// Asset hashes.
    assets: BTreeMap<String, u64>,
    /// Content page hashes.
    content: BTreeMap<String, u64>,
}

fn generator_id() -> String {
    // the build script's hash of the library's sources, themes and locked
    // dependencies: the same for every program built from the same code
    format!(
        "{} {}",
        env!("CARGO_PKG_VERSION"),
        env!("PACKIT_PAGES_SOURCE_HASH")
    )
}

/// How a build went about it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BuildMode {
    /// Every page rendered (first build, `--full`, or a site-wide input changed).
    #[default]
    Full,
    /// Only the pages affected by what changed since the last build.
    Incremental,
}

/// Site-wide values of a build.
fn site_info(catalog: &Catalog, content: &[ContentView], opts: &BuildOptions) -> SiteInfo {
    let base_url = opts.base_url.as_ref().map(|u| {
        let u = u.trim();
        if u.ends_with('/') {
            u.to_string()
        } else {
            format!("{u}/")
        }
    });
    SiteInfo {
        name: "Packit results",
        version: env!("CARGO_PKG_VERSION"),
        last_sync: tv(catalog.last_sync),
        api: catalog.source_api.clone(),
        base_url,
        content: content
            .iter()
            .filter(|c| !plan::RESERVED_TOP.contains(&c.name.as_str()))
            .map(|c| {
                (
                    format!("{}/", model::encode_segment(&c.name)),
                    c.title.clone(),
                )
            })
            .collect(),
        job_lists: JobList::ALL
            .iter()
            .map(|l| NavList {
                slug: l.slug(),
                title: l.title(),
                href: format!("jobs/{}/", l.slug()),
                count: catalog.list_ids.get(l).map(|v| v.len()).unwrap_or(0),
            })
            .collect(),
    }
}

/// Every page of the site (with the view JSON pages when asked for).
fn plan_of(catalog: &Catalog, theme: &Theme, content: &[ContentView], opts: &BuildOptions) -> Plan {
    let content_names: Vec<String> = content.iter().map(|c| c.name.clone()).collect();
    let asset_names: Vec<String> = theme.assets().keys().cloned().collect();
    let mut plan = Plan::build(catalog, &content_names, &asset_names);
    if opts.page_json {
        plan.add_view_json();
    }
    plan
}

/// What a build records of its inputs (see [`BuildState`]). `structure`: the
/// structure digest when the caller knows it (a live update that added and removed no
/// page keeps its plan, so its digest may stay: computing it hashes every id of the
/// catalog); `None` computes it.
fn build_state(
    opts: &BuildOptions,
    catalog: &Catalog,
    theme: &Theme,
    content: &[ContentView],
    site: &SiteInfo,
    structure: Option<u64>,
) -> BuildState {
    let content_names: Vec<String> = content.iter().map(|c| c.name.clone()).collect();
    let asset_names: Vec<String> = theme.assets().keys().cloned().collect();
    let hash64 = |b: &[u8]| xxhash_rust::xxh3::xxh3_64(b);
    BuildState {
        generator: generator_id(),
        archive: opts
            .archive
            .canonicalize()
            .unwrap_or_else(|_| opts.archive.clone())
            .display()
            .to_string(),
        revision: catalog.revision,
        globals: hash64(
            serde_json::to_string(&(
                &site.api,
                &site.base_url,
                &site.content,
                site.version,
                opts.page_json,
            ))
            .unwrap_or_default()
            .as_bytes(),
        ),
        last_sync: catalog.last_sync,
        structure: structure
            .unwrap_or_else(|| plan::structure_digest(catalog, &content_names, &asset_names)),
        templates: theme.template_hashes().clone(),
        assets: theme
            .assets()
            .iter()
            .map(|(n, b)| (n.clone(), hash64(b)))
            .collect(),
        content: content
            .iter()
            .map(|c| {
                (
                    c.name.clone(),
                    hash64(serde_json::to_string(c).unwrap_or_default().as_bytes()),
                )
            })
            .collect(),
    }
}

/// Builds the site. See the module documentation.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, SiteError> {
    let started = Instant::now();
    Archive::upgrade(&opts.archive)?;
    let archive = Archive::open_read_only(&opts.archive)?;
    let mut phases: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut lap = started;
    let mut phase = |name: &'static str| {
        phases.insert(name, lap.elapsed().as_millis() as u64);
        lap = Instant::now();
    };
    let catalog = Catalog::build(&archive)?;
    phase("catalog");
    let theme = Theme::load(opts.theme.as_deref())?;
    let content = load_content(opts.content.as_deref())?;
    let plan = plan_of(&catalog, &theme, &content, opts);
    let site = site_info(&catalog, &content, opts);
    let state = build_state(opts, &catalog, &theme, &content, &site, None);
    let state_line = serde_json::to_string(&state).unwrap_or_default();
    let ctx = Ctx {
        catalog: &catalog,
        site_value: Default::default(),
        theme: &theme,
        site,
        content: content.into_iter().map(|c| (c.name.clone(), c)).collect(),
        plan: &plan,
    };
    phase("plan");
    let mut writer = OutputWriter::open(&opts.out, opts.full)?;
    phase("manifest");
    let previous: Option<BuildState> = writer
        .previous_state()
        .and_then(|s| serde_json::from_str(s).ok());
    let previous = previous.filter(|p| {
        !opts.full
            && p.generator == state.generator
            && p.archive == state.archive
            && p.globals == state.globals
            && p.revision <= state.revision
    });
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.unwrap_or(0))
        .build()
        .map_err(|e| SiteError::Content(e.to_string()))?;
    let renderer = Renderer {
        ctx: &ctx,
        writer: &writer,
        archive_path: &opts.archive,
        pool: &pool,
        workers: (0..pool.current_num_threads() + 1)
            .map(|_| Mutex::new(None))
            .collect(),
        list_files: opts.list_files,
        mapped: false,
    };
    let idx = plan::ShapeIndex::new(&catalog);
    let mut report = BuildReport {
        revision: catalog.revision,
        pipelines: catalog.pipelines.len() as u64,
        ..BuildReport::default()
    };
    for p in &plan.pages {
        match p {
            Page::Redirect(..) | Page::Alias(..) => report.redirects += 1,
            p if p.in_sitemap() => report.pages += 1,
            _ => {}
        }
    }
    report.files = plan.pages.len() as u64;
    // what an incremental build with the same plan as last time changed: appended to
    // the manifest journal instead of a new manifest (see `finish` below)
    let mut journal: Option<Vec<crate::write::JournalEntry>> = None;
    let manifest = match previous {
        None => {
            report.mode = BuildMode::Full;
            let mut manifest = writer.manifest(&state_line)?;
            const CHUNK: usize = 2048;
            for chunk in plan.pages.chunks(CHUNK) {
                for r in renderer.render(chunk, &idx)? {
                    writer.entry(&mut manifest, &r.file, r.hash, r.shape)?;
                    renderer.note(&mut report, r);
                }
            }
            report.rendered = plan.pages.len() as u64;
            Some(manifest)
        }
        Some(prev) => {
            report.mode = BuildMode::Incremental;
            let mut dirty: HashSet<Page> = HashSet::new();
            // templates, assets, content
            let changed_tpl: HashSet<&str> = state
                .templates
                .iter()
                .filter(|(n, h)| prev.templates.get(*n) != Some(*h))
                .map(|(n, _)| n.as_str())
                .collect();
            let changed_asset = |n: &str| prev.assets.get(n) != state.assets.get(n);
            let changed_content = |n: &str| prev.content.get(n) != state.content.get(n);
            if !changed_tpl.is_empty()
                || state.assets != prev.assets
                || state.content != prev.content
            {
                for p in &plan.pages {
                    let hit = changed_tpl.contains(p.template())
                        || matches!(p, Page::Asset(n) if changed_asset(n))
                        || matches!(p, Page::Content(n) if changed_content(n));
                    if hit {
                        dirty.insert(p.clone());
                    }
                }
            }
            // entities
            let mut touched_lists: HashSet<JobList> = HashSet::new();
            if prev.revision != state.revision {
                let changes = archive.changed_since(prev.revision)?;
                report.changed_entities = changes.len() as u64;
                plan::affected_by(&catalog, &archive, &changes, &mut dirty)?;
                for (k, _, _) in &changes {
                    touched_lists.extend(JobList::ALL.into_iter().filter(|l| l.list_kind() == *k));
                }
            }
            if prev.last_sync != state.last_sync {
                dirty.insert(Page::Home);
            }
            // per-status lists move when a status changes: compare their shapes
            for l in &touched_lists {
                for class in plan::STATUS_CLASSES {
                    let n = catalog
                        .status_ids
                        .get(&(*l, class))
                        .map(|v| v.len())
                        .unwrap_or(0);
                    for i in 0..=plan::chunks(n) {
                        let p = Page::StatusList(*l, class, i);
                        let shape = p.shape(&catalog, &idx);
                        if writer
                            .previous(&p.file(&catalog))
                            .is_none_or(|e| e.1 != shape)
                        {
                            dirty.insert(p);
                        }
                    }
                }
            }
            if opts.page_json {
                let views: Vec<Page> = dirty
                    .iter()
                    .filter(|p| matches!(p, Page::JobDetail(..) | Page::Pipeline(_)))
                    .map(|p| Page::ViewJson(Box::new(p.clone())))
                    .collect();
                dirty.extend(views);
            }
            let structural = prev.structure != state.structure;
            let mut updates: HashMap<String, (u128, u64)> = HashMap::new();
            let mut todo: Vec<Page> = Vec::new();
            if structural {
                // the plan's pages that are marked, new, or whose catalog inputs changed
                for p in &plan.pages {
                    if dirty.contains(p) {
                        todo.push(p.clone());
                        continue;
                    }
                    let file = p.file(&catalog);
                    let shape = p.shape(&catalog, &idx);
                    match writer.previous(&file) {
                        Some((_, s))
                            if s == shape && !matches!(p, Page::Sitemap | Page::SitemapPart(_)) => {
                        }
                        _ => todo.push(p.clone()),
                    }
                }
            } else {
                // the same plan as last time: its files are the manifest's
                todo = dirty
                    .into_iter()
                    .filter(|p| writer.previous(&p.file(&catalog)).is_some())
                    .collect();
            }
            todo.sort_by_cached_key(|p| p.file(&catalog));
            report.rendered = todo.len() as u64;
            for chunk in todo.chunks(2048) {
                for r in renderer.render(chunk, &idx)? {
                    updates.insert(r.file.clone(), (r.hash, r.shape));
                    renderer.note(&mut report, r);
                }
            }
            if structural {
                let mut manifest = writer.manifest(&state_line)?;
                for p in &plan.pages {
                    let file = p.file(&catalog);
                    let (hash, shape) = match updates.get(&file) {
                        Some(e) => *e,
                        None => writer.previous(&file).unwrap_or_default(),
                    };
                    writer.entry(&mut manifest, &file, hash, shape)?;
                }
                Some(manifest)
            } else {
                let mut entries: Vec<crate::write::JournalEntry> =
                    updates.into_iter().map(|(f, e)| (f, Some(e))).collect();
                entries.sort();
                journal = Some(entries);
                None
            }
        }
    };
    drop(renderer);
    drop(archive);
    phase("render");
    let (stats, removed) = match manifest {
        Some(m) => writer.finish(m)?,
        None => {
            // the same pages as last time: a few changed files (or none) are
            // appended to the journal, not worth a new manifest of every file
            let entries = journal.unwrap_or_default();
            if !entries.is_empty() || writer.previous_state() != Some(state_line.as_str()) {
                writer.journal(&state_line, &entries)?;
            }
            let stats = writer.stats(0);
            if writer.journal_len() > live::JOURNAL_COMPACT_BYTES {
                let out = writer.carry_manifest(&state_line, &HashMap::new())?;
                writer.finish(out)?;
            }
            (stats, Vec::new())
        }
    };
    phase("commit");
    report.write = stats;
    if opts.list_files {
        report.removed_files = removed;
        report.written_files.sort();
        report.unchanged_files.sort();
    }
    report.phases = phases;
    report.millis = started.elapsed().as_millis() as u64;
    report.files_per_second = report.files as f64 / started.elapsed().as_secs_f64().max(1e-9);
    Ok(report)
}

/// Keys of the template context that carry a page's data (see [`page_data`]).
const DATA_KEYS: [&str; 22] = [
    "title",
    "heading",
    "table",
    "job",
    "pipeline",
    "project",
    "rows",
    "counts",
    "content",
    "section",
    "lists",
    "list",
    "total",
    "chart",
    "daily_chart",
    "jobs_chart",
    "active_chart",
    "top",
    "rates",
    "months",
    "targets",
    "pager",
];

/// Calls `f` with every HTML page's site-relative path, template name and the data it
/// is rendered from (its template context as JSON, site-wide values left out),
/// without rendering or writing anything. For exporting the site's data to other
/// tools (the Hugo comparison of `scripts/bench` uses it). Returns the page count.
pub fn page_data(
    opts: &BuildOptions,
    mut f: impl FnMut(&str, &str, serde_json::Value) -> std::io::Result<()>,
) -> Result<u64, SiteError> {
    let archive = Archive::open_read_only(&opts.archive)?;
    let catalog = Catalog::build(&archive)?;
    let theme = Theme::load(opts.theme.as_deref())?;
    let content = load_content(opts.content.as_deref())?;
    let content_names: Vec<String> = content.iter().map(|c| c.name.clone()).collect();
    let asset_names: Vec<String> = theme.assets().keys().cloned().collect();
    let plan = Plan::build(&catalog, &content_names, &asset_names);
    let ctx = Ctx {
        catalog: &catalog,
        site_value: Default::default(),
        theme: &theme,
        site: site_info(&catalog, &content, opts),
        content: content.into_iter().map(|c| (c.name.clone(), c)).collect(),
        plan: &plan,
    };
    let model = Model::new(archive, &catalog);
    let mut n = 0;
    for page in plan.pages.iter().filter(|p| p.in_sitemap()) {
        let file = page.file(&catalog);
        let mut data = None;
        render_page(
            &ctx,
            &model,
            page,
            &file,
            Some(&mut |c: &Context| {
                let mut m = serde_json::Map::new();
                for k in DATA_KEYS {
                    if let Some(v) = c.get(k) {
                        m.insert(k.to_string(), serde_json::to_value(v).unwrap_or_default());
                    }
                }
                data = Some(serde_json::Value::Object(m));
            }),
        )?;
        if let Some(mut d) = data {
            if let Page::JobDetail(l, id) = page {
                let mut aliases = Vec::new();
                if l.legacy_slug().is_some() {
                    aliases.push(plan::Alias::Jobs.path(*l, *id));
                    aliases.push(plan::Alias::Results.path(*l, *id));
                }
                if matches!(l, JobList::Koji | JobList::KojiDownstream) {
                    aliases.push(plan::Alias::OtherKoji.path(*l, *id));
                }
                d["aliases"] = serde_json::json!(aliases);
            }
            f(&page.path(&catalog), page.template(), d)
                .map_err(|e| SiteError::Content(e.to_string()))?;
            n += 1;
        }
    }
    Ok(n)
}

/// One rendered page as the writer handled it.
struct Rendered {
    file: String,
    hash: u128,
    shape: u64,
    changed: bool,
}

/// Renders pages in parallel, each worker thread with its own read-only archive
/// connection, and hands the bytes to the writer.
struct Renderer<'a> {
    ctx: &'a Ctx<'a>,
    writer: &'a OutputWriter,
    archive_path: &'a std::path::Path,
    pool: &'a rayon::ThreadPool,
    workers: Vec<Mutex<Option<Model<'a>>>>,
    list_files: bool,
    /// Open the workers' connections with [`Archive::open_read_only_mapped`].
    mapped: bool,
}

impl<'a> Renderer<'a> {
    fn render(
        &self,
        pages: &[Page],
        idx: &plan::ShapeIndex<'_>,
    ) -> Result<Vec<Rendered>, SiteError> {
        let catalog = self.ctx.catalog;
        let results: Vec<Result<Rendered, SiteError>> = self.pool.install(|| {
            pages
                .par_iter()
                .map(|page| {
                    let slot = rayon::current_thread_index().unwrap_or(self.workers.len() - 1);
                    let mut guard = self.workers[slot].lock().expect("worker slot");
                    if guard.is_none() {
                        let archive = if self.mapped {
                            Archive::open_read_only_mapped(self.archive_path)?
                        } else {
                            Archive::open_read_only(self.archive_path)?
                        };
                        archive.hold_snapshot()?;
                        *guard = Some(Model::new(archive, catalog));
                    }
                    let model = guard.as_ref().expect("opened above");
                    let file = page.file(catalog);
                    let t = Instant::now();
                    let bytes = render_page(self.ctx, model, page, &file, None)?;
                    tracing::debug!(
                        target: "packit_pages::page",
                        file = %file,
                        micros = t.elapsed().as_micros() as u64,
                        "rendered"
                    );
                    let w = self.writer.write(&file, &bytes)?;
                    Ok(Rendered {
                        file,
                        hash: w.hash,
                        shape: page.shape(catalog, idx),
                        changed: w.changed,
                    })
                })
                .collect()
        });
        results.into_iter().collect()
    }

    fn note(&self, report: &mut BuildReport, r: Rendered) {
        if self.list_files {
            if r.changed {
                report.written_files.push(r.file);
            } else {
                report.unchanged_files.push(r.file);
            }
        }
    }
}

/// Renders one page to bytes.
fn render_page(
    ctx: &Ctx<'_>,
    m: &Model<'_>,
    page: &Page,
    file: &str,
    sink: Option<&mut dyn FnMut(&Context)>,
) -> Result<Vec<u8>, SiteError> {
    let path = page.path(ctx.catalog);
    let root = root_of(&path);
    let render = |tpl: &str, c: &Context| -> Result<Vec<u8>, SiteError> {
        ctx.theme
            .render(tpl, c)
            .map_err(|source| SiteError::Render {
                page: file.to_string(),
                source,
            })
    };
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
        Page::Robots => return render("robots.txt", &c),
        Page::Api(kind, id) => return extras::api_json(m, *kind, id),
        Page::ViewJson(inner) => return extras::view_json(m, inner),
        Page::Feed(f) => return extras::feed(ctx, m, f, &path, &c),
        Page::Badge(k, b) => return extras::badge(ctx, m, k, b, &c),
        Page::IndexMeta(i) => return extras::index_meta(ctx, *i),
        Page::IndexShard(i, n) => return extras::index_shard(ctx, m, *i, *n),
        Page::StatusList(l, class, n) => extras::status_list(ctx, m, &mut c, *l, *class, *n)?,
        Page::Sitemap | Page::SitemapPart(_) => return sitemap(ctx, page, &c, render),
        Page::Redirect(..) | Page::Alias(..) => {
            let target = match page {
                Page::Redirect(_, to) => to.path(ctx.catalog),
                Page::Alias(_, l, id) => model::detail_path(*l, *id),
                _ => unreachable!("matched above"),
            };
            c.insert("target", &rel_href(&root, &target));
            let canon = match &ctx.site.base_url {
                Some(b) => format!("{b}{target}"),
                None => rel_href(&root, &target),
            };
            c.insert("canonical", &canon);
            return render("redirect.html", &c);
        }
        Page::NotFound => {
            // served at any depth by static hosts: absolute links when the base URL
            // is known
            if let Some(b) = &ctx.site.base_url {
                c.insert("root", b);
            }
        }
        Page::Home => home(ctx, m, &mut c)?,
        Page::JobsIndex => {
            c.insert("title", "Jobs");
            c.insert("lists", &ctx.site.job_lists);
            c.insert("counts", &status_counts(ctx.catalog));
        }
        Page::JobListIndex(l) | Page::JobListPage(l, _) => {
            let ids = ctx
                .catalog
                .list_ids
                .get(l)
                .map(|v| v.as_slice())
                .unwrap_or(&[]);
            let (slice, n) = match page {
                Page::JobListPage(_, n) => (plan::chunk(Some(ids), *n).unwrap_or(&[]), *n),
                _ => (plan::newest(ids), 0),
            };
            c.insert("list", &ListMeta::of(*l));
            c.insert("table", &m.list_rows(*l, slice)?);
            extras::list_filter(ctx, &mut c, plan::IndexList::Jobs(*l), None, n == 0);
            if l.has_targets() {
                c.insert(
                    "targets",
                    &Link::int(format!("jobs/{}/targets/", l.slug()), l.targets_title()),
                );
                c.insert(
                    "target_count",
                    &ctx.catalog.detail_ids.get(l).map(|v| v.len()).unwrap_or(0),
                );
            }
            paging(&mut c, &format!("jobs/{}/", l.slug()), ids.len(), n, slice);
            c.insert(
                "title",
                &if n == 0 {
                    l.title().to_string()
                } else {
                    format!("{} – page {n}", l.title())
                },
            );
        }
        Page::TargetList(l, n) => {
            let ids = ctx
                .catalog
                .detail_ids
                .get(l)
                .map(|v| v.as_slice())
                .unwrap_or(&[]);
            let slice = if *n == 0 {
                plan::newest(ids)
            } else {
                plan::chunk(Some(ids), *n).unwrap_or(&[])
            };
            c.insert(
                "list",
                &ListMeta {
                    slug: l.slug(),
                    title: l.targets_title(),
                    singular: l.singular(),
                },
            );
            c.insert("back", &Link::int(format!("jobs/{}/", l.slug()), l.title()));
            c.insert("table", &m.target_rows(*l, slice)?);
            paging(
                &mut c,
                &format!("jobs/{}/targets/", l.slug()),
                ids.len(),
                *n,
                slice,
            );
            c.insert(
                "title",
                &if *n == 0 {
                    l.targets_title().to_string()
                } else {
                    format!("{} – page {n}", l.targets_title())
                },
            );
        }
        Page::JobDetail(l, id) => {
            let (title, d) = extras::detail_view(m, *l, *id)?;
            c.insert("title", &title);
            c.insert("job", &d);
            c.insert("archived_logs", &logs::job_logs(m, *l, *id)?);
        }
        Page::Log(l, id, name) => logs::log_page(m, &mut c, *l, *id, name)?,
        Page::LogRaw(l, id, name) => return logs::log_raw(m, *l, *id, name),
        Page::PipelineIndex | Page::PipelinePage(_) => {
            let ids = &ctx.catalog.pipelines;
            let (slice, n) = match page {
                Page::PipelinePage(n) => (plan::chunk(Some(ids), *n).unwrap_or(&[]), *n),
                _ => (plan::newest(ids), 0),
            };
            c.insert("table", &m.pipeline_rows(slice)?);
            paging(&mut c, "pipeline/", ids.len(), n, slice);
            extras::list_filter(ctx, &mut c, plan::IndexList::Pipelines, None, false);
            c.insert(
                "title",
                &if n == 0 {
                    "Pipelines".to_string()
                } else {
                    format!("Pipelines – page {n}")
                },
            );
        }
        Page::Pipeline(id) => {
            let (title, v) = extras::pipeline_view(m, *id)?;
            c.insert("title", &title);
            c.insert("pipeline", &v);
        }
        Page::Projects(n) => {
            let all: Vec<&ProjectEntry> = ctx.catalog.projects.values().collect();
            projects_page(ctx, m, &mut c, &all, *n, "projects/", "Projects", None)?;
            extras::list_filter(ctx, &mut c, plan::IndexList::Projects, None, false);
        }
        Page::Forge(f, n) => {
            let all: Vec<&ProjectEntry> = ctx
                .catalog
                .projects
                .values()
                .filter(|p| p.forge() == &**f)
                .collect();
            projects_page(
                ctx,
                m,
                &mut c,
                &all,
                *n,
                &model::forge_path(f),
                f,
                Some(vec![]),
            )?;
        }
        Page::Namespace(f, ns, n) => {
            let all: Vec<&ProjectEntry> = ctx
                .catalog
                .projects
                .values()
                .filter(|p| p.forge() == &**f && p.namespace() == &**ns)
                .collect();
            let crumbs = vec![Link::int(model::forge_path(f), f.to_string())];
            projects_page(
                ctx,
                m,
                &mut c,
                &all,
                *n,
                &model::namespace_path(f, ns, ctx.catalog),
                &format!("{f}/{ns}"),
                Some(crumbs),
            )?;
        }
        Page::Project(k) => {
            let p = &ctx.catalog.projects[&**k];
            let v = m.project(p)?;
            let recent = plan::newest(&p.pipelines);
            let recent = &recent[recent.len().saturating_sub(10)..];
            c.insert("title", &format!("{}/{}", v.namespace, v.repo));
            c.insert("project", &v);
            c.insert("table", &m.pipeline_rows(recent)?);
            c.insert("history", &format!("{}history/", model::project_path(k)));
            extras::project_embed(ctx, m, &mut c, p)?;
        }
        Page::ProjectSection(k, s, n) => {
            let p = &ctx.catalog.projects[&**k];
            let names = p.names(*s);
            let per = PER_PAGE;
            let start = (*n as usize - 1) * per;
            let slice = &names[start.min(names.len())..(start + per).min(names.len())];
            let v = m.project(p)?;
            c.insert("project", &v);
            c.insert("section", &SectionMeta::of(*s));
            c.insert("rows", &m.trigger_rows(p, *s, slice)?);
            let base = format!("{}{}/", model::project_path(k), s.slug());
            c.insert("pager", &simple_pager(&base, names.len(), *n));
            c.insert("total", &names.len());
            c.insert(
                "title",
                &format!(
                    "{} of {}/{}{}",
                    s.title(),
                    v.namespace,
                    v.repo,
                    if *n > 1 {
                        format!(" – page {n}")
                    } else {
                        String::new()
                    }
                ),
            );
        }
        Page::ProjectHistory(k, n) => {
            let p = &ctx.catalog.projects[&**k];
            let v = m.project(p)?;
            let base = format!("{}history/", model::project_path(k));
            history(&mut c, m, &p.pipelines, &base, *n)?;
            c.insert("project", &v);
            c.insert("heading", &format!("History of {}/{}", v.namespace, v.repo));
            c.insert(
                "title",
                &format!(
                    "Pipelines of {}/{}{}",
                    v.namespace,
                    v.repo,
                    if *n > 0 {
                        format!(" – page {n}")
                    } else {
                        String::new()
                    }
                ),
            );
        }
        Page::Trigger(k, s, name, n) => {
            let p = &ctx.catalog.projects[&**k];
            let v = m.project(p)?;
            let ids = p
                .triggers
                .get(&(*s, name.to_string()))
                .cloned()
                .unwrap_or_default();
            let base = model::trigger_path(k, *s, name);
            if ids.len() <= PER_PAGE {
                c.insert("table", &m.pipeline_rows(&ids)?);
                c.insert("total", &ids.len());
                c.insert("pager", &Vec::<PagerItem>::new());
            } else {
                history(&mut c, m, &ids, &base, *n)?;
            }
            let label = model::trigger_name(*s, name);
            let what = match s {
                Section::Prs => "Pull request",
                Section::Branches => "Branch",
                Section::Releases => "Release",
                Section::Issues => "Issue",
            };
            c.insert("project", &v);
            c.insert("section", &SectionMeta::of(*s));
            c.insert(
                "forge_url",
                &v.url
                    .as_deref()
                    .map(|u| model::trigger_forge_url(u, *s, name)),
            );
            c.insert(
                "heading",
                &format!("{what} {label} of {}/{}", v.namespace, v.repo),
            );
            c.insert(
                "title",
                &format!(
                    "{what} {label} of {}/{}{}",
                    v.namespace,
                    v.repo,
                    if *n > 0 {
                        format!(" – page {n}")
                    } else {
                        String::new()
                    }
                ),
            );
        }
        Page::Usage => usage(ctx, m, &mut c)?,
        Page::Content(name) => {
            let cv = ctx.content.get(&**name);
            c.insert("title", &cv.map(|c| c.title.clone()).unwrap_or_default());
            c.insert("content", &cv);
        }
    }
    let _ = ctx.plan;
    if let Some(sink) = sink {
        sink(&c);
        return Ok(Vec::new());
    }
    render(page.template(), &c)
}

#[derive(Serialize)]
struct ListMeta {
    slug: &'static str,
    title: &'static str,
    singular: &'static str,
}

impl ListMeta {
    fn of(l: JobList) -> ListMeta {
        ListMeta {
            slug: l.slug(),
            title: l.title(),
            singular: l.singular(),
        }
    }
}

#[derive(Serialize)]
struct SectionMeta {
    slug: &'static str,
    title: &'static str,
}

impl SectionMeta {
    fn of(s: Section) -> SectionMeta {
        SectionMeta {
            slug: s.slug(),
            title: s.title(),
        }
    }
}

/// Paging of a fixed-chunk list: `n` = 0 for the index.
fn paging(c: &mut Context, base: &str, total: usize, n: u32, slice: &[i64]) {
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
    let older = if n > 1 {
        Some(format!("{base}page/{}/", n - 1))
    } else {
        None
    };
    c.insert("newer", &newer);
    c.insert("older", &older);
}

fn history(
    c: &mut Context,
    m: &Model<'_>,
    ids: &[i64],
    base: &str,
    n: u32,
) -> Result<(), SiteError> {
    let slice = if n == 0 {
        plan::newest(ids)
    } else {
        plan::chunk(Some(ids), n).unwrap_or(&[])
    };
    c.insert("table", &m.pipeline_rows(slice)?);
    paging(c, base, ids.len(), n, slice);
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn projects_page(
    _ctx: &Ctx<'_>,
    m: &Model<'_>,
    c: &mut Context,
    all: &[&ProjectEntry],
    n: u32,
    base: &str,
    heading: &str,
    crumbs: Option<Vec<Link>>,
) -> Result<(), SiteError> {
    let start = (n as usize - 1) * PER_PAGE;
    let slice = &all[start.min(all.len())..(start + PER_PAGE).min(all.len())];
    let mut rows = Vec::with_capacity(slice.len());
    for p in slice {
        rows.push(m.project_row(p)?);
    }
    c.insert("rows", &rows);
    c.insert("pager", &simple_pager(base, all.len(), n));
    c.insert("total", &all.len());
    c.insert("heading", heading);
    c.insert("crumbs", &crumbs);
    c.insert(
        "title",
        &if n > 1 {
            format!("{heading} – page {n}")
        } else {
            heading.to_string()
        },
    );
    Ok(())
}

// ---------------------------------------------------------------- aggregates

#[derive(Serialize)]
struct CountRow {
    title: &'static str,
    href: String,
    total: u64,
    cells: Vec<u64>,
}

#[derive(Serialize)]
struct Counts {
    classes: Vec<StatusView>,
    rows: Vec<CountRow>,
}

const CLASSES: [&str; 8] = [
    "success", "failure", "error", "pending", "running", "skipped", "canceled", "unknown",
];

fn status_counts(cat: &Catalog) -> Counts {
    use crate::api::types::StatusClass as C;
    let classes = [
        C::Success,
        C::Failure,
        C::Error,
        C::Pending,
        C::Running,
        C::Skipped,
        C::Canceled,
        C::Unknown,
    ];
    let rows = JobList::ALL
        .iter()
        .map(|l| {
            let cells: Vec<u64> = classes
                .iter()
                .map(|c| cat.stats.by_status.get(&(*l, *c)).copied().unwrap_or(0))
                .collect();
            CountRow {
                title: l.title(),
                href: format!("jobs/{}/", l.slug()),
                total: cells.iter().sum(),
                cells,
            }
        })
        .collect();
    Counts {
        classes: CLASSES.iter().map(|s| StatusView::of(s)).collect(),
        rows,
    }
}

/// A bar chart laid out for inline SVG.
#[derive(Serialize, Default)]
struct Chart {
    id: String,
    title: String,
    width: u32,
    height: u32,
    bars: Vec<Bar>,
    max: u64,
    labels: Vec<(u32, String)>,
}

#[derive(Serialize)]
struct Bar {
    x: u32,
    y: u32,
    w: u32,
    h: u32,
    label: String,
    value: u64,
}

fn chart(id: &str, title: &str, data: &[(String, u64)], label_every: usize) -> Chart {
    let (width, height, top) = (720u32, 180u32, 8u32);
    let n = data.len().max(1) as u32;
    let slot = (width / n).clamp(2, 48);
    let max = data.iter().map(|d| d.1).max().unwrap_or(0).max(1);
    let bars = data
        .iter()
        .enumerate()
        .map(|(i, (label, v))| {
            let h = ((*v as f64 / max as f64) * (height - top - 20) as f64).round() as u32;
            Bar {
                x: i as u32 * slot + 1,
                y: height - 20 - h,
                w: slot.saturating_sub(2).max(1),
                h,
                label: label.clone(),
                value: *v,
            }
        })
        .collect();
    let labels = data
        .iter()
        .enumerate()
        .filter(|(i, _)| i % label_every.max(1) == 0)
        .map(|(i, (l, _))| (i as u32 * slot + 1, l.clone()))
        .collect();
    Chart {
        id: id.into(),
        title: title.into(),
        width: width.max(n * slot),
        height,
        bars,
        max,
        labels,
    }
}

fn home(ctx: &Ctx<'_>, m: &Model<'_>, c: &mut Context) -> Result<(), SiteError> {
    let cat = ctx.catalog;
    c.insert("title", "Packit results");
    c.insert("counts", &status_counts(cat));
    let recent = &cat.pipelines[cat.pipelines.len().saturating_sub(10)..];
    c.insert("table", &m.pipeline_rows(recent)?);
    // 30 days ending at the last sync (or the newest pipeline)
    let end = cat
        .last_sync
        .or_else(|| {
            cat.stats
                .pipelines_per_day
                .keys()
                .last()
                .map(|d| d * 86_400)
        })
        .unwrap_or(0)
        .div_euclid(86_400);
    let data: Vec<(String, u64)> = (end - 29..=end)
        .map(|d| {
            (
                crate::time::date_utc(d * 86_400)[5..].to_string(),
                cat.stats.pipelines_per_day.get(&d).copied().unwrap_or(0),
            )
        })
        .collect();
    let total: u64 = data.iter().map(|d| d.1).sum();
    c.insert(
        "chart",
        &chart("activity", "Pipelines per day, last 30 days", &data, 5),
    );
    c.insert("chart_total", &total);
    c.insert("projects", &cat.projects.len());
    c.insert("pipelines", &cat.pipelines.len());
    c.insert("lists", &ctx.site.job_lists);
    Ok(())
}

#[derive(Serialize)]
struct MonthRow {
    month: String,
    cells: Vec<u64>,
    total: u64,
    active: usize,
}

#[derive(Serialize)]
struct RateRow {
    title: &'static str,
    href: String,
    finished: u64,
    success: u64,
    rate: String,
    width: u32,
}

#[derive(Serialize)]
struct TopRow {
    name: String,
    href: Option<String>,
    pipelines: u64,
}

fn usage(ctx: &Ctx<'_>, _m: &Model<'_>, c: &mut Context) -> Result<(), SiteError> {
    use crate::api::types::StatusClass as C;
    let cat = ctx.catalog;
    c.insert("title", "Usage statistics");
    let months: Vec<MonthRow> = cat
        .stats
        .per_month
        .iter()
        .rev()
        .map(|(m, per)| {
            let cells: Vec<u64> = JobList::ALL
                .iter()
                .map(|l| per.get(l).copied().unwrap_or(0))
                .collect();
            MonthRow {
                month: m.clone(),
                total: cells.iter().sum(),
                cells,
                active: cat
                    .stats
                    .active_per_month
                    .get(m)
                    .map(|s| s.len())
                    .unwrap_or(0),
            }
        })
        .collect();
    let jobs_data: Vec<(String, u64)> = months
        .iter()
        .rev()
        .map(|r| (r.month.clone(), r.total))
        .collect();
    let active_data: Vec<(String, u64)> = months
        .iter()
        .rev()
        .map(|r| (r.month.clone(), r.active as u64))
        .collect();
    let every = (jobs_data.len() / 8).max(1);
    // the last 90 days of the archive, day by day
    let end = cat.stats.jobs_per_day.keys().last().copied().unwrap_or(0);
    let daily: Vec<(String, u64)> = (end - 89..=end)
        .map(|d| {
            (
                crate::time::date_utc(d * 86_400)[5..].to_string(),
                cat.stats.jobs_per_day.get(&d).copied().unwrap_or(0),
            )
        })
        .collect();
    c.insert(
        "daily_chart",
        &chart(
            "jobs-day",
            "Jobs per day, last 90 days of the archive",
            &daily,
            10,
        ),
    );
    c.insert(
        "jobs_chart",
        &chart("jobs-month", "Jobs per month", &jobs_data, every),
    );
    c.insert(
        "active_chart",
        &chart(
            "active-month",
            "Active projects per month",
            &active_data,
            every,
        ),
    );
    c.insert("months", &months);
    c.insert(
        "list_titles",
        &JobList::ALL.iter().map(|l| l.title()).collect::<Vec<_>>(),
    );
    let rates: Vec<RateRow> = JobList::ALL
        .iter()
        .filter(|l| **l != JobList::KojiTagRequests)
        .map(|l| {
            let get = |cl: C| cat.stats.by_status.get(&(*l, cl)).copied().unwrap_or(0);
            let success = get(C::Success);
            let finished = success + get(C::Failure) + get(C::Error);
            let rate = if finished == 0 {
                0.0
            } else {
                success as f64 / finished as f64
            };
            RateRow {
                title: l.title(),
                href: format!("jobs/{}/", l.slug()),
                finished,
                success,
                rate: if finished == 0 {
                    "–".into()
                } else {
                    format!("{:.1} %", rate * 100.0)
                },
                width: (rate * 100.0).round() as u32,
            }
        })
        .collect();
    c.insert("rates", &rates);
    let mut top: Vec<(&String, &u64)> = cat.stats.pipelines_per_project.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let top: Vec<TopRow> = top
        .into_iter()
        .take(20)
        .map(|(k, n)| TopRow {
            name: k.clone(),
            href: cat.projects.contains_key(k).then(|| model::project_path(k)),
            pipelines: *n,
        })
        .collect();
    c.insert("top", &top);
    c.insert("projects", &cat.projects.len());
    c.insert(
        "forges",
        &cat.forges()
            .into_iter()
            .map(|(f, v)| (f.to_string(), v.len()))
            .collect::<Vec<_>>(),
    );
    Ok(())
}

fn sitemap(
    ctx: &Ctx<'_>,
    page: &Page,
    c: &Context,
    render: impl Fn(&str, &Context) -> Result<Vec<u8>, SiteError>,
) -> Result<Vec<u8>, SiteError> {
    let base = ctx.site.base_url.clone().unwrap_or_default();
    let all: Vec<&Page> = ctx.plan.pages.iter().filter(|p| p.in_sitemap()).collect();
    let mut c = c.clone();
    let parts = all.len().div_ceil(plan::SITEMAP_MAX);
    match page {
        Page::Sitemap if parts > 1 => {
            let locs: Vec<String> = (1..=parts)
                .map(|i| format!("{base}sitemap-{i}.xml"))
                .collect();
            c.insert("index", &locs);
            c.insert("urls", &Vec::<String>::new());
        }
        _ => {
            let n = match page {
                Page::SitemapPart(n) => *n as usize,
                _ => 1,
            };
            let start = (n - 1) * plan::SITEMAP_MAX;
            let urls: Vec<String> = all
                [start.min(all.len())..(start + plan::SITEMAP_MAX).min(all.len())]
                .iter()
                .map(|p| format!("{base}{}", p.path(ctx.catalog)))
                .collect();
            c.insert("index", &Vec::<String>::new());
            c.insert("urls", &urls);
        }
    }
    render("sitemap.xml", &c)
}
