//! The site's data without rendering it: every HTML page's path, template and
//! template context, for exporting to other tools.

use super::content::load_content;
use super::renderer::{context, site_info};
use super::{BuildOptions, SiteError};
use crate::archive::Archive;
use crate::model::{Catalog, Model};
use crate::pages::render_page;
use crate::plan::{self, Page, Plan};
use crate::render::Theme;
use tera::Context;

/// Keys of the template context that carry a page's data (see [`page_data`]).
const DATA_KEYS: [&str; 22] = [
    "title",
    "heading",
    "table",
    "job",
    "pipeline",
    "project",
    "rows",
    "counts",
    "content",
    "section",
    "lists",
    "list",
    "total",
    "chart",
    "daily_chart",
    "jobs_chart",
    "active_chart",
    "top",
    "rates",
    "months",
    "targets",
    "pager",
];

/// Calls `f` with every HTML page's site-relative path, template name and the data it
/// is rendered from (its template context as JSON, site-wide values left out),
/// without rendering or writing anything. For exporting the site's data to other
/// tools (the Hugo comparison of `scripts/bench` uses it). Returns the page count.
pub fn page_data(
    opts: &BuildOptions,
    mut f: impl FnMut(&str, &str, serde_json::Value) -> std::io::Result<()>,
) -> Result<u64, SiteError> {
    let archive = Archive::open_read_only(&opts.archive)?;
    let catalog = Catalog::build(&archive)?;
    let theme = Theme::load(opts.theme.as_deref())?;
    let content = load_content(opts.content.as_deref())?;
    let content_names: Vec<String> = content.iter().map(|c| c.name.clone()).collect();
    let asset_names: Vec<String> = theme.assets().keys().cloned().collect();
    let plan = Plan::build(&catalog, &content_names, &asset_names);
    let site = site_info(&catalog, &content, opts);
    let ctx = context(&catalog, &theme, site, content, &plan);
    let model = Model::new(archive, &catalog);
    let mut n = 0;
    for page in plan.pages.iter().filter(|p| p.in_sitemap()) {
        let file = page.file(&catalog);
        let mut data = None;
        render_page(
            &ctx,
            &model,
            page,
            &file,
            Some(&mut |c: &Context| {
                let mut m = serde_json::Map::new();
                for k in DATA_KEYS {
                    if let Some(v) = c.get(k) {
                        m.insert(k.to_string(), serde_json::to_value(v).unwrap_or_default());
                    }
                }
                data = Some(serde_json::Value::Object(m));
            }),
        )?;
        if let Some(mut d) = data {
            if let Page::JobDetail(l, id) = page {
                let mut aliases = Vec::new();
                if l.legacy_slug().is_some() {
                    aliases.push(plan::Alias::Jobs.path(*l, *id));
                    aliases.push(plan::Alias::Results.path(*l, *id));
                }
                if l.def().twin.is_some() {
                    aliases.push(plan::Alias::OtherKoji.path(*l, *id));
                }
                d["aliases"] = serde_json::json!(aliases);
            }
            f(&page.path(&catalog), page.template(), d).map_err(SiteError::Export)?;
            n += 1;
        }
    }
    Ok(n)
}
