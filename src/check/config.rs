//! Checks of the configuration file: it parses, has no unknown keys, and its values
//! can work; each problem names the file and the line.

use super::Problem;
use crate::config::{Config, ConfigError};
use std::path::Path;

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

#[cfg(test)]
mod tests {
    use super::super::tests::tmp;
    use super::*;

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
}
