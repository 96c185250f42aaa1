//! Testing Farm runs: their list row and detail page with the builds they tested.

mod results;

use super::def::{JobKindDef, ListDef, reads};
use super::derive::{Keys, many};
use super::failure::first_errors;
use super::{Done, Job, JobList, Lookup, head, job_row, own_chip, parse};
use crate::api::Kind;
use crate::api::ListEndpoint;
use crate::api::types::TestingFarmRun;
use crate::view::{
    Cell, DetailView, FailureView, Link, Related, ext_code, fact, opt_text, timeline,
};
use serde_json::Value;

/// List columns.
pub(super) const COLUMNS: &[&str] = &["Trigger", "Target", "Submitted", "Test results"];

/// A run row.
pub(super) fn row<L: Lookup + ?Sized>(list: JobList, job: &Job<'_>, lk: &L) -> Vec<Cell> {
    let v: TestingFarmRun = parse(job.json());
    let target = v.chroot.clone().or(v.target.clone());
    job_row(
        lk,
        &v.project_info(),
        vec![own_chip(list, job, target.as_deref(), lk)],
        v.submitted_time,
        ext_code(
            v.web_url.as_deref(),
            v.pipeline_id.clone().unwrap_or_else(|| "results".into()),
        ),
    )
}

/// The detail page of a run.
pub(super) fn detail<L: Lookup + ?Sized>(job: &Job<'_>, d: &mut DetailView, lk: &L) -> Done<L> {
    let v: TestingFarmRun = parse(job.json());
    let info = v.project_info();
    let sha = v.commit_sha.as_deref().or(v.r#ref.as_deref());
    head(
        d,
        lk,
        &info,
        v.status.as_str(),
        v.chroot.clone().or(v.target.clone()),
        sha,
    );
    d.facts.extend(fact(
        "Pipeline ID",
        opt_text(v.pipeline_id.clone()).into_code(),
    ));
    d.timeline = timeline(v.submitted_time, None, None);
    d.links.extend(Link::ext(
        v.web_url.as_deref(),
        "Test results and artifacts",
    ));
    let mut tested = Vec::new();
    for c in &v.copr_build_ids {
        tested.push(lk.job_chip(Kind::Copr, Some(*c), "", "")?);
    }
    for k in &v.koji_build_ids {
        tested.push(lk.job_chip(Kind::Koji, Some(*k), "", "")?);
    }
    if !tested.is_empty() {
        for c in &mut tested {
            if let Some(h) = &c.href
                && let Some((_, Some(t))) = status_of_href(h, lk)?
            {
                c.text = t.trim_start_matches("downstream:").to_string();
            }
        }
        d.related.push(Related {
            title: "Tested builds".into(),
            chips: tested,
        });
    }
    Ok(())
}

/// A tmt / Testing Farm error line: a failed or errored test or plan result, the
/// summary that counts them, or an error of tmt itself.
pub fn tmt_error(line: &str) -> bool {
    let t = line.trim_start();
    // tmt's progress lines start with the test's duration: `00:00:31 fail /tests/x`
    let t = match t.split_once(' ') {
        Some((d, rest)) if d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit() || b == b':') => {
            rest
        }
        _ => t,
    };
    let counts = t.starts_with("summary:") || t.starts_with("total:");
    t.starts_with("fail ")
        || t.starts_with("errr ")
        || t.starts_with("Error: ")
        || t.starts_with("ERROR ")
        || (counts && (t.contains("failed") || t.contains("error")))
        || t.starts_with("Traceback ")
}

/// The failure box of a run: the first failed tests of an archived tmt log when
/// there is one; Packit archives none today and gives no reason, so mostly it
/// says that, with the results and artifacts at Testing Farm as the next step.
pub(super) fn failure<L: Lookup + ?Sized>(job: &Job<'_>, lk: &L) -> Result<FailureView, L::Error> {
    let v: TestingFarmRun = parse(job.json());
    let (lines, more) = first_errors(lk, JobList::TestingFarm, job.id, &["tmt*"], &[], tmt_error)?;
    let verb = if v.status.as_str() == "error" {
        "ended in an error"
    } else {
        "failed"
    };
    let summary = if lines.is_empty() {
        format!(
            "The Testing Farm run {verb}. Packit passes on no reason and no test log, so \
             nothing more is known here: which tests failed, and why, is in the results \
             and artifacts at Testing Farm."
        )
    } else {
        format!("The Testing Farm run {verb}.")
    };
    Ok(FailureView {
        summary,
        lines,
        more,
        next: Link::ext(v.web_url.as_deref(), "Test results and artifacts"),
        ..FailureView::default()
    })
}

/// Stored status and target of the job a detail page link points to.
#[allow(clippy::type_complexity)]
fn status_of_href<L: Lookup + ?Sized>(
    href: &str,
    lk: &L,
) -> Result<Option<(Option<String>, Option<String>)>, L::Error> {
    let mut parts = href.trim_end_matches('/').rsplit('/');
    let id: i64 = match parts.next().and_then(|s| s.parse().ok()) {
        Some(i) => i,
        None => return Ok(None),
    };
    let slug = parts.next().unwrap_or("");
    match JobList::ALL.into_iter().find(|l| l.detail_slug() == slug) {
        Some(l) => lk.status_of(l.detail_kind(), id),
        None => Ok(None),
    }
}

/// Extracted keys of a Testing Farm run; its target is the chroot (or the target).
pub(super) fn keys(json: Option<&str>) -> Keys {
    let v: TestingFarmRun = parse(json);
    Keys {
        target: v.chroot.clone().or(v.target.clone()),
        ..Keys::job(&v.status, v.submitted_time, &v.project_info())
    }
}

/// A run references the Copr and Koji builds it tested.
pub(super) fn refs(v: &Value, out: &mut Vec<(Kind, String)>) {
    many(v, "copr_build_ids", Kind::Copr, out);
    many(v, "koji_build_ids", Kind::Koji, out);
}

/// The Testing Farm run kind.
pub(super) const DEF: JobKindDef = JobKindDef {
    kind: Kind::TestingFarm,
    lists: &[ListDef {
        legacy_slug: Some("testing-farm-runs"),
        ..ListDef::plain(
            JobList::TestingFarm,
            "testing-farm",
            "Testing Farm runs",
            "Testing Farm run",
        )
    }],
    api_list: ListEndpoint {
        path: "testing-farm/results",
        unit: "test-results",
        kind: Kind::TestingFarm,
        id_field: "packit_id",
        detail_richer: true,
    },
    api_detail: "testing-farm",
    group: None,
    target_field: None,
    statuses: true,
    project_results: true,
    columns: COLUMNS,
    target_columns: &[],
    read_fields: reads::<TestingFarmRun>,
    keys: |list, detail| keys(detail.or(list)),
    refs: Some(refs),
    logs: None,
    row: |list, job, lk| Ok(row(list, job, lk)),
    target_row: None,
    detail: |_, job, d, lk| detail(job, d, lk),
    failure: |_, job, _, lk| failure(job, lk),
};

#[cfg(test)]
mod tests {
    use super::super::failure::fake::{Fake, fixture};
    use super::*;

    /// Nothing is known of a failed run but its status: it says so, with the
    /// artifacts as the next step; a tmt log, were one archived, gives its tests.
    #[test]
    fn failure_of_a_testing_farm_run() {
        let json = r#"{"status":"failed","web_url":"https://artifacts.dev.testing-farm.io/1b2c/"}"#;
        let job = Job {
            id: 4,
            key: "4",
            list_json: None,
            detail_json: Some(json),
            status: Some("failed"),
            submitted: None,
        };
        let f = failure(&job, &Fake::default()).unwrap();
        assert!(
            f.summary.contains("nothing more is known here"),
            "{}",
            f.summary
        );
        let next = f.next.unwrap();
        assert_eq!(
            (next.href.as_str(), next.text.as_str()),
            (
                "https://artifacts.dev.testing-farm.io/1b2c/",
                "Test results and artifacts"
            )
        );
        assert!(f.lines.is_empty());

        let lk = Fake {
            logs: vec![(Kind::TestingFarm, 4, "tmt", fixture("tmt.log"))],
            ..Fake::default()
        };
        let f = failure(&job, &lk).unwrap();
        let got: Vec<usize> = f.lines.iter().map(|l| l.line).collect();
        assert_eq!(got, vec![20, 21, 22, 29]);
        assert!(f.lines[0].text.ends_with("fail /tests/github-api [2/3]"));
        assert!(!tmt_error("        00:00:04 pass /tests/import [1/3]"));
    }
}
