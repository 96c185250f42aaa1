//! Job lists and project sections, and one module per job kind with everything
//! about that kind in one definition ([`JobKindDef`]): its API endpoints, lists,
//! columns and rows, detail view, failure box, what the archive extracts from its
//! JSON and whether it can still change. The registry ([`registry::KINDS`]) lists
//! the definitions; every stage asks it. This module holds the names ([`JobList`],
//! [`Section`]), the entry points that go through the registry, and the helpers
//! the kinds share.
//!
//! The job views read the job's own JSON ([`Job`]) and ask a [`Lookup`] for
//! everything beyond it (other jobs' statuses and pages, trigger pages, archived
//! history), so this layer knows nothing of the archive or the model.

use crate::api::Kind;
use crate::api::types::{self, ProjectInfo};
use crate::urls;
use crate::view::{Cell, Chip, CommitView, DetailView, Related, StatusView, TriggerView, tv};
use serde::Serialize;

mod bodhi;
mod copr;
mod def;
mod derive;
mod erase;
mod failure;
mod koji;
mod koji_tag_request;
mod log_detective;
mod openscanhub;
pub mod read;
pub mod registry;
mod srpm;
mod sync_release;
mod testing_farm;

pub use self::def::{Group, JobKindDef, ListDef};
pub use self::derive::{Keys, LogSource, Targets, run_jobs, trigger_key};
use self::erase::erased;
pub use self::erase::{DynLookup, Stashed};
pub use self::failure::{log_title, picked_lines, rpm_error};
pub use self::koji::koji_error;
pub use self::registry::{
    DetailPath, LISTS, keys, list_endpoint, log_sources, refs_of, targets_of,
};
pub use self::srpm::srpm_error;
pub use self::sync_release::sync_error;
pub use self::testing_farm::tmt_error;

/// The eleven job lists of the dashboard: names only; what each is, is its
/// definition's ([`JobList::def`], [`JobList::kind_def`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum JobList {
    /// Copr builds.
    Copr,
    /// Upstream (scratch) Koji builds.
    Koji,
    /// Downstream (production) Koji builds.
    KojiDownstream,
    /// SRPM builds.
    Srpm,
    /// Testing Farm runs.
    TestingFarm,
    /// Propose downstream.
    ProposeDownstream,
    /// Pull from upstream.
    PullFromUpstream,
    /// Bodhi updates.
    Bodhi,
    /// OpenScanHub scans.
    OpenScanHub,
    /// Koji tag requests.
    KojiTagRequests,
    /// Log Detective.
    LogDetective,
}

impl JobList {
    /// All lists in navigation order.
    pub const ALL: [JobList; 11] = [
        JobList::Copr,
        JobList::Koji,
        JobList::KojiDownstream,
        JobList::Srpm,
        JobList::TestingFarm,
        JobList::ProposeDownstream,
        JobList::PullFromUpstream,
        JobList::Bodhi,
        JobList::OpenScanHub,
        JobList::KojiTagRequests,
        JobList::LogDetective,
    ];

    /// The list's definition (and its kind's), from the registry.
    pub fn def(self) -> &'static ListDef {
        registry::of_list(self).1
    }

    /// The definition of the list's job kind, from the registry.
    pub fn kind_def(self) -> &'static JobKindDef {
        registry::of_list(self).0
    }

    /// URL segment of the list (`jobs/<slug>/`).
    pub fn slug(self) -> &'static str {
        self.def().slug
    }

    /// URL segment of detail pages (`jobs/<slug>/<id>/`); singular for tag requests.
    pub fn detail_slug(self) -> &'static str {
        self.def().detail_slug
    }

    /// The dashboard's old plural name, kept alive by redirect pages.
    pub fn legacy_slug(self) -> Option<&'static str> {
        self.def().legacy_slug
    }

    /// Human title of the list.
    pub fn title(self) -> &'static str {
        self.def().title
    }

    /// Human name of one job of the list.
    pub fn singular(self) -> &'static str {
        self.def().singular
    }

    /// Whether list items group several detail targets (so the list has a separate
    /// index of targets).
    pub fn has_targets(self) -> bool {
        self.list_kind() != self.detail_kind()
    }

    /// Human name of the targets of a grouping list.
    pub fn targets_title(self) -> &'static str {
        self.def().targets_title
    }

    /// Kind of the list items.
    pub fn list_kind(self) -> Kind {
        let kind = registry::of_list(self).0;
        kind.group.as_ref().map_or(kind.kind, |g| g.kind)
    }

    /// Kind of the detail pages.
    pub fn detail_kind(self) -> Kind {
        registry::of_list(self).0.kind
    }

    /// Whether an entity of the list/detail kind belongs to this list (Koji splits
    /// by scratch flag, recorded in the extracted target).
    pub fn accepts(self, target: Option<&str>) -> bool {
        (self.def().accepts)(target)
    }
}

/// The sections of a project: its triggers by type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Section {
    /// Pull / merge requests.
    Prs,
    /// Branches.
    Branches,
    /// Releases (and Anitya versions).
    Releases,
    /// Issues.
    Issues,
}

impl Section {
    /// All sections.
    pub const ALL: [Section; 4] = [
        Section::Prs,
        Section::Branches,
        Section::Releases,
        Section::Issues,
    ];

    /// URL segment.
    pub fn slug(self) -> &'static str {
        match self {
            Section::Prs => "prs",
            Section::Branches => "branches",
            Section::Releases => "releases",
            Section::Issues => "issues",
        }
    }

    /// Human title.
    pub fn title(self) -> &'static str {
        match self {
            Section::Prs => "Pull requests",
            Section::Branches => "Branches",
            Section::Releases => "Releases",
            Section::Issues => "Issues",
        }
    }

    /// Section and name of an archive trigger key (`pr:12`, `branch:main`, …).
    pub fn of_trigger(trigger: &str) -> Option<(Section, &str)> {
        let (t, v) = trigger.split_once(':')?;
        let s = match t {
            "pr" => Section::Prs,
            "branch" => Section::Branches,
            "release" | "anitya" => Section::Releases,
            "issue" => Section::Issues,
            _ => return None,
        };
        Some((s, v))
    }
}

/// Site path of a job detail page.
pub fn detail_path(list: JobList, id: i64) -> String {
    urls::job_page_path(list.detail_slug(), id)
}

/// Site path of a trigger page.
pub fn trigger_path(key: &str, s: Section, name: &str) -> String {
    urls::trigger_page_path(key, s.slug(), name)
}

/// Display name of a trigger in a section.
pub fn trigger_name(s: Section, n: &str) -> String {
    match s {
        Section::Prs | Section::Issues => format!("#{n}"),
        _ => n.to_string(),
    }
}

/// Forge URL of a trigger.
pub fn trigger_forge_url(project_url: &str, s: Section, n: &str) -> String {
    let num = n.parse::<i64>().unwrap_or(0);
    match s {
        Section::Prs => urls::pr_url(project_url, num),
        Section::Issues => urls::issue_url(project_url, num),
        Section::Branches => urls::branch_url(project_url, n),
        Section::Releases => urls::release_url(project_url, n),
    }
}

/// What the job views need beyond the job's own JSON: other jobs' statuses and
/// pages, the trigger's pages, the archived history of a job.
pub trait Lookup {
    /// Errors of the lookups.
    type Error;

    /// A label for job `kind`/`id` with `status` and `text` as fallbacks, linked to
    /// its page when the page exists.
    fn job_chip(
        &self,
        kind: Kind,
        id: Option<i64>,
        status: &str,
        text: &str,
    ) -> Result<Chip, Self::Error>;

    /// Trigger view of a project-info block.
    fn trigger(&self, info: &ProjectInfo) -> Option<TriggerView>;

    /// Whether the detail page of `list`/`id` exists.
    fn has_detail(&self, list: JobList, id: i64) -> bool;

    /// Stored status and target of job `kind`/`id`, if it is stored.
    #[allow(clippy::type_complexity)]
    fn status_of(
        &self,
        kind: Kind,
        id: i64,
    ) -> Result<Option<(Option<String>, Option<String>)>, Self::Error>;

    /// Superseded versions of entity `kind`/`id`, newest first:
    /// (replaced_at, list_json, detail_json).
    #[allow(clippy::type_complexity)]
    fn history(
        &self,
        kind: Kind,
        id: &str,
    ) -> Result<Vec<(i64, Option<String>, Option<String>)>, Self::Error>;

    /// The archived logs of job `kind`/`id` that have a log page: (name, text).
    fn log_texts(&self, kind: Kind, id: i64) -> Result<Vec<(String, String)>, Self::Error>;

    /// The stored JSON (detail, else list item) of entity `kind`/`id`.
    fn entity_json(&self, kind: Kind, id: i64) -> Result<Option<String>, Self::Error>;
}

/// One stored job as the views read it: the plain fields of its archive entity.
#[derive(Clone, Copy, Debug)]
pub struct Job<'a> {
    /// Numeric id (0 when the archive id is not a number).
    pub id: i64,
    /// Archive id.
    pub key: &'a str,
    /// Raw list item JSON.
    pub list_json: Option<&'a str>,
    /// Raw detail JSON.
    pub detail_json: Option<&'a str>,
    /// Extracted status.
    pub status: Option<&'a str>,
    /// Extracted submission time.
    pub submitted: Option<i64>,
}

impl<'a> Job<'a> {
    /// The richest JSON known: the detail when stored, else the list item.
    pub fn json(&self) -> Option<&'a str> {
        self.detail_json.or(self.list_json)
    }
}

/// Reads stored JSON field by field ([`read::read`]): a field that is missing, null
/// or of an unexpected type defaults alone, the rest is read; absent JSON reads as
/// the default. What could not be read is named by [`read::audit`].
pub(crate) fn parse<T: serde::de::DeserializeOwned + Default>(s: Option<&str>) -> T {
    read::read(s).value
}

/// Column headers of a job list.
pub fn list_columns(list: JobList) -> Vec<String> {
    let cols = registry::of_list(list).0.columns;
    cols.iter().map(|s| s.to_string()).collect()
}

/// The row of list item `job` of `list`.
pub fn list_row<L: Lookup + ?Sized>(
    list: JobList,
    job: &Job<'_>,
    lk: &L,
) -> Result<Vec<Cell>, L::Error> {
    let row = registry::of_list(list).0.row;
    erased(lk, |lk| row(list, job, lk))
}

/// Column headers of the target index of a grouping list.
pub fn target_columns(list: JobList) -> Vec<String> {
    let cols = registry::of_list(list).0.target_columns;
    cols.iter().map(|s| s.to_string()).collect()
}

/// The row of detail entity `job` in the target index of a grouping list (Copr
/// chroots, sync-release branches); empty for a list that groups nothing.
pub fn target_row<L: Lookup + ?Sized>(list: JobList, job: &Job<'_>, lk: &L) -> Vec<Cell> {
    let Some(row) = registry::of_list(list).0.target_row else {
        return Vec::new();
    };
    erased(lk, |lk| Ok(row(list, job, lk))).unwrap_or_default()
}

/// Fills the detail view `d` of job `job` of `list` (its header, links and
/// pipelines are set by the caller), and, when the job failed or errored, the
/// failure box its page opens with.
pub fn detail<L: Lookup + ?Sized>(
    list: JobList,
    job: &Job<'_>,
    d: &mut DetailView,
    lk: &L,
) -> Result<(), L::Error> {
    let kind = registry::of_list(list).0;
    erased(lk, |lk| {
        (kind.detail)(list, job, d, lk)?;
        d.unreadable = read::views(&read::unreadable(
            list.detail_kind(),
            job.list_json,
            job.detail_json,
        ));
        if failure::failed(d) {
            d.failure = Some((kind.failure)(list, job, d, lk)?);
        }
        Ok(())
    })
}

// ---------------------------------------------------------------- shared pieces

/// A commit view of `sha` with its forge link (none on Anitya).
pub fn commit_view(info: &ProjectInfo, sha: Option<&str>) -> Option<CommitView> {
    let sha = sha.filter(|s| !s.is_empty())?;
    let url = urls::safe_url(info.project_url.as_deref())
        .filter(|u| urls::forge_of(urls::host_of(u)) != urls::Forge::Anitya)
        .map(|u| urls::commit_url(&u, sha));
    Some(CommitView {
        short: sha.chars().take(7).collect(),
        full: sha.to_string(),
        url,
    })
}

/// The label of a job itself: its stored status and `target` (or `#id`), linked to
/// its detail page when that exists.
fn own_chip<L: Lookup + ?Sized>(
    list: JobList,
    job: &Job<'_>,
    target: Option<&str>,
    lk: &L,
) -> Chip {
    let id = job.id;
    Chip {
        status: StatusView::of(job.status.unwrap_or("")),
        text: target
            .filter(|t| !t.is_empty())
            .map(String::from)
            .unwrap_or_else(|| format!("#{id}")),
        href: lk.has_detail(list, id).then(|| detail_path(list, id)),
    }
}

/// The row most job tables show: trigger, labels, submitted time and `last`.
fn job_row<L: Lookup + ?Sized>(
    lk: &L,
    info: &ProjectInfo,
    chips: Vec<Chip>,
    submitted: Option<i64>,
    last: Cell,
) -> Vec<Cell> {
    vec![
        Cell::Trigger {
            v: lk.trigger(info),
        },
        Cell::Chips { v: chips },
        Cell::Time { v: tv(submitted) },
        last,
    ]
}

/// What a detail function returns.
type Done<L> = Result<(), <L as Lookup>::Error>;

/// A job that runs on one build target: its status, chroot and commit make the
/// head of its detail page.
trait Built {
    /// The trigger.
    fn info(&self) -> ProjectInfo;
    /// Status text.
    fn status(&self) -> &str;
    /// The chroot or target.
    fn chroot(&self) -> Option<String>;
    /// Commit SHA.
    fn commit(&self) -> Option<&str>;
}

macro_rules! built {
    ($($t:ty),*) => {$(
        impl Built for $t {
            fn info(&self) -> ProjectInfo {
                self.project_info()
            }
            fn status(&self) -> &str {
                self.status.as_str()
            }
            fn chroot(&self) -> Option<String> {
                self.chroot.clone()
            }
            fn commit(&self) -> Option<&str> {
                self.commit_sha.as_deref()
            }
        }
    )*};
}

built!(
    types::CoprBuildTarget,
    types::KojiBuild,
    types::LogDetectiveRun
);

/// Sets the head of the detail view of a build-like job.
fn built_head<T: Built, L: Lookup + ?Sized>(d: &mut DetailView, lk: &L, v: &T) {
    head(d, lk, &v.info(), v.status(), v.chroot(), v.commit());
}

/// Sets the head of a detail view: status, target, trigger and commit.
fn head<L: Lookup + ?Sized>(
    d: &mut DetailView,
    lk: &L,
    info: &ProjectInfo,
    status: &str,
    target: Option<String>,
    sha: Option<&str>,
) {
    d.status = Some(StatusView::of(status));
    d.target = target;
    d.trigger = lk.trigger(info);
    d.commit = commit_view(info, sha);
}

/// Links the SRPM build a build was made from.
fn srpm_related<L: Lookup + ?Sized>(
    d: &mut DetailView,
    srpm: Option<i64>,
    lk: &L,
) -> Result<(), L::Error> {
    if let Some(srpm) = srpm {
        d.related.push(Related {
            title: "SRPM build".into(),
            chips: vec![lk.job_chip(Kind::Srpm, Some(srpm), "", "SRPM")?],
        });
    }
    Ok(())
}

/// Links the Log Detective analyses of a build.
fn ld_related<L: Lookup + ?Sized>(
    d: &mut DetailView,
    runs: &[i64],
    lk: &L,
) -> Result<(), L::Error> {
    if runs.is_empty() {
        return Ok(());
    }
    let mut chips = Vec::new();
    for r in runs {
        chips.push(lk.job_chip(Kind::LogDetective, Some(*r), "", &format!("analysis #{r}"))?);
    }
    d.related.push(Related {
        title: "Log Detective analyses".into(),
        chips,
    });
    Ok(())
}
