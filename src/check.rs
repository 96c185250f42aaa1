//! `packit-pages check`: validates a site folder without building it.
//!
//! Checks, each reporting [`Problem`]s that name the file and, where there is one, the
//! line:
//!
//! - the configuration file parses and has no unknown keys ([`check_config`]);
//! - every template of the theme (built-in, overridden or added) parses, every
//!   `{% extends %}` and `{% include %}` names a template that exists, and the theme
//!   loads as a whole ([`check_theme`]);
//! - the content pages (markdown) load ([`check_content`]);
//! - the archive passes SQLite's `PRAGMA integrity_check` and its schema version is
//!   one this program reads ([`check_archive`]).

use crate::archive::{Archive, SCHEMA_VERSION};
use crate::config::{Config, ConfigError};
use crate::render::{DEFAULT_TEMPLATES, DEFAULT_TEXT_TEMPLATES, Theme};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Worth knowing; `check` still succeeds.
    Warning,
    /// `check` fails.
    Error,
}

/// One finding of a check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Warning or error.
    pub severity: Severity,
    /// The file concerned (a template's name for built-in templates).
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl Problem {
    fn error(file: impl Into<PathBuf>, line: Option<usize>, message: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Error,
            file: file.into(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    /// `FILE:LINE: error: MESSAGE` (the line left out when unknown).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, ": {sev}: {}", self.message)
    }
}

/// What to check: a configuration file and the theme, content and archive it names;
/// a path given here wins over the file's (as command-line flags do).
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    /// Configuration file to validate and take the other paths from.
    pub config: Option<PathBuf>,
    /// Theme override folder (default: the config's `theme`, else the built-in theme
    /// alone).
    pub theme: Option<PathBuf>,
    /// Content folder (default: the config's `content`, else `./content` if present).
    pub content: Option<PathBuf>,
    /// Archive file (default: the config's `archive`, else `./packit-archive.sqlite`).
    pub archive: Option<PathBuf>,
}

/// The outcome of [`check`].
#[derive(Clone, Debug, Default)]
pub struct CheckReport {
    /// One line per part checked, saying what was looked at.
    pub checked: Vec<String>,
    /// Everything found, in check order.
    pub problems: Vec<Problem>,
}

impl CheckReport {
    /// True when no problem is an error.
    pub fn is_ok(&self) -> bool {
        self.errors() == 0
    }

    /// Problems that are errors.
    pub fn errors(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count()
    }

    /// `check: ok (1 warning)` or `check: 2 errors, 0 warnings`.
    pub fn summary(&self) -> String {
        let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        let (e, w) = (self.errors(), self.problems.len() - self.errors());
        if e == 0 {
            format!("check: ok ({})", plural(w, "warning"))
        } else {
            format!("check: {}, {}", plural(e, "error"), plural(w, "warning"))
        }
    }
}

/// Runs every check of `opts` (see the module documentation).
pub fn check(opts: &CheckOptions) -> CheckReport {
    let mut r = CheckReport::default();
    let cfg = match &opts.config {
        Some(c) => {
            let (cfg, problems) = load_config(c);
            r.problems.extend(problems);
            r.checked.push(format!("config {}", c.display()));
            cfg
        }
        None => Config::default(),
    };
    let theme = opts.theme.clone().or(cfg.theme.clone());
    let (n, problems) = check_theme(theme.as_deref());
    r.problems.extend(problems);
    r.checked.push(match &theme {
        Some(d) => format!("theme: {n} templates (overrides from {})", d.display()),
        None => format!("theme: {n} built-in templates"),
    });
    if let Some(c) = opts.content.clone().or_else(|| cfg.content_or_default()) {
        let (n, problems) = check_content(&c);
        r.problems.extend(problems);
        r.checked
            .push(format!("content {}: {n} pages", c.display()));
    }
    let archive = opts
        .archive
        .clone()
        .unwrap_or_else(|| cfg.archive_or_default());
    r.problems.extend(check_archive(&archive));
    r.checked.push(format!("archive {}", archive.display()));
    r
}

/// Loads a configuration file for `check`: the configuration to go on with (for an
/// invalid file, its valid keys: see [`Config::parse_lenient`]) and the problems (the
/// parse error, or else those of [`check_config_values`]).
pub fn load_config(path: &Path) -> (Config, Vec<Problem>) {
    match check_config(path) {
        Ok(c) => {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let problems = check_config_values(&c, &text, path);
            (c, problems)
        }
        Err(problem) => {
            let c = std::fs::read_to_string(path)
                .ok()
                .and_then(|t| Config::parse_lenient(&t, path))
                .unwrap_or_default();
            (c, vec![problem])
        }
    }
}

/// 1-based line of the first line of `text` that sets `key` (or, for a quoted `value`
/// in an array, that contains it).
fn line_of(text: &str, key: &str, value: Option<&str>) -> Option<usize> {
    text.lines()
        .position(|l| match value {
            Some(v) => l.contains(&format!("\"{v}\"")) || l.contains(&format!("'{v}'")),
            None => {
                let t = l.trim_start();
                t.strip_prefix(key)
                    .is_some_and(|r| r.trim_start().starts_with('='))
            }
        })
        .map(|i| i + 1)
}

/// Values that parse but cannot work: URLs that are not http(s) (a base URL must end
/// with `/`), rates and concurrency out of range, malformed scope entries.
/// `text` is the file's text, for line numbers.
pub fn check_config_values(c: &Config, text: &str, path: &Path) -> Vec<Problem> {
    let mut v = Vec::new();
    let mut bad = |key: &str, value: Option<&str>, msg: String| {
        v.push(Problem::error(path, line_of(text, key, value), msg));
    };
    let http = |u: &str| u.starts_with("https://") || u.starts_with("http://");
    if let Some(api) = &c.api
        && !http(api)
    {
        bad(
            "api",
            None,
            format!("`api` must be an http(s) URL, not {api:?}"),
        );
    }
    if let Some(b) = &c.base_url
        && !(http(b) && b.ends_with('/'))
    {
        bad(
            "base_url",
            None,
            format!("`base_url` must be an http(s) URL ending with `/`, not {b:?}"),
        );
    }
    if let Some(r) = c.rate
        && !(r >= 0.0 && r.is_finite())
    {
        bad(
            "rate",
            None,
            format!("`rate` must be 0 (no limit) or a positive number, not {r}"),
        );
    }
    if let Some(n) = c.concurrency
        && !(1..=16).contains(&n)
    {
        bad(
            "concurrency",
            None,
            format!("`concurrency` must be between 1 and 16, not {n}"),
        );
    }
    let mut scope = crate::sync::Scope::all();
    for p in &c.scope.projects {
        if let Err(e) = scope.add_project(p) {
            bad("projects", Some(p), e.to_string());
        }
    }
    for n in &c.scope.namespaces {
        if let Err(e) = scope.add_namespace(n) {
            bad("namespaces", Some(n), e.to_string());
        }
    }
    for f in &c.scope.forges {
        if let Err(e) = scope.add_forge(f) {
            bad("forges", Some(f), e.to_string());
        }
    }
    v
}

/// Loads a configuration file; an invalid one becomes a [`Problem`] at its line.
pub fn check_config(path: &Path) -> Result<Config, Problem> {
    Config::load(path).map_err(|e| match e {
        ConfigError::Invalid {
            path,
            line,
            message,
            ..
        } => Problem::error(path, Some(line), message),
        ConfigError::Io { path, source } => Problem::error(path, None, source.to_string()),
    })
}

/// A template of the theme: its name, source, and the file it came from (`None` for
/// built-in templates).
struct Source {
    text: String,
    file: Option<PathBuf>,
}

/// `{% extends "x" %}` / `{% include "x" %}` in `text`: (line, tag, target).
pub fn references(text: &str) -> Vec<(usize, &'static str, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    while let Some(i) = rest.find("{%") {
        let start = offset + i;
        let after = &text[start + 2..];
        let inner = after.trim_start_matches('-').trim_start();
        let tag = ["extends", "include"]
            .into_iter()
            .find(|t| inner.starts_with(t) && inner[t.len()..].starts_with(char::is_whitespace));
        if let Some(tag) = tag {
            let arg = inner[tag.len()..].trim_start();
            if let Some(q) = arg.chars().next().filter(|c| matches!(c, '"' | '\'' | '`'))
                && let Some(end) = arg[1..].find(q)
            {
                let line = text[..start].matches('\n').count() + 1;
                out.push((line, tag, arg[1..1 + end].to_string()));
            }
        }
        offset = start + 2;
        rest = &text[offset..];
    }
    out
}

/// Checks the theme (built-in templates with the overrides of `dir`); returns the
/// number of templates and the problems.
pub fn check_theme(dir: Option<&Path>) -> (usize, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut sources: BTreeMap<String, Source> = DEFAULT_TEMPLATES
        .iter()
        .chain(DEFAULT_TEXT_TEMPLATES.iter())
        .map(|(n, t)| {
            (
                n.to_string(),
                Source {
                    text: t.to_string(),
                    file: None,
                },
            )
        })
        .collect();
    if let Some(dir) = dir {
        if !dir.is_dir() {
            problems.push(Problem {
                severity: Severity::Warning,
                file: dir.to_path_buf(),
                line: None,
                message: "theme folder does not exist; the built-in theme is used".into(),
            });
        }
        let tdir = dir.join("templates");
        if tdir.is_dir() {
            for entry in walkdir::WalkDir::new(&tdir).follow_links(false) {
                let entry = match entry {
                    Ok(e) => e,
                    Err(e) => {
                        problems.push(Problem::error(&tdir, None, e.to_string()));
                        continue;
                    }
                };
                if !entry.file_type().is_file() {
                    continue;
                }
                let rel = entry
                    .path()
                    .strip_prefix(&tdir)
                    .expect("walkdir stays below its root")
                    .to_string_lossy()
                    .replace('\\', "/");
                match std::fs::read(entry.path()) {
                    Ok(b) => match String::from_utf8(b) {
                        Ok(text) => {
                            sources.insert(
                                rel,
                                Source {
                                    text,
                                    file: Some(entry.path().to_path_buf()),
                                },
                            );
                        }
                        Err(_) => {
                            problems.push(Problem::error(entry.path(), None, "not valid UTF-8"))
                        }
                    },
                    Err(e) => problems.push(Problem::error(entry.path(), None, e.to_string())),
                }
            }
        }
    }
    let file_of = |name: &str, s: &Source| -> PathBuf {
        s.file
            .clone()
            .unwrap_or_else(|| PathBuf::from(format!("(built-in) templates/{name}")))
    };
    let mut syntax_ok = true;
    for (name, s) in &sources {
        // each template alone: only syntax errors count here (missing parents and
        // includes are reported below with their line)
        let mut tera = tera::Tera::new();
        if let Err(e) = tera.add_raw_template(name, &s.text)
            && let tera::ErrorKind::SyntaxError(report) = e.kind()
        {
            syntax_ok = false;
            problems.push(Problem::error(
                file_of(name, s),
                Some(report.span().start_line),
                format!("template does not parse: {}", report.message()),
            ));
        }
        for (line, tag, target) in references(&s.text) {
            if !sources.contains_key(&target) {
                syntax_ok = false;
                problems.push(Problem::error(
                    file_of(name, s),
                    Some(line),
                    format!("`{tag}` names template \"{target}\", which does not exist"),
                ));
            }
        }
    }
    if syntax_ok && let Err(e) = Theme::load(dir) {
        // whatever else keeps the theme from loading (unknown filters, blocks missing
        // from the parent, cycles); Tera's report names the template and line
        problems.push(Problem::error(
            dir.map(|d| d.join("templates"))
                .unwrap_or_else(|| "(built-in theme)".into()),
            None,
            format!("the theme does not load: {e}"),
        ));
    }
    (sources.len(), problems)
}

/// Checks that the markdown pages of `dir` load; returns the page count and problems.
pub fn check_content(dir: &Path) -> (usize, Vec<Problem>) {
    if !dir.is_dir() {
        return (
            0,
            vec![Problem {
                severity: Severity::Warning,
                file: dir.to_path_buf(),
                line: None,
                message: "content folder does not exist; the site has no content pages".into(),
            }],
        );
    }
    match crate::content::load_dir(dir) {
        Ok(pages) => (pages.len(), Vec::new()),
        Err(e) => (0, vec![Problem::error(dir, None, e.to_string())]),
    }
}

/// Checks the archive file: SQLite's integrity check and the schema version.
pub fn check_archive(path: &Path) -> Vec<Problem> {
    if !path.exists() {
        return vec![Problem {
            severity: Severity::Warning,
            file: path.to_path_buf(),
            line: None,
            message: "archive does not exist yet (`packit-pages sync` creates it)".into(),
        }];
    }
    let integrity = match Archive::integrity_check(path) {
        Ok(i) => i,
        Err(e) => return vec![Problem::error(path, None, e.to_string())],
    };
    let mut problems: Vec<Problem> = integrity
        .damage
        .into_iter()
        .map(|m| Problem::error(path, None, format!("integrity check: {m}")))
        .collect();
    let (version, has_schema) = (integrity.schema_version, integrity.has_tables);
    match version {
        Ok(v) if v > SCHEMA_VERSION => problems.push(Problem::error(
            path,
            None,
            format!("schema version {v} is newer than this program's {SCHEMA_VERSION}; upgrade packit-pages"),
        )),
        Ok(_) if !has_schema => problems.push(Problem::error(
            path,
            None,
            "not a packit-pages archive (no packit-pages tables)",
        )),
        Ok(v) if v < SCHEMA_VERSION => problems.push(Problem {
            severity: Severity::Warning,
            file: path.to_path_buf(),
            line: None,
            message: format!(
                "schema version {v} is older than {SCHEMA_VERSION}; the next sync migrates it"
            ),
        }),
        Ok(_) => {}
        Err(e) => problems.push(Problem::error(path, None, e.to_string())),
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(tag: &str) -> PathBuf {
        let p = std::env::temp_dir().join(format!("pp-check-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        p
    }

    #[test]
    fn config_values_that_cannot_work_are_reported_at_their_line() {
        let d = tmp("config");
        let p = d.join("packit-pages.toml");
        std::fs::write(
            &p,
            "api = \"ftp://x\"\nbase_url = \"https://x.org/site\"\nconcurrency = 99\n[scope]\nprojects = [\n  \"github.com/packit/ogr\",\n  \"ogr\",\n]\nforges = [\"a/b\"]\n",
        )
        .unwrap();
        let (_, problems) = load_config(&p);
        let lines: Vec<Option<usize>> = problems.iter().map(|p| p.line).collect();
        assert_eq!(
            lines,
            vec![Some(1), Some(2), Some(3), Some(7), Some(9)],
            "{problems:?}"
        );
        assert!(
            problems[1].message.contains("ending with `/`"),
            "{problems:?}"
        );
        assert!(
            problems[3].message.contains("forge/namespace/repo"),
            "{problems:?}"
        );
        std::fs::write(&p, "base_url = \"https://x.org/site/\"\n").unwrap();
        assert!(load_config(&p).1.is_empty());
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn finds_references_with_lines() {
        let r = references("{% extends \"base.html\" %}\n\n{%- include '_x.html' -%}\n{% if a %}");
        assert_eq!(
            r,
            vec![
                (1, "extends", "base.html".to_string()),
                (3, "include", "_x.html".to_string())
            ]
        );
    }

    #[test]
    fn the_built_in_theme_is_clean() {
        let (n, problems) = check_theme(None);
        assert!(n > 20);
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn broken_and_dangling_templates_are_reported_with_file_and_line() {
        let d = tmp("theme");
        std::fs::create_dir_all(d.join("templates")).unwrap();
        std::fs::write(
            d.join("templates/home.html"),
            "{% extends \"base.html\" %}\n{% block content %}\n<p>{{ oops </p>\n{% endblock content %}\n",
        )
        .unwrap();
        std::fs::write(
            d.join("templates/job.html"),
            "{% extends \"base.html\" %}\n{% block content %}\n\n{% include \"_nope.html\" %}\n{% endblock content %}\n",
        )
        .unwrap();
        let (_, problems) = check_theme(Some(&d));
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(problems.len(), 2, "{text:?}");
        let home = d.join("templates/home.html").display().to_string();
        let job = d.join("templates/job.html").display().to_string();
        assert!(
            text[0].starts_with(&format!("{home}:3: error: template does not parse")),
            "{text:?}"
        );
        assert!(
            text[1].starts_with(&format!(
                "{job}:4: error: `include` names template \"_nope.html\""
            )),
            "{text:?}"
        );
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_theme_that_does_not_load_is_reported() {
        let d = tmp("filter");
        std::fs::create_dir_all(d.join("templates")).unwrap();
        std::fs::write(
            d.join("templates/404.html"),
            "{% extends \"base.html\" %}{% block content %}{{ 1 | no_such_filter }}{% endblock content %}",
        )
        .unwrap();
        let (_, problems) = check_theme(Some(&d));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].message.contains("no_such_filter"),
            "{problems:?}"
        );
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn archive_integrity_and_schema() {
        let d = tmp("archive");
        let good = d.join("good.sqlite");
        drop(crate::archive::Archive::open(&good).unwrap());
        assert!(
            check_archive(&good).is_empty(),
            "{:?}",
            check_archive(&good)
        );
        let missing = check_archive(&d.join("none.sqlite"));
        assert_eq!(missing[0].severity, Severity::Warning);
        let junk = d.join("junk.sqlite");
        std::fs::write(&junk, vec![b'x'; 4096]).unwrap();
        let p = check_archive(&junk);
        assert_eq!(p[0].severity, Severity::Error, "{p:?}");
        let newer = d.join("newer.sqlite");
        drop(crate::archive::Archive::open(&newer).unwrap());
        crate::archive::set_schema_version(&newer, SCHEMA_VERSION + 1);
        let p = check_archive(&newer);
        assert!(p[0].message.contains("newer"), "{p:?}");
        std::fs::remove_dir_all(&d).unwrap();
    }
}
