//! Docusaurus admonitions (`:::tip Title` … `:::`): finding them in the source.
//!
//! Before the real markdown parse, every recognised opening or closing line is
//! replaced by an HTML comment line (same indentation), which CommonMark turns
//! into its own HTML block even in the middle of a paragraph. The renderer then
//! recognises those blocks *by their position* (a comment written by the author
//! elsewhere is not a marker) and emits `<aside>` markup instead. Lines inside
//! code blocks or raw HTML blocks (found by a first parse of the unchanged
//! source) are never directives, so a fenced block containing `:::` is safe.

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag};

/// The admonition kinds Docusaurus knows, with their default titles.
const KINDS: &[(&str, &str)] = &[
    ("note", "Note"),
    ("tip", "Tip"),
    ("info", "Info"),
    ("caution", "Caution"),
    ("warning", "Warning"),
    ("danger", "Danger"),
];

/// The text each directive line is replaced with (after its indentation).
const MARKER: &str = "<!-- admonition -->";

/// What a replaced line stood for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MarkerKind {
    /// `:::kind title`: opens an admonition.
    Open {
        /// One of the known kinds, e.g. `tip`.
        kind: &'static str,
        /// The explicit title, or the default title of the kind.
        title: String,
    },
    /// A bare `:::` closing the innermost open admonition.
    Close,
}

/// One replaced line in the rewritten source.
#[derive(Debug, Clone)]
pub(crate) struct Marker {
    /// Byte range of the whole replacement line in the rewritten source.
    pub(crate) line: Range<usize>,
    /// What it stands for.
    pub(crate) kind: MarkerKind,
    /// The original line (without its line ending), to show if the marker
    /// cannot be honoured where it ended up.
    pub(crate) original: String,
}

/// The parsed form of a `:::` line.
enum Directive<'a> {
    Open {
        colons: usize,
        name: &'a str,
        title: String,
    },
    Close {
        colons: usize,
    },
}

fn parse_directive(line: &str) -> Option<Directive<'_>> {
    let trimmed = line.trim_start_matches([' ', '\t']);
    let colons = trimmed.len() - trimmed.trim_start_matches(':').len();
    if colons < 3 {
        return None;
    }
    let rest = &trimmed[colons..];
    if rest.trim().is_empty() {
        return Some(Directive::Close { colons });
    }
    let name_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(rest.len());
    if name_len == 0 {
        return None;
    }
    let (name, after) = rest.split_at(name_len);
    let title = if let Some(bracketed) = after.strip_prefix('[') {
        match bracketed.rfind(']') {
            Some(end) => bracketed[..end].trim().to_owned(),
            None => return None,
        }
    } else if after.starts_with('{') || after.trim().is_empty() {
        String::new()
    } else if after.starts_with([' ', '\t']) {
        after.trim().to_owned()
    } else {
        return None;
    };
    Some(Directive::Open {
        colons,
        name,
        title,
    })
}

/// Byte ranges of code blocks and raw HTML blocks in `source`.
fn opaque_ranges(source: &str, options: Options) -> Vec<Range<usize>> {
    Parser::new_ext(source, options)
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::CodeBlock(_) | Tag::HtmlBlock) => Some(range),
            _ => None,
        })
        .collect()
}

/// Rewrites `source`, replacing admonition lines by marker lines; returns the
/// new source and the markers in order. Unknown kinds (`:::foo`) and their
/// closing `:::` are left untouched, as are closers without an opener.
pub(crate) fn preprocess(source: &str, options: Options) -> (String, Vec<Marker>) {
    let opaque = opaque_ranges(source, options);
    let mut out = String::with_capacity(source.len());
    let mut markers = Vec::new();
    // (colon count, known kind?) of each open directive.
    let mut stack: Vec<(usize, bool)> = Vec::new();
    let mut offset = 0;
    for raw_line in source.split_inclusive('\n') {
        let line_start = offset;
        offset += raw_line.len();
        let content = raw_line.trim_end_matches(['\n', '\r']);
        let ending = &raw_line[content.len()..];
        let in_opaque = opaque
            .iter()
            .any(|r| r.start <= line_start && line_start < r.end);
        let directive = if in_opaque {
            None
        } else {
            parse_directive(content)
        };
        let kind = match directive {
            Some(Directive::Open {
                colons,
                name,
                title,
            }) => {
                let known = KINDS
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .copied();
                stack.push((colons, known.is_some()));
                known.map(|(kind, default)| MarkerKind::Open {
                    kind,
                    title: if title.is_empty() {
                        default.to_owned()
                    } else {
                        title
                    },
                })
            }
            Some(Directive::Close { colons }) => match stack.last() {
                Some(&(open_colons, known)) if colons >= open_colons => {
                    stack.pop();
                    known.then_some(MarkerKind::Close)
                }
                _ => None,
            },
            None => None,
        };
        match kind {
            Some(kind) => {
                let indent = &content[..content.len() - content.trim_start().len()];
                let start = out.len();
                out.push_str(indent);
                out.push_str(MARKER);
                out.push_str(ending);
                markers.push(Marker {
                    line: start..out.len(),
                    kind,
                    original: content.to_owned(),
                });
            }
            None => out.push_str(raw_line),
        }
    }
    (out, markers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str) -> Vec<MarkerKind> {
        preprocess(source, Options::empty())
            .1
            .into_iter()
            .map(|m| m.kind)
            .collect()
    }

    #[test]
    fn recognises_titles_in_both_forms() {
        assert_eq!(
            kinds(":::tip CentOS Stream support\nx\n:::\n"),
            vec![
                MarkerKind::Open {
                    kind: "tip",
                    title: "CentOS Stream support".into()
                },
                MarkerKind::Close
            ]
        );
        assert_eq!(
            kinds(":::caution[Be careful]\nx\n:::\n")[0],
            MarkerKind::Open {
                kind: "caution",
                title: "Be careful".into()
            }
        );
        assert_eq!(
            kinds(":::note\nx\n:::")[0],
            MarkerKind::Open {
                kind: "note",
                title: "Note".into()
            }
        );
    }

    #[test]
    fn unknown_kinds_and_their_closers_are_left_alone() {
        let (out, markers) = preprocess(":::foo\nx\n:::\n", Options::empty());
        assert!(markers.is_empty());
        assert_eq!(out, ":::foo\nx\n:::\n");
        // The unknown block's closer does not close the outer tip.
        assert_eq!(
            kinds(":::tip\n:::foo\n:::\n:::\n").len(),
            2,
            "tip open + tip close only"
        );
    }

    #[test]
    fn fenced_code_hides_directives() {
        let src = ":::info\n```md\n:::tip\nnot a tip\n:::\n```\n:::\n";
        let (out, markers) = preprocess(src, Options::empty());
        assert_eq!(markers.len(), 2);
        assert!(out.contains("```md\n:::tip\nnot a tip\n:::\n```"));
    }

    #[test]
    fn marker_ranges_point_at_the_replacement_lines() {
        let (out, markers) = preprocess("a\n\n  :::tip\n  b\n  :::\r\n", Options::empty());
        for m in &markers {
            assert_eq!(out[m.line.clone()].trim(), MARKER);
        }
        assert!(out.ends_with("  <!-- admonition -->\r\n"));
    }
}
