//! Machine-readable pages: the API mirror (the archive's raw JSON of an entity at
//! the path of the Packit API endpoint that returns it) and the JSON of the view a
//! job or pipeline page was rendered from.

use super::PageError;
use super::detail::detail_view;
use super::pipeline::pipeline_view;
use crate::api::Kind;
use crate::model::Model;
use crate::plan::Page;
use serde::Serialize;

/// The archive's raw JSON of one entity, byte for byte: the detail response when
/// stored, else the list item (`null` when neither is stored).
pub(super) fn api_json(m: &Model<'_>, kind: Kind, id: &str) -> Result<Vec<u8>, PageError> {
    let e = m.entity_by_key(kind, id)?;
    Ok(e.as_ref()
        .and_then(|e| e.json())
        .unwrap_or("null")
        .as_bytes()
        .to_vec())
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
pub(super) fn view_json(m: &Model<'_>, page: &Page) -> Result<Vec<u8>, PageError> {
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
