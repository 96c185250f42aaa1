//! Drift over many entities: the unreadable and unknown fields [`super::audit`]
//! finds, grouped by kind and field with counts and the entities they hit, as the
//! build report, `check` and `sync` name them (an upstream change usually hits every
//! entity of a kind at once).

use super::{Audit, audit, unreadable};
use crate::api::Kind;
use serde::Serialize;
use std::collections::BTreeMap;

/// Entities named per group; the rest are counted.
const NAMED: usize = 5;

/// One field of one kind that does not read, or that the code does not know.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DriftGroup {
    /// The kind (`copr`).
    pub kind: String,
    /// The field (`chroot`).
    pub field: String,
    /// What is wrong: `expected a string, found an object` (empty for an unknown
    /// field).
    pub problem: String,
    /// Entities it hits.
    pub count: u64,
    /// The first entities it hits (their archive ids).
    pub entities: Vec<String>,
}

impl std::fmt::Display for DriftGroup {
    /// `copr 904701, 904702 and 3 more: `chroot`: expected a string, found an object`
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.kind, self.entities.join(", "))?;
        let rest = self.count.saturating_sub(self.entities.len() as u64);
        if rest > 0 {
            write!(f, " and {rest} more")?;
        }
        write!(f, ": `{}`", self.field)?;
        if !self.problem.is_empty() {
            write!(f, ": {}", self.problem)?;
        }
        if self.count > 1 {
            write!(f, " ({} entities)", self.count)?;
        }
        Ok(())
    }
}

/// The drift of a set of entities.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Drift {
    /// Entities read.
    pub entities: u64,
    /// Entities with at least one unreadable field.
    pub unreadable_entities: u64,
    /// Unreadable fields by kind and field.
    pub unreadable: Vec<DriftGroup>,
    /// Fields the code does not know yet, by kind and field (notes).
    pub unknown: Vec<DriftGroup>,
}

impl Drift {
    /// True when every field of every entity read.
    pub fn is_readable(&self) -> bool {
        self.unreadable.is_empty()
    }

    /// One line about the unreadable fields (`None` when there are none):
    /// `3 stored entities have unreadable fields: copr `chroot` (3)`.
    pub fn line(&self) -> Option<String> {
        if self.unreadable.is_empty() {
            return None;
        }
        let groups: Vec<String> = self
            .unreadable
            .iter()
            .take(NAMED)
            .map(|g| format!("{} `{}` ({})", g.kind, g.field, g.count))
            .collect();
        let more = self.unreadable.len().saturating_sub(NAMED);
        Some(format!(
            "{} stored entit{} unreadable fields: {}{}",
            self.unreadable_entities,
            if self.unreadable_entities == 1 {
                "y has"
            } else {
                "ies have"
            },
            groups.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ))
    }
}

/// Gathers the drift of entities one by one.
#[derive(Debug, Default)]
pub struct DriftCollector {
    notes: bool,
    entities: u64,
    unreadable_entities: u64,
    unreadable: BTreeMap<(Kind, String, String), (u64, Vec<String>)>,
    unknown: BTreeMap<(Kind, String), (u64, Vec<String>)>,
}

impl DriftCollector {
    /// A collector; with `notes`, the fields the code does not know are gathered too
    /// (a second, slower parse of every entity).
    pub fn new(notes: bool) -> DriftCollector {
        DriftCollector {
            notes,
            ..DriftCollector::default()
        }
    }

    /// Reads entity `kind`/`id` from its stored halves.
    pub fn add(&mut self, kind: Kind, id: &str, list: Option<&str>, detail: Option<&str>) {
        let a = if self.notes {
            audit(kind, list, detail)
        } else {
            unreadable(kind, list, detail)
        };
        self.add_audit(kind, id, &a);
    }

    /// Adds what reading entity `kind`/`id` found.
    pub fn add_audit(&mut self, kind: Kind, id: &str, a: &Audit) {
        self.entities += 1;
        if !a.unreadable.is_empty() {
            self.unreadable_entities += 1;
        }
        let mut seen = std::collections::HashSet::new();
        for (_, u) in &a.unreadable {
            let problem = format!("expected {}, found {}", u.expected, u.found);
            let key = (kind, u.field_name().to_string(), problem);
            if seen.insert(key.clone()) {
                note(self.unreadable.entry(key).or_default(), id);
            }
        }
        let mut seen = std::collections::HashSet::new();
        for (_, f) in &a.unknown {
            let key = (kind, f.clone());
            if seen.insert(key.clone()) {
                note(self.unknown.entry(key).or_default(), id);
            }
        }
    }

    /// The drift gathered, groups by kind and field.
    pub fn finish(self) -> Drift {
        let group = |kind: Kind,
                     field: String,
                     problem: String,
                     (count, entities): (u64, Vec<String>)| DriftGroup {
            kind: kind.as_str().to_string(),
            field,
            problem,
            count,
            entities,
        };
        Drift {
            entities: self.entities,
            unreadable_entities: self.unreadable_entities,
            unreadable: self
                .unreadable
                .into_iter()
                .map(|((k, f, p), v)| group(k, f, p, v))
                .collect(),
            unknown: self
                .unknown
                .into_iter()
                .map(|((k, f), v)| group(k, f, String::new(), v))
                .collect(),
        }
    }
}

/// Counts one more entity of a group, naming the first few.
fn note(slot: &mut (u64, Vec<String>), id: &str) {
    slot.0 += 1;
    if slot.1.len() < NAMED {
        slot.1.push(id.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_by_kind_and_field_with_counts() {
        let mut c = DriftCollector::new(true);
        for id in ["904701", "904702", "904703", "904704", "904705", "904706"] {
            c.add(
                Kind::Copr,
                id,
                None,
                Some(
                    r#"{"chroot":{"os":"fedora","arch":"x86_64"},"status":"failure","new_key":1}"#,
                ),
            );
        }
        c.add(Kind::Copr, "1", None, Some(r#"{"chroot":"f41"}"#));
        let d = c.finish();
        assert_eq!(d.entities, 7);
        assert_eq!(d.unreadable_entities, 6);
        assert_eq!(d.unreadable.len(), 1);
        let g = &d.unreadable[0];
        assert_eq!(g.count, 6);
        assert_eq!(
            g.to_string(),
            "copr 904701, 904702, 904703, 904704, 904705 and 1 more: `chroot`: expected a string, found an object (6 entities)"
        );
        assert_eq!(d.unknown[0].field, "new_key");
        assert_eq!(d.unknown[0].count, 6);
        assert_eq!(
            d.line().unwrap(),
            "6 stored entities have unreadable fields: copr `chroot` (6)"
        );
        let mut one = DriftCollector::new(false);
        one.add(Kind::Copr, "9", None, Some(r#"{"chroot":[1],"new_key":1}"#));
        let d = one.finish();
        assert!(d.unknown.is_empty());
        assert_eq!(
            d.unreadable[0].to_string(),
            "copr 9: `chroot`: expected a string, found a list"
        );
        assert!(DriftCollector::new(true).finish().line().is_none());
    }
}
