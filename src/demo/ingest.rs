//! Demo ingestion: streams the synthetic data set into the archive exactly as a
//! complete sync would store it (asking sync how it stores each endpoint), and adds
//! synthetic job logs.

use super::{DemoSpec, Record};
use crate::api::types;
use crate::api::{Kind, list_item_id, project_key};
use crate::archive::{Archive, ArchiveError, LogStatus, Part, log_sources};
use crate::sync::{
    ListRecord, SyncError, detail_fetched, detail_record, is_anitya, item_project, list_record,
    project_fetchable, sub_list_item_id, wanted_details,
};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

/// What [`ingest_records`] wrote.
#[derive(Clone, Debug, Default, Serialize)]
pub struct IngestSummary {
    /// Archive revision of the ingestion.
    pub revision: i64,
    /// Rows written (list items and details; an entity with both counts twice).
    pub rows: u64,
    /// Entities per kind after the ingestion.
    pub entities: BTreeMap<String, u64>,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl IngestSummary {
    /// One line for humans.
    pub fn summary(&self) -> String {
        let total: u64 = self.entities.values().sum();
        format!(
            "demo archive r{}: {} rows, {} entities ({}) in {:.1} s",
            self.revision,
            self.rows,
            total,
            self.entities
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect::<Vec<_>>()
                .join(", "),
            self.seconds
        )
    }
}

/// Rows written per transaction by [`ingest_records`].
const INGEST_BATCH: usize = 4000;

/// Buffered rows, written in one transaction per batch.
struct RowBuffer {
    rows: Vec<(Kind, String, Part, String)>,
    written: u64,
    now: i64,
    rev: i64,
}

impl RowBuffer {
    fn push(
        &mut self,
        archive: &mut Archive,
        kind: Kind,
        id: String,
        part: Part,
        text: String,
    ) -> Result<(), ArchiveError> {
        self.rows.push((kind, id, part, text));
        if self.rows.len() >= INGEST_BATCH {
            self.flush(archive)?;
        }
        Ok(())
    }

    fn flush(&mut self, archive: &mut Archive) -> Result<(), ArchiveError> {
        if self.rows.is_empty() {
            return Ok(());
        }
        // both halves of an entity in one insert when it is new
        let mut order: Vec<(Kind, String)> = Vec::new();
        let mut halves: HashMap<(Kind, String), (Option<String>, Option<String>)> = HashMap::new();
        for (kind, id, part, text) in self.rows.drain(..) {
            self.written += 1;
            let e = halves.entry((kind, id)).or_insert_with_key(|k| {
                order.push(k.clone());
                (None, None)
            });
            match part {
                Part::List => e.0 = Some(text),
                Part::Detail => e.1 = Some(text),
            }
        }
        let w = archive.write()?;
        for key in order {
            let (list, detail) = halves.remove(&key).unwrap_or_default();
            let (kind, id) = key;
            if !w.insert_new(
                kind,
                &id,
                list.as_deref(),
                detail.as_deref(),
                self.now,
                self.rev,
            )? {
                if let Some(l) = &list {
                    w.put(kind, &id, Part::List, l, self.now, self.rev)?;
                }
                if let Some(d) = &detail {
                    w.put(kind, &id, Part::Detail, d, self.now, self.rev)?;
                }
            }
        }
        w.commit()
    }
}

/// The same as [`ingest_records`] (the name `build --demo` uses).
pub fn ingest_demo(archive: &mut Archive, spec: &DemoSpec) -> Result<IngestSummary, SyncError> {
    ingest_records(archive, spec)
}

/// The synthetic build log of demo job `id` (deterministic; a realistic failing
/// mock and rpmbuild log, see [`super::logs`]).
pub fn demo_log_text(id: &str) -> String {
    super::logs::copr_log(id, "", false)
}

/// Archives logs for up to `max` failed jobs of each kind with logs in a demo
/// archive, as a sync with logs would (so demo sites show log pages and failure
/// boxes): Copr `builder-live.log`s and Koji `build.log`s (realistic failing logs),
/// the inline SRPM and sync-release logs of failed jobs. Every fifth Copr log is
/// long and stored capped (its head and tail). Returns how many were stored.
pub fn add_demo_logs(archive: &mut Archive, max: usize) -> Result<usize, SyncError> {
    // (kind, id, name, url, text)
    let mut jobs: Vec<(Kind, String, String, Option<String>, String)> = Vec::new();
    let kinds = [
        (Kind::Copr, "builder-live"),
        (Kind::Koji, "build-x86_64"),
        (Kind::Srpm, "srpm"),
        (Kind::ProposeDownstream, "sync-release"),
        (Kind::PullFromUpstream, "sync-release"),
    ];
    for (kind, name) in kinds {
        let start = jobs.len();
        archive.for_each(kind, |e| {
            let failed = e
                .status
                .as_deref()
                .is_some_and(|s| types::Status::new(s).class().is_failure());
            if !failed || jobs.len() - start >= max {
                return;
            }
            let Some(v) = e.json().and_then(|j| serde_json::from_str::<Value>(j).ok()) else {
                return;
            };
            let Some(src) = log_sources(kind, &v).into_iter().find(|s| s.name == name) else {
                return;
            };
            // the log names the job's package, as its Log Detective analysis does
            let package = v
                .get("project_url")
                .and_then(Value::as_str)
                .and_then(super::package_of)
                .unwrap_or_default();
            let n = jobs.len() - start;
            let text = match (kind, src.inline) {
                (_, Some(t)) => t,
                (Kind::Copr, None) => super::logs::copr_log(&e.id, &package, n % 5 == 4),
                (_, None) => super::logs::koji_log(&e.id, &package),
            };
            jobs.push((kind, e.id.clone(), name.to_string(), src.url, text));
        })?;
    }
    let now = crate::time::now();
    let w = archive.write()?;
    for (i, (kind, id, name, url, text)) in jobs.iter().enumerate() {
        let long = *kind == Kind::Copr && i % 5 == 4;
        let (kept, capped) = if long {
            crate::api::client::head_and_tail(text.as_bytes(), 4096)
        } else {
            (text.as_bytes().to_vec(), false)
        };
        let status = if capped {
            LogStatus::Capped
        } else {
            LogStatus::Stored
        };
        w.put_log(
            *kind,
            id,
            name,
            url.as_deref(),
            status,
            Some(&kept),
            Some(text.len() as i64),
            None,
            now,
        )?;
    }
    w.commit()?;
    Ok(jobs.len())
}

/// Details that arrived before the list item naming them, kept until it arrives.
/// Details never claimed (e.g. Copr targets the list leaves out) are dropped once this
/// many newer ones wait, which bounds memory: items and their details are generated
/// pipeline by pipeline.
const PENDING_MAX: usize = 50_000;

/// The ingestion state of [`ingest_records`].
struct Ingest<'a> {
    archive: &'a mut Archive,
    buf: RowBuffer,
    /// Details sync would fetch (named by a stored list item).
    wanted: HashSet<(Kind, String)>,
    /// Details not (yet) named by a list item, oldest first.
    pending: HashMap<(Kind, String), String>,
    pending_order: std::collections::VecDeque<(Kind, String)>,
    /// Projects of stored jobs and pipelines (where sync's project phase goes).
    touched: HashSet<String>,
    /// Project records that came before any job of their project, by project.
    early_projects: HashMap<String, Vec<(Kind, String, Part, String)>>,
}

/// The jobs a stored half names that sync fetches by their detail endpoint when no
/// list brings them: a pipeline's jobs, a job's references; list-only kinds (whose
/// detail sync never fetches for a listed item) left out.
fn named_jobs(kind: Kind, part: Part, text: &str) -> Vec<(Kind, String)> {
    let named = match kind {
        Kind::Pipeline if part == Part::List => {
            let Ok(run) = serde_json::from_str::<crate::api::types::Run>(text) else {
                return Vec::new();
            };
            crate::jobs::run_jobs(&run)
                .filter_map(|(k, j)| Some((k, j.packit_id?.to_string())))
                .collect()
        }
        Kind::Copr | Kind::Koji | Kind::TestingFarm | Kind::OpenScanHub => {
            let (l, d) = match part {
                Part::List => (Some(text), None),
                Part::Detail => (None, Some(text)),
            };
            crate::jobs::refs_of(kind, l, d)
        }
        _ => Vec::new(),
    };
    named
        .into_iter()
        .filter(|(k, _)| detail_fetched(*k))
        .collect()
}

impl Ingest<'_> {
    fn put(
        &mut self,
        kind: Kind,
        id: String,
        part: Part,
        text: String,
    ) -> Result<(), ArchiveError> {
        let named = named_jobs(kind, part, &text);
        self.buf.push(self.archive, kind, id, part, text)?;
        // what sync's `referenced` phase fetches: jobs that a stored pipeline or job
        // names, whatever their list shows
        for (k, id) in named {
            self.want(k, id)?;
        }
        Ok(())
    }

    fn want(&mut self, kind: Kind, id: String) -> Result<(), ArchiveError> {
        let key = (kind, id);
        if let Some(text) = self.pending.remove(&key) {
            self.put(key.0, key.1.clone(), Part::Detail, text)?;
        }
        self.wanted.insert(key);
        Ok(())
    }

    fn touch(&mut self, project: Option<String>) -> Result<(), ArchiveError> {
        if let Some(p) = project
            && !self.touched.contains(&p)
        {
            for (kind, id, part, text) in self.early_projects.remove(&p).unwrap_or_default() {
                self.put(kind, id, part, text)?;
            }
            self.touched.insert(p);
        }
        Ok(())
    }

    /// Stores a project record now if sync's project phase would fetch it, later if
    /// the project has no job yet (dropped at the end if it never gets one).
    fn project_record(
        &mut self,
        key: &str,
        kind: Kind,
        id: String,
        part: Part,
        text: String,
    ) -> Result<(), ArchiveError> {
        if !project_fetchable(key) {
            return Ok(());
        }
        if self.touched.contains(key) {
            return self.put(kind, id, part, text);
        }
        self.early_projects
            .entry(key.to_string())
            .or_default()
            .push((kind, id, part, text));
        Ok(())
    }

    fn record(&mut self, r: Record) -> Result<(), ArchiveError> {
        use crate::api::client::flask_json;
        match r {
            Record::ListItem { endpoint, item } => match list_record(&endpoint) {
                Some(ListRecord::Global(ep)) => {
                    let kind = ep.kind;
                    if kind == Kind::Project && endpoint != "projects" {
                        return Ok(());
                    }
                    let Some(id) = list_item_id(ep, &item) else {
                        return Ok(());
                    };
                    if kind != Kind::Project {
                        self.touch(item_project(kind, &item))?;
                    }
                    for (k, wanted) in wanted_details(ep, &id, &item) {
                        self.want(k, wanted)?;
                    }
                    self.put(kind, id, Part::List, flask_json(&item))
                }
                Some(ListRecord::Sub { kind, key }) => match sub_list_item_id(kind, &key, &item) {
                    Some(id) => self.project_record(&key, kind, id, Part::List, flask_json(&item)),
                    None => Ok(()),
                },
                _ => Ok(()),
            },
            Record::Detail { path, body } => {
                if let Some(key) = path.strip_prefix("projects/") {
                    let text = flask_json(&body);
                    return self.project_record(
                        key,
                        Kind::Project,
                        key.to_string(),
                        Part::Detail,
                        text,
                    );
                }
                let (kind, id) = match path.as_str() {
                    "usage" => (Kind::Usage, "all".to_string()),
                    "system" => (Kind::System, "system".to_string()),
                    _ => match detail_record(&path) {
                        Some(k) => k,
                        None => return Ok(()),
                    },
                };
                if matches!(kind, Kind::Usage | Kind::System) {
                    return self.put(kind, id, Part::Detail, flask_json(&body));
                }
                self.touch(
                    body.get("project_url")
                        .and_then(Value::as_str)
                        .and_then(project_key),
                )?;
                let key = (kind, id);
                if self.wanted.contains(&key) {
                    self.put(key.0, key.1, Part::Detail, flask_json(&body))
                } else {
                    self.pending_order.push_back(key.clone());
                    self.pending.insert(key, flask_json(&body));
                    while self.pending_order.len() > PENDING_MAX {
                        if let Some(old) = self.pending_order.pop_front() {
                            self.pending.remove(&old);
                        }
                    }
                    Ok(())
                }
            }
        }
    }
}

/// Streams the demo data set of `spec` into the archive exactly as a complete sync
/// against a server holding that data would store it: global list items
/// (`Part::List`, kind and id from [`LISTS`](crate::jobs::LISTS) / [`list_item_id`]); SRPM, Koji,
/// Testing Farm, Bodhi and Koji-tag-request details of listed items; the Copr chroot
/// targets and sync-release targets the list items name; `/usage` and `/system`; and,
/// for projects that have jobs (and can be requested by URL), the project detail and
/// its PR, branch, release and issue sub-lists. Texts are written in the server's JSON
/// form ([`crate::api::client::flask_json`]); times are the data set's `now`.
///
/// One pass over [`super::generate`] with bounded memory: rows are written in
/// transactions of a few thousand (a new entity's list item and detail in one insert);
/// details wait for the list item naming them in a bounded buffer, and project records
/// for the first job of their project.
pub fn ingest_records(archive: &mut Archive, spec: &DemoSpec) -> Result<IngestSummary, SyncError> {
    let t0 = Instant::now();
    let now = spec.now();
    // a large page cache: the entity table's b-tree is revisited for every row
    archive.use_bulk_load_cache()?;
    let rev = archive.begin_revision(
        &format!("demo:seed={},hostile={}", spec.seed, spec.hostile),
        now,
    )?;
    let mut ing = Ingest {
        archive,
        buf: RowBuffer {
            rows: Vec::with_capacity(INGEST_BATCH),
            written: 0,
            now,
            rev,
        },
        wanted: HashSet::new(),
        pending: HashMap::new(),
        pending_order: std::collections::VecDeque::new(),
        touched: HashSet::new(),
        early_projects: HashMap::new(),
    };
    let mut failed: Option<ArchiveError> = None;
    super::generate(spec, &mut |r| {
        if failed.is_none()
            && let Err(e) = ing.record(r)
        {
            failed = Some(e);
        }
    });
    if let Some(e) = failed.take() {
        return Err(e.into());
    }
    ing.buf.flush(ing.archive)?;
    let rows = ing.buf.written;
    let unsafe_keys: Vec<(String, String)> = archive
        .projects_changed_since(rev)?
        .into_iter()
        .filter(|k| !is_anitya(k))
        .filter_map(|k| {
            let e = crate::api::client::encode_path(&format!("projects/{k}")).err()?;
            Some((k, e.to_string()))
        })
        .collect();

    let mut entities = BTreeMap::new();
    for k in Kind::ALL {
        let n = archive.count(k)?;
        if n > 0 {
            entities.insert(k.to_string(), n);
        }
    }
    let summary = IngestSummary {
        revision: rev,
        rows,
        entities,
        seconds: t0.elapsed().as_secs_f64(),
    };
    let w = archive.write()?;
    for (key, msg) in &unsafe_keys {
        w.record_error(Kind::Project, key, msg, now)?;
    }
    w.finish_run(
        rev,
        now,
        &serde_json::to_string(&summary).unwrap_or_else(|_| "{}".into()),
    )?;
    w.commit()?;
    Ok(summary)
}
