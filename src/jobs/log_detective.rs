//! Log Detective analyses: their list row and detail page with the explanation and
//! the log snippets by source file.

use super::def::{JobKindDef, ListDef, reads};
use super::derive::Keys;
use super::failure::{bare, message};
use super::{Job, JobList, Lookup, built_head, commit_view, own_chip, parse};
use crate::api::Kind;
use crate::api::ListEndpoint;
use crate::api::types::LogDetectiveRun;
use crate::view::{
    Cell, DetailView, FailureView, LdView, SnippetGroup, SnippetView, fact, opt_text, timeline, tv,
};

/// List columns.
pub(super) const COLUMNS: &[&str] = &["Trigger", "Target", "Analysis", "Commit", "Submitted"];

/// An analysis row.
pub(super) fn row<L: Lookup + ?Sized>(list: JobList, job: &Job<'_>, lk: &L) -> Vec<Cell> {
    let v: LogDetectiveRun = parse(job.json());
    vec![
        Cell::Trigger {
            v: lk.trigger(&v.project_info()),
        },
        Cell::Chips {
            v: vec![own_chip(list, job, v.chroot.as_deref(), lk)],
        },
        Cell::Code {
            v: v.analysis_id.clone().unwrap_or_default(),
        },
        Cell::Commit {
            v: commit_view(&v.project_info(), v.commit_sha.as_deref()),
        },
        Cell::Time {
            v: tv(v.submitted_time),
        },
    ]
}

/// The detail page of an analysis.
pub(super) fn detail<L: Lookup + ?Sized>(job: &Job<'_>, d: &mut DetailView, lk: &L) {
    let v: LogDetectiveRun = parse(job.json());
    built_head(d, lk, &v);
    d.facts.extend(fact(
        "Analysis ID",
        opt_text(v.analysis_id.clone()).into_code(),
    ));
    d.facts.extend(fact(
        "Analysed build",
        opt_text(v.target_build.clone()).into_code(),
    ));
    d.timeline = timeline(v.submitted_time, None, None);
    d.errors
        .extend(v.error_msg.clone().filter(|s| !s.is_empty()));
    let Some(r) = &v.log_detective_response else {
        return;
    };
    let mut groups: Vec<SnippetGroup> = Vec::new();
    for s in &r.snippets {
        let file = s.source_file.clone().unwrap_or_else(|| "log".into());
        let sv = SnippetView {
            line: s.line_number,
            text: s.text.clone().unwrap_or_default(),
            analysis: s.snippet_analysis.clone().filter(|a| !a.is_empty()),
        };
        match groups.iter_mut().find(|g| g.file == file) {
            Some(g) => g.snippets.push(sv),
            None => groups.push(SnippetGroup {
                file,
                snippets: vec![sv],
            }),
        }
    }
    d.ld = Some(LdView {
        explanation: r.explanation.as_ref().and_then(|t| t.text.clone()),
        solution: r.solution.as_ref().and_then(|t| t.text.clone()),
        no_issue_found: r.no_issue_found == Some(true),
        groups,
    });
}

/// The failure box of an analysis that did not complete: its error message.
pub(super) fn failure(job: &Job<'_>) -> FailureView {
    let v: LogDetectiveRun = parse(job.json());
    match message(v.error_msg.as_ref()) {
        Some(m) => FailureView {
            summary: "The Log Detective analysis did not complete.".into(),
            message: Some(m),
            ..FailureView::default()
        },
        None => bare("The Log Detective analysis did not complete."),
    }
}

/// Extracted keys of an analysis; its target is the chroot.
pub(super) fn keys(json: Option<&str>) -> Keys {
    let v: LogDetectiveRun = parse(json);
    Keys {
        target: v.chroot.clone(),
        ..Keys::job(&v.status, v.submitted_time, &v.project_info())
    }
}

/// The Log Detective analysis kind.
pub(super) const DEF: JobKindDef = JobKindDef {
    kind: Kind::LogDetective,
    lists: &[ListDef::plain(
        JobList::LogDetective,
        "log-detective",
        "Log Detective",
        "Log Detective analysis",
    )],
    api_list: ListEndpoint {
        path: "log-detective",
        unit: "log-detective-results",
        kind: Kind::LogDetective,
        id_field: "packit_id",
        detail_richer: false,
    },
    api_detail: "log-detective",
    group: None,
    target_field: None,
    statuses: true,
    project_results: false,
    columns: COLUMNS,
    target_columns: &[],
    read_fields: reads::<LogDetectiveRun>,
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
