//! The one place that sets up rendering: the site-wide values and plan of a build,
//! the render context ([`Ctx`]) and the [`Renderer`] that renders pages in parallel
//! (each worker with its own read-only archive connection) and hands the bytes to
//! the writer.

use super::content::ContentView;
use super::{BuildOptions, BuildReport, SiteError};
use crate::archive::Archive;
use crate::model::{self, Catalog, JobList, Model, tv};
use crate::pages::{Ctx, NavList, SiteInfo, render_page};
use crate::plan::{self, Page, Plan};
use crate::render::Theme;
use crate::write::OutputWriter;
use rayon::prelude::*;
use std::sync::Mutex;
use std::time::Instant;

/// Site-wide values of a build.
pub(super) fn site_info(
    catalog: &Catalog,
    content: &[ContentView],
    opts: &BuildOptions,
) -> SiteInfo {
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
pub(super) fn plan_of(
    catalog: &Catalog,
    theme: &Theme,
    content: &[ContentView],
    opts: &BuildOptions,
) -> Plan {
    let content_names: Vec<String> = content.iter().map(|c| c.name.clone()).collect();
    let asset_names: Vec<String> = theme.assets().keys().cloned().collect();
    let mut plan = Plan::build(catalog, &content_names, &asset_names);
    if opts.page_json {
        plan.add_view_json();
    }
    plan
}

/// The render context of a build.
pub(super) fn context<'a>(
    catalog: &'a Catalog,
    theme: &'a Theme,
    site: SiteInfo,
    content: impl IntoIterator<Item = ContentView>,
    plan: &'a Plan,
) -> Ctx<'a> {
    Ctx {
        catalog,
        site_value: Default::default(),
        theme,
        site,
        content: content.into_iter().map(|c| (c.name.clone(), c)).collect(),
        plan,
    }
}

/// The worker thread pool of a build (`threads`: default all cores).
pub(super) fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool, SiteError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .map_err(|e| SiteError::ThreadPool(e.to_string()))
}

/// One rendered page as the writer handled it.
pub(super) struct Rendered {
    pub(super) file: String,
    pub(super) hash: u128,
    pub(super) shape: u64,
    changed: bool,
}

/// Renders pages in parallel, each worker thread with its own read-only archive
/// connection, and hands the bytes to the writer.
pub(super) struct Renderer<'a> {
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
    pub(super) fn render(
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

    pub(super) fn note(&self, report: &mut BuildReport, r: Rendered) {
        if self.list_files {
            if r.changed {
                report.written_files.push(r.file);
            } else {
                report.unchanged_files.push(r.file);
            }
        }
    }
}

impl<'a> Renderer<'a> {
    /// A renderer of `ctx`'s pages on `pool` into `writer` (`mapped`: open the
    /// workers' connections with [`Archive::open_read_only_mapped`]).
    pub(super) fn new(
        ctx: &'a Ctx<'a>,
        writer: &'a OutputWriter,
        opts: &'a BuildOptions,
        pool: &'a rayon::ThreadPool,
        mapped: bool,
    ) -> Renderer<'a> {
        Renderer {
            ctx,
            writer,
            archive_path: &opts.archive,
            pool,
            workers: (0..pool.current_num_threads() + 1)
                .map(|_| Mutex::new(None))
                .collect(),
            list_files: opts.list_files,
            mapped,
        }
    }
}
