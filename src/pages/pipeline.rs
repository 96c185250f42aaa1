//! Pipeline pages: the pipeline list (index and numbered pages) and the page of
//! one merged pipeline.

use super::PageError;
use super::{Ctx, titled};
use crate::api::Kind;
use crate::model::{self, JobList, Model, PipelineMatrix, PipelineView};
use crate::plan::{self, IndexList, Page};
use crate::render::html::error_lines;
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

/// `pipeline/<id>/`: the failed jobs with their first error lines, the
/// targets × stages matrix, and the stages.
pub(super) fn pipeline(m: &Model<'_>, c: &mut Context, id: i64) -> Result<(), PageError> {
    let (title, v) = pipeline_view(m, id)?;
    c.insert("title", &title);
    c.insert("pipeline", &v);
    let matrix = match m.entity(Kind::Pipeline, id)? {
        Some(e) => {
            let (mut x, pages) = m.pipeline_matrix(&e)?;
            for (f, page) in x.failed.iter_mut().zip(pages) {
                if let Some((l, job)) = page
                    && let Some((log, n, text)) = first_error(m, l, job)?
                {
                    f.log = Some((log, n));
                    f.error = Some(text);
                }
            }
            x
        }
        None => PipelineMatrix::default(),
    };
    c.insert("matrix", &matrix);
    Ok(())
}

/// The first error-looking line of job `l`/`id`'s archived logs (in name order):
/// the log page's path, the line number and its text.
fn first_error(
    m: &Model<'_>,
    l: JobList,
    id: i64,
) -> Result<Option<(String, usize, String)>, PageError> {
    let kind = l.detail_kind();
    for name in m.catalog.logs.get(&(kind, id)).into_iter().flatten() {
        if !m.catalog.has_log(l, id, name) {
            continue;
        }
        if let Some(bytes) = m.archive().log_text(kind, &id.to_string(), name)?
            && let Some((n, text)) = error_lines(&String::from_utf8_lossy(&bytes))
                .into_iter()
                .next()
        {
            return Ok(Some((
                format!("{}logs/{name}/", model::detail_path(l, id)),
                n,
                text,
            )));
        }
    }
    Ok(None)
}

/// Title and view of a pipeline page.
pub(super) fn pipeline_view(m: &Model<'_>, id: i64) -> Result<(String, PipelineView), PageError> {
    let v = match m.entity(Kind::Pipeline, id)? {
        Some(e) => m.pipeline(&e)?,
        None => PipelineView::default(),
    };
    Ok((format!("Pipeline #{id}"), v))
}
