//! Pages beyond the dashboard: the API mirror (raw archive JSON at the Packit
//! API's paths), the JSON of the views detail pages are rendered from, Atom feeds,
//! SVG badges and the compact filter indexes that the list filter script reads.
//!
//! Each is a [`Page`] variant rendered by one function here, called from
//! `render_page`.

use super::{Ctx, SiteError};
use crate::api::Kind;
use crate::api::types::{Status, StatusClass};
use crate::model::{self, DetailView, JobList, Model, PipelineView, Section, StatusView};
use crate::plan::{self, Badge, Feed, IndexList, Page};
use crate::render::rel_href;
use serde::Serialize;
use std::collections::HashMap;
use tera::Context;

/// The archive's raw JSON of one entity, byte for byte: the detail response when
/// stored, else the list item (`null` when neither is stored).
pub(super) fn api_json(m: &Model<'_>, kind: Kind, id: &str) -> Result<Vec<u8>, SiteError> {
    let e = m.entity_by_key(kind, id)?;
    Ok(e.as_ref()
        .and_then(|e| e.json())
        .unwrap_or("null")
        .as_bytes()
        .to_vec())
}

/// Title and view of a job detail page.
pub(super) fn detail_view(
    m: &Model<'_>,
    l: JobList,
    id: i64,
) -> Result<(String, DetailView), SiteError> {
    let d = m.detail(l, id)?.unwrap_or_default();
    let title = format!(
        "{} #{id}{}",
        l.singular(),
        d.target
            .as_deref()
            .map(|t| format!(" ({t})"))
            .unwrap_or_default()
    );
    Ok((title, d))
}

/// Title and view of a pipeline page.
pub(super) fn pipeline_view(m: &Model<'_>, id: i64) -> Result<(String, PipelineView), SiteError> {
    let v = match m.entity(Kind::Pipeline, id)? {
        Some(e) => m.pipeline(&e)?,
        None => PipelineView::default(),
    };
    Ok((format!("Pipeline #{id}"), v))
}

/// The view context of a job or pipeline page as JSON (the same structs the
/// template received).
#[derive(Serialize)]
struct ViewJson<'a, T: Serialize> {
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    job: Option<&'a T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pipeline: Option<&'a T>,
}

/// `index.json` beside a job or pipeline page.
pub(super) fn view_json(m: &Model<'_>, page: &Page) -> Result<Vec<u8>, SiteError> {
    let out = match page {
        Page::JobDetail(l, id) => {
            let (title, d) = detail_view(m, *l, *id)?;
            serde_json::to_vec_pretty(&ViewJson {
                title: &title,
                job: Some(&d),
                pipeline: None,
            })
        }
        Page::Pipeline(id) => {
            let (title, v) = pipeline_view(m, *id)?;
            serde_json::to_vec_pretty(&ViewJson {
                title: &title,
                job: None,
                pipeline: Some(&v),
            })
        }
        _ => Ok(b"null".to_vec()),
    };
    let mut out = out?;
    out.push(b'\n');
    Ok(out)
}

// ---------------------------------------------------------------- feeds

/// Most entries in one feed.
pub const FEED_MAX: usize = 50;

/// One job as a feed reads it from the archive.
struct JobRow {
    kind: Kind,
    num: i64,
    status: Option<String>,
    submitted: Option<i64>,
    target: Option<String>,
    project: Option<String>,
    trigger: Option<String>,
    json: Option<String>,
}

const JOB_COLS: &str =
    "kind, num, status, submitted, target, project, trigger, COALESCE(detail_json, list_json)";

fn job_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<JobRow> {
    let kind: String = r.get(0)?;
    Ok(JobRow {
        kind: Kind::parse(&kind).unwrap_or(Kind::System),
        num: r.get(1)?,
        status: r.get(2)?,
        submitted: r.get(3)?,
        target: r.get(4)?,
        project: r.get(5)?,
        trigger: r.get(6)?,
        json: r.get(7)?,
    })
}

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
fn job_times(row: &JobRow) -> (Option<i64>, Option<i64>) {
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

fn entry(ctx: &Ctx<'_>, root: &str, row: &JobRow) -> Option<EntryView> {
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
fn feed_rows(m: &Model<'_>, f: &Feed) -> model::Result<Vec<JobRow>> {
    use rusqlite::OptionalExtension as _;
    let conn = m.archive().connection();
    let kinds = detail_kinds();
    // rows by primary key (`num=?` would let SQLite, which has no statistics,
    // walk every row of the kind)
    let mut one = conn.prepare_cached(&format!(
        "SELECT {JOB_COLS} FROM entity WHERE kind=?1 AND id=?2"
    ))?;
    let mut row_of = |kind: Kind, id: &str| {
        one.query_row(rusqlite::params![kind.as_str(), id], job_row)
            .optional()
    };
    // (kind, archive id): secondary indexes hold the primary key, so reading the
    // id keeps the walks on the index
    let mut keys: Vec<(Kind, String)> = Vec::new();
    match f {
        Feed::Project(k) | Feed::ProjectFailures(k) => {
            let failures = matches!(f, Feed::ProjectFailures(_));
            let mut st = conn.prepare_cached(
                "SELECT kind, id, status FROM entity WHERE project=?1 AND num IS NOT NULL ORDER BY submitted DESC, num DESC",
            )?;
            let mut rows = st.query([&**k])?;
            while let Some(r) = rows.next()? {
                // borrowed, not copied: a project with few failures is walked whole
                let Some(kind) = r.get_ref(0)?.as_str().ok().and_then(Kind::parse) else {
                    continue;
                };
                if !kinds.contains(&kind) {
                    continue;
                }
                if failures {
                    let status = r
                        .get_ref(2)?
                        .as_str_or_null()
                        .ok()
                        .flatten()
                        .unwrap_or_default();
                    if !StatusClass::of(status).is_failure() {
                        continue;
                    }
                }
                keys.push((kind, r.get(1)?));
                if keys.len() >= FEED_MAX * 2 {
                    break;
                }
            }
        }
        Feed::Failures => {
            // the catalog keeps the failed jobs of each kind, and the sort times
            // of those an earlier render read: rows are read for the candidates
            // without one, then for the newest that the feed shows
            let mut cands: Vec<(Kind, i64)> = Vec::new();
            for kind in &kinds {
                let ids = m.catalog.failed.get(kind).into_iter().flatten().rev();
                cands.extend(ids.take(FEED_MAX).map(|n| (*kind, *n)));
            }
            let mut read: HashMap<(Kind, i64), JobRow> = HashMap::new();
            let mut times = m.catalog.feed_times.lock();
            for c in &cands {
                if times.contains_key(c) {
                    continue;
                }
                if let Some(row) = row_of(c.0, &c.1.to_string())? {
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
                    None => row_of(c.0, &c.1.to_string())?,
                };
                out.extend(row);
            }
            return Ok(out);
        }
    }
    let mut out = Vec::with_capacity(keys.len());
    for (kind, id) in keys {
        out.extend(row_of(kind, &id)?);
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
) -> Result<Vec<u8>, SiteError> {
    let root = super::root_of(path);
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

// ---------------------------------------------------------------- badges

/// A badge laid out for the template.
#[derive(Serialize)]
struct BadgeView {
    label: String,
    value: String,
    color: &'static str,
    width: u32,
    label_width: u32,
    value_width: u32,
    label_x: u32,
    value_x: u32,
}

/// Approximate width of text in 11px Verdana.
fn text_width(s: &str) -> u32 {
    s.chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '|' | '!' | '\'' => 4,
            'f' | 't' | 'r' | 'I' | ' ' | '(' | ')' | '-' | '/' => 5,
            'm' | 'w' | 'M' | 'W' => 11,
            c if c.is_ascii_uppercase() => 8,
            _ => 7,
        })
        .sum()
}

fn badge_view(label: &str, status: Option<&str>) -> BadgeView {
    let (value, color) = match status {
        None => ("no runs".to_string(), "#9f9f9f"),
        Some(s) => {
            let class = Status::new(s).class();
            let color = match class {
                StatusClass::Success => "#2e7d32",
                StatusClass::Failure => "#c62828",
                StatusClass::Error => "#b35900",
                StatusClass::Pending => "#6d6d6d",
                StatusClass::Running => "#0061a8",
                _ => "#6d6d6d",
            };
            (class.as_str().to_string(), color)
        }
    };
    let label_width = text_width(label) + 10;
    let value_width = text_width(&value) + 10;
    BadgeView {
        label_x: label_width / 2,
        value_x: label_width + value_width / 2,
        width: label_width + value_width,
        label_width,
        value_width,
        label: label.to_string(),
        value,
        color,
    }
}

/// The status of the newest job of `list` of project `key`.
fn latest_job_status(m: &Model<'_>, key: &str, list: JobList) -> model::Result<Option<String>> {
    // the catalog knows which lists hold jobs of the project; the walk below
    // would read every job of the kind to find none
    if m.catalog
        .projects
        .get(key)
        .is_none_or(|p| !p.lists.contains(&list))
    {
        return Ok(None);
    }
    let mut st = m.archive().connection().prepare_cached(
        "SELECT status, target FROM entity WHERE project=?1 AND kind=?2 AND num IS NOT NULL ORDER BY num DESC",
    )?;
    let mut rows = st.query(rusqlite::params![key, list.list_kind().as_str()])?;
    while let Some(r) = rows.next()? {
        let status: Option<String> = r.get(0)?;
        let target: Option<String> = r.get(1)?;
        if list.accepts(target.as_deref()) {
            return Ok(Some(status.unwrap_or_default()));
        }
    }
    Ok(None)
}

fn pipeline_status(m: &Model<'_>, id: Option<&i64>) -> Result<Option<String>, SiteError> {
    Ok(match id {
        Some(id) => m
            .entity(Kind::Pipeline, *id)?
            .map(|e| e.status.unwrap_or_default()),
        None => None,
    })
}

/// Renders an SVG badge.
pub(super) fn badge(
    ctx: &Ctx<'_>,
    m: &Model<'_>,
    key: &str,
    b: &Badge,
    c: &Context,
) -> Result<Vec<u8>, SiteError> {
    let p = ctx.catalog.projects.get(key);
    let (label, status) = match b {
        Badge::Project => (
            "packit".to_string(),
            pipeline_status(m, p.and_then(|p| p.pipelines.last()))?,
        ),
        Badge::List(l) => (l.slug().to_string(), latest_job_status(m, key, *l)?),
        Badge::Branch(name) => (
            format!("packit {name}"),
            pipeline_status(
                m,
                p.and_then(|p| p.triggers.get(&(Section::Branches, name.to_string())))
                    .and_then(|v| v.last()),
            )?,
        ),
    };
    let mut c = c.clone();
    c.insert("b", &badge_view(&label, status.as_deref()));
    Ok(ctx.theme.render("badge.svg", &c)?)
}

/// What the project page shows to follow and embed the project: feed links, the
/// badge and its Markdown snippet (absolute URLs when the site's base URL is set).
#[derive(Serialize)]
struct Embed {
    feed: String,
    failures: String,
    badge: String,
    status: String,
    markdown: String,
    absolute: bool,
    lists: Vec<model::Link>,
}

/// Inserts `embed` for the project page of `p`.
pub(super) fn project_embed(
    ctx: &Ctx<'_>,
    m: &Model<'_>,
    c: &mut Context,
    p: &model::ProjectEntry,
) -> Result<(), SiteError> {
    let base = model::project_path(&p.key);
    let badge = format!("{base}badge.svg");
    let (badge_url, page_url) = match &ctx.site.base_url {
        Some(b) => (format!("{b}{badge}"), format!("{b}{base}")),
        None => ("badge.svg".to_string(), "index.html".to_string()),
    };
    let status = pipeline_status(m, p.pipelines.last())?
        .map(|s| Status::new(s).class().as_str().to_string())
        .unwrap_or_else(|| "no runs".into());
    let embed = Embed {
        feed: format!("{base}feed.xml"),
        failures: format!("{base}failures.xml"),
        badge,
        status,
        markdown: format!("[![Packit status]({badge_url})]({page_url})"),
        absolute: ctx.site.base_url.is_some(),
        lists: p
            .lists
            .iter()
            .map(|l| model::Link::int(format!("{base}badge/{}.svg", l.slug()), l.title()))
            .collect(),
    };
    c.insert("embed", &embed);
    Ok(())
}

// ---------------------------------------------------------------- filter indexes

/// A per-shard dictionary: strings to small integer codes.
#[derive(Default)]
struct Dict {
    names: Vec<String>,
    codes: HashMap<String, usize>,
}

impl Dict {
    fn code(&mut self, s: &str) -> i64 {
        if let Some(c) = self.codes.get(s) {
            return *c as i64;
        }
        self.names.push(s.to_string());
        self.codes.insert(s.to_string(), self.names.len() - 1);
        (self.names.len() - 1) as i64
    }
}

/// Code of a status class in [`plan::STATUS_CLASSES`].
fn class_code(list: Option<JobList>, status: Option<&str>) -> i64 {
    let class = if list == Some(JobList::KojiTagRequests) {
        StatusClass::Unknown
    } else {
        Status::new(status.unwrap_or("")).class()
    };
    plan::STATUS_CLASSES
        .iter()
        .position(|c| *c == class)
        .unwrap_or(7) as i64
}

/// Trigger kind code (0 none, 1 pull request, 2 branch, 3 release, 4 issue) and
/// value (number for pull requests and issues, else text).
fn trigger_code(trigger: Option<&str>) -> (i64, serde_json::Value) {
    match trigger.and_then(Section::of_trigger) {
        None => (0, serde_json::Value::from("")),
        Some((s, v)) => {
            let k = match s {
                Section::Prs => 1,
                Section::Branches => 2,
                Section::Releases => 3,
                Section::Issues => 4,
            };
            let val = match (k, v.parse::<i64>()) {
                (1 | 4, Ok(n)) => serde_json::Value::from(n),
                _ => serde_json::Value::from(v),
            };
            (k, val)
        }
    }
}

fn js_push(name: &str, n: u32, data: &serde_json::Value) -> Result<Vec<u8>, SiteError> {
    let mut out = format!(
        "(window.PP_IDX=window.PP_IDX||[]).push([{},{n},",
        serde_json::to_string(name)?
    )
    .into_bytes();
    serde_json::to_writer(&mut out, data)?;
    out.extend_from_slice(b"]);\n");
    Ok(out)
}

/// `idx/<list>/meta.js`: shard count, total, the status classes and where pages are.
pub(super) fn index_meta(ctx: &Ctx<'_>, i: IndexList) -> Result<Vec<u8>, SiteError> {
    let (detail, grouped, total) = match i {
        IndexList::Jobs(l) => (
            format!("jobs/{}/", l.detail_slug()),
            l.has_targets(),
            i.ids(ctx.catalog).len(),
        ),
        IndexList::Pipelines => ("pipeline/".into(), false, ctx.catalog.pipelines.len()),
        IndexList::Projects => ("projects/".into(), false, ctx.catalog.projects.len()),
    };
    let data = serde_json::json!({
        "shards": i.shards(ctx.catalog),
        "total": total,
        "grouped": grouped,
        "detail": detail,
        "classes": plan::STATUS_CLASSES.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
    });
    js_push(i.slug(), 0, &data)
}

/// `idx/<list>/<n>.js`: one shard of a filter index, columnar and delta-encoded
/// to stay small. Per shard, `p` and `t` are dictionaries (project keys, target
/// names) and the columns hold one entry per row:
///
/// - `id`: the first id, then differences to the previous one (ids ascend);
/// - `ts`: submission times (UNIX seconds) the same way (0 = unknown);
/// - `s`: a string with one digit per row, the status class (index in
///   [`plan::STATUS_CLASSES`]);
/// - `pj`: project codes (-1 = none);
/// - `tk`: a string with one digit per row, the trigger kind (0 none, 1 pull
///   request, 2 branch, 3 release, 4 issue), and `tv` the trigger values of the
///   rows that have one (numbers for pull requests and issues);
/// - `g`: targets. Single-target job lists: one target code per row (-1 = none).
///   Grouping lists (Copr, sync releases): per row a count `n`, then `n` pairs
///   `target code × 8 + status`, detail id as difference to the previous detail id
///   of the shard. Pipelines: per row a count, then that many target codes.
///
/// Projects: `r` is a list of `[key, pipelines, pull requests, branches,
/// releases, issues]`.
pub(super) fn index_shard(
    ctx: &Ctx<'_>,
    m: &Model<'_>,
    i: IndexList,
    n: u32,
) -> Result<Vec<u8>, SiteError> {
    use serde_json::{Value, json};
    let cat = ctx.catalog;
    if i == IndexList::Projects {
        let mut rows = Vec::with_capacity(cat.projects.len());
        for p in cat.projects.values() {
            let r = m.project_row(p)?;
            rows.push(json!([
                p.key,
                r.pipelines,
                r.prs,
                r.branches,
                r.releases,
                r.issues
            ]));
        }
        return js_push(i.slug(), n, &json!({ "r": rows }));
    }
    let mut projects = Dict::default();
    let mut targets = Dict::default();
    let (mut id, mut ts, mut s, mut pj, mut tk, mut tv, mut g) = (
        Vec::<i64>::new(),
        Vec::<i64>::new(),
        String::new(),
        Vec::<i64>::new(),
        String::new(),
        Vec::<Value>::new(),
        Vec::<i64>::new(),
    );
    let ids = i.shard(cat, n);
    if let (Some(lo), Some(hi)) = (ids.first(), ids.last()) {
        let (kind, list) = match i {
            IndexList::Jobs(l) => (l.list_kind(), Some(l)),
            _ => (Kind::Pipeline, None),
        };
        let grouped = list.is_none_or(|l| l.has_targets());
        let mut st = m.archive().connection().prepare_cached(
            "SELECT num, status, submitted, project, trigger, target, CASE WHEN ?4 THEN list_json END FROM entity WHERE kind=?1 AND num BETWEEN ?2 AND ?3 ORDER BY num",
        ).map_err(model::ModelError::from)?;
        let mut q = st
            .query(rusqlite::params![kind.as_str(), lo, hi, grouped])
            .map_err(model::ModelError::from)?;
        let (mut prev_id, mut prev_t, mut prev_detail) = (0i64, 0i64, 0i64);
        while let Some(r) = q.next().map_err(model::ModelError::from)? {
            let get = |r: &rusqlite::Row<'_>| -> rusqlite::Result<_> {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                ))
            };
            let (num, status, submitted, project, trigger, target, json) =
                get(r).map_err(model::ModelError::from)?;
            if ids.binary_search(&num).is_err() {
                continue;
            }
            id.push(num - prev_id);
            prev_id = num;
            let t = submitted.unwrap_or(0);
            ts.push(t - prev_t);
            prev_t = t;
            s.push_str(&class_code(list, status.as_deref()).to_string());
            pj.push(match project.as_deref() {
                Some(p) if cat.projects.contains_key(p) => projects.code(p),
                _ => -1,
            });
            let (k, v) = trigger_code(trigger.as_deref());
            tk.push_str(&k.to_string());
            if k > 0 {
                tv.push(v);
            }
            let mut pairs =
                |per: Vec<(&String, &crate::api::types::Status)>,
                 detail: &std::collections::BTreeMap<String, i64>| {
                    g.push(per.len() as i64);
                    for (t, st) in per {
                        g.push(targets.code(t) * 8 + class_code(list, Some(st.0.as_str())));
                        let d = detail.get(t).copied().unwrap_or(0);
                        g.push(d - prev_detail);
                        prev_detail = d;
                    }
                };
            match list {
                Some(JobList::Copr) => {
                    let v: crate::api::types::CoprBuildListItem = parse_or_default(json.as_deref());
                    pairs(
                        v.status_per_chroot.iter().collect(),
                        &v.packit_id_per_chroot,
                    );
                }
                Some(JobList::ProposeDownstream | JobList::PullFromUpstream) => {
                    let v: crate::api::types::SyncReleaseRunItem =
                        parse_or_default(json.as_deref());
                    pairs(
                        v.status_per_downstream_pr.iter().collect(),
                        &v.packit_id_per_downstream_pr,
                    );
                }
                Some(_) => g.push(
                    match target
                        .as_deref()
                        .map(|t| t.strip_prefix("downstream:").unwrap_or(t))
                    {
                        Some(t) if !t.is_empty() => targets.code(t),
                        _ => -1,
                    },
                ),
                None => {
                    let run: crate::api::types::Run = parse_or_default(json.as_deref());
                    let mut codes: Vec<i64> = crate::archive::run_jobs(&run)
                        .filter_map(|(_, job)| job.target.as_deref())
                        .filter(|t| !t.is_empty())
                        .map(|t| targets.code(t))
                        .collect();
                    codes.sort_unstable();
                    codes.dedup();
                    g.push(codes.len() as i64);
                    g.extend(codes);
                }
            }
        }
    }
    js_push(
        i.slug(),
        n,
        &json!({"p": projects.names, "t": targets.names, "id": id, "ts": ts, "s": s, "pj": pj, "tk": tk, "tv": tv, "g": g}),
    )
}

fn parse_or_default<T: serde::de::DeserializeOwned + Default>(s: Option<&str>) -> T {
    s.and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default()
}

/// Filter settings of a list page: which index, and the per-status pages.
#[derive(Serialize)]
struct FilterCfg {
    index: &'static str,
    meta: String,
    statuses: Vec<StatusLink>,
}

#[derive(Serialize)]
struct StatusLink {
    class: &'static str,
    count: usize,
    href: String,
    current: bool,
}

/// Inserts `filter` (the filter script's settings and, with `counts`, the links to
/// the per-status pages with their counts) into the context of a list page. Only
/// pages that read the whole list may show counts: a numbered page reads its own
/// range only (see `Page::inputs`).
pub(super) fn list_filter(
    ctx: &Ctx<'_>,
    c: &mut Context,
    i: IndexList,
    current: Option<StatusClass>,
    counts: bool,
) {
    let statuses = match i {
        IndexList::Jobs(l) if counts => plan::STATUS_CLASSES
            .iter()
            .filter_map(|class| {
                let n = ctx.catalog.status_ids.get(&(l, *class))?.len();
                Some(StatusLink {
                    class: class.as_str(),
                    count: n,
                    href: format!("jobs/{}/status/{}/", l.slug(), class.as_str()),
                    current: current == Some(*class),
                })
            })
            .collect(),
        _ => Vec::new(),
    };
    c.insert(
        "filter",
        &FilterCfg {
            index: i.slug(),
            meta: format!("idx/{}/meta.js", i.slug()),
            statuses,
        },
    );
}

/// A job list restricted to one status class (`jobs/<list>/status/<class>/`).
pub(super) fn status_list(
    ctx: &Ctx<'_>,
    m: &Model<'_>,
    c: &mut Context,
    l: JobList,
    class: StatusClass,
    n: u32,
) -> Result<(), SiteError> {
    let ids = ctx
        .catalog
        .status_ids
        .get(&(l, class))
        .map(|v| v.as_slice())
        .unwrap_or(&[]);
    let slice = if n == 0 {
        plan::newest(ids)
    } else {
        plan::chunk(Some(ids), n).unwrap_or(&[])
    };
    let mut table = m.list_rows(l, &[])?;
    // ids of one class are sparse: read them in runs of neighbours
    let mut rows = Vec::with_capacity(slice.len());
    for part in slice.chunk_by(|a, b| b - a < 64) {
        rows.push(m.list_rows(l, part)?.rows);
    }
    table.rows = rows.into_iter().rev().flatten().collect();
    c.insert(
        "list",
        &super::ListMeta {
            slug: l.slug(),
            title: l.title(),
            singular: l.singular(),
        },
    );
    c.insert("status_class", class.as_str());
    c.insert(
        "back",
        &model::Link::int(format!("jobs/{}/", l.slug()), l.title()),
    );
    c.insert("table", &table);
    super::paging(
        c,
        &format!("jobs/{}/status/{}/", l.slug(), class.as_str()),
        ids.len(),
        n,
        slice,
    );
    c.insert(
        "title",
        &if n == 0 {
            format!("{}: {}", l.title(), class.as_str())
        } else {
            format!("{}: {} – page {n}", l.title(), class.as_str())
        },
    );
    // the counts of every class only on the first page of each, so a status change
    // rewrites those and the pages holding the job, not every page of the list
    list_filter(ctx, c, IndexList::Jobs(l), Some(class), n == 0);
    Ok(())
}
