//! Which links of a `results.xml` are kept: each is resolved against the URL the file
//! was read from (`<web_url>/results.xml`) and kept only when the result is an http(s)
//! URL under the origin (scheme, host, port) of the run's `web_url`, without user
//! name or password. Anything else (another host, another scheme such as
//! `javascript:` or `file:`, control characters) never becomes a link, so a
//! results.xml can never make the mirror fetch from, or link to, elsewhere.

use reqwest::Url;

/// Longest href considered.
const MAX_HREF: usize = 4096;

/// The URL results.xml is read from and the origin links must stay under.
pub(super) struct Links {
    base: Url,
    web: Url,
}

impl Links {
    /// For a run whose artifacts root is `web_url`; `None` unless it is http(s).
    pub(super) fn new(web_url: &str) -> Option<Links> {
        let web = Url::parse(web_url.trim()).ok()?;
        if !matches!(web.scheme(), "http" | "https") || web.host_str().is_none() {
            return None;
        }
        let base = Url::parse(&results_url(&web)).ok()?;
        Some(Links { base, web })
    }

    /// `<web_url>/results.xml`.
    pub(super) fn results_url(&self) -> &str {
        self.base.as_str()
    }

    /// `<web_url>/pipeline.log`.
    pub(super) fn pipeline_url(&self) -> String {
        self.base
            .join("pipeline.log")
            .map(String::from)
            .unwrap_or_default()
    }

    /// `href` resolved against results.xml's URL, if it stays under the run's origin.
    pub(super) fn resolve(&self, href: &str) -> Option<String> {
        self.resolve_against(&self.base, href)
    }

    /// `href` resolved against `base`, if it stays under the run's origin.
    pub(super) fn resolve_against(&self, base: &Url, href: &str) -> Option<String> {
        let href = href.trim_matches(|c: char| c == ' ' || c == '\t' || c == '\n' || c == '\r');
        if href.is_empty() || href.len() > MAX_HREF || href.chars().any(char::is_control) {
            return None;
        }
        let url = base.join(href).ok()?;
        let ok = matches!(url.scheme(), "http" | "https")
            && url.origin() == self.web.origin()
            && url.username().is_empty()
            && url.password().is_none();
        ok.then(|| url.into())
    }

    /// A directory listing's base: `dir` with a trailing `/` (links in an index page
    /// are relative to the directory itself).
    pub(super) fn directory(&self, dir: &str) -> Option<Url> {
        let url = Url::parse(&self.resolve(dir)?).ok()?;
        if url.path().ends_with('/') {
            return Some(url);
        }
        let mut d = url;
        let path = format!("{}/", d.path());
        d.set_path(&path);
        Some(d)
    }
}

/// `<web_url>/results.xml`: `web_url` names a directory whether or not it ends in `/`.
fn results_url(web: &Url) -> String {
    let mut u = web.clone();
    u.set_query(None);
    u.set_fragment(None);
    let path = u.path().trim_end_matches('/').to_string();
    u.set_path(&format!("{path}/results.xml"));
    u.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const WEB: &str = "https://artifacts.dev.testing-farm.io/7d6a6cbf-3cd5-49fb-aca1-f76ffa0734aa";

    #[test]
    fn results_xml_is_inside_the_artifacts_root() {
        for web in [WEB.to_string(), format!("{WEB}/")] {
            let l = Links::new(&web).unwrap();
            assert_eq!(l.results_url(), format!("{WEB}/results.xml"));
            assert_eq!(l.pipeline_url(), format!("{WEB}/pipeline.log"));
            assert_eq!(
                l.resolve("./work-all/tmt-reproducer.sh").unwrap(),
                format!("{WEB}/work-all/tmt-reproducer.sh")
            );
        }
        for bad in [
            "ftp://host/x",
            "javascript:alert(1)",
            "/relative",
            "",
            "https://",
        ] {
            assert!(Links::new(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn only_links_under_the_origin_are_kept() {
        let l = Links::new(WEB).unwrap();
        for (href, kept) in [
            ("work/output.txt", true),
            ("/other-request/output.txt", true),
            ("../../x", true),
            ("https://artifacts.dev.testing-farm.io:443/a", true),
            ("HTTPS://ARTIFACTS.dev.testing-farm.io/a", true),
            ("http://artifacts.dev.testing-farm.io/a", false),
            ("https://artifacts.dev.testing-farm.io:8443/a", false),
            ("https://evil.example/a", false),
            ("//evil.example/a", false),
            (
                "https://artifacts.dev.testing-farm.io@evil.example/a",
                false,
            ),
            ("https://user:pw@artifacts.dev.testing-farm.io/a", false),
            ("javascript:alert(1)", false),
            ("data:text/html,<script>", false),
            ("file:///etc/passwd", false),
            ("a\u{0}b", false),
            ("a\nb", false),
            ("", false),
        ] {
            assert_eq!(l.resolve(href).is_some(), kept, "{href:?}");
        }
        // `..` cannot climb above the host
        assert_eq!(
            l.resolve("../../../../etc/passwd").unwrap(),
            "https://artifacts.dev.testing-farm.io/etc/passwd"
        );
    }

    #[test]
    fn a_directory_listing_is_read_from_the_directory() {
        let l = Links::new(WEB).unwrap();
        let d = l
            .directory("./guest-setup-1/artifact-installation-1")
            .unwrap();
        assert_eq!(
            l.resolve_against(&d, "5-Install-packages.txt").unwrap(),
            format!("{WEB}/guest-setup-1/artifact-installation-1/5-Install-packages.txt")
        );
        assert!(l.directory("https://evil.example/dir").is_none());
    }
}
