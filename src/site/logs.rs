//! Archived job logs on the site: the log pages (one anchor per line, ANSI colours as
//! classes, error-looking lines marked), the raw `.txt` beside them, and the log
//! section of a job page (status notices and the summary of error lines).

use super::SiteError;
use crate::archive::{LogInfo, LogStatus, log_sources};
use crate::model::{self, JobList, Model};
use serde::Serialize;
use std::fmt::Write as _;
use tera::Context;

/// Error lines listed per log on the job page at most.
const SUMMARY_MAX: usize = 20;

/// Escapes text for HTML content and attributes.
fn escape_into(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\t' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
}

/// Whether a line (ANSI codes removed) looks like an error: `error` at its start or
/// `error:` anywhere (any case), `FAILED`, or `fatal` (any case).
pub fn looks_like_error(line: &str) -> bool {
    let lower = line.trim_start().to_ascii_lowercase();
    lower.starts_with("error")
        || lower.contains("error:")
        || line.contains("FAILED")
        || lower.contains("fatal")
}

/// The SGR state carried from one line to the next.
#[derive(Clone, Copy, Default, PartialEq)]
struct Sgr {
    fg: Option<u8>,
    bold: bool,
}

impl Sgr {
    fn apply(&mut self, params: &str) {
        let codes: Vec<u32> = if params.is_empty() {
            vec![0]
        } else {
            params.split(';').map(|p| p.parse().unwrap_or(0)).collect()
        };
        let mut i = 0;
        while i < codes.len() {
            match codes[i] {
                0 => *self = Sgr::default(),
                1 => self.bold = true,
                22 => self.bold = false,
                c @ 30..=37 => self.fg = Some((c - 30) as u8),
                c @ 90..=97 => self.fg = Some((c - 90 + 8) as u8),
                39 => self.fg = None,
                // 256-colour and true-colour forms: skip their arguments
                38 | 48 => {
                    i += if codes.get(i + 1) == Some(&5) { 2 } else { 4 };
                }
                _ => {}
            }
            i += 1;
        }
    }

    fn class(&self) -> Option<String> {
        let mut c = Vec::new();
        if let Some(f) = self.fg {
            c.push(format!("a{f}"));
        }
        if self.bold {
            c.push("ab".to_string());
        }
        (!c.is_empty()).then(|| c.join(" "))
    }
}

/// One line as HTML (escaped, colour spans) and as plain text.
fn line_html(line: &str, state: &mut Sgr, out: &mut String) -> String {
    let mut plain = String::new();
    let mut open = false;
    let start = |st: &Sgr, out: &mut String, open: &mut bool| {
        if let Some(c) = st.class() {
            let _ = write!(out, "<span class=\"{c}\">");
            *open = true;
        }
    };
    start(state, out, &mut open);
    let mut chars = line.chars().peekable();
    let mut text = String::new();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            text.push(c);
            continue;
        }
        let mut seq = String::new();
        if chars.peek() == Some(&'[') {
            chars.next();
            let mut fin = None;
            for d in chars.by_ref() {
                if ('@'..='~').contains(&d) {
                    fin = Some(d);
                    break;
                }
                seq.push(d);
            }
            if fin == Some('m') {
                escape_into(&text, out);
                plain.push_str(&text);
                text.clear();
                let before = *state;
                state.apply(&seq);
                if *state != before {
                    if open {
                        out.push_str("</span>");
                        open = false;
                    }
                    start(state, out, &mut open);
                }
            }
        } else {
            chars.next();
        }
    }
    escape_into(&text, out);
    plain.push_str(&text);
    if open {
        out.push_str("</span>");
    }
    plain
}

/// A line without its ANSI escape sequences.
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
        } else if chars.next() == Some('[') {
            for d in chars.by_ref() {
                if ('@'..='~').contains(&d) {
                    break;
                }
            }
        }
    }
    out
}

/// The lines of a log that look like errors, as [`render_lines`] finds them, without
/// rendering the log (for the job page's summary).
pub fn error_lines(text: &str) -> Vec<(usize, String)> {
    let body = text.strip_suffix('\n').unwrap_or(text);
    if text.is_empty() {
        return Vec::new();
    }
    body.split('\n')
        .enumerate()
        .filter_map(|(i, raw)| {
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            let raw = raw.rsplit('\r').next().unwrap_or(raw);
            let plain = strip_ansi(raw);
            looks_like_error(&plain).then(|| (i + 1, plain.chars().take(300).collect()))
        })
        .collect()
}

/// A log rendered for its page.
#[derive(Debug, Default, Serialize)]
pub struct LogLines {
    /// The line elements (escaped HTML), for a `<pre>`.
    pub html: String,
    /// Number of lines.
    pub count: usize,
    /// Error-looking lines: (1-based number, plain text).
    pub errors: Vec<(usize, String)>,
}

/// Renders log text as one block span per line, for a `<pre>` (which keeps the
/// whitespace): `<span id="L<n>" class="l"><a href="#L<n>">n</a>text</span>`, with
/// class `e` added on error-looking lines, ANSI SGR colours as `a0`–`a15`/`ab`
/// classes (no inline styles), and everything else escaped. A final newline does
/// not make an empty last line; carriage-return progress redraws keep the last
/// state of the line.
pub fn render_lines(text: &str) -> LogLines {
    let mut out = LogLines::default();
    let mut state = Sgr::default();
    let body = text.strip_suffix('\n').unwrap_or(text);
    if text.is_empty() {
        return out;
    }
    for (i, raw) in body.split('\n').enumerate() {
        let n = i + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let raw = raw.rsplit('\r').next().unwrap_or(raw);
        let mut html = String::new();
        let plain = line_html(raw, &mut state, &mut html);
        let err = looks_like_error(&plain);
        if err {
            out.errors.push((n, plain.chars().take(300).collect()));
        }
        let _ = write!(
            out.html,
            "<span id=\"L{n}\" class=\"{}\"><a href=\"#L{n}\">{n}</a>{html}</span>",
            if err { "l e" } else { "l" }
        );
        out.count = n;
    }
    out
}

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

/// Human title of a log name.
fn log_title(name: &str) -> String {
    match name {
        "srpm" => "SRPM build log".into(),
        "srpm-builder-live" => "SRPM builder-live.log".into(),
        "builder-live" => "builder-live.log".into(),
        "build" => "build.log".into(),
        "submission" => "Koji submission output".into(),
        "sync-release" => "Sync-release log".into(),
        n => match n.strip_prefix("build-") {
            Some(arch) => format!("build.log ({arch})"),
            None => n.to_string(),
        },
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
    /// Error-looking lines: site path of the log page, line number, text.
    pub errors: Vec<(String, usize, String)>,
    /// Error-looking lines beyond those listed.
    pub more_errors: usize,
}

fn note_of(l: &LogInfo) -> Option<String> {
    match l.status {
        LogStatus::Stored => None,
        LogStatus::Capped => Some(format!(
            "Capped: the log was longer than {}; only its beginning is archived.",
            human_size(l.size_original.unwrap_or(1).saturating_sub(1).max(0) as u64)
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
pub(super) fn job_logs(m: &Model<'_>, l: JobList, id: i64) -> Result<Vec<JobLog>, SiteError> {
    let kind = l.detail_kind();
    let ids = id.to_string();
    let archived = m.archive().logs_of(kind, &ids).unwrap_or_default();
    let base = model::detail_path(l, id);
    let mut out = Vec::new();
    for info in &archived {
        let has_text = info.status.has_text() && m.catalog.has_log(l, id, &info.name);
        let mut errors = Vec::new();
        let mut more = 0;
        if has_text && let Some(bytes) = m.archive().log_text(kind, &ids, &info.name)? {
            let found = error_lines(&String::from_utf8_lossy(&bytes));
            more = found.len().saturating_sub(SUMMARY_MAX);
            errors = found
                .into_iter()
                .take(SUMMARY_MAX)
                .map(|(n, t)| (format!("{base}logs/{}/", info.name), n, t))
                .collect();
        }
        out.push(JobLog {
            name: info.name.clone(),
            title: log_title(&info.name),
            status: info.status.as_str(),
            note: note_of(info),
            href: has_text.then(|| format!("{base}logs/{}/", info.name)),
            raw: has_text.then(|| format!("{base}logs/{}.txt", info.name)),
            url: info.url.clone(),
            errors,
            more_errors: more,
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
                errors: Vec::new(),
                more_errors: 0,
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
    lines: String,
}

/// Fills the context of a log page.
pub(super) fn log_page(
    m: &Model<'_>,
    c: &mut Context,
    l: JobList,
    id: i64,
    name: &str,
) -> Result<(), SiteError> {
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
) -> Result<Vec<u8>, SiteError> {
    Ok(m.archive()
        .log_text(l.detail_kind(), &id.to_string(), name)?
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_anchors_escaping_and_colours() {
        let r = render_lines("a <b>\n\u{1b}[31mred\nstill\u{1b}[0m plain\nerror: x & y\n");
        assert_eq!(r.count, 4);
        assert_eq!(r.html.matches("<span id=\"L").count(), 4);
        assert!(
            r.html
                .contains("<span id=\"L1\" class=\"l\"><a href=\"#L1\">1</a>a &lt;b&gt;</span>")
        );
        assert!(r.html.contains("<span class=\"a1\">red</span>"));
        // colour state carries to the next line
        assert!(r.html.contains("<span class=\"a1\">still</span> plain"));
        assert!(r.html.contains(
            "<span id=\"L4\" class=\"l e\"><a href=\"#L4\">4</a>error: x &amp; y</span>"
        ));
        assert_eq!(r.errors, vec![(4, "error: x & y".to_string())]);
        assert!(!r.html.contains('\u{1b}'));
    }

    #[test]
    fn error_lines_match_the_rendered_ones() {
        let t = "ok\r\n\u{1b}[31merror:\u{1b}[0m x\nprogress 10%\rFAILED at 20%\n\u{1b}]0;title\u{7}\nfatal: y";
        assert_eq!(error_lines(t), render_lines(t).errors);
        assert_eq!(error_lines(t).len(), 3);
    }

    #[test]
    fn sizes() {
        assert_eq!(human_size(5 * 1024 * 1024), "5 MiB");
        assert_eq!(human_size(1536 * 1024), "1.5 MiB");
        assert_eq!(human_size(2048), "2 KiB");
        assert_eq!(human_size(10), "10 bytes");
    }

    #[test]
    fn error_heuristics() {
        for l in [
            "error: x",
            "ERROR foo",
            "make: *** FAILED",
            "fatal: bad",
            "  Error: y",
        ] {
            assert!(looks_like_error(l), "{l}");
        }
        for l in ["0 errors found? no", "all good", "failed to be lazy"] {
            assert!(!looks_like_error(l), "{l}");
        }
    }
}
