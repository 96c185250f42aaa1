//! Archived job logs on the site: the log pages (one anchor per line, ANSI colours as
//! classes, error-looking lines marked), the raw `.txt` beside them, and the log
//! section of a job page (status notices and the summary of error lines).

use super::PageError;
use crate::archive::{LogInfo, LogStatus, log_sources};
use crate::jobs::log_title;
use crate::model::{self, JobList, Model};
use crate::render::html::render_lines;
use serde::Serialize;
use tera::Context;

/// A size for people: bytes, KiB or MiB.
fn human_size(bytes: u64) -> String {
    let m = bytes as f64 / (1024.0 * 1024.0);
    if bytes < 1024 {
        format!("{bytes} bytes")
    } else if bytes < 1024 * 1024 {
        format!("{:.0} KiB", bytes as f64 / 1024.0)
    } else if m >= 10.0 || m.fract() == 0.0 {
        format!("{m:.0} MiB")
    } else {
        format!("{m:.1} MiB")
    }
}

/// What the job page says about one log.
#[derive(Debug, Serialize)]
pub struct JobLog {
    /// Log name.
    pub name: String,
    /// Human title.
    pub title: String,
    /// `stored`, `capped`, `failed`, `pruned` or `missing` (not archived).
    pub status: &'static str,
    /// The notice shown (None for a log stored whole).
    pub note: Option<String>,
    /// Site path of the log page, when text is archived.
    pub href: Option<String>,
    /// Site path of the raw text, when text is archived.
    pub raw: Option<String>,
    /// Where upstream served it.
    pub url: Option<String>,
}

fn note_of(l: &LogInfo) -> Option<String> {
    match l.status {
        LogStatus::Stored => None,
        LogStatus::Capped => Some(format!(
            "Capped: the log was {} long; its beginning and its end are archived, \
             the middle is cut where the log says so.",
            human_size(l.size_original.unwrap_or(0).max(0) as u64)
        )),
        LogStatus::Pruned => {
            Some("Pruned upstream: it was gone before it could be archived.".into())
        }
        LogStatus::Failed => Some(format!(
            "Not archived: the fetch failed ({}); the next sync tries again.",
            l.error.as_deref().unwrap_or("unknown error")
        )),
    }
}

/// The log section of job `l`/`id`: every archived log and every log the job's
/// JSON names that is not archived.
pub(super) fn job_logs(m: &Model<'_>, l: JobList, id: i64) -> Result<Vec<JobLog>, PageError> {
    let kind = l.detail_kind();
    let ids = id.to_string();
    let archived = m.archive().logs_of(kind, &ids).unwrap_or_default();
    let base = model::detail_path(l, id);
    let mut out = Vec::new();
    for info in &archived {
        let has_text = info.status.has_text() && m.catalog.has_log(l, id, &info.name);
        out.push(JobLog {
            name: info.name.clone(),
            title: log_title(&info.name),
            status: info.status.as_str(),
            note: note_of(info),
            href: has_text.then(|| format!("{base}logs/{}/", info.name)),
            raw: has_text.then(|| format!("{base}logs/{}.txt", info.name)),
            url: info.url.clone(),
        });
    }
    if let Some(e) = m.archive().get(kind, &ids)?
        && let Some(json) = e
            .json()
            .and_then(|j| serde_json::from_str::<serde_json::Value>(j).ok())
    {
        for src in log_sources(kind, &json) {
            if src.url.is_none() || archived.iter().any(|a| a.name == src.name) {
                continue;
            }
            out.push(JobLog {
                title: log_title(&src.name),
                name: src.name,
                status: "missing",
                note: Some(
                    "Not archived: the upstream copy may be pruned at any time.".to_string(),
                ),
                href: None,
                raw: None,
                url: src.url,
            });
        }
    }
    Ok(out)
}

/// The view of a log page.
#[derive(Debug, Serialize)]
struct LogView {
    name: String,
    title: String,
    job_href: String,
    job_title: String,
    list_slug: &'static str,
    list_title: &'static str,
    raw: String,
    url: Option<String>,
    note: Option<String>,
    count: usize,
    errors: usize,
    /// Line number of the first error-looking line.
    first_error: Option<usize>,
    lines: String,
}

/// Fills the context of a log page.
pub(super) fn log_page(
    m: &Model<'_>,
    c: &mut Context,
    l: JobList,
    id: i64,
    name: &str,
) -> Result<(), PageError> {
    let kind = l.detail_kind();
    let ids = id.to_string();
    let info = m
        .archive()
        .logs_of(kind, &ids)?
        .into_iter()
        .find(|i| i.name == name);
    let text = m.archive().log_text(kind, &ids, name)?.unwrap_or_default();
    let lines = render_lines(&String::from_utf8_lossy(&text));
    let base = model::detail_path(l, id);
    let job_title = format!("{} #{id}", l.singular());
    let title = format!("{} – {job_title}", log_title(name));
    c.insert("title", &title);
    c.insert(
        "log",
        &LogView {
            name: name.to_string(),
            title: log_title(name),
            job_href: base.clone(),
            job_title,
            list_slug: l.slug(),
            list_title: l.title(),
            raw: format!("{base}logs/{name}.txt"),
            url: info.as_ref().and_then(|i| i.url.clone()),
            note: info.as_ref().and_then(note_of),
            count: lines.count,
            errors: lines.errors.len(),
            first_error: lines.errors.first().map(|e| e.0),
            lines: lines.html,
        },
    );
    Ok(())
}

/// The raw text of a log.
pub(super) fn log_raw(
    m: &Model<'_>,
    l: JobList,
    id: i64,
    name: &str,
) -> Result<Vec<u8>, PageError> {
    Ok(m.archive()
        .log_text(l.detail_kind(), &id.to_string(), name)?
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(human_size(5 * 1024 * 1024), "5 MiB");
        assert_eq!(human_size(1536 * 1024), "1.5 MiB");
        assert_eq!(human_size(2048), "2 KiB");
        assert_eq!(human_size(10), "10 bytes");
    }
}
