//! The site's URL scheme and forge links: path segment encoding, the site path of
//! every page kind, percent-encoding, the `http(s)`-only filter for archived URLs
//! and the forge URLs of pull requests, issues, branches, releases and commits; the
//! short, hashed form of a long value for logs and reports ([`shorten`]).

/// Reserved path segments that would collide with the site's own pages and files
/// (`static/site.js` encodes project paths with the same list).
pub const RESERVED: [&str; 12] = [
    "page",
    "badge",
    "badge.svg",
    "feed.xml",
    "failures.xml",
    "prs",
    "branches",
    "releases",
    "issues",
    "history",
    "projects-in",
    "index.html",
];

/// Longest encoded segment kept whole, in bytes: well under the 255 bytes every
/// common file system allows, with room for a suffix such as `.json`.
pub const MAX_SEGMENT: usize = 160;

/// Bytes of the encoded form kept before the hash when a segment is longer than
/// [`MAX_SEGMENT`].
const HASHED_PREFIX: usize = 120;

/// Device names Windows reserves, with or without an extension, in any case.
const WINDOWS_RESERVED: [&str; 22] = [
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// Whether `s` names a Windows device (`CON`, `nul.txt`, `Com1.tar.gz`, …).
fn windows_reserved(s: &str) -> bool {
    let stem = s.split('.').next().unwrap_or(s);
    WINDOWS_RESERVED
        .iter()
        .any(|r| r.eq_ignore_ascii_case(stem))
}

/// FNV-1a (64 bits) of `bytes`: the short stable hash of long segments
/// (`static/site.js` computes the same).
/// A value short enough for a log line or a report: as it is up to `max` bytes,
/// else its first `max` bytes (at a character boundary), its length and a short hash
/// that tells two long values with the same start apart. Control characters are
/// shown as spaces, so one value stays on one line.
pub fn shorten(s: &str, max: usize) -> String {
    let one = |t: &str| -> String {
        t.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect()
    };
    if s.len() <= max {
        return one(s);
    }
    let mut cut = max;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    format!(
        "{}… ({} bytes, #{:08x})",
        one(&s[..cut]),
        s.len(),
        fnv1a64(s.as_bytes()) as u32
    )
}

fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Encodes one path segment so that every common file system accepts it (Linux,
/// macOS, Windows: length, reserved device names, trailing dots):
/// - kept as it is if it matches `[A-Za-z0-9._+-]+`, does not start or end with `.`,
///   is not one of [`RESERVED`] nor a Windows device name (`CON`, `nul.txt`, …);
/// - otherwise `~` followed by the lower-case hex of its UTF-8 bytes (reversible,
///   and never equal to a kept segment);
/// - when that form is longer than [`MAX_SEGMENT`] bytes, its first 120 bytes, a
///   `~` and 16 hex digits of a hash of the whole name (not reversible; the `~`
///   after the start tells it from both other forms).
///
/// `static/site.js` implements the same rule.
pub fn encode_segment(s: &str) -> String {
    let plain = !s.is_empty()
        && !s.starts_with('.')
        && !s.ends_with('.')
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'+' | b'-'))
        && !RESERVED.contains(&s)
        && !windows_reserved(s);
    let mut out = if plain {
        s.to_string()
    } else {
        let mut out = String::with_capacity(1 + 2 * s.len());
        out.push('~');
        for b in s.bytes() {
            out.push_str(&format!("{b:02x}"));
        }
        out
    };
    if out.len() > MAX_SEGMENT {
        // Every byte of both forms is ASCII: any cut is a character boundary.
        out.truncate(HASHED_PREFIX);
        out.push_str(&format!("~{:016x}", fnv1a64(s.as_bytes())));
    }
    out
}

/// Reverses [`encode_segment`]; `None` for a segment that is not one of its
/// reversible forms (including the hashed form of a long name).
pub fn decode_segment(s: &str) -> Option<String> {
    match s.strip_prefix('~') {
        None => (!s.contains('~')).then(|| s.to_string()),
        Some(hex) => {
            if hex.len() % 2 != 0 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            let bytes: Option<Vec<u8>> = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
                .collect();
            String::from_utf8(bytes?).ok()
        }
    }
}

/// Site path of a project: `projects/<forge>/<ns segments…>/<repo>/`.
pub fn project_path(key: &str) -> String {
    let mut out = String::from("projects/");
    for seg in key.split('/') {
        out.push_str(&encode_segment(seg));
        out.push('/');
    }
    out
}

/// Site path of a forge page.
pub fn forge_path(forge: &str) -> String {
    format!("projects/{}/", encode_segment(forge))
}

/// Site path of a namespace page (nested directories for sub-groups). When a
/// project has the same key as the namespace (`project_exists`), the namespace page
/// moves to `…/projects-in/` so both exist.
pub fn namespace_page_path(forge: &str, ns: &str, project_exists: bool) -> String {
    let key = format!("{forge}/{ns}");
    let base = project_path(&key);
    if project_exists {
        format!("{base}projects-in/")
    } else {
        base
    }
}

/// Site path of a trigger page: the project's page, the section slug and the
/// encoded trigger name.
pub fn trigger_page_path(key: &str, section_slug: &str, name: &str) -> String {
    format!(
        "{}{}/{}/",
        project_path(key),
        section_slug,
        encode_segment(name)
    )
}

/// Site path of a job list's first page (`slug` of the list; also the base of its
/// numbered pages).
pub fn job_list_path(slug: &str) -> String {
    format!("jobs/{slug}/")
}

/// Site path of numbered page `n` of a job list.
pub fn job_list_page_path(slug: &str, n: u32) -> String {
    format!("{}page/{n}/", job_list_path(slug))
}

/// Site path of a job list's targets list (the base of its numbered pages).
pub fn job_targets_path(slug: &str) -> String {
    format!("{}targets/", job_list_path(slug))
}

/// Site path of a job list's items of one status class (the base of its numbered
/// pages).
pub fn job_status_path(slug: &str, class: &str) -> String {
    format!("{}status/{class}/", job_list_path(slug))
}

/// Site path of a job detail page (`detail_slug` of its job list). Also the old
/// `jobs/<plural>/<id>/` route when given an old plural name.
pub fn job_page_path(detail_slug: &str, id: i64) -> String {
    format!("jobs/{detail_slug}/{id}/")
}

/// Site path of the old `results/<plural>/<id>/` route of a job page (2021-era
/// check-run links).
pub fn job_results_path(slug: &str, id: i64) -> String {
    format!("results/{slug}/{id}/")
}

/// Site path of the page of a job's archived log `name`, one anchor per line.
pub fn job_log_path(detail_slug: &str, id: i64, name: &str) -> String {
    format!("{}logs/{name}/", job_page_path(detail_slug, id))
}

/// Site path of a job's archived log `name` as plain text.
pub fn job_log_text_path(detail_slug: &str, id: i64, name: &str) -> String {
    format!("{}logs/{name}.txt", job_page_path(detail_slug, id))
}

/// Site path of a pipeline page.
pub fn pipeline_path(id: i64) -> String {
    format!("pipeline/{id}/")
}

/// Percent-encodes text for use inside a URL path (keeps `/` when `keep_slash`).
pub fn pct(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+')
            || (keep_slash && b == b'/')
        {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An `http(s)` URL from the archive, or `None` (other schemes are never linked).
pub fn safe_url(u: Option<&str>) -> Option<String> {
    let u = u?.trim();
    let lower = u.get(..8).unwrap_or(u).to_ascii_lowercase();
    if (lower.starts_with("https://") || lower.starts_with("http://"))
        && !u.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        Some(u.to_string())
    } else {
        None
    }
}

/// Forge flavour of a project URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Forge {
    /// github.com.
    GitHub,
    /// Pagure and src.fedoraproject.org.
    Pagure,
    /// release-monitoring.org.
    Anitya,
    /// Everything else (GitLab rules).
    GitLab,
}

/// Forge flavour of a host.
pub fn forge_of(host: &str) -> Forge {
    let h = host.to_ascii_lowercase();
    if h == "github.com" || h.ends_with(".github.com") {
        Forge::GitHub
    } else if h.contains("pagure")
        || h == "src.fedoraproject.org"
        || h.ends_with(".fedoraproject.org")
    {
        Forge::Pagure
    } else if h == "release-monitoring.org" {
        Forge::Anitya
    } else {
        Forge::GitLab
    }
}

/// Host of an absolute URL (empty when there is none).
pub fn host_of(url: &str) -> &str {
    url.split("://")
        .nth(1)
        .unwrap_or("")
        .split('/')
        .next()
        .unwrap_or("")
}

/// Forge URL of a PR.
pub fn pr_url(project_url: &str, n: i64) -> String {
    let base = project_url.trim_end_matches('/');
    match forge_of(host_of(base)) {
        Forge::GitHub => format!("{base}/pull/{n}"),
        Forge::Pagure => format!("{base}/pull-request/{n}"),
        _ => format!("{base}/-/merge_requests/{n}"),
    }
}

/// Forge URL of an issue (GitLab: `/-/issues/N`, not the dashboard's `issues/-/N`).
pub fn issue_url(project_url: &str, n: i64) -> String {
    let base = project_url.trim_end_matches('/');
    match forge_of(host_of(base)) {
        Forge::GitHub => format!("{base}/issues/{n}"),
        Forge::Pagure => format!("{base}/issue/{n}"),
        _ => format!("{base}/-/issues/{n}"),
    }
}

/// Forge URL of a branch.
pub fn branch_url(project_url: &str, b: &str) -> String {
    let base = project_url.trim_end_matches('/');
    let b = pct(b, true);
    match forge_of(host_of(base)) {
        Forge::GitHub | Forge::Pagure => format!("{base}/tree/{b}"),
        _ => format!("{base}/-/tree/{b}"),
    }
}

/// Forge URL of a release tag.
pub fn release_url(project_url: &str, t: &str) -> String {
    let base = project_url.trim_end_matches('/');
    let t = pct(t, false);
    match forge_of(host_of(base)) {
        Forge::GitHub => format!("{base}/releases/tag/{t}"),
        Forge::Pagure => format!("{base}/tree/{t}"),
        _ => format!("{base}/-/tags/{t}"),
    }
}

/// Forge URL of a commit.
pub fn commit_url(project_url: &str, sha: &str) -> String {
    let base = project_url.trim_end_matches('/');
    let sha = pct(sha, false);
    match forge_of(host_of(base)) {
        Forge::GitHub => format!("{base}/commit/{sha}"),
        Forge::Pagure => format!("{base}/c/{sha}"),
        _ => format!("{base}/-/commit/{sha}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_shortened_with_a_hash() {
        assert_eq!(shorten("github.com/a/b", 200), "github.com/a/b");
        assert_eq!(shorten("a\nb", 200), "a b");
        let a = format!("https://github.com/x/{}", "é".repeat(500_000));
        let b = format!("https://github.com/x/{}y", "é".repeat(499_999));
        let (sa, sb) = (shorten(&a, 200), shorten(&b, 200));
        assert!(
            sa.len() < 260 && sa.starts_with("https://github.com/x/é"),
            "{sa}"
        );
        assert!(sa.contains("(1000021 bytes, #"), "{sa}");
        assert_ne!(sa, sb);
    }

    #[test]
    fn segments_encode_reversibly() {
        for s in [
            "main",
            "v1.0",
            "feature/x",
            ".hidden",
            "",
            "page",
            "ü",
            "a b",
            "..",
            "~x",
        ] {
            let e = encode_segment(s);
            assert!(
                e.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._+-~".contains(&b)),
                "{e}"
            );
            assert!(!e.starts_with('.') && !e.is_empty());
            assert_eq!(decode_segment(&e).as_deref(), Some(s));
        }
        assert_eq!(encode_segment("main"), "main");
        assert_eq!(encode_segment("feature/x"), "~666561747572652f78");
    }

    #[test]
    fn long_segments_end_in_the_hash_site_js_computes() {
        // The hashes below are what `static/site.js` gives for the same names.
        let r = encode_segment(&"r".repeat(300));
        assert_eq!(r, format!("{}~b4d598735846a1e5", "r".repeat(120)));
        let e = encode_segment(&"é".repeat(100));
        assert!(
            e.ends_with("~b1c912a8e533f4b5") && e.starts_with("~c3a9"),
            "{e}"
        );
        assert_eq!(encode_segment(&"a".repeat(160)), "a".repeat(160));
        let a = encode_segment(&"a".repeat(161));
        assert_eq!(a, format!("{}~2a57fe3470d09bec", "a".repeat(120)));
        assert_eq!(decode_segment(&a), None);
        assert_eq!(encode_segment("Aux.tar.gz"), "~4175782e7461722e677a");
    }

    #[test]
    fn job_paths() {
        assert_eq!(job_list_path("copr"), "jobs/copr/");
        assert_eq!(job_list_page_path("copr", 2), "jobs/copr/page/2/");
        assert_eq!(job_targets_path("copr"), "jobs/copr/targets/");
        assert_eq!(
            job_status_path("koji", "failed"),
            "jobs/koji/status/failed/"
        );
        assert_eq!(job_page_path("copr", 5), "jobs/copr/5/");
        assert_eq!(job_results_path("copr-builds", 7), "results/copr-builds/7/");
        assert_eq!(job_log_path("srpm", 5, "srpm"), "jobs/srpm/5/logs/srpm/");
        assert_eq!(
            job_log_text_path("koji", 9, "build-x86_64"),
            "jobs/koji/9/logs/build-x86_64.txt"
        );
    }

    #[test]
    fn forge_urls() {
        assert_eq!(
            issue_url("https://gitlab.com/a/b", 3),
            "https://gitlab.com/a/b/-/issues/3"
        );
        assert_eq!(
            pr_url("https://github.com/a/b", 3),
            "https://github.com/a/b/pull/3"
        );
        assert_eq!(
            pr_url("https://src.fedoraproject.org/rpms/x", 3),
            "https://src.fedoraproject.org/rpms/x/pull-request/3"
        );
        assert_eq!(
            branch_url("https://gitlab.com/a/b", "f/x y"),
            "https://gitlab.com/a/b/-/tree/f/x%20y"
        );
        assert_eq!(
            release_url("https://github.com/a/b", "1.0"),
            "https://github.com/a/b/releases/tag/1.0"
        );
        assert_eq!(
            commit_url("https://pagure.io/a", "abc"),
            "https://pagure.io/a/c/abc"
        );
        assert_eq!(safe_url(Some("javascript:alert(1)")), None);
        assert_eq!(safe_url(Some("https://x/ y")), None);
    }
}
