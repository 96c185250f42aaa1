//! Project pages: the project, forge and namespace lists, a project's page, its
//! sections (pull requests, branches, releases, issues), its pipeline history and
//! the page of one trigger.

use super::PageError;
use super::{Ctx, titled};
use crate::api::types::Status;
use crate::model::{self, Link, Model, PER_PAGE, ProjectEntry, Section};
use crate::plan::{self, Page, PagerItem, simple_pager};
use serde::Serialize;
use tera::Context;

#[derive(Serialize)]
struct SectionMeta {
    slug: &'static str,
    title: &'static str,
}

impl SectionMeta {
    fn of(s: Section) -> SectionMeta {
        SectionMeta {
            slug: s.slug(),
            title: s.title(),
        }
    }
}

/// `projects/`, `projects/<forge>/` and `projects/<forge>/<ns…>/` (and their pages).
pub(super) fn project_list(
    ctx: &Ctx<'_>,
    m: &Model<'_>,
    c: &mut Context,
    page: &Page,
) -> Result<(), PageError> {
    let projects = ctx.catalog.projects_az().into_iter();
    match page {
        Page::Forge(f, n) => {
            let all: Vec<&ProjectEntry> = projects.filter(|p| p.forge() == &**f).collect();
            projects_page(m, c, page, &all, *n, &model::forge_path(f), f, Some(vec![]))
        }
        Page::Namespace(f, ns, n) => {
            let all: Vec<&ProjectEntry> = projects
                .filter(|p| p.forge() == &**f && p.namespace() == &**ns)
                .collect();
            let crumbs = vec![Link::int(model::forge_path(f), f.to_string())];
            projects_page(
                m,
                c,
                page,
                &all,
                *n,
                &model::namespace_path(f, ns, ctx.catalog),
                &format!("{f}/{ns}"),
                Some(crumbs),
            )
        }
        _ => {
            let n = page.page_no().unwrap_or(1);
            let all: Vec<&ProjectEntry> = projects.collect();
            projects_page(m, c, page, &all, n, "projects/", "Projects", None)?;
            super::lists::list_filter(ctx, c, plan::IndexList::Projects, None, false);
            Ok(())
        }
    }
}

/// `…/<repo>/`: the project page.
pub(super) fn project(
    ctx: &Ctx<'_>,
    m: &Model<'_>,
    c: &mut Context,
    k: &str,
) -> Result<(), PageError> {
    let p = &ctx.catalog.projects[k];
    let v = m.project(p)?;
    let recent = plan::newest(&p.pipelines);
    let recent = &recent[recent.len().saturating_sub(10)..];
    c.insert("title", &format!("{}/{}", v.namespace, v.repo));
    c.insert("project", &v);
    let results = model::project_results(&ctx.catalog.history, k);
    c.insert(
        "failing",
        &results
            .iter()
            .map(|r| r.rows.iter().filter(|t| t.failing).count())
            .sum::<usize>(),
    );
    c.insert(
        "flaky",
        &results
            .iter()
            .map(|r| r.rows.iter().filter(|t| t.flaky).count())
            .sum::<usize>(),
    );
    c.insert("results", &results);
    c.insert("recent_runs", &model::RECENT);
    c.insert("table", &m.pipeline_rows(recent)?);
    c.insert("history", &format!("{}history/", model::project_path(k)));
    project_embed(ctx, m, c, p)
}

/// `…/<repo>/<section>/` and its pages.
pub(super) fn section(
    ctx: &Ctx<'_>,
    m: &Model<'_>,
    c: &mut Context,
    page: &Page,
    k: &str,
    s: Section,
    n: u32,
) -> Result<(), PageError> {
    let p = &ctx.catalog.projects[k];
    let names = p.names(s);
    let start = (n as usize - 1) * PER_PAGE;
    let slice = &names[start.min(names.len())..(start + PER_PAGE).min(names.len())];
    let v = m.project(p)?;
    c.insert("project", &v);
    c.insert("section", &SectionMeta::of(s));
    c.insert("rows", &m.trigger_rows(p, s, slice)?);
    let base = format!("{}{}/", model::project_path(k), s.slug());
    c.insert("pager", &simple_pager(&base, names.len(), n));
    c.insert("total", &names.len());
    c.insert(
        "title",
        &titled(
            &format!("{} of {}/{}", s.title(), v.namespace, v.repo),
            page,
        ),
    );
    Ok(())
}

/// `…/<repo>/history/` and its pages.
pub(super) fn history_page(
    ctx: &Ctx<'_>,
    m: &Model<'_>,
    c: &mut Context,
    page: &Page,
    k: &str,
    n: u32,
) -> Result<(), PageError> {
    let p = &ctx.catalog.projects[k];
    let v = m.project(p)?;
    let base = format!("{}history/", model::project_path(k));
    history(c, m, &p.pipelines, &base, n)?;
    c.insert("project", &v);
    c.insert("heading", &format!("History of {}/{}", v.namespace, v.repo));
    c.insert(
        "title",
        &titled(&format!("Pipelines of {}/{}", v.namespace, v.repo), page),
    );
    Ok(())
}

/// `…/<repo>/<section>/<name>/`: the pipelines of one trigger.
#[allow(clippy::too_many_arguments)]
pub(super) fn trigger(
    ctx: &Ctx<'_>,
    m: &Model<'_>,
    c: &mut Context,
    page: &Page,
    k: &str,
    s: Section,
    name: &str,
    n: u32,
) -> Result<(), PageError> {
    let p = &ctx.catalog.projects[k];
    let v = m.project(p)?;
    let ids = p
        .triggers
        .get(&(s, name.to_string()))
        .cloned()
        .unwrap_or_default();
    let base = model::trigger_path(k, s, name);
    if ids.len() <= PER_PAGE {
        c.insert("table", &m.pipeline_rows(&ids)?);
        c.insert("total", &ids.len());
        c.insert("pager", &Vec::<PagerItem>::new());
    } else {
        history(c, m, &ids, &base, n)?;
    }
    let label = model::trigger_name(s, name);
    let what = match s {
        Section::Prs => "Pull request",
        Section::Branches => "Branch",
        Section::Releases => "Release",
        Section::Issues => "Issue",
    };
    let heading = format!("{what} {label} of {}/{}", v.namespace, v.repo);
    c.insert("project", &v);
    c.insert("section", &SectionMeta::of(s));
    c.insert(
        "forge_url",
        &v.url
            .as_deref()
            .map(|u| model::trigger_forge_url(u, s, name)),
    );
    c.insert("title", &titled(&heading, page));
    c.insert("heading", &heading);
    Ok(())
}

/// A page of pipelines of a project (its history or a trigger's).
fn history(
    c: &mut Context,
    m: &Model<'_>,
    ids: &[i64],
    base: &str,
    n: u32,
) -> Result<(), PageError> {
    let slice = plan::window(ids, n);
    c.insert("table", &m.pipeline_rows(slice)?);
    super::lists::paging(c, base, ids.len(), n, slice);
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn projects_page(
    m: &Model<'_>,
    c: &mut Context,
    page: &Page,
    all: &[&ProjectEntry],
    n: u32,
    base: &str,
    heading: &str,
    crumbs: Option<Vec<Link>>,
) -> Result<(), PageError> {
    let start = (n as usize - 1) * PER_PAGE;
    let slice = &all[start.min(all.len())..(start + PER_PAGE).min(all.len())];
    let mut rows = Vec::with_capacity(slice.len());
    for p in slice {
        rows.push(m.project_row(p)?);
    }
    c.insert("rows", &rows);
    c.insert("pager", &simple_pager(base, all.len(), n));
    c.insert("total", &all.len());
    c.insert("heading", heading);
    c.insert("crumbs", &crumbs);
    c.insert("title", &titled(heading, page));
    Ok(())
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
fn project_embed(
    ctx: &Ctx<'_>,
    m: &Model<'_>,
    c: &mut Context,
    p: &model::ProjectEntry,
) -> Result<(), PageError> {
    let base = model::project_path(&p.key);
    let badge = format!("{base}badge.svg");
    let (badge_url, page_url) = match &ctx.site.base_url {
        Some(b) => (format!("{b}{badge}"), format!("{b}{base}")),
        None => ("badge.svg".to_string(), "index.html".to_string()),
    };
    let status = super::badges::pipeline_status(m, p.pipelines.last())?
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
