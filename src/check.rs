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
//!   one this program reads ([`check_archive`]);
//! - every page of the site can be written: its path fits every common file system
//!   and it renders; each page that cannot is named by its entity ([`check_pages`]);
//! - every stored field reads as the type the code expects: each that does not is a
//!   warning naming the kind, the entities and the field, grouped by kind and field;
//!   fields the code does not know yet are notes ([`check_fields`]).

mod config;
mod theme;

pub use self::config::{check_config, check_config_values, load_config};
pub use self::theme::{check_theme, references};

use crate::archive::{Archive, SCHEMA_VERSION};
use crate::config::Config;
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

    /// A warning about a whole file or folder (no line).
    fn warning(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(file, None, message)
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
    /// What is worth knowing but no problem (fields the code does not know yet).
    pub notes: Vec<String>,
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
    let problems = check_archive(&archive);
    // pages only of an archive (and theme and content) with nothing else wrong
    let archive_ok = archive.exists() && problems.is_empty() && r.is_ok();
    r.problems.extend(problems);
    r.checked.push(format!("archive {}", archive.display()));
    if archive_ok {
        let content = opts.content.clone().or_else(|| cfg.content_or_default());
        let (n, problems) = check_pages(&archive, theme.as_deref(), content.as_deref());
        r.problems.extend(problems);
        r.checked.push(match n {
            0 => "pages: every page can be written".to_string(),
            n => format!("pages: {n} cannot be written"),
        });
    }
    if archive.exists() && r.problems.iter().all(|p| p.file != archive) {
        let (checked, problems, notes) = check_fields(&archive);
        r.checked.push(checked);
        r.problems.extend(problems);
        r.notes.extend(notes);
    }
    r
}

/// Reads every stored entity of `archive` field by field: one warning per kind and
/// field that does not read as the type the code expects (naming the entities),
/// one note per kind and field the code does not know yet. Returns the line saying
/// what was checked, the warnings and the notes.
pub fn check_fields(archive: &Path) -> (String, Vec<Problem>, Vec<String>) {
    let drift = Archive::open_read_only(archive)
        .map_err(crate::site::SiteError::from)
        .and_then(|a| Ok(crate::site::drift_of(&a, None)?));
    match drift {
        Ok(d) => (
            format!(
                "fields: {} entities, {} with unreadable fields, {} fields not known to this version",
                d.entities,
                d.unreadable_entities,
                d.unknown.len()
            ),
            d.unreadable
                .iter()
                .map(|g| Problem::warning(archive, format!("unreadable field: {g}")))
                .collect(),
            d.unknown
                .iter()
                .map(|g| format!("field not known to this version: {g}"))
                .collect(),
        ),
        Err(e) => (
            "fields: not read".into(),
            vec![Problem::error(archive, None, format!("fields: {e}"))],
            Vec::new(),
        ),
    }
}

/// Checks that every page of the site of `archive` can be written (see
/// [`crate::site::unwritable_pages`]): one error per page that cannot, naming the
/// entity it shows. Returns the count of such pages and the problems.
pub fn check_pages(
    archive: &Path,
    theme: Option<&Path>,
    content: Option<&Path>,
) -> (usize, Vec<Problem>) {
    let opts = crate::site::BuildOptions {
        archive: archive.to_path_buf(),
        theme: theme.map(Path::to_path_buf),
        content: content.filter(|c| c.is_dir()).map(Path::to_path_buf),
        ..Default::default()
    };
    match crate::site::unwritable_pages(&opts) {
        Ok(pages) => (
            pages.len(),
            pages
                .into_iter()
                .map(|p| {
                    Problem::error(
                        archive,
                        None,
                        format!(
                            "{}: its page {} cannot be written: {}",
                            p.entity, p.file, p.error
                        ),
                    )
                })
                .collect(),
        ),
        Err(e) => (
            0,
            vec![Problem::error(archive, None, format!("pages: {e}"))],
        ),
    }
}

/// Checks that the markdown pages of `dir` load; returns the page count and problems.
pub fn check_content(dir: &Path) -> (usize, Vec<Problem>) {
    if !dir.is_dir() {
        return (
            0,
            vec![Problem::warning(
                dir,
                "content folder does not exist; the site has no content pages",
            )],
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
        return vec![Problem::warning(
            path,
            "archive does not exist yet (`packit-pages sync` creates it)",
        )];
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
        Ok(v) if v < SCHEMA_VERSION => problems.push(Problem::warning(path, format!(
                "schema version {v} is older than {SCHEMA_VERSION}; the next sync migrates it"
            ))),
        Ok(_) => {}
        Err(e) => problems.push(Problem::error(path, None, e.to_string())),
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn tmp(tag: &str) -> PathBuf {
        let p = std::env::temp_dir().join(format!("pp-check-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        p
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
