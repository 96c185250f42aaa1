//! Detail fetching: concurrent fetches stored in batches, and the phases made of them
//! (details still missing, unfinished entities, projects and their sub-lists).

use super::crawl::{Ids, Syncer, Walk};
use super::details::{Details, SUB_LISTS, detail_label, details_of, list_refreshed, open_kinds};
use super::policy::Due;
use super::{Failure, SyncError};
use crate::api::Kind;
use crate::api::client::{Client, ClientError};
use crate::archive::{Change, Part};
use crate::jobs::{DetailPath, LISTS};
use serde_json::value::RawValue;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// One detail to fetch.
#[derive(Clone, Debug)]
pub(super) struct Job {
    pub(super) kind: Kind,
    pub(super) id: String,
    pub(super) path: String,
    /// The entity row exists (or will, within the same transaction).
    pub(super) exists: bool,
    /// A detail is stored already (else the first one counts as new).
    pub(super) had_detail: bool,
    /// List item that named this target, for errors on targets never stored.
    pub(super) parent: Option<(Kind, String)>,
}

impl Job {
    pub(super) fn new(
        kind: Kind,
        id: &str,
        exists: bool,
        had_detail: bool,
        parent: Option<(Kind, String)>,
    ) -> Option<Job> {
        Some(Job {
            kind,
            id: id.to_string(),
            path: kind.detail_path(id)?,
            exists,
            had_detail,
            parent,
        })
    }
}

/// Anitya (release-monitoring.org) projects are keyed by their page URL; they are not
/// git projects and have no `/projects/…` endpoints.
pub(super) const ANITYA_PREFIX: &str = "release-monitoring.org/";

impl Syncer<'_> {
    /// Fetches details concurrently (the client bounds requests in flight). Takes the
    /// client, not `self`, so the future stays `Send` (the archive is not `Sync`).
    pub(super) async fn fetch(
        client: Arc<Client>,
        jobs: &[Job],
    ) -> Vec<Result<Box<RawValue>, ClientError>> {
        let mut set = tokio::task::JoinSet::new();
        for (i, j) in jobs.iter().enumerate() {
            let c = client.clone();
            let label = detail_label(j.kind);
            let path = j.path.clone();
            set.spawn(async move { (i, c.detail(&label, &path).await) });
        }
        let mut out: Vec<Option<Result<Box<RawValue>, ClientError>>> =
            (0..jobs.len()).map(|_| None).collect();
        while let Some(r) = set.join_next().await {
            match r {
                Ok((i, res)) => out[i] = Some(res),
                Err(e) => std::panic::resume_unwind(e.into_panic()),
            }
        }
        out.into_iter()
            .map(|r| r.expect("every task reports"))
            .collect()
    }

    /// Fetches and stores details in batches of `detail_batch`, one transaction each.
    pub(super) async fn fetch_and_store(
        &mut self,
        jobs: Vec<Job>,
        resource: &str,
    ) -> Result<(), SyncError> {
        if jobs.is_empty() {
            return Ok(());
        }
        self.progress.begin(resource);
        for batch in jobs.chunks(self.opts.detail_batch.max(1)) {
            let results = Self::fetch(self.client.clone(), batch).await;
            let now = crate::time::now();
            let mut counts = Vec::new();
            let mut failures = Vec::new();
            let mut ok_parents: BTreeMap<(Kind, String), bool> = BTreeMap::new();
            {
                let wr = self.archive.write()?;
                for (job, res) in batch.iter().zip(results) {
                    let label = detail_label(job.kind);
                    let stored = store_result(&wr, job, res, now, self.rev)?;
                    if let Some(p) = &job.parent {
                        let ok = !matches!(stored, Stored::Failed(_));
                        let e = ok_parents.entry(p.clone()).or_insert(true);
                        *e &= ok;
                    }
                    match stored {
                        Stored::Put(c) => counts.push((label, Some(c))),
                        Stored::Gone => counts.push((label, None)),
                        Stored::Failed(f) => failures.push(f),
                    }
                }
                for ((k, id), ok) in &ok_parents {
                    if *ok {
                        wr.clear_error(*k, id)?;
                    }
                }
                wr.commit()?;
            }
            for j in batch {
                self.fetched.insert((j.kind, j.id.clone()));
            }
            for (label, c) in counts {
                let e = self.count(&label);
                match c {
                    Some(c) => e.count(c),
                    None => e.gone += 1,
                }
            }
            self.note_failures(failures);
            self.progress.advance(resource, batch.len() as u64);
        }
        self.progress.end(resource);
        Ok(())
    }

    /// Whether an entity with this failure record (failures in a row, when the last
    /// was) is tried in this sync; one that is not counts as backed off.
    fn retry(&mut self, kind: Kind, id: &str, failing: Option<&(i64, i64)>) -> bool {
        let Some(&(n, at)) = failing else {
            return true;
        };
        let go = self.opts.refresh.retry_failing(crate::time::now(), n, at);
        if !go && self.backed_off.insert((kind, id.to_string())) {
            self.refresh_counts.backed_off += 1;
        }
        go
    }

    /// The detail fetch of `kind`/`id`, whether stored already or not (`None` for an
    /// id no request can name).
    pub(super) fn detail_job(&self, kind: Kind, id: &str) -> Result<Option<Job>, SyncError> {
        let stored = self.archive.get(kind, id)?;
        Ok(Job::new(
            kind,
            id,
            stored.is_some(),
            stored.as_ref().is_some_and(|e| e.detail_json.is_some()),
            None,
        ))
    }

    /// [`Self::retry`] for one stored entity, its failure record read from the archive.
    pub(super) fn retry_stored(&mut self, kind: Kind, id: &str) -> Result<bool, SyncError> {
        let f = self.archive.failure_of(kind, id)?;
        Ok(self.retry(kind, id, f.as_ref()))
    }

    /// Details still missing: list items whose detail (or targets) never arrived.
    pub(super) async fn repair(&mut self) -> Result<(), SyncError> {
        let mut jobs = Vec::new();
        for ep in LISTS.iter() {
            match details_of(ep) {
                Details::None => {}
                Details::Same(k) => {
                    let failing = self.archive.failing(k)?;
                    for id in self.archive.ids_without_detail(k)? {
                        if !self.retry(k, &id, failing.get(&id)) {
                            continue;
                        }
                        if !self.fetched.contains(&(k, id.clone()))
                            && let Some(j) = Job::new(k, &id, true, false, None)
                        {
                            jobs.push(j);
                        }
                    }
                }
                Details::Targets { field, kind } => {
                    for (parent, tid) in self.archive.missing_targets(ep.kind, field, kind)? {
                        if self.fetched.contains(&(kind, tid.clone())) {
                            continue;
                        }
                        let exists = self.archive.get(kind, &tid)?.is_some();
                        if let Some(j) =
                            Job::new(kind, &tid, exists, false, Some((ep.kind, parent)))
                        {
                            jobs.push(j);
                        }
                    }
                }
            }
        }
        let mut uniq = HashSet::new();
        jobs.retain(|j| uniq.insert((j.kind, j.id.clone())));
        if !jobs.is_empty() {
            tracing::info!(count = jobs.len(), "fetching missing details");
        }
        self.fetch_and_store(jobs, "missing details").await
    }

    /// Jobs that pipelines or other entities name but no list brought: the real API's
    /// lists filter some rows their pipelines still reference (`/copr-builds` leaves
    /// out targets that failed before Copr started), so each is fetched by its detail
    /// endpoint. A fetched detail may name more; a few rounds follow those.
    pub(super) async fn referenced(&mut self) -> Result<(), SyncError> {
        for _round in 0..3 {
            let mut jobs = Vec::new();
            let mut failing: HashMap<Kind, HashMap<String, (i64, i64)>> = HashMap::new();
            for (kind, id, from_kind, from_id) in self.archive.referenced_missing()? {
                if self.fetched.contains(&(kind, id.clone())) {
                    continue;
                }
                if let std::collections::hash_map::Entry::Vacant(e) = failing.entry(kind) {
                    e.insert(self.archive.failing(kind)?);
                }
                if !self.retry(kind, &id, failing[&kind].get(&id)) {
                    continue;
                }
                if let Some(j) = Job::new(kind, &id, false, false, Some((from_kind, from_id))) {
                    jobs.push(j);
                }
            }
            if jobs.is_empty() {
                return Ok(());
            }
            tracing::info!(
                count = jobs.len(),
                "fetching jobs only their pipelines name"
            );
            self.fetch_and_store(jobs, "referenced jobs").await?;
        }
        Ok(())
    }

    /// Re-fetches entities stored by earlier runs whose status is not final, as the
    /// refresh policy ([`super::policy`]) allows: recent ones every sync, older ones
    /// backed off, the oldest given up, within the per-sync budget.
    pub(super) async fn refresh(&mut self) -> Result<(), SyncError> {
        let policy = self.opts.refresh;
        let now = crate::time::now();
        let mut due = Vec::new();
        for k in open_kinds() {
            let list_only = list_refreshed(k);
            let failing = self.archive.failing(k)?;
            for (id, first_seen, fetched) in self
                .archive
                .open_entities_changed_before(k, self.epoch_rev)?
            {
                let key = (k, id.clone());
                if self.fetched.contains(&key) || (list_only && self.seen_items.contains(&key)) {
                    continue;
                }
                if self.list_agree.contains(&key) {
                    self.refresh_counts.listed_unchanged += 1;
                    continue;
                }
                if !self.retry(k, &id, failing.get(&id)) {
                    continue;
                }
                match policy.due(now, first_seen, fetched) {
                    Due::Now => due.push((first_seen, k, id)),
                    Due::Later => self.refresh_counts.deferred += 1,
                    Due::GivenUp => self.refresh_counts.given_up += 1,
                }
            }
        }
        // newest first; the budget defers the rest
        due.sort_by_key(|d| std::cmp::Reverse(d.0));
        if !policy.full_recheck && due.len() > policy.budget {
            self.refresh_counts.deferred += (due.len() - policy.budget) as u64;
            due.truncate(policy.budget);
        }
        let jobs: Vec<Job> = due
            .into_iter()
            .filter_map(|(_, k, id)| Job::new(k, &id, true, true, None))
            .collect();
        self.refresh_counts.refreshed += jobs.len() as u64;
        if !jobs.is_empty() {
            tracing::info!(count = jobs.len(), "refreshing unfinished entities");
        }
        self.fetch_and_store(jobs, "unfinished").await
    }

    /// Project details and sub-lists for projects with pipelines changed in this epoch.
    pub(super) async fn project_phase(&mut self) -> Result<(), SyncError> {
        let keys: Vec<String> = self
            .archive
            .projects_changed_since(self.epoch_rev)?
            .into_iter()
            .filter(|k| self.opts.scope.contains(Some(k)) && !k.starts_with(ANITYA_PREFIX))
            .collect();
        self.read_projects(&keys, false).await
    }

    /// Each project's detail and its `prs`, `branches`, `releases` and `issues` lists.
    /// `graph`: the project graph walk of a scoped sync, where these lists are the way
    /// in: read whole each run (a new pipeline changes an old PR's item), never backed
    /// off, and a list that cannot be read makes the sync incomplete. Otherwise a
    /// project that keeps failing backs off, and a failed list is the project's failure.
    pub(super) async fn read_projects(
        &mut self,
        keys: &[String],
        graph: bool,
    ) -> Result<(), SyncError> {
        let mut jobs = Vec::new();
        let mut walkable = Vec::new();
        let now = crate::time::now();
        let failing = self.archive.failing(Kind::Project)?;
        self.failing_projects = failing.clone();
        for key in keys {
            if !graph && !self.retry(Kind::Project, key, failing.get(key)) {
                continue;
            }
            let path = format!("projects/{key}");
            if let Err(e) = crate::api::client::encode_path(&path) {
                // a key such as `github.com/../x/y` cannot be requested faithfully
                let exists = self.archive.get(Kind::Project, key)?.is_some();
                if exists {
                    let w = self.archive.write()?;
                    w.record_error(Kind::Project, key, &e.to_string(), now)?;
                    w.commit()?;
                }
                self.note_failures(vec![Failure::new(
                    "projects/{project}",
                    Kind::Project.as_str(),
                    key,
                    &e.to_string(),
                )]);
                continue;
            }
            let stored = self.archive.get(Kind::Project, key)?;
            jobs.push(Job {
                kind: Kind::Project,
                id: key.clone(),
                path,
                exists: stored.is_some(),
                had_detail: stored.is_some_and(|e| e.detail_json.is_some()),
                parent: None,
            });
            walkable.push(key.clone());
        }
        self.fetch_and_store(jobs, "projects/{project}").await?;
        for key in walkable {
            for (suffix, kind, ordered) in SUB_LISTS {
                let w = Walk {
                    path: format!("projects/{key}/{suffix}"),
                    label: format!("projects/{{project}}/{suffix}"),
                    kind,
                    ids: Ids::Sub(key.clone()),
                    details: Details::None,
                    ordered: ordered && !graph,
                    filter: false,
                };
                if !self.walk(&w).await? && graph {
                    // the project's lists are where this walk finds everything: without
                    // one the sync is incomplete (the failure is on the project too)
                    let error = self
                        .failed_entities
                        .last()
                        .map_or_else(String::new, |f| f.error.clone());
                    self.failed_lists
                        .push(Failure::new(&w.path, "", "1", &error));
                }
            }
        }
        Ok(())
    }
}

pub(super) enum Stored {
    Put(Change),
    Gone,
    Failed(Failure),
}

/// Stores one fetched detail, or records why it could not be fetched. Never writes
/// anything worse than what is stored.
pub(super) fn store_result(
    wr: &crate::archive::Writer<'_>,
    job: &Job,
    res: Result<Box<RawValue>, ClientError>,
    now: i64,
    rev: i64,
) -> Result<Stored, SyncError> {
    let label = detail_label(job.kind);
    match res {
        Ok(raw) => {
            let c = wr.put(job.kind, &job.id, Part::Detail, raw.get(), now, rev)?;
            if let Some((pk, pid)) = &job.parent {
                // the parent recorded this target's failure
                wr.clear_error_about(*pk, pid, &format!("{} {}: ", job.kind, job.id))?;
            }
            Ok(Stored::Put(if c == Change::Changed && !job.had_detail {
                Change::New
            } else {
                c
            }))
        }
        Err(e) if e.is_not_found() && job.exists => {
            wr.mark_gone(job.kind, &job.id, now, rev)?;
            Ok(Stored::Gone)
        }
        Err(e) => {
            let msg = e.to_string();
            if job.exists {
                wr.record_error(job.kind, &job.id, &msg, now)?;
            } else if let Some((pk, pid)) = &job.parent {
                wr.record_error(*pk, pid, &format!("{} {}: {msg}", job.kind, job.id), now)?;
            }
            Ok(Stored::Failed(Failure::new(
                &label,
                job.kind.as_str(),
                &job.id,
                &msg,
            )))
        }
    }
}
