//! `packit-pages init DIR`: scaffolds a site folder.
//!
//! The folder gets a commented `packit-pages.toml` whose paths point inside the folder,
//! `content/` with the FAQ and the about page (the ones this crate ships), an empty
//! theme override folder (`theme/templates/`, `theme/static/`) with a README naming
//! every template and asset that can be overridden, and a `.gitignore` for the output.
//!
//! Writing is safe: nothing is written when any target file exists (unless `force`),
//! and nothing is ever written outside the folder — a target, or a folder on the way
//! to it, that is a symbolic link is refused even with `force`.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Errors of [`init`].
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    /// Files the scaffold would write exist already (and `force` was not given).
    #[error("{} exist already (use --force to overwrite): {}", .0.len(), list(.0))]
    Exists(Vec<PathBuf>),
    /// A target or a folder on the way to it is a symbolic link.
    #[error("{0} is a symbolic link; refusing to write through it")]
    Symlink(PathBuf),
    /// A path on the way to a target exists but is not a folder.
    #[error("{0} exists and is not a folder")]
    NotADirectory(PathBuf),
    /// Reading or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
}

fn list(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The configuration file written by [`init`]: every path inside the site folder.
pub const CONFIG_TEMPLATE: &str = r#"# packit-pages site configuration.
#
# Relative paths are relative to the folder holding this file. Command-line flags and
# PACKIT_PAGES_* environment variables (e.g. PACKIT_PAGES_OUT) override these values.
# Unknown keys are an error. `packit-pages check` validates this file, the theme and
# the archive.

# Base URL of the Packit API to mirror.
api = "https://prod.packit.dev/api"
# The archive (one SQLite file) that `sync` fills and `build` renders.
archive = "packit-archive.sqlite"
# Where `build` writes the site.
out = "public"
# Theme overrides: templates/ and static/ files replace the built-in ones by name.
theme = "theme"
# Markdown pages (faq.md, about.md, ...), one page per file.
content = "content"
# Public URL of the site, for canonical links and the sitemap, e.g.
# base_url = "https://USER.github.io/REPO/"

# Politeness towards the API: requests per second and requests in flight.
# rate = 5.0
# concurrency = 1

# `sync` archives job logs (inline logs, and the linked logs of failed jobs), at
# most log_cap MiB per log and archive_log_cap MiB in all.
# with_logs = true
# log_cap = 5
# archive_log_cap = 1024

# For `listen`: seconds between polls of the API, and the fedora-messaging
# configuration file.
# poll_interval = 300
# amqp_config = "fedora-messaging.toml"

# What to mirror (empty: everything). Entries are forge/namespace/repo,
# forge/namespace and forge host names.
[scope]
projects = []
namespaces = []
forges = []
"#;

const GITIGNORE: &str = "/public/\n/packit-archive.sqlite*\n";

/// The theme override README: how overriding works, and every overridable name.
pub fn theme_readme() -> String {
    let mut s = String::from(
        "# Theme overrides\n\n\
         packit-pages renders the site with its built-in theme. Any file placed here\n\
         replaces the built-in file of the same name, one file at a time; everything\n\
         not overridden keeps coming from the built-in theme, so a new packit-pages\n\
         version still brings its fixes for the rest.\n\n\
         - `templates/NAME` replaces a template. Templates are Tera 2 templates\n  \
         (https://keats.github.io/tera/). A page template usually starts with\n  \
         `{% extends \"base.html\" %}` and fills `{% block content %}`; partials whose\n  \
         names start with `_` are pulled in with `{% include \"_name.html\" %}`.\n  \
         Everything from the archive is escaped; keep it that way (never `| safe`).\n\
         - `static/NAME` replaces an asset, or adds a new one; it is published as\n  \
         `static/NAME` in the site.\n\n\
         To start, copy the built-in file from the packit-pages source\n\
         (`themes/default/templates/` or `themes/default/static/`) and edit it.\n\
         `packit-pages check` reports templates that do not parse and `extends` or\n\
         `include` targets that do not exist, with file and line.\n\n\
         The theme folder is `theme` in `packit-pages.toml`, or `--theme DIR`.\n\n\
         ## Templates\n\n",
    );
    for (name, _) in crate::render::DEFAULT_TEMPLATES
        .iter()
        .chain(crate::render::DEFAULT_TEXT_TEMPLATES.iter())
    {
        s.push_str(&format!("- `templates/{name}`\n"));
    }
    s.push_str("\n## Assets\n\n");
    for (name, _) in crate::render::DEFAULT_ASSETS.iter() {
        s.push_str(&format!("- `static/{name}`\n"));
    }
    s
}

/// Everything [`init`] writes: (path relative to the site folder, contents).
/// Folders named with a trailing `/` are created empty.
pub fn files() -> Vec<(&'static str, String)> {
    vec![
        (crate::config::FILE_NAME, CONFIG_TEMPLATE.to_string()),
        (".gitignore", GITIGNORE.to_string()),
        (
            "content/faq.md",
            include_str!("../content/faq.md").to_string(),
        ),
        (
            "content/about.md",
            include_str!("../content/about.md").to_string(),
        ),
        ("theme/README.md", theme_readme()),
        ("theme/templates/", String::new()),
        ("theme/static/", String::new()),
    ]
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ScaffoldError + '_ {
    move |source| ScaffoldError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Refuses symbolic links and non-folders among the existing ancestors of `rel`
/// below `dir` (`dir` itself included).
fn check_parents(dir: &Path, rel: &str) -> Result<(), ScaffoldError> {
    // DIR itself may be a link to a folder (the user named it); nothing below may be
    match std::fs::metadata(dir) {
        Ok(m) if !m.is_dir() => return Err(ScaffoldError::NotADirectory(dir.to_path_buf())),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(dir)(e)),
    }
    let parts: Vec<&str> = rel.trim_end_matches('/').split('/').collect();
    let mut p = dir.to_path_buf();
    for (i, part) in parts.iter().enumerate() {
        p.push(part);
        let last = i + 1 == parts.len();
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => return Err(ScaffoldError::Symlink(p)),
            Ok(m) if !last && !m.is_dir() => return Err(ScaffoldError::NotADirectory(p)),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(io(&p)(e)),
        }
    }
    Ok(())
}

/// Scaffolds a site folder at `dir` (created if missing) and returns the files and
/// folders written, in order. Without `force`, nothing is written when any file of
/// the scaffold exists already. Never writes through a symbolic link below `dir`.
pub fn init(dir: &Path, force: bool) -> Result<Vec<PathBuf>, ScaffoldError> {
    let files = files();
    let mut existing = Vec::new();
    for (rel, _) in &files {
        check_parents(dir, rel)?;
        let p = dir.join(rel.trim_end_matches('/'));
        if !rel.ends_with('/') && std::fs::symlink_metadata(&p).is_ok() {
            existing.push(p);
        }
    }
    if !existing.is_empty() && !force {
        return Err(ScaffoldError::Exists(existing));
    }
    let mut written = Vec::new();
    for (rel, text) in &files {
        let p = dir.join(rel.trim_end_matches('/'));
        if rel.ends_with('/') {
            std::fs::create_dir_all(&p).map_err(io(&p))?;
            written.push(p);
            continue;
        }
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        // re-checked right before writing: nothing followed a link created meanwhile
        check_parents(dir, rel)?;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&p)
            .map_err(io(&p))?;
        f.write_all(text.as_bytes()).map_err(io(&p))?;
        written.push(p);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn tmp(tag: &str) -> PathBuf {
        let p = std::env::temp_dir().join(format!("pp-scaffold-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        p
    }

    #[test]
    fn writes_the_site_folder_and_its_config_parses() {
        let d = tmp("ok");
        let written = init(&d, false).unwrap();
        assert_eq!(written.len(), files().len());
        let cfg = Config::load(&d.join("packit-pages.toml")).unwrap();
        assert_eq!(cfg.out.as_deref(), Some(d.join("public").as_path()));
        assert_eq!(cfg.theme.as_deref(), Some(d.join("theme").as_path()));
        assert_eq!(cfg.content.as_deref(), Some(d.join("content").as_path()));
        assert!(cfg.scope.is_everything());
        assert_eq!(
            std::fs::read_to_string(d.join("content/faq.md")).unwrap(),
            include_str!("../content/faq.md")
        );
        assert!(d.join("content/about.md").is_file());
        assert!(d.join("theme/templates").is_dir() && d.join("theme/static").is_dir());
        let readme = std::fs::read_to_string(d.join("theme/README.md")).unwrap();
        for name in [
            "templates/base.html",
            "templates/job.html",
            "static/site.css",
        ] {
            assert!(readme.contains(name), "{name}");
        }
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn refuses_to_overwrite_without_force() {
        let d = tmp("exists");
        std::fs::create_dir_all(d.join("content")).unwrap();
        std::fs::write(d.join("content/faq.md"), "mine").unwrap();
        let err = init(&d, false).unwrap_err();
        assert!(
            matches!(&err, ScaffoldError::Exists(v) if v.len() == 1),
            "{err}"
        );
        assert!(err.to_string().contains("faq.md"), "{err}");
        // nothing was written
        assert!(!d.join("packit-pages.toml").exists());
        assert_eq!(
            std::fs::read_to_string(d.join("content/faq.md")).unwrap(),
            "mine"
        );
        init(&d, true).unwrap();
        assert_ne!(
            std::fs::read_to_string(d.join("content/faq.md")).unwrap(),
            "mine"
        );
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn never_writes_through_a_symlink() {
        let d = tmp("link");
        let outside = tmp("link-outside");
        std::fs::create_dir_all(&d).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::os::unix::fs::symlink(&outside, d.join("content")).unwrap();
        for force in [false, true] {
            let err = init(&d, force).unwrap_err();
            assert!(matches!(err, ScaffoldError::Symlink(_)), "{err}");
        }
        assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0);
        // a dangling link as the target file itself
        std::fs::remove_file(d.join("content")).unwrap();
        std::os::unix::fs::symlink(outside.join("x.toml"), d.join("packit-pages.toml")).unwrap();
        let err = init(&d, true).unwrap_err();
        assert!(matches!(err, ScaffoldError::Symlink(_)), "{err}");
        assert!(!outside.join("x.toml").exists());
        std::fs::remove_dir_all(&d).unwrap();
        std::fs::remove_dir_all(&outside).unwrap();
    }
}
