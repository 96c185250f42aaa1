//! Reading stored JSON field by field: a field that is missing, null or of an
//! unexpected type costs only itself, never the rest of its entity.
//!
//! [`read`] parses with the typed response models of [`crate::api::types`]; that
//! fast path is the common case. Only when it fails does the reader go through a
//! `serde_json::Value`: `serde_path_to_error` names the failing field; a value in a
//! known alternative shape is read as such (a number or a numeric string, UNIX
//! seconds or an ISO 8601 time, a string or an object holding it under `name` or as
//! its one member, a bool or `"true"`/`"false"`); anything else is taken out and
//! recorded as [`Unreadable`] with its raw value and what was expected, and the
//! reading repeats until the rest parses. A null is a missing field.
//!
//! [`audit`] is the one place that says which typed struct each kind's list item
//! and detail JSON are read as; it also names the fields the models do not know yet
//! (via `serde_ignored`), so a new upstream field gets noticed.

use crate::api::Kind;
use crate::api::types::{
    BodhiUpdate, CoprBuildListItem, CoprBuildTarget, KojiBuild, KojiTagRequest, LogDetectiveRun,
    OpenScanHubScan, Project, ProjectRelease, ProjectTriggerItem, Run, SrpmBuild,
    SyncReleaseRunItem, SyncReleaseTarget, TestingFarmRun,
};
use crate::view::UnreadableView;
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_path_to_error::Segment;

/// At most this many fields are repaired or taken out of one JSON document.
const MAX_REPAIRS: usize = 256;

/// A raw value longer than this many characters is shortened in reports and pages.
const RAW_CHARS: usize = 200;

/// A field whose stored value could not be read as the type the code expects.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Unreadable {
    /// Where it is: `chroot`, `built_packages[0].epoch`, `status_per_chroot.f41`
    /// (empty for the whole document).
    pub field: String,
    /// What the code reads there: `a string`, `a number`, `a time`, `a list`, …
    pub expected: String,
    /// What is stored: `an object`, `a string`, …
    pub found: &'static str,
    /// The stored value, as compact JSON (shortened when long).
    pub raw: String,
}

impl Unreadable {
    /// The field's name, or `(the whole JSON)`.
    pub fn field_name(&self) -> &str {
        if self.field.is_empty() {
            "(the whole JSON)"
        } else {
            &self.field
        }
    }
}

impl std::fmt::Display for Unreadable {
    /// `` `chroot`: expected a string, found an object ``
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}`: expected {}, found {}",
            self.field_name(),
            self.expected,
            self.found
        )
    }
}

/// A document read field by field: the value (every readable field in place) and
/// the fields that could not be read.
#[derive(Clone, Debug, Default)]
pub struct Read<T> {
    /// The value.
    pub value: T,
    /// The fields left out of it, in the order found.
    pub unreadable: Vec<Unreadable>,
}

/// Reads `json` as `T` field by field (see the module documentation); absent JSON
/// reads as the default.
pub fn read<T: DeserializeOwned + Default>(json: Option<&str>) -> Read<T> {
    let Some(s) = json else {
        return Read::default();
    };
    match serde_json::from_str(s) {
        Ok(value) => Read {
            value,
            unreadable: Vec::new(),
        },
        Err(_) => repair(s).0,
    }
}

/// The slow path of [`read`]: the value, and the repaired document it was read from
/// (`None` when the text is not JSON at all).
fn repair<T: DeserializeOwned + Default>(s: &str) -> (Read<T>, Option<Value>) {
    let mut doc: Value = match serde_json::from_str(s) {
        Ok(v) => v,
        Err(e) => {
            let read = Read {
                value: T::default(),
                unreadable: vec![Unreadable {
                    field: String::new(),
                    expected: "JSON".into(),
                    found: "text that is not JSON",
                    raw: format!("{} ({e})", shorten(s)),
                }],
            };
            return (read, None);
        }
    };
    let mut unreadable = Vec::new();
    // the models are objects: serde would read a list into one by position
    let tries = if doc.is_object() { MAX_REPAIRS } else { 0 };
    for _ in 0..tries {
        let err = match serde_path_to_error::deserialize::<_, T>(&doc) {
            Ok(value) => return (Read { value, unreadable }, Some(doc)),
            Err(e) => e,
        };
        let path: Vec<Segment> = err.path().iter().cloned().collect();
        if !fix::<T>(&mut doc, &path, &err.inner().to_string(), &mut unreadable) {
            break;
        }
    }
    // nothing more can be repaired: the document as a whole is unreadable
    unreadable.push(Unreadable {
        field: String::new(),
        expected: "an object".into(),
        found: kind_of(&doc),
        raw: shorten(&doc.to_string()),
    });
    let read = Read {
        value: T::default(),
        unreadable,
    };
    (read, Some(doc))
}

/// Repairs the value at `path` of `doc`, which failed to read as part of a `T` with
/// `message`: reads it in an alternative shape, or takes it out (recorded unless it
/// was null). False when there is nothing to repair there.
fn fix<T: DeserializeOwned>(
    doc: &mut Value,
    path: &[Segment],
    message: &str,
    out: &mut Vec<Unreadable>,
) -> bool {
    if path.is_empty() {
        return false;
    }
    let Some(original) = at(doc, path).cloned() else {
        return false;
    };
    let timely = path.last().is_some_and(is_time_field);
    if !original.is_null() {
        for alt in alternatives(&original, timely) {
            *at(doc, path).expect("the path was found") = alt;
            match serde_path_to_error::deserialize::<_, T>(&*doc) {
                Ok(_) => return true,
                Err(e) if !within(e.path().iter(), path) => return true,
                Err(_) => {}
            }
        }
        *at(doc, path).expect("the path was found") = original.clone();
        out.push(Unreadable {
            field: path_text(path),
            expected: expected(message, timely),
            found: kind_of(&original),
            raw: shorten(&original.to_string()),
        });
    }
    remove(doc, path)
}

/// Whether path `p` is `path` or inside it.
fn within<'a>(p: impl Iterator<Item = &'a Segment>, path: &[Segment]) -> bool {
    let p: Vec<&Segment> = p.collect();
    p.len() >= path.len() && p.iter().zip(path).all(|(a, b)| same(a, b))
}

/// Whether two path segments are the same.
fn same(a: &Segment, b: &Segment) -> bool {
    match (a, b) {
        (Segment::Seq { index: x }, Segment::Seq { index: y }) => x == y,
        (Segment::Map { key: x }, Segment::Map { key: y }) => x == y,
        (Segment::Enum { variant: x }, Segment::Enum { variant: y }) => x == y,
        _ => false,
    }
}

/// The value at `path` in `doc`.
fn at<'a>(doc: &'a mut Value, path: &[Segment]) -> Option<&'a mut Value> {
    let mut v = doc;
    for seg in path {
        v = match (seg, v) {
            (Segment::Seq { index }, Value::Array(a)) => a.get_mut(*index)?,
            (Segment::Map { key }, Value::Object(o)) => o.get_mut(key)?,
            _ => return None,
        };
    }
    Some(v)
}

/// Takes the value at `path` out of `doc` (a key out of its object, an item out of
/// its list).
fn remove(doc: &mut Value, path: &[Segment]) -> bool {
    let Some((last, parent)) = path.split_last() else {
        return false;
    };
    match (last, at(doc, parent)) {
        (Segment::Map { key }, Some(Value::Object(o))) => o.remove(key).is_some(),
        (Segment::Seq { index }, Some(Value::Array(a))) if *index < a.len() => {
            a.remove(*index);
            true
        }
        _ => false,
    }
}

/// `built_packages[0].epoch`.
fn path_text(path: &[Segment]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Segment::Seq { index } => s.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(key);
            }
            Segment::Unknown => s.push_str(".?"),
        }
    }
    s
}

/// Whether a field holds a time (UNIX seconds): `build_start_time`,
/// `time_submitted`, `update_creation_time`.
fn is_time_field(seg: &Segment) -> bool {
    matches!(seg, Segment::Map { key } if key.ends_with("_time") || key.starts_with("time_"))
}

/// The other shapes a value may be read as, most likely first.
fn alternatives(v: &Value, timely: bool) -> Vec<Value> {
    let mut out = Vec::new();
    match v {
        Value::String(s) => {
            let t = s.trim();
            if let Ok(n) = t.parse::<i64>() {
                out.push(Value::from(n));
            } else if let Ok(f) = t.parse::<f64>() {
                out.extend(whole(f, timely).map(Value::from));
            }
            match t.to_ascii_lowercase().as_str() {
                "true" => out.push(Value::Bool(true)),
                "false" => out.push(Value::Bool(false)),
                _ => {}
            }
            out.extend(iso8601(t).map(Value::from));
        }
        Value::Number(n) => {
            out.push(Value::String(n.to_string()));
            if let Some(i) = n.as_f64().and_then(|f| whole(f, timely))
                && n.as_i64() != Some(i)
            {
                out.push(Value::from(i));
            }
            match n.as_i64() {
                Some(0) => out.push(Value::Bool(false)),
                Some(1) => out.push(Value::Bool(true)),
                _ => {}
            }
        }
        Value::Object(o) => {
            let inner = o
                .get("name")
                .or_else(|| (o.len() == 1).then(|| o.values().next()).flatten())
                .or_else(|| {
                    let mut strings = o.values().filter(|v| v.is_string());
                    match (strings.next(), strings.next()) {
                        (Some(s), None) => Some(s),
                        _ => None,
                    }
                });
            if let Some(inner) = inner.filter(|i| !i.is_object() && !i.is_null()) {
                out.push(inner.clone());
                out.extend(alternatives(inner, timely));
            }
        }
        Value::Null | Value::Bool(_) | Value::Array(_) => {}
    }
    out
}

/// A float as a whole number: when it has no fraction, or (for a time) by dropping
/// the fraction of a second.
fn whole(f: f64, timely: bool) -> Option<i64> {
    let ok = f.is_finite() && f.abs() < 9.0e15 && (timely || f.fract() == 0.0);
    ok.then(|| f.trunc() as i64)
}

/// UNIX seconds of an ISO 8601 / RFC 3339 time: `2024-06-20T15:04:24Z`,
/// `2024-06-20 15:04:24.123+02:00`, `2024-06-20T15:04:24` (UTC when no offset is
/// given), or a bare date.
pub fn iso8601(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(r)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| std::str::from_utf8(part).ok()?.parse().ok())?
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || !(1..=12).contains(&m) {
        return None;
    }
    if !(1..=days_in_month(y, m)).contains(&d) {
        return None;
    }
    let days = days_from_civil(y, m, d);
    if b.len() == 10 {
        return Some(days * 86_400);
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) || b.get(13) != Some(&b':') {
        return None;
    }
    let (h, min) = (num(11..13)?, num(14..16)?);
    let (sec, mut i) = if b.get(16) == Some(&b':') {
        (num(17..19)?, 19)
    } else {
        (0, 16)
    };
    if h > 23 || min > 59 || sec > 60 {
        return None;
    }
    if matches!(b.get(i), Some(b'.' | b',')) {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    let offset = match b.get(i) {
        None => 0,
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) => {
            let (oh, om) = match b.len() - i {
                6 if b[i + 3] == b':' => (num(i + 1..i + 3)?, num(i + 4..i + 6)?),
                5 => (num(i + 1..i + 3)?, num(i + 3..i + 5)?),
                3 => (num(i + 1..i + 3)?, 0),
                _ => return None,
            };
            let o = oh * 3600 + om * 60;
            if *sign == b'+' { o } else { -o }
        }
        _ => return None,
    };
    Some(days * 86_400 + h * 3600 + min * 60 + sec - offset)
}

/// Days of month `m` of year `y`.
fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's `days_from_civil`, the
/// inverse of [`crate::time::civil_from_days`]).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// What a field of the type expects, in words, from serde's message (`invalid type:
/// map, expected a string`); `a time` for a time field.
fn expected(message: &str, timely: bool) -> String {
    let what = message
        .split_once("expected ")
        .map(|(_, e)| e)
        .unwrap_or("")
        .trim();
    let number = ["i64", "u64", "i32", "u32", "f64", "integer", "number"]
        .iter()
        .any(|n| what.contains(n));
    if number && timely {
        "a time".into()
    } else if number {
        "a number".into()
    } else if what.contains("bool") {
        "true or false".into()
    } else if what.contains("sequence") {
        "a list".into()
    } else if what.contains("map") || what.starts_with("struct") {
        "an object".into()
    } else if what.is_empty() {
        "another shape".into()
    } else {
        what.to_string()
    }
}

/// `an object`, `a string`, …: the JSON type of a value in words.
pub fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// `s` cut to [`RAW_CHARS`] characters, with `…` when cut.
fn shorten(s: &str) -> String {
    match s.char_indices().nth(RAW_CHARS) {
        None => s.to_string(),
        Some((i, _)) => format!("{}…", &s[..i]),
    }
}

/// Which half of an entity a finding is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Half {
    /// The list item.
    List,
    /// The detail.
    Detail,
}

/// What reading an entity found: its unreadable fields and the fields the models
/// do not know.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Audit {
    /// Fields that could not be read, by half.
    pub unreadable: Vec<(Half, Unreadable)>,
    /// Fields the models do not know (`new_field`, `builds[0].extra`), by half.
    pub unknown: Vec<(Half, String)>,
}

impl Audit {
    /// True when nothing was found.
    pub fn is_clean(&self) -> bool {
        self.unreadable.is_empty() && self.unknown.is_empty()
    }
}

/// Reads `json` as `T` and records what it found as `half` (the unknown fields
/// only with `notes`).
fn audit_as<T: DeserializeOwned + Default>(
    json: Option<&str>,
    half: Half,
    notes: bool,
    out: &mut Audit,
) {
    let Some(s) = json else { return };
    if !notes {
        if serde_json::from_str::<T>(s).is_err() {
            let read = repair::<T>(s).0;
            out.unreadable
                .extend(read.unreadable.into_iter().map(|u| (half, u)));
        }
        return;
    }
    let mut unknown = Vec::new();
    let fast = {
        let mut de = serde_json::Deserializer::from_str(s);
        serde_ignored::deserialize::<_, _, T>(&mut de, |p| unknown.push(p.to_string())).is_ok()
    };
    if !fast {
        unknown.clear();
        let (read, doc) = repair::<T>(s);
        out.unreadable
            .extend(read.unreadable.into_iter().map(|u| (half, u)));
        if let Some(doc) = doc {
            let _ = serde_ignored::deserialize::<_, _, T>(&doc, |p| unknown.push(p.to_string()));
        }
    }
    out.unknown.extend(unknown.into_iter().map(|f| (half, f)));
}

/// The typed struct the list item (`L`) and the detail (`D`) of a kind are read as.
fn halves<L, D>(list: Option<&str>, detail: Option<&str>, notes: bool) -> Audit
where
    L: DeserializeOwned + Default,
    D: DeserializeOwned + Default,
{
    let mut a = Audit::default();
    audit_as::<L>(list, Half::List, notes, &mut a);
    audit_as::<D>(detail, Half::Detail, notes, &mut a);
    a
}

/// Reads the stored list item and detail of an entity of `kind` as the typed
/// structs the code reads them as and says what did not fit: the unreadable fields
/// and the fields the models do not know.
pub fn audit(kind: Kind, list: Option<&str>, detail: Option<&str>) -> Audit {
    read_as(kind, list, detail, true)
}

/// The unreadable fields of an entity of `kind` ([`audit`] without the unknown
/// fields, so the common case is one fast parse per half).
pub fn unreadable(kind: Kind, list: Option<&str>, detail: Option<&str>) -> Audit {
    read_as(kind, list, detail, false)
}

/// The one mapping from a kind to the typed structs its list item and detail JSON
/// are read as.
fn read_as(kind: Kind, list: Option<&str>, detail: Option<&str>, notes: bool) -> Audit {
    let (l, d, n) = (list, detail, notes);
    match kind {
        Kind::CoprBuild => halves::<CoprBuildListItem, CoprBuildListItem>(l, d, n),
        Kind::Copr => halves::<CoprBuildTarget, CoprBuildTarget>(l, d, n),
        Kind::Koji => halves::<KojiBuild, KojiBuild>(l, d, n),
        Kind::Srpm => halves::<SrpmBuild, SrpmBuild>(l, d, n),
        Kind::TestingFarm => halves::<TestingFarmRun, TestingFarmRun>(l, d, n),
        Kind::Pipeline => halves::<Run, Run>(l, d, n),
        Kind::ProposeDownstreamRun | Kind::PullFromUpstreamRun => {
            halves::<SyncReleaseRunItem, SyncReleaseRunItem>(l, d, n)
        }
        Kind::ProposeDownstream | Kind::PullFromUpstream => {
            halves::<SyncReleaseTarget, SyncReleaseTarget>(l, d, n)
        }
        Kind::Bodhi => halves::<BodhiUpdate, BodhiUpdate>(l, d, n),
        Kind::KojiTagRequest => halves::<KojiTagRequest, KojiTagRequest>(l, d, n),
        Kind::OpenScanHub => halves::<OpenScanHubScan, OpenScanHubScan>(l, d, n),
        Kind::LogDetective => halves::<LogDetectiveRun, LogDetectiveRun>(l, d, n),
        Kind::Project => halves::<Project, Project>(l, d, n),
        // a project's issue is stored as its number
        Kind::ProjectIssue => halves::<i64, i64>(l, d, n),
        Kind::ProjectPr | Kind::ProjectBranch => {
            halves::<ProjectTriggerItem, ProjectTriggerItem>(l, d, n)
        }
        Kind::ProjectRelease => halves::<ProjectRelease, ProjectRelease>(l, d, n),
        // snapshots the site shows as they are, without a model
        Kind::Usage | Kind::System => Audit::default(),
    }
}

/// The unreadable fields of an audit as a job page shows them, each in its place
/// (a field unreadable in both halves once, as the detail has it).
pub fn views(a: &Audit) -> Vec<UnreadableView> {
    let mut seen = std::collections::HashSet::new();
    let mut found: Vec<&(Half, Unreadable)> = a.unreadable.iter().collect();
    found.sort_by_key(|(h, _)| std::cmp::Reverse(*h));
    found
        .into_iter()
        .filter(|(_, u)| seen.insert(u.field.clone()))
        .map(|(_, u)| {
            let (place, label) = place_of(&u.field);
            UnreadableView {
                place,
                label: label
                    .map(String::from)
                    .unwrap_or_else(|| u.field_name().to_string()),
                field: u.field_name().to_string(),
                text: format!("unreadable: expected {}", u.expected),
                raw: u.raw.clone(),
            }
        })
        .collect()
}

/// Where a job page shows a field, and the label it shows it under (the field's
/// name when `None`).
fn place_of(field: &str) -> (&'static str, Option<&'static str>) {
    match field {
        "status" => ("status", Some("Status")),
        "chroot" | "target" | "branch" => ("target", Some("Target")),
        "build_submitted_time" | "submitted_time" | "tag_request_submitted_time" => {
            ("time", Some("Submitted"))
        }
        "build_start_time" | "start_time" => ("time", Some("Started")),
        "build_finished_time" | "finished_time" => ("time", Some("Finished")),
        f if f.ends_with("_time") => ("time", None),
        _ => ("facts", None),
    }
}

mod drift;

pub use self::drift::{Drift, DriftCollector, DriftGroup};

#[cfg(test)]
mod tests;
