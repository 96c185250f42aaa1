//! From a change set to the pages it affects ([`affected_by`]): an entity's own
//! pages, the list pages holding it, its pipelines and their project's pages, the
//! jobs showing it as a related chip, and the site-wide aggregates.

use super::page::{Badge, Feed, Page};
use super::paging::{IndexList, SHARD, STATUS_CLASSES, chunks, pages};
use crate::api::Kind;
use crate::api::types::StatusClass;
use crate::archive::{Archive, ArchiveError};
use crate::model::{Catalog, JobList, PER_PAGE, STRIP, Section, hist_key};
use std::collections::HashSet;
use std::sync::Arc;

/// Position-derived pages of id `id` in ascending `ids`: the index (when among
/// the newest) and its numbered chunk.
fn slice_pages(
    ids: &[i64],
    id: i64,
    index: Page,
    page: impl Fn(u32) -> Page,
    out: &mut HashSet<Page>,
) {
    if let Ok(pos) = ids.binary_search(&id) {
        if pos + PER_PAGE >= ids.len() {
            out.insert(index);
        }
        out.insert(page((pos / PER_PAGE) as u32 + 1));
    }
}

/// The pages showing job (or pipeline) entity `kind`/`num` directly: its detail
/// pages and the list and target pages holding it.
fn own_pages(catalog: &Catalog, kind: Kind, num: i64, out: &mut HashSet<Page>) {
    for l in JobList::ALL {
        if l.list_kind() == kind {
            let ids = catalog
                .list_ids
                .get(&l)
                .map(|v| v.as_slice())
                .unwrap_or(&[]);
            slice_pages(
                ids,
                num,
                Page::JobListIndex(l),
                |n| Page::JobListPage(l, n),
                out,
            );
            if let Ok(pos) = ids.binary_search(&num) {
                out.insert(Page::IndexShard(
                    IndexList::Jobs(l),
                    (pos / SHARD) as u32 + 1,
                ));
                out.insert(Page::IndexMeta(IndexList::Jobs(l)));
                // the list's first page shows the status counts
                out.insert(Page::JobListIndex(l));
            }
            for class in STATUS_CLASSES {
                if let Some(ids) = catalog.status_ids.get(&(l, class)) {
                    slice_pages(
                        ids,
                        num,
                        Page::StatusList(l, class, 0),
                        |n| Page::StatusList(l, class, n),
                        out,
                    );
                }
            }
        }
        if l.detail_kind() == kind && catalog.has_detail(l, num) {
            out.insert(Page::JobDetail(l, num));
            for name in catalog.logs.get(&(kind, num)).into_iter().flatten() {
                out.insert(Page::Log(l, num, name.as_str().into()));
                out.insert(Page::LogRaw(l, num, name.as_str().into()));
            }
            if l.has_targets() {
                slice_pages(
                    catalog
                        .detail_ids
                        .get(&l)
                        .map(|v| v.as_slice())
                        .unwrap_or(&[]),
                    num,
                    Page::TargetList(l, 0),
                    |n| Page::TargetList(l, n),
                    out,
                );
            }
        }
    }
}

/// Every page of project `key`.
fn project_pages(catalog: &Catalog, key: &str, out: &mut HashSet<Page>) {
    let Some(p) = catalog.projects.get(key) else {
        return;
    };
    let k: Arc<str> = key.into();
    out.insert(Page::Project(k.clone()));
    for s in Section::ALL {
        out.extend((1..=pages(p.names(s).len())).map(|n| Page::ProjectSection(k.clone(), s, n)));
    }
    out.extend((0..=chunks(p.pipelines.len())).map(|n| Page::ProjectHistory(k.clone(), n)));
    for ((s, name), ids) in &p.triggers {
        let nm: Arc<str> = name.as_str().into();
        out.insert(Page::Trigger(k.clone(), *s, nm.clone(), 0));
        if ids.len() > PER_PAGE {
            out.extend(
                (1..=chunks(ids.len())).map(|n| Page::Trigger(k.clone(), *s, nm.clone(), n)),
            );
        }
    }
    // the project-list pages holding it
    let at = |v: &[&crate::model::ProjectEntry]| {
        v.iter()
            .position(|e| e.key == key)
            .map(|i| (i / PER_PAGE) as u32 + 1)
    };
    let all = catalog.projects_az();
    if let Some(n) = at(&all) {
        out.insert(Page::Projects(n));
    }
    let forge = p.forge();
    if let Some(v) = catalog.forges().get(forge)
        && let Some(n) = at(v)
    {
        out.insert(Page::Forge(forge.into(), n));
    }
    if let Some(v) = catalog.namespaces().get(&(forge, p.namespace()))
        && let Some(n) = at(v)
    {
        out.insert(Page::Namespace(forge.into(), p.namespace().into(), n));
    }
}

/// The pages showing merged pipeline `id`: its page, the pipeline lists, and its
/// project's pages that list it (history, trigger, section row, project page).
fn pipeline_pages(
    catalog: &Catalog,
    archive: &Archive,
    id: i64,
    out: &mut HashSet<Page>,
) -> Result<(), ArchiveError> {
    out.insert(Page::Pipeline(id));
    out.insert(Page::Api(Kind::Pipeline, id.to_string().into()));
    if let Ok(pos) = catalog.pipelines.binary_search(&id) {
        out.insert(Page::IndexShard(
            IndexList::Pipelines,
            (pos / SHARD) as u32 + 1,
        ));
        out.insert(Page::IndexMeta(IndexList::Pipelines));
    }
    slice_pages(
        &catalog.pipelines,
        id,
        Page::PipelineIndex,
        Page::PipelinePage,
        out,
    );
    let (project, trigger) = archive.project_trigger(Kind::Pipeline, &id.to_string())?;
    let Some(key) = project else {
        return Ok(());
    };
    let Some(p) = catalog.projects.get(&key) else {
        return Ok(());
    };
    let k: Arc<str> = key.as_str().into();
    out.insert(Page::Project(k.clone()));
    slice_pages(
        &p.pipelines,
        id,
        Page::ProjectHistory(k.clone(), 0),
        |n| Page::ProjectHistory(k.clone(), n),
        out,
    );
    if let Some((s, name)) = trigger.as_deref().and_then(Section::of_trigger) {
        let nm: Arc<str> = name.into();
        if let Some(ids) = p.triggers.get(&(s, name.to_string())) {
            out.insert(Page::Trigger(k.clone(), s, nm.clone(), 0));
            if ids.len() > PER_PAGE {
                slice_pages(
                    ids,
                    id,
                    Page::Trigger(k.clone(), s, nm.clone(), 0),
                    |n| Page::Trigger(k.clone(), s, nm.clone(), n),
                    out,
                );
            }
        }
        if let Some(i) = p.names(s).iter().position(|n| n == name) {
            out.insert(Page::ProjectSection(
                k.clone(),
                s,
                (i / PER_PAGE) as u32 + 1,
            ));
        }
    }
    Ok(())
}

/// The feeds and badges of project `key`.
fn project_extras(catalog: &Catalog, key: &str, out: &mut HashSet<Page>) {
    let Some(p) = catalog.projects.get(key) else {
        return;
    };
    let k: Arc<str> = key.into();
    out.insert(Page::Feed(Feed::Project(k.clone())));
    out.insert(Page::Feed(Feed::ProjectFailures(k.clone())));
    out.insert(Page::Badge(k.clone(), Badge::Project));
    for l in JobList::ALL {
        out.insert(Page::Badge(k.clone(), Badge::List(l)));
    }
    for (s, name) in p.triggers.keys() {
        if *s == Section::Branches {
            out.insert(Page::Badge(k.clone(), Badge::Branch(name.as_str().into())));
        }
    }
}

/// The project key an entity of a project kind belongs to.
fn project_of(kind: Kind, id: &str) -> Option<&str> {
    let sep = match kind {
        Kind::Project => return Some(id),
        Kind::ProjectPr => '#',
        Kind::ProjectBranch => ':',
        Kind::ProjectRelease => '@',
        Kind::ProjectIssue => '!',
        _ => return None,
    };
    id.rsplit_once(sep).map(|(k, _)| k)
}

/// The pages affected by a change set: `changes` are the entities added or
/// changed since the last build, as [`Archive::changed_since`] reports them. The
/// result may hold pages the current plan no longer has; filter with
/// [`Page::exists`].
pub fn affected_by(
    catalog: &Catalog,
    archive: &Archive,
    changes: &[(Kind, String, bool)],
    out: &mut HashSet<Page>,
) -> Result<(), ArchiveError> {
    if changes.is_empty() {
        return Ok(());
    }
    out.insert(Page::Home);
    out.insert(Page::Usage);
    out.insert(Page::JobsIndex);
    out.insert(Page::Feed(Feed::Failures));
    let mut pipes: HashSet<i64> = HashSet::new();
    let mut jobs: HashSet<(Kind, String)> = HashSet::new();
    let mut projects: HashSet<String> = HashSet::new();
    let created_pipes: HashSet<i64> = changes
        .iter()
        .filter(|(k, _, created)| *k == Kind::Pipeline && *created)
        .filter_map(|(_, id, _)| id.parse().ok())
        .collect();
    for (kind, id, created) in changes {
        out.insert(Page::Api(*kind, id.as_str().into()));
        if let Some(key) = project_of(*kind, id) {
            project_pages(catalog, key, out);
            projects.insert(key.to_string());
            out.insert(Page::IndexMeta(IndexList::Projects));
            out.insert(Page::IndexShard(IndexList::Projects, 1));
            continue;
        }
        if let (Some(p), _) = archive.project_trigger(*kind, id)? {
            projects.insert(p);
        }
        let Ok(num) = id.parse::<i64>() else {
            continue;
        };
        if *kind == Kind::Pipeline {
            // a changed pipeline may have gained or lost jobs: their pages name it
            pipes.insert(num);
            jobs.extend(archive.jobs_of(num)?);
            // the first pipeline of a trigger makes its page: the trigger cells of
            // the trigger's jobs link to it from now on
            if *created
                && let (Some(p), Some(t)) = archive.project_trigger(*kind, id)?
                && let Some((s, name)) = Section::of_trigger(&t)
                && catalog.projects.get(&p).is_some_and(|e| {
                    e.triggers
                        .get(&(s, name.to_string()))
                        .is_some_and(|ids| ids.iter().all(|i| created_pipes.contains(i)))
                })
            {
                jobs.extend(archive.jobs_of_trigger(&p, &t)?);
            }
            continue;
        }
        jobs.insert((*kind, id.clone()));
        // the pipelines holding a changed job show it; its sibling jobs do not
        pipes.extend(archive.pipelines_of(*kind, id)?);
    }
    for key in &projects {
        project_extras(catalog, key, out);
    }
    for p in &pipes {
        pipeline_pages(catalog, archive, *p, out)?;
        if let (Some(key), _) = archive.project_trigger(Kind::Pipeline, &p.to_string())? {
            project_extras(catalog, &key, out);
        }
    }
    for (kind, id) in &jobs {
        if let Ok(num) = id.parse::<i64>() {
            own_pages(catalog, *kind, num, out);
            history_pages(catalog, archive, *kind, id, num, out)?;
        }
    }
    // and the jobs that show one of those as a related chip: in their list rows (a
    // Copr build its chroots, a sync-release run its targets) or only on their
    // detail pages (a test its builds, a build its SRPM, a scan its build)
    let mut referrers: HashSet<(Kind, String)> = HashSet::new();
    for (kind, id) in &jobs {
        referrers.extend(archive.referrers(*kind, id)?);
    }
    for (kind, id) in &referrers {
        let Ok(num) = id.parse::<i64>() else {
            continue;
        };
        if jobs.contains(&(*kind, id.clone())) {
            continue;
        }
        if chips_in_rows(*kind) {
            own_pages(catalog, *kind, num, out);
        } else {
            for l in JobList::ALL {
                if l.detail_kind() == *kind && catalog.has_detail(l, num) {
                    out.insert(Page::JobDetail(l, num));
                }
            }
        }
    }
    Ok(())
}

/// The job pages whose history (strip, previous run, failing streak) shows job
/// `kind`/`num`: those of its target on its trigger up to [`STRIP`] runs either
/// side, and the later ones whose failing streak reaches back to it; and its
/// project's page (the results table).
fn history_pages(
    catalog: &Catalog,
    archive: &Archive,
    kind: Kind,
    id: &str,
    num: i64,
    out: &mut HashSet<Page>,
) -> Result<(), ArchiveError> {
    let row = archive
        .catalog_row(kind, id)
        .map_err(|source| ArchiveError::Sqlite {
            path: archive.path().to_path_buf(),
            source,
        })?;
    let Some((_, row)) = row else {
        return Ok(());
    };
    if let Some(p) = row.project.as_deref()
        && catalog.projects.contains_key(p)
    {
        out.insert(Page::Project(p.into()));
    }
    for l in JobList::ALL {
        if l.detail_kind() != kind || !l.accepts(row.target.as_deref()) {
            continue;
        }
        let Some(key) = hist_key(
            l,
            row.project.as_deref(),
            row.trigger.as_deref(),
            row.target.as_deref(),
        ) else {
            continue;
        };
        let runs = catalog.history.runs(&key);
        let Some(pos) = runs.iter().position(|r| r.id == num) else {
            continue;
        };
        let near = pos.saturating_sub(STRIP)..(pos + STRIP + 1).min(runs.len());
        let mut pages: Vec<i64> = runs[near].iter().map(|r| r.id).collect();
        // later runs whose streak of failures (or undecided runs) reaches back here
        for r in &runs[pos + 1..] {
            pages.push(r.id);
            if r.class() == StatusClass::Success {
                break;
            }
        }
        for n in pages {
            if catalog.has_detail(l, n) {
                out.insert(Page::JobDetail(l, n));
            }
        }
    }
    Ok(())
}

/// Whether the list rows of entities of `kind` show other jobs as chips (the
/// grouping lists: a Copr build's chroots, a sync-release run's targets).
fn chips_in_rows(kind: Kind) -> bool {
    JobList::ALL
        .iter()
        .any(|l| l.has_targets() && l.list_kind() == kind)
}
