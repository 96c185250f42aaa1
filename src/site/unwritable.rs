//! The pages a build could not write, found without writing anything (for
//! `packit-pages check`): every page's file path is checked against what common file
//! systems take, and every page is rendered in memory, in parallel. Each page found
//! is named by the entity it shows (kind, id, shortened name), so the operator knows
//! which upstream value is at fault.

use super::content::load_content;
use super::page_problem::{entity_of, path_problem};
use super::renderer::{self, context, plan_of, site_info};
use super::{BuildOptions, SiteError, short};
use crate::archive::Archive;
use crate::model::{Catalog, Model};
use crate::pages::render_page;
use crate::render::Theme;
use rayon::prelude::*;

/// A page a build could not write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnwritablePage {
    /// The entity it shows: kind, id or name (shortened when long).
    pub entity: String,
    /// Its file in the site (shortened when long).
    pub file: String,
    /// Why it cannot be written (shortened when long).
    pub error: String,
}

/// Every page of the site of `opts` that a build could not write (see the module
/// documentation), in file order.
pub fn unwritable_pages(opts: &BuildOptions) -> Result<Vec<UnwritablePage>, SiteError> {
    let archive = Archive::open_read_only(&opts.archive)?;
    let catalog = Catalog::build(&archive)?;
    drop(archive);
    let theme = Theme::load(opts.theme.as_deref())?;
    let content = load_content(opts.content.as_deref())?;
    let plan = plan_of(&catalog, &theme, &content, opts);
    let site = site_info(&catalog, &content, opts);
    let ctx = context(&catalog, &theme, site, content, &plan);
    let pool = renderer::pool(opts.threads)?;
    let found: Vec<Result<Option<UnwritablePage>, SiteError>> = pool.install(|| {
        plan.pages
            .par_iter()
            .map_init(
                || Archive::open_read_only(&opts.archive).map(|a| Model::new(a, &catalog)),
                |model, page| {
                    let model = model
                        .as_ref()
                        .map_err(|e| SiteError::Content(format!("opening the archive: {e}")))?;
                    let file = page.file(&catalog);
                    let error = match path_problem(&file) {
                        Some(why) => why,
                        None => match render_page(&ctx, model, page, &file, None) {
                            Ok(_) => return Ok(None),
                            Err(e) => e.to_string(),
                        },
                    };
                    Ok(Some(UnwritablePage {
                        entity: entity_of(page),
                        file: short(&file).into_owned(),
                        error: short(&error).into_owned(),
                    }))
                },
            )
            .collect()
    });
    let mut out = Vec::new();
    for f in found {
        out.extend(f?);
    }
    out.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(out)
}
