//! What the failure box of a failed job page is made of: the first error lines of
//! a job's archived logs (picked by a rule each kind gives), or the causes of a
//! build's failure ranked by `failure/extract.rs` with the tool patterns of
//! `failure/rules.rs`, the Log Detective explanation of its analyses, and the box
//! itself. Each kind's `failure` function (in its own file) decides which logs,
//! which rule and which API text.

#[cfg(test)]
mod corpus_tests;
mod extract;
mod rules;
#[cfg(test)]
mod rules_tests;

use extract::causes;

use super::{Lookup, detail_path, parse};
use crate::api::Kind;
use crate::api::types::{LogDetectiveRun, Status};
use crate::html::strip_ansi;
use crate::view::{DetailView, ErrorDetail, ErrorLine, FailureView};

/// Error lines listed in the box at most.
pub(super) const FIRST_LINES: usize = 5;

/// Human title of a log name (`builder-live` → `builder-live.log`).
pub fn log_title(name: &str) -> String {
    match name {
        "srpm" => "SRPM build log".into(),
        "srpm-builder-live" => "SRPM builder-live.log".into(),
        "builder-live" => "builder-live.log".into(),
        "build" => "build.log".into(),
        "submission" => "Koji submission output".into(),
        "sync-release" => "Sync-release log".into(),
        n => match n.strip_prefix("build-") {
            Some(arch) => format!("build.log ({arch})"),
            None => n.to_string(),
        },
    }
}

/// The lines of `text` that `pick` accepts, numbered as the log page numbers them
/// (split at `\n`, a carriage-return redraw keeps its last state, ANSI removed).
pub fn picked_lines(text: &str, pick: fn(&str) -> bool) -> Vec<(usize, String)> {
    if text.is_empty() {
        return Vec::new();
    }
    let body = text.strip_suffix('\n').unwrap_or(text);
    body.split('\n')
        .enumerate()
        .filter_map(|(i, raw)| {
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            let raw = raw.rsplit('\r').next().unwrap_or(raw);
            let plain = strip_ansi(raw);
            pick(&plain).then(|| (i + 1, plain.trim_end().chars().take(300).collect()))
        })
        .collect()
}

/// The error lines of an RPM build as rpmbuild, mock, the compiler, make and the
/// test runners print them (the shared rule of Copr, Koji and SRPM build logs).
pub fn rpm_error(line: &str) -> bool {
    let t = line.trim_start();
    let lower = t.to_ascii_lowercase();
    // mock and Copr prefix their own lines: `ERROR: Exception(...)`
    lower.starts_with("error:")
        || t.starts_with("ERROR:")
        || t.starts_with("ERROR ")
        || lower.contains(": error:")
        || lower.contains("] error ")
        || t.starts_with("Bad exit status from")
        || t.starts_with("RPM build errors:")
        || t.starts_with("FAILED ")
        || t.starts_with("FAILED:")
        || t.starts_with("No matching package to install")
        || t.starts_with("Problem: ")
        || t.contains("nothing provides")
        || t.contains("status FAILED")
        || lower.starts_with("fatal:")
        || lower.starts_with("fatal error:")
}

/// The first error lines of job `id` of `list` (its pages are that list's): from the first archived log, in the
/// order of `names` (a name ending in `*` matches a prefix), that has any. Logs
/// not archived but given `inline` (the API's own text) are read too, without a
/// link. Returns the lines and how many more that log has.
pub(super) fn first_errors<L: Lookup + ?Sized>(
    lk: &L,
    list: super::JobList,
    id: i64,
    names: &[&str],
    inline: &[(&str, Option<&str>)],
    pick: fn(&str) -> bool,
) -> Result<(Vec<ErrorLine>, usize), L::Error> {
    first_in_logs(lk, list, id, names, inline, |log, href, text| {
        let found = picked_lines(text, pick);
        (!found.is_empty()).then(|| lines_of(log, href, found))
    })
}

/// The causes of the failure of build job `id` of `list`, each with its detail
/// lines ([`causes`]): from the first log, in the order of `names`, in which any
/// is found, as [`first_errors`] reads them. Returns the causes and how many more
/// that log has.
#[cfg_attr(
    not(test),
    expect(
        dead_code,
        reason = "the Copr, Koji and SRPM kinds call it in place of first_errors once they switch"
    )
)]
pub(super) fn first_causes<L: Lookup + ?Sized>(
    lk: &L,
    list: super::JobList,
    id: i64,
    names: &[&str],
    inline: &[(&str, Option<&str>)],
) -> Result<(Vec<ErrorLine>, usize), L::Error> {
    first_in_logs(lk, list, id, names, inline, |log, href, text| {
        let (found, more) = causes(text);
        (!found.is_empty()).then(|| {
            let lines = found
                .into_iter()
                .map(|c| ErrorLine {
                    log: log.to_string(),
                    href: href.clone(),
                    line: c.line,
                    text: c.text,
                    details: c
                        .details
                        .into_iter()
                        .map(|(line, text)| ErrorDetail { line, text })
                        .collect(),
                })
                .collect();
            (lines, more)
        })
    })
}

/// What `found` finds in the first log of job `id`, in the order of `names`,
/// that it finds anything in (archived logs with a link to their page, then the
/// `inline` texts without).
fn first_in_logs<L, F>(
    lk: &L,
    list: super::JobList,
    id: i64,
    names: &[&str],
    inline: &[(&str, Option<&str>)],
    found: F,
) -> Result<(Vec<ErrorLine>, usize), L::Error>
where
    L: Lookup + ?Sized,
    F: Fn(&str, Option<String>, &str) -> Option<(Vec<ErrorLine>, usize)>,
{
    let archived = lk.log_texts(list.detail_kind(), id)?;
    let matches = |pat: &str, name: &str| match pat.strip_suffix('*') {
        Some(p) => name.starts_with(p),
        None => name == pat,
    };
    for pat in names {
        for (name, text) in archived.iter().filter(|(n, _)| matches(pat, n)) {
            let href = Some(format!("{}logs/{name}/", detail_path(list, id)));
            if let Some(got) = found(&log_title(name), href, text) {
                return Ok(got);
            }
        }
        if let Some((name, Some(text))) = inline.iter().find(|(n, _)| matches(pat, n))
            && let Some(got) = found(&log_title(name), None, text)
        {
            return Ok(got);
        }
    }
    Ok((Vec::new(), 0))
}

fn lines_of(
    log: &str,
    href: Option<String>,
    found: Vec<(usize, String)>,
) -> (Vec<ErrorLine>, usize) {
    let more = found.len().saturating_sub(FIRST_LINES);
    let lines = found
        .into_iter()
        .take(FIRST_LINES)
        .map(|(line, text)| ErrorLine {
            log: log.to_string(),
            href: href.clone(),
            line,
            text,
            details: Vec::new(),
        })
        .collect();
    (lines, more)
}

/// Adds the explanation of the newest complete Log Detective analysis among `runs`.
pub(super) fn explain<L: Lookup + ?Sized>(
    f: &mut FailureView,
    runs: &[i64],
    lk: &L,
) -> Result<(), L::Error> {
    for id in runs.iter().rev() {
        let Some(json) = lk.entity_json(Kind::LogDetective, *id)? else {
            continue;
        };
        let v: LogDetectiveRun = parse(Some(&json));
        let Some(r) = v.log_detective_response else {
            continue;
        };
        let explanation = r.explanation.and_then(|t| t.text).filter(|t| !t.is_empty());
        if explanation.is_none() && r.no_issue_found != Some(true) {
            continue;
        }
        f.explanation = explanation.or_else(|| Some("Log Detective found no issue.".into()));
        f.solution = r.solution.and_then(|t| t.text).filter(|t| !t.is_empty());
        f.analysis = lk
            .has_detail(super::JobList::LogDetective, *id)
            .then(|| detail_path(super::JobList::LogDetective, *id));
        return Ok(());
    }
    Ok(())
}

/// Whether the job of detail view `d` failed or errored.
pub(super) fn failed(d: &DetailView) -> bool {
    d.status
        .as_ref()
        .is_some_and(|s| Status::new(&s.text).class().is_failure())
}

/// The box of a job of which nothing more than its status is known.
pub(super) fn bare(what: &str) -> FailureView {
    FailureView {
        summary: format!("{what} Packit reports no reason, and no log is archived."),
        ..FailureView::default()
    }
}

/// "The <what> for <target> failed." (without the target when there is none).
pub(super) fn failed_on(what: &str, target: Option<&str>) -> String {
    match target {
        Some(t) => format!("The {what} for {t} failed."),
        None => format!("The {what} failed."),
    }
}

/// The API's own error text, when it has any.
pub(super) fn message(m: Option<&String>) -> Option<String> {
    m.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// A [`Lookup`] over fixed logs and entities, for the kinds' failure tests.
#[cfg(test)]
pub(super) mod fake {
    use super::super::{JobList, Lookup};
    use crate::api::Kind;
    use crate::api::types::ProjectInfo;
    use crate::view::{Chip, StatusView, TriggerView};
    use std::convert::Infallible;

    /// Archived logs (kind, id, name, text) and entities (kind, id, JSON).
    #[derive(Default)]
    pub(in crate::jobs) struct Fake {
        pub(in crate::jobs) logs: Vec<(Kind, i64, &'static str, String)>,
        pub(in crate::jobs) entities: Vec<(Kind, i64, String)>,
    }

    /// A fixture log (`tests/fixtures/logs/<name>`).
    pub(in crate::jobs) fn fixture(name: &str) -> String {
        let p = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/logs/");
        std::fs::read_to_string(format!("{p}{name}")).unwrap()
    }

    impl Lookup for Fake {
        type Error = Infallible;
        fn job_chip(&self, _: Kind, _: Option<i64>, s: &str, t: &str) -> Result<Chip, Infallible> {
            Ok(Chip {
                status: StatusView::of(s),
                text: t.into(),
                href: None,
            })
        }
        fn trigger(&self, _: &ProjectInfo) -> Option<TriggerView> {
            None
        }
        fn has_detail(&self, _: JobList, _: i64) -> bool {
            true
        }
        #[allow(clippy::type_complexity)]
        fn status_of(
            &self,
            _: Kind,
            _: i64,
        ) -> Result<Option<(Option<String>, Option<String>)>, Infallible> {
            Ok(None)
        }
        #[allow(clippy::type_complexity)]
        fn history(
            &self,
            _: Kind,
            _: &str,
        ) -> Result<Vec<(i64, Option<String>, Option<String>)>, Infallible> {
            Ok(Vec::new())
        }
        fn log_texts(&self, kind: Kind, id: i64) -> Result<Vec<(String, String)>, Infallible> {
            Ok(self
                .logs
                .iter()
                .filter(|l| l.0 == kind && l.1 == id)
                .map(|l| (l.2.to_string(), l.3.clone()))
                .collect())
        }
        fn entity_json(&self, kind: Kind, id: i64) -> Result<Option<String>, Infallible> {
            Ok(self
                .entities
                .iter()
                .find(|e| e.0 == kind && e.1 == id)
                .map(|e| e.2.clone()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering_matches_the_log_page() {
        let t = "ok\r\n\u{1b}[31merror:\u{1b}[0m x\nprogress 10%\rFAILED tests/a.py\n";
        assert_eq!(
            picked_lines(t, rpm_error),
            vec![(2, "error: x".into()), (3, "FAILED tests/a.py".into())]
        );
    }

    #[test]
    fn causes_come_with_their_details_from_the_first_log_that_has_any() {
        use super::super::JobList;
        use super::fake::Fake;
        use crate::view::ErrorDetail;
        let log = "Executing(%build): /bin/sh -e /var/tmp/rpm-tmp.1\nx.c:3:1: error: expected ';'\n    3 | }\n      | ^\nmake: *** [all] Error 1\nerror: Bad exit status from /var/tmp/rpm-tmp.1 (%build)\n";
        let lk = Fake {
            logs: vec![
                (Kind::Copr, 7, "builder-live", "all fine\n".into()),
                (Kind::Copr, 7, "build", log.into()),
            ],
            ..Fake::default()
        };
        let names = ["builder-live", "build"];
        let (lines, more) = first_causes(&lk, JobList::Copr, 7, &names, &[]).unwrap();
        assert_eq!((lines.len(), more), (1, 0));
        assert_eq!((lines[0].line, lines[0].log.as_str()), (2, "build.log"));
        assert_eq!(lines[0].text, "x.c:3:1: error: expected ';'");
        assert_eq!(lines[0].href.as_deref(), Some("jobs/copr/7/logs/build/"));
        let detail = |line: usize, text: &str| ErrorDetail {
            line,
            text: text.into(),
        };
        assert_eq!(
            lines[0].details,
            vec![detail(3, "    3 | }"), detail(4, "      | ^")]
        );
        // the API's own text, without a link, when no archived log has any
        let inline = [(
            "submission",
            Some("FAILED: BuildError: error building package"),
        )];
        let (lines, _) =
            first_causes(&Fake::default(), JobList::Koji, 9, &["submission"], &inline).unwrap();
        assert_eq!(lines[0].href, None);
        assert_eq!(lines[0].log, "Koji submission output");
    }

    #[test]
    fn rpm_rule_skips_noise() {
        for l in [
            "checking for strerror_r... yes",
            "gcc -O2 -Werror=format-security -c x.c",
            "+ echo 'no errors'",
            "Finish: build phase for package, status SUCCESS",
        ] {
            assert!(!rpm_error(l), "{l}");
        }
    }
}
