//! The views of project pages: rows of the project tables, a project page's
//! sections and trigger rows, and the per-target result strips of its
//! overview.

use super::{Chip, Link, Notice, TimeView};
use serde::Serialize;

/// A row of a project table.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ProjectRow {
    /// `namespace/repo`.
    pub name: String,
    /// Forge host.
    pub forge: String,
    /// Internal page.
    pub href: String,
    /// External URL.
    pub url: Option<String>,
    /// PRs handled.
    pub prs: i64,
    /// Branches handled.
    pub branches: i64,
    /// Releases handled.
    pub releases: i64,
    /// Issues handled.
    pub issues: i64,
    /// Pipelines in the archive.
    pub pipelines: usize,
}

/// A project page.
#[derive(Clone, Debug, Serialize, PartialEq, Default)]
pub struct ProjectView {
    /// Key.
    pub key: String,
    /// Site path of the project page.
    pub href: String,
    /// Forge.
    pub forge: String,
    /// Namespace.
    pub namespace: String,
    /// Repo.
    pub repo: String,
    /// External URL.
    pub url: Option<String>,
    /// Forge page.
    pub forge_page: String,
    /// Namespace page.
    pub namespace_page: String,
    /// Sections: (slug, title, count, page).
    pub sections: Vec<SectionLink>,
    /// Pipelines count.
    pub pipelines: usize,
    /// Notices.
    pub notices: Vec<Notice>,
}

/// A link to a project section.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SectionLink {
    /// Slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Item count.
    pub count: usize,
    /// Page.
    pub href: String,
}

/// A row of a project section (one PR / branch / release / issue).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct TriggerRow {
    /// Display name (`#12`, `main`).
    pub name: String,
    /// Internal trigger page.
    pub href: String,
    /// Forge URL.
    pub url: Option<String>,
    /// Pipelines.
    pub pipelines: usize,
    /// Latest pipeline status.
    pub latest: Option<Chip>,
}

/// One run in a target's strip on the project page (its colour is its status).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ResultDot {
    /// Status class.
    pub class: &'static str,
}

/// One target of a job type on the project page: its recent runs on any trigger.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct TargetResult {
    /// Chroot, branch, … (`(no target)` for jobs without one).
    pub target: String,
    /// The recent runs, oldest first.
    pub dots: Vec<ResultDot>,
    /// What the strip says, for screen readers.
    pub label: String,
    /// Recent runs that passed.
    pub passed: usize,
    /// Recent runs that passed or failed.
    pub decided: usize,
    /// `passed` of `decided` in percent, rounded.
    pub rate: Option<usize>,
    /// Whether the newest run that passed or failed failed.
    pub failing: bool,
    /// Whether it passed and failed by turns on one trigger.
    pub flaky: bool,
    /// The newest run.
    pub latest: Option<Chip>,
    /// The newest failed run when the target does not fail now, and when.
    pub last_failure: Option<(Link, Option<TimeView>)>,
}

/// A job type's targets on the project page.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ListResults {
    /// The job list's slug.
    pub slug: &'static str,
    /// Its title.
    pub title: &'static str,
    /// Its targets, failing and flaky ones first.
    pub rows: Vec<TargetResult>,
    /// The failing targets' names, joined by commas.
    pub failing: String,
    /// The flaky targets' names, joined by commas.
    pub flaky: String,
    /// Targets left out.
    pub more: usize,
}
