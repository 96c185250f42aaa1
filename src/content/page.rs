//! The page model: a rendered page with its table of contents, the front matter
//! block it starts with, and the title and description derived from it.

use std::collections::BTreeMap;

use serde::Serialize;

use super::ContentError;

/// Longest description (in characters, before the ellipsis) for `<meta name=description>`.
pub(super) const DESCRIPTION_MAX_CHARS: usize = 160;

/// One rendered markdown page.
#[derive(Debug, Clone, Serialize)]
pub struct ContentPage {
    /// File stem, e.g. `faq` for `faq.md`.
    pub name: String,
    /// Front matter `title`, else the first `#` heading, else `name`.
    pub title: String,
    /// Front matter `description`, else the first paragraph as plain text,
    /// shortened to about 160 characters.
    pub description: String,
    /// The `key: value` lines of the front matter, values as written (unquoted).
    pub front_matter: BTreeMap<String, String>,
    /// The page body as an HTML fragment.
    pub html: String,
    /// The `##` and `###` headings, in order.
    pub toc: Vec<TocEntry>,
}

/// One heading in a page's table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TocEntry {
    /// Heading level: 2 or 3.
    pub level: u8,
    /// Heading text without markup.
    pub text: String,
    /// The heading's `id` (anchor without `#`).
    pub id: String,
}

/// Splits a leading `---` front matter block off `source`.
///
/// Returns the parsed keys, the body after the block, and the number of lines
/// the block took. Values may be quoted with `"…"` (backslash escapes `\"` and
/// `\\`) or `'…'` (`''` for a quote); they are kept as strings. Blank lines,
/// `#` comments and indented or `- ` list lines (YAML structures this parser
/// does not model) are skipped.
pub(super) fn split_front_matter<'a>(
    name: &str,
    source: &'a str,
) -> Result<(BTreeMap<String, String>, &'a str), ContentError> {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let mut map = BTreeMap::new();
    let mut lines = source.split_inclusive('\n');
    match lines.next() {
        Some(first) if first.trim_end() == "---" && first.ends_with('\n') => {}
        _ => return Ok((map, source)),
    }
    let mut consumed = source.split_inclusive('\n').next().map_or(0, str::len);
    for (index, raw) in lines.enumerate() {
        consumed += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        if line.trim_end() == "---" {
            return Ok((map, &source[consumed..]));
        }
        let trimmed = line.trim();
        if trimmed.is_empty()
            || trimmed.starts_with('#')
            || line.starts_with([' ', '\t'])
            || trimmed == "-"
            || trimmed.starts_with("- ")
        {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            return Err(ContentError::MalformedFrontMatter {
                file: name.to_owned(),
                line: index + 2,
                text: line.to_owned(),
            });
        };
        let key = key.trim();
        if key.is_empty() || key.contains(char::is_whitespace) {
            return Err(ContentError::MalformedFrontMatter {
                file: name.to_owned(),
                line: index + 2,
                text: line.to_owned(),
            });
        }
        map.insert(key.to_owned(), unquote(value.trim()));
    }
    Err(ContentError::UnclosedFrontMatter {
        file: name.to_owned(),
    })
}

/// Removes YAML-style quotes from a scalar value.
fn unquote(value: &str) -> String {
    if value.len() >= 2 && value.starts_with('"') && value.ends_with('"') {
        let inner = &value[1..value.len() - 1];
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some(other) => out.push(other),
                    None => out.push('\\'),
                }
            } else {
                out.push(c);
            }
        }
        out
    } else if value.len() >= 2 && value.starts_with('\'') && value.ends_with('\'') {
        value[1..value.len() - 1].replace("''", "'")
    } else {
        value.to_owned()
    }
}

/// Collapses runs of whitespace into single spaces and trims the ends.
pub(super) fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Shortens `text` to at most [`DESCRIPTION_MAX_CHARS`] characters, at a word
/// boundary where possible, adding `…` when something was cut.
pub(super) fn truncate_description(text: &str) -> String {
    if text.chars().count() <= DESCRIPTION_MAX_CHARS {
        return text.to_owned();
    }
    let cut = text
        .char_indices()
        .nth(DESCRIPTION_MAX_CHARS)
        .map_or(text.len(), |(i, _)| i);
    let head = &text[..cut];
    let head = match head.rfind(' ') {
        Some(space) if space > cut / 2 => &head[..space],
        _ => head,
    };
    let head = head.trim_end_matches([' ', ',', ';', ':', '.', '-', '—']);
    format!("{head}…")
}
