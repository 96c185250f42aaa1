//! The compact filter indexes the list filter script reads: `idx/<list>/meta.js`
//! (shard count, total, status classes) and `idx/<list>/<n>.js` (one shard,
//! columnar and delta-encoded).

use super::Ctx;
use super::PageError;
use crate::api::Kind;
use crate::api::types::{Status, StatusClass};
use crate::archive::feeds::IndexRow;
use crate::model::{JobList, Model, Section};
use crate::plan::{IndexList, STATUS_CLASSES};
use std::collections::HashMap;

/// A per-shard dictionary: strings to small integer codes.
#[derive(Default)]
struct Dict {
    names: Vec<String>,
    codes: HashMap<String, usize>,
}

impl Dict {
    fn code(&mut self, s: &str) -> i64 {
        if let Some(c) = self.codes.get(s) {
            return *c as i64;
        }
        self.names.push(s.to_string());
        self.codes.insert(s.to_string(), self.names.len() - 1);
        (self.names.len() - 1) as i64
    }
}

/// Code of a status class in [`STATUS_CLASSES`].
fn class_code(list: Option<JobList>, status: Option<&str>) -> i64 {
    let class = if list.is_some_and(|l| !l.kind_def().statuses) {
        StatusClass::Unknown
    } else {
        Status::new(status.unwrap_or("")).class()
    };
    STATUS_CLASSES.iter().position(|c| *c == class).unwrap_or(7) as i64
}

/// Trigger kind code (0 none, 1 pull request, 2 branch, 3 release, 4 issue) and
/// value (number for pull requests and issues, else text).
fn trigger_code(trigger: Option<&str>) -> (i64, serde_json::Value) {
    match trigger.and_then(Section::of_trigger) {
        None => (0, serde_json::Value::from("")),
        Some((s, v)) => {
            let k = match s {
                Section::Prs => 1,
                Section::Branches => 2,
                Section::Releases => 3,
                Section::Issues => 4,
            };
            let val = match (k, v.parse::<i64>()) {
                (1 | 4, Ok(n)) => serde_json::Value::from(n),
                _ => serde_json::Value::from(v),
            };
            (k, val)
        }
    }
}

fn js_push(name: &str, n: u32, data: &serde_json::Value) -> Result<Vec<u8>, PageError> {
    let mut out = format!(
        "(window.PP_IDX=window.PP_IDX||[]).push([{},{n},",
        serde_json::to_string(name)?
    )
    .into_bytes();
    serde_json::to_writer(&mut out, data)?;
    out.extend_from_slice(b"]);\n");
    Ok(out)
}

/// `idx/<list>/meta.js`: shard count, total, the status classes and where pages are.
pub(super) fn index_meta(ctx: &Ctx<'_>, i: IndexList) -> Result<Vec<u8>, PageError> {
    let (detail, grouped, total) = match i {
        IndexList::Jobs(l) => (
            format!("jobs/{}/", l.detail_slug()),
            l.has_targets(),
            i.ids(ctx.catalog).len(),
        ),
        IndexList::Pipelines => ("pipeline/".into(), false, ctx.catalog.pipelines.len()),
        IndexList::Projects => ("projects/".into(), false, ctx.catalog.projects.len()),
    };
    let data = serde_json::json!({
        "shards": i.shards(ctx.catalog),
        "total": total,
        "grouped": grouped,
        "detail": detail,
        "classes": STATUS_CLASSES.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
    });
    js_push(i.slug(), 0, &data)
}

/// `idx/<list>/<n>.js`: one shard of a filter index, columnar and delta-encoded
/// to stay small. Per shard, `p` and `t` are dictionaries (project keys, target
/// names) and the columns hold one entry per row:
///
/// - `id`: the first id, then differences to the previous one (ids ascend);
/// - `ts`: submission times (UNIX seconds) the same way (0 = unknown);
/// - `s`: a string with one digit per row, the status class (index in
///   [`STATUS_CLASSES`]);
/// - `pj`: project codes (-1 = none);
/// - `tk`: a string with one digit per row, the trigger kind (0 none, 1 pull
///   request, 2 branch, 3 release, 4 issue), and `tv` the trigger values of the
///   rows that have one (numbers for pull requests and issues);
/// - `g`: targets. Single-target job lists: one target code per row (-1 = none).
///   Grouping lists (Copr, sync releases): per row a count `n`, then `n` pairs
///   `target code × 8 + status`, detail id as difference to the previous detail id
///   of the shard. Pipelines: per row a count, then that many target codes.
///
/// Projects: `r` is a list of `[key, pipelines, pull requests, branches,
/// releases, issues]`.
pub(super) fn index_shard(
    ctx: &Ctx<'_>,
    m: &Model<'_>,
    i: IndexList,
    n: u32,
) -> Result<Vec<u8>, PageError> {
    use serde_json::{Value, json};
    let cat = ctx.catalog;
    if i == IndexList::Projects {
        let mut rows = Vec::with_capacity(cat.projects.len());
        for p in cat.projects_az() {
            let r = m.project_row(p)?;
            rows.push(json!([
                p.key,
                r.pipelines,
                r.prs,
                r.branches,
                r.releases,
                r.issues
            ]));
        }
        return js_push(i.slug(), n, &json!({ "r": rows }));
    }
    let mut projects = Dict::default();
    let mut targets = Dict::default();
    let (mut id, mut ts, mut s, mut pj, mut tk, mut tv, mut g) = (
        Vec::<i64>::new(),
        Vec::<i64>::new(),
        String::new(),
        Vec::<i64>::new(),
        String::new(),
        Vec::<Value>::new(),
        Vec::<i64>::new(),
    );
    let ids = i.shard(cat, n);
    if let (Some(lo), Some(hi)) = (ids.first(), ids.last()) {
        let (kind, list) = match i {
            IndexList::Jobs(l) => (l.list_kind(), Some(l)),
            _ => (Kind::Pipeline, None),
        };
        let grouped = list.is_none_or(|l| l.has_targets());
        let rows = m.archive().index_rows(kind, *lo, *hi, grouped)?;
        let (mut prev_id, mut prev_t, mut prev_detail) = (0i64, 0i64, 0i64);
        for r in rows {
            let IndexRow {
                num,
                status,
                submitted,
                project,
                trigger,
                target,
                json,
            } = r;
            if ids.binary_search(&num).is_err() {
                continue;
            }
            id.push(num - prev_id);
            prev_id = num;
            let t = submitted.unwrap_or(0);
            ts.push(t - prev_t);
            prev_t = t;
            s.push_str(&class_code(list, status.as_deref()).to_string());
            pj.push(match project.as_deref() {
                Some(p) if cat.projects.contains_key(p) => projects.code(p),
                _ => -1,
            });
            let (k, v) = trigger_code(trigger.as_deref());
            tk.push_str(&k.to_string());
            if k > 0 {
                tv.push(v);
            }
            let group = list.and_then(|l| l.kind_def().group.as_ref());
            match (list, group) {
                (Some(_), Some(group)) => {
                    let per = (group.per_target)(json.as_deref());
                    g.push(per.len() as i64);
                    for (t, st, d) in per {
                        g.push(targets.code(&t) * 8 + class_code(list, Some(st.0.as_str())));
                        let d = d.unwrap_or(0);
                        g.push(d - prev_detail);
                        prev_detail = d;
                    }
                }
                (Some(_), None) => g.push(
                    match target
                        .as_deref()
                        .map(|t| t.strip_prefix("downstream:").unwrap_or(t))
                    {
                        Some(t) if !t.is_empty() => targets.code(t),
                        _ => -1,
                    },
                ),
                (None, _) => {
                    let run: crate::api::types::Run = parse_or_default(json.as_deref());
                    let mut codes: Vec<i64> = crate::archive::run_jobs(&run)
                        .filter_map(|(_, job)| job.target.as_deref())
                        .filter(|t| !t.is_empty())
                        .map(|t| targets.code(t))
                        .collect();
                    codes.sort_unstable();
                    codes.dedup();
                    g.push(codes.len() as i64);
                    g.extend(codes);
                }
            }
        }
    }
    js_push(
        i.slug(),
        n,
        &json!({"p": projects.names, "t": targets.names, "id": id, "ts": ts, "s": s, "pj": pj, "tk": tk, "tv": tv, "g": g}),
    )
}

fn parse_or_default<T: serde::de::DeserializeOwned + Default>(s: Option<&str>) -> T {
    crate::jobs::parse(s)
}
