//! The registry of job kinds: one [`JobKindDef`] per kind, written in that kind's
//! file (`src/jobs/<kind>.rs`) and listed once in [`KINDS`]. Every stage asks the
//! registry what a kind is (its API paths, lists, columns, rows, detail view, failure
//! box, keys, references, logs and targets, whether it can still change) instead of
//! matching on kinds itself. This module imports the kinds; they import the
//! definition's shape (`def.rs`) and the shared pieces, never this module.

use super::def::{JobKindDef, ListDef};
use super::derive::{Keys, LogSource, Targets, info_keys, many, worst};
use super::{JobList, parse, run_jobs};
use super::{bodhi, copr, koji, koji_tag_request, log_detective, openscanhub};
use super::{srpm, sync_release, testing_farm};
use crate::api::types::{self, Run};
use crate::api::{self, Kind, ListEndpoint, project_key};
use serde_json::Value;
use std::sync::LazyLock;

/// Every job kind, in the order sync walks their lists (the dashboard's order is
/// [`JobList::ALL`]). Adding a kind is a file in `src/jobs/` with its `DEF` and one
/// line here.
pub static KINDS: &[&JobKindDef] = &[
    &srpm::DEF,
    &copr::DEF,
    &koji::DEF,
    &testing_farm::DEF,
    &sync_release::PROPOSE,
    &sync_release::PULL,
    &bodhi::DEF,
    &koji_tag_request::DEF,
    &openscanhub::DEF,
    &log_detective::DEF,
];

/// The Packit-wide list endpoints, in the order sync walks them: the pipelines, each
/// job kind's list (in [`KINDS`] order), the projects.
pub static LISTS: LazyLock<Vec<ListEndpoint>> = LazyLock::new(|| {
    std::iter::once(api::RUNS)
        .chain(KINDS.iter().map(|d| d.api_list))
        .chain([api::PROJECTS])
        .collect()
});

/// Finds a Packit-wide list endpoint by its path.
pub fn list_endpoint(path: &str) -> Option<&'static ListEndpoint> {
    LISTS.iter().find(|l| l.path == path)
}

/// The detail endpoint path (without `/api/`) of an entity kind.
pub trait DetailPath {
    /// The path of entity `id`'s detail endpoint, if the kind has one worth fetching.
    fn detail_path(self, id: &str) -> Option<String>;
}

impl DetailPath for Kind {
    fn detail_path(self, id: &str) -> Option<String> {
        match of_kind(self) {
            Some(d) => Some(format!("{}/{id}", d.api_detail)),
            None if self == Kind::Project => Some(format!("{}/{id}", api::PROJECT_DETAIL)),
            None => None,
        }
    }
}

/// The definition of the kind with detail kind `kind`.
pub fn of_kind(kind: Kind) -> Option<&'static JobKindDef> {
    KINDS.iter().copied().find(|d| d.kind == kind)
}

/// The definition whose grouping list items are of kind `kind`.
pub fn of_group(kind: Kind) -> Option<&'static JobKindDef> {
    KINDS
        .iter()
        .copied()
        .find(|d| d.group.as_ref().is_some_and(|g| g.kind == kind))
}

/// The definition of a list's kind and the list's own definition.
pub fn of_list(list: JobList) -> (&'static JobKindDef, &'static ListDef) {
    KINDS
        .iter()
        .find_map(|d| d.lists.iter().find(|l| l.list == list).map(|l| (*d, l)))
        .expect("every list has a definition (the registry tests check it)")
}

/// Every list of every kind, in navigation order.
pub fn lists() -> impl Iterator<Item = &'static ListDef> {
    KINDS.iter().flat_map(|d| d.lists.iter())
}

/// The job kind whose details sync fetches from `<base>/<id>` (a detail endpoint
/// richer than the list item).
pub fn fetched_detail_kind(base: &str) -> Option<Kind> {
    KINDS
        .iter()
        .find(|d| d.api_detail == base && d.api_list.detail_richer)
        .map(|d| d.kind)
}

/// Every job kind, with whether its list item is all there is (so one seen in a
/// list walk is current already). Sync re-fetches their unfinished jobs.
pub fn refreshed_while_open() -> impl Iterator<Item = (Kind, bool)> {
    KINDS.iter().map(|d| (d.kind, !d.api_list.detail_richer))
}

/// The job kinds whose jobs name logs.
pub fn log_kinds() -> impl Iterator<Item = Kind> {
    KINDS.iter().filter(|d| d.logs.is_some()).map(|d| d.kind)
}

/// For a refresh that names the Packit-wide list `path`: the job kind to look up
/// and the field naming the target, if `path` is a job kind's list.
pub fn refresh_target(path: &str) -> Option<(Kind, Option<&'static str>)> {
    KINDS
        .iter()
        .find(|d| d.api_list.path == path)
        .map(|d| (d.kind, d.target_field))
}

/// The API mirror path (without `api/` and `.json`) of job entity `kind`/`enc` (an
/// encoded id): its detail endpoint, or `list/<list path>/` for grouping list items,
/// which the API serves only in lists.
pub fn api_mirror_path(kind: Kind, enc: &str) -> Option<String> {
    if let Some(d) = of_kind(kind) {
        return Some(format!("{}/{enc}", d.api_detail));
    }
    of_group(kind).map(|d| format!("list/{}/{enc}", d.api_list.path))
}

/// The extracted keys of an entity from its list item and detail JSON.
pub fn keys(kind: Kind, list: Option<&str>, detail: Option<&str>) -> Keys {
    if let Some(d) = of_kind(kind) {
        return (d.keys)(list, detail);
    }
    if let Some(g) = of_group(kind).and_then(|d| d.group.as_ref()) {
        return (g.keys)(list);
    }
    let best = detail.or(list);
    match kind {
        Kind::Pipeline => {
            let v: Run = parse(list.or(detail));
            let mut k = Keys::default();
            (k.status, k.is_final) = worst(run_jobs(&v).map(|(_, j)| &j.status));
            k.submitted = v.time_submitted;
            if let Some(t) = &v.trigger {
                (k.project, k.trigger) = info_keys(t);
            }
            k
        }
        Kind::Project => {
            let v: types::Project = parse(best);
            Keys {
                project: v.project_url.as_deref().and_then(project_key),
                ..Keys::default()
            }
        }
        _ => Keys::default(),
    }
}

/// The jobs an entity's pages show as related chips, from its stored JSON: the
/// SRPM and Log Detective runs of a build, the builds a test ran on, the build a
/// scan analysed, the chroots of a Copr build and the targets of a sync-release run.
pub fn refs_of(kind: Kind, list: Option<&str>, detail: Option<&str>) -> Vec<(Kind, String)> {
    let own = of_kind(kind).and_then(|d| d.refs);
    let targets = targets_of(kind);
    let mut out = Vec::new();
    if own.is_none() && targets.is_none() {
        return out;
    }
    for json in [list, detail] {
        let Some(v) = json.and_then(|j| serde_json::from_str::<Value>(j).ok()) else {
            continue;
        };
        if let Some(refs) = own {
            refs(&v, &mut out);
        }
        if let Some(t) = targets {
            many(&v, t.ids, t.kind, &mut out);
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The logs a job's JSON (detail or list item) names, by its kind's rule (SRPM
/// `logs` and `logs_url`; Copr `build_logs_url` and the `build.log.gz` beside it;
/// Koji `build_submission_stdout` and `build_logs_urls`; the `logs` of
/// sync-release targets). Empty text and non-http(s) URLs are left out.
pub fn log_sources(kind: Kind, json: &Value) -> Vec<LogSource> {
    let mut out = Vec::new();
    if let Some(logs) = of_kind(kind).and_then(|d| d.logs) {
        logs(json, &mut out);
    }
    out
}

/// The targets a grouping list item names (a Copr build's chroots, a sync-release
/// run's downstream pull requests); `None` for kinds that group nothing.
pub fn targets_of(kind: Kind) -> Option<Targets> {
    of_group(kind)
        .and_then(|d| d.group.as_ref())
        .map(|g| g.targets)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tables the registry replaced (sync's, the API catalogue's) still answer as
    /// they did.
    #[test]
    fn answers_as_the_tables_it_replaced() {
        let paths: Vec<&str> = LISTS.iter().map(|l| l.path).collect();
        assert_eq!(
            paths,
            [
                "runs",
                "srpm-builds",
                "copr-builds",
                "koji-builds",
                "testing-farm/results",
                "propose-downstream",
                "pull-from-upstream",
                "bodhi-updates",
                "koji-tag-requests",
                "openscanhub-scans",
                "log-detective",
                "projects"
            ]
        );
        assert_eq!(list_endpoint("copr-builds").unwrap().kind, Kind::CoprBuild);
        for (base, kind) in [
            ("copr-builds", Some(Kind::Copr)),
            ("koji-builds", Some(Kind::Koji)),
            ("srpm-builds", Some(Kind::Srpm)),
            ("testing-farm", Some(Kind::TestingFarm)),
            ("propose-downstream", Some(Kind::ProposeDownstream)),
            ("pull-from-upstream", Some(Kind::PullFromUpstream)),
            ("bodhi-updates", Some(Kind::Bodhi)),
            ("koji-tag-requests", Some(Kind::KojiTagRequest)),
            ("openscanhub-scans", None),
            ("log-detective", None),
            ("testing-farm/results", None),
        ] {
            assert_eq!(fetched_detail_kind(base), kind, "{base}");
        }
        let open: Vec<(Kind, bool)> = refreshed_while_open().collect();
        assert_eq!(open.len(), 10);
        let list_only: Vec<Kind> = open.iter().filter(|o| o.1).map(|o| o.0).collect();
        assert_eq!(list_only, [Kind::OpenScanHub, Kind::LogDetective]);
        let mut logs: Vec<Kind> = log_kinds().collect();
        logs.sort();
        assert_eq!(
            logs,
            [
                Kind::Copr,
                Kind::Koji,
                Kind::Srpm,
                Kind::ProposeDownstream,
                Kind::PullFromUpstream
            ]
        );
        assert_eq!(
            refresh_target("copr-builds"),
            Some((Kind::Copr, Some("chroot")))
        );
        assert_eq!(
            refresh_target("pull-from-upstream"),
            Some((Kind::PullFromUpstream, Some("branch")))
        );
        assert_eq!(refresh_target("koji-builds"), Some((Kind::Koji, None)));
        assert_eq!(refresh_target("runs"), None);
        assert_eq!(
            Kind::TestingFarm.detail_path("5").as_deref(),
            Some("testing-farm/5")
        );
        assert_eq!(
            Kind::OpenScanHub.detail_path("5").as_deref(),
            Some("openscanhub-scans/5")
        );
        assert_eq!(
            Kind::Project.detail_path("github.com/a/b").as_deref(),
            Some("projects/github.com/a/b")
        );
        assert_eq!(Kind::CoprBuild.detail_path("5"), None);
        assert_eq!(Kind::Pipeline.detail_path("5"), None);
        assert_eq!(
            api_mirror_path(Kind::ProposeDownstreamRun, "3").as_deref(),
            Some("list/propose-downstream/3")
        );
    }

    /// Each list is defined once, and the names and kinds a list answers come from it.
    #[test]
    fn every_list_is_defined_once() {
        for l in JobList::ALL {
            assert_eq!(lists().filter(|d| d.list == l).count(), 1, "{l:?}");
        }
        assert_eq!(lists().count(), JobList::ALL.len());
        assert_eq!(JobList::KojiTagRequests.detail_slug(), "koji-tag-request");
        assert_eq!(JobList::Copr.list_kind(), Kind::CoprBuild);
        assert_eq!(JobList::KojiDownstream.detail_kind(), Kind::Koji);
        assert!(JobList::KojiDownstream.accepts(Some("downstream:f40")));
        assert!(!JobList::Koji.accepts(Some("downstream:f40")));
        assert!(JobList::ProposeDownstream.has_targets());
        assert!(!JobList::Bodhi.has_targets());
        assert_eq!(JobList::Copr.targets_title(), "Copr chroot builds");
        assert_eq!(JobList::Srpm.targets_title(), "SRPM builds");
        assert_eq!(JobList::OpenScanHub.legacy_slug(), None);
    }
}
