//! From parser events to safe HTML events: heading ids and the table of contents,
//! admonition boxes, raw HTML shown as text, and link targets rewritten.

use std::fmt::Write as _;

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Tag, TagEnd};

use super::TocEntry;
use super::admonition::{Marker, MarkerKind};
use super::links::PageBase;
use super::page::collapse_whitespace;
use super::slug::Slugger;
use crate::html;

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
pub(super) fn rewrite_links<'a>(event: Event<'a>, base: &PageBase) -> Event<'a> {
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
pub(super) struct Renderer<'m> {
    markers: &'m [Marker],
    pub(super) out: Vec<Event<'static>>,
    slugger: Slugger,
    pub(super) toc: Vec<TocEntry>,
    pub(super) first_h1: Option<String>,
    pub(super) first_paragraph: Option<String>,
    /// Text of the paragraph being collected for `first_paragraph`.
    paragraph: Option<String>,
    /// Nesting depth of open block/inline tags in the output.
    depth: usize,
    /// Depth at which each open admonition was opened.
    admonitions: Vec<usize>,
}

impl<'m> Renderer<'m> {
    pub(super) fn new(markers: &'m [Marker]) -> Self {
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

    pub(super) fn run<'a>(
        &mut self,
        events: impl Iterator<Item = (Event<'a>, std::ops::Range<usize>)>,
    ) {
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
        let id = html::escape(&id);
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
            html::escape(&text)
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
                    html::escape(title)
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
