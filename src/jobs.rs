//! Job lists and project sections, and one module per job kind with everything the
//! site shows of that kind: its list columns and row, its detail view and the
//! related jobs it links to. This module holds [`JobList`], [`Section`], the
//! dispatch from a list to its kind's module and the helpers the kinds share.
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
mod derive;
mod failure;
mod koji;
mod koji_tag_request;
mod log_detective;
mod openscanhub;
pub mod read;
mod srpm;
mod sync_release;
mod testing_farm;

pub use self::derive::{
    Keys, LogSource, Targets, keys, log_sources, refs_of, run_jobs, targets_of, trigger_key,
};
pub use self::failure::{log_title, picked_lines, rpm_error};
pub use self::koji::koji_error;
pub use self::srpm::srpm_error;
pub use self::sync_release::sync_error;
pub use self::testing_farm::tmt_error;

/// The eleven job lists of the dashboard.
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

    /// URL segment of the list (`jobs/<slug>/`).
    pub fn slug(self) -> &'static str {
        match self {
            JobList::Copr => "copr",
            JobList::Koji => "koji",
            JobList::KojiDownstream => "koji-downstream",
            JobList::Srpm => "srpm",
            JobList::TestingFarm => "testing-farm",
            JobList::ProposeDownstream => "propose-downstream",
            JobList::PullFromUpstream => "pull-from-upstream",
            JobList::Bodhi => "bodhi",
            JobList::OpenScanHub => "openscanhub",
            JobList::KojiTagRequests => "koji-tag-requests",
            JobList::LogDetective => "log-detective",
        }
    }

    /// URL segment of detail pages (`jobs/<slug>/<id>/`); singular for tag requests.
    pub fn detail_slug(self) -> &'static str {
        match self {
            JobList::KojiTagRequests => "koji-tag-request",
            l => l.slug(),
        }
    }

    /// The dashboard's old plural name, kept alive by redirect pages.
    pub fn legacy_slug(self) -> Option<&'static str> {
        Some(match self {
            JobList::Copr => "copr-builds",
            JobList::Koji => "koji-builds",
            JobList::KojiDownstream => "downstream-koji-builds",
            JobList::Srpm => "srpm-builds",
            JobList::TestingFarm => "testing-farm-runs",
            JobList::ProposeDownstream => "propose-downstreams",
            JobList::PullFromUpstream => "pull-from-upstreams",
            JobList::Bodhi => "bodhi-updates",
            _ => return None,
        })
    }

    /// Human title of the list.
    pub fn title(self) -> &'static str {
        match self {
            JobList::Copr => "Copr builds",
            JobList::Koji => "Upstream Koji builds",
            JobList::KojiDownstream => "Downstream Koji builds",
            JobList::Srpm => "SRPM builds",
            JobList::TestingFarm => "Testing Farm runs",
            JobList::ProposeDownstream => "Propose downstream",
            JobList::PullFromUpstream => "Pull from upstream",
            JobList::Bodhi => "Bodhi updates",
            JobList::OpenScanHub => "OpenScanHub scans",
            JobList::KojiTagRequests => "Koji tagging requests",
            JobList::LogDetective => "Log Detective",
        }
    }

    /// Human name of one job of the list.
    pub fn singular(self) -> &'static str {
        match self {
            JobList::Copr => "Copr build",
            JobList::Koji => "Koji scratch build",
            JobList::KojiDownstream => "Koji production build",
            JobList::Srpm => "SRPM build",
            JobList::TestingFarm => "Testing Farm run",
            JobList::ProposeDownstream => "Propose downstream",
            JobList::PullFromUpstream => "Pull from upstream",
            JobList::Bodhi => "Bodhi update",
            JobList::OpenScanHub => "OpenScanHub scan",
            JobList::KojiTagRequests => "Koji tagging request",
            JobList::LogDetective => "Log Detective analysis",
        }
    }

    /// Whether list items group several detail targets (so the list has a separate
    /// index of targets).
    pub fn has_targets(self) -> bool {
        self.list_kind() != self.detail_kind()
    }

    /// Human name of the targets of a grouping list.
    pub fn targets_title(self) -> &'static str {
        match self {
            JobList::Copr => "Copr chroot builds",
            JobList::ProposeDownstream => "Propose downstream branches",
            JobList::PullFromUpstream => "Pull from upstream branches",
            _ => self.title(),
        }
    }

    /// Kind of the list items.
    pub fn list_kind(self) -> Kind {
        match self {
            JobList::Copr => Kind::CoprBuild,
            JobList::ProposeDownstream => Kind::ProposeDownstreamRun,
            JobList::PullFromUpstream => Kind::PullFromUpstreamRun,
            l => l.detail_kind(),
        }
    }

    /// Kind of the detail pages.
    pub fn detail_kind(self) -> Kind {
        match self {
            JobList::Copr => Kind::Copr,
            JobList::Koji | JobList::KojiDownstream => Kind::Koji,
            JobList::Srpm => Kind::Srpm,
            JobList::TestingFarm => Kind::TestingFarm,
            JobList::ProposeDownstream => Kind::ProposeDownstream,
            JobList::PullFromUpstream => Kind::PullFromUpstream,
            JobList::Bodhi => Kind::Bodhi,
            JobList::OpenScanHub => Kind::OpenScanHub,
            JobList::KojiTagRequests => Kind::KojiTagRequest,
            JobList::LogDetective => Kind::LogDetective,
        }
    }

    /// Whether an entity of the list/detail kind belongs to this list (Koji splits
    /// by scratch flag, recorded in the extracted target).
    pub fn accepts(self, target: Option<&str>) -> bool {
        let downstream = target.is_some_and(|t| t.starts_with("downstream:"));
        match self {
            JobList::Koji => !downstream,
            JobList::KojiDownstream => downstream,
            _ => true,
        }
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
    let cols: &[&str] = match list {
        JobList::Copr => copr::COLUMNS,
        JobList::Koji | JobList::KojiDownstream => koji::COLUMNS,
        JobList::Srpm => srpm::COLUMNS,
        JobList::TestingFarm => testing_farm::COLUMNS,
        JobList::ProposeDownstream | JobList::PullFromUpstream => sync_release::COLUMNS,
        JobList::Bodhi => bodhi::COLUMNS,
        JobList::OpenScanHub => openscanhub::COLUMNS,
        JobList::KojiTagRequests => koji_tag_request::COLUMNS,
        JobList::LogDetective => log_detective::COLUMNS,
    };
    cols.iter().map(|s| s.to_string()).collect()
}

/// The row of list item `job` of `list`.
pub fn list_row<L: Lookup + ?Sized>(
    list: JobList,
    job: &Job<'_>,
    lk: &L,
) -> Result<Vec<Cell>, L::Error> {
    match list {
        JobList::Copr => copr::row(job, lk),
        JobList::Koji | JobList::KojiDownstream => Ok(koji::row(list, job, lk)),
        JobList::Srpm => Ok(srpm::row(list, job, lk)),
        JobList::TestingFarm => Ok(testing_farm::row(list, job, lk)),
        JobList::ProposeDownstream | JobList::PullFromUpstream => sync_release::row(list, job, lk),
        JobList::Bodhi => Ok(bodhi::row(list, job, lk)),
        JobList::OpenScanHub => Ok(openscanhub::row(list, job, lk)),
        JobList::KojiTagRequests => Ok(koji_tag_request::row(list, job, lk)),
        JobList::LogDetective => Ok(log_detective::row(list, job, lk)),
    }
}

/// Column headers of the target index of a grouping list.
pub fn target_columns(list: JobList) -> Vec<String> {
    let cols = if list == JobList::Copr {
        copr::TARGET_COLUMNS
    } else {
        sync_release::TARGET_COLUMNS
    };
    cols.iter().map(|s| s.to_string()).collect()
}

/// The row of detail entity `job` in the target index of a grouping list (Copr
/// chroots, sync-release branches).
pub fn target_row<L: Lookup + ?Sized>(list: JobList, job: &Job<'_>, lk: &L) -> Vec<Cell> {
    match list {
        JobList::Copr => copr::target_row(list, job, lk),
        _ => sync_release::target_row(list, job, lk),
    }
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
    match list {
        JobList::Copr => copr::detail(job, d, lk)?,
        JobList::Koji | JobList::KojiDownstream => koji::detail(list, job, d, lk)?,
        JobList::Srpm => srpm::detail(job, d, lk)?,
        JobList::TestingFarm => testing_farm::detail(job, d, lk)?,
        JobList::ProposeDownstream | JobList::PullFromUpstream => sync_release::detail(job, d, lk),
        JobList::Bodhi => bodhi::detail(job, d, lk),
        JobList::OpenScanHub => openscanhub::detail(job, d, lk)?,
        JobList::KojiTagRequests => koji_tag_request::detail(job, d, lk),
        JobList::LogDetective => log_detective::detail(job, d, lk),
    }
    d.unreadable = read::views(&read::unreadable(
        list.detail_kind(),
        job.list_json,
        job.detail_json,
    ));
    if !failure::failed(d) {
        return Ok(());
    }
    d.failure = Some(match list {
        JobList::Copr => copr::failure(job, lk)?,
        JobList::Koji | JobList::KojiDownstream => koji::failure(list, job, lk)?,
        JobList::Srpm => srpm::failure(job, d, lk)?,
        JobList::TestingFarm => testing_farm::failure(job, lk)?,
        JobList::ProposeDownstream | JobList::PullFromUpstream => {
            sync_release::failure(list, job, lk)?
        }
        JobList::Bodhi => bodhi::failure(job),
        JobList::OpenScanHub => openscanhub::failure(job),
        JobList::KojiTagRequests => koji_tag_request::failure(job),
        JobList::LogDetective => log_detective::failure(job),
    });
    Ok(())
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
