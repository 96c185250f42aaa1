//! Markdown content pages (the packit.dev FAQ, the about page, any `content/*.md`)
//! rendered to safe HTML fragments.
//!
//! Rendering follows what packit.dev's Docusaurus does where it matters for
//! links from elsewhere: headings get the same `id` slugs (github-slugger),
//! `{#custom-id}` suffixes are honoured, `:::tip`-style admonitions become
//! `<aside>` boxes, and links are made absolute against the page's location on
//! packit.dev. Unlike Docusaurus, raw HTML is never passed through: it is shown
//! as escaped text, and `javascript:`-style URLs are neutralised, so content
//! from untrusted sources cannot inject scripts.

mod admonition;
mod links;
mod slug;
mod unicode;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use serde::Serialize;

use admonition::{Marker, MarkerKind};
use links::PageBase;
use slug::Slugger;

/// Where packit.dev serves pages whose front matter has no `packit_path`.
const DEFAULT_SITE: &str = "https://packit.dev";

/// Longest description (in characters, before the ellipsis) for `<meta name=description>`.
const DESCRIPTION_MAX_CHARS: usize = 160;

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

/// Why a content page could not be loaded or rendered.
#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    /// The file starts a front matter block with `---` but never closes it.
    #[error("{file}: front matter starts with `---` but has no closing `---` line")]
    UnclosedFrontMatter {
        /// The page (file) name.
        file: String,
    },
    /// A front matter line is neither `key: value`, a comment, blank, nor an
    /// indented/list continuation line.
    #[error("{file}: front matter line {line}: expected `key: value`, found {text:?}")]
    MalformedFrontMatter {
        /// The page (file) name.
        file: String,
        /// 1-based line number within the file.
        line: usize,
        /// The offending line.
        text: String,
    },
    /// The page's packit.dev location is not an absolute http(s) URL.
    #[error("{file}: page location {base:?} is not an absolute http(s) URL")]
    InvalidBase {
        /// The page (file) name.
        file: String,
        /// The rejected location.
        base: String,
    },
    /// Reading the content directory or a file in it failed.
    #[error("reading {}: {source}", path.display())]
    Io {
        /// The directory or file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

/// Markdown extensions used for every page: GitHub tables, strikethrough and
/// task lists; smart punctuation stays off so text is kept as written.
fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

/// Splits a leading `---` front matter block off `source`.
///
/// Returns the parsed keys, the body after the block, and the number of lines
/// the block took. Values may be quoted with `"…"` (backslash escapes `\"` and
/// `\\`) or `'…'` (`''` for a quote); they are kept as strings. Blank lines,
/// `#` comments and indented or `- ` list lines (YAML structures this parser
/// does not model) are skipped.
fn split_front_matter<'a>(
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

/// Escapes text for HTML element content and double-quoted attributes.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Collapses runs of whitespace into single spaces and trims the ends.
fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Shortens `text` to at most [`DESCRIPTION_MAX_CHARS`] characters, at a word
/// boundary where possible, adding `…` when something was cut.
fn truncate_description(text: &str) -> String {
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

/// Splits a trailing Docusaurus `{#custom-id}` off heading text.
///
/// Returns the text without it (trailing whitespace removed) and the id. Ids
/// must consist of ASCII letters, digits, `_` and `-`, as in Docusaurus.
fn split_explicit_id(text: &str) -> Option<(&str, &str)> {
    let inner = text.strip_suffix('}')?;
    let open = inner.rfind("{#")?;
    let id = &inner[open + 2..];
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return None;
    }
    Some((text[..open].trim_end(), id))
}

/// Plain text of inline events, as mdast `toString` sees it: text and inline
/// code count, raw HTML does not.
fn plain_text(events: &[Event<'_>]) -> String {
    let mut text = String::new();
    for event in events {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push('\n'),
            _ => {}
        }
    }
    text
}

/// Merges neighbouring `Text` events (the parser may split text at special
/// characters), so a trailing `{#id}` is always within one event.
fn merge_text(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut out: Vec<Event<'_>> = Vec::with_capacity(events.len());
    for event in events {
        if let (Event::Text(new), Some(Event::Text(prev))) = (&event, out.last_mut()) {
            *prev = CowStr::from(format!("{prev}{new}"));
            continue;
        }
        out.push(event);
    }
    out
}

fn heading_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Rewrites link and image targets; other events pass unchanged.
fn rewrite_links<'a>(event: Event<'a>, base: &PageBase) -> Event<'a> {
    match event {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) if link_type != LinkType::Email => Event::Start(Tag::Link {
            link_type,
            dest_url: base.resolve(&dest_url, false).into(),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: base.resolve(&dest_url, true).into(),
            title,
            id,
        }),
        other => other,
    }
}

/// Turns the parser's events into safe output events, collecting the table of
/// contents, first `#` heading and first paragraph along the way.
struct Renderer<'m> {
    markers: &'m [Marker],
    out: Vec<Event<'static>>,
    slugger: Slugger,
    toc: Vec<TocEntry>,
    first_h1: Option<String>,
    first_paragraph: Option<String>,
    /// Text of the paragraph being collected for `first_paragraph`.
    paragraph: Option<String>,
    /// Nesting depth of open block/inline tags in the output.
    depth: usize,
    /// Depth at which each open admonition was opened.
    admonitions: Vec<usize>,
}

impl<'m> Renderer<'m> {
    fn new(markers: &'m [Marker]) -> Self {
        Renderer {
            markers,
            out: Vec::new(),
            slugger: Slugger::default(),
            toc: Vec::new(),
            first_h1: None,
            first_paragraph: None,
            paragraph: None,
            depth: 0,
            admonitions: Vec::new(),
        }
    }

    fn html(&mut self, html: String) {
        self.out.push(Event::Html(html.into()));
    }

    fn close_admonitions_at(&mut self, depth: usize) {
        while self.admonitions.last() == Some(&depth) {
            self.admonitions.pop();
            self.html("</aside>\n".to_owned());
        }
    }

    fn run<'a>(&mut self, events: impl Iterator<Item = (Event<'a>, std::ops::Range<usize>)>) {
        let mut events = events;
        while let Some((event, range)) = events.next() {
            match event {
                Event::Start(Tag::Heading { level, .. }) => {
                    let mut inner = Vec::new();
                    for (event, _) in events.by_ref() {
                        if matches!(event, Event::End(TagEnd::Heading(_))) {
                            break;
                        }
                        inner.push(event);
                    }
                    self.heading(level, inner);
                }
                Event::Start(Tag::HtmlBlock) => {
                    let mut lines = Vec::new();
                    for (event, _) in events.by_ref() {
                        match event {
                            Event::End(TagEnd::HtmlBlock) => break,
                            Event::Html(t) | Event::InlineHtml(t) | Event::Text(t) => {
                                lines.push(t.into_string())
                            }
                            _ => {}
                        }
                    }
                    self.html_block(range.start, lines);
                }
                Event::Start(tag) => {
                    if matches!(tag, Tag::Paragraph) && self.first_paragraph.is_none() {
                        self.paragraph = Some(String::new());
                    }
                    self.depth += 1;
                    self.out.push(Event::Start(tag).into_static());
                }
                Event::End(tag) => {
                    self.close_admonitions_at(self.depth);
                    self.depth = self.depth.saturating_sub(1);
                    if matches!(tag, TagEnd::Paragraph)
                        && let Some(text) = self.paragraph.take()
                    {
                        let text = collapse_whitespace(&text);
                        if !text.is_empty() {
                            self.first_paragraph = Some(text);
                        }
                    }
                    self.out.push(Event::End(tag));
                }
                Event::Html(t) | Event::InlineHtml(t) => {
                    // Raw HTML is shown, never interpreted.
                    self.collect_text(&t);
                    self.out.push(Event::Text(t.into_string().into()));
                }
                Event::Text(t) => {
                    self.collect_text(&t);
                    self.out.push(Event::Text(t.into_string().into()));
                }
                Event::Code(t) => {
                    self.collect_text(&t);
                    self.out.push(Event::Code(t.into_string().into()));
                }
                other => {
                    if matches!(other, Event::SoftBreak | Event::HardBreak) {
                        self.collect_text(" ");
                    }
                    self.out.push(other.into_static());
                }
            }
        }
        self.close_all();
    }

    fn collect_text(&mut self, text: &str) {
        if let Some(p) = self.paragraph.as_mut() {
            p.push_str(text);
        }
    }

    fn close_all(&mut self) {
        while self.admonitions.pop().is_some() {
            self.html("</aside>\n".to_owned());
        }
    }

    fn heading(&mut self, level: HeadingLevel, inner: Vec<Event<'_>>) {
        let mut inner = merge_text(inner);
        let mut explicit = None;
        if let Some(Event::Text(last)) = inner.last()
            && let Some((rest, id)) = split_explicit_id(last)
        {
            explicit = Some(id.to_owned());
            let rest = rest.to_owned();
            if rest.is_empty() {
                inner.pop();
            } else if let Some(last) = inner.last_mut() {
                *last = Event::Text(rest.into());
            }
        }
        let raw_text = plain_text(&inner);
        let text = collapse_whitespace(&raw_text);
        let id = match explicit {
            Some(id) => {
                self.slugger.reserve(&id);
                id
            }
            None => self.slugger.slug(raw_text.trim()),
        };
        let n = heading_number(level);
        if n == 1 && self.first_h1.is_none() {
            self.first_h1 = Some(text.clone());
        }
        if n == 2 || n == 3 {
            self.toc.push(TocEntry {
                level: n,
                text: text.clone(),
                id: id.clone(),
            });
        }
        let id = escape_html(&id);
        self.html(format!("<h{n} id=\"{id}\">"));
        for event in inner {
            let event = match event {
                Event::Html(t) | Event::InlineHtml(t) => Event::Text(t),
                other => other,
            };
            self.out.push(event.into_static());
        }
        self.html(format!(
            " <a class=\"anchor\" href=\"#{id}\" aria-label=\"Link to this section: {}\">#</a></h{n}>\n",
            escape_html(&text)
        ));
    }

    fn html_block(&mut self, start: usize, lines: Vec<String>) {
        let marker = self
            .markers
            .iter()
            .find(|m| m.line.start <= start && start < m.line.end);
        match marker.map(|m| (&m.kind, &m.original)) {
            Some((MarkerKind::Open { kind, title }, _)) => {
                self.html(format!(
                    "<aside class=\"admonition admonition-{kind}\" role=\"note\"><p class=\"admonition-title\">{}</p>\n",
                    escape_html(title)
                ));
                self.admonitions.push(self.depth);
            }
            Some((MarkerKind::Close, original)) => {
                if self.admonitions.last() == Some(&self.depth) {
                    self.admonitions.pop();
                    self.html("</aside>\n".to_owned());
                } else {
                    // The closer ended up in another container than its opener
                    // (or has none): show it as the author wrote it.
                    let text = original.trim().to_owned();
                    self.out.push(Event::Start(Tag::Paragraph));
                    self.out.push(Event::Text(text.into()));
                    self.out.push(Event::End(TagEnd::Paragraph));
                }
            }
            None => {
                let mut text = String::new();
                for line in lines {
                    let _ = write!(text, "{line}");
                }
                self.html("<pre class=\"raw-html\"><code>".to_owned());
                self.out.push(Event::Text(text.into()));
                self.html("</code></pre>\n".to_owned());
            }
        }
    }
}

/// Renders one markdown page to an HTML fragment.
///
/// `name` is the page name used in errors and as [`ContentPage::name`];
/// `packit_base` is the page's own URL on packit.dev (for the FAQ
/// `https://packit.dev/docs/faq`), against which site-absolute and relative
/// links and images are resolved.
pub fn render_markdown(
    name: &str,
    source: &str,
    packit_base: &str,
) -> Result<ContentPage, ContentError> {
    let base = PageBase::parse(packit_base).ok_or_else(|| ContentError::InvalidBase {
        file: name.to_owned(),
        base: packit_base.to_owned(),
    })?;
    let (front_matter, body) = split_front_matter(name, source)?;
    let (prepared, markers) = admonition::preprocess(body, options());
    let parser = Parser::new_ext(&prepared, options())
        .into_offset_iter()
        .map(|(event, range)| (rewrite_links(event, &base), range));
    let mut renderer = Renderer::new(&markers);
    renderer.run(parser);

    let mut html = String::with_capacity(prepared.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, renderer.out.into_iter());

    let title = front_matter
        .get("title")
        .cloned()
        .or(renderer.first_h1)
        .unwrap_or_else(|| name.to_owned());
    let description = front_matter
        .get("description")
        .map(|d| collapse_whitespace(d))
        .or(renderer.first_paragraph)
        .map(|d| truncate_description(&d))
        .unwrap_or_default();
    Ok(ContentPage {
        name: name.to_owned(),
        title,
        description,
        front_matter,
        html,
        toc: renderer.toc,
    })
}

/// The packit.dev URL of a page: front matter `packit_path` (absolute URL, or
/// a path on packit.dev), else `https://packit.dev/docs/<name>`.
fn page_base(name: &str, front_matter: &BTreeMap<String, String>) -> String {
    match front_matter.get("packit_path").map(|p| p.trim()) {
        Some(p) if p.starts_with("http://") || p.starts_with("https://") => p.to_owned(),
        Some(p) if p.starts_with('/') => format!("{DEFAULT_SITE}{p}"),
        Some(p) if !p.is_empty() => format!("{DEFAULT_SITE}/{p}"),
        _ => format!("{DEFAULT_SITE}/docs/{name}"),
    }
}

/// Loads and renders every `*.md` file directly in `dir`, sorted by name.
pub fn load_dir(dir: &Path) -> Result<Vec<ContentPage>, ContentError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ContentError::Io { path, source }
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let path = entry.map_err(io(dir))?.path();
        if path.extension().is_some_and(|e| e == "md") && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    files
        .iter()
        .map(|path| {
            let source = std::fs::read_to_string(path).map_err(io(path))?;
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let (front_matter, _) = split_front_matter(&name, &source)?;
            render_markdown(&name, &source, &page_base(&name, &front_matter))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAQ_BASE: &str = "https://packit.dev/docs/faq";

    fn render(source: &str) -> ContentPage {
        render_markdown("test", source, FAQ_BASE).expect("renders")
    }

    #[test]
    fn front_matter_is_parsed_as_strings() {
        let page = render(
            "---\ntitle: \"Quoted: title\"\ndate: 2019-07-24\nsidebar_position: 100\n\
             description: 'It''s short'\n# a comment\ntags:\n  - a\n- b\nslug: /faq\n---\n\nBody.\n",
        );
        let fm = &page.front_matter;
        assert_eq!(fm["title"], "Quoted: title");
        assert_eq!(fm["date"], "2019-07-24");
        assert_eq!(fm["sidebar_position"], "100");
        assert_eq!(fm["description"], "It's short");
        assert_eq!(fm["tags"], "");
        assert_eq!(fm["slug"], "/faq");
        assert_eq!(fm.len(), 6);
        assert_eq!(page.title, "Quoted: title");
        assert_eq!(page.description, "It's short");
        assert_eq!(page.html.trim(), "<p>Body.</p>");
    }

    #[test]
    fn missing_front_matter_is_fine_and_crlf_is_accepted() {
        let page = render("# Hello\n\nWorld.\n");
        assert!(page.front_matter.is_empty());
        assert_eq!(page.title, "Hello");
        assert_eq!(page.description, "World.");
        let page = render("---\r\ntitle: T\r\n---\r\ntext\r\n");
        assert_eq!(page.front_matter["title"], "T");
        assert_eq!(page.html.trim(), "<p>text</p>");
    }

    #[test]
    fn unclosed_front_matter_is_an_error_naming_the_file() {
        let err = render_markdown("broken", "---\ntitle: x\n\n# Body\n", FAQ_BASE).unwrap_err();
        assert!(matches!(err, ContentError::UnclosedFrontMatter { ref file } if file == "broken"));
        assert!(err.to_string().starts_with("broken: "), "{err}");
    }

    #[test]
    fn malformed_front_matter_line_is_an_error() {
        let err = render_markdown("bad", "---\ntitle: x\nnot a pair\n---\n", FAQ_BASE).unwrap_err();
        match &err {
            ContentError::MalformedFrontMatter { file, line, text } => {
                assert_eq!(
                    (file.as_str(), *line, text.as_str()),
                    ("bad", 3, "not a pair")
                );
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(err.to_string().contains("bad: front matter line 3"));
    }

    #[test]
    fn invalid_base_is_an_error() {
        let err = render_markdown("x", "text", "/docs/faq").unwrap_err();
        assert!(matches!(err, ContentError::InvalidBase { .. }));
    }

    #[test]
    fn headings_get_ids_anchors_and_toc() {
        let page =
            render("# Title\n\n## It's `.packit.yaml`\n\n### Sub [link](/x) *em*\n\n#### Deep\n");
        assert!(
            page.html.contains(
                "<h2 id=\"its-packityaml\">It's <code>.packit.yaml</code> \
             <a class=\"anchor\" href=\"#its-packityaml\" \
             aria-label=\"Link to this section: It&#39;s .packit.yaml\">#</a></h2>"
            ),
            "{}",
            page.html
        );
        assert!(page.html.contains("<h3 id=\"sub-link-em\">Sub <a href=\"https://packit.dev/x\">link</a> <em>em</em> <a class=\"anchor\" href=\"#sub-link-em\""), "{}", page.html);
        assert!(page.html.contains("<h4 id=\"deep\">"));
        assert_eq!(
            page.toc,
            vec![
                TocEntry {
                    level: 2,
                    text: "It's .packit.yaml".into(),
                    id: "its-packityaml".into()
                },
                TocEntry {
                    level: 3,
                    text: "Sub link em".into(),
                    id: "sub-link-em".into()
                },
            ]
        );
        assert_eq!(page.title, "Title");
    }

    #[test]
    fn duplicate_headings_get_suffixes() {
        let page = render("## Setup\n\n## Setup\n\n### Setup\n\n## Setup 1\n");
        let ids: Vec<_> = page.toc.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["setup", "setup-1", "setup-2", "setup-1-1"]);
    }

    #[test]
    fn explicit_heading_ids_are_used_and_removed_from_text() {
        let page = render("## Custom heading {#my-id}\n\n## Custom heading\n\n## `code` {#c_2}\n");
        assert_eq!(page.toc[0].id, "my-id");
        assert_eq!(page.toc[0].text, "Custom heading");
        assert_eq!(page.toc[1].id, "custom-heading");
        assert_eq!(page.toc[2].id, "c_2");
        assert_eq!(page.toc[2].text, "code");
        assert!(page.html.contains("<h2 id=\"my-id\">Custom heading <a"));
        assert!(!page.html.contains("{#"));
        // Not an id: characters outside [A-Za-z0-9_-] keep the text as written.
        let page = render("## Set {#a b}\n");
        assert_eq!(page.toc[0].id, "set-a-b");
    }

    #[test]
    fn admonitions_of_every_kind_with_default_titles() {
        for (kind, title) in [
            ("note", "Note"),
            ("tip", "Tip"),
            ("info", "Info"),
            ("caution", "Caution"),
            ("warning", "Warning"),
            ("danger", "Danger"),
        ] {
            let page = render(&format!(
                "Before.\n\n:::{kind}\n\nBody *text*.\n\n:::\n\nAfter.\n"
            ));
            let expected = format!(
                "<aside class=\"admonition admonition-{kind}\" role=\"note\">\
                 <p class=\"admonition-title\">{title}</p>\n<p>Body <em>text</em>.</p>\n</aside>\n"
            );
            assert!(page.html.contains(&expected), "{kind}: {}", page.html);
            assert!(page.html.ends_with("<p>After.</p>\n"), "{}", page.html);
        }
    }

    #[test]
    fn admonitions_with_titles_in_both_syntaxes() {
        for kind in ["note", "tip", "info", "caution", "warning", "danger"] {
            let page = render(&format!(":::{kind} CentOS Stream <support>\nBody\n:::\n"));
            assert!(page.html.contains(&format!(
                "<aside class=\"admonition admonition-{kind}\" role=\"note\">\
                 <p class=\"admonition-title\">CentOS Stream &lt;support&gt;</p>\n<p>Body</p>\n</aside>"
            )), "{}", page.html);
            let page = render(&format!(":::{kind}[Bracket title]\nBody\n:::\n"));
            assert!(
                page.html
                    .contains("<p class=\"admonition-title\">Bracket title</p>"),
                "{}",
                page.html
            );
        }
    }

    #[test]
    fn admonition_bodies_are_markdown() {
        let page =
            render(":::tip\n- one [link](/docs/guide)\n- two\n\n```yaml\nkey: value\n```\n:::\n");
        let html = &page.html;
        assert!(
            html.contains("<ul>\n<li>one <a href=\"https://packit.dev/docs/guide\">link</a></li>"),
            "{html}"
        );
        assert!(
            html.contains("<pre><code class=\"language-yaml\">key: value\n</code></pre>\n</aside>"),
            "{html}"
        );
    }

    #[test]
    fn fenced_code_containing_colons_does_not_confuse_admonitions() {
        let page = render(
            ":::info\n\n````md\n:::tip\nnot a tip\n:::\n````\n\nstill info\n\n:::\n\noutside\n",
        );
        let html = &page.html;
        assert_eq!(html.matches("<aside").count(), 1, "{html}");
        assert!(
            html.contains("<pre><code class=\"language-md\">:::tip\nnot a tip\n:::\n</code></pre>"),
            "{html}"
        );
        assert!(
            html.contains("<p>still info</p>\n</aside>\n<p>outside</p>"),
            "{html}"
        );
    }

    #[test]
    fn nested_admonitions_with_more_colons() {
        let page = render("::::note Outer\n:::tip\ninner\n:::\nouter\n::::\n");
        let html = &page.html;
        assert!(html.contains("<p class=\"admonition-title\">Outer</p>\n<aside class=\"admonition admonition-tip\""), "{html}");
        assert!(
            html.contains("<p>inner</p>\n</aside>\n<p>outer</p>\n</aside>"),
            "{html}"
        );
    }

    #[test]
    fn unknown_directives_stay_plain_text() {
        let page = render(":::foo\nbar\n:::\n");
        assert!(!page.html.contains("<aside"));
        assert_eq!(page.html.trim(), "<p>:::foo\nbar\n:::</p>");
    }

    #[test]
    fn unclosed_or_misplaced_admonitions_keep_html_balanced() {
        let page = render(":::warning\nnever closed\n");
        assert!(
            page.html
                .trim_end()
                .ends_with("<p>never closed</p>\n</aside>"),
            "{}",
            page.html
        );
        // Opened inside a list item, "closed" outside it: the aside closes with the item.
        let page = render("- item\n\n  :::tip\n  inside\n\n:::\n");
        let html = &page.html;
        assert!(html.contains("<p>inside</p>\n</aside>\n</li>"), "{html}");
        assert!(html.contains("<p>:::</p>"), "{html}");
    }

    #[test]
    fn raw_html_is_escaped() {
        let page = render(
            "<script>alert(1)</script>\n\nText <img src=x onerror=alert(1)> end.\n\n## Head <b>x</b>\n",
        );
        let html = &page.html;
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(
            html.contains(
                "<pre class=\"raw-html\"><code>&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>"
            ),
            "{html}"
        );
        assert!(
            html.contains("Text &lt;img src=x onerror=alert(1)&gt; end."),
            "{html}"
        );
        // The slug ignores raw HTML, as Docusaurus does.
        assert_eq!(page.toc[0].id, "head-x");
        // A comment that looks like an admonition marker is not one.
        let page = render("<!-- admonition -->\n\ntext\n");
        assert!(!page.html.contains("<aside"));
        assert!(page.html.contains("&lt;!-- admonition --&gt;"));
    }

    #[test]
    fn javascript_urls_are_neutralised() {
        let page = render(
            "[a](javascript:alert(1)) [b](<JAVASCRIPT:alert(2)>) ![c](javascript:x) <javascript:alert(3)>\n\n[d]: javascript:y\n\n[ref][d]\n",
        );
        let html = &page.html;
        let lower = html.to_ascii_lowercase();
        assert!(!lower.contains("href=\"javascript"), "{html}");
        assert!(!lower.contains("src=\"javascript"), "{html}");
        assert_eq!(html.matches("href=\"#\"").count(), 4, "{html}");
        assert!(html.contains("<a href=\"#\">a</a>"), "{html}");
        assert!(html.contains("<img src=\"\" alt=\"c\" />"), "{html}");
    }

    #[test]
    fn links_and_images_are_rewritten() {
        let page = render(
            "[a](/docs/guide/#2-approval) [b](reproduce-locally) [c](#why-fedora) \
             [d](https://copr.fedorainfracloud.org) ![i](img/x.png \"T\") <mail@example.org>\n",
        );
        let html = &page.html;
        assert!(
            html.contains("<a href=\"https://packit.dev/docs/guide/#2-approval\">a</a>"),
            "{html}"
        );
        assert!(
            html.contains("<a href=\"https://packit.dev/docs/reproduce-locally\">b</a>"),
            "{html}"
        );
        assert!(html.contains("<a href=\"#why-fedora\">c</a>"), "{html}");
        assert!(
            html.contains("<a href=\"https://copr.fedorainfracloud.org\">d</a>"),
            "{html}"
        );
        assert!(
            html.contains(
                "<img src=\"https://packit.dev/docs/img/x.png\" alt=\"i\" title=\"T\" />"
            ),
            "{html}"
        );
        assert!(
            html.contains("<a href=\"mailto:mail@example.org\">"),
            "{html}"
        );
        // The base is per page.
        let page = render_markdown("p", "[x](sub/page)", "https://packit.dev/posts/").unwrap();
        assert!(
            page.html
                .contains("href=\"https://packit.dev/posts/sub/page\"")
        );
    }

    #[test]
    fn code_blocks_are_escaped_with_language_classes() {
        let page = render("```yaml\na: \"<b>&\"\n```\n\n    indented <i>\n");
        assert!(
            page.html.contains(
                "<pre><code class=\"language-yaml\">a: \"&lt;b&gt;&amp;\"\n</code></pre>"
            ),
            "{}",
            page.html
        );
        assert!(
            page.html
                .contains("<pre><code>indented &lt;i&gt;\n</code></pre>"),
            "{}",
            page.html
        );
    }

    #[test]
    fn gfm_extensions_on_smart_punctuation_off() {
        let page = render(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~\n\n- [x] done\n- [ ] todo\n\n\"quotes\" -- and ... 'single'\n",
        );
        let html = &page.html;
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("<del>gone</del>"), "{html}");
        assert!(html.contains("type=\"checkbox\" checked=\"\""), "{html}");
        assert!(
            html.contains("<p>\"quotes\" -- and ... 'single'</p>"),
            "{html}"
        );
    }

    #[test]
    fn non_ascii_is_preserved() {
        let page = render("## Straße ❤\n\nWe ❤ Fedora — really… 日本\n");
        assert!(page.html.contains("We ❤ Fedora — really… 日本"));
        assert_eq!(page.toc[0].id, "straße-");
        assert_eq!(page.toc[0].text, "Straße ❤");
        assert!(page.html.contains("<h2 id=\"straße-\">Straße ❤ <a"));
    }

    #[test]
    fn description_is_the_first_paragraph_truncated() {
        let long = "word ".repeat(60);
        let page = render(&format!("# T\n\n{long}\n\nsecond\n"));
        assert!(page.description.ends_with('…'));
        assert!(page.description.chars().count() <= DESCRIPTION_MAX_CHARS + 1);
        assert!(page.description.starts_with("word word"));
        assert!(!page.description.contains("  "));
        let page = render("Some `code` and [a link](/x)\nover lines.\n");
        assert_eq!(page.description, "Some code and a link over lines.");
        assert_eq!(page.title, "test");
    }

    #[test]
    fn load_dir_reads_sorted_md_files_with_bases() {
        let dir = std::env::temp_dir().join(format!("packit-pages-content-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("b.md"), "[x](other)\n").unwrap();
        std::fs::write(
            dir.join("a.md"),
            "---\npackit_path: /posts/a/\n---\n[x](other)\n",
        )
        .unwrap();
        std::fs::write(dir.join("notes.txt"), "ignored").unwrap();
        let pages = load_dir(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let names: Vec<_> = pages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert!(pages[0].html.contains("https://packit.dev/posts/a/other"));
        assert!(pages[1].html.contains("https://packit.dev/docs/other"));
        let err = load_dir(Path::new("does-not-exist-dir")).unwrap_err();
        assert!(matches!(err, ContentError::Io { .. }));
    }
}
