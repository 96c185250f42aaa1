//! Link and image targets in content pages: resolved against the page's location
//! on packit.dev, with script-bearing URL schemes neutralised.

/// Where a page lives on packit.dev, split into origin and path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PageBase {
    /// `scheme://authority`, e.g. `https://packit.dev`.
    origin: String,
    /// Absolute path of the page, e.g. `/docs/faq`.
    path: String,
}

impl PageBase {
    /// Parses an absolute `http`/`https` URL; `None` when it is not one.
    pub(crate) fn parse(url: &str) -> Option<PageBase> {
        let url = url.trim();
        let scheme_len = if starts_with_ignore_case(url, "https://") {
            8
        } else if starts_with_ignore_case(url, "http://") {
            7
        } else {
            return None;
        };
        let rest = &url[scheme_len..];
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        if authority.is_empty() || authority.contains(char::is_whitespace) {
            return None;
        }
        let after = &rest[authority_end..];
        let path_end = after.find(['?', '#']).unwrap_or(after.len());
        let path = match &after[..path_end] {
            "" => "/".to_owned(),
            p => p.to_owned(),
        };
        Some(PageBase {
            origin: format!("{}{}", &url[..scheme_len].to_ascii_lowercase(), authority),
            path,
        })
    }

    /// The target a link (or, with `image`, an image source) should point to.
    ///
    /// * `#fragment` stays as it is;
    /// * URLs with a scheme stay, except `javascript:`, `vbscript:` and `data:`
    ///   (and `data:` other than raster images for images), which become `#`
    ///   for links and an empty string for images;
    /// * site-absolute paths (`/docs/guide`) get the page's origin;
    /// * relative paths (`reproduce-locally`, `../x.md`) resolve against the
    ///   page's directory, dropping a `.md`/`.mdx` extension as Docusaurus does.
    pub(crate) fn resolve(&self, url: &str, image: bool) -> String {
        let url = url.trim();
        if let Some(scheme) = scheme_of(url) {
            return if is_dangerous(&scheme, url, image) {
                if image { String::new() } else { "#".to_owned() }
            } else {
                url.to_owned()
            };
        }
        if url.is_empty() || url.starts_with('#') || url.starts_with("//") {
            return url.to_owned();
        }
        if url.starts_with('/') {
            return format!("{}{}", self.origin, url);
        }
        let suffix_start = url.find(['?', '#']).unwrap_or(url.len());
        let (rel_path, suffix) = url.split_at(suffix_start);
        let path = if rel_path.is_empty() {
            self.path.clone()
        } else {
            let dir_end = self.path.rfind('/').map_or(0, |i| i + 1);
            let joined = format!("{}{}", &self.path[..dir_end], strip_md(rel_path));
            remove_dot_segments(&joined)
        };
        format!("{}{}{}", self.origin, path, suffix)
    }
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// The lowercased scheme of `url`, read the way browsers do: ASCII tabs,
/// newlines and leading control characters or spaces are ignored.
fn scheme_of(url: &str) -> Option<String> {
    let cleaned: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let colon = cleaned.find(':')?;
    let scheme = &cleaned[..colon];
    let mut chars = scheme.chars();
    let first = chars.next()?;
    if !first.is_ascii_alphabetic()
        || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return None;
    }
    Some(scheme.to_ascii_lowercase())
}

fn is_dangerous(scheme: &str, url: &str, image: bool) -> bool {
    match scheme {
        "javascript" | "vbscript" => true,
        "data" => {
            if !image {
                return true;
            }
            let lower = url.to_ascii_lowercase();
            let body = lower.split_once(':').map_or("", |(_, b)| b.trim_start());
            ![
                "image/png",
                "image/gif",
                "image/jpeg",
                "image/webp",
                "image/avif",
            ]
            .iter()
            .any(|mime| body.starts_with(mime))
        }
        _ => false,
    }
}

/// Drops a trailing `.md` / `.mdx` from a relative file link (`faq.md` → `faq`).
fn strip_md(path: &str) -> &str {
    path.strip_suffix(".mdx")
        .or_else(|| path.strip_suffix(".md"))
        .unwrap_or(path)
}

/// RFC 3986 dot-segment removal for an absolute path.
fn remove_dot_segments(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let last = segments.len().saturating_sub(1);
    for (i, seg) in segments.iter().enumerate() {
        match *seg {
            "." => {
                if i == last {
                    out.push("");
                }
            }
            ".." => {
                out.pop();
                if i == last {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    format!("/{}", out.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn faq() -> PageBase {
        PageBase::parse("https://packit.dev/docs/faq").unwrap()
    }

    #[test]
    fn parses_bases() {
        let b = PageBase::parse("HTTPS://packit.dev").unwrap();
        assert_eq!(b.origin, "https://packit.dev");
        assert_eq!(b.path, "/");
        assert!(PageBase::parse("/docs/faq").is_none());
        assert!(PageBase::parse("ftp://x/y").is_none());
        assert!(PageBase::parse("https:///nohost").is_none());
    }

    #[test]
    fn site_absolute_links_get_the_origin() {
        let b = faq();
        assert_eq!(
            b.resolve("/docs/guide/#2-approval", false),
            "https://packit.dev/docs/guide/#2-approval"
        );
        assert_eq!(b.resolve("/#contact", false), "https://packit.dev/#contact");
        assert_eq!(
            b.resolve("/posts/copr-srpms", false),
            "https://packit.dev/posts/copr-srpms"
        );
    }

    #[test]
    fn relative_links_resolve_against_the_page_directory() {
        let b = faq();
        assert_eq!(
            b.resolve("reproduce-locally", false),
            "https://packit.dev/docs/reproduce-locally"
        );
        assert_eq!(
            b.resolve("./cli/build.md#options", false),
            "https://packit.dev/docs/cli/build#options"
        );
        assert_eq!(
            b.resolve("../posts/x?y=1", false),
            "https://packit.dev/posts/x?y=1"
        );
        assert_eq!(
            b.resolve("?tab=2", false),
            "https://packit.dev/docs/faq?tab=2"
        );
        let dir = PageBase::parse("https://packit.dev/docs/guide/").unwrap();
        assert_eq!(
            dir.resolve("img/a.png", true),
            "https://packit.dev/docs/guide/img/a.png"
        );
        assert_eq!(dir.resolve("..", false), "https://packit.dev/docs/");
    }

    #[test]
    fn fragments_and_external_links_stay() {
        let b = faq();
        assert_eq!(b.resolve("#why-fedora", false), "#why-fedora");
        assert_eq!(b.resolve("https://x.org/a", false), "https://x.org/a");
        assert_eq!(b.resolve("mailto:a@b.c", false), "mailto:a@b.c");
        assert_eq!(b.resolve("//cdn.example/x", false), "//cdn.example/x");
    }

    #[test]
    fn script_schemes_are_neutralised() {
        let b = faq();
        assert_eq!(b.resolve("javascript:alert(1)", false), "#");
        assert_eq!(b.resolve("  JaVaScRiPt:alert(1)", false), "#");
        assert_eq!(b.resolve("java\tscript:alert(1)", false), "#");
        assert_eq!(b.resolve("vbscript:x", false), "#");
        assert_eq!(b.resolve("data:text/html,<script>", false), "#");
        assert_eq!(b.resolve("javascript:alert(1)", true), "");
        assert_eq!(b.resolve("data:image/svg+xml,<svg>", true), "");
        assert_eq!(
            b.resolve("data:image/png;base64,AAAA", true),
            "data:image/png;base64,AAAA"
        );
    }
}
