//! Copr builds: the list of builds (one label per chroot), the index of chroot
//! builds and the detail page of one chroot build with its install commands.

use super::def::{Group, JobKindDef, ListDef, reads};
use super::derive::{
    Keys, LogSource, Targets, http, info_keys, linked, many, one, text as field_text, worst,
};
use super::failure::{explain, failed_on, first_errors, rpm_error};
use super::{
    Done, Job, JobList, Lookup, built_head, job_row, ld_related, own_chip, parse, srpm_related,
};
use crate::api::Kind;
use crate::api::ListEndpoint;
use crate::api::types::{self, CoprBuildListItem, CoprBuildTarget};
use crate::urls::pct;
use crate::view::{
    Cell, DetailView, FailureView, InstallView, Link, Notice, ext_code, fact, timeline,
};
use serde_json::Value;

/// List columns.
pub(super) const COLUMNS: &[&str] = &["Trigger", "Chroots", "Submitted", "Copr build"];

/// Columns of the chroot build index.
pub(super) const TARGET_COLUMNS: &[&str] = &["Trigger", "Target", "Submitted", "Copr build"];

/// A build row: one label per chroot.
pub(super) fn row<L: Lookup + ?Sized>(job: &Job<'_>, lk: &L) -> Result<Vec<Cell>, L::Error> {
    let v: CoprBuildListItem = parse(job.list_json);
    let mut chips = Vec::new();
    for (chroot, st) in &v.status_per_chroot {
        let pid = v.packit_id_per_chroot.get(chroot).copied();
        chips.push(lk.job_chip(Kind::Copr, pid, st.as_str(), chroot)?);
    }
    Ok(job_row(
        lk,
        &v.project_info(),
        chips,
        types::submitted(v.build_submitted_time, v.submitted_time),
        ext_code(v.web_url.as_deref(), v.build_id.clone().unwrap_or_default()),
    ))
}

/// A chroot build row of the target index.
pub(super) fn target_row<L: Lookup + ?Sized>(list: JobList, job: &Job<'_>, lk: &L) -> Vec<Cell> {
    let v: CoprBuildTarget = parse(job.json());
    let sub = types::submitted(v.build_submitted_time, v.submitted_time);
    job_row(
        lk,
        &v.project_info(),
        vec![own_chip(list, job, v.chroot.as_deref(), lk)],
        sub.or(job.submitted),
        ext_code(v.web_url.as_deref(), v.build_id.clone().unwrap_or_default()),
    )
}

/// The detail page of a chroot build.
pub(super) fn detail<L: Lookup + ?Sized>(job: &Job<'_>, d: &mut DetailView, lk: &L) -> Done<L> {
    let v: CoprBuildTarget = parse(job.json());
    built_head(d, lk, &v);
    d.facts.extend(fact(
        "Copr build",
        ext_code(v.web_url.as_deref(), v.build_id.clone().unwrap_or_default()),
    ));
    if let (Some(o), Some(p)) = (&v.copr_owner, &v.copr_project) {
        d.facts.extend(fact(
            "Copr project",
            ext_code(
                Some(&format!(
                    "https://copr.fedorainfracloud.org/coprs/{}/{}/",
                    pct(o, false),
                    pct(p, false)
                )),
                format!("{o}/{p}"),
            ),
        ));
    }
    d.timeline = timeline(
        types::submitted(v.build_submitted_time, v.submitted_time),
        v.build_start_time,
        v.build_finished_time,
    );
    match Link::ext(v.build_logs_url.as_deref(), "Build logs") {
        Some(l) => d.links.push(l),
        None => d.notices.push(Notice {
            level: "info",
            text: "Logs are not available for this build.".into(),
        }),
    }
    d.links
        .extend(Link::ext(v.web_url.as_deref(), "Copr build page"));
    srpm_related(d, v.srpm_build_id, lk)?;
    ld_related(d, &v.log_detective_runs, lk)?;
    d.install = install(&v);
    Ok(())
}

/// The failure box of a chroot build: the first errors of its `builder-live.log`
/// (else `build.log`) and Log Detective's explanation; with neither, the way to
/// Copr's own logs.
pub(super) fn failure<L: Lookup + ?Sized>(job: &Job<'_>, lk: &L) -> Result<FailureView, L::Error> {
    let v: CoprBuildTarget = parse(job.json());
    let (lines, more) = first_errors(
        lk,
        JobList::Copr,
        job.id,
        &["builder-live", "build"],
        &[],
        rpm_error,
    )?;
    let mut f = FailureView {
        summary: failed_on("Copr build", v.chroot.as_deref()),
        lines,
        more,
        ..FailureView::default()
    };
    explain(&mut f, &v.log_detective_runs, lk)?;
    if f.lines.is_empty() && f.explanation.is_none() {
        f.summary
            .push_str(" No log of it is archived here; its build logs are at Copr.");
        f.next = Link::ext(v.build_logs_url.as_deref(), "Build logs at Copr");
    }
    Ok(f)
}

/// `dnf` commands that install the build's packages, shown only when every value
/// is one Copr and RPM allow in such names (and shell-quoted anyway); otherwise the
/// values without a command.
fn install(v: &CoprBuildTarget) -> Option<InstallView> {
    let (Some(owner), Some(project), Some(chroot)) = (&v.copr_owner, &v.copr_project, &v.chroot)
    else {
        return None;
    };
    let pkgs: Vec<(String, bool)> = v
        .built_packages
        .iter()
        .flatten()
        .filter(|p| p.arch.as_deref() != Some("src"))
        .filter_map(|p| {
            let name = p.name.as_deref()?;
            let epoch = p.epoch.filter(|e| *e != 0);
            let (ver, rel, arch) = (
                p.version.as_deref().unwrap_or(""),
                p.release.as_deref().unwrap_or(""),
                p.arch.as_deref().unwrap_or(""),
            );
            let ok = rpm_name(name) && rpm_version(ver) && rpm_version(rel) && rpm_arch(arch);
            Some((
                format!(
                    "{name}-{}{ver}-{rel}.{arch}",
                    epoch.map(|e| format!("{e}:")).unwrap_or_default(),
                ),
                ok,
            ))
        })
        .collect();
    if pkgs.is_empty() {
        return None;
    }
    let repo_ok = copr_owner(owner) && copr_project(project) && copr_chroot(chroot);
    if !repo_ok || pkgs.iter().any(|(_, ok)| !ok) {
        let mut values = vec![
            ("Copr owner".to_string(), owner.clone()),
            ("Copr project".to_string(), project.clone()),
            ("Chroot".to_string(), chroot.clone()),
        ];
        values.extend(pkgs.into_iter().map(|(p, _)| ("Package".to_string(), p)));
        return Some(InstallView {
            enable: None,
            all: None,
            each: Vec::new(),
            values,
        });
    }
    let pkgs: Vec<String> = pkgs.into_iter().map(|(p, _)| shell_word(&p)).collect();
    Some(InstallView {
        enable: Some(format!(
            "dnf copr enable {} {}",
            shell_word(&format!("{owner}/{project}")),
            shell_word(chroot)
        )),
        all: (pkgs.len() > 1).then(|| format!("dnf install {}", pkgs.join(" "))),
        each: pkgs.iter().map(|p| format!("dnf install {p}")).collect(),
        values: Vec::new(),
    })
}

/// Characters Copr allows in owner and project names.
fn copr_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '+' | '-')
}

/// A Copr owner: a user name or `@group`.
fn copr_owner(s: &str) -> bool {
    let s = s.strip_prefix('@').unwrap_or(s);
    !s.is_empty() && s.len() <= 100 && !s.starts_with('-') && s.chars().all(copr_char)
}

/// A Copr project name.
fn copr_project(s: &str) -> bool {
    !s.is_empty() && s.len() <= 200 && !s.starts_with('-') && s.chars().all(copr_char)
}

/// A Copr chroot (`fedora-rawhide-x86_64`).
fn copr_chroot(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && !s.starts_with('-')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-'))
}

/// An RPM package name.
fn rpm_name(s: &str) -> bool {
    !s.is_empty() && s.len() <= 200 && !s.starts_with('-') && s.chars().all(copr_char)
}

/// An RPM version or release (no `-`; `~` and `^` sort before and after).
fn rpm_version(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 200
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '+' | '~' | '^'))
}

/// An RPM architecture.
fn rpm_arch(s: &str) -> bool {
    !s.is_empty() && s.len() <= 50 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `s` as one POSIX shell word: as it is when it holds only characters no shell
/// treats specially, otherwise in single quotes (`'` as `'\''`).
pub(crate) fn shell_word(s: &str) -> String {
    let bare = !s.is_empty()
        && !s.starts_with('~')
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '_' | '.' | '+' | '-' | '/' | ':' | '@' | '=' | ',')
        });
    if bare {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// The per-chroot targets of a Copr build list item.
pub(super) const TARGETS: Targets = Targets {
    ids: "packit_id_per_chroot",
    statuses: "status_per_chroot",
    kind: Kind::Copr,
};

/// Extracted keys of a Copr build (list item): the worst chroot status.
pub(super) fn build_keys(list: Option<&str>) -> Keys {
    let v: CoprBuildListItem = parse(list);
    let (project, trigger) = info_keys(&v.project_info());
    let (status, is_final) = worst(v.status_per_chroot.values());
    Keys {
        status,
        is_final,
        submitted: types::submitted(v.build_submitted_time, v.submitted_time),
        project,
        trigger,
        target: None,
    }
}

/// Each chroot of a Copr build (list item) with its status and packit id.
fn chroots(list: Option<&str>) -> Vec<(String, types::Status, Option<i64>)> {
    let v: CoprBuildListItem = parse(list);
    let ids = v.packit_id_per_chroot;
    v.status_per_chroot
        .into_iter()
        .map(|(c, st)| {
            let id = ids.get(&c).copied();
            (c, st, id)
        })
        .collect()
}

/// Extracted keys of one chroot build.
pub(super) fn keys(json: Option<&str>) -> Keys {
    let v: CoprBuildTarget = parse(json);
    let submitted = types::submitted(v.build_submitted_time, v.submitted_time);
    Keys {
        target: v.chroot.clone(),
        ..Keys::job(&v.status, submitted, &v.project_info())
    }
}

/// A chroot build references its SRPM build and its Log Detective runs.
pub(super) fn refs(v: &Value, out: &mut Vec<(Kind, String)>) {
    one(v, "srpm_build_id", Kind::Srpm, out);
    many(v, "log_detective_runs", Kind::LogDetective, out);
}

/// `build_logs_url` (`builder-live.log`, gzip or not) and the `build.log.gz` beside it.
pub(super) fn logs(json: &Value, out: &mut Vec<LogSource>) {
    if let Some(u) = field_text(json, "build_logs_url").and_then(http) {
        let dir = u
            .strip_suffix("builder-live.log")
            .or_else(|| u.strip_suffix("builder-live.log.gz"));
        if let Some(dir) = dir {
            out.extend(linked("build".into(), Some(format!("{dir}build.log.gz"))));
        }
        out.extend(linked("builder-live".into(), Some(u)));
    }
}

/// The Copr build kind.
pub(super) const DEF: JobKindDef = JobKindDef {
    kind: Kind::Copr,
    lists: &[ListDef {
        legacy_slug: Some("copr-builds"),
        targets_title: "Copr chroot builds",
        ..ListDef::plain(JobList::Copr, "copr", "Copr builds", "Copr build")
    }],
    api_list: ListEndpoint {
        path: "copr-builds",
        unit: "copr-builds",
        kind: Kind::CoprBuild,
        id_field: "build_id",
        detail_richer: true,
    },
    api_detail: "copr-builds",
    group: Some(Group {
        kind: Kind::CoprBuild,
        targets: TARGETS,
        keys: build_keys,
        per_target: chroots,
    }),
    target_field: Some("chroot"),
    statuses: true,
    project_results: true,
    columns: COLUMNS,
    target_columns: TARGET_COLUMNS,
    read_fields: reads::<CoprBuildTarget>,
    keys: |list, detail| keys(detail.or(list)),
    refs: Some(refs),
    logs: Some(logs),
    row: |_, job, lk| row(job, lk),
    target_row: Some(|list, job, lk| target_row(list, job, lk)),
    detail: |_, job, d, lk| detail(job, d, lk),
    failure: |_, job, _, lk| failure(job, lk),
};

#[cfg(test)]
mod tests {
    use super::super::failure::fake::{Fake, fixture};
    use super::*;

    fn job(json: &str) -> Job<'_> {
        Job {
            id: 7,
            key: "7",
            list_json: None,
            detail_json: Some(json),
            status: Some("failure"),
            submitted: None,
        }
    }

    /// mock + rpmbuild: a `%check` failure; the lines link to the log page, Log
    /// Detective's explanation comes with its analysis.
    #[test]
    fn failure_of_a_mock_rpmbuild_log() {
        let json = r#"{"chroot":"fedora-41-x86_64","status":"failure","log_detective_runs":[3]}"#;
        let lk = Fake {
            logs: vec![(Kind::Copr, 7, "builder-live", fixture("copr-builder-live.log"))],
            entities: vec![(Kind::LogDetective, 3, r#"{"status":"complete","log_detective_response":{"explanation":{"text":"test_api_timeout failed"},"solution":{"text":"skip it"}}}"#.into())],
        };
        let f = failure(&job(json), &lk).unwrap();
        let got: Vec<(usize, &str)> = f.lines.iter().map(|l| (l.line, l.text.as_str())).collect();
        assert_eq!(
            got[0],
            (
                59,
                "FAILED tests/unit/test_api.py::test_api_timeout - AssertionError: assert 504 == 200"
            )
        );
        assert_eq!(
            got[1],
            (
                61,
                "error: Bad exit status from /var/tmp/rpm-tmp.Xa81Zq (%check)"
            )
        );
        assert_eq!(f.lines.len(), super::super::failure::FIRST_LINES);
        assert_eq!(f.more, 1);
        assert_eq!(
            f.lines[0].href.as_deref(),
            Some("jobs/copr/7/logs/builder-live/")
        );
        assert_eq!(f.lines[0].log, "builder-live.log");
        assert_eq!(f.explanation.as_deref(), Some("test_api_timeout failed"));
        assert_eq!(f.solution.as_deref(), Some("skip it"));
        assert_eq!(f.analysis.as_deref(), Some("jobs/log-detective/3/"));
        assert!(f.summary.contains("fedora-41-x86_64"));
        assert!(f.next.is_none());
    }

    /// mock: a missing BuildRequires.
    #[test]
    fn failure_of_missing_build_dependencies() {
        let lines = crate::jobs::picked_lines(&fixture("copr-builddeps.log"), rpm_error);
        let first: Vec<usize> = lines.iter().map(|l| l.0).collect();
        assert_eq!(first, vec![20, 23, 24, 25, 27]);
        assert!(lines[0].1.starts_with("No matching package to install"));
    }

    /// No log archived and no analysis: the way to Copr's logs.
    #[test]
    fn failure_without_logs_points_to_copr() {
        let json = r#"{"status":"failure","build_logs_url":"https://download.copr.fedorainfracloud.org/results/a/b/fedora-41-x86_64/01-x/builder-live.log.gz"}"#;
        let f = failure(&job(json), &Fake::default()).unwrap();
        assert!(f.lines.is_empty());
        assert_eq!(f.next.unwrap().text, "Build logs at Copr");
    }
}
