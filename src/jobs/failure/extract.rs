//! The causes of a failed build, extracted from its log: each line is sorted by
//! the patterns of `rules.rs` into a cause (what broke), the detail lines that
//! belong to it (a failed test's name and message, the missing providers after
//! `Problem:`, the compiler's source excerpt), a wrapper or summary line, or
//! noise. Up to [`MAX`] distinct causes are returned, the tools' own wording
//! first, generic error lines after them, wrapper lines only when nothing else is
//! found; repeats (dnf's retries, one error in many files) count once.
//!
//! Lines are numbered as the log page numbers them (split at `\n`, a
//! carriage-return redraw keeps its last state, ANSI removed). Pure and fast:
//! one pass over the log, no allocation for the lines no rule looks at.

use super::rules::{self, Class, Follow};
use super::strip_ansi;
use std::borrow::Cow;
use std::collections::HashSet;

/// Causes returned at most.
pub const MAX: usize = 5;

/// Detail lines kept per cause at most.
pub const MAX_DETAILS: usize = 3;

/// Characters kept of a line.
const WIDTH: usize = 300;

/// Lines before the build's last error line within which generic error lines
/// rank before the other generic ones (the build went on after those).
const NEAR_STOP: usize = 30;

/// Lines a pytest section is searched for its `E   …` lines.
const PYTEST_SECTION: usize = 80;

/// One cause of a failure: a line of the log and the lines that belong to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cause {
    /// 1-based line number.
    pub line: usize,
    /// The line (without ANSI codes, at most 300 characters).
    pub text: String,
    /// Its detail lines, numbered likewise.
    pub details: Vec<(usize, String)>,
    /// How sure the rules are: a tool's own wording (`Cause`), generic error
    /// wording (`Weak`), or only a wrapper line (`Wrapper`).
    pub class: Class,
}

/// The causes of the failure `text` logs (at most [`MAX`]), and how many more
/// distinct ones the log has.
pub fn causes(text: &str) -> (Vec<Cause>, usize) {
    let lines = plain_lines(text);
    let mut found = candidates(&lines);
    let best = found.iter().map(|c| c.class).max();
    if best > Some(Class::Wrapper) {
        found.retain(|c| c.class > Class::Wrapper);
    }
    let last_phase = lines
        .iter()
        .rposition(|l| rules::phase_start(rules::body(l)))
        .unwrap_or(0);
    // where the build stopped: its last error, weak or wrapper line
    let stop = found.iter().map(|c| c.line).max().unwrap_or(0);
    // the tools' own wording first, then generic wording; the causes of the
    // section that failed (rpmbuild's last) before those of earlier ones; generic
    // lines just before the stop before those the build went on after
    found.sort_by_key(|c| {
        let early = c.line <= last_phase || (c.class == Class::Weak && c.line + NEAR_STOP < stop);
        (std::cmp::Reverse(c.class), early, c.line)
    });
    let mut seen = HashSet::new();
    found.retain(|c| seen.insert(normalised(rules::body(&lines[c.line - 1]))));
    let more = found.len().saturating_sub(MAX);
    found.truncate(MAX);
    (found, more)
}

/// The lines of `text` as the log page shows them.
fn plain_lines(text: &str) -> Vec<Cow<'_, str>> {
    if text.is_empty() {
        return Vec::new();
    }
    let body = text.strip_suffix('\n').unwrap_or(text);
    body.split('\n')
        .map(|raw| {
            // a redraw keeps its last state; a bare `\r` before `\n` (CI logs'
            // `\r\r\n`) redraws nothing
            let raw = raw.rsplit('\r').find(|s| !s.is_empty()).unwrap_or("");
            if raw.contains('\u{1b}') {
                Cow::Owned(strip_ansi(raw))
            } else {
                Cow::Borrowed(raw)
            }
        })
        .collect()
}

/// Every cause, weak and wrapper line of `lines` with its details, in log order.
fn candidates(lines: &[Cow<'_, str>]) -> Vec<Cause> {
    let mut out = Vec::new();
    // lines taken as another line's details
    let mut taken = vec![false; lines.len()];
    let mut i = 0;
    while i < lines.len() {
        if taken[i] {
            i += 1;
            continue;
        }
        let body = rules::body(&lines[i]);
        let r = rules::classify(body);
        if r.class == Class::Noise {
            i += 1;
            continue;
        }
        let mut cause = i;
        let mut class = r.class;
        let mut details = Vec::new();
        let mut next = i + 1;
        match r.follow {
            Follow::Nothing => {}
            Follow::Excerpt => {
                while next < lines.len() && details.len() < MAX_DETAILS {
                    let l = rules::body(&lines[next]);
                    if !rules::excerpt(l) {
                        break;
                    }
                    if !rules::bare_gutter(l) {
                        details.push(next);
                    }
                    next += 1;
                }
            }
            Follow::Block => {
                if next < lines.len() && rules::body(&lines[next]).trim().is_empty() {
                    next += 1;
                }
                while next < lines.len() && details.len() < MAX_DETAILS {
                    let l = rules::body(&lines[next]);
                    let t = l.trim();
                    if t.is_empty() || !belongs_to_block(l) {
                        break;
                    }
                    details.push(next);
                    next += 1;
                }
            }
            Follow::Pytest => {
                let end = lines.len().min(i + PYTEST_SECTION);
                for (j, line) in lines.iter().enumerate().take(end).skip(i + 1) {
                    let t = rules::body(line).trim();
                    if (t.starts_with("___") && t.ends_with("___")) || t.starts_with("===") {
                        break;
                    }
                    if t.starts_with("E ") && details.len() < MAX_DETAILS {
                        details.push(j);
                        taken[j] = true;
                    }
                }
            }
            Follow::Traceback => {
                let (end, frames_of_mock) = traceback_end(lines, i + 1);
                let Some(end) = end else {
                    i += 1;
                    continue;
                };
                cause = end;
                let r = rules::classify(rules::body(&lines[end]));
                class = if frames_of_mock || r.class <= Class::Wrapper {
                    Class::Wrapper
                } else {
                    Class::Cause
                };
                // the innermost frame: where it was raised
                if let Some(f) = (i + 1..end)
                    .rev()
                    .find(|j| rules::body(&lines[*j]).trim_start().starts_with("File "))
                {
                    details.push(f);
                    if f + 1 < end {
                        details.push(f + 1);
                    }
                }
                next = end + 1;
            }
        }
        out.push(Cause {
            line: cause + 1,
            text: clip(&lines[cause]),
            details: details.iter().map(|d| (d + 1, clip(&lines[*d]))).collect(),
            class,
        });
        i = next;
    }
    out
}

/// Whether a line after a header is one of its details: a line no rule knows,
/// a test's exception message or a `- …` list item (dnf's providers).
fn belongs_to_block(l: &str) -> bool {
    let t = l.trim_start();
    t.starts_with("- ") || rules::exception(t) || rules::classify(l).class == Class::Noise
}

/// The exception line that ends the traceback whose frames start at `from`, and
/// whether the frames are mock's own (its wrapper around the build's failure).
fn traceback_end(lines: &[Cow<'_, str>], from: usize) -> (Option<usize>, bool) {
    let mut mock = false;
    for (j, line) in lines.iter().enumerate().skip(from) {
        let l = rules::body(line);
        let t = l.trim_start();
        if t.is_empty() || l.starts_with(' ') || l.starts_with('\t') {
            mock |= t.contains("mockbuild") || t.contains("copr-rpmbuild");
            continue;
        }
        if t.starts_with("During handling") || t.starts_with("The above exception") {
            continue;
        }
        if t.starts_with("Traceback (most recent call last)") {
            continue;
        }
        return (Some(j), mock);
    }
    (None, mock)
}

/// A line as listed: trailing blanks removed, at most [`WIDTH`] characters.
fn clip(line: &str) -> String {
    line.trim_end().chars().take(WIDTH).collect()
}

/// The key under which repeats of one cause count once: numbers, hashes and
/// paths replaced, case kept.
fn normalised(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    for (n, word) in body.split_whitespace().enumerate() {
        if n > 0 {
            out.push(' ');
        }
        if word.contains('/') {
            out.push('/');
            continue;
        }
        let hexish = word.len() >= 7 && word.bytes().all(|c| c.is_ascii_hexdigit());
        if hexish {
            out.push('#');
            continue;
        }
        let mut digits = false;
        for c in word.chars() {
            if c.is_ascii_digit() {
                if !digits {
                    out.push('#');
                }
                digits = true;
            } else {
                out.push(c);
                digits = false;
            }
        }
    }
    out
}
