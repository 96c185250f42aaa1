//! The site-wide aggregates: the home page, the jobs index (status counts per
//! list) and the usage statistics, with the bar charts they draw.

use super::Ctx;
use super::PageError;
use crate::model::{self, Catalog, JobList, Model, StatusView};
use serde::Serialize;
use tera::Context;

/// `jobs/`: the job lists with their status counts.
pub(super) fn jobs_index(ctx: &Ctx<'_>, c: &mut Context) {
    c.insert("title", "Jobs");
    c.insert("lists", &ctx.site.job_lists);
    c.insert("counts", &status_counts(ctx.catalog));
}

#[derive(Serialize)]
struct CountRow {
    title: &'static str,
    href: String,
    total: u64,
    cells: Vec<u64>,
}

#[derive(Serialize)]
struct Counts {
    classes: Vec<StatusView>,
    rows: Vec<CountRow>,
}

const CLASSES: [&str; 8] = [
    "success", "failure", "error", "pending", "running", "skipped", "canceled", "unknown",
];

fn status_counts(cat: &Catalog) -> Counts {
    use crate::api::types::StatusClass as C;
    let classes = [
        C::Success,
        C::Failure,
        C::Error,
        C::Pending,
        C::Running,
        C::Skipped,
        C::Canceled,
        C::Unknown,
    ];
    let rows = JobList::ALL
        .iter()
        .map(|l| {
            let cells: Vec<u64> = classes
                .iter()
                .map(|c| cat.stats.by_status.get(&(*l, *c)).copied().unwrap_or(0))
                .collect();
            CountRow {
                title: l.title(),
                href: format!("jobs/{}/", l.slug()),
                total: cells.iter().sum(),
                cells,
            }
        })
        .collect();
    Counts {
        classes: CLASSES.iter().map(|s| StatusView::of(s)).collect(),
        rows,
    }
}

/// A bar chart laid out for inline SVG.
#[derive(Serialize, Default)]
struct Chart {
    id: String,
    title: String,
    width: u32,
    height: u32,
    bars: Vec<Bar>,
    max: u64,
    labels: Vec<(u32, String)>,
}

#[derive(Serialize)]
struct Bar {
    x: u32,
    y: u32,
    w: u32,
    h: u32,
    label: String,
    value: u64,
}

fn chart(id: &str, title: &str, data: &[(String, u64)], label_every: usize) -> Chart {
    let (width, height, top) = (720u32, 180u32, 8u32);
    let n = data.len().max(1) as u32;
    let slot = (width / n).clamp(2, 48);
    let max = data.iter().map(|d| d.1).max().unwrap_or(0).max(1);
    let bars = data
        .iter()
        .enumerate()
        .map(|(i, (label, v))| {
            let h = ((*v as f64 / max as f64) * (height - top - 20) as f64).round() as u32;
            Bar {
                x: i as u32 * slot + 1,
                y: height - 20 - h,
                w: slot.saturating_sub(2).max(1),
                h,
                label: label.clone(),
                value: *v,
            }
        })
        .collect();
    let labels = data
        .iter()
        .enumerate()
        .filter(|(i, _)| i % label_every.max(1) == 0)
        .map(|(i, (l, _))| (i as u32 * slot + 1, l.clone()))
        .collect();
    Chart {
        id: id.into(),
        title: title.into(),
        width: width.max(n * slot),
        height,
        bars,
        max,
        labels,
    }
}

/// `index.html`: status counts, recent pipelines, the activity chart.
pub(super) fn home(ctx: &Ctx<'_>, m: &Model<'_>, c: &mut Context) -> Result<(), PageError> {
    let cat = ctx.catalog;
    c.insert("title", "Packit results");
    c.insert("counts", &status_counts(cat));
    let recent = &cat.pipelines[cat.pipelines.len().saturating_sub(10)..];
    c.insert("table", &m.pipeline_rows(recent)?);
    // 30 days ending at the last sync (or the newest pipeline)
    let end = cat
        .last_sync
        .or_else(|| {
            cat.stats
                .pipelines_per_day
                .keys()
                .last()
                .map(|d| d * 86_400)
        })
        .unwrap_or(0)
        .div_euclid(86_400);
    let data: Vec<(String, u64)> = (end - 29..=end)
        .map(|d| {
            (
                crate::time::date_utc(d * 86_400)[5..].to_string(),
                cat.stats.pipelines_per_day.get(&d).copied().unwrap_or(0),
            )
        })
        .collect();
    let total: u64 = data.iter().map(|d| d.1).sum();
    c.insert(
        "chart",
        &chart("activity", "Pipelines per day, last 30 days", &data, 5),
    );
    c.insert("chart_total", &total);
    c.insert("projects", &cat.projects.len());
    c.insert("pipelines", &cat.pipelines.len());
    c.insert("lists", &ctx.site.job_lists);
    Ok(())
}

#[derive(Serialize)]
struct MonthRow {
    month: String,
    cells: Vec<u64>,
    total: u64,
    active: usize,
}

#[derive(Serialize)]
struct RateRow {
    title: &'static str,
    href: String,
    finished: u64,
    success: u64,
    rate: String,
    width: u32,
}

#[derive(Serialize)]
struct TopRow {
    name: String,
    href: Option<String>,
    pipelines: u64,
}

/// `usage/`: jobs per month and day, active projects, success rates, top projects.
pub(super) fn usage(ctx: &Ctx<'_>, c: &mut Context) {
    use crate::api::types::StatusClass as C;
    let cat = ctx.catalog;
    c.insert("title", "Usage statistics");
    let months: Vec<MonthRow> = cat
        .stats
        .per_month
        .iter()
        .rev()
        .map(|(m, per)| {
            let cells: Vec<u64> = JobList::ALL
                .iter()
                .map(|l| per.get(l).copied().unwrap_or(0))
                .collect();
            MonthRow {
                month: m.clone(),
                total: cells.iter().sum(),
                cells,
                active: cat
                    .stats
                    .active_per_month
                    .get(m)
                    .map(|s| s.len())
                    .unwrap_or(0),
            }
        })
        .collect();
    let jobs_data: Vec<(String, u64)> = months
        .iter()
        .rev()
        .map(|r| (r.month.clone(), r.total))
        .collect();
    let active_data: Vec<(String, u64)> = months
        .iter()
        .rev()
        .map(|r| (r.month.clone(), r.active as u64))
        .collect();
    let every = (jobs_data.len() / 8).max(1);
    // the last 90 days of the archive, day by day
    let end = cat.stats.jobs_per_day.keys().last().copied().unwrap_or(0);
    let daily: Vec<(String, u64)> = (end - 89..=end)
        .map(|d| {
            (
                crate::time::date_utc(d * 86_400)[5..].to_string(),
                cat.stats.jobs_per_day.get(&d).copied().unwrap_or(0),
            )
        })
        .collect();
    c.insert(
        "daily_chart",
        &chart(
            "jobs-day",
            "Jobs per day, last 90 days of the archive",
            &daily,
            10,
        ),
    );
    c.insert(
        "jobs_chart",
        &chart("jobs-month", "Jobs per month", &jobs_data, every),
    );
    c.insert(
        "active_chart",
        &chart(
            "active-month",
            "Active projects per month",
            &active_data,
            every,
        ),
    );
    c.insert("months", &months);
    c.insert(
        "list_titles",
        &JobList::ALL.iter().map(|l| l.title()).collect::<Vec<_>>(),
    );
    let rates: Vec<RateRow> = JobList::ALL
        .iter()
        .filter(|l| l.kind_def().statuses)
        .map(|l| {
            let get = |cl: C| cat.stats.by_status.get(&(*l, cl)).copied().unwrap_or(0);
            let success = get(C::Success);
            let finished = success + get(C::Failure) + get(C::Error);
            let rate = if finished == 0 {
                0.0
            } else {
                success as f64 / finished as f64
            };
            RateRow {
                title: l.title(),
                href: format!("jobs/{}/", l.slug()),
                finished,
                success,
                rate: if finished == 0 {
                    "–".into()
                } else {
                    format!("{:.1} %", rate * 100.0)
                },
                width: (rate * 100.0).round() as u32,
            }
        })
        .collect();
    c.insert("rates", &rates);
    let mut top: Vec<(&String, &u64)> = cat.stats.pipelines_per_project.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let top: Vec<TopRow> = top
        .into_iter()
        .take(20)
        .map(|(k, n)| TopRow {
            name: k.clone(),
            href: cat.projects.contains_key(k).then(|| model::project_path(k)),
            pipelines: *n,
        })
        .collect();
    c.insert("top", &top);
    c.insert("projects", &cat.projects.len());
    c.insert(
        "forges",
        &cat.forges()
            .into_iter()
            .map(|(f, v)| (f.to_string(), v.len()))
            .collect::<Vec<_>>(),
    );
}
