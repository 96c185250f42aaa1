//! Koji tagging requests: their list row and detail page (Packit records no
//! status for them).

use super::def::{JobKindDef, ListDef, reads};
use super::derive::{Keys, info_keys};
use super::failure::bare;
use super::{Job, JobList, Lookup, detail_path, head, parse};
use crate::api::Kind;
use crate::api::ListEndpoint;
use crate::api::types::KojiTagRequest;
use crate::urls::pct;
use crate::view::{
    Cell, Chip, DetailView, FailureView, Link, Notice, StatusView, ext_code, fact, link_cell,
    timeline, tv,
};

/// List columns.
pub(super) const COLUMNS: &[&str] = &[
    "Trigger",
    "Target",
    "Sidetag",
    "NVR",
    "Submitted",
    "Koji task",
];

/// A link to Koji's exact search for `term` of type `typ` (`tag`, `build`).
fn koji_search(term: Option<&str>, typ: &str) -> Cell {
    let link = term.filter(|t| !t.is_empty()).and_then(|t| {
        Link::ext(
            Some(&format!(
                "https://koji.fedoraproject.org/koji/search?match=exact&type={typ}&terms={}",
                pct(t, false)
            )),
            t,
        )
    });
    link_cell(link, true)
}

/// A request row.
pub(super) fn row<L: Lookup + ?Sized>(list: JobList, job: &Job<'_>, lk: &L) -> Vec<Cell> {
    let v: KojiTagRequest = parse(job.json());
    let id = job.id;
    vec![
        Cell::Trigger {
            v: lk.trigger(&v.project_info()),
        },
        Cell::Chips {
            v: vec![Chip {
                status: StatusView::of("unknown"),
                text: v.chroot.clone().unwrap_or_else(|| format!("#{id}")),
                href: lk.has_detail(list, id).then(|| detail_path(list, id)),
            }],
        },
        koji_search(v.sidetag.as_deref(), "tag"),
        koji_search(v.nvr.as_deref(), "build"),
        Cell::Time {
            v: tv(v.tag_request_submitted_time),
        },
        ext_code(v.web_url.as_deref(), v.task_id.clone().unwrap_or_default()),
    ]
}

/// The failure box of a request (Packit records no status for them, so it is
/// shown only if one ever does): its Koji task is the next step.
pub(super) fn failure(job: &Job<'_>) -> FailureView {
    let v: KojiTagRequest = parse(job.json());
    FailureView {
        next: Link::ext(v.web_url.as_deref(), "Koji task page"),
        ..bare("The Koji tagging request failed.")
    }
}

/// The detail page of a request.
pub(super) fn detail<L: Lookup + ?Sized>(job: &Job<'_>, d: &mut DetailView, lk: &L) {
    let v: KojiTagRequest = parse(job.json());
    let info = v.project_info();
    let sha = v.commit_sha.as_deref();
    head(d, lk, &info, "unknown", v.chroot.clone(), sha);
    d.facts
        .extend(fact("Sidetag", koji_search(v.sidetag.as_deref(), "tag")));
    d.facts
        .extend(fact("NVR", koji_search(v.nvr.as_deref(), "build")));
    d.facts.extend(fact(
        "Koji task",
        ext_code(v.web_url.as_deref(), v.task_id.clone().unwrap_or_default()),
    ));
    d.timeline = timeline(v.tag_request_submitted_time, None, None);
    d.notices.push(Notice {
        level: "info",
        text: "Packit does not record a status for tagging requests.".into(),
    });
}

/// Extracted keys of a tag request: no status, its target is the chroot.
pub(super) fn keys(json: Option<&str>) -> Keys {
    let v: KojiTagRequest = parse(json);
    let (project, trigger) = info_keys(&v.project_info());
    Keys {
        submitted: v.tag_request_submitted_time,
        target: v.chroot.clone(),
        project,
        trigger,
        ..Keys::default()
    }
}

/// The Koji tagging request kind.
pub(super) const DEF: JobKindDef = JobKindDef {
    kind: Kind::KojiTagRequest,
    lists: &[ListDef {
        detail_slug: "koji-tag-request",
        ..ListDef::plain(
            JobList::KojiTagRequests,
            "koji-tag-requests",
            "Koji tagging requests",
            "Koji tagging request",
        )
    }],
    api_list: ListEndpoint {
        path: "koji-tag-requests",
        unit: "koji-tag-requests",
        kind: Kind::KojiTagRequest,
        id_field: "packit_id",
        detail_richer: true,
    },
    api_detail: "koji-tag-requests",
    group: None,
    target_field: None,
    statuses: false,
    project_results: true,
    columns: COLUMNS,
    target_columns: &[],
    read_fields: reads::<KojiTagRequest>,
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
