//! Pipeline pages: the pipeline list (index and numbered pages) and the page of
//! one merged pipeline.

use super::PageError;
use super::{Ctx, titled};
use crate::api::Kind;
use crate::model::{Model, PipelineView};
use crate::plan::{self, IndexList, Page};
use tera::Context;

/// `pipeline/` and `pipeline/page/<n>/`.
pub(super) fn pipeline_list(
    ctx: &Ctx<'_>,
    m: &Model<'_>,
    c: &mut Context,
    page: &Page,
) -> Result<(), PageError> {
    let ids = &ctx.catalog.pipelines;
    let n = page.page_no().unwrap_or(0);
    let slice = plan::window(ids, n);
    c.insert("table", &m.pipeline_rows(slice)?);
    super::lists::paging(c, "pipeline/", ids.len(), n, slice);
    super::lists::list_filter(ctx, c, IndexList::Pipelines, None, false);
    c.insert("title", &titled("Pipelines", page));
    Ok(())
}

/// `pipeline/<id>/`.
pub(super) fn pipeline(m: &Model<'_>, c: &mut Context, id: i64) -> Result<(), PageError> {
    let (title, v) = pipeline_view(m, id)?;
    c.insert("title", &title);
    c.insert("pipeline", &v);
    Ok(())
}

/// Title and view of a pipeline page.
pub(super) fn pipeline_view(m: &Model<'_>, id: i64) -> Result<(String, PipelineView), PageError> {
    let v = match m.entity(Kind::Pipeline, id)? {
        Some(e) => m.pipeline(&e)?,
        None => PipelineView::default(),
    };
    Ok((format!("Pipeline #{id}"), v))
}
