//! HTML escaping in one place: the template autoescaper ([`escape_text`]) and the
//! rendering of log text (one anchored span per line, ANSI SGR colours as classes,
//! other escape sequences dropped, error-looking lines marked).

use super::isolate;
use crate::html::{self, Controls};
use serde::Serialize;
use std::fmt::Write as _;

/// The autoescape function: HTML-escapes `&<>"'`, makes bidirectional controls and
/// zero-width joiners visible ([`invisible_control`]) and removes what HTML forbids in text —
/// ANSI escape sequences (logs carry colour codes) are dropped whole, other control
/// characters (except tab, newline and carriage return) become U+FFFD (see [`crate::html`]).
/// A value that [`isolate::needs_isolation`] is bracketed for [`isolate::resolve`],
/// which shows it isolated (`<bdi>`) from the text around it.
pub fn escape_text(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut chars = input.chars().peekable();
    let mut buf = [0u8; 4];
    let isolated = isolate::needs_isolation(input);
    if isolated {
        out.write_all(isolate::OPEN.encode_utf8(&mut buf).as_bytes())?;
    }
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            html::ansi_sequence(&mut chars);
            continue;
        }
        if invisible_control(c) {
            out.write_all(format!("⟨U+{:04X}⟩", c as u32).as_bytes())?;
            continue;
        }
        let rep = match html::escaped(c, Controls::ReplaceButWhitespace) {
            Some(rep) => rep,
            None => c.encode_utf8(&mut buf),
        };
        out.write_all(rep.as_bytes())?;
    }
    if isolated {
        out.write_all(isolate::CLOSE.encode_utf8(&mut buf).as_bytes())?;
    }
    Ok(())
}

/// Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069)
/// and zero-width (non-)joiners and spaces: the autoescaper shows each as a visible
/// `⟨U+202E⟩` marker, so an upstream name cannot display as something else.
pub fn invisible_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200b}'..='\u{200d}')
}

/// Escapes one log line's text (see [`crate::html`]).
fn escape_into(s: &str, out: &mut String) {
    html::escape_into(s, out, Controls::ReplaceButTab);
}

/// Whether a line (ANSI codes removed) looks like an error: `error` at its start or
/// `error:` anywhere (any case), `FAILED`, or `fatal` (any case), or what a job
/// kind's failure box takes for one (RPM, SRPM, Koji, tmt and sync-release errors), so the
/// log page marks every line the box lists.
pub fn looks_like_error(line: &str) -> bool {
    let lower = line.trim_start().to_ascii_lowercase();
    crate::jobs::rpm_error(line)
        || crate::jobs::srpm_error(line)
        || crate::jobs::koji_error(line)
        || crate::jobs::tmt_error(line)
        || crate::jobs::sync_error(line)
        || lower.starts_with("error")
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
        if let Some((seq, Some('m'))) = html::ansi_sequence(&mut chars) {
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
    }
    escape_into(&text, out);
    plain.push_str(&text);
    if open {
        out.push_str("</span>");
    }
    plain
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
            let plain = html::strip_ansi(raw);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_controls_and_joiners_are_made_visible() {
        let mut out = Vec::new();
        escape_text("a\u{202e}txt.exe\u{200d}<b>\u{2066}", &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\u{fdd0}a⟨U+202E⟩txt.exe⟨U+200D⟩&lt;b&gt;⟨U+2066⟩\u{fdd1}",
            "bracketed for isolation"
        );
        // upstream noncharacters cannot pass for the brackets
        let mut out = Vec::new();
        escape_text("x\u{fdd0}y\u{fdd1}", &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "x\u{fffd}y\u{fffd}");
    }

    use super::escape_text;

    fn esc(s: &str) -> String {
        let mut v = Vec::new();
        escape_text(s, &mut v).unwrap();
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn escapes_markup_and_drops_controls() {
        assert_eq!(
            esc("<a href=\"x\">'&"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;"
        );
        assert_eq!(esc("\u{1b}[0;31mred\u{1b}[0m ok\n"), "red ok\n");
        assert_eq!(esc("a\u{7}b\u{0}c\u{85}"), "a\u{fffd}b\u{fffd}c\u{fffd}");
    }

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
