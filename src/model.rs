//! Typed views over the archive: what the site shows, computed from stored entities.
//!
//! [`Catalog`] is a compact, read-only index of the whole archive (ids per job list,
//! pipelines per project and trigger, projects, statistics) built in one pass; the
//! plan decides pages from it and every rendering worker shares it. [`Model`] pairs
//! the catalog with one read-only archive connection and turns entities into small
//! serialisable view structs ([`ListView`], [`DetailView`], [`PipelineView`], …)
//! that the templates render. Internal links in views are site-relative directory
//! paths such as `jobs/copr/12/`; external links are absolute `http(s)` URLs only
//! (anything else from the archive is dropped, never linked).
//!
//! What each job kind shows lives in [`crate::jobs`], the URL scheme in
//! [`crate::urls`] and the view structs in [`crate::view`]; this module re-exports
//! them under their old paths. Here: the [`Model`] handle and its lookups; in
//! `model/`: the catalog (`catalog`), its live patching (`catalog_live`), its caches
//! (`caches`), the target histories (`history`) and the list, pipeline and
//! project views (`lists`, `pipelines`, `projects`, `target_results`).

mod caches;
mod catalog;
mod catalog_live;
mod history;
mod lists;
mod pipelines;
mod projects;
mod target_results;

pub use self::caches::{FeedTimes, RowCache};
pub use self::catalog::{Catalog, ProjectEntry, Stats};
pub use self::history::{HistKey, STRIP, TargetHistory, TargetRun, Verdict, hist_key, verdict};
pub use self::lists::newest_first;
pub use self::target_results::{RECENT, TARGETS, project_results};
pub use crate::jobs::{
    JobList, Section, detail_path, trigger_forge_url, trigger_name, trigger_path,
};
pub use crate::urls::*;
pub use crate::view::*;

use crate::api::Kind;
use crate::api::types::ProjectInfo;
use crate::archive::{Archive, ArchiveError, Entity, QueryError};
use crate::jobs::Lookup;
use crate::time;

/// Errors of the model.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The archive failed.
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    /// A query failed.
    #[error("archive query: {0}")]
    Sqlite(#[from] QueryError),
}

/// Result alias.
pub type Result<T> = std::result::Result<T, ModelError>;

/// Items per list page.
pub const PER_PAGE: usize = 50;

/// Site path of a namespace page (nested directories for sub-groups). When a
/// project has the same key as the namespace, the namespace page moves to
/// `…/projects-in/` so both exist.
pub fn namespace_path(forge: &str, ns: &str, catalog: &Catalog) -> String {
    namespace_page_path(
        forge,
        ns,
        catalog.projects.contains_key(&format!("{forge}/{ns}")),
    )
}

/// Typed views over one read-only archive connection and the shared catalog.
pub struct Model<'c> {
    archive: Archive,
    /// The shared catalog.
    pub catalog: &'c Catalog,
    /// While a cached row is built: the entities it read (see [`RowCache`]).
    reads: std::cell::RefCell<Option<Vec<(Kind, i64)>>>,
}

impl<'c> Model<'c> {
    /// Wraps a read-only archive connection (and gives it a 16 MiB page cache; no
    /// memory-mapped reads, which would count the archive file into the process's
    /// resident memory).
    pub fn new(archive: Archive, catalog: &'c Catalog) -> Model<'c> {
        archive.use_read_cache();
        Model {
            archive,
            catalog,
            reads: Default::default(),
        }
    }

    /// The archive.
    pub fn archive(&self) -> &Archive {
        &self.archive
    }

    /// Entities of `kind` with numeric ids in `ids` (sorted ascending), newest first.
    pub fn entities_in(&self, kind: Kind, ids: &[i64]) -> Result<Vec<Entity>> {
        let (Some(lo), Some(hi)) = (ids.first(), ids.last()) else {
            return Ok(Vec::new());
        };
        // a slice of a whole list is dense: read its range; a project's or trigger's
        // pipelines are spread over the archive: read exactly those (a range would
        // read every pipeline in between)
        let span = hi.saturating_sub(*lo).unsigned_abs();
        if span > 4 * ids.len() as u64 + 64 {
            // by primary key, one cached statement per id: an `IN (…)` list would be a
            // new statement to parse and plan for every page (ids are the numbers)
            let mut out = Vec::with_capacity(ids.len());
            for n in ids.iter().rev() {
                if let Some(e) = self.entity_by_key(kind, &n.to_string())? {
                    out.push(e);
                }
            }
            return Ok(out);
        }
        let mut out = Vec::with_capacity(ids.len());
        self.archive.for_each_entity_between(kind, *lo, *hi, |e| {
            if e.id
                .parse::<i64>()
                .is_ok_and(|n| ids.binary_search(&n).is_ok())
            {
                out.push(e);
            }
        })?;
        Ok(out)
    }

    /// One entity.
    pub fn entity(&self, kind: Kind, id: i64) -> Result<Option<Entity>> {
        self.entity_by_key(kind, &id.to_string())
    }

    /// One entity by its archive id (prepared statement cached per connection).
    pub fn entity_by_key(&self, kind: Kind, id: &str) -> Result<Option<Entity>> {
        Ok(self.archive.entity_cached(kind, id)?)
    }

    /// A label for job `kind`/`id` with `fallback` status and text; linked to its
    /// page when the page exists. The archive's current status wins over the
    /// fallback (a pipeline item may be older than the job).
    pub fn job_chip(&self, kind: Kind, id: Option<i64>, status: &str, text: &str) -> Result<Chip> {
        let mut status = status.to_string();
        let mut href = None;
        if let Some(id) = id
            && let Some(reads) = self.reads.borrow_mut().as_mut()
        {
            reads.push((kind, id));
        }
        if let Some(id) = id
            && let Some(list) = self.catalog.detail_list(kind, id)
        {
            href = Some(detail_path(list, id));
            if let Some((Some(s), _)) = self.archive.status_target(kind, id)? {
                status = s;
            }
        }
        Ok(Chip {
            status: StatusView::of(&status),
            text: if text.is_empty() {
                id.map(|i| format!("#{i}")).unwrap_or_default()
            } else {
                text.to_string()
            },
            href,
        })
    }
}

/// The job views ask the model for other jobs, triggers and history.
impl Lookup for Model<'_> {
    type Error = ModelError;

    fn job_chip(&self, kind: Kind, id: Option<i64>, status: &str, text: &str) -> Result<Chip> {
        Model::job_chip(self, kind, id, status, text)
    }

    fn trigger(&self, info: &ProjectInfo) -> Option<TriggerView> {
        Model::trigger(self, info)
    }

    fn has_detail(&self, list: JobList, id: i64) -> bool {
        self.catalog.has_detail(list, id)
    }

    fn status_of(&self, kind: Kind, id: i64) -> Result<Option<(Option<String>, Option<String>)>> {
        Ok(self.archive.status_target(kind, id)?)
    }

    fn history(&self, kind: Kind, id: &str) -> Result<Vec<(i64, Option<String>, Option<String>)>> {
        Ok(self.archive.history(kind, id)?)
    }

    fn log_texts(&self, kind: Kind, id: i64) -> Result<Vec<(String, String)>> {
        let Some(list) = self.catalog.detail_list(kind, id) else {
            return Ok(Vec::new());
        };
        let key = id.to_string();
        let mut out = Vec::new();
        for info in self.archive.logs_of(kind, &key)? {
            if !(info.status.has_text() && self.catalog.has_log(list, id, &info.name)) {
                continue;
            }
            if let Some(b) = self.archive.log_text(kind, &key, &info.name)? {
                out.push((info.name, String::from_utf8_lossy(&b).into_owned()));
            }
        }
        Ok(out)
    }

    fn entity_json(&self, kind: Kind, id: i64) -> Result<Option<String>> {
        Ok(self
            .entity(kind, id)?
            .and_then(|e| e.json().map(str::to_string)))
    }
}

/// Notices every entity may carry: deleted upstream, last fetch failed.
pub fn entity_notices(e: &Entity) -> Vec<Notice> {
    let mut v = Vec::new();
    if let Some(g) = e.gone_at {
        v.push(Notice {
            level: "warning",
            text: format!(
                "Deleted upstream on {}; this page shows the last archived copy.",
                time::human_utc(g)
            ),
        });
    }
    if let Some(err) = &e.error {
        v.push(Notice {
            level: "error",
            text: format!("The last refresh of this job failed: {err}"),
        });
    }
    v
}
