//! The detail fetcher: concurrent fetches stored in batches (never anything worse
//! than what is stored), and the phases made of nothing else: details still missing
//! and the jobs only pipelines name.

use super::details::{Details, detail_label, details_of};
use super::error::SyncError;
use super::report::Failure;
use super::run::Run;
use crate::api::Kind;
use crate::api::client::{Client, ClientError};
use crate::archive::{Archive, Change, Part};
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

    /// A fetch of an endpoint whose path is not the kind's detail path (`/usage`,
    /// `/system`, `/projects/<key>`), of an entity without parent.
    pub(super) fn at(kind: Kind, id: &str, path: String, exists: bool, had_detail: bool) -> Job {
        Job {
            kind,
            id: id.to_string(),
            path,
            exists,
            had_detail,
            parent: None,
        }
    }

    /// The detail fetch of `kind`/`id`, whether stored already or not (`None` for an
    /// id no request can name).
    pub(super) fn of_stored(
        archive: &Archive,
        kind: Kind,
        id: &str,
    ) -> Result<Option<Job>, SyncError> {
        let stored = archive.get(kind, id)?;
        Ok(Job::new(
            kind,
            id,
            stored.is_some(),
            stored.as_ref().is_some_and(|e| e.detail_json.is_some()),
            None,
        ))
    }
}

/// Fetches `(report label, path)` requests concurrently (the client bounds requests
/// in flight) and answers in the order given. Takes the client, not the run, so the
/// future stays `Send` (the archive is not `Sync`).
pub(super) async fn fetch_all(
    client: Arc<Client>,
    requests: impl IntoIterator<Item = (String, String)>,
) -> Vec<Result<Box<RawValue>, ClientError>> {
    let mut set = tokio::task::JoinSet::new();
    let mut n = 0;
    for (i, (label, path)) in requests.into_iter().enumerate() {
        let c = client.clone();
        set.spawn(async move { (i, c.detail(&label, &path).await) });
        n += 1;
    }
    let mut out: Vec<Option<Result<Box<RawValue>, ClientError>>> = (0..n).map(|_| None).collect();
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

/// Fetches the details of `jobs` concurrently, in their order.
pub(super) async fn fetch(
    client: Arc<Client>,
    jobs: &[Job],
) -> Vec<Result<Box<RawValue>, ClientError>> {
    fetch_all(
        client,
        jobs.iter().map(|j| (detail_label(j.kind), j.path.clone())),
    )
    .await
}

/// Fetches and stores details in batches of `detail_batch`, one transaction each.
pub(super) async fn fetch_and_store(
    run: &mut Run<'_>,
    jobs: Vec<Job>,
    resource: &str,
) -> Result<(), SyncError> {
    if jobs.is_empty() {
        return Ok(());
    }
    let progress = run.progress();
    progress.begin(resource);
    for batch in jobs.chunks(run.opts().detail_batch.max(1)) {
        let results = fetch(run.client().clone(), batch).await;
        let now = crate::time::now();
        let rev = run.rev();
        let mut counts = Vec::new();
        let mut failures = Vec::new();
        let mut ok_parents: BTreeMap<(Kind, String), bool> = BTreeMap::new();
        {
            let wr = run.archive.write()?;
            for (job, res) in batch.iter().zip(results) {
                let label = detail_label(job.kind);
                let stored = store_result(&wr, job, res, now, rev)?;
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
            run.mark_fetched(j.kind, &j.id);
        }
        for (label, c) in counts {
            let e = run.count(&label);
            match c {
                Some(c) => e.count(c),
                None => e.gone += 1,
            }
        }
        run.note_failures(failures);
        progress.advance(resource, batch.len() as u64);
    }
    progress.end(resource);
    Ok(())
}

/// Details still missing: list items whose detail (or targets) never arrived.
pub(super) async fn repair(run: &mut Run<'_>) -> Result<(), SyncError> {
    let mut jobs = Vec::new();
    for ep in LISTS.iter() {
        match details_of(ep) {
            Details::None => {}
            Details::Same(k) => {
                let failing = run.archive.failing(k)?;
                for id in run.archive.ids_without_detail(k)? {
                    if !run.retry(k, &id, failing.get(&id)) {
                        continue;
                    }
                    if !run.fetched(k, &id)
                        && let Some(j) = Job::new(k, &id, true, false, None)
                    {
                        jobs.push(j);
                    }
                }
            }
            Details::Targets { field, kind } => {
                for (parent, tid) in run.archive.missing_targets(ep.kind, field, kind)? {
                    if run.fetched(kind, &tid) {
                        continue;
                    }
                    let exists = run.archive.get(kind, &tid)?.is_some();
                    if let Some(j) = Job::new(kind, &tid, exists, false, Some((ep.kind, parent))) {
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
    fetch_and_store(run, jobs, "missing details").await
}

/// Jobs that pipelines or other entities name but no list brought: the real API's
/// lists filter some rows their pipelines still reference (`/copr-builds` leaves
/// out targets that failed before Copr started), so each is fetched by its detail
/// endpoint. A fetched detail may name more; a few rounds follow those.
pub(super) async fn referenced(run: &mut Run<'_>) -> Result<(), SyncError> {
    for _round in 0..3 {
        let mut jobs = Vec::new();
        let mut failing: HashMap<Kind, HashMap<String, (i64, i64)>> = HashMap::new();
        for (kind, id, from_kind, from_id) in run.archive.referenced_missing()? {
            if run.fetched(kind, &id) {
                continue;
            }
            if let std::collections::hash_map::Entry::Vacant(e) = failing.entry(kind) {
                e.insert(run.archive.failing(kind)?);
            }
            if !run.retry(kind, &id, failing[&kind].get(&id)) {
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
        fetch_and_store(run, jobs, "referenced jobs").await?;
    }
    Ok(())
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
