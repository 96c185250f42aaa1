//! The property of issue 28: drifting any one field of any demo entity of any job
//! kind to another JSON type leaves every other fact of its page in place.
//!
//! For each job list, a few demo entities; for each of their fields (top level and
//! one level into objects and the first item of lists), each other JSON type: the
//! page's view (`jobs::detail`, and the list row for list items) is computed from
//! the original JSON, from the JSON without the field, with another value of its
//! type, and from the drifted JSON.
//! A drifted field the reader reports unreadable must leave exactly the view of the
//! JSON without it (plus its unreadable mark, which names it); one it reads in an
//! alternative shape (or a null) may change only what removing it or another value of
//! its type changes.

use crate::support::{TempDir, demo_archive};
use packit_pages::api::Kind;
use packit_pages::archive::Archive;
use packit_pages::jobs::{self, Job, JobList};
use packit_pages::model::{Catalog, Model};
use packit_pages::view::DetailView;
use serde_json::{Value, json};

/// Entities tried per list: the first failed one and the first other one.
const PER_LIST: usize = 2;

/// One value of every JSON type; a field is drifted to each of another type.
fn drift_values() -> Vec<Value> {
    vec![
        Value::Null,
        json!(true),
        json!(7),
        json!("drift"),
        json!([{"x": 1}]),
        json!({"drift": {"x": 1}, "y": 2}),
    ]
}

/// Another value of the type of `v` (a scalar's), to see where the field shows.
fn probe(v: &Value) -> Option<Value> {
    match v {
        Value::String(s) => Some(json!(format!("{s}-probe"))),
        Value::Number(n) => Some(json!(n.as_i64().unwrap_or(0) + 424_242)),
        Value::Bool(b) => Some(json!(!b)),
        _ => None,
    }
}

fn same_type(a: &Value, b: &Value) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

/// A field's place in a document: object keys and list indexes.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

/// `built_packages[0].epoch`, as the reader names fields.
fn path_text(path: &[Step]) -> String {
    let mut s = String::new();
    for st in path {
        match st {
            Step::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Step::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// Every field of `v` to drift: top-level keys, keys of objects one level down and
/// of the first item of lists of objects.
fn fields(v: &Value) -> Vec<Vec<Step>> {
    let mut out = Vec::new();
    let Value::Object(o) = v else { return out };
    for (k, inner) in o {
        out.push(vec![Step::Key(k.clone())]);
        match inner {
            Value::Object(io) => {
                for ik in io.keys() {
                    out.push(vec![Step::Key(k.clone()), Step::Key(ik.clone())]);
                }
            }
            Value::Array(a) => {
                if let Some(Value::Object(first)) = a.first() {
                    for ik in first.keys() {
                        out.push(vec![
                            Step::Key(k.clone()),
                            Step::Index(0),
                            Step::Key(ik.clone()),
                        ]);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn get_mut<'a>(v: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    let mut v = v;
    for st in path {
        v = match st {
            Step::Key(k) => v.as_object_mut()?.get_mut(k)?,
            Step::Index(i) => v.as_array_mut()?.get_mut(*i)?,
        };
    }
    Some(v)
}

/// `doc` with the field at `path` set to `to` (taken out when `None`).
fn with(doc: &str, path: &[Step], to: Option<&Value>) -> String {
    let mut v: Value = serde_json::from_str(doc).unwrap();
    let (last, parent) = path.split_last().unwrap();
    let p = get_mut(&mut v, parent).unwrap();
    match (last, to) {
        (Step::Key(k), Some(to)) => {
            p[k.as_str()] = to.clone();
        }
        (Step::Key(k), None) => {
            p.as_object_mut().unwrap().remove(k);
        }
        (Step::Index(i), Some(to)) => p[*i] = to.clone(),
        (Step::Index(i), None) => {
            p.as_array_mut().unwrap().remove(*i);
        }
    }
    v.to_string()
}

/// What a page shows of a job: its detail view (for a kind with detail pages) and
/// its list row, as JSON.
fn view(
    m: &Model<'_>,
    list: JobList,
    kind: Kind,
    id: &str,
    l: Option<&str>,
    d: Option<&str>,
) -> Value {
    let keys = jobs::keys(kind, l, d);
    let job = Job {
        id: id.parse().unwrap_or(0),
        key: id,
        list_json: l,
        detail_json: d,
        status: keys.status.as_deref(),
        submitted: keys.submitted,
    };
    let mut out = serde_json::Map::new();
    if kind == list.detail_kind() {
        let mut dv = DetailView::default();
        jobs::detail(list, &job, &mut dv, m).unwrap();
        out.insert("detail".into(), serde_json::to_value(&dv).unwrap());
        if list.has_targets() {
            let row = jobs::target_row(list, &job, m);
            out.insert("target_row".into(), serde_json::to_value(&row).unwrap());
        }
    }
    if kind == list.list_kind() {
        let row = jobs::list_row(list, &job, m).unwrap();
        out.insert("row".into(), serde_json::to_value(&row).unwrap());
    }
    Value::Object(out)
}

/// The paths where two values differ (a list of another length differs as a whole).
fn diff(a: &Value, b: &Value, at: String, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                let (va, vb) = (
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                );
                diff(va, vb, format!("{at}/{k}"), out);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                diff(va, vb, format!("{at}/{i}"), out);
            }
        }
        _ if a != b => out.push(at),
        _ => {}
    }
}

/// The view without its unreadable marks, and the fields they name.
fn split(mut v: Value) -> (Value, Vec<String>) {
    let mut named = Vec::new();
    if let Some(Value::Array(u)) = v
        .get_mut("detail")
        .and_then(|d| d.as_object_mut())
        .and_then(|d| d.remove("unreadable"))
    {
        named.extend(u.iter().map(|x| x["field"].as_str().unwrap().to_string()));
    }
    (v, named)
}

/// The demo entities tried for `list`: (kind, id, list JSON, detail JSON).
fn samples(a: &Archive, list: JobList) -> Vec<(Kind, String, Option<String>, Option<String>)> {
    let mut out = Vec::new();
    for kind in [list.detail_kind(), list.list_kind()] {
        let (mut failed, mut other) = (Vec::new(), Vec::new());
        a.for_each(kind, |e| {
            let failing = matches!(e.status.as_deref(), Some("failure" | "error" | "failed"));
            let slot = if failing { &mut failed } else { &mut other };
            if slot.len() < PER_LIST {
                slot.push((
                    kind,
                    e.id.clone(),
                    e.list_json.clone(),
                    e.detail_json.clone(),
                ));
            }
        })
        .unwrap();
        out.extend(failed.into_iter().take(1));
        out.extend(other.into_iter().take(PER_LIST - 1));
        if list.list_kind() == list.detail_kind() {
            break;
        }
    }
    out
}

#[test]
fn drifting_one_field_costs_only_that_field() {
    let dir = TempDir::new("drift-property");
    let path = dir.join("a.sqlite");
    demo_archive(&path, 60, 11);
    packit_pages::demo::add_demo_logs(&mut Archive::open(&path).unwrap(), 20).unwrap();
    let archive = Archive::open_read_only(&path).unwrap();
    let catalog = Catalog::build(&archive).unwrap();
    let model = Model::new(Archive::open_read_only(&path).unwrap(), &catalog);
    let (mut cases, mut unreadable, mut kinds) = (0usize, 0usize, Vec::new());
    for list in JobList::ALL {
        let samples = samples(&archive, list);
        assert!(!samples.is_empty(), "the demo has {list:?} entities");
        for (kind, id, l, d) in samples {
            kinds.push(kind);
            let base = view(&model, list, kind, &id, l.as_deref(), d.as_deref());
            assert!(
                split(base.clone()).1.is_empty(),
                "{kind:?} {id} reads cleanly"
            );
            // each stored half drifted in turn
            let halves = [(d.clone(), true), (l.clone(), false)];
            for (doc, is_detail) in halves.into_iter().filter_map(|(j, h)| Some((j?, h))) {
                let pair = |doc: String| {
                    if is_detail {
                        (l.clone(), Some(doc))
                    } else {
                        (Some(doc), d.clone())
                    }
                };
                let parsed: Value = serde_json::from_str(&doc).unwrap();
                for path in fields(&parsed) {
                    let field = path_text(&path);
                    let original = get_mut(&mut parsed.clone(), &path).unwrap().clone();
                    if original.is_null() {
                        // a missing value: any type is a value, not a drift
                        continue;
                    }
                    let (rl, rd) = pair(with(&doc, &path, None));
                    let removed = view(&model, list, kind, &id, rl.as_deref(), rd.as_deref());
                    let (removed, named) = split(removed);
                    assert!(
                        named.is_empty(),
                        "{kind:?} {id} without `{field}`: {named:?}"
                    );
                    // what the field shows: the places removing it, or giving it another
                    // value of its type, changes
                    let mut allowed = Vec::new();
                    diff(&base, &removed, String::new(), &mut allowed);
                    if let Some(p) = probe(&original) {
                        let (pl, pd) = pair(with(&doc, &path, Some(&p)));
                        let probed = view(&model, list, kind, &id, pl.as_deref(), pd.as_deref());
                        diff(&base, &split(probed).0, String::new(), &mut allowed);
                    }
                    for to in drift_values().iter().filter(|t| !same_type(t, &original)) {
                        cases += 1;
                        let (dl, dd) = pair(with(&doc, &path, Some(to)));
                        let drifted = view(&model, list, kind, &id, dl.as_deref(), dd.as_deref());
                        let (drifted, named) = split(drifted);
                        let what = format!("{kind:?} {id}: `{field}` {original} → {to}");
                        if named.is_empty() {
                            let mut changed = Vec::new();
                            diff(&base, &drifted, String::new(), &mut changed);
                            for c in &changed {
                                assert!(
                                    allowed
                                        .iter()
                                        .any(|a| c.starts_with(a.as_str())
                                            || a.starts_with(c.as_str())),
                                    "{what}: read as another shape, it changed {c}, which neither removing it nor another value of its type does ({allowed:?})"
                                );
                            }
                        } else {
                            unreadable += 1;
                            assert_eq!(
                                named,
                                vec![field.clone()],
                                "{what}: the page names the field"
                            );
                            assert_eq!(drifted, removed, "{what}: only the field is lost");
                        }
                    }
                }
            }
        }
    }
    for k in [
        Kind::Copr,
        Kind::CoprBuild,
        Kind::Koji,
        Kind::Srpm,
        Kind::TestingFarm,
        Kind::Bodhi,
    ] {
        assert!(kinds.contains(&k), "{k:?} tried");
    }
    assert!(cases > 1000, "{cases} drifts tried");
    assert!(unreadable > cases / 4, "{unreadable} of {cases} unreadable");
}
