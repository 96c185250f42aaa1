//! SRPM builds: their list row and detail page, with the build log kept from an
//! older archived version once Packit blanks it.

use super::def::{JobKindDef, ListDef, reads};
use super::derive::{Keys, LogSource, inline, linked, text as field_text};
use super::failure::{first_errors, rpm_error};
use super::{Done, Job, JobList, Lookup, detail_path, job_row, own_chip, parse};
use crate::api::Kind;
use crate::api::ListEndpoint;
use crate::api::types::{self, ProjectInfo, SrpmBuild};
use crate::time;
use crate::view::{
    Cell, DetailView, FailureView, Link, LogView, Notice, StatusView, ext_code, fact, link_cell,
    timeline,
};
use serde_json::Value;

/// List columns.
pub(super) const COLUMNS: &[&str] = &["Trigger", "Result", "Submitted", "Job"];

/// The trigger of an SRPM build: from its detail, else from its list item.
fn info_of(v: &SrpmBuild, job: &Job<'_>) -> ProjectInfo {
    let l: SrpmBuild = parse(job.list_json);
    if v.project_url.is_some() {
        v.project_info()
    } else {
        l.project_info()
    }
}

/// A build row.
pub(super) fn row<L: Lookup + ?Sized>(list: JobList, job: &Job<'_>, lk: &L) -> Vec<Cell> {
    let v: SrpmBuild = parse(job.json());
    let id = job.id;
    job_row(
        lk,
        &info_of(&v, job),
        vec![own_chip(list, job, Some("SRPM"), lk)],
        job.submitted,
        link_cell(
            lk.has_detail(list, id)
                .then(|| Link::int(detail_path(list, id), format!("#{id}"))),
            false,
        ),
    )
}

/// The detail page of a build.
pub(super) fn detail<L: Lookup + ?Sized>(job: &Job<'_>, d: &mut DetailView, lk: &L) -> Done<L> {
    let v: SrpmBuild = parse(job.json());
    let info = info_of(&v, job);
    d.status = Some(StatusView::of(v.status.as_str()));
    d.trigger = lk.trigger(&info);
    d.timeline = timeline(
        types::submitted(v.build_submitted_time, v.submitted_time).or(job.submitted),
        v.build_start_time,
        v.build_finished_time,
    );
    d.facts.extend(fact(
        "Copr build",
        ext_code(
            v.copr_web_url.as_deref(),
            v.copr_build_id.clone().unwrap_or_else(|| "Copr".into()),
        ),
    ));
    d.links.extend(Link::ext(v.url.as_deref(), "SRPM download"));
    d.links
        .extend(Link::ext(v.logs_url.as_deref(), "Build logs"));
    d.links
        .extend(Link::ext(v.copr_web_url.as_deref(), "Copr build page"));
    match v.logs.clone().filter(|s| !s.is_empty()) {
        Some(t) => d.logs.push(LogView {
            title: "Build log".into(),
            id: "build-log".into(),
            text: t,
            note: None,
        }),
        None => {
            // Packit blanks SRPM logs after 30 days; the archive may still
            // hold them in an older version.
            let old = lk
                .history(Kind::Srpm, job.key)?
                .into_iter()
                .find_map(|(at, _, det)| {
                    let o: SrpmBuild = parse(det.as_deref());
                    o.logs.filter(|s| !s.is_empty()).map(|t| (at, t))
                });
            if let Some((at, t)) = old {
                d.logs.push(LogView {
                    title: "Build log".into(),
                    id: "build-log".into(),
                    text: t,
                    note: Some(format!(
                        "Packit no longer serves this log; this copy was archived before {}.",
                        time::human_utc(at)
                    )),
                });
            } else if v.logs_url.is_none() {
                d.notices.push(Notice {
                    level: "info",
                    text: "The build log is not available.".into(),
                });
            }
        }
    }
    Ok(())
}

/// An SRPM error line: an RPM build error, or Packit's own (an exception, a
/// failed command, an `ERROR` log record).
pub fn srpm_error(line: &str) -> bool {
    let t = line.trim_start();
    rpm_error(line)
        || t.contains("Exception:")
        || t.contains(" ERROR ")
        || t.starts_with("SRPM build failed")
        || t.contains("Command failed")
}

/// The failure box of an SRPM build: the first errors of its log (archived, else
/// the text the API returns, else the copy kept from an older version, which
/// the detail view found) or a pointer to the logs upstream.
pub(super) fn failure<L: Lookup + ?Sized>(
    job: &Job<'_>,
    d: &DetailView,
    lk: &L,
) -> Result<FailureView, L::Error> {
    let v: SrpmBuild = parse(job.json());
    let shown = d.logs.first().map(|l| l.text.as_str());
    let (lines, more) = first_errors(
        lk,
        JobList::Srpm,
        job.id,
        &["srpm", "srpm-builder-live"],
        &[("srpm", shown)],
        srpm_error,
    )?;
    let mut f = FailureView {
        summary: "The SRPM build failed, so nothing was built from it.".into(),
        lines,
        more,
        ..FailureView::default()
    };
    if f.lines.is_empty() {
        f.summary
            .push_str(" Packit gives no reason and no log of it is archived here.");
        f.next = Link::ext(v.logs_url.as_deref(), "Build logs")
            .or_else(|| Link::ext(v.copr_web_url.as_deref(), "Copr build page"));
    }
    Ok(f)
}

/// Extracted keys of an SRPM build: the detail's fields, the list item's where the
/// detail lacks them.
pub(super) fn keys(list: Option<&str>, best: Option<&str>) -> Keys {
    let v: SrpmBuild = parse(best);
    let l: SrpmBuild = parse(list);
    let submitted = types::submitted(v.build_submitted_time, v.submitted_time)
        .or(types::submitted(l.build_submitted_time, l.submitted_time));
    let info = if v.project_url.is_some() {
        v.project_info()
    } else {
        l.project_info()
    };
    Keys::job(&v.status, submitted, &info)
}

/// `logs` (inline) and `logs_url`.
pub(super) fn logs(json: &Value, out: &mut Vec<LogSource>) {
    out.extend(inline("srpm", field_text(json, "logs")));
    out.extend(linked(
        "srpm-builder-live".into(),
        field_text(json, "logs_url"),
    ));
}

/// The SRPM build kind.
pub(super) const DEF: JobKindDef = JobKindDef {
    kind: Kind::Srpm,
    lists: &[ListDef {
        legacy_slug: Some("srpm-builds"),
        ..ListDef::plain(JobList::Srpm, "srpm", "SRPM builds", "SRPM build")
    }],
    api_list: ListEndpoint {
        path: "srpm-builds",
        unit: "srpm-builds",
        kind: Kind::Srpm,
        id_field: "srpm_build_id",
        detail_richer: true,
    },
    api_detail: "srpm-builds",
    group: None,
    target_field: None,
    statuses: true,
    project_results: true,
    columns: COLUMNS,
    target_columns: &[],
    read_fields: reads::<SrpmBuild>,
    keys: |list, detail| keys(list, detail.or(list)),
    refs: None,
    logs: Some(logs),
    row: |list, job, lk| Ok(row(list, job, lk)),
    target_row: None,
    detail: |_, job, d, lk| detail(job, d, lk),
    failure: |_, job, d, lk| failure(job, d, lk),
};

#[cfg(test)]
mod tests {
    use super::super::failure::fake::{Fake, fixture};
    use super::*;

    /// rpmbuild -bs in Packit's SRPM log: from the API's `logs` when it is not
    /// archived (no link), from the archived log otherwise.
    #[test]
    fn failure_of_an_srpm_build() {
        let log = fixture("srpm.log");
        let json = serde_json::json!({"status": "failure", "logs": log}).to_string();
        let job = Job {
            id: 5,
            key: "5",
            list_json: None,
            detail_json: Some(&json),
            status: Some("failure"),
            submitted: None,
        };
        let mut d = DetailView::default();
        detail(&job, &mut d, &Fake::default()).unwrap();
        let f = failure(&job, &d, &Fake::default()).unwrap();
        let got: Vec<usize> = f.lines.iter().map(|l| l.line).collect();
        assert_eq!(got, vec![9, 10, 11, 12]);
        assert!(f.lines[0].text.starts_with("error: Bad source:"));
        assert!(f.lines[0].href.is_none());
        let lk = Fake {
            logs: vec![(Kind::Srpm, 5, "srpm", log)],
            ..Fake::default()
        };
        let f = failure(&job, &d, &lk).unwrap();
        assert_eq!(f.lines[0].href.as_deref(), Some("jobs/srpm/5/logs/srpm/"));
        // nothing known: the logs upstream
        let bare =
            r#"{"status":"failure","logs_url":"https://copr.example/srpm/builder-live.log"}"#;
        let job = Job {
            detail_json: Some(bare),
            ..job
        };
        let f = failure(&job, &DetailView::default(), &Fake::default()).unwrap();
        assert!(f.lines.is_empty());
        assert_eq!(f.next.unwrap().text, "Build logs");
    }
}
