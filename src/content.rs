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
mod page;
mod render;
mod slug;
#[cfg(test)]
mod tests;
mod unicode;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use pulldown_cmark::{Options, Parser};

use links::PageBase;
use page::{collapse_whitespace, split_front_matter, truncate_description};
use render::{Renderer, rewrite_links};

pub use page::{ContentPage, TocEntry};

/// Where packit.dev serves pages whose front matter has no `packit_path`.
const DEFAULT_SITE: &str = "https://packit.dev";

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
