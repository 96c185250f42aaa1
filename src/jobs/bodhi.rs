//! Bodhi updates: their list row and detail page.

use super::def::{JobKindDef, ListDef, reads};
use super::derive::Keys;
use super::failure::{bare, message};
use super::{Job, JobList, Lookup, head, job_row, own_chip, parse};
use crate::api::Kind;
use crate::api::ListEndpoint;
use crate::api::types::BodhiUpdate;
use crate::view::{Cell, DetailView, FailureView, Link, ext_code, fact, opt_text, timeline, tv};

/// List columns.
pub(super) const COLUMNS: &[&str] = &["Trigger", "Branch", "Processed", "Update"];

/// An update row.
pub(super) fn row<L: Lookup + ?Sized>(list: JobList, job: &Job<'_>, lk: &L) -> Vec<Cell> {
    let v: BodhiUpdate = parse(job.json());
    job_row(
        lk,
        &v.project_info(),
        vec![own_chip(list, job, v.branch.as_deref(), lk)],
        v.submitted_time,
        ext_code(v.web_url.as_deref(), v.alias.clone().unwrap_or_default()),
    )
}

/// The detail page of an update.
pub(super) fn detail<L: Lookup + ?Sized>(job: &Job<'_>, d: &mut DetailView, lk: &L) {
    let v: BodhiUpdate = parse(job.json());
    let info = v.project_info();
    head(d, lk, &info, v.status.as_str(), v.branch.clone(), None);
    d.facts.extend(fact(
        "Update",
        ext_code(v.web_url.as_deref(), v.alias.clone().unwrap_or_default()),
    ));
    d.facts.extend(fact(
        "Koji builds",
        opt_text(v.koji_nvrs.clone().filter(|s| !s.is_empty())).into_code(),
    ));
    d.timeline = timeline(v.submitted_time, None, None);
    if let Some(t) = tv(v.update_creation_time) {
        d.timeline.extra.push(("Update created".into(), t));
    }
    d.links
        .extend(Link::ext(v.web_url.as_deref(), "Bodhi update page"));
    d.errors
        .extend(v.error_message.clone().filter(|s| !s.is_empty()));
}

/// The failure box of an update: Bodhi's (or Packit's) error message.
pub(super) fn failure(job: &Job<'_>) -> FailureView {
    let v: BodhiUpdate = parse(job.json());
    let to = v
        .branch
        .as_deref()
        .map(|b| format!(" for {b}"))
        .unwrap_or_default();
    match message(v.error_message.as_ref()) {
        Some(m) => FailureView {
            summary: format!("Packit could not create the Bodhi update{to}."),
            message: Some(m),
            ..FailureView::default()
        },
        None => bare(&format!("The Bodhi update{to} failed.")),
    }
}

/// Extracted keys of an update; its target is the branch.
pub(super) fn keys(json: Option<&str>) -> Keys {
    let v: BodhiUpdate = parse(json);
    Keys {
        target: v.branch.clone(),
        ..Keys::job(&v.status, v.submitted_time, &v.project_info())
    }
}

/// The Bodhi update kind.
pub(super) const DEF: JobKindDef = JobKindDef {
    kind: Kind::Bodhi,
    lists: &[ListDef {
        legacy_slug: Some("bodhi-updates"),
        ..ListDef::plain(JobList::Bodhi, "bodhi", "Bodhi updates", "Bodhi update")
    }],
    api_list: ListEndpoint {
        path: "bodhi-updates",
        unit: "bodhi-updates",
        kind: Kind::Bodhi,
        id_field: "packit_id",
        detail_richer: true,
    },
    api_detail: "bodhi-updates",
    group: None,
    target_field: None,
    statuses: true,
    project_results: true,
    columns: COLUMNS,
    target_columns: &[],
    read_fields: reads::<BodhiUpdate>,
    keys: |list, detail| keys(detail.or(list)),
    refs: None,
    logs: None,
    row: |list, job, lk| Ok(row(list, job, lk)),
    target_row: None,
    detail: |_, job, d, lk| {
        detail(job, d, lk);
        Ok(())
    },
    failure: |_, job, _, _| Ok(failure(job)),
};
