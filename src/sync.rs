//! Sync: pull the Packit API into the archive, politely, resumably and without ever
//! losing what is stored.
//!
//! # What one [`sync`] run does
//! 1. Takes a new archive revision ([`Archive::begin_revision`](crate::Archive::begin_revision)).
//! 2. Finds the entities of the scope. A `--project` or `--namespace` scope walks the
//!    projects' own graph ([`Discovery::Graph`], module `graph`): project lists, the
//!    SRPM builds they name, their pipelines, then (step 3) the jobs those name;
//!    requests in proportion to the projects. It then reads the heads of the
//!    Packit-wide lists that hold what the graph cannot reach (module `graph_heads`:
//!    release pipelines, pipelines without an SRPM build, scans, merged rows), back to
//!    where the previous sync stopped. Otherwise ([`Discovery::Lists`]: no
//!    scope, a `--forge`, or asked for) it walks every global list of [`LISTS`]
//!    (`per_page=50`, newest first):
//!    - the first time (per list and scope) a **full crawl** to the end, saving the
//!      next page as a cursor in the same transaction as each page's items, so an
//!      interrupted crawl resumes where it stopped;
//!    - afterwards **incrementally**: pages from the top until one brings nothing new
//!      (no in-scope item new or changed, no out-of-scope id above the list's
//!      high-water mark). Items are de-duplicated by id across shifting pages.
//!
//!    With each page it fetches the details that hold more than the list item
//!    ([`ListEndpoint::detail_richer`](crate::api::ListEndpoint::detail_richer)) for new or changed items and for items whose
//!    detail is missing: `/srpm-builds/<id>` etc. for the same entity, the chroot
//!    targets of `packit_id_per_chroot` for Copr builds ([`Kind::Copr`]), the
//!    downstream targets of `packit_id_per_downstream_pr` for sync-release runs. The
//!    page's items, details, errors and cursor are written in **one transaction**.
//! 3. Repairs details still missing (a detail that failed in an earlier run), then
//!    fetches by their detail endpoint the jobs that a stored pipeline or other entity
//!    names but no list brought ([`Archive::referenced_missing`](crate::Archive::referenced_missing)): the real lists leave
//!    out some rows their pipelines still name, such as Copr targets that failed
//!    before Copr started.
//! 4. Re-fetches, by their detail endpoint, entities stored by earlier runs whose status
//!    is not final, as [`RefreshPolicy`] allows: recent ones every sync, older ones on a
//!    back-off schedule, the oldest only by a full re-check, within a per-sync budget
//!    (the report counts refreshed, deferred and given up). A 404 marks the entity gone
//!    ([`crate::archive::Writer::mark_gone`]); it is never removed.
//!    A graph-walked sync leaves out the jobs whose status its projects' PR and branch
//!    items show unchanged, and re-fetches at once those shown moved (module
//!    `graph_status`); it then re-reads the pipelines whose jobs changed.
//! 5. (Lists only.) For every project in scope that has jobs or pipelines created or changed since the
//!    last complete sync: `/projects/<key>` and its `prs`, `branches`, `releases` and
//!    `issues` sub-lists. (A crawl of *all* projects would cost one detail and at least
//!    four sub-list requests for each of Packit's ~30,000 projects, most of them
//!    dist-git mirrors without pipelines; hence only projects with pipelines.)
//! 6. `/usage` and `/system`, then [`crate::archive::Writer::finish_run`] with the
//!    report as JSON.
//!
//! A SIGKILL at any point leaves the last committed transaction; a re-run continues
//! (cursors, the open "epoch" of the interrupted sync in the `meta` table) and ends in
//! the same archive as an uninterrupted run.
//!
//! # Failures
//! A failed or non-JSON response never overwrites stored data. A detail that keeps
//! failing (after the client's retries) is recorded on the entity
//! ([`crate::archive::Writer::record_error`]; for a target never stored, on its parent
//! list item) and the sync goes on; the report names it and the next sync retries it.
//! A list page that keeps failing ends that list's walk (its cursor stays, so the next
//! run resumes there) and makes the report incomplete.
//!
//! # Scope and cost
//! `--project`, `--namespace` and `--forge` keep only part of Packit. Projects and
//! namespaces are walked through their graph (see [`Discovery`]): a first sync costs
//! about one request per pipeline, SRPM build and job of the projects, a later one the
//! projects' lists, one page of each of six Packit-wide list heads, and what is new or
//! moved; release pipelines, pipelines without an SRPM build, scans and the merged
//! list-only rows come through those heads from the first scoped sync on. The
//! API cannot filter its lists, so a `--forge` scope (or `Discovery::Lists`) walks
//! them in full the first time and drops items outside the scope client-side; the
//! saving is then in details, projects and storage only. The report's `discovery`
//! says which, and its summary states the cost model.

mod backoff;
mod crawl;
mod details;
mod error;
mod fetch;
mod graph;
mod graph_heads;
mod graph_refresh;
mod graph_status;
mod logs;
mod marks;
mod options;
mod policy;
mod progress;
mod projects;
mod refresh;
mod report;
mod request;
mod run;
mod scope;
#[cfg(feature = "demo")]
mod stored;
mod unfinished;

use self::crawl::{Lists, global_walk};
pub use self::details::sub_list_item_id;
pub use self::error::SyncError;
use self::fetch::{Job, fetch_and_store, referenced, repair};
use self::graph::{GraphWalk, changed_pipelines, graph_notes};
use self::graph_heads::HeadWalk;
use self::logs::LogFetcher;
pub use self::marks::HEAD_LISTS;
pub use self::options::{DEFAULT_ARCHIVE_LOG_CAP, DEFAULT_LOG_CAP, Discovery, SyncOptions};
pub use self::policy::{Due, RefreshCounts, RefreshPolicy};
pub use self::progress::{LogProgress, NoProgress, Progress};
use self::projects::project_phase;
pub use self::refresh::refresh;
pub use self::report::{EndpointReport, FAILURE_VALUE_MAX, Failure, SyncReport};
pub use self::request::{Find, REFRESH_MAX_PAGES, RefreshRequest};
use self::run::Run;
pub use self::scope::{Scope, item_project};
#[cfg(feature = "demo")]
pub(crate) use self::stored::{
    ListRecord, detail_fetched, detail_record, is_anitya, list_record, project_fetchable,
    wanted_details,
};
use self::unfinished::Unfinished;
use crate::api::Kind;
pub use crate::archive::{LogSource, log_sources};
use crate::jobs::LISTS;

/// Runs one sync (see the module documentation). Returns the report, also stored in
/// the archive's run record; entity failures and list failures are in the report, not
/// errors. Errors are reserved for what stops the run (archive, setup).
pub async fn sync(opts: &SyncOptions, progress: &dyn Progress) -> Result<SyncReport, SyncError> {
    let mut run = Run::begin_sync(opts, progress)?;
    tracing::info!(rev = run.rev(), epoch = run.epoch_rev(), scope = %run.scope_key(), api = %opts.client.base_url, "sync started");
    let mut lists = Lists::default();
    let mut graph = GraphWalk::default();
    let mut unfinished = Unfinished::default();

    // 2. the entities of the scope: the project graph and the list heads, or every list
    let discovery = opts.effective_discovery();
    if discovery == Discovery::Graph {
        graph.walk(&mut run, &mut lists).await?;
        let mut heads = HeadWalk::default();
        heads.walk(&mut run, &mut lists).await?;
        if heads.started() {
            graph_notes(&mut run)?;
        }
    } else {
        for ep in LISTS.iter().filter(|ep| ep.kind != Kind::Project) {
            lists.walk(&mut run, &global_walk(ep)).await?;
        }
        lists.walk_projects(&mut run).await?;
    }
    // 3. details still missing, jobs only other entities name
    repair(&mut run).await?;
    referenced(&mut run).await?;
    // 4. unfinished entities; in a graph walk, the pipelines of the jobs that changed
    unfinished
        .refresh(&mut run, lists.seen(), graph.agree())
        .await?;
    if discovery == Discovery::Graph && changed_pipelines(&mut run).await? {
        referenced(&mut run).await?;
    }
    // 5. the projects whose jobs changed
    if opts.project_lists && discovery == Discovery::Lists {
        project_phase(&mut run, &mut lists).await?;
    }
    // 6. usage and system; job logs
    if opts.usage {
        let jobs = vec![
            Job::at(Kind::Usage, "all", "usage".into(), false, false),
            Job::at(Kind::System, "system", "system".into(), false, false),
        ];
        fetch_and_store(&mut run, jobs, "usage").await?;
    }
    if opts.with_logs {
        LogFetcher::new(opts).fetch(&mut run).await?;
    }

    let mut report = run.report(unfinished.counts(run.backed_off(), graph.moved()));
    let rev = run.rev();
    let drift = stored_drift(&run.archive, rev)?;
    report.unreadable_line = drift.line();
    report.unreadable = drift.unreadable;
    run.finish_sync(&report)?;
    tracing::info!(rev, complete = report.complete, "sync finished");
    Ok(report)
}

/// The unreadable fields of the entities stored (new or changed) in revision `rev`.
fn stored_drift(
    archive: &crate::archive::Archive,
    rev: i64,
) -> Result<crate::jobs::read::Drift, SyncError> {
    let mut c = crate::jobs::read::DriftCollector::new(false);
    for (kind, id, _) in archive.changed_since(rev - 1)? {
        if let Some(e) = archive.get(kind, &id)? {
            c.add(kind, &id, e.list_json.as_deref(), e.detail_json.as_deref());
        }
    }
    Ok(c.finish())
}
