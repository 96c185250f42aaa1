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

use crate::api::Kind;
use crate::api::types::{self, ProjectInfo, Run, Status, StatusClass};
use crate::archive::{Archive, ArchiveError, Entity};
use crate::time;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Errors of the model.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The archive failed.
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    /// A query failed.
    #[error("archive query: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// Result alias.
pub type Result<T> = std::result::Result<T, ModelError>;

/// Items per list page.
pub const PER_PAGE: usize = 50;

/// The eleven job lists of the dashboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum JobList {
    /// Copr builds.
    Copr,
    /// Upstream (scratch) Koji builds.
    Koji,
    /// Downstream (production) Koji builds.
    KojiDownstream,
    /// SRPM builds.
    Srpm,
    /// Testing Farm runs.
    TestingFarm,
    /// Propose downstream.
    ProposeDownstream,
    /// Pull from upstream.
    PullFromUpstream,
    /// Bodhi updates.
    Bodhi,
    /// OpenScanHub scans.
    OpenScanHub,
    /// Koji tag requests.
    KojiTagRequests,
    /// Log Detective.
    LogDetective,
}

impl JobList {
    /// All lists in navigation order.
    pub const ALL: [JobList; 11] = [
        JobList::Copr,
        JobList::Koji,
        JobList::KojiDownstream,
        JobList::Srpm,
        JobList::TestingFarm,
        JobList::ProposeDownstream,
        JobList::PullFromUpstream,
        JobList::Bodhi,
        JobList::OpenScanHub,
        JobList::KojiTagRequests,
        JobList::LogDetective,
    ];

    /// URL segment of the list (`jobs/<slug>/`).
    pub fn slug(self) -> &'static str {
        match self {
            JobList::Copr => "copr",
            JobList::Koji => "koji",
            JobList::KojiDownstream => "koji-downstream",
            JobList::Srpm => "srpm",
            JobList::TestingFarm => "testing-farm",
            JobList::ProposeDownstream => "propose-downstream",
            JobList::PullFromUpstream => "pull-from-upstream",
            JobList::Bodhi => "bodhi",
            JobList::OpenScanHub => "openscanhub",
            JobList::KojiTagRequests => "koji-tag-requests",
            JobList::LogDetective => "log-detective",
        }
    }

    /// URL segment of detail pages (`jobs/<slug>/<id>/`); singular for tag requests.
    pub fn detail_slug(self) -> &'static str {
        match self {
            JobList::KojiTagRequests => "koji-tag-request",
            l => l.slug(),
        }
    }

    /// The dashboard's old plural name, kept alive by redirect pages.
    pub fn legacy_slug(self) -> Option<&'static str> {
        Some(match self {
            JobList::Copr => "copr-builds",
            JobList::Koji => "koji-builds",
            JobList::KojiDownstream => "downstream-koji-builds",
            JobList::Srpm => "srpm-builds",
            JobList::TestingFarm => "testing-farm-runs",
            JobList::ProposeDownstream => "propose-downstreams",
            JobList::PullFromUpstream => "pull-from-upstreams",
            JobList::Bodhi => "bodhi-updates",
            _ => return None,
        })
    }

    /// Human title of the list.
    pub fn title(self) -> &'static str {
        match self {
            JobList::Copr => "Copr builds",
            JobList::Koji => "Upstream Koji builds",
            JobList::KojiDownstream => "Downstream Koji builds",
            JobList::Srpm => "SRPM builds",
            JobList::TestingFarm => "Testing Farm runs",
            JobList::ProposeDownstream => "Propose downstream",
            JobList::PullFromUpstream => "Pull from upstream",
            JobList::Bodhi => "Bodhi updates",
            JobList::OpenScanHub => "OpenScanHub scans",
            JobList::KojiTagRequests => "Koji tagging requests",
            JobList::LogDetective => "Log Detective",
        }
    }

    /// Human name of one job of the list.
    pub fn singular(self) -> &'static str {
        match self {
            JobList::Copr => "Copr build",
            JobList::Koji => "Koji scratch build",
            JobList::KojiDownstream => "Koji production build",
            JobList::Srpm => "SRPM build",
            JobList::TestingFarm => "Testing Farm run",
            JobList::ProposeDownstream => "Propose downstream",
            JobList::PullFromUpstream => "Pull from upstream",
            JobList::Bodhi => "Bodhi update",
            JobList::OpenScanHub => "OpenScanHub scan",
            JobList::KojiTagRequests => "Koji tagging request",
            JobList::LogDetective => "Log Detective analysis",
        }
    }

    /// Whether list items group several detail targets (so the list has a separate
    /// index of targets).
    pub fn has_targets(self) -> bool {
        self.list_kind() != self.detail_kind()
    }

    /// Human name of the targets of a grouping list.
    pub fn targets_title(self) -> &'static str {
        match self {
            JobList::Copr => "Copr chroot builds",
            JobList::ProposeDownstream => "Propose downstream branches",
            JobList::PullFromUpstream => "Pull from upstream branches",
            _ => self.title(),
        }
    }

    /// Kind of the list items.
    pub fn list_kind(self) -> Kind {
        match self {
            JobList::Copr => Kind::CoprBuild,
            JobList::ProposeDownstream => Kind::ProposeDownstreamRun,
            JobList::PullFromUpstream => Kind::PullFromUpstreamRun,
            l => l.detail_kind(),
        }
    }

    /// Kind of the detail pages.
    pub fn detail_kind(self) -> Kind {
        match self {
            JobList::Copr => Kind::Copr,
            JobList::Koji | JobList::KojiDownstream => Kind::Koji,
            JobList::Srpm => Kind::Srpm,
            JobList::TestingFarm => Kind::TestingFarm,
            JobList::ProposeDownstream => Kind::ProposeDownstream,
            JobList::PullFromUpstream => Kind::PullFromUpstream,
            JobList::Bodhi => Kind::Bodhi,
            JobList::OpenScanHub => Kind::OpenScanHub,
            JobList::KojiTagRequests => Kind::KojiTagRequest,
            JobList::LogDetective => Kind::LogDetective,
        }
    }

    /// Whether an entity of the list/detail kind belongs to this list (Koji splits
    /// by scratch flag, recorded in the extracted target).
    pub fn accepts(self, target: Option<&str>) -> bool {
        let downstream = target.is_some_and(|t| t.starts_with("downstream:"));
        match self {
            JobList::Koji => !downstream,
            JobList::KojiDownstream => downstream,
            _ => true,
        }
    }
}

/// The sections of a project: its triggers by type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Section {
    /// Pull / merge requests.
    Prs,
    /// Branches.
    Branches,
    /// Releases (and Anitya versions).
    Releases,
    /// Issues.
    Issues,
}

impl Section {
    /// All sections.
    pub const ALL: [Section; 4] = [
        Section::Prs,
        Section::Branches,
        Section::Releases,
        Section::Issues,
    ];

    /// URL segment.
    pub fn slug(self) -> &'static str {
        match self {
            Section::Prs => "prs",
            Section::Branches => "branches",
            Section::Releases => "releases",
            Section::Issues => "issues",
        }
    }

    /// Human title.
    pub fn title(self) -> &'static str {
        match self {
            Section::Prs => "Pull requests",
            Section::Branches => "Branches",
            Section::Releases => "Releases",
            Section::Issues => "Issues",
        }
    }

    /// Section and name of an archive trigger key (`pr:12`, `branch:main`, …).
    pub fn of_trigger(trigger: &str) -> Option<(Section, &str)> {
        let (t, v) = trigger.split_once(':')?;
        let s = match t {
            "pr" => Section::Prs,
            "branch" => Section::Branches,
            "release" | "anitya" => Section::Releases,
            "issue" => Section::Issues,
            _ => return None,
        };
        Some((s, v))
    }
}

/// One project known to the archive (from `/projects` or from jobs that name it).
#[derive(Clone, Debug, Default, Hash, PartialEq)]
pub struct ProjectEntry {
    /// `forge/namespace/repo`.
    pub key: String,
    /// Whether the archive holds the project entity itself.
    pub has_entity: bool,
    /// Triggers: (section, name) → pipeline ids, ascending.
    pub triggers: BTreeMap<(Section, String), Vec<i64>>,
    /// Names from the project's sub-lists with no pipeline in the archive.
    pub listed: BTreeSet<(Section, String)>,
    /// All pipeline ids of the project, ascending.
    pub pipelines: Vec<i64>,
    /// The job lists that hold jobs of the project.
    pub lists: BTreeSet<JobList>,
    /// [`ProjectEntry::names`] of every section, computed on first use; the
    /// catalog clears it whenever it changes the entry.
    pub(crate) names_cache: NamesCache,
}

/// The sorted trigger names of each section of a project, computed once: a
/// project with thousands of pull requests has as many pages that ask for them.
/// It takes no part in comparisons or hashes (it is derived from the other fields).
#[derive(Clone, Debug, Default)]
pub(crate) struct NamesCache(std::sync::OnceLock<Vec<Vec<String>>>);

impl PartialEq for NamesCache {
    fn eq(&self, _: &NamesCache) -> bool {
        true
    }
}

impl std::hash::Hash for NamesCache {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

/// The sort time of the site failures feed (the job's last change, see the
/// feed) of each failed job the feed has looked at, so that a live rebuild reads
/// only the jobs that changed since and the newest few it shows, not every
/// candidate. [`Catalog::apply`] forgets the entities it updates. Takes no part
/// in comparisons (it is derived from the archive).
#[derive(Debug, Default)]
pub struct FeedTimes(std::sync::Mutex<HashMap<(Kind, i64), i64>>);

impl PartialEq for FeedTimes {
    fn eq(&self, _: &FeedTimes) -> bool {
        true
    }
}

impl FeedTimes {
    /// The cache, locked (a poisoned lock is recovered: the map holds no invariant).
    pub fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(Kind, i64), i64>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Table rows a live session has built (job lists, target indexes, pipeline
/// tables), by the entity each row shows, so that an update re-renders its few
/// list pages from the rows that changed instead of reading and parsing every
/// row's JSON again. A row is forgotten by [`Catalog::apply`] when its entity
/// changes or when any entity it read (the jobs behind its status chips, a list
/// item's detail entity) does, and every row when a project or trigger page
/// comes (a job's trigger cell links to its trigger's page once a pipeline of
/// that trigger is archived). Only catalogs made by [`Catalog::build_live`] keep
/// rows. Takes no part in comparisons (it is derived from the archive).
#[derive(Debug, Default)]
pub struct RowCache(std::sync::Mutex<RowCacheInner>);

#[derive(Debug, Default)]
struct RowCacheInner {
    /// Rows by entity, then by table.
    rows: HashMap<(Kind, i64), HashMap<RowTable, Vec<Cell>>>,
    /// Entities whose rows read an entity (besides their own).
    readers: HashMap<(Kind, i64), HashSet<(Kind, i64)>>,
    /// Rows held.
    len: usize,
}

/// Which table a cached row belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum RowTable {
    List(JobList),
    Target(JobList),
    Pipeline,
}

/// Rows a session keeps at most; past that the cache starts over.
const ROW_CACHE_MAX: usize = 50_000;

impl PartialEq for RowCache {
    fn eq(&self, _: &RowCache) -> bool {
        true
    }
}

impl RowCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, RowCacheInner> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self, table: RowTable, kind: Kind, id: i64) -> Option<Vec<Cell>> {
        self.lock()
            .rows
            .get(&(kind, id))
            .and_then(|t| t.get(&table))
            .cloned()
    }

    fn put(&self, table: RowTable, kind: Kind, id: i64, row: Vec<Cell>, reads: &[(Kind, i64)]) {
        let mut c = self.lock();
        if c.len >= ROW_CACHE_MAX {
            *c = RowCacheInner::default();
        }
        for r in reads {
            if *r != (kind, id) {
                c.readers.entry(*r).or_default().insert((kind, id));
            }
        }
        if c.rows
            .entry((kind, id))
            .or_default()
            .insert(table, row)
            .is_none()
        {
            c.len += 1;
        }
    }

    /// Forgets the rows of entity `kind`/`id` and of the entities whose rows read it.
    fn forget(&self, kind: Kind, id: i64) {
        let mut c = self.lock();
        let mut gone = c.rows.remove(&(kind, id)).map_or(0, |t| t.len());
        if let Some(readers) = c.readers.remove(&(kind, id)) {
            for r in readers {
                gone += c.rows.remove(&r).map_or(0, |t| t.len());
            }
        }
        c.len -= gone;
    }

    /// Forgets every row.
    fn clear(&self) {
        *self.lock() = RowCacheInner::default();
    }
}

impl ProjectEntry {
    /// Forge host.
    pub fn forge(&self) -> &str {
        self.key.split('/').next().unwrap_or("")
    }
    /// Namespace (may contain `/`).
    pub fn namespace(&self) -> &str {
        let rest = self.key.split_once('/').map(|(_, r)| r).unwrap_or("");
        rest.rsplit_once('/').map(|(n, _)| n).unwrap_or("")
    }
    /// Repository name.
    pub fn repo(&self) -> &str {
        self.key.rsplit('/').next().unwrap_or("")
    }
    /// Every trigger name of a section: with pipelines or listed by the API
    /// (pull requests and issues newest first, the others by name).
    pub fn names(&self, s: Section) -> &[String] {
        let all = self.names_cache.0.get_or_init(|| {
            Section::ALL
                .iter()
                .map(|s| self.compute_names(*s))
                .collect()
        });
        let i = Section::ALL.iter().position(|x| *x == s).unwrap_or(0);
        &all[i]
    }

    fn compute_names(&self, s: Section) -> Vec<String> {
        let mut v: BTreeSet<&str> = self
            .triggers
            .keys()
            .filter(|(sec, _)| *sec == s)
            .map(|(_, n)| n.as_str())
            .collect();
        v.extend(
            self.listed
                .iter()
                .filter(|(sec, _)| *sec == s)
                .map(|(_, n)| n.as_str()),
        );
        let mut v: Vec<String> = v.into_iter().map(String::from).collect();
        if matches!(s, Section::Prs | Section::Issues) {
            v.sort_by_key(|n| std::cmp::Reverse(n.parse::<i64>().unwrap_or(i64::MIN)));
        }
        v
    }
}

/// Per-month, per-list counters for the usage page.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stats {
    /// (list, status class) → count.
    pub by_status: HashMap<(JobList, StatusClass), u64>,
    /// month (`YYYY-MM`) → list → count.
    pub per_month: BTreeMap<String, BTreeMap<JobList, u64>>,
    /// month → distinct active projects.
    pub active_per_month: BTreeMap<String, BTreeSet<String>>,
    /// project → pipelines.
    pub pipelines_per_project: HashMap<String, u64>,
    /// day number (UNIX days) → pipelines.
    pub pipelines_per_day: BTreeMap<i64, u64>,
    /// day number (UNIX days) → jobs of every list.
    pub jobs_per_day: BTreeMap<i64, u64>,
}

/// A compact, read-only index of the whole archive.
#[derive(Debug, Default, PartialEq)]
pub struct Catalog {
    /// Ids (numeric) of the list items of each job list, ascending.
    pub list_ids: BTreeMap<JobList, Vec<i64>>,
    /// Ids of the detail entities of each job list, ascending.
    pub detail_ids: BTreeMap<JobList, Vec<i64>>,
    /// Pipeline ids, ascending.
    pub pipelines: Vec<i64>,
    /// Projects by key.
    pub projects: BTreeMap<String, ProjectEntry>,
    /// Statistics.
    pub stats: Stats,
    /// Stored snapshots that are not jobs, pipelines or projects (`usage`,
    /// `system`): kind and id.
    pub snapshots: Vec<(Kind, String)>,
    /// Ids of the list items of each job list by status class, ascending.
    pub status_ids: HashMap<(JobList, StatusClass), Vec<i64>>,
    /// Last sync time (UNIX seconds) from the archive, if any.
    pub last_sync: Option<i64>,
    /// API the archive was synced from.
    pub source_api: Option<String>,
    /// Archive revision.
    pub revision: i64,
    /// Names of the archived logs with text (stored or capped) of each job, by job
    /// kind and numeric id (names ascending).
    pub logs: BTreeMap<(Kind, i64), Vec<String>>,
    /// Ids of the jobs of each detail kind whose own status is a failure or an
    /// error, ascending (the site's failures feed takes the newest).
    pub failed: HashMap<Kind, Vec<i64>>,
    /// Sort times the failures feed has read (see [`FeedTimes`]).
    pub feed_times: FeedTimes,
    /// Table rows of a live session (see [`RowCache`]).
    pub row_cache: RowCache,
    /// Each entity's catalog columns, kept by [`Catalog::build_live`] for
    /// [`Catalog::apply`].
    rows: Option<HashMap<(Kind, i64), CatRow>>,
}

/// The catalog columns of one job or pipeline entity.
#[derive(Clone, Debug, PartialEq)]
struct CatRow {
    status: Option<Box<str>>,
    submitted: Option<i64>,
    project: Option<Box<str>>,
    trigger: Option<Box<str>>,
    target: Option<Box<str>>,
}

impl CatRow {
    /// The status class the entity counts under in list `l`.
    fn class(&self, l: JobList) -> StatusClass {
        if l == JobList::KojiTagRequests {
            StatusClass::Unknown
        } else {
            StatusClass::of(self.status.as_deref().unwrap_or_default())
        }
    }

    /// Whether the entity's own status is a failure or an error.
    fn failed(&self) -> bool {
        StatusClass::of(self.status.as_deref().unwrap_or_default()).is_failure()
    }
}

/// Whether entities of `kind` have job detail pages.
fn is_detail_kind(kind: Kind) -> bool {
    JobList::ALL.iter().any(|l| l.detail_kind() == kind)
}

/// The job lists whose list or detail entities are of `kind`.
fn catalog_lists(kind: Kind) -> Vec<JobList> {
    JobList::ALL
        .into_iter()
        .filter(|l| l.list_kind() == kind || l.detail_kind() == kind)
        .collect()
}

/// Whether `key` is a `forge/namespace/repo` project key.
fn valid_project_key(k: &str) -> bool {
    k.split('/').count() >= 3 && k.split('/').all(|s| !s.is_empty())
}

/// Inserts `v` into the ascending `vec` (appending when it is the largest).
fn insert_sorted(vec: &mut Vec<i64>, v: i64) {
    match vec.last() {
        Some(last) if *last >= v => {
            if let Err(i) = vec.binary_search(&v) {
                vec.insert(i, v);
            }
        }
        _ => vec.push(v),
    }
}

/// Decrements a counter, dropping it at zero.
fn dec<K: Ord>(m: &mut BTreeMap<K, u64>, k: K) {
    if let Some(n) = m.get_mut(&k) {
        *n -= 1;
        if *n == 0 {
            m.remove(&k);
        }
    }
}

fn month_of(secs: i64) -> String {
    time::date_utc(secs)[..7].to_string()
}

impl Catalog {
    /// Builds the catalog in one pass over the archive's extracted columns.
    pub fn build(archive: &Archive) -> Result<Catalog> {
        Catalog::build_inner(archive, false)
    }

    /// Like [`Catalog::build`], and keeps each entity's catalog columns so that
    /// [`Catalog::apply`] can patch the catalog from a change set later (for the
    /// long-running `listen`, `watch` and `serve` processes; it costs memory).
    pub fn build_live(archive: &Archive) -> Result<Catalog> {
        Catalog::build_inner(archive, true)
    }

    fn build_inner(archive: &Archive, live: bool) -> Result<Catalog> {
        let conn = archive.connection();
        let mut c = Catalog {
            rows: live.then(HashMap::new),
            ..Catalog::default()
        };
        c.read_meta(archive)?;
        // archives older than schema 3 (opened read-only, not migrated) have no logs
        if let Ok(mut st) = conn.prepare(
            "SELECT kind, id, name FROM log WHERE data IS NOT NULL ORDER BY kind, id, name",
        ) {
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                let (kind, id, name): (String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
                if let (Some(kind), Ok(num)) = (Kind::parse(&kind), id.parse::<i64>()) {
                    c.logs.entry((kind, num)).or_default().push(name);
                }
            }
        }
        let mut st = conn.prepare(
            "SELECT num, status, submitted, project, trigger, target FROM entity WHERE kind=?1 AND num IS NOT NULL ORDER BY num",
        )?;
        for kind in Kind::ALL {
            if catalog_lists(kind).is_empty() && kind != Kind::Pipeline {
                continue;
            }
            let mut rows = st.query([kind.as_str()])?;
            while let Some(r) = rows.next()? {
                let num: i64 = r.get(0)?;
                let row = CatRow {
                    status: r.get::<_, Option<String>>(1)?.map(Into::into),
                    submitted: r.get(2)?,
                    project: r.get::<_, Option<String>>(3)?.map(Into::into),
                    trigger: r.get::<_, Option<String>>(4)?.map(Into::into),
                    target: r.get::<_, Option<String>>(5)?.map(Into::into),
                };
                c.add_row(kind, num, &row);
                if let Some(rows) = &mut c.rows {
                    rows.insert((kind, num), row);
                }
            }
        }
        drop(st);
        // projects listed by the API and their sub-lists
        let mut st = conn.prepare("SELECT kind, id FROM entity WHERE kind IN ('project','project-pr','project-branch','project-release','project-issue')")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let kind: String = r.get(0)?;
            let id: String = r.get(1)?;
            if let Some(kind) = Kind::parse(&kind) {
                c.add_project_item(kind, &id);
            }
        }
        drop(rows);
        drop(st);
        let mut st = conn.prepare(
            "SELECT kind, id FROM entity WHERE kind IN ('usage','system') ORDER BY kind, id",
        )?;
        let snaps: Vec<(String, String)> = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<std::result::Result<_, _>>()?;
        drop(st);
        c.snapshots = snaps
            .into_iter()
            .filter_map(|(k, id)| Kind::parse(&k).map(|k| (k, id)))
            .collect();
        // jobs naming projects the project list does not have
        let mut st = conn.prepare("SELECT DISTINCT project FROM entity WHERE project IS NOT NULL AND kind NOT IN ('project-pr','project-branch','project-release','project-issue')")?;
        let keys: Vec<String> = st
            .query_map([], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        for k in keys {
            if k.split('/').count() >= 3 {
                c.project(&k);
            }
        }
        c.projects.retain(|k, _| valid_project_key(k));
        Ok(c)
    }

    /// Revision, last sync and source API from the archive.
    fn read_meta(&mut self, archive: &Archive) -> Result<()> {
        self.revision = archive.revision()?;
        self.last_sync = archive.meta("last_sync")?.and_then(|v| v.parse().ok());
        self.source_api = archive
            .connection()
            .query_row(
                "SELECT api FROM sync_run ORDER BY rev DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .ok();
        Ok(())
    }

    /// Adds one job or pipeline entity (its catalog columns `row`).
    fn add_row(&mut self, kind: Kind, num: i64, row: &CatRow) {
        if kind == Kind::Pipeline {
            insert_sorted(&mut self.pipelines, num);
            if let Some(t) = row.submitted {
                *self
                    .stats
                    .pipelines_per_day
                    .entry(t.div_euclid(86_400))
                    .or_default() += 1;
            }
            if let Some(p) = row.project.as_deref() {
                *self
                    .stats
                    .pipelines_per_project
                    .entry(p.to_string())
                    .or_default() += 1;
                let e = self.project(p);
                insert_sorted(&mut e.pipelines, num);
                if let Some((s, name)) = row.trigger.as_deref().and_then(Section::of_trigger) {
                    insert_sorted(e.triggers.entry((s, name.to_string())).or_default(), num);
                }
            }
            return;
        }
        if is_detail_kind(kind) && row.failed() {
            insert_sorted(self.failed.entry(kind).or_default(), num);
        }
        for l in catalog_lists(kind) {
            if !l.accepts(row.target.as_deref()) {
                continue;
            }
            if l.list_kind() == kind {
                insert_sorted(self.list_ids.entry(l).or_default(), num);
                if let Some(p) = row.project.as_deref()
                    && p.split('/').count() >= 3
                {
                    self.project(p).lists.insert(l);
                }
                let class = row.class(l);
                *self.stats.by_status.entry((l, class)).or_default() += 1;
                insert_sorted(self.status_ids.entry((l, class)).or_default(), num);
                if let Some(t) = row.submitted {
                    self.count_submitted(l, t, row.project.as_deref());
                }
            }
            if l.detail_kind() == kind {
                insert_sorted(self.detail_ids.entry(l).or_default(), num);
            }
        }
    }

    fn count_submitted(&mut self, l: JobList, t: i64, project: Option<&str>) {
        *self
            .stats
            .jobs_per_day
            .entry(t.div_euclid(86_400))
            .or_default() += 1;
        let m = month_of(t);
        *self
            .stats
            .per_month
            .entry(m.clone())
            .or_default()
            .entry(l)
            .or_default() += 1;
        if let Some(p) = project {
            self.stats
                .active_per_month
                .entry(m)
                .or_default()
                .insert(p.to_string());
        }
    }

    /// Adds a project or project sub-list entity (`id` is its archive id).
    fn add_project_item(&mut self, kind: Kind, id: &str) {
        let (key, section, name) = match kind {
            Kind::Project => {
                self.project(id).has_entity = true;
                return;
            }
            Kind::ProjectPr => split_sub(id, '#', Section::Prs),
            Kind::ProjectBranch => split_sub(id, ':', Section::Branches),
            Kind::ProjectRelease => split_sub(id, '@', Section::Releases),
            Kind::ProjectIssue => split_sub(id, '!', Section::Issues),
            _ => return,
        };
        if let (Some(k), Some(n)) = (key, name) {
            self.project(&k).listed.insert((section, n));
        }
    }

    /// Patches a catalog made by [`Catalog::build_live`] with the entities changed
    /// since it was built (`changes`, as [`Archive::changed_since`] lists them),
    /// reading their new columns from `archive`. Returns `false`, leaving the
    /// catalog half-patched, when a change is one it cannot patch (an entity that
    /// moved to another project, trigger or target, or lost its submitted time; a
    /// catalog built without rows): the caller then builds a new catalog.
    pub fn apply(&mut self, archive: &Archive, changes: &[(Kind, String, bool)]) -> Result<bool> {
        let Some(mut rows) = self.rows.take() else {
            return Ok(false);
        };
        let shape = |c: &Catalog| {
            c.projects.len() + c.projects.values().map(|p| p.triggers.len()).sum::<usize>()
        };
        let before = shape(self);
        let ok = self.apply_rows(archive, changes, &mut rows);
        // a trigger page came (the first pipeline of a pull request, say): rows of
        // that trigger's jobs link to it now (`apply` only ever adds triggers)
        if shape(self) != before {
            self.row_cache.clear();
        }
        self.rows = Some(rows);
        let ok = ok?;
        if ok {
            self.read_meta(archive)?;
        }
        Ok(ok)
    }

    fn apply_rows(
        &mut self,
        archive: &Archive,
        changes: &[(Kind, String, bool)],
        rows: &mut HashMap<(Kind, i64), CatRow>,
    ) -> Result<bool> {
        use rusqlite::OptionalExtension as _;
        let conn = archive.connection();
        let mut st = conn.prepare_cached(
            "SELECT num, status, submitted, project, trigger, target FROM entity WHERE kind=?1 AND id=?2",
        )?;
        let mut logs = conn
            .prepare_cached(
                "SELECT name FROM log WHERE kind=?1 AND id=?2 AND data IS NOT NULL ORDER BY name",
            )
            .ok();
        for (kind, id, _) in changes {
            let kind = *kind;
            if let Ok(num) = id.parse::<i64>() {
                self.feed_times.lock().remove(&(kind, num));
                self.row_cache.forget(kind, num);
            }
            match kind {
                Kind::Usage | Kind::System => {
                    if !self.snapshots.iter().any(|(k, i)| *k == kind && i == id) {
                        self.snapshots.push((kind, id.clone()));
                        self.snapshots
                            .sort_by(|a, b| (a.0.as_str(), &a.1).cmp(&(b.0.as_str(), &b.1)));
                    }
                    continue;
                }
                Kind::Project
                | Kind::ProjectPr
                | Kind::ProjectBranch
                | Kind::ProjectRelease
                | Kind::ProjectIssue => {
                    self.add_project_item(kind, id);
                    self.projects.retain(|k, _| valid_project_key(k));
                    continue;
                }
                _ => {}
            }
            let got = st
                .query_row(rusqlite::params![kind.as_str(), id], |r| {
                    Ok((
                        r.get::<_, Option<i64>>(0)?,
                        CatRow {
                            status: r.get::<_, Option<String>>(1)?.map(Into::into),
                            submitted: r.get(2)?,
                            project: r.get::<_, Option<String>>(3)?.map(Into::into),
                            trigger: r.get::<_, Option<String>>(4)?.map(Into::into),
                            target: r.get::<_, Option<String>>(5)?.map(Into::into),
                        },
                    ))
                })
                .optional()?;
            let Some((Some(num), new)) = got else {
                continue;
            };
            if let Some(old) = rows.get(&(kind, num)) {
                if old.project != new.project
                    || old.trigger != new.trigger
                    || old.target != new.target
                {
                    return Ok(false);
                }
                if !self.move_row(kind, num, old, &new) {
                    return Ok(false);
                }
            } else {
                self.add_row(kind, num, &new);
                if kind != Kind::Pipeline
                    && let Some(p) = new.project.as_deref()
                    && valid_project_key(p)
                {
                    self.project(p);
                }
                self.projects.retain(|k, _| valid_project_key(k));
            }
            if let Some(st) = &mut logs {
                let names: Vec<String> = st
                    .query_map(rusqlite::params![kind.as_str(), id], |r| r.get(0))?
                    .collect::<std::result::Result<_, _>>()?;
                if names.is_empty() {
                    self.logs.remove(&(kind, num));
                } else {
                    self.logs.insert((kind, num), names);
                }
            }
            rows.insert((kind, num), new);
        }
        Ok(true)
    }

    /// Moves an entity from its `old` status and submitted time to the `new` ones
    /// (same project, trigger and target). `false` when that cannot be done
    /// exactly.
    fn move_row(&mut self, kind: Kind, num: i64, old: &CatRow, new: &CatRow) -> bool {
        let day = |t: i64| t.div_euclid(86_400);
        match (old.submitted, new.submitted) {
            (Some(_), None) => return false,
            (Some(a), Some(b)) if month_of(a) != month_of(b) => return false,
            _ => {}
        }
        if kind == Kind::Pipeline {
            match (old.submitted, new.submitted) {
                (None, Some(b)) => *self.stats.pipelines_per_day.entry(day(b)).or_default() += 1,
                (Some(a), Some(b)) if day(a) != day(b) => {
                    dec(&mut self.stats.pipelines_per_day, day(a));
                    *self.stats.pipelines_per_day.entry(day(b)).or_default() += 1;
                }
                _ => {}
            }
            return true;
        }
        if is_detail_kind(kind) && old.failed() != new.failed() {
            let ids = self.failed.entry(kind).or_default();
            if new.failed() {
                insert_sorted(ids, num);
            } else if let Ok(i) = ids.binary_search(&num) {
                ids.remove(i);
            }
            if ids.is_empty() {
                self.failed.remove(&kind);
            }
        }
        for l in catalog_lists(kind) {
            if l.list_kind() != kind || !l.accepts(new.target.as_deref()) {
                continue;
            }
            let (was, is) = (old.class(l), new.class(l));
            if was != is {
                if let Some(v) = self.status_ids.get_mut(&(l, was))
                    && let Ok(i) = v.binary_search(&num)
                {
                    v.remove(i);
                    if v.is_empty() {
                        self.status_ids.remove(&(l, was));
                    }
                }
                insert_sorted(self.status_ids.entry((l, is)).or_default(), num);
                if let Some(n) = self.stats.by_status.get_mut(&(l, was)) {
                    *n -= 1;
                    if *n == 0 {
                        self.stats.by_status.remove(&(l, was));
                    }
                }
                *self.stats.by_status.entry((l, is)).or_default() += 1;
            }
            match (old.submitted, new.submitted) {
                (None, Some(b)) => self.count_submitted(l, b, new.project.as_deref()),
                (Some(a), Some(b)) if day(a) != day(b) => {
                    dec(&mut self.stats.jobs_per_day, day(a));
                    *self.stats.jobs_per_day.entry(day(b)).or_default() += 1;
                }
                _ => {}
            }
        }
        true
    }

    /// The entry of project `key` (made when new), to be changed: its cached
    /// names are cleared.
    fn project(&mut self, key: &str) -> &mut ProjectEntry {
        let e = self
            .projects
            .entry(key.to_string())
            .or_insert_with(|| ProjectEntry {
                key: key.to_string(),
                ..ProjectEntry::default()
            });
        e.names_cache = NamesCache::default();
        e
    }

    /// Whether job `list`/`id` has a detail page and an archived log `name` with text.
    pub fn has_log(&self, list: JobList, id: i64, name: &str) -> bool {
        self.has_detail(list, id)
            && self
                .logs
                .get(&(list.detail_kind(), id))
                .is_some_and(|v| v.iter().any(|n| n == name))
    }

    /// Whether the detail page of `list`/`id` exists.
    pub fn has_detail(&self, list: JobList, id: i64) -> bool {
        self.detail_ids
            .get(&list)
            .is_some_and(|v| v.binary_search(&id).is_ok())
    }

    /// The job list whose detail pages hold `kind`/`id`, if any page exists.
    pub fn detail_list(&self, kind: Kind, id: i64) -> Option<JobList> {
        JobList::ALL
            .into_iter()
            .filter(|l| l.detail_kind() == kind)
            .find(|l| self.has_detail(*l, id))
    }

    /// Whether a pipeline page exists.
    pub fn has_pipeline(&self, id: i64) -> bool {
        self.pipelines.binary_search(&id).is_ok()
    }

    /// Forges with their projects.
    pub fn forges(&self) -> BTreeMap<&str, Vec<&ProjectEntry>> {
        let mut m: BTreeMap<&str, Vec<&ProjectEntry>> = BTreeMap::new();
        for p in self.projects.values() {
            m.entry(p.forge()).or_default().push(p);
        }
        m
    }

    /// Namespaces `(forge, namespace)` with their projects.
    pub fn namespaces(&self) -> BTreeMap<(&str, &str), Vec<&ProjectEntry>> {
        let mut m: BTreeMap<(&str, &str), Vec<&ProjectEntry>> = BTreeMap::new();
        for p in self.projects.values() {
            m.entry((p.forge(), p.namespace())).or_default().push(p);
        }
        m
    }
}

fn split_sub(id: &str, sep: char, s: Section) -> (Option<String>, Section, Option<String>) {
    match id.rsplit_once(sep) {
        Some((k, n)) if !n.is_empty() => (Some(k.to_string()), s, Some(n.to_string())),
        _ => (None, s, None),
    }
}

// ---------------------------------------------------------------- URL helpers

/// Reserved path segments that would collide with the site's own pages and files
/// (`static/site.js` encodes project paths with the same list).
pub const RESERVED: [&str; 12] = [
    "page",
    "badge",
    "badge.svg",
    "feed.xml",
    "failures.xml",
    "prs",
    "branches",
    "releases",
    "issues",
    "history",
    "projects-in",
    "index.html",
];

/// Encodes one path segment: kept if it matches `[A-Za-z0-9._+-]+`, does not start
/// with `.` and is not reserved; otherwise `~` followed by the lower-case hex of its
/// UTF-8 bytes (reversible, and never equal to a kept segment).
pub fn encode_segment(s: &str) -> String {
    let plain = !s.is_empty()
        && !s.starts_with('.')
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'+' | b'-'))
        && !RESERVED.contains(&s);
    if plain {
        s.to_string()
    } else {
        let mut out = String::with_capacity(1 + 2 * s.len());
        out.push('~');
        for b in s.bytes() {
            out.push_str(&format!("{b:02x}"));
        }
        out
    }
}

/// Reverses [`encode_segment`].
pub fn decode_segment(s: &str) -> Option<String> {
    match s.strip_prefix('~') {
        None => Some(s.to_string()),
        Some(hex) => {
            if hex.len() % 2 != 0 {
                return None;
            }
            let bytes: Option<Vec<u8>> = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
                .collect();
            String::from_utf8(bytes?).ok()
        }
    }
}

/// Site path of a project: `projects/<forge>/<ns segments…>/<repo>/`.
pub fn project_path(key: &str) -> String {
    let mut out = String::from("projects/");
    for seg in key.split('/') {
        out.push_str(&encode_segment(seg));
        out.push('/');
    }
    out
}

/// Site path of a forge page.
pub fn forge_path(forge: &str) -> String {
    format!("projects/{}/", encode_segment(forge))
}

/// Site path of a namespace page (nested directories for sub-groups). When a
/// project has the same key as the namespace, the namespace page moves to
/// `…/projects-in/` so both exist.
pub fn namespace_path(forge: &str, ns: &str, catalog: &Catalog) -> String {
    let key = format!("{forge}/{ns}");
    let base = project_path(&key);
    if catalog.projects.contains_key(&key) {
        format!("{base}projects-in/")
    } else {
        base
    }
}

/// Site path of a trigger page.
pub fn trigger_path(key: &str, s: Section, name: &str) -> String {
    format!(
        "{}{}/{}/",
        project_path(key),
        s.slug(),
        encode_segment(name)
    )
}

/// Site path of a job detail page.
pub fn detail_path(list: JobList, id: i64) -> String {
    format!("jobs/{}/{id}/", list.detail_slug())
}

/// Site path of a pipeline page.
pub fn pipeline_path(id: i64) -> String {
    format!("pipeline/{id}/")
}

/// Percent-encodes text for use inside a URL path (keeps `/` when `keep_slash`).
pub fn pct(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+')
            || (keep_slash && b == b'/')
        {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An `http(s)` URL from the archive, or `None` (other schemes are never linked).
pub fn safe_url(u: Option<&str>) -> Option<String> {
    let u = u?.trim();
    let lower = u.get(..8).unwrap_or(u).to_ascii_lowercase();
    if (lower.starts_with("https://") || lower.starts_with("http://"))
        && !u.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        Some(u.to_string())
    } else {
        None
    }
}

// ---------------------------------------------------------------- view structs

/// A link: internal site path (`jobs/copr/1/`) or external absolute URL.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Link {
    /// Target.
    pub href: String,
    /// Text.
    pub text: String,
    /// Whether the target is another site.
    pub ext: bool,
}

impl Link {
    /// Internal link.
    pub fn int(href: String, text: impl Into<String>) -> Link {
        Link {
            href,
            text: text.into(),
            ext: false,
        }
    }
    /// External link, if the URL is a safe http(s) URL.
    pub fn ext(url: Option<&str>, text: impl Into<String>) -> Option<Link> {
        safe_url(url).map(|href| Link {
            href,
            text: text.into(),
            ext: true,
        })
    }
}

/// A status as shown: text, class (for icon and colour) and a human label.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct StatusView {
    /// Status text as the API sent it (normalised).
    pub text: String,
    /// Display class (`success`, `failure`, …).
    pub class: &'static str,
}

impl StatusView {
    /// From API text.
    pub fn of(s: &str) -> StatusView {
        let st = Status::new(s);
        let text = st.normalized();
        StatusView {
            text: if text.is_empty() {
                "unknown".into()
            } else {
                text.to_string()
            },
            class: st.class().as_str(),
        }
    }
}

/// A point in time: ISO for `datetime`, human UTC text.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct TimeView {
    /// `2024-06-20T15:04:24Z`.
    pub iso: String,
    /// `2024-06-20 15:04 UTC`.
    pub human: String,
}

/// Time view of optional UNIX seconds.
pub fn tv(secs: Option<i64>) -> Option<TimeView> {
    secs.map(|s| TimeView {
        iso: time::iso_utc(s),
        human: time::human_utc(s),
    })
}

/// A status label: status + target text + optional link.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Chip {
    /// Status.
    pub status: StatusView,
    /// Target (chroot, branch) or job name.
    pub text: String,
    /// Link (internal detail page or external).
    pub href: Option<String>,
}

/// Forge links and display of a trigger.
#[derive(Clone, Debug, Serialize, PartialEq, Default)]
pub struct TriggerView {
    /// `namespace/repo` (or Anitya project name).
    pub project: String,
    /// `#12`, `:main`, `#release:1.0`, `#version:1.2`.
    pub suffix: String,
    /// Forge host.
    pub forge: String,
    /// Internal project page.
    pub project_page: Option<String>,
    /// Internal trigger page (every pipeline of this PR / branch / release).
    pub trigger_page: Option<String>,
    /// Forge URL of the PR / branch / release / issue.
    pub forge_url: Option<String>,
    /// Forge URL of the project.
    pub project_url: Option<String>,
}

/// Forge flavour of a project URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Forge {
    /// github.com.
    GitHub,
    /// Pagure and src.fedoraproject.org.
    Pagure,
    /// release-monitoring.org.
    Anitya,
    /// Everything else (GitLab rules).
    GitLab,
}

/// Forge flavour of a host.
pub fn forge_of(host: &str) -> Forge {
    let h = host.to_ascii_lowercase();
    if h == "github.com" || h.ends_with(".github.com") {
        Forge::GitHub
    } else if h.contains("pagure")
        || h == "src.fedoraproject.org"
        || h.ends_with(".fedoraproject.org")
    {
        Forge::Pagure
    } else if h == "release-monitoring.org" {
        Forge::Anitya
    } else {
        Forge::GitLab
    }
}

fn host_of(url: &str) -> &str {
    url.split("://")
        .nth(1)
        .unwrap_or("")
        .split('/')
        .next()
        .unwrap_or("")
}

/// Forge URL of a PR.
pub fn pr_url(project_url: &str, n: i64) -> String {
    let base = project_url.trim_end_matches('/');
    match forge_of(host_of(base)) {
        Forge::GitHub => format!("{base}/pull/{n}"),
        Forge::Pagure => format!("{base}/pull-request/{n}"),
        _ => format!("{base}/-/merge_requests/{n}"),
    }
}

/// Forge URL of an issue (GitLab: `/-/issues/N`, not the dashboard's `issues/-/N`).
pub fn issue_url(project_url: &str, n: i64) -> String {
    let base = project_url.trim_end_matches('/');
    match forge_of(host_of(base)) {
        Forge::GitHub => format!("{base}/issues/{n}"),
        Forge::Pagure => format!("{base}/issue/{n}"),
        _ => format!("{base}/-/issues/{n}"),
    }
}

/// Forge URL of a branch.
pub fn branch_url(project_url: &str, b: &str) -> String {
    let base = project_url.trim_end_matches('/');
    let b = pct(b, true);
    match forge_of(host_of(base)) {
        Forge::GitHub | Forge::Pagure => format!("{base}/tree/{b}"),
        _ => format!("{base}/-/tree/{b}"),
    }
}

/// Forge URL of a release tag.
pub fn release_url(project_url: &str, t: &str) -> String {
    let base = project_url.trim_end_matches('/');
    let t = pct(t, false);
    match forge_of(host_of(base)) {
        Forge::GitHub => format!("{base}/releases/tag/{t}"),
        Forge::Pagure => format!("{base}/tree/{t}"),
        _ => format!("{base}/-/tags/{t}"),
    }
}

/// Forge URL of a commit.
pub fn commit_url(project_url: &str, sha: &str) -> String {
    let base = project_url.trim_end_matches('/');
    let sha = pct(sha, false);
    match forge_of(host_of(base)) {
        Forge::GitHub => format!("{base}/commit/{sha}"),
        Forge::Pagure => format!("{base}/c/{sha}"),
        _ => format!("{base}/-/commit/{sha}"),
    }
}

/// A commit: short text, full SHA and forge link.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CommitView {
    /// First 7 characters.
    pub short: String,
    /// Full SHA.
    pub full: String,
    /// Forge URL.
    pub url: Option<String>,
}

/// One table cell of a list.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(tag = "t", rename_all = "lowercase")]
pub enum Cell {
    /// Plain text.
    Text {
        /// Text.
        v: String,
    },
    /// Monospace text.
    Code {
        /// Text.
        v: String,
    },
    /// A link.
    Link {
        /// The link.
        l: Link,
        /// Monospace.
        code: bool,
    },
    /// Status labels.
    Chips {
        /// Labels.
        v: Vec<Chip>,
    },
    /// A time.
    Time {
        /// Time.
        v: Option<TimeView>,
    },
    /// A trigger.
    Trigger {
        /// Trigger.
        v: Option<TriggerView>,
    },
    /// Groups of labels (pipeline jobs).
    Groups {
        /// (group title, labels).
        v: Vec<JobGroup>,
    },
    /// A commit.
    Commit {
        /// Commit.
        v: Option<CommitView>,
    },
    /// Nothing to show.
    Empty,
}

fn text(v: impl Into<String>) -> Cell {
    Cell::Text { v: v.into() }
}

fn opt_text(v: Option<impl Into<String>>) -> Cell {
    v.map(|v| text(v)).unwrap_or(Cell::Empty)
}

fn link_cell(l: Option<Link>, code: bool) -> Cell {
    l.map(|l| Cell::Link { l, code }).unwrap_or(Cell::Empty)
}

/// A titled group of labels.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct JobGroup {
    /// Group title (`Copr`, `Testing Farm`, …).
    pub title: String,
    /// Labels.
    pub chips: Vec<Chip>,
}

/// A table: headers and rows of cells.
#[derive(Clone, Debug, Serialize, PartialEq, Default)]
pub struct ListView {
    /// Column headers.
    pub columns: Vec<String>,
    /// Rows.
    pub rows: Vec<Vec<Cell>>,
}

/// A labelled fact of a detail page.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Fact {
    /// Label.
    pub label: String,
    /// Value.
    pub value: Cell,
}

fn fact(label: &str, value: Cell) -> Option<Fact> {
    if value == Cell::Empty {
        None
    } else {
        Some(Fact {
            label: label.into(),
            value,
        })
    }
}

/// A notice box on a page.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Notice {
    /// `info`, `warning` or `error`.
    pub level: &'static str,
    /// Text.
    pub text: String,
}

/// A log shown inline.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct LogView {
    /// Title.
    pub title: String,
    /// Anchor id.
    pub id: String,
    /// Log text.
    pub text: String,
    /// A note about where the log comes from.
    pub note: Option<String>,
}

/// Copr install instructions.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct InstallView {
    /// `dnf copr enable owner/project chroot`.
    pub enable: String,
    /// `dnf install` of all packages.
    pub all: Option<String>,
    /// One command per package.
    pub each: Vec<String>,
}

/// One Log Detective snippet.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SnippetView {
    /// Line number.
    pub line: Option<i64>,
    /// Text.
    pub text: String,
    /// Analysis.
    pub analysis: Option<String>,
}

/// Snippets of one source file.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SnippetGroup {
    /// Source file.
    pub file: String,
    /// Snippets.
    pub snippets: Vec<SnippetView>,
}

/// Log Detective results.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct LdView {
    /// Explanation.
    pub explanation: Option<String>,
    /// Solution.
    pub solution: Option<String>,
    /// Nothing found.
    pub no_issue_found: bool,
    /// Snippets by file.
    pub groups: Vec<SnippetGroup>,
}

/// Timeline of a job.
#[derive(Clone, Debug, Serialize, PartialEq, Default)]
pub struct Timeline {
    /// Submitted.
    pub submitted: Option<TimeView>,
    /// Started.
    pub started: Option<TimeView>,
    /// Finished.
    pub finished: Option<TimeView>,
    /// Duration text.
    pub duration: Option<String>,
    /// Extra labelled times.
    pub extra: Vec<(String, TimeView)>,
}

fn timeline(sub: Option<i64>, start: Option<i64>, end: Option<i64>) -> Timeline {
    let duration = match (start.or(sub), end) {
        (Some(a), Some(b)) if b >= a => Some(time::human_duration(b - a)),
        _ => None,
    };
    Timeline {
        submitted: tv(sub),
        started: tv(start),
        finished: tv(end),
        duration,
        extra: Vec::new(),
    }
}

/// A related group of jobs (tested builds, SRPM, analyses).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Related {
    /// Title.
    pub title: String,
    /// Jobs.
    pub chips: Vec<Chip>,
}

/// Everything a job detail page shows.
#[derive(Clone, Debug, Serialize, PartialEq, Default)]
pub struct DetailView {
    /// Job type (`Copr build`).
    pub kind_title: String,
    /// Job list slug.
    pub list_slug: String,
    /// Job list title.
    pub list_title: String,
    /// Packit id.
    pub id: i64,
    /// Status.
    pub status: Option<StatusView>,
    /// Target.
    pub target: Option<String>,
    /// Trigger.
    pub trigger: Option<TriggerView>,
    /// Commit.
    pub commit: Option<CommitView>,
    /// Facts.
    pub facts: Vec<Fact>,
    /// Timeline.
    pub timeline: Timeline,
    /// External links.
    pub links: Vec<Link>,
    /// Notices (deleted upstream, fetch errors, archived logs).
    pub notices: Vec<Notice>,
    /// Error messages.
    pub errors: Vec<String>,
    /// Inline logs.
    pub logs: Vec<LogView>,
    /// Copr install instructions.
    pub install: Option<InstallView>,
    /// Log Detective results.
    pub ld: Option<LdView>,
    /// Related jobs.
    pub related: Vec<Related>,
    /// Pipelines the job belongs to.
    pub pipelines: Vec<Link>,
}

/// One pipeline.
#[derive(Clone, Debug, Serialize, PartialEq, Default)]
pub struct PipelineView {
    /// Merged run id.
    pub id: i64,
    /// Overall status.
    pub status: Option<StatusView>,
    /// Trigger.
    pub trigger: Option<TriggerView>,
    /// Submitted.
    pub submitted: Option<TimeView>,
    /// Stages in order.
    pub groups: Vec<JobGroup>,
    /// Notices.
    pub notices: Vec<Notice>,
}

/// A row of a project table.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ProjectRow {
    /// `namespace/repo`.
    pub name: String,
    /// Forge host.
    pub forge: String,
    /// Internal page.
    pub href: String,
    /// External URL.
    pub url: Option<String>,
    /// PRs handled.
    pub prs: i64,
    /// Branches handled.
    pub branches: i64,
    /// Releases handled.
    pub releases: i64,
    /// Issues handled.
    pub issues: i64,
    /// Pipelines in the archive.
    pub pipelines: usize,
}

/// A project page.
#[derive(Clone, Debug, Serialize, PartialEq, Default)]
pub struct ProjectView {
    /// Key.
    pub key: String,
    /// Site path of the project page.
    pub href: String,
    /// Forge.
    pub forge: String,
    /// Namespace.
    pub namespace: String,
    /// Repo.
    pub repo: String,
    /// External URL.
    pub url: Option<String>,
    /// Forge page.
    pub forge_page: String,
    /// Namespace page.
    pub namespace_page: String,
    /// Sections: (slug, title, count, page).
    pub sections: Vec<SectionLink>,
    /// Pipelines count.
    pub pipelines: usize,
    /// Notices.
    pub notices: Vec<Notice>,
}

/// A link to a project section.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SectionLink {
    /// Slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Item count.
    pub count: usize,
    /// Page.
    pub href: String,
}

/// A row of a project section (one PR / branch / release / issue).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct TriggerRow {
    /// Display name (`#12`, `main`).
    pub name: String,
    /// Internal trigger page.
    pub href: String,
    /// Forge URL.
    pub url: Option<String>,
    /// Pipelines.
    pub pipelines: usize,
    /// Latest pipeline status.
    pub latest: Option<Chip>,
}

// ---------------------------------------------------------------- the model

// The entity query reads rows the way the archive does.
use crate::archive::{ENTITY_COLS as COLS, row_entity};

fn parse<T: serde::de::DeserializeOwned + Default>(s: Option<&str>) -> T {
    s.and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default()
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
        let _ = archive
            .connection()
            .execute_batch("PRAGMA cache_size=-16384;");
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
        let mut st = self.archive.connection().prepare_cached(&format!(
            "SELECT {COLS} FROM entity WHERE kind=?1 AND num BETWEEN ?2 AND ?3 ORDER BY num DESC"
        ))?;
        let rows = st.query_map(rusqlite::params![kind.as_str(), lo, hi], row_entity)?;
        let mut out = Vec::with_capacity(ids.len());
        for r in rows {
            let e = r?;
            if e.id
                .parse::<i64>()
                .is_ok_and(|n| ids.binary_search(&n).is_ok())
            {
                out.push(e);
            }
        }
        Ok(out)
    }

    /// One entity.
    pub fn entity(&self, kind: Kind, id: i64) -> Result<Option<Entity>> {
        self.entity_by_key(kind, &id.to_string())
    }

    /// One entity by its archive id (prepared statement cached per connection).
    pub fn entity_by_key(&self, kind: Kind, id: &str) -> Result<Option<Entity>> {
        use rusqlite::OptionalExtension;
        let mut st = self.archive.connection().prepare_cached(&format!(
            "SELECT {COLS} FROM entity WHERE kind=?1 AND id=?2"
        ))?;
        Ok(st
            .query_row(rusqlite::params![kind.as_str(), id], row_entity)
            .optional()?)
    }

    fn status_of(&self, kind: Kind, id: i64) -> Result<Option<(Option<String>, Option<String>)>> {
        let mut st = self
            .archive
            .connection()
            // by number: the covering catalog index answers it; the row itself
            // keeps these columns behind its JSON, often on overflow pages
            .prepare_cached("SELECT status, target FROM entity WHERE kind=?1 AND num=?2")?;
        use rusqlite::OptionalExtension;
        Ok(st
            .query_row(rusqlite::params![kind.as_str(), id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?)
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
            if let Some((Some(s), _)) = self.status_of(kind, id)? {
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

    /// Trigger view of a project-info block.
    pub fn trigger(&self, info: &ProjectInfo) -> Option<TriggerView> {
        let url = safe_url(info.project_url.as_deref().filter(|u| !u.is_empty()));
        let key = url.as_deref().and_then(crate::api::project_key);
        let trig = crate::archive::trigger_key(info);
        if url.is_none() && trig.is_none() {
            return None;
        }
        let host = url.as_deref().map(host_of).unwrap_or("").to_string();
        let anitya = info.non_git_upstream == Some(true) || forge_of(&host) == Forge::Anitya;
        let project = if anitya {
            info.anitya_project_name
                .clone()
                .or(info.anitya_package.clone())
                .unwrap_or_else(|| "release-monitoring.org".into())
        } else {
            match (&info.repo_namespace, &info.repo_name) {
                (Some(n), Some(r)) if !n.is_empty() || !r.is_empty() => format!("{n}/{r}"),
                _ => key
                    .as_deref()
                    .map(|k| k.split_once('/').map(|(_, r)| r).unwrap_or(k).to_string())
                    .unwrap_or_default(),
            }
        };
        let mut tv = TriggerView {
            project,
            forge: host,
            project_url: url.clone(),
            ..TriggerView::default()
        };
        if let Some(k) = &key
            && self.catalog.projects.contains_key(k)
        {
            tv.project_page = Some(project_path(k));
        }
        if let Some(pr) = info.pr_id {
            tv.suffix = format!("#{pr}");
            tv.forge_url = url.as_deref().map(|u| pr_url(u, pr));
        } else if let Some(i) = info.issue_id {
            tv.suffix = format!("#{i}");
            tv.forge_url = url.as_deref().map(|u| issue_url(u, i));
        } else if let Some(b) = &info.branch_name {
            tv.suffix = format!(":{b}");
            tv.forge_url = url.as_deref().map(|u| branch_url(u, b));
        } else if let Some(r) = &info.release {
            tv.suffix = format!("#release:{r}");
            tv.forge_url = url.as_deref().map(|u| release_url(u, r));
        } else if let Some(v) = &info.anitya_version {
            tv.suffix = if v.contains(';') {
                format!("#versions:{{{}}}", v.replace(';', ","))
            } else {
                format!("#version:{v}")
            };
            tv.forge_url = url.clone();
        }
        if let (Some(k), Some(t)) = (&key, &trig)
            && let (Some(p), Some((s, name))) =
                (self.catalog.projects.get(k), Section::of_trigger(t))
            && p.triggers.contains_key(&(s, name.to_string()))
        {
            tv.trigger_page = Some(trigger_path(k, s, name));
        }
        Some(tv)
    }

    fn commit(&self, info: &ProjectInfo, sha: Option<&str>) -> Option<CommitView> {
        let sha = sha.filter(|s| !s.is_empty())?;
        let url = safe_url(info.project_url.as_deref())
            .filter(|u| forge_of(host_of(u)) != Forge::Anitya)
            .map(|u| commit_url(&u, sha));
        Some(CommitView {
            short: sha.chars().take(7).collect(),
            full: sha.to_string(),
            url,
        })
    }

    // ------------------------------------------------------------ lists

    /// Column headers of a job list.
    pub fn list_columns(list: JobList) -> Vec<String> {
        let cols: &[&str] = match list {
            JobList::Copr => &["Trigger", "Chroots", "Submitted", "Copr build"],
            JobList::Koji | JobList::KojiDownstream => {
                &["Trigger", "Target", "Submitted", "Koji task"]
            }
            JobList::Srpm => &["Trigger", "Result", "Submitted", "Job"],
            JobList::TestingFarm => &["Trigger", "Target", "Submitted", "Test results"],
            JobList::ProposeDownstream | JobList::PullFromUpstream => {
                &["Trigger", "Targets", "Submitted", "Run"]
            }
            JobList::Bodhi => &["Trigger", "Branch", "Processed", "Update"],
            JobList::OpenScanHub => &[
                "Trigger",
                "Scan",
                "New findings",
                "Processed",
                "OSH task",
                "All findings",
            ],
            JobList::KojiTagRequests => &[
                "Trigger",
                "Target",
                "Sidetag",
                "NVR",
                "Submitted",
                "Koji task",
            ],
            JobList::LogDetective => &["Trigger", "Target", "Analysis", "Commit", "Submitted"],
        };
        cols.iter().map(|s| s.to_string()).collect()
    }

    /// Rows of a job list for the list-kind entities with the given ids.
    pub fn list_rows(&self, list: JobList, ids: &[i64]) -> Result<ListView> {
        let rows = self.rows_of(
            RowTable::List(list),
            list.list_kind(),
            Some(list.detail_kind()),
            ids,
            |e| self.list_row(list, e),
        )?;
        Ok(ListView {
            columns: Self::list_columns(list),
            rows,
        })
    }

    /// Rows of the target index of a grouping list (Copr chroots, sync-release
    /// branches) for the detail entities with the given ids.
    pub fn target_rows(&self, list: JobList, ids: &[i64]) -> Result<ListView> {
        let rows = self.rows_of(RowTable::Target(list), list.detail_kind(), None, ids, |e| {
            Ok(self.target_row(list, e))
        })?;
        let last = if list == JobList::Copr {
            "Copr build"
        } else {
            "Downstream"
        };
        Ok(ListView {
            columns: vec![
                "Trigger".into(),
                "Target".into(),
                "Submitted".into(),
                last.into(),
            ],
            rows,
        })
    }

    /// Rows of `table` for the entities of `kind` with the given ids (ascending),
    /// newest first, made by `row` or taken from the session's [`RowCache`].
    /// `also` is the kind of other entities with the same ids the rows read (a
    /// list item's detail entity).
    fn rows_of(
        &self,
        table: RowTable,
        kind: Kind,
        also: Option<Kind>,
        ids: &[i64],
        row: impl Fn(&Entity) -> Result<Vec<Cell>>,
    ) -> Result<Vec<Vec<Cell>>> {
        let cache = &self.catalog.row_cache;
        if self.catalog.rows.is_none() {
            return self.entities_in(kind, ids)?.iter().map(row).collect();
        }
        // newest first, as `entities_in` returns them
        let mut out: Vec<Option<Vec<Cell>>> = ids
            .iter()
            .rev()
            .map(|&id| cache.get(table, kind, id))
            .collect();
        let missing: Vec<i64> = ids
            .iter()
            .zip(out.iter().rev())
            .filter(|(_, r)| r.is_none())
            .map(|(&id, _)| id)
            .collect();
        if !missing.is_empty() {
            let mut made: HashMap<i64, Vec<Cell>> = HashMap::with_capacity(missing.len());
            for e in self.entities_in(kind, &missing)? {
                let Ok(id) = e.id.parse::<i64>() else {
                    continue;
                };
                let mut reads = vec![(kind, id)];
                reads.extend(also.map(|k| (k, id)));
                *self.reads.borrow_mut() = Some(reads);
                let r = row(&e);
                let reads = self.reads.borrow_mut().take().unwrap_or_default();
                let r = r?;
                cache.put(table, kind, id, r.clone(), &reads);
                made.insert(id, r);
            }
            for (slot, id) in out.iter_mut().zip(ids.iter().rev()) {
                if slot.is_none() {
                    *slot = made.remove(id);
                }
            }
        }
        Ok(out.into_iter().flatten().collect())
    }

    /// One row of the target index of a grouping list.
    fn target_row(&self, list: JobList, e: &Entity) -> Vec<Cell> {
        let json = e.json();
        let (info, target, sub, ext) = match list {
            JobList::Copr => {
                let v: types::CoprBuildTarget = parse(json);
                let ext = Link::ext(v.web_url.as_deref(), v.build_id.clone().unwrap_or_default());
                (
                    v.project_info(),
                    v.chroot.clone(),
                    types::submitted(v.build_submitted_time, v.submitted_time),
                    ext,
                )
            }
            _ => {
                let v: types::SyncReleaseTarget = parse(json);
                let ext = v
                    .downstream_prs
                    .first()
                    .and_then(|p| Link::ext(p.url.as_deref(), "downstream PR"));
                (v.project_info(), v.branch.clone(), v.submitted_time, ext)
            }
        };
        vec![
            Cell::Trigger {
                v: self.trigger(&info),
            },
            Cell::Chips {
                v: vec![self.own_chip(list, e, target.as_deref())],
            },
            Cell::Time {
                v: tv(sub.or(e.submitted)),
            },
            link_cell(ext, true),
        ]
    }

    fn own_chip(&self, list: JobList, e: &Entity, target: Option<&str>) -> Chip {
        let id: i64 = e.id.parse().unwrap_or(0);
        Chip {
            status: StatusView::of(e.status.as_deref().unwrap_or("")),
            text: target
                .filter(|t| !t.is_empty())
                .map(String::from)
                .unwrap_or_else(|| format!("#{id}")),
            href: self
                .catalog
                .has_detail(list, id)
                .then(|| detail_path(list, id)),
        }
    }

    fn list_row(&self, list: JobList, e: &Entity) -> Result<Vec<Cell>> {
        let json = e.json();
        let id: i64 = e.id.parse().unwrap_or(0);
        let row = match list {
            JobList::Copr => {
                let v: types::CoprBuildListItem = parse(e.list_json.as_deref());
                let mut chips = Vec::new();
                for (chroot, st) in &v.status_per_chroot {
                    let pid = v.packit_id_per_chroot.get(chroot).copied();
                    chips.push(self.job_chip(Kind::Copr, pid, st.as_str(), chroot)?);
                }
                vec![
                    Cell::Trigger {
                        v: self.trigger(&v.project_info()),
                    },
                    Cell::Chips { v: chips },
                    Cell::Time {
                        v: tv(types::submitted(v.build_submitted_time, v.submitted_time)),
                    },
                    link_cell(
                        Link::ext(v.web_url.as_deref(), v.build_id.clone().unwrap_or_default()),
                        true,
                    ),
                ]
            }
            JobList::Koji | JobList::KojiDownstream => {
                let v: types::KojiBuild = parse(json);
                vec![
                    Cell::Trigger {
                        v: self.trigger(&v.project_info()),
                    },
                    Cell::Chips {
                        v: vec![self.own_chip(list, e, v.chroot.as_deref())],
                    },
                    Cell::Time {
                        v: tv(types::submitted(v.build_submitted_time, v.submitted_time)),
                    },
                    link_cell(
                        Link::ext(v.web_url.as_deref(), v.task_id.clone().unwrap_or_default()),
                        true,
                    ),
                ]
            }
            JobList::Srpm => {
                let v: types::SrpmBuild = parse(json);
                let l: types::SrpmBuild = parse(e.list_json.as_deref());
                let info = if v.project_url.is_some() {
                    v.project_info()
                } else {
                    l.project_info()
                };
                vec![
                    Cell::Trigger {
                        v: self.trigger(&info),
                    },
                    Cell::Chips {
                        v: vec![self.own_chip(list, e, Some("SRPM"))],
                    },
                    Cell::Time { v: tv(e.submitted) },
                    link_cell(
                        self.catalog
                            .has_detail(list, id)
                            .then(|| Link::int(detail_path(list, id), format!("#{id}"))),
                        false,
                    ),
                ]
            }
            JobList::TestingFarm => {
                let v: types::TestingFarmRun = parse(json);
                let target = v.chroot.clone().or(v.target.clone());
                vec![
                    Cell::Trigger {
                        v: self.trigger(&v.project_info()),
                    },
                    Cell::Chips {
                        v: vec![self.own_chip(list, e, target.as_deref())],
                    },
                    Cell::Time {
                        v: tv(v.submitted_time),
                    },
                    link_cell(
                        Link::ext(
                            v.web_url.as_deref(),
                            v.pipeline_id.clone().unwrap_or_else(|| "results".into()),
                        ),
                        true,
                    ),
                ]
            }
            JobList::ProposeDownstream | JobList::PullFromUpstream => {
                let v: types::SyncReleaseRunItem = parse(e.list_json.as_deref());
                let mut chips = Vec::new();
                for (branch, st) in &v.status_per_downstream_pr {
                    let pid = v.packit_id_per_downstream_pr.get(branch).copied();
                    chips.push(self.job_chip(list.detail_kind(), pid, st.as_str(), branch)?);
                }
                vec![
                    Cell::Trigger {
                        v: self.trigger(&v.info),
                    },
                    Cell::Chips { v: chips },
                    Cell::Time {
                        v: tv(v.submitted_time),
                    },
                    Cell::Chips {
                        v: vec![Chip {
                            status: StatusView::of(v.status.as_str()),
                            text: format!("run {id}"),
                            href: None,
                        }],
                    },
                ]
            }
            JobList::Bodhi => {
                let v: types::BodhiUpdate = parse(json);
                vec![
                    Cell::Trigger {
                        v: self.trigger(&v.project_info()),
                    },
                    Cell::Chips {
                        v: vec![self.own_chip(list, e, v.branch.as_deref())],
                    },
                    Cell::Time {
                        v: tv(v.submitted_time),
                    },
                    link_cell(
                        Link::ext(v.web_url.as_deref(), v.alias.clone().unwrap_or_default()),
                        true,
                    ),
                ]
            }
            JobList::OpenScanHub => {
                let v: types::OpenScanHubScan = parse(json);
                vec![
                    Cell::Trigger {
                        v: self.trigger(&v.project_info()),
                    },
                    Cell::Chips {
                        v: vec![self.own_chip(list, e, Some("scan"))],
                    },
                    opt_text(v.issues_added_count.map(|n| n.to_string())),
                    Cell::Time {
                        v: tv(v.submitted_time),
                    },
                    link_cell(
                        Link::ext(
                            v.url.as_deref(),
                            v.task_id.map(|t| t.to_string()).unwrap_or_default(),
                        ),
                        true,
                    ),
                    link_cell(Link::ext(v.scan_results_url.as_deref(), "results"), false),
                ]
            }
            JobList::KojiTagRequests => {
                let v: types::KojiTagRequest = parse(json);
                vec![
                    Cell::Trigger {
                        v: self.trigger(&v.project_info()),
                    },
                    Cell::Chips {
                        v: vec![Chip {
                            status: StatusView::of("unknown"),
                            text: v.chroot.clone().unwrap_or_else(|| format!("#{id}")),
                            href: self
                                .catalog
                                .has_detail(list, id)
                                .then(|| detail_path(list, id)),
                        }],
                    },
                    link_cell(koji_search(v.sidetag.as_deref(), "tag"), true),
                    link_cell(koji_search(v.nvr.as_deref(), "build"), true),
                    Cell::Time {
                        v: tv(v.tag_request_submitted_time),
                    },
                    link_cell(
                        Link::ext(v.web_url.as_deref(), v.task_id.clone().unwrap_or_default()),
                        true,
                    ),
                ]
            }
            JobList::LogDetective => {
                let v: types::LogDetectiveRun = parse(json);
                vec![
                    Cell::Trigger {
                        v: self.trigger(&v.project_info()),
                    },
                    Cell::Chips {
                        v: vec![self.own_chip(list, e, v.chroot.as_deref())],
                    },
                    Cell::Code {
                        v: v.analysis_id.clone().unwrap_or_default(),
                    },
                    Cell::Commit {
                        v: self.commit(&v.project_info(), v.commit_sha.as_deref()),
                    },
                    Cell::Time {
                        v: tv(v.submitted_time),
                    },
                ]
            }
        };
        Ok(row)
    }

    // ------------------------------------------------------------ pipelines

    /// Pipeline view of a stored `/runs` item.
    pub fn pipeline(&self, e: &Entity) -> Result<PipelineView> {
        let run: Run = parse(e.list_json.as_deref().or(e.detail_json.as_deref()));
        let id: i64 = e.id.parse().unwrap_or(0);
        let mut groups = Vec::new();
        let mut push = |title: &str, kind: Kind, jobs: &[types::RunJob], m: &Self| -> Result<()> {
            if jobs.is_empty() {
                return Ok(());
            }
            let mut chips = Vec::new();
            for j in jobs {
                chips.push(m.job_chip(
                    kind,
                    j.packit_id,
                    j.status.as_str(),
                    j.target.as_deref().unwrap_or(""),
                )?);
            }
            groups.push(JobGroup {
                title: title.into(),
                chips,
            });
            Ok(())
        };
        if let Some(s) = &run.srpm {
            let mut j = s.clone();
            if j.target.is_none() {
                j.target = Some("SRPM".into());
            }
            push("SRPM", Kind::Srpm, &[j], self)?;
        }
        push("Copr", Kind::Copr, &run.copr, self)?;
        push("Koji", Kind::Koji, &run.koji, self)?;
        push("Testing Farm", Kind::TestingFarm, &run.test_run, self)?;
        push(
            "Propose downstream",
            Kind::ProposeDownstream,
            &run.propose_downstream,
            self,
        )?;
        push(
            "Pull from upstream",
            Kind::PullFromUpstream,
            &run.pull_from_upstream,
            self,
        )?;
        push("Bodhi", Kind::Bodhi, &run.bodhi_update, self)?;
        push("VM image", Kind::System, &run.vm_image_build, self)?;
        Ok(PipelineView {
            id,
            status: e.status.as_deref().map(StatusView::of),
            trigger: run.trigger.as_ref().and_then(|t| self.trigger(t)),
            submitted: tv(run.time_submitted.or(e.submitted)),
            groups,
            notices: entity_notices(e),
        })
    }

    /// Table of pipelines with the given ids, newest first.
    pub fn pipeline_rows(&self, ids: &[i64]) -> Result<ListView> {
        let rows = self.rows_of(RowTable::Pipeline, Kind::Pipeline, None, ids, |e| {
            let p = self.pipeline(e)?;
            Ok(vec![
                Cell::Link {
                    l: Link::int(pipeline_path(p.id), format!("#{}", p.id)),
                    code: false,
                },
                Cell::Trigger { v: p.trigger },
                Cell::Time { v: p.submitted },
                Cell::Groups { v: p.groups },
            ])
        })?;
        Ok(ListView {
            columns: vec![
                "Pipeline".into(),
                "Trigger".into(),
                "Submitted".into(),
                "Jobs".into(),
            ],
            rows,
        })
    }

    /// Links to the pipelines a job belongs to.
    pub fn pipelines_of(&self, kind: Kind, id: i64) -> Result<Vec<Link>> {
        Ok(self
            .archive
            .pipelines_of(kind, &id.to_string())?
            .into_iter()
            .filter(|p| self.catalog.has_pipeline(*p))
            .map(|p| Link::int(pipeline_path(p), format!("Pipeline #{p}")))
            .collect())
    }

    // ------------------------------------------------------------ details

    /// The detail view of job `id` of `list`.
    pub fn detail(&self, list: JobList, id: i64) -> Result<Option<DetailView>> {
        let Some(e) = self.entity(list.detail_kind(), id)? else {
            return Ok(None);
        };
        let mut d = DetailView {
            kind_title: list.singular().into(),
            list_slug: list.slug().into(),
            list_title: list.title().into(),
            id,
            notices: entity_notices(&e),
            pipelines: self.pipelines_of(list.detail_kind(), id)?,
            ..DetailView::default()
        };
        let json = e.json();
        match list {
            JobList::Copr => {
                let v: types::CoprBuildTarget = parse(json);
                let info = v.project_info();
                d.status = Some(StatusView::of(v.status.as_str()));
                d.target = v.chroot.clone();
                d.trigger = self.trigger(&info);
                d.commit = self.commit(&info, v.commit_sha.as_deref());
                d.facts.extend(fact(
                    "Copr build",
                    link_cell(
                        Link::ext(v.web_url.as_deref(), v.build_id.clone().unwrap_or_default()),
                        true,
                    ),
                ));
                if let (Some(o), Some(p)) = (&v.copr_owner, &v.copr_project) {
                    d.facts.extend(fact(
                        "Copr project",
                        link_cell(
                            Link::ext(
                                Some(&format!(
                                    "https://copr.fedorainfracloud.org/coprs/{}/{}/",
                                    pct(o, false),
                                    pct(p, false)
                                )),
                                format!("{o}/{p}"),
                            ),
                            true,
                        ),
                    ));
                }
                d.timeline = timeline(
                    types::submitted(v.build_submitted_time, v.submitted_time),
                    v.build_start_time,
                    v.build_finished_time,
                );
                match Link::ext(v.build_logs_url.as_deref(), "Build logs") {
                    Some(l) => d.links.push(l),
                    None => d.notices.push(Notice {
                        level: "info",
                        text: "Logs are not available for this build.".into(),
                    }),
                }
                d.links
                    .extend(Link::ext(v.web_url.as_deref(), "Copr build page"));
                if let Some(srpm) = v.srpm_build_id {
                    d.related.push(Related {
                        title: "SRPM build".into(),
                        chips: vec![self.job_chip(Kind::Srpm, Some(srpm), "", "SRPM")?],
                    });
                }
                self.ld_related(&mut d, &v.log_detective_runs)?;
                if let (Some(owner), Some(project), Some(chroot)) =
                    (&v.copr_owner, &v.copr_project, &v.chroot)
                {
                    let pkgs: Vec<String> = v
                        .built_packages
                        .iter()
                        .flatten()
                        .filter(|p| p.arch.as_deref() != Some("src"))
                        .filter_map(|p| {
                            let name = p.name.as_deref()?;
                            let epoch = p.epoch.filter(|e| *e != 0);
                            Some(format!(
                                "{name}-{}{}-{}.{}",
                                epoch.map(|e| format!("{e}:")).unwrap_or_default(),
                                p.version.as_deref().unwrap_or(""),
                                p.release.as_deref().unwrap_or(""),
                                p.arch.as_deref().unwrap_or("")
                            ))
                        })
                        .collect();
                    if !pkgs.is_empty() {
                        d.install = Some(InstallView {
                            enable: format!("dnf copr enable {owner}/{project} {chroot}"),
                            all: (pkgs.len() > 1)
                                .then(|| format!("dnf install {}", pkgs.join(" "))),
                            each: pkgs.iter().map(|p| format!("dnf install {p}")).collect(),
                        });
                    }
                }
            }
            JobList::Koji | JobList::KojiDownstream => {
                let v: types::KojiBuild = parse(json);
                let info = v.project_info();
                d.status = Some(StatusView::of(v.status.as_str()));
                d.target = v.chroot.clone();
                d.trigger = self.trigger(&info);
                d.commit = self.commit(&info, v.commit_sha.as_deref());
                d.facts.extend(fact(
                    "Build type",
                    text(if list == JobList::Koji {
                        "scratch"
                    } else {
                        "production"
                    }),
                ));
                d.facts.extend(fact(
                    "Koji task",
                    link_cell(
                        Link::ext(v.web_url.as_deref(), v.task_id.clone().unwrap_or_default()),
                        true,
                    ),
                ));
                d.timeline = timeline(
                    types::submitted(v.build_submitted_time, v.submitted_time),
                    v.build_start_time,
                    v.build_finished_time,
                );
                for (arch, url) in v
                    .build_logs_urls
                    .as_ref()
                    .map(|l| l.entries())
                    .unwrap_or_default()
                {
                    d.links
                        .extend(Link::ext(Some(&url), format!("Build log ({arch})")));
                }
                d.links
                    .extend(Link::ext(v.web_url.as_deref(), "Koji task page"));
                d.errors
                    .extend(v.error_message.clone().filter(|s| !s.is_empty()));
                if let Some(out) = v.build_submission_stdout.clone().filter(|s| !s.is_empty()) {
                    d.logs.push(LogView {
                        title: "Submission output".into(),
                        id: "submission-log".into(),
                        text: out,
                        note: None,
                    });
                }
                if let Some(srpm) = v.srpm_build_id {
                    d.related.push(Related {
                        title: "SRPM build".into(),
                        chips: vec![self.job_chip(Kind::Srpm, Some(srpm), "", "SRPM")?],
                    });
                }
                self.ld_related(&mut d, &v.log_detective_runs)?;
            }
            JobList::Srpm => {
                let v: types::SrpmBuild = parse(json);
                let l: types::SrpmBuild = parse(e.list_json.as_deref());
                let info = if v.project_url.is_some() {
                    v.project_info()
                } else {
                    l.project_info()
                };
                d.status = Some(StatusView::of(v.status.as_str()));
                d.trigger = self.trigger(&info);
                d.timeline = timeline(
                    types::submitted(v.build_submitted_time, v.submitted_time).or(e.submitted),
                    v.build_start_time,
                    v.build_finished_time,
                );
                d.facts.extend(fact(
                    "Copr build",
                    link_cell(
                        Link::ext(
                            v.copr_web_url.as_deref(),
                            v.copr_build_id.clone().unwrap_or_else(|| "Copr".into()),
                        ),
                        true,
                    ),
                ));
                d.links.extend(Link::ext(v.url.as_deref(), "SRPM download"));
                d.links
                    .extend(Link::ext(v.logs_url.as_deref(), "Build logs"));
                d.links
                    .extend(Link::ext(v.copr_web_url.as_deref(), "Copr build page"));
                match v.logs.clone().filter(|s| !s.is_empty()) {
                    Some(t) => d.logs.push(LogView {
                        title: "Build log".into(),
                        id: "build-log".into(),
                        text: t,
                        note: None,
                    }),
                    None => {
                        // Packit blanks SRPM logs after 30 days; the archive may still
                        // hold them in an older version.
                        let old = self
                            .archive
                            .history(Kind::Srpm, &e.id)?
                            .into_iter()
                            .find_map(|(at, _, det)| {
                                let o: types::SrpmBuild = parse(det.as_deref());
                                o.logs.filter(|s| !s.is_empty()).map(|t| (at, t))
                            });
                        if let Some((at, t)) = old {
                            d.logs.push(LogView {
                                title: "Build log".into(),
                                id: "build-log".into(),
                                text: t,
                                note: Some(format!(
                                    "Packit no longer serves this log; this copy was archived before {}.",
                                    time::human_utc(at)
                                )),
                            });
                        } else if v.logs_url.is_none() {
                            d.notices.push(Notice {
                                level: "info",
                                text: "The build log is not available.".into(),
                            });
                        }
                    }
                }
            }
            JobList::TestingFarm => {
                let v: types::TestingFarmRun = parse(json);
                let info = v.project_info();
                d.status = Some(StatusView::of(v.status.as_str()));
                d.target = v.chroot.clone().or(v.target.clone());
                d.trigger = self.trigger(&info);
                d.commit = self.commit(&info, v.commit_sha.as_deref().or(v.r#ref.as_deref()));
                d.facts.extend(fact(
                    "Pipeline ID",
                    opt_text(v.pipeline_id.clone()).into_code(),
                ));
                d.timeline = timeline(v.submitted_time, None, None);
                d.links.extend(Link::ext(
                    v.web_url.as_deref(),
                    "Test results and artifacts",
                ));
                let mut tested = Vec::new();
                for c in &v.copr_build_ids {
                    tested.push(self.job_chip(Kind::Copr, Some(*c), "", "")?);
                }
                for k in &v.koji_build_ids {
                    tested.push(self.job_chip(Kind::Koji, Some(*k), "", "")?);
                }
                if !tested.is_empty() {
                    for c in &mut tested {
                        if let Some(h) = &c.href
                            && let Some((_, Some(t))) = self.status_of_href(h)?
                        {
                            c.text = t.trim_start_matches("downstream:").to_string();
                        }
                    }
                    d.related.push(Related {
                        title: "Tested builds".into(),
                        chips: tested,
                    });
                }
            }
            JobList::ProposeDownstream | JobList::PullFromUpstream => {
                let v: types::SyncReleaseTarget = parse(json);
                let info = v.project_info();
                d.status = Some(StatusView::of(v.status.as_str()));
                d.target = v.branch.clone();
                d.trigger = self.trigger(&info);
                d.timeline = timeline(v.submitted_time, v.start_time, v.finished_time);
                let mut prs = Vec::new();
                for pr in &v.downstream_prs {
                    if let Some(l) = Link::ext(
                        pr.url.as_deref(),
                        format!(
                            "{} #{}",
                            pr.branch.clone().or(v.branch.clone()).unwrap_or_default(),
                            pr.pr_id.map(|n| n.to_string()).unwrap_or_default()
                        ),
                    ) {
                        prs.push(l);
                    }
                }
                if let Some(l) =
                    Link::ext(v.downstream_pr_url.as_deref(), "Downstream pull request")
                {
                    prs.push(l);
                }
                d.links.extend(prs);
                d.links.extend(Link::ext(
                    v.downstream_pr_project.as_deref(),
                    "Package in dist-git",
                ));
                if let Some(t) = v.logs.clone().filter(|s| !s.is_empty()) {
                    d.logs.push(LogView {
                        title: "Log".into(),
                        id: "log".into(),
                        text: t,
                        note: None,
                    });
                }
            }
            JobList::Bodhi => {
                let v: types::BodhiUpdate = parse(json);
                let info = v.project_info();
                d.status = Some(StatusView::of(v.status.as_str()));
                d.target = v.branch.clone();
                d.trigger = self.trigger(&info);
                d.facts.extend(fact(
                    "Update",
                    link_cell(
                        Link::ext(v.web_url.as_deref(), v.alias.clone().unwrap_or_default()),
                        true,
                    ),
                ));
                d.facts.extend(fact(
                    "Koji builds",
                    opt_text(v.koji_nvrs.clone().filter(|s| !s.is_empty())).into_code(),
                ));
                d.timeline = timeline(v.submitted_time, None, None);
                if let Some(t) = tv(v.update_creation_time) {
                    d.timeline.extra.push(("Update created".into(), t));
                }
                d.links
                    .extend(Link::ext(v.web_url.as_deref(), "Bodhi update page"));
                d.errors
                    .extend(v.error_message.clone().filter(|s| !s.is_empty()));
            }
            JobList::OpenScanHub => {
                let v: types::OpenScanHubScan = parse(json);
                let info = v.project_info();
                d.status = Some(StatusView::of(v.status.as_str()));
                d.trigger = self.trigger(&info);
                d.facts.extend(fact(
                    "New findings",
                    opt_text(v.issues_added_count.map(|n| n.to_string())),
                ));
                d.facts.extend(fact(
                    "OSH task",
                    link_cell(
                        Link::ext(
                            v.url.as_deref(),
                            v.task_id.map(|t| t.to_string()).unwrap_or_default(),
                        ),
                        true,
                    ),
                ));
                d.timeline = timeline(v.submitted_time, None, None);
                d.links
                    .extend(Link::ext(v.issues_added_url.as_deref(), "Added findings"));
                d.links
                    .extend(Link::ext(v.issues_fixed_url.as_deref(), "Fixed findings"));
                d.links
                    .extend(Link::ext(v.scan_results_url.as_deref(), "All findings"));
                if let Some(c) = v.copr_build_target_id {
                    d.related.push(Related {
                        title: "Scanned Copr build".into(),
                        chips: vec![self.job_chip(Kind::Copr, Some(c), "", "")?],
                    });
                }
            }
            JobList::KojiTagRequests => {
                let v: types::KojiTagRequest = parse(json);
                let info = v.project_info();
                d.status = Some(StatusView::of("unknown"));
                d.target = v.chroot.clone();
                d.trigger = self.trigger(&info);
                d.commit = self.commit(&info, v.commit_sha.as_deref());
                d.facts.extend(fact(
                    "Sidetag",
                    link_cell(koji_search(v.sidetag.as_deref(), "tag"), true),
                ));
                d.facts.extend(fact(
                    "NVR",
                    link_cell(koji_search(v.nvr.as_deref(), "build"), true),
                ));
                d.facts.extend(fact(
                    "Koji task",
                    link_cell(
                        Link::ext(v.web_url.as_deref(), v.task_id.clone().unwrap_or_default()),
                        true,
                    ),
                ));
                d.timeline = timeline(v.tag_request_submitted_time, None, None);
                d.notices.push(Notice {
                    level: "info",
                    text: "Packit does not record a status for tagging requests.".into(),
                });
            }
            JobList::LogDetective => {
                let v: types::LogDetectiveRun = parse(json);
                let info = v.project_info();
                d.status = Some(StatusView::of(v.status.as_str()));
                d.target = v.chroot.clone();
                d.trigger = self.trigger(&info);
                d.commit = self.commit(&info, v.commit_sha.as_deref());
                d.facts.extend(fact(
                    "Analysis ID",
                    opt_text(v.analysis_id.clone()).into_code(),
                ));
                d.facts.extend(fact(
                    "Analysed build",
                    opt_text(v.target_build.clone()).into_code(),
                ));
                d.timeline = timeline(v.submitted_time, None, None);
                d.errors
                    .extend(v.error_msg.clone().filter(|s| !s.is_empty()));
                if let Some(r) = &v.log_detective_response {
                    let mut groups: Vec<SnippetGroup> = Vec::new();
                    for s in &r.snippets {
                        let file = s.source_file.clone().unwrap_or_else(|| "log".into());
                        let sv = SnippetView {
                            line: s.line_number,
                            text: s.text.clone().unwrap_or_default(),
                            analysis: s.snippet_analysis.clone().filter(|a| !a.is_empty()),
                        };
                        match groups.iter_mut().find(|g| g.file == file) {
                            Some(g) => g.snippets.push(sv),
                            None => groups.push(SnippetGroup {
                                file,
                                snippets: vec![sv],
                            }),
                        }
                    }
                    d.ld = Some(LdView {
                        explanation: r.explanation.as_ref().and_then(|t| t.text.clone()),
                        solution: r.solution.as_ref().and_then(|t| t.text.clone()),
                        no_issue_found: r.no_issue_found == Some(true),
                        groups,
                    });
                }
            }
        }
        Ok(Some(d))
    }

    fn status_of_href(&self, href: &str) -> Result<Option<(Option<String>, Option<String>)>> {
        let mut parts = href.trim_end_matches('/').rsplit('/');
        let id: i64 = match parts.next().and_then(|s| s.parse().ok()) {
            Some(i) => i,
            None => return Ok(None),
        };
        let slug = parts.next().unwrap_or("");
        match JobList::ALL.into_iter().find(|l| l.detail_slug() == slug) {
            Some(l) => self.status_of(l.detail_kind(), id),
            None => Ok(None),
        }
    }

    fn ld_related(&self, d: &mut DetailView, runs: &[i64]) -> Result<()> {
        if runs.is_empty() {
            return Ok(());
        }
        let mut chips = Vec::new();
        for r in runs {
            chips.push(self.job_chip(
                Kind::LogDetective,
                Some(*r),
                "",
                &format!("analysis #{r}"),
            )?);
        }
        d.related.push(Related {
            title: "Log Detective analyses".into(),
            chips,
        });
        Ok(())
    }

    // ------------------------------------------------------------ projects

    /// A project row.
    pub fn project_row(&self, p: &ProjectEntry) -> Result<ProjectRow> {
        let v: types::Project = if p.has_entity {
            self.entity_by_key(Kind::Project, &p.key)?
                .map(|e| parse(e.json()))
                .unwrap_or_default()
        } else {
            types::Project::default()
        };
        let count = |api: Option<i64>, s: Section| api.unwrap_or(0).max(p.names(s).len() as i64);
        Ok(ProjectRow {
            name: format!("{}/{}", p.namespace(), p.repo()),
            forge: p.forge().to_string(),
            href: project_path(&p.key),
            url: safe_url(v.project_url.as_deref())
                .or_else(|| safe_url(Some(&format!("https://{}", p.key)))),
            prs: count(v.prs_handled, Section::Prs),
            branches: count(v.branches_handled, Section::Branches),
            releases: count(v.releases_handled, Section::Releases),
            issues: count(v.issues_handled, Section::Issues),
            pipelines: p.pipelines.len(),
        })
    }

    /// A project page view.
    pub fn project(&self, p: &ProjectEntry) -> Result<ProjectView> {
        let row = self.project_row(p)?;
        let mut notices = Vec::new();
        if p.has_entity
            && let Some(e) = self.entity_by_key(Kind::Project, &p.key)?
        {
            notices = entity_notices(&e);
        }
        Ok(ProjectView {
            key: p.key.clone(),
            href: project_path(&p.key),
            forge: p.forge().to_string(),
            namespace: p.namespace().to_string(),
            repo: p.repo().to_string(),
            url: row.url,
            forge_page: forge_path(p.forge()),
            namespace_page: namespace_path(p.forge(), p.namespace(), self.catalog),
            sections: Section::ALL
                .into_iter()
                .map(|s| SectionLink {
                    slug: s.slug().into(),
                    title: s.title().into(),
                    count: p.names(s).len(),
                    href: format!("{}{}/", project_path(&p.key), s.slug()),
                })
                .collect(),
            pipelines: p.pipelines.len(),
            notices,
        })
    }

    /// Rows of a project section.
    pub fn trigger_rows(
        &self,
        p: &ProjectEntry,
        s: Section,
        names: &[String],
    ) -> Result<Vec<TriggerRow>> {
        let url = self.project_row(p)?.url;
        let mut rows = Vec::new();
        for n in names {
            let pipes = p.triggers.get(&(s, n.clone()));
            let latest = match pipes.and_then(|v| v.last()) {
                Some(id) => self.entity(Kind::Pipeline, *id)?.map(|e| Chip {
                    status: StatusView::of(e.status.as_deref().unwrap_or("")),
                    text: format!("#{id}"),
                    href: Some(pipeline_path(*id)),
                }),
                None => None,
            };
            rows.push(TriggerRow {
                name: trigger_name(s, n),
                href: trigger_path(&p.key, s, n),
                url: url.as_deref().map(|u| trigger_forge_url(u, s, n)),
                pipelines: pipes.map(|v| v.len()).unwrap_or(0),
                latest,
            });
        }
        Ok(rows)
    }
}

/// Display name of a trigger in a section.
pub fn trigger_name(s: Section, n: &str) -> String {
    match s {
        Section::Prs | Section::Issues => format!("#{n}"),
        _ => n.to_string(),
    }
}

/// Forge URL of a trigger.
pub fn trigger_forge_url(project_url: &str, s: Section, n: &str) -> String {
    let num = n.parse::<i64>().unwrap_or(0);
    match s {
        Section::Prs => pr_url(project_url, num),
        Section::Issues => issue_url(project_url, num),
        Section::Branches => branch_url(project_url, n),
        Section::Releases => release_url(project_url, n),
    }
}

impl Cell {
    fn into_code(self) -> Cell {
        match self {
            Cell::Text { v } => Cell::Code { v },
            c => c,
        }
    }
}

fn koji_search(term: Option<&str>, typ: &str) -> Option<Link> {
    let t = term.filter(|t| !t.is_empty())?;
    Link::ext(
        Some(&format!(
            "https://koji.fedoraproject.org/koji/search?match=exact&type={typ}&terms={}",
            pct(t, false)
        )),
        t,
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_encode_reversibly() {
        for s in [
            "main",
            "v1.0",
            "feature/x",
            ".hidden",
            "",
            "page",
            "ü",
            "a b",
            "..",
            "~x",
        ] {
            let e = encode_segment(s);
            assert!(
                e.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._+-~".contains(&b)),
                "{e}"
            );
            assert!(!e.starts_with('.') && !e.is_empty());
            assert_eq!(decode_segment(&e).as_deref(), Some(s));
        }
        assert_eq!(encode_segment("main"), "main");
        assert_eq!(encode_segment("feature/x"), "~666561747572652f78");
    }

    #[test]
    fn forge_urls() {
        assert_eq!(
            issue_url("https://gitlab.com/a/b", 3),
            "https://gitlab.com/a/b/-/issues/3"
        );
        assert_eq!(
            pr_url("https://github.com/a/b", 3),
            "https://github.com/a/b/pull/3"
        );
        assert_eq!(
            pr_url("https://src.fedoraproject.org/rpms/x", 3),
            "https://src.fedoraproject.org/rpms/x/pull-request/3"
        );
        assert_eq!(
            branch_url("https://gitlab.com/a/b", "f/x y"),
            "https://gitlab.com/a/b/-/tree/f/x%20y"
        );
        assert_eq!(
            release_url("https://github.com/a/b", "1.0"),
            "https://github.com/a/b/releases/tag/1.0"
        );
        assert_eq!(
            commit_url("https://pagure.io/a", "abc"),
            "https://pagure.io/a/c/abc"
        );
        assert_eq!(safe_url(Some("javascript:alert(1)")), None);
        assert_eq!(safe_url(Some("https://x/ y")), None);
    }
}
