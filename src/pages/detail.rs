//! Job detail pages (`jobs/<list>/<id>/`): the job's view and its archived logs.

use super::PageError;
use crate::model::{DetailView, JobList, Model};
use tera::Context;

/// `jobs/<list>/<id>/`.
pub(super) fn job_detail(
    m: &Model<'_>,
    c: &mut Context,
    l: JobList,
    id: i64,
) -> Result<(), PageError> {
    let (title, d) = detail_view(m, l, id)?;
    c.insert("title", &title);
    c.insert("job", &d);
    c.insert("archived_logs", &super::logs::job_logs(m, l, id)?);
    c.insert("history", &m.job_history(l, id)?);
    Ok(())
}

/// Title and view of a job detail page.
pub(super) fn detail_view(
    m: &Model<'_>,
    l: JobList,
    id: i64,
) -> Result<(String, DetailView), PageError> {
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
