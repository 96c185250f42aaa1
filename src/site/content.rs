//! The markdown content pages as the site uses them, loaded through the content
//! module.

use super::SiteError;
use serde::Serialize;

/// A rendered markdown page, as the content module hands it over.
#[derive(Clone, Debug, Serialize)]
pub struct ContentView {
    /// File stem (`faq`).
    pub name: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Safe HTML fragment rendered by the content module.
    pub html: String,
    /// Table of contents: (level, text, id).
    pub toc: Vec<TocView>,
}

/// One table-of-contents entry.
#[derive(Clone, Debug, Serialize)]
pub struct TocView {
    /// Heading level.
    pub level: u32,
    /// Text.
    pub text: String,
    /// Anchor.
    pub id: String,
}

/// Loads content pages through the content module.
pub(super) fn load_content(dir: Option<&std::path::Path>) -> Result<Vec<ContentView>, SiteError> {
    let Some(dir) = dir else {
        return Ok(Vec::new());
    };
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    content_bridge::load(dir)
}

mod content_bridge {
    use super::{ContentView, SiteError, TocView};
    use std::path::Path;

    /// Renders every `*.md` of `dir` through the content module.
    pub fn load(dir: &Path) -> Result<Vec<ContentView>, SiteError> {
        let pages = crate::content::load_dir(dir).map_err(|e| SiteError::Content(e.to_string()))?;
        Ok(pages
            .into_iter()
            .map(|p| ContentView {
                name: p.name,
                title: p.title,
                description: p.description,
                html: p.html,
                toc: p
                    .toc
                    .into_iter()
                    .map(|t| TocView {
                        level: t.level as u32,
                        text: t.text,
                        id: t.id,
                    })
                    .collect(),
            })
            .collect())
    }
}
