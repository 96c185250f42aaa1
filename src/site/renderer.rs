//! The one place that sets up rendering: the site-wide values and plan of a build,
//! the render context ([`Ctx`]) and the [`Renderer`] that renders pages in parallel
//! (each worker with its own read-only archive connection) and hands the bytes to
//! the writer.

use super::content::ContentView;
use super::page_problem::{entity_of, path_problem};
use super::{BuildOptions, BuildReport, FailedPage, SiteError};
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
                href: crate::urls::job_list_path(l.slug()),
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
    /// Index of the page in the slice handed to [`Renderer::render`].
    pub(super) index: usize,
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
    /// Pages that could not be rendered or written (the build goes on without them).
    failed: Mutex<Vec<FailedPage>>,
}

impl<'a> Renderer<'a> {
    /// Renders `pages` and writes them, rank by rank ([`Page::write_rank`]): every
    /// page of a rank is on disk before any page of the next is written, so an
    /// interrupted build leaves no page linking to one it had not written. The
    /// pages of one rank are rendered in parallel. A page that cannot be rendered
    /// or written is recorded (see [`Renderer::take_failed`]), not returned.
    pub(super) fn render(
        &self,
        pages: &[Page],
        idx: &plan::ShapeIndex<'_>,
    ) -> Result<Vec<Rendered>, SiteError> {
        let mut order: Vec<usize> = (0..pages.len()).collect();
        order.sort_by_key(|i| pages[*i].write_rank());
        let mut out = Vec::with_capacity(pages.len());
        for rank in order.chunk_by(|a, b| pages[*a].write_rank() == pages[*b].write_rank()) {
            let results: Vec<Result<Option<Rendered>, SiteError>> = self.pool.install(|| {
                rank.par_iter()
                    .map(|index| self.render_one(*index, &pages[*index], idx))
                    .collect()
            });
            for r in results {
                out.extend(r?);
            }
        }
        Ok(out)
    }

    /// Renders and writes one page (`index`: its place in the slice handed to
    /// [`Renderer::render`]).
    fn render_one(
        &self,
        index: usize,
        page: &Page,
        idx: &plan::ShapeIndex<'_>,
    ) -> Result<Option<Rendered>, SiteError> {
        let catalog = self.ctx.catalog;
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
        // a path no file system takes: not worth rendering (`check` says the same)
        if let Some(why) = path_problem(&file) {
            return Ok(self.fail(page, file, why));
        }
        let t = Instant::now();
        let bytes = match render_page(self.ctx, model, page, &file, None) {
            Ok(b) => b,
            Err(e) => return Ok(self.fail(page, file, e.to_string())),
        };
        let micros = t.elapsed().as_micros() as u64;
        let w = match self.writer.write(&file, &bytes) {
            Ok(w) => w,
            Err(e) => return Ok(self.fail(page, file, e.to_string())),
        };
        // once the page is on disk (the tests read the write order from these)
        tracing::debug!(
            target: "packit_pages::page",
            file = %file,
            micros,
            "rendered"
        );
        Ok(Some(Rendered {
            index,
            file,
            hash: w.hash,
            shape: page.shape(catalog, idx),
            changed: w.changed,
        }))
    }

    /// Records a page that could not be rendered or written, and says so on stderr
    /// (the log): the build goes on without it.
    fn fail(&self, page: &Page, file: String, error: String) -> Option<Rendered> {
        let error = super::short(&error).into_owned();
        let entity = entity_of(page);
        tracing::error!(file = %super::short(&file), entity = %entity, error = %error, "page not written");
        self.failed.lock().expect("failed pages").push(FailedPage {
            file,
            entity,
            error,
        });
        None
    }

    /// The files of the pages that failed so far.
    pub(super) fn failed_files(&self) -> std::collections::HashSet<String> {
        let v = self.failed.lock().expect("failed pages");
        v.iter().map(|f| f.file.clone()).collect()
    }

    /// The pages that failed so far, in file order (emptied).
    pub(super) fn take_failed(&self) -> Vec<FailedPage> {
        let mut v = std::mem::take(&mut *self.failed.lock().expect("failed pages"));
        v.sort_by(|a, b| a.file.cmp(&b.file));
        v
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
            failed: Mutex::new(Vec::new()),
        }
    }
}
