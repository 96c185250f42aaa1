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
use crate::plan::{Badge, Feed, Page};
use crate::render::rel_href;
use serde::Serialize;
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

fn is_failure(status: Option<&str>) -> bool {
    matches!(
        Status::new(status.unwrap_or("")).class(),
        StatusClass::Failure | StatusClass::Error
    )
}

/// First present integer field of a JSON object.
fn field(v: &serde_json::Value, keys: &[&str]) -> Option<i64> {
    keys.iter().find_map(|k| v.get(*k).and_then(|x| x.as_i64()))
}

/// When a job last changed state: finished, else started, else submitted (from
/// the entity itself, never the build time, so feeds are stable).
fn job_times(row: &JobRow) -> (Option<i64>, Option<i64>) {
    let v: serde_json::Value = row
        .json
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default();
    let submitted = row.submitted.or_else(|| {
        field(
            &v,
            &[
                "build_submitted_time",
                "submitted_time",
                "tag_request_submitted_time",
            ],
        )
    });
    let changed = field(
        &v,
        &[
            "build_finished_time",
            "finished_time",
            "update_creation_time",
        ],
    )
    .or_else(|| field(&v, &["build_start_time", "start_time"]))
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

/// The rows of a feed, newest first.
fn feed_rows(m: &Model<'_>, f: &Feed) -> model::Result<Vec<JobRow>> {
    let conn = m.archive().connection();
    let kinds: Vec<String> = detail_kinds()
        .iter()
        .map(|k| format!("'{}'", k.as_str()))
        .collect();
    let mut out = Vec::new();
    match f {
        Feed::Project(k) | Feed::ProjectFailures(k) => {
            let failures = matches!(f, Feed::ProjectFailures(_));
            let mut st = conn.prepare_cached(&format!(
                "SELECT {JOB_COLS} FROM entity WHERE project=?1 AND kind IN ({}) AND num IS NOT NULL ORDER BY submitted DESC, num DESC",
                kinds.join(",")
            ))?;
            let mut rows = st.query([&**k])?;
            while let Some(r) = rows.next()? {
                let row = job_row(r)?;
                if !failures || is_failure(row.status.as_deref()) {
                    out.push(row);
                    if out.len() >= FEED_MAX * 2 {
                        break;
                    }
                }
            }
        }
        Feed::Failures => {
            let mut st = conn.prepare_cached(&format!(
                "SELECT {JOB_COLS} FROM entity WHERE kind=?1 AND num IS NOT NULL ORDER BY num DESC"
            ))?;
            for kind in detail_kinds() {
                let mut n = 0;
                let mut rows = st.query([kind.as_str()])?;
                while let Some(r) = rows.next()? {
                    let row = job_row(r)?;
                    if is_failure(row.status.as_deref()) {
                        out.push(row);
                        n += 1;
                        if n >= FEED_MAX {
                            break;
                        }
                    }
                }
            }
        }
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
