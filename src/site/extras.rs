//! Pages beyond the dashboard: the API mirror (raw archive JSON at the Packit
//! API's paths), the JSON of the views detail pages are rendered from, Atom feeds,
//! SVG badges and the compact filter indexes that the list filter script reads.
//!
//! Each is a [`Page`] variant rendered by one function here, called from
//! `render_page`.

use super::SiteError;
use crate::api::Kind;
use crate::model::{DetailView, JobList, Model, PipelineView};
use crate::plan::Page;
use serde::Serialize;

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
