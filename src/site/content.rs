//! The markdown content pages as the site uses them, loaded through the content
//! module.

use super::SiteError;
pub use crate::view::{ContentView, TocView};

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
