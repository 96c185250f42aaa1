//! Site configuration: `packit-pages.toml` in the site folder.
//!
//! Like Zola's `config.toml`, it holds the API URL, archive path, scope, theme, base URL,
//! output directory, polling interval and bus configuration path. Command-line flags and
//! `PACKIT_PAGES_*` environment variables override it (the binary merges them: flag, then
//! environment, then this file, then the built-in default). Unknown keys are an error
//! that names the key, the file and the line. Relative paths are relative to the
//! directory holding the file.

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Name of the configuration file looked up in the current directory.
pub const FILE_NAME: &str = "packit-pages.toml";

/// The archive used when neither a flag, the environment nor the file names one.
pub const DEFAULT_ARCHIVE: &str = "./packit-archive.sqlite";

/// The output directory used when neither a flag, the environment nor the file names one.
pub const DEFAULT_OUT: &str = "./public";

/// The content directory used, when it exists, if nothing names one.
pub const DEFAULT_CONTENT: &str = "./content";

/// Errors reading the configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// Config file.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid, or has an unknown key.
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        /// Config file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong (names the key for unknown keys).
        message: String,
    },
}

/// What part of Packit to mirror.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Scope {
    /// `forge/namespace/repo` entries.
    pub projects: Vec<String>,
    /// `forge/namespace` entries.
    pub namespaces: Vec<String>,
    /// Forge host names.
    pub forges: Vec<String>,
}

impl Scope {
    /// True when nothing restricts the scope.
    pub fn is_everything(&self) -> bool {
        self.projects.is_empty() && self.namespaces.is_empty() && self.forges.is_empty()
    }
}

/// Contents of `packit-pages.toml`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Packit API base URL.
    pub api: Option<String>,
    /// Archive file.
    pub archive: Option<PathBuf>,
    /// Output directory.
    pub out: Option<PathBuf>,
    /// Theme override directory.
    pub theme: Option<PathBuf>,
    /// Content directory (markdown pages).
    pub content: Option<PathBuf>,
    /// Public base URL of the site (e.g. `https://user.github.io/repo/`).
    pub base_url: Option<String>,
    /// Seconds between polls of the API heads by `listen`.
    pub poll_interval: Option<u64>,
    /// fedora-messaging configuration file for `listen`.
    pub amqp_config: Option<PathBuf>,
    /// Requests per second allowed against the API.
    pub rate: Option<f64>,
    /// Parallel requests against the API.
    pub concurrency: Option<usize>,
    /// Whether `sync` archives job logs (as `--with-logs`).
    pub with_logs: Option<bool>,
    /// Largest log archived, in MiB (longer logs are cut).
    pub log_cap: Option<u64>,
    /// Largest total of archived (compressed) logs, in MiB.
    pub archive_log_cap: Option<u64>,
    /// What to mirror.
    pub scope: Scope,
}

/// 1-based (line, column) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Reads a TOML file (this one or another, such as the bus configuration) as text.
pub(crate) fn read_toml(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Deserializes TOML text; an error names the file `path`, the line and the column.
pub(crate) fn parse_toml<T: serde::de::DeserializeOwned>(
    text: &str,
    path: &Path,
) -> Result<T, ConfigError> {
    toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map_or((1, 1), |s| line_col(text, s.start));
        ConfigError::Invalid {
            path: path.to_path_buf(),
            line,
            column,
            message: e.message().trim().to_string(),
        }
    })
}

/// Makes the relative paths among `paths` relative to the folder of the file `path`.
pub(crate) fn anchor_paths<'a>(
    path: &Path,
    paths: impl IntoIterator<Item = &'a mut Option<PathBuf>>,
) {
    let base = path.parent().unwrap_or(Path::new(""));
    for p in paths.into_iter().flatten() {
        if p.is_relative() {
            *p = base.join(&*p);
        }
    }
}

impl Config {
    /// Parses configuration text; `path` names the file in errors and anchors relative paths.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let mut c: Config = parse_toml(text, path)?;
        c.anchor(path);
        Ok(c)
    }

    /// Makes relative paths relative to the folder of the config file `path`.
    fn anchor(&mut self, path: &Path) {
        let c = self;
        anchor_paths(
            path,
            [
                &mut c.archive,
                &mut c.out,
                &mut c.theme,
                &mut c.content,
                &mut c.amqp_config,
            ],
        );
    }

    /// Best-effort reading of a file that [`Config::parse`] rejects: unknown keys are
    /// dropped, and so is any key whose value has the wrong type. `None` when the
    /// text is not TOML at all. Lets `check` go on with the paths of a config that
    /// has an error (which it reports separately).
    pub fn parse_lenient(text: &str, path: &Path) -> Option<Config> {
        let mut table: toml::Table = toml::from_str(text).ok()?;
        let probe = |k: &str, v: &toml::Value| -> bool {
            let mut t = toml::Table::new();
            t.insert(k.to_string(), v.clone());
            toml::Value::Table(t).try_into::<Config>().is_ok()
        };
        if let Some(toml::Value::Table(scope)) = table.get_mut("scope") {
            scope.retain(|k, v| {
                let mut s = toml::Table::new();
                s.insert(k.to_string(), v.clone());
                probe("scope", &toml::Value::Table(s))
            });
        }
        table.retain(|k, v| probe(k, v));
        let mut c: Config = toml::Value::Table(table).try_into().ok()?;
        c.anchor(path);
        Some(c)
    }

    /// `archive`, else [`DEFAULT_ARCHIVE`].
    pub fn archive_or_default(&self) -> PathBuf {
        self.archive
            .clone()
            .unwrap_or_else(|| DEFAULT_ARCHIVE.into())
    }

    /// `out`, else [`DEFAULT_OUT`].
    pub fn out_or_default(&self) -> PathBuf {
        self.out.clone().unwrap_or_else(|| DEFAULT_OUT.into())
    }

    /// `content`, else [`DEFAULT_CONTENT`] when that folder exists.
    pub fn content_or_default(&self) -> Option<PathBuf> {
        self.content.clone().or_else(|| {
            let d = PathBuf::from(DEFAULT_CONTENT);
            d.is_dir().then_some(d)
        })
    }

    /// Reads a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        Config::parse(&read_toml(path)?, path)
    }

    /// The configuration to use: `explicit` when given (it must exist), else
    /// `./packit-pages.toml` when present, else the defaults.
    pub fn discover(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        match explicit {
            Some(p) => Config::load(p),
            None => {
                let p = Path::new(FILE_NAME);
                if p.is_file() {
                    Config::load(p)
                } else {
                    Ok(Config::default())
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_keys() {
        let c = Config::parse(
            "with_logs = true\nlog_cap = 2\narchive_log_cap = 100\n",
            Path::new("packit-pages.toml"),
        )
        .unwrap();
        assert_eq!(c.with_logs, Some(true));
        assert_eq!(c.log_cap, Some(2));
        assert_eq!(c.archive_log_cap, Some(100));
    }

    #[test]
    fn parses_and_anchors_paths() {
        let c = Config::parse(
            "api = \"http://127.0.0.1:1/api\"\narchive = \"a.sqlite\"\n[scope]\nprojects = [\"github.com/packit/ogr\"]\n",
            Path::new("site/packit-pages.toml"),
        )
        .unwrap();
        assert_eq!(c.archive.unwrap(), Path::new("site/a.sqlite"));
        assert_eq!(c.scope.projects, vec!["github.com/packit/ogr".to_string()]);
        assert!(!c.scope.is_everything());
    }

    #[test]
    fn unknown_key_names_key_file_and_line() {
        let err =
            Config::parse("api = \"x\"\n\nthemee = \"dark\"\n", Path::new("p.toml")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("p.toml:3:"), "{msg}");
        assert!(msg.contains("themee"), "{msg}");
        let err = Config::parse("[scope]\nproject = []\n", Path::new("p.toml")).unwrap_err();
        assert!(err.to_string().contains("p.toml:2:"), "{err}");
    }

    #[test]
    fn lenient_parse_keeps_the_valid_keys() {
        let c = Config::parse_lenient(
            "themee = 1\ntheme = \"t\"\nrate = \"fast\"\n[scope]\nprojects = [\"a/b/c\"]\nx = 1\n",
            Path::new("d/p.toml"),
        )
        .unwrap();
        assert_eq!(c.theme.unwrap(), Path::new("d/t"));
        assert_eq!(c.rate, None);
        assert_eq!(c.scope.projects, vec!["a/b/c".to_string()]);
        assert!(Config::parse_lenient("= nope", Path::new("p.toml")).is_none());
    }

    #[test]
    fn bad_type_is_reported() {
        let err = Config::parse("rate = \"fast\"\n", Path::new("p.toml")).unwrap_err();
        assert!(err.to_string().starts_with("p.toml:1:"), "{err}");
    }
}
