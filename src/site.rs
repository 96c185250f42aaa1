//! The build driver: archive → model → plan → render → write.
//!
//! [`build`] opens the archive read-only, indexes it once ([`Catalog`]), decides the
//! pages ([`Plan`](crate::plan::Plan)), and renders them in parallel on all cores in chunks, each rayon
//! worker with its own read-only archive connection; rendered bytes go straight to
//! the [`OutputWriter`] and are dropped, so memory stays flat however big the site.
//! Pages never embed the wall-clock time: the footer shows the archive's last sync,
//! so two builds of the same archive are byte-identical.

use crate::archive::Archive;
use crate::model::{self, Catalog, JobList};
use crate::plan::{self, Page};
use crate::render::{RenderError, Theme};
use crate::write::{OutputWriter, WriteError, WriteStats};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::time::Instant;

mod content;
mod dirty;
mod page_data;
mod page_problem;
mod renderer;
mod session;
mod state;
mod unwritable;

pub use crate::jobs::read::{Drift, DriftGroup};

pub use content::{ContentView, TocView};
pub use page_data::page_data;
pub use page_problem::path_problem;
pub use session::Session;
pub use unwritable::{UnwritablePage, unwritable_pages};

use content::load_content;
use renderer::{Renderer, plan_of, site_info};
use state::{BuildState, build_state};

/// Errors of a build.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    /// Reading the archive failed.
    #[error(transparent)]
    Archive(#[from] crate::archive::ArchiveError),
    /// Building a view failed.
    #[error(transparent)]
    Model(#[from] model::ModelError),
    /// Rendering one page failed.
    #[error(transparent)]
    Page(#[from] crate::pages::PageError),
    /// Loading the theme failed.
    #[error(transparent)]
    Theme(#[from] RenderError),
    /// Writing failed.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// Loading content pages failed.
    #[error("content: {0}")]
    Content(String),
    /// The worker thread pool could not be started (shown as before the variant
    /// had its own name).
    #[error("content: {0}")]
    ThreadPool(String),
    /// The archive changed under every attempt to build it and load the session.
    /// Not returned any more: a live session keeps what its build read (see
    /// [`Session::open`]); kept so that code naming it still compiles.
    #[error("content: {}: the archive kept changing while the site was built; try again", .0.display())]
    KeptChanging(PathBuf),
    /// The callback of [`page_data`] failed.
    #[error("content: {0}")]
    Export(std::io::Error),
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
    /// Wall time per phase in milliseconds (like [`BuildReport::millis`]). A build:
    /// indexing the archive (`catalog`), loading the theme and content and planning
    /// the pages (`plan`), reading the previous manifest (`manifest`), deciding and
    /// rendering and writing pages (`render`), and committing the manifest and
    /// removing stale files (`commit`). A live update ([`Session::update`]): reading
    /// the change set (`changed_since`), finding the plan groups it touches
    /// (`groups`, `changes`), patching the catalog (`catalog`), deciding the pages
    /// (`plan`), rendering and writing them (`render`), and removing pages and
    /// appending to the manifest journal (`commit`).
    pub phases: BTreeMap<&'static str, u64>,
    /// Files written (new or changed), when asked for ([`BuildOptions::list_files`]).
    pub written_files: Vec<String>,
    /// Files rendered with the bytes already on disk, when asked for.
    pub unchanged_files: Vec<String>,
    /// Files removed (no longer part of the site), when asked for.
    pub removed_files: Vec<String>,
    /// Pages that could not be rendered or written: every other page was written
    /// and published (the command line exits 1 when there are any).
    pub failed_pages: Vec<FailedPage>,
    /// Stored fields that could not be read (each shown as unreadable on its page)
    /// and fields the code does not know yet, by kind and field: of every entity in
    /// a full build, of the entities changed since the last build in an incremental
    /// one.
    pub drift: Drift,
}

/// A page a build could not render or write.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct FailedPage {
    /// Its file in the site (shortened when long in the JSON report).
    #[serde(serialize_with = "serialize_short")]
    pub file: String,
    /// The entity it shows: kind, id or name (shortened when long).
    pub entity: String,
    /// What went wrong (shortened when long).
    pub error: String,
}

fn serialize_short<S: serde::Serializer>(s: &str, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(&short(s))
}

/// `s` as it is when short, otherwise its first 100 characters, `…` and a short hash
/// of the whole value (so two long values stay apart) — for log lines and reports.
pub fn short(s: &str) -> std::borrow::Cow<'_, str> {
    const KEEP: usize = 100;
    match s.char_indices().nth(KEEP + 20) {
        None => std::borrow::Cow::Borrowed(s),
        Some(_) => {
            let cut = s
                .char_indices()
                .nth(KEEP)
                .map(|(i, _)| i)
                .unwrap_or(s.len());
            let h = xxhash_rust::xxh3::xxh3_64(s.as_bytes());
            std::borrow::Cow::Owned(format!(
                "{}…[{} bytes, #{:08x}]",
                &s[..cut],
                s.len(),
                h >> 32
            ))
        }
    }
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

/// The wall time of the phases of a build or a live update, in milliseconds (the
/// unit of [`BuildReport::phases`]).
struct Laps {
    phases: BTreeMap<&'static str, u64>,
    lap: Instant,
}

impl Laps {
    /// Starts timing the first phase at `started`.
    fn new(started: Instant) -> Laps {
        Laps {
            phases: BTreeMap::new(),
            lap: started,
        }
    }

    /// Ends the phase `name` now and starts the next.
    fn lap(&mut self, name: &'static str) {
        self.phases
            .insert(name, self.lap.elapsed().as_millis() as u64);
        self.lap = Instant::now();
    }
}

/// What a build read and decided, kept by a live session ([`Session::open`]).
struct Built {
    catalog: Catalog,
    theme: Theme,
    content: Vec<ContentView>,
    plan: plan::Plan,
    /// The build state the build recorded (with the pages it could not write).
    state: BuildState,
    pool: rayon::ThreadPool,
}

/// Builds the site. See the module documentation.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, SiteError> {
    build_keeping(opts, false).map(|(report, _)| report)
}

/// [`build`], returning what it read and decided as well (`live`: with a catalog
/// that [`Catalog::apply`] can patch).
fn build_keeping(opts: &BuildOptions, live: bool) -> Result<(BuildReport, Built), SiteError> {
    let started = Instant::now();
    Archive::upgrade(&opts.archive)?;
    let archive = Archive::open_read_only(&opts.archive)?;
    let mut laps = Laps::new(started);
    let catalog = if live {
        Catalog::build_live(&archive)?
    } else {
        Catalog::build(&archive)?
    };
    laps.lap("catalog");
    let theme = Theme::load(opts.theme.as_deref())?;
    let content = load_content(opts.content.as_deref())?;
    let plan = plan_of(&catalog, &theme, &content, opts);
    let site = site_info(&catalog, &content, opts);
    let state = build_state(opts, &catalog, &theme, &content, &site, None);
    let mut state_line = serde_json::to_string(&state).unwrap_or_default();
    // the state recorded, with the pages that could not be written (set below)
    let mut recorded = state.clone();
    let ctx = renderer::context(&catalog, &theme, site, content.iter().cloned(), &plan);
    laps.lap("plan");
    let mut writer = OutputWriter::open(&opts.out, opts.full)?;
    laps.lap("manifest");
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
    let pool = renderer::pool(opts.threads)?;
    let renderer = Renderer::new(&ctx, &writer, opts, &pool, false);
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
            report.drift = drift_of(&archive, None)?;
            let mut manifest = writer.manifest(&state_line)?;
            const CHUNK: usize = 2048;
            // in write order: a page before the pages that link to it
            let mut order: Vec<usize> = (0..plan.pages.len()).collect();
            order.sort_by_key(|i| plan.pages[*i].write_rank());
            for chunk in order.chunks(CHUNK) {
                let chunk: Vec<Page> = chunk.iter().map(|i| plan.pages[*i].clone()).collect();
                for r in renderer.render(&chunk, &idx)? {
                    writer.entry(&mut manifest, &r.file, r.hash, r.shape)?;
                    renderer.note(&mut report, r);
                }
            }
            report.rendered = plan.pages.len() as u64;
            // the pages that failed are left out of the manifest and named in the
            // state, so the next build renders them again
            let failed = renderer.failed_files();
            for f in &failed {
                manifest.spare(f);
            }
            recorded.failed = failed.into_iter().collect();
            writer.restate(
                &mut manifest,
                &serde_json::to_string(&recorded).unwrap_or_default(),
            )?;
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
                report.drift = drift_of(&archive, Some(&changes))?;
                plan::affected_by(&catalog, &archive, &changes, &mut dirty)?;
                for (k, _, _) in &changes {
                    touched_lists.extend(JobList::ALL.into_iter().filter(|l| l.list_kind() == *k));
                }
            }
            // the pages the last build could not render or write: again
            let retry: HashSet<Page> = if prev.failed.is_empty() {
                HashSet::new()
            } else {
                plan.pages
                    .iter()
                    .filter(|p| prev.failed.contains(&p.file(&catalog)))
                    .cloned()
                    .collect()
            };
            let structural = prev.structure != state.structure;
            let mut updates: HashMap<String, (u128, u64)> = HashMap::new();
            // with a new plan, its pages: the marked ones, the sitemap, and every page
            // whose shape is compared; with the same plan, the manifest's pages: the
            // marked ones and the per-status lists of the touched lists (they move
            // when a status changes)
            let status_lists: Vec<Page> = if structural {
                dirty = plan
                    .pages
                    .iter()
                    .filter(|p| {
                        dirty.contains(*p) || matches!(p, Page::Sitemap | Page::SitemapPart(_))
                    })
                    .cloned()
                    .collect();
                Vec::new()
            } else {
                let mut v = Vec::new();
                for l in &touched_lists {
                    for class in plan::STATUS_CLASSES {
                        let n = catalog
                            .status_ids
                            .get(&(*l, class))
                            .map(|v| v.len())
                            .unwrap_or(0);
                        v.extend((0..=plan::chunks(n)).map(|i| Page::StatusList(*l, class, i)));
                    }
                }
                v
            };
            let facts = dirty::Facts {
                catalog: &catalog,
                idx: &idx,
                marked: dirty,
                sync_changed: prev.last_sync != state.last_sync,
                compare: if structural {
                    plan.pages.iter().collect()
                } else {
                    status_lists.iter().collect()
                },
                added: HashSet::new(),
                removed: HashSet::new(),
                retry,
                page_json: opts.page_json,
            };
            let todo = dirty::decide(
                facts,
                |p| writer.previous(&p.file(&catalog)).map(|e| e.1),
                |p| structural || writer.previous(&p.file(&catalog)).is_some(),
            )
            .render;
            report.rendered = todo.len() as u64;
            for chunk in todo.chunks(2048) {
                for r in renderer.render(chunk, &idx)? {
                    updates.insert(r.file.clone(), (r.hash, r.shape));
                    renderer.note(&mut report, r);
                }
            }
            // a page that failed leaves the manifest and is named in the state, so
            // the next build writes it
            let failed: HashSet<String> = renderer.failed_files();
            recorded.failed = failed.iter().cloned().collect();
            state_line = serde_json::to_string(&recorded).unwrap_or_default();
            if structural {
                let mut manifest = writer.manifest(&state_line)?;
                for p in &plan.pages {
                    let file = p.file(&catalog);
                    if failed.contains(&file) {
                        manifest.spare(&file);
                        continue;
                    }
                    let (hash, shape) = match updates.get(&file) {
                        Some(e) => *e,
                        None => writer.previous(&file).unwrap_or_default(),
                    };
                    writer.entry(&mut manifest, &file, hash, shape)?;
                }
                Some(manifest)
            } else {
                let mut entries: Vec<crate::write::JournalEntry> = updates
                    .into_iter()
                    .map(|(f, e)| (f, Some(e)))
                    .chain(failed.into_iter().map(|f| (f, None)))
                    .collect();
                entries.sort();
                journal = Some(entries);
                None
            }
        }
    };
    report.failed_pages = renderer.take_failed();
    drop(renderer);
    drop(ctx);
    drop(archive);
    laps.lap("render");
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
            if writer.journal_len() > session::JOURNAL_COMPACT_BYTES {
                let out = writer.carry_manifest(&state_line, &HashMap::new())?;
                writer.finish(out)?;
            }
            (stats, Vec::new())
        }
    };
    laps.lap("commit");
    report.write = stats;
    if opts.list_files {
        report.removed_files = removed;
        report.written_files.sort();
        report.unchanged_files.sort();
    }
    report.phases = laps.phases;
    report.millis = started.elapsed().as_millis() as u64;
    report.files_per_second = report.files as f64 / started.elapsed().as_secs_f64().max(1e-9);
    let built = Built {
        catalog,
        theme,
        content,
        plan,
        state: recorded,
        pool,
    };
    Ok((report, built))
}

/// The drift (unreadable and unknown fields) of every entity of `archive`, or of the
/// entities `only` names.
pub fn drift_of(
    archive: &Archive,
    only: Option<&[(crate::api::Kind, String, bool)]>,
) -> Result<Drift, crate::archive::ArchiveError> {
    let mut c = crate::jobs::read::DriftCollector::new(true);
    let mut add = |e: crate::archive::Entity| {
        c.add(
            e.kind,
            &e.id,
            e.list_json.as_deref(),
            e.detail_json.as_deref(),
        )
    };
    match only {
        None => {
            for kind in crate::api::Kind::ALL {
                archive.for_each(kind, &mut add)?;
            }
        }
        Some(changes) => {
            for (kind, id, _) in changes {
                if let Some(e) = archive.get(*kind, id)? {
                    add(e);
                }
            }
        }
    }
    Ok(c.finish())
}
