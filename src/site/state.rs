//! The build state line: what a build recorded about its inputs (generator,
//! archive, revision, templates, assets, content, structure digest), kept in the
//! manifest's header so the next build or live update can tell what changed.

use super::BuildOptions;
use super::content::ContentView;
use crate::model::Catalog;
use crate::pages::SiteInfo;
use crate::plan;
use crate::render::Theme;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What a build recorded about its inputs, kept in the manifest's header line so
/// the next build can tell what changed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, serde::Deserialize)]
pub(super) struct BuildState {
    /// Generator version plus a hash of the sources it was built from (a changed
    /// program may render differently).
    pub(super) generator: String,
    /// Which archive (canonical path).
    pub(super) archive: String,
    /// Archive revision built.
    pub(super) revision: i64,
    /// Site-wide inputs every page shows (base URL, source API, navigation).
    pub(super) globals: u64,
    /// Archive's last sync time (shown on the home page).
    pub(super) last_sync: Option<i64>,
    /// [`plan::structure_digest`].
    pub(super) structure: u64,
    /// Template closure hashes.
    pub(super) templates: BTreeMap<String, u64>,
    /// Asset hashes.
    pub(super) assets: BTreeMap<String, u64>,
    /// Content page hashes.
    pub(super) content: BTreeMap<String, u64>,
    /// The files of the pages the build could not render or write (left out of
    /// the manifest): the next build renders them again whatever changed.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub(super) failed: BTreeSet<String>,
}

fn generator_id() -> String {
    // the build script's hash of the library's sources, themes and locked
    // dependencies: the same for every program built from the same code
    format!(
        "{} {}",
        env!("CARGO_PKG_VERSION"),
        env!("PACKIT_PAGES_SOURCE_HASH")
    )
}

/// What a build records of its inputs (see [`BuildState`]). `structure`: the
/// structure digest when the caller knows it (a live update that added and removed no
/// page keeps its plan, so its digest may stay: computing it hashes every id of the
/// catalog); `None` computes it.
pub(super) fn build_state(
    opts: &BuildOptions,
    catalog: &Catalog,
    theme: &Theme,
    content: &[ContentView],
    site: &SiteInfo,
    structure: Option<u64>,
) -> BuildState {
    let content_names: Vec<String> = content.iter().map(|c| c.name.clone()).collect();
    let asset_names: Vec<String> = theme.assets().keys().cloned().collect();
    let hash64 = |b: &[u8]| xxhash_rust::xxh3::xxh3_64(b);
    BuildState {
        generator: generator_id(),
        archive: opts
            .archive
            .canonicalize()
            .unwrap_or_else(|_| opts.archive.clone())
            .display()
            .to_string(),
        revision: catalog.revision,
        globals: hash64(
            serde_json::to_string(&(
                &site.api,
                &site.base_url,
                &site.content,
                site.version,
                opts.page_json,
            ))
            .unwrap_or_default()
            .as_bytes(),
        ),
        last_sync: catalog.last_sync,
        structure: structure
            .unwrap_or_else(|| plan::structure_digest(catalog, &content_names, &asset_names)),
        templates: theme.template_hashes().clone(),
        assets: theme
            .assets()
            .iter()
            .map(|(n, b)| (n.clone(), hash64(b)))
            .collect(),
        content: content
            .iter()
            .map(|c| {
                (
                    c.name.clone(),
                    hash64(serde_json::to_string(c).unwrap_or_default().as_bytes()),
                )
            })
            .collect(),
        failed: BTreeSet::new(),
    }
}
