//! Koji builds, upstream (scratch) and downstream (production): their list row
//! and detail page.

use super::def::{JobKindDef, ListDef, reads};
use super::derive::{
    Keys, LogSource, inline, linked, log_name_part, many, one, text as field_text,
};
use super::failure::{explain, failed_on, first_errors, message, rpm_error};
use super::{
    Done, Job, JobList, Lookup, built_head, job_row, ld_related, own_chip, parse, srpm_related,
};
use crate::api::Kind;
use crate::api::ListEndpoint;
use crate::api::types::{self, KojiBuild};
use crate::view::{Cell, DetailView, FailureView, Link, LogView, ext_code, fact, text, timeline};
use serde_json::Value;

/// List columns.
pub(super) const COLUMNS: &[&str] = &["Trigger", "Target", "Submitted", "Koji task"];

/// A build row.
pub(super) fn row<L: Lookup + ?Sized>(list: JobList, job: &Job<'_>, lk: &L) -> Vec<Cell> {
    let v: KojiBuild = parse(job.json());
    job_row(
        lk,
        &v.project_info(),
        vec![own_chip(list, job, v.chroot.as_deref(), lk)],
        types::submitted(v.build_submitted_time, v.submitted_time),
        ext_code(v.web_url.as_deref(), v.task_id.clone().unwrap_or_default()),
    )
}

/// The detail page of a build.
pub(super) fn detail<L: Lookup + ?Sized>(
    list: JobList,
    job: &Job<'_>,
    d: &mut DetailView,
    lk: &L,
) -> Done<L> {
    let v: KojiBuild = parse(job.json());
    built_head(d, lk, &v);
    d.facts.extend(fact(
        "Build type",
        text(if list == JobList::Koji {
            "scratch"
        } else {
            "production"
        }),
    ));
    d.facts.extend(fact(
        "Koji task",
        ext_code(v.web_url.as_deref(), v.task_id.clone().unwrap_or_default()),
    ));
    d.timeline = timeline(
        types::submitted(v.build_submitted_time, v.submitted_time),
        v.build_start_time,
        v.build_finished_time,
    );
    for (arch, url) in v
        .build_logs_urls
        .as_ref()
        .map(|l| l.entries())
        .unwrap_or_default()
    {
        d.links
            .extend(Link::ext(Some(&url), format!("Build log ({arch})")));
    }
    d.links
        .extend(Link::ext(v.web_url.as_deref(), "Koji task page"));
    d.errors
        .extend(v.error_message.clone().filter(|s| !s.is_empty()));
    if let Some(out) = v.build_submission_stdout.clone().filter(|s| !s.is_empty()) {
        d.logs.push(LogView {
            title: "Submission output".into(),
            id: "submission-log".into(),
            text: out,
            note: None,
        });
    }
    srpm_related(d, v.srpm_build_id, lk)?;
    ld_related(d, &v.log_detective_runs, lk)
}

/// A Koji error line: an RPM build error, or Koji's own (`BuildError`,
/// `GenericError`, a `FAILED:` task result).
pub fn koji_error(line: &str) -> bool {
    let t = line.trim_start();
    rpm_error(line)
        || t.starts_with("FAILED:")
        || t.contains("BuildError:")
        || t.contains("GenericError:")
        || (t.starts_with("Task ") && t.contains(" failed"))
}

/// The failure box of a Koji build: Koji's error message, the first errors of
/// its build logs (else of the submission output) and Log Detective's explanation.
pub(super) fn failure<L: Lookup + ?Sized>(
    list: JobList,
    job: &Job<'_>,
    lk: &L,
) -> Result<FailureView, L::Error> {
    let v: KojiBuild = parse(job.json());
    let (lines, more) = first_errors(
        lk,
        list,
        job.id,
        &["build-*", "build", "submission"],
        &[("submission", v.build_submission_stdout.as_deref())],
        koji_error,
    )?;
    let mut f = FailureView {
        summary: failed_on("Koji build", v.chroot.as_deref()),
        lines,
        more,
        message: message(v.error_message.as_ref()),
        ..FailureView::default()
    };
    explain(&mut f, &v.log_detective_runs, lk)?;
    if f.lines.is_empty() && f.explanation.is_none() && f.message.is_none() {
        f.summary
            .push_str(" No log of it is archived here; its task is at Koji.");
        f.next = Link::ext(v.web_url.as_deref(), "Koji task page");
    }
    Ok(f)
}

/// Extracted keys of a Koji build; a production (non-scratch) build's target is
/// `downstream:<branch>`.
pub(super) fn keys(list: Option<&str>, detail: Option<&str>) -> Keys {
    let mut v: KojiBuild = parse(detail.or(list));
    if detail.is_some() && list.is_some() {
        // the list item has the packit id and scratch flag; keep them
        let l: KojiBuild = parse(list);
        v.scratch = v.scratch.or(l.scratch);
    }
    let submitted = types::submitted(v.build_submitted_time, v.submitted_time);
    Keys {
        target: match v.scratch {
            Some(false) => Some(format!(
                "downstream:{}",
                v.chroot.clone().unwrap_or_default()
            )),
            _ => v.chroot.clone(),
        },
        ..Keys::job(&v.status, submitted, &v.project_info())
    }
}

/// A Koji build references its SRPM build and its Log Detective runs.
pub(super) fn refs(v: &Value, out: &mut Vec<(Kind, String)>) {
    one(v, "srpm_build_id", Kind::Srpm, out);
    many(v, "log_detective_runs", Kind::LogDetective, out);
}

/// `build_submission_stdout` (inline) and `build_logs_urls` (per arch).
pub(super) fn logs(json: &Value, out: &mut Vec<LogSource>) {
    out.extend(inline(
        "submission",
        field_text(json, "build_submission_stdout"),
    ));
    match json.get("build_logs_urls") {
        Some(Value::Object(m)) => {
            for (arch, u) in m {
                let name = format!("build-{}", log_name_part(arch));
                out.extend(linked(name, u.as_str().map(str::to_string)));
            }
        }
        Some(Value::String(u)) => out.extend(linked("build".into(), Some(u.clone()))),
        _ => {}
    }
}

/// The Koji build kind: upstream (scratch) and downstream (production) builds.
pub(super) const DEF: JobKindDef = JobKindDef {
    kind: Kind::Koji,
    lists: &[
        ListDef {
            legacy_slug: Some("koji-builds"),
            accepts: |t| !downstream(t),
            twin: Some(JobList::KojiDownstream),
            ..ListDef::plain(
                JobList::Koji,
                "koji",
                "Upstream Koji builds",
                "Koji scratch build",
            )
        },
        ListDef {
            legacy_slug: Some("downstream-koji-builds"),
            accepts: downstream,
            twin: Some(JobList::Koji),
            ..ListDef::plain(
                JobList::KojiDownstream,
                "koji-downstream",
                "Downstream Koji builds",
                "Koji production build",
            )
        },
    ],
    api_list: ListEndpoint {
        path: "koji-builds",
        unit: "koji-builds",
        kind: Kind::Koji,
        id_field: "packit_id",
        detail_richer: true,
    },
    api_detail: "koji-builds",
    group: None,
    target_field: None,
    statuses: true,
    project_results: true,
    columns: COLUMNS,
    target_columns: &[],
    read_fields: reads::<KojiBuild>,
    keys,
    refs: Some(refs),
    logs: Some(logs),
    row: |list, job, lk| Ok(row(list, job, lk)),
    target_row: None,
    detail: |list, job, d, lk| detail(list, job, d, lk),
    failure: |list, job, _, lk| failure(list, job, lk),
};

/// Whether a Koji build's extracted target marks a production build.
fn downstream(target: Option<&str>) -> bool {
    target.is_some_and(|t| t.starts_with("downstream:"))
}

#[cfg(test)]
mod tests {
    use super::super::failure::fake::{Fake, fixture};
    use super::*;

    /// Koji: the build.log's compiler error first, Koji's message beside it; the
    /// task output when no build.log is archived.
    #[test]
    fn failure_of_a_koji_build() {
        let json = r#"{"chroot":"f41","status":"failure","error_message":"BuildError: error building package (arch x86_64)","build_submission_stdout":"x"}"#;
        let job = Job {
            id: 9,
            key: "9",
            list_json: None,
            detail_json: Some(json),
            status: Some("failure"),
            submitted: None,
        };
        let lk = Fake {
            logs: vec![
                (Kind::Koji, 9, "submission", fixture("koji-task.txt")),
                (Kind::Koji, 9, "build-x86_64", fixture("koji-build.log")),
            ],
            ..Fake::default()
        };
        let f = failure(JobList::Koji, &job, &lk).unwrap();
        let got: Vec<usize> = f.lines.iter().map(|l| l.line).collect();
        assert_eq!(got, vec![21, 25, 26, 28, 29]);
        assert!(
            f.lines[0]
                .text
                .contains("error: 'PyUnicode_AS_UNICODE' undeclared")
        );
        assert_eq!(
            f.lines[0].href.as_deref(),
            Some("jobs/koji/9/logs/build-x86_64/")
        );
        assert_eq!(
            f.message.as_deref(),
            Some("BuildError: error building package (arch x86_64)")
        );

        let lk = Fake {
            logs: vec![(Kind::Koji, 9, "submission", fixture("koji-task.txt"))],
            ..Fake::default()
        };
        let f = failure(JobList::Koji, &job, &lk).unwrap();
        let got: Vec<usize> = f.lines.iter().map(|l| l.line).collect();
        assert_eq!(got, vec![9, 11]);
        assert!(f.lines[0].text.contains("FAILED: BuildError"));
    }
}
