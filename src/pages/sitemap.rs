//! The files that map the site: the sitemap (split in parts past
//! [`plan::SITEMAP_MAX`] URLs, then an index) and the redirect stubs of legacy
//! URLs and aliases.

use super::Ctx;
use crate::model;
use crate::plan::{self, Page};
use crate::render::rel_href;
use tera::Context;

/// `sitemap.xml` (or the sitemap index) and `sitemap-<n>.xml`.
pub(super) fn sitemap(ctx: &Ctx<'_>, page: &Page, c: &mut Context) {
    let base = ctx.site.base_url.clone().unwrap_or_default();
    let all: Vec<&Page> = ctx.plan.pages.iter().filter(|p| p.in_sitemap()).collect();
    let parts = all.len().div_ceil(plan::SITEMAP_MAX);
    match page {
        Page::Sitemap if parts > 1 => {
            let locs: Vec<String> = (1..=parts)
                .map(|i| format!("{base}sitemap-{i}.xml"))
                .collect();
            c.insert("index", &locs);
            c.insert("urls", &Vec::<String>::new());
        }
        _ => {
            let n = match page {
                Page::SitemapPart(n) => *n as usize,
                _ => 1,
            };
            let start = (n - 1) * plan::SITEMAP_MAX;
            let urls: Vec<String> = all
                [start.min(all.len())..(start + plan::SITEMAP_MAX).min(all.len())]
                .iter()
                .map(|p| format!("{base}{}", p.path(ctx.catalog)))
                .collect();
            c.insert("index", &Vec::<String>::new());
            c.insert("urls", &urls);
        }
    }
}

/// A legacy URL or alias: a stub that redirects to its page.
pub(super) fn redirect(ctx: &Ctx<'_>, page: &Page, root: &str, c: &mut Context) {
    let target = match page {
        Page::Alias(_, l, id) => model::detail_path(*l, *id),
        Page::Redirect(_, to) => to.path(ctx.catalog),
        _ => return,
    };
    c.insert("target", &rel_href(root, &target));
    let canon = match &ctx.site.base_url {
        Some(b) => format!("{b}{target}"),
        None => rel_href(root, &target),
    };
    c.insert("canonical", &canon);
}
