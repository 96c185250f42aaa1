//! The catalog: a compact, read-only index of the whole archive (ids per job list,
//! pipelines per project and trigger, projects, statistics), filled in one pass
//! from the rows the archive gives it. The plan decides pages from it and every
//! rendering worker shares it.

use super::Result;
use super::caches::{FeedTimes, NamesCache, RowCache};
use super::history::{TargetHistory, hist_key};
use crate::api::Kind;
use crate::api::types::StatusClass;
use crate::archive::{Archive, CatalogRow};
use crate::jobs::{JobList, Section};
use crate::time;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One project known to the archive (from `/projects` or from jobs that name it).
#[derive(Clone, Debug, Default)]
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

/// The data fields of a project entry, in declaration order.
type EntryData<'a> = (
    &'a String,
    &'a bool,
    &'a BTreeMap<(Section, String), Vec<i64>>,
    &'a BTreeSet<(Section, String)>,
    &'a Vec<i64>,
    &'a BTreeSet<JobList>,
);

impl ProjectEntry {
    /// Every field but the cached names (a new field fails to compile here until
    /// it is listed).
    fn data(&self) -> EntryData<'_> {
        let ProjectEntry {
            key,
            has_entity,
            triggers,
            listed,
            pipelines,
            lists,
            names_cache: _,
        } = self;
        (key, has_entity, triggers, listed, pipelines, lists)
    }
}

/// Projects compare by their data, not by the cached names.
impl PartialEq for ProjectEntry {
    fn eq(&self, o: &ProjectEntry) -> bool {
        self.data() == o.data()
    }
}

/// Projects hash by their data, field by field as a derived hash would (the
/// plan's structure digest hashes them).
impl std::hash::Hash for ProjectEntry {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        // a tuple hashes its fields in order, with nothing around them
        self.data().hash(h);
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
        let all = self.names_cache.get_or_init(|| {
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
#[derive(Debug, Default)]
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
    pub(super) rows: Option<HashMap<(Kind, i64), CatRow>>,
    /// Each target's runs per trigger and job list (see [`TargetHistory`]).
    pub history: TargetHistory,
}

/// The catalog columns of one job or pipeline entity.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct CatRow {
    pub(super) status: Option<Box<str>>,
    pub(super) submitted: Option<i64>,
    pub(super) project: Option<Box<str>>,
    pub(super) trigger: Option<Box<str>>,
    pub(super) target: Option<Box<str>>,
}

impl From<CatalogRow> for CatRow {
    fn from(r: CatalogRow) -> CatRow {
        CatRow {
            status: r.status.map(Into::into),
            submitted: r.submitted,
            project: r.project.map(Into::into),
            trigger: r.trigger.map(Into::into),
            target: r.target.map(Into::into),
        }
    }
}

impl CatRow {
    /// The status class the entity counts under in list `l`.
    pub(super) fn class(&self, l: JobList) -> StatusClass {
        if !l.kind_def().statuses {
            StatusClass::Unknown
        } else {
            StatusClass::of(self.status.as_deref().unwrap_or_default())
        }
    }

    /// Whether the entity's own status is a failure or an error.
    pub(super) fn failed(&self) -> bool {
        StatusClass::of(self.status.as_deref().unwrap_or_default()).is_failure()
    }
}

/// Whether entities of `kind` have job detail pages.
pub(super) fn is_detail_kind(kind: Kind) -> bool {
    JobList::ALL.iter().any(|l| l.detail_kind() == kind)
}

/// The job lists whose list or detail entities are of `kind`.
pub(super) fn catalog_lists(kind: Kind) -> Vec<JobList> {
    JobList::ALL
        .into_iter()
        .filter(|l| l.list_kind() == kind || l.detail_kind() == kind)
        .collect()
}

/// Whether `key` is a `forge/namespace/repo` project key.
pub(super) fn valid_project_key(k: &str) -> bool {
    k.split('/').count() >= 3 && k.split('/').all(|s| !s.is_empty())
}

/// Inserts `v` into the ascending `vec` (appending when it is the largest).
pub(super) fn insert_sorted(vec: &mut Vec<i64>, v: i64) {
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
pub(super) fn dec<K: Ord>(m: &mut BTreeMap<K, u64>, k: K) {
    if let Some(n) = m.get_mut(&k) {
        *n -= 1;
        if *n == 0 {
            m.remove(&k);
        }
    }
}

/// The month (`YYYY-MM`) of UNIX time `secs`.
pub(super) fn month_of(secs: i64) -> String {
    time::date_utc(secs)[..7].to_string()
}

/// Catalogs compare by their data: the caches ([`FeedTimes`], [`RowCache`]) are
/// derived from the archive and left out.
impl PartialEq for Catalog {
    fn eq(&self, o: &Catalog) -> bool {
        let Catalog {
            list_ids,
            detail_ids,
            pipelines,
            projects,
            stats,
            snapshots,
            status_ids,
            last_sync,
            source_api,
            revision,
            logs,
            failed,
            feed_times: _,
            row_cache: _,
            rows,
            history,
        } = self;
        list_ids == &o.list_ids
            && detail_ids == &o.detail_ids
            && pipelines == &o.pipelines
            && projects == &o.projects
            && stats == &o.stats
            && snapshots == &o.snapshots
            && status_ids == &o.status_ids
            && last_sync == &o.last_sync
            && source_api == &o.source_api
            && revision == &o.revision
            && logs == &o.logs
            && failed == &o.failed
            && rows == &o.rows
            && history == &o.history
    }
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
        let mut c = Catalog {
            rows: live.then(HashMap::new),
            ..Catalog::default()
        };
        c.read_meta(archive)?;
        archive.for_each_log_name(|kind, id, name| {
            if let (Some(kind), Ok(num)) = (Kind::parse(kind), id.parse::<i64>()) {
                c.logs.entry((kind, num)).or_default().push(name);
            }
        })?;
        for kind in Kind::ALL {
            if catalog_lists(kind).is_empty() && kind != Kind::Pipeline {
                continue;
            }
            archive.for_each_catalog_row(kind, |num, row| {
                let row = CatRow::from(row);
                c.add_row(kind, num, &row);
                if let Some(rows) = &mut c.rows {
                    rows.insert((kind, num), row);
                }
            })?;
        }
        // projects listed by the API and their sub-lists
        archive.for_each_project_item(|kind, id| {
            if let Some(kind) = Kind::parse(&kind) {
                c.add_project_item(kind, &id);
            }
        })?;
        c.snapshots = archive
            .snapshot_ids()?
            .into_iter()
            .filter_map(|(k, id)| Kind::parse(&k).map(|k| (k, id)))
            .collect();
        // jobs naming projects the project list does not have
        for k in archive.named_projects()? {
            if k.split('/').count() >= 3 {
                c.project(&k);
            }
        }
        c.projects.retain(|k, _| valid_project_key(k));
        Ok(c)
    }

    /// Revision, last sync and source API from the archive.
    pub(super) fn read_meta(&mut self, archive: &Archive) -> Result<()> {
        self.revision = archive.revision()?;
        self.last_sync = archive.meta("last_sync")?.and_then(|v| v.parse().ok());
        self.source_api = archive.last_sync_api();
        Ok(())
    }

    /// Adds one job or pipeline entity (its catalog columns `row`).
    pub(super) fn add_row(&mut self, kind: Kind, num: i64, row: &CatRow) {
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
                self.put_history(l, num, row);
            }
        }
    }

    /// Files job `num` of list `l` under its target's history on its trigger.
    pub(super) fn put_history(&mut self, l: JobList, num: i64, row: &CatRow) {
        if let Some(k) = hist_key(
            l,
            row.project.as_deref(),
            row.trigger.as_deref(),
            row.target.as_deref(),
        ) {
            let status = row.status.as_deref().unwrap_or_default();
            self.history.put(k, num, row.submitted, status);
        }
    }

    pub(super) fn count_submitted(&mut self, l: JobList, t: i64, project: Option<&str>) {
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
    pub(super) fn add_project_item(&mut self, kind: Kind, id: &str) {
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

    /// The entry of project `key` (made when new), to be changed: its cached
    /// names are cleared.
    pub(super) fn project(&mut self, key: &str) -> &mut ProjectEntry {
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

    /// Every project in A–Z order of its key, ignoring case (ties: the key's own
    /// order): the order of the project lists and of their filter index.
    pub fn projects_az(&self) -> Vec<&ProjectEntry> {
        let mut v: Vec<(String, &ProjectEntry)> = self
            .projects
            .values()
            .map(|p| (p.key.to_lowercase(), p))
            .collect();
        v.sort_by(|a, b| (&a.0, &a.1.key).cmp(&(&b.0, &b.1.key)));
        v.into_iter().map(|(_, p)| p).collect()
    }

    /// Forges with their projects (A–Z, ignoring case).
    pub fn forges(&self) -> BTreeMap<&str, Vec<&ProjectEntry>> {
        let mut m: BTreeMap<&str, Vec<&ProjectEntry>> = BTreeMap::new();
        for p in self.projects_az() {
            m.entry(p.forge()).or_default().push(p);
        }
        m
    }

    /// Namespaces `(forge, namespace)` with their projects (A–Z, ignoring case).
    pub fn namespaces(&self) -> BTreeMap<(&str, &str), Vec<&ProjectEntry>> {
        let mut m: BTreeMap<(&str, &str), Vec<&ProjectEntry>> = BTreeMap::new();
        for p in self.projects_az() {
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
