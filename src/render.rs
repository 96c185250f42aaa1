//! The theme engine: one Tera 2 instance holding the theme's templates (minified
//! once at load, not per page) and the theme's static assets.
//!
//! The default theme is embedded in the binary, so `packit-pages build` works from
//! any directory; `--theme DIR` overrides any template (`DIR/templates/<name>`) or
//! asset (`DIR/static/<name>`) file by file and may add new ones. Autoescaping is on
//! for `.html`, `.xml` and `.svg` templates; archive data is never marked safe.
//!
//! Internal links in views are site-relative directory paths; the `rel` filter turns
//! them into links relative to the page being rendered (`../../jobs/copr/1/index.html`)
//! using the page's `root` variable, so the site works from `file://` and under any
//! URL prefix. Values with right-to-left text or bidirectional controls are shown
//! isolated (`<bdi>`, see [`isolate`]).

pub mod html;
pub mod isolate;

pub use html::escape_text;

use std::collections::BTreeMap;
use std::path::Path;
use tera::{Context, Kwargs, State, Tera};

/// Errors of the theme engine.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A template failed to parse or render.
    #[error("template {name}: {source}")]
    Template {
        /// Template name.
        name: String,
        /// Cause.
        #[source]
        source: tera::Error,
    },
    /// Reading a theme file failed.
    #[error("theme file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
}

macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        [$(($name, include_str!(concat!("../themes/default/templates/", $name)))),*]
    };
}

/// The default theme's templates, embedded at build time.
pub const DEFAULT_TEMPLATES: [(&str, &str); 27] = embedded!(
    "base.html",
    "_chart.html",
    "_counts.html",
    "_jobnav.html",
    "_crumbs.html",
    "_cell.html",
    "_chip.html",
    "_trigger.html",
    "_time.html",
    "_pager.html",
    "_table.html",
    "_filter.html",
    "_history.html",
    "home.html",
    "jobs.html",
    "job_list.html",
    "job.html",
    "log.html",
    "pipelines.html",
    "pipeline.html",
    "projects.html",
    "project.html",
    "section.html",
    "history.html",
    "usage.html",
    "content.html",
    "404.html",
);

/// Templates rendered without minification: the redirect stub (already minimal; it
/// redirects with `location.replace` from `static/redirect.js` when scripting runs,
/// except in automated browsers (`navigator.webdriver`, so checkers can inspect the
/// stub itself), and with a `<noscript>` meta refresh otherwise), the Atom feed, the
/// SVG badge, the sitemap and robots.txt.
pub const DEFAULT_TEXT_TEMPLATES: [(&str, &str); 5] = [
    (
        "feed.xml",
        include_str!("../themes/default/templates/feed.xml"),
    ),
    (
        "badge.svg",
        include_str!("../themes/default/templates/badge.svg"),
    ),
    (
        "redirect.html",
        include_str!("../themes/default/templates/redirect.html"),
    ),
    (
        "sitemap.xml",
        include_str!("../themes/default/templates/sitemap.xml"),
    ),
    (
        "robots.txt",
        include_str!("../themes/default/templates/robots.txt"),
    ),
];

/// The default theme's static assets, embedded at build time.
pub const DEFAULT_ASSETS: [(&str, &str); 5] = [
    (
        "site.css",
        include_str!("../themes/default/static/site.css"),
    ),
    ("site.js", include_str!("../themes/default/static/site.js")),
    ("log.js", include_str!("../themes/default/static/log.js")),
    (
        "redirect.js",
        include_str!("../themes/default/static/redirect.js"),
    ),
    (
        "favicon.svg",
        include_str!("../themes/default/static/favicon.svg"),
    ),
];

/// A loaded theme: templates compiled once, assets ready to write.
pub struct Theme {
    tera: Tera,
    assets: BTreeMap<String, Vec<u8>>,
    /// Per template: hash of its source and of every template it extends,
    /// includes or imports, transitively.
    closure: BTreeMap<String, u64>,
}

/// Templates a template source names in `extends`, `include` and `import` tags.
pub fn template_refs(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = src;
    while let Some(i) = rest.find("{%") {
        rest = &rest[i + 2..];
        let end = rest.find("%}").unwrap_or(rest.len());
        let tag = rest[..end].trim_start_matches('-').trim();
        let mut words = tag.splitn(2, char::is_whitespace);
        if let (Some("extends" | "include" | "import"), Some(arg)) = (words.next(), words.next()) {
            let arg = arg.trim();
            if let Some(q) = arg.chars().next().filter(|c| *c == '"' || *c == '\'')
                && let Some(close) = arg[1..].find(q)
            {
                out.push(arg[1..1 + close].to_string());
            }
        }
        rest = &rest[end..];
    }
    out
}

/// Closure hashes of a set of templates (see [`Theme::template_hashes`]).
fn closure_hashes(sources: &[(String, String)]) -> BTreeMap<String, u64> {
    use xxhash_rust::xxh3::xxh3_64;
    let own: BTreeMap<&str, (u64, Vec<String>)> = sources
        .iter()
        .map(|(n, s)| (n.as_str(), (xxh3_64(s.as_bytes()), template_refs(s))))
        .collect();
    let mut out = BTreeMap::new();
    for name in own.keys() {
        let mut seen = std::collections::BTreeSet::new();
        let mut stack = vec![name.to_string()];
        while let Some(n) = stack.pop() {
            if !seen.insert(n.clone()) {
                continue;
            }
            if let Some((_, refs)) = own.get(n.as_str()) {
                stack.extend(refs.iter().cloned());
            }
        }
        let mut hs = xxhash_rust::xxh3::Xxh3::new();
        for n in &seen {
            hs.update(n.as_bytes());
            hs.update(&[0]);
            hs.update(&own.get(n.as_str()).map(|o| o.0).unwrap_or(0).to_le_bytes());
        }
        out.insert(name.to_string(), hs.digest());
    }
    out
}

fn minify_cfg() -> minify_html::Cfg {
    let mut cfg = minify_html::Cfg::new();
    cfg.preserve_brace_template_syntax = true;
    cfg.keep_closing_tags = true;
    cfg.keep_html_and_head_opening_tags = true;
    cfg.minify_css = true;
    cfg.minify_js = true;
    cfg
}

/// Minifies an HTML template, keeping `{{ }}`, `{% %}` and `{# #}` intact.
pub fn minify_template(src: &str) -> String {
    let out = minify_html::minify(src.as_bytes(), &minify_cfg());
    String::from_utf8(out).unwrap_or_else(|_| src.to_string())
}

/// Minifies a CSS file (through minify-html's CSS minifier).
pub fn minify_css(src: &str) -> Vec<u8> {
    let wrapped = format!("<style>{src}</style>");
    let out = minify_html::minify(wrapped.as_bytes(), &minify_cfg());
    let s = String::from_utf8_lossy(&out);
    match s
        .find("<style>")
        .map(|i| i + 7)
        .zip(s.rfind("</style>"))
        .filter(|(a, b)| a <= b)
    {
        Some((a, b)) if b > a => s[a..b].as_bytes().to_vec(),
        _ => src.as_bytes().to_vec(),
    }
}

/// Minifies a JavaScript file.
pub fn minify_js(src: &str) -> Vec<u8> {
    let wrapped = format!("<script>{src}</script>");
    let out = minify_html::minify(wrapped.as_bytes(), &minify_cfg());
    let s = String::from_utf8_lossy(&out);
    match s.find("<script>").map(|i| i + 8).zip(s.rfind("</script>")) {
        Some((a, b)) if b > a => s[a..b].as_bytes().to_vec(),
        _ => src.as_bytes().to_vec(),
    }
}

/// Turns a site path into a link relative to the page at depth `root`.
pub fn rel_href(root: &str, href: &str) -> String {
    let lower = href.get(..8).unwrap_or(href).to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") || href.starts_with('#') {
        return href.to_string();
    }
    let href = href.trim_start_matches('/');
    if href.is_empty() || href.ends_with('/') {
        format!("{root}{href}index.html")
    } else {
        format!("{root}{href}")
    }
}

impl Theme {
    /// Loads the default theme, with files of `dir` (if given) overriding it.
    pub fn load(dir: Option<&Path>) -> Result<Theme, RenderError> {
        let mut templates: BTreeMap<String, (String, bool)> = BTreeMap::new();
        for (n, s) in DEFAULT_TEMPLATES {
            templates.insert(n.into(), (s.into(), true));
        }
        for (n, s) in DEFAULT_TEXT_TEMPLATES {
            templates.insert(n.into(), (s.into(), false));
        }
        let mut assets: BTreeMap<String, Vec<u8>> = DEFAULT_ASSETS
            .iter()
            .map(|(n, s)| (n.to_string(), s.as_bytes().to_vec()))
            .collect();
        if let Some(dir) = dir {
            for (sub, is_tpl) in [("templates", true), ("static", false)] {
                let d = dir.join(sub);
                if !d.is_dir() {
                    continue;
                }
                for entry in walkdir::WalkDir::new(&d).follow_links(false) {
                    let entry = entry.map_err(|e| RenderError::Io {
                        path: d.display().to_string(),
                        source: std::io::Error::other(e.to_string()),
                    })?;
                    if !entry.file_type().is_file() {
                        continue;
                    }
                    let rel = entry
                        .path()
                        .strip_prefix(&d)
                        .expect("walkdir stays below its root")
                        .to_string_lossy()
                        .replace('\\', "/");
                    if crate::write::check_rel_path(&rel).is_err() {
                        continue;
                    }
                    let bytes = std::fs::read(entry.path()).map_err(|source| RenderError::Io {
                        path: entry.path().display().to_string(),
                        source,
                    })?;
                    if is_tpl {
                        let html = rel.ends_with(".html")
                            && rel != "redirect.html"
                            && templates.get(&rel).is_none_or(|(_, m)| *m);
                        templates.insert(rel, (String::from_utf8_lossy(&bytes).into_owned(), html));
                    } else {
                        assets.insert(rel, bytes);
                    }
                }
            }
        }
        let mut tera = Tera::new();
        tera.autoescape_on(vec![".html", ".xml", ".svg"]);
        tera.set_escape_fn(escape_text);
        tera.register_filter("rel", |href: &str, _: Kwargs, state: &State| {
            let root: String = state
                .get::<String>("root")
                .ok()
                .flatten()
                .unwrap_or_default();
            rel_href(&root, href)
        });
        tera.register_filter("thousands", |n: i64, _: Kwargs, _: &State| thousands(n));
        let list: Vec<(String, String)> = templates
            .into_iter()
            .map(|(n, (src, minify))| {
                let src = if minify { minify_template(&src) } else { src };
                (n, src)
            })
            .collect();
        let closure = closure_hashes(&list);
        tera.add_raw_templates(list.iter().map(|(n, s)| (n.as_str(), s.as_str())))
            .map_err(|source| RenderError::Template {
                name: "theme".into(),
                source,
            })?;
        let assets = assets
            .into_iter()
            .map(|(n, b)| {
                let b = if n.ends_with(".css") {
                    minify_css(&String::from_utf8_lossy(&b))
                } else if n.ends_with(".js") {
                    minify_js(&String::from_utf8_lossy(&b))
                } else {
                    b
                };
                (n, b)
            })
            .collect();
        Ok(Theme {
            tera,
            assets,
            closure,
        })
    }

    /// Per template name: a hash of its source and of every template it extends,
    /// includes or imports (transitively). A page must be rendered again when the
    /// hash of its template changes.
    pub fn template_hashes(&self) -> &BTreeMap<String, u64> {
        &self.closure
    }

    /// Renders `template` with `ctx` into `out`.
    pub fn render_to(
        &self,
        template: &str,
        ctx: &Context,
        out: &mut Vec<u8>,
    ) -> Result<(), RenderError> {
        let start = out.len();
        self.tera
            .render_to(template, ctx, &mut *out)
            .map_err(|source| RenderError::Template {
                name: template.into(),
                source,
            })?;
        // values the autoescaper bracketed: shown isolated (see `isolate`)
        if let Ok(page) = std::str::from_utf8(&out[start..])
            && let std::borrow::Cow::Owned(page) =
                isolate::resolve(page, template.ends_with(".html"))
        {
            out.truncate(start);
            out.extend_from_slice(page.as_bytes());
        }
        Ok(())
    }

    /// Renders `template` with `ctx`.
    pub fn render(&self, template: &str, ctx: &Context) -> Result<Vec<u8>, RenderError> {
        let mut out = Vec::with_capacity(16 * 1024);
        self.render_to(template, ctx, &mut out)?;
        Ok(out)
    }

    /// Static assets: name → bytes (minified).
    pub fn assets(&self) -> &BTreeMap<String, Vec<u8>> {
        &self.assets
    }

    /// Whether the theme has a template.
    pub fn has_template(&self, name: &str) -> bool {
        self.tera.get_template_names().any(|n| n == name)
    }
}

/// `12,345`.
pub fn thousands(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links() {
        assert_eq!(
            rel_href("../../", "jobs/copr/1/"),
            "../../jobs/copr/1/index.html"
        );
        assert_eq!(rel_href("", ""), "index.html");
        assert_eq!(rel_href("../", "static/site.css"), "../static/site.css");
        assert_eq!(rel_href("../", "https://x.org/a"), "https://x.org/a");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    #[test]
    fn templates_survive_minification() {
        let t =
            minify_template("<p title=\"{{ a }}\">  {{ b }}  {% if c %} <b>x</b> {% endif %}</p>");
        assert!(t.contains("{{ a }}") && t.contains("{% if c %}"), "{t}");
        let theme = Theme::load(None).unwrap();
        assert!(theme.has_template("base.html"));
        assert!(!theme.assets()["site.css"].is_empty());
    }
}
