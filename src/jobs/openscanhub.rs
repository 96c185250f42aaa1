//! OpenScanHub scans: their list row and detail page with the scanned Copr build.

use super::def::{JobKindDef, ListDef, reads};
use super::derive::{Keys, one};
use super::failure::bare;
use super::{Done, Job, JobList, Lookup, head, own_chip, parse};
use crate::api::Kind;
use crate::api::ListEndpoint;
use crate::api::types::OpenScanHubScan;
use crate::view::{
    Cell, DetailView, FailureView, Link, Related, ext_code, fact, link_cell, opt_text, timeline, tv,
};
use serde_json::Value;

/// List columns.
pub(super) const COLUMNS: &[&str] = &[
    "Trigger",
    "Scan",
    "New findings",
    "Processed",
    "OSH task",
    "All findings",
];

/// The OSH task link of a scan.
fn task(v: &OpenScanHubScan) -> Cell {
    ext_code(
        v.url.as_deref(),
        v.task_id.map(|t| t.to_string()).unwrap_or_default(),
    )
}

/// A scan row.
pub(super) fn row<L: Lookup + ?Sized>(list: JobList, job: &Job<'_>, lk: &L) -> Vec<Cell> {
    let v: OpenScanHubScan = parse(job.json());
    vec![
        Cell::Trigger {
            v: lk.trigger(&v.project_info()),
        },
        Cell::Chips {
            v: vec![own_chip(list, job, Some("scan"), lk)],
        },
        opt_text(v.issues_added_count.map(|n| n.to_string())),
        Cell::Time {
            v: tv(v.submitted_time),
        },
        task(&v),
        link_cell(Link::ext(v.scan_results_url.as_deref(), "results"), false),
    ]
}

/// The failure box of a scan: nothing is known beyond its status; the task at
/// OpenScanHub is the next step.
pub(super) fn failure(job: &Job<'_>) -> FailureView {
    let v: OpenScanHubScan = parse(job.json());
    FailureView {
        next: Link::ext(v.url.as_deref(), "OpenScanHub task"),
        ..bare("The OpenScanHub scan failed.")
    }
}

/// The detail page of a scan.
pub(super) fn detail<L: Lookup + ?Sized>(job: &Job<'_>, d: &mut DetailView, lk: &L) -> Done<L> {
    let v: OpenScanHubScan = parse(job.json());
    let info = v.project_info();
    head(d, lk, &info, v.status.as_str(), None, None);
    d.facts.extend(fact(
        "New findings",
        opt_text(v.issues_added_count.map(|n| n.to_string())),
    ));
    d.facts.extend(fact("OSH task", task(&v)));
    d.timeline = timeline(v.submitted_time, None, None);
    d.links
        .extend(Link::ext(v.issues_added_url.as_deref(), "Added findings"));
    d.links
        .extend(Link::ext(v.issues_fixed_url.as_deref(), "Fixed findings"));
    d.links
        .extend(Link::ext(v.scan_results_url.as_deref(), "All findings"));
    if let Some(c) = v.copr_build_target_id {
        d.related.push(Related {
            title: "Scanned Copr build".into(),
            chips: vec![lk.job_chip(Kind::Copr, Some(c), "", "")?],
        });
    }
    Ok(())
}

/// Extracted keys of a scan.
pub(super) fn keys(json: Option<&str>) -> Keys {
    let v: OpenScanHubScan = parse(json);
    Keys::job(&v.status, v.submitted_time, &v.project_info())
}

/// A scan references the Copr build it analysed.
pub(super) fn refs(v: &Value, out: &mut Vec<(Kind, String)>) {
    one(v, "copr_build_target_id", Kind::Copr, out);
}

/// The OpenScanHub scan kind.
pub(super) const DEF: JobKindDef = JobKindDef {
    kind: Kind::OpenScanHub,
    lists: &[ListDef::plain(
        JobList::OpenScanHub,
        "openscanhub",
        "OpenScanHub scans",
        "OpenScanHub scan",
    )],
    api_list: ListEndpoint {
        path: "openscanhub-scans",
        unit: "openscanhub-scans",
        kind: Kind::OpenScanHub,
        id_field: "packit_id",
        detail_richer: false,
    },
    api_detail: "openscanhub-scans",
    group: None,
    target_field: None,
    statuses: true,
    project_results: true,
    columns: COLUMNS,
    target_columns: &[],
    read_fields: reads::<OpenScanHubScan>,
    keys: |list, detail| keys(detail.or(list)),
    refs: Some(refs),
    logs: None,
    row: |list, job, lk| Ok(row(list, job, lk)),
    target_row: None,
    detail: |_, job, d, lk| detail(job, d, lk),
    failure: |_, job, _, _| Ok(failure(job)),
};
