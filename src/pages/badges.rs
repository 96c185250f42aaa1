//! SVG status badges of a project: its latest pipeline, its latest job of one
//! list, the latest pipeline of a branch.

use super::Ctx;
use super::PageError;
use crate::api::Kind;
use crate::api::types::{Status, StatusClass};
use crate::model::{JobList, Model, Section};
use crate::plan::Badge;
use serde::Serialize;
use tera::Context;

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
fn latest_job_status(m: &Model<'_>, key: &str, list: JobList) -> Result<Option<String>, PageError> {
    // the catalog knows which lists hold jobs of the project; the walk would read
    // every job of the kind to find none
    if m.catalog
        .projects
        .get(key)
        .is_none_or(|p| !p.lists.contains(&list))
    {
        return Ok(None);
    }
    Ok(m.archive()
        .latest_job_status(key, list.list_kind(), |t| list.accepts(t))?)
}

/// The status of pipeline `id` (`None` for no pipeline).
pub(super) fn pipeline_status(
    m: &Model<'_>,
    id: Option<&i64>,
) -> Result<Option<String>, PageError> {
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
) -> Result<Vec<u8>, PageError> {
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
