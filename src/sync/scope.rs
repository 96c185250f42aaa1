//! The scope of a sync: which part of Packit (projects, namespaces, forges) is mirrored,
//! and which project a list item belongs to.

use super::error::SyncError;
use crate::api::{Kind, project_key};
use serde_json::Value;
use std::collections::BTreeSet;

/// Which part of Packit to mirror. Empty = everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    /// `forge/namespace/repo` keys.
    pub projects: BTreeSet<String>,
    /// `forge/namespace` prefixes (sub-groups included).
    pub namespaces: BTreeSet<String>,
    /// Forge host names.
    pub forges: BTreeSet<String>,
}

/// `v` without surrounding blanks, an `http(s)://` scheme and outer slashes.
fn clean_scope_value(v: &str) -> String {
    let v = v.trim();
    let v = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"))
        .unwrap_or(v);
    v.trim_matches('/').to_string()
}

/// The non-empty `/`-separated segments of a scope value.
fn segments(c: &str) -> usize {
    c.split('/').filter(|s| !s.is_empty()).count()
}

/// Inserts `cleaned` (the cleaned form of the value `v`) into `set` when `valid` holds
/// for it, else returns a scope error naming `v` with `reason`.
fn insert_checked(
    set: &mut BTreeSet<String>,
    v: &str,
    cleaned: String,
    reason: &'static str,
    valid: impl FnOnce(&str) -> bool,
) -> Result<(), SyncError> {
    if !valid(&cleaned) {
        return Err(SyncError::Scope {
            value: v.to_string(),
            reason,
        });
    }
    set.insert(cleaned);
    Ok(())
}

/// Whether `key` lies below the `/`-separated `prefix`.
fn below(key: &str, prefix: &str) -> bool {
    key.len() > prefix.len() && key.starts_with(prefix) && key.as_bytes()[prefix.len()] == b'/'
}

impl Scope {
    /// Everything.
    pub fn all() -> Scope {
        Scope::default()
    }

    /// Whether the scope is unrestricted.
    pub fn is_all(&self) -> bool {
        self.projects.is_empty() && self.namespaces.is_empty() && self.forges.is_empty()
    }

    /// Adds a `forge/namespace/repo` project (a URL is accepted too).
    pub fn add_project(&mut self, v: &str) -> Result<(), SyncError> {
        let c = clean_scope_value(v);
        let c = c.strip_suffix(".git").unwrap_or(&c).to_string();
        let reason = "a project is forge/namespace/repo, e.g. github.com/packit/ogr";
        insert_checked(&mut self.projects, v, c, reason, |c| segments(c) >= 3)
    }

    /// Adds a `forge/namespace`.
    pub fn add_namespace(&mut self, v: &str) -> Result<(), SyncError> {
        let reason = "a namespace is forge/namespace, e.g. github.com/packit";
        let c = clean_scope_value(v);
        insert_checked(&mut self.namespaces, v, c, reason, |c| segments(c) >= 2)
    }

    /// Adds a forge host.
    pub fn add_forge(&mut self, v: &str) -> Result<(), SyncError> {
        let reason = "a forge is a host name, e.g. github.com";
        let c = clean_scope_value(v);
        insert_checked(&mut self.forges, v, c, reason, |c| {
            !c.is_empty() && !c.contains('/')
        })
    }

    /// Whether a project key is in scope. Items without a project are in scope only
    /// when the scope is unrestricted.
    pub fn contains(&self, key: Option<&str>) -> bool {
        if self.is_all() {
            return true;
        }
        let Some(k) = key else { return false };
        self.projects.contains(k)
            || self.namespaces.iter().any(|n| below(k, n))
            || self.forges.iter().any(|f| below(k, f))
    }

    /// A stable text form, stored with crawl state (a changed scope means a new full
    /// crawl).
    pub fn canonical(&self) -> String {
        if self.is_all() {
            return "all".into();
        }
        let mut parts = Vec::new();
        parts.extend(self.forges.iter().map(|f| format!("forge:{f}")));
        parts.extend(self.namespaces.iter().map(|n| format!("namespace:{n}")));
        parts.extend(self.projects.iter().map(|p| format!("project:{p}")));
        parts.join(" ")
    }
}

/// The `forge/namespace/repo` a list item belongs to (runs: their trigger's project).
pub fn item_project(kind: Kind, item: &Value) -> Option<String> {
    let url = match kind {
        Kind::Pipeline => item.get("trigger")?.get("project_url")?,
        _ => item.get("project_url")?,
    };
    project_key(url.as_str()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_matching() {
        let mut s = Scope::all();
        assert!(s.contains(None));
        s.add_namespace("gitlab.com/redhat").unwrap();
        s.add_project("https://github.com/packit/ogr.git").unwrap();
        s.add_forge("src.fedoraproject.org").unwrap();
        assert!(s.contains(Some("github.com/packit/ogr")));
        assert!(!s.contains(Some("github.com/packit/ogre")));
        assert!(s.contains(Some("gitlab.com/redhat/centos-stream/src/kernel")));
        assert!(!s.contains(Some("gitlab.com/redhatx/a")));
        assert!(s.contains(Some("src.fedoraproject.org/rpms/x")));
        assert!(!s.contains(None));
        assert_eq!(
            s.canonical(),
            "forge:src.fedoraproject.org namespace:gitlab.com/redhat project:github.com/packit/ogr"
        );
        assert!(s.add_project("github.com/packit").is_err());
        assert!(s.add_namespace("github.com").is_err());
        assert!(s.add_forge("github.com/x").is_err());
        let e = s.add_forge("https:///").unwrap_err().to_string();
        assert_eq!(
            e,
            "invalid scope \"https:///\": a forge is a host name, e.g. github.com"
        );
        let e = s
            .add_project("github.com/packit/.git")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("\"github.com/packit/.git\": a project is"),
            "{e}"
        );
    }

    #[test]
    fn item_projects() {
        let run = serde_json::json!({"trigger": {"project_url": "https://github.com/a/b"}});
        assert_eq!(
            item_project(Kind::Pipeline, &run).as_deref(),
            Some("github.com/a/b")
        );
        assert_eq!(item_project(Kind::Pipeline, &serde_json::json!({})), None);
    }
}
