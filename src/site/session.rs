//! Live rebuilds for long-running processes (`listen`, `watch`, `serve`): a
//! [`Session`] keeps what a build computes once per process — the catalog, the
//! theme, the content pages, the previous build's manifest — and brings the site up
//! to date after an archive change by patching them instead of recomputing them.
//!
//! An update reads the change set since the revision it last built
//! ([`Archive::changed_since`]), patches the catalog ([`Catalog::apply`]), and
//! compares, for the plan [`Group`]s the changed entities touch, the pages before
//! and after: pages that came are rendered, pages that went are removed, and pages
//! of those groups whose shape hash differs from the manifest's are re-rendered,
//! besides the pages [`plan::affected_by`] names. The sitemap is rendered again only
//! when the set of pages changed. What it did is appended to the manifest journal
//! ([`OutputWriter::journal`]), which is folded into the manifest once it grows.
//! Anything it cannot patch (a template, content or configuration change, an
//! entity that moved to another project, a very large change set) falls back to
//! [`super::build`] and a fresh session state, so the result is always what a clean
//! build of the same inputs writes.

use super::content::ContentView;
use super::dirty;
use super::renderer::{self, Renderer, plan_of, site_info};
use super::state::{BuildState, build_state};
use super::{BuildMode, BuildOptions, BuildReport, Built, Laps, SiteError, build_keeping};
use crate::archive::Archive;
use crate::model::Catalog;
use crate::plan::{self, Group, Page, Plan};
use crate::render::Theme;
use crate::write::OutputWriter;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::Instant;

/// Change sets larger than this are rebuilt by [`super::build`] (a full sync).
const MAX_LIVE_CHANGES: usize = 5_000;

/// The journal is folded into the manifest once it is this large.
pub(super) const JOURNAL_COMPACT_BYTES: u64 = 16 << 20;

/// The state of a site kept between rebuilds. See the module documentation.
pub struct Session {
    opts: BuildOptions,
    catalog: Catalog,
    theme: Theme,
    content: Vec<ContentView>,
    writer: OutputWriter,
    state: BuildState,
    pool: rayon::ThreadPool,
    /// HTML pages the sitemap lists.
    sitemap_pages: usize,
    /// The shapes the manifest records for the pages of the groups updates looked
    /// at, kept as the session renders and removes them: an update compares the
    /// shapes of every page of its groups (thousands at 100,000 pipelines), and the
    /// manifest's map (keyed by the file's path, millions of entries) costs a path
    /// and a cache miss per page.
    shapes: HashMap<Page, u64>,
    /// The pages the last build or update could not render or write (their files
    /// are the state's `failed`): the next update renders them again.
    failed: HashSet<Page>,
}

impl Session {
    /// Brings the site in `opts.out` up to date (as [`super::build`] does) and keeps
    /// what that build read and decided (catalog, theme, content, plan, state) for
    /// [`Session::update`]. Returns the session and the build's report.
    pub fn open(opts: &BuildOptions) -> Result<(Session, BuildReport), SiteError> {
        let (report, built) = build_keeping(opts, true)?;
        let Built {
            catalog,
            theme,
            content,
            plan,
            state,
            pool,
        } = built;
        // the manifest the build just committed
        let writer = OutputWriter::open(&opts.out, false)?;
        let sitemap_pages = plan.pages.iter().filter(|p| p.in_sitemap()).count();
        let failed: HashSet<Page> = if state.failed.is_empty() {
            HashSet::new()
        } else {
            plan.pages
                .iter()
                .filter(|p| state.failed.contains(&p.file(&catalog)))
                .cloned()
                .collect()
        };
        let session = Session {
            opts: opts.clone(),
            catalog,
            theme,
            content,
            writer,
            state,
            pool,
            sitemap_pages,
            shapes: HashMap::new(),
            failed,
        };
        Ok((session, report))
    }

    /// The archive revision the site shows.
    pub fn revision(&self) -> i64 {
        self.state.revision
    }

    /// Rebuilds everything that changed (templates, content, configuration, the
    /// archive) through [`super::build`] and reloads the session state.
    pub fn rebuild(&mut self) -> Result<BuildReport, SiteError> {
        let opts = self.opts.clone();
        let (s, report) = Session::open(&opts)?;
        *self = s;
        Ok(report)
    }

    /// Rebuilds with other options (a changed configuration).
    pub fn rebuild_with(&mut self, opts: &BuildOptions) -> Result<BuildReport, SiteError> {
        let (s, report) = Session::open(opts)?;
        *self = s;
        Ok(report)
    }

    /// Brings the site up to date with the archive: renders the pages the entities
    /// changed since the last update touch, removes pages that went, and records
    /// it in the manifest journal. See the module documentation.
    pub fn update(&mut self) -> Result<BuildReport, SiteError> {
        self.update_below(None)
    }

    /// [`Session::update`], recording at most revision `cap` as built (its journal
    /// and state), so the next update reads again every change above it. `listen`
    /// passes the revision before a poll that is still running: the poll stamps the
    /// rows it writes later with its own (older) revision, which an update that
    /// recorded a newer message refresh's revision would never read.
    pub fn update_below(&mut self, cap: Option<i64>) -> Result<BuildReport, SiteError> {
        let started = Instant::now();
        let mut laps = Laps::new(started);
        let archive = Archive::open_read_only(&self.opts.archive)?;
        let revision = archive.revision()?;
        let last_sync: Option<i64> = archive.meta("last_sync")?.and_then(|v| v.parse().ok());
        let mut report = BuildReport {
            mode: BuildMode::Incremental,
            revision,
            ..BuildReport::default()
        };
        if revision < self.state.revision {
            // an older archive in place of the one built: start over
            drop(archive);
            return self.rebuild();
        }
        if revision == self.state.revision
            && last_sync == self.state.last_sync
            && cap.is_none_or(|c| c >= revision)
            && self.failed.is_empty()
        {
            report.pipelines = self.catalog.pipelines.len() as u64;
            report.millis = started.elapsed().as_millis() as u64;
            return Ok(report);
        }
        let changes = archive.changed_since(self.state.revision)?;
        laps.lap("changed_since");
        if changes.len() > MAX_LIVE_CHANGES {
            drop(archive);
            return self.rebuild();
        }
        report.changed_entities = changes.len() as u64;
        // the plan groups the changes touch, with their pages before the change
        let mut groups: BTreeSet<Group> = BTreeSet::new();
        for (kind, id, _) in &changes {
            let (project, _) = archive.project_trigger(*kind, id)?;
            groups.extend(Group::touched_by(*kind, id, project.as_deref()));
        }
        laps.lap("groups");
        let before: HashMap<&Group, Vec<Page>> =
            groups.iter().map(|g| (g, g.pages(&self.catalog))).collect();
        let api_before = self.catalog.source_api.clone();
        laps.lap("changes");
        if !self.catalog.apply(&archive, &changes)? || self.catalog.source_api != api_before {
            drop(archive);
            return self.rebuild();
        }
        laps.lap("catalog");
        let after: HashMap<&Group, Vec<Page>> =
            groups.iter().map(|g| (g, g.pages(&self.catalog))).collect();
        let mut added: HashSet<Page> = HashSet::new();
        let mut removed: HashSet<Page> = HashSet::new();
        for g in &groups {
            let (b, a) = (&before[g], &after[g]);
            if b != a {
                let bs: HashSet<&Page> = b.iter().collect();
                let as_: HashSet<&Page> = a.iter().collect();
                added.extend(a.iter().filter(|p| !bs.contains(p)).cloned());
                removed.extend(b.iter().filter(|p| !as_.contains(p)).cloned());
            }
        }
        let catalog = &self.catalog;
        let mut dirty: HashSet<Page> = HashSet::new();
        plan::affected_by(catalog, &archive, &changes, &mut dirty)?;
        let idx = plan::ShapeIndex::new(catalog);
        // the sitemap lists every page: only a change of the set moves it
        let html = |set: &HashSet<Page>| set.iter().filter(|p| p.in_sitemap()).count();
        let sitemap_before = self.sitemap_pages;
        let sitemap_after = (sitemap_before + html(&added)).saturating_sub(html(&removed));
        let parts = |n: usize| {
            if n > plan::SITEMAP_MAX {
                n.div_ceil(plan::SITEMAP_MAX) as u32
            } else {
                0
            }
        };
        if html(&added) > 0 || html(&removed) > 0 {
            dirty.insert(Page::Sitemap);
            for i in 1..=parts(sitemap_after) {
                dirty.insert(Page::SitemapPart(i));
            }
            for i in parts(sitemap_after) + 1..=parts(sitemap_before) {
                removed.insert(Page::SitemapPart(i));
            }
            for i in parts(sitemap_before) + 1..=parts(sitemap_after) {
                added.insert(Page::SitemapPart(i));
            }
        }
        let came_or_went = !added.is_empty() || !removed.is_empty();
        let facts = dirty::Facts {
            catalog,
            idx: &idx,
            marked: dirty,
            sync_changed: last_sync != self.state.last_sync,
            compare: after.values().flatten().collect(),
            added,
            removed,
            retry: self.failed.clone(),
            page_json: self.opts.page_json,
        };
        let (writer, shapes) = (&self.writer, &mut self.shapes);
        let dirty::Dirty {
            render: todo,
            remove: removed,
        } = dirty::decide(
            facts,
            |p| match shapes.get(p) {
                Some(s) => Some(*s),
                None => {
                    let s = writer.previous(&p.file(catalog)).map(|(_, s)| s);
                    if let Some(s) = s {
                        shapes.insert(p.clone(), s);
                    }
                    s
                }
            },
            |p| writer.previous(&p.file(catalog)).is_some(),
        );
        laps.lap("plan");
        // the sitemap needs the whole plan; every other page renders without it
        let needs_plan = todo
            .iter()
            .any(|p| matches!(p, Page::Sitemap | Page::SitemapPart(_)));
        let plan = if needs_plan {
            plan_of(catalog, &self.theme, &self.content, &self.opts)
        } else {
            Plan::default()
        };
        let site = site_info(catalog, &self.content, &self.opts);
        let state = BuildState {
            revision: cap.map_or(revision, |c| c.min(revision)),
            last_sync,
            // no page came or went: the plan, and so the digest the state records for
            // it, is the last update's (a later `build` that finds another digest
            // compares the whole plan, which is only slower)
            ..build_state(
                &self.opts,
                catalog,
                &self.theme,
                &self.content,
                &site,
                (!came_or_went).then_some(self.state.structure),
            )
        };
        let ctx = renderer::context(
            catalog,
            &self.theme,
            site,
            self.content.iter().cloned(),
            &plan,
        );
        writer.reset_stats();
        let renderer = Renderer::new(&ctx, writer, &self.opts, &self.pool, true);
        let mut entries: Vec<(String, Option<(u128, u64)>)> = Vec::with_capacity(todo.len());
        report.rendered = todo.len() as u64;
        for r in renderer.render(&todo, &idx)? {
            let page = &todo[r.index];
            if self.shapes.contains_key(page) {
                self.shapes.insert(page.clone(), r.shape);
            }
            entries.push((r.file.clone(), Some((r.hash, r.shape))));
            renderer.note(&mut report, r);
        }
        report.failed_pages = renderer.take_failed();
        drop(renderer);
        // a page that failed leaves the manifest and is named in the state, so the
        // next update renders it again
        let failed_files: BTreeSet<String> =
            report.failed_pages.iter().map(|f| f.file.clone()).collect();
        self.failed = todo
            .iter()
            .filter(|p| failed_files.contains(&p.file(catalog)))
            .cloned()
            .collect();
        for f in &failed_files {
            entries.push((f.clone(), None));
        }
        let state = BuildState {
            failed: failed_files,
            ..state
        };
        drop(archive);
        laps.lap("render");
        for p in &removed {
            self.shapes.remove(p);
        }
        let mut gone: Vec<String> = removed.iter().map(|p| p.file(catalog)).collect();
        gone.sort();
        let mut dirs = Vec::new();
        for f in &gone {
            if writer.remove_one(f)? {
                report.removed_files.push(f.clone());
                if let Some((d, _)) = f.rsplit_once('/') {
                    dirs.push(d.to_string());
                }
            }
            entries.push((f.clone(), None));
        }
        writer.prune_dirs(dirs);
        let removed_count = report.removed_files.len() as u64;
        if !self.opts.list_files {
            report.removed_files.clear();
        }
        report.write = writer.stats(removed_count);
        let state_line = serde_json::to_string(&state).unwrap_or_default();
        self.writer.journal(&state_line, &entries)?;
        self.state = state;
        self.sitemap_pages = sitemap_after;
        if self.writer.journal_len() > JOURNAL_COMPACT_BYTES {
            self.compact(&state_line)?;
        }
        laps.lap("commit");
        report.pipelines = self.catalog.pipelines.len() as u64;
        report.files = report.rendered;
        report.phases = laps.phases;
        report.millis = started.elapsed().as_millis() as u64;
        report.files_per_second =
            report.rendered as f64 / started.elapsed().as_secs_f64().max(1e-9);
        Ok(report)
    }

    /// Folds the journal into a new manifest.
    fn compact(&mut self, state_line: &str) -> Result<(), SiteError> {
        let out = self.writer.carry_manifest(state_line, &HashMap::new())?;
        self.writer.finish(out)?;
        self.writer = OutputWriter::open(&self.opts.out, false)?;
        Ok(())
    }
}
