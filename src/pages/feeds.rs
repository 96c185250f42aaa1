//! Atom feeds: every job of a project, its failed jobs, and the failed jobs of
//! every project. Each entry's time comes from the job itself, never the build, so
//! feeds are stable.

use super::PageError;
use super::{Ctx, root_of};
use crate::api::Kind;
use crate::archive::feeds::FeedRow;
use crate::model::{self, JobList, Model, Section, StatusView};
use crate::plan::Feed;
use crate::render::rel_href;
use serde::Serialize;
use std::collections::HashMap;
use tera::Context;

/// Most entries in one feed.
pub const FEED_MAX: usize = 50;

/// The distinct kinds of job detail pages.
fn detail_kinds() -> Vec<Kind> {
    let mut v: Vec<Kind> = JobList::ALL.iter().map(|l| l.detail_kind()).collect();
    v.sort();
    v.dedup();
    v
}

/// The time fields of a job's JSON a feed reads (each kept only when it is an
/// integer; every other field is skipped unread).
#[derive(Default, serde::Deserialize)]
#[serde(default)]
struct Times {
    build_submitted_time: Option<serde_json::Value>,
    submitted_time: Option<serde_json::Value>,
    tag_request_submitted_time: Option<serde_json::Value>,
    build_finished_time: Option<serde_json::Value>,
    finished_time: Option<serde_json::Value>,
    update_creation_time: Option<serde_json::Value>,
    build_start_time: Option<serde_json::Value>,
    start_time: Option<serde_json::Value>,
}

/// When a job last changed state: finished, else started, else submitted (from
/// the entity itself, never the build time, so feeds are stable).
fn job_times(row: &FeedRow) -> (Option<i64>, Option<i64>) {
    let t: Times = row
        .json
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default();
    let int = |fields: &[&Option<serde_json::Value>]| {
        fields
            .iter()
            .find_map(|v| v.as_ref().and_then(serde_json::Value::as_i64))
    };
    let submitted = row.submitted.or_else(|| {
        int(&[
            &t.build_submitted_time,
            &t.submitted_time,
            &t.tag_request_submitted_time,
        ])
    });
    let changed = int(&[
        &t.build_finished_time,
        &t.finished_time,
        &t.update_creation_time,
    ])
    .or_else(|| int(&[&t.build_start_time, &t.start_time]))
    .or(submitted);
    (submitted, changed)
}

/// A feed as the template renders it.
#[derive(Serialize)]
struct FeedView {
    id: String,
    title: String,
    subtitle: String,
    updated: String,
    self_href: String,
    alt_href: String,
    entries: Vec<EntryView>,
}

/// One feed entry.
#[derive(Serialize)]
struct EntryView {
    id: String,
    title: String,
    updated: String,
    published: Option<String>,
    href: String,
    status: &'static str,
    status_text: String,
    summary: String,
    #[serde(skip)]
    sort: (i64, i64),
}

/// A link from a feed: absolute with a base URL, else relative to the feed file.
fn feed_href(ctx: &Ctx<'_>, root: &str, path: &str) -> String {
    match &ctx.site.base_url {
        Some(b) => format!("{b}{path}"),
        None => rel_href(root, path),
    }
}

fn entry(ctx: &Ctx<'_>, root: &str, row: &FeedRow) -> Option<EntryView> {
    let list = ctx.catalog.detail_list(row.kind, row.num)?;
    let (submitted, changed) = job_times(row);
    let status = StatusView::of(row.status.as_deref().unwrap_or(""));
    let project = row.project.clone().unwrap_or_default();
    let name = project.split_once('/').map(|(_, r)| r).unwrap_or(&project);
    let trigger = row
        .trigger
        .as_deref()
        .and_then(Section::of_trigger)
        .map(|(s, n)| {
            let what = match s {
                Section::Prs => "pull request",
                Section::Branches => "branch",
                Section::Releases => "release",
                Section::Issues => "issue",
            };
            format!(" ({what} {})", model::trigger_name(s, n))
        })
        .unwrap_or_default();
    let target = row
        .target
        .as_deref()
        .map(|t| t.strip_prefix("downstream:").unwrap_or(t))
        .filter(|t| !t.is_empty());
    let title = format!(
        "{} #{}{} of {name}: {}",
        list.singular(),
        row.num,
        target.map(|t| format!(" ({t})")).unwrap_or_default(),
        status.text
    );
    let summary = format!(
        "{} #{} of {name}{trigger}{} is {} ({}){}.",
        list.singular(),
        row.num,
        target.map(|t| format!(" for {t}")).unwrap_or_default(),
        status.class,
        status.text,
        submitted
            .map(|t| format!(", submitted {}", crate::time::human_utc(t)))
            .unwrap_or_default(),
    );
    Some(EntryView {
        id: format!(
            "urn:packit-pages:job:{}:{}",
            list.detail_kind().as_str(),
            row.num
        ),
        title,
        updated: crate::time::iso_utc(changed.unwrap_or(0)),
        published: submitted.map(crate::time::iso_utc),
        href: feed_href(ctx, root, &model::detail_path(list, row.num)),
        status: status.class,
        status_text: status.text,
        summary,
        sort: (changed.unwrap_or(0), row.num),
    })
}

/// The rows of a feed, newest first. The candidates are picked by walking an
/// index (a project's jobs by submission time, a kind's jobs by id) that holds
/// their kind and status, so only the rows the feed shows are read in full.
fn feed_rows(m: &Model<'_>, f: &Feed) -> Result<Vec<FeedRow>, PageError> {
    let archive = m.archive();
    let kinds = detail_kinds();
    // (kind, archive id): secondary indexes hold the primary key, so reading the
    // id keeps the walks on the index
    let keys: Vec<(Kind, String)> = match f {
        Feed::Project(k) | Feed::ProjectFailures(k) => archive.project_feed_keys(
            k,
            &kinds,
            matches!(f, Feed::ProjectFailures(_)),
            FEED_MAX * 2,
        )?,
        Feed::Failures => {
            // the catalog keeps the failed jobs of each kind, and the sort times
            // of those an earlier render read: rows are read for the candidates
            // without one, then for the newest that the feed shows
            let mut cands: Vec<(Kind, i64)> = Vec::new();
            for kind in &kinds {
                let ids = m.catalog.failed.get(kind).into_iter().flatten().rev();
                cands.extend(ids.take(FEED_MAX).map(|n| (*kind, *n)));
            }
            let mut read: HashMap<(Kind, i64), FeedRow> = HashMap::new();
            let mut times = m.catalog.feed_times.lock();
            for c in &cands {
                if times.contains_key(c) {
                    continue;
                }
                if let Some(row) = archive.feed_row(c.0, &c.1.to_string())? {
                    times.insert(*c, job_times(&row).1.unwrap_or(0));
                    read.insert(*c, row);
                }
            }
            // the feed's order: newest change first, then the higher number
            let mut ranked: Vec<((i64, i64), (Kind, i64))> = cands
                .iter()
                .filter_map(|c| times.get(c).map(|t| ((*t, c.1), *c)))
                .collect();
            drop(times);
            ranked.sort_by_key(|r| std::cmp::Reverse(r.0));
            // ties at the cut stay in: the feed breaks them by entry id
            if let Some(cut) = ranked.get(FEED_MAX.saturating_sub(1)).map(|r| r.0) {
                ranked.retain(|r| r.0 >= cut);
            }
            let mut out = Vec::with_capacity(ranked.len());
            for (_, c) in ranked {
                let row = match read.remove(&c) {
                    Some(r) => Some(r),
                    None => archive.feed_row(c.0, &c.1.to_string())?,
                };
                out.extend(row);
            }
            return Ok(out);
        }
    };
    let mut out = Vec::with_capacity(keys.len());
    for (kind, id) in keys {
        out.extend(archive.feed_row(kind, &id)?);
    }
    Ok(out)
}

/// Renders an Atom feed.
pub(super) fn feed(
    ctx: &Ctx<'_>,
    m: &Model<'_>,
    f: &Feed,
    path: &str,
    c: &Context,
) -> Result<Vec<u8>, PageError> {
    let root = root_of(path);
    let rows = feed_rows(m, f)?;
    let mut entries: Vec<EntryView> = rows.iter().filter_map(|r| entry(ctx, &root, r)).collect();
    entries.sort_by(|a, b| b.sort.cmp(&a.sort).then_with(|| a.id.cmp(&b.id)));
    entries.truncate(FEED_MAX);
    let updated = entries.iter().map(|e| e.sort.0).max().unwrap_or(0);
    let (id, title, subtitle, alt) = match f {
        Feed::Project(k) => (
            format!("urn:packit-pages:feed:project:{}", model::pct(k, true)),
            format!("Packit jobs of {k}"),
            format!("The newest {FEED_MAX} jobs Packit ran for {k}."),
            model::project_path(k),
        ),
        Feed::ProjectFailures(k) => (
            format!("urn:packit-pages:feed:failures:{}", model::pct(k, true)),
            format!("Failed Packit jobs of {k}"),
            format!("The newest {FEED_MAX} failed or errored jobs of {k}."),
            model::project_path(k),
        ),
        Feed::Failures => (
            "urn:packit-pages:feed:failures".to_string(),
            "Failed Packit jobs".to_string(),
            format!("The newest failed or errored jobs of every project (up to {FEED_MAX})."),
            "jobs/".to_string(),
        ),
    };
    let view = FeedView {
        id,
        title,
        subtitle,
        updated: crate::time::iso_utc(updated),
        self_href: feed_href(ctx, &root, path),
        alt_href: feed_href(ctx, &root, &alt),
        entries,
    };
    let mut c = c.clone();
    c.insert("feed", &view);
    Ok(ctx.theme.render("feed.xml", &c)?)
}
