//! The view structs handed to the templates (links, status labels, table cells,
//! job detail, pipeline and project views) and the small constructors the views
//! are built with. Plain data: nothing here reads the archive.

use crate::api::types::Status;
use crate::time;
use crate::urls::safe_url;
use serde::Serialize;

/// A link: internal site path (`jobs/copr/1/`) or external absolute URL.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Link {
    /// Target.
    pub href: String,
    /// Text.
    pub text: String,
    /// Whether the target is another site.
    pub ext: bool,
}

impl Link {
    /// Internal link.
    pub fn int(href: String, text: impl Into<String>) -> Link {
        Link {
            href,
            text: text.into(),
            ext: false,
        }
    }
    /// External link, if the URL is a safe http(s) URL.
    pub fn ext(url: Option<&str>, text: impl Into<String>) -> Option<Link> {
        safe_url(url).map(|href| Link {
            href,
            text: text.into(),
            ext: true,
        })
    }
}

/// A status as shown: text, class (for icon and colour) and a human label.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct StatusView {
    /// Status text as the API sent it (normalised).
    pub text: String,
    /// Display class (`success`, `failure`, …).
    pub class: &'static str,
}

impl StatusView {
    /// From API text.
    pub fn of(s: &str) -> StatusView {
        let st = Status::new(s);
        let text = st.normalized();
        StatusView {
            text: if text.is_empty() {
                "unknown".into()
            } else {
                text.to_string()
            },
            class: st.class().as_str(),
        }
    }
}

/// A point in time: ISO for `datetime`, human UTC text.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct TimeView {
    /// `2024-06-20T15:04:24Z`.
    pub iso: String,
    /// `2024-06-20 15:04 UTC`.
    pub human: String,
}

/// Time view of optional UNIX seconds.
pub fn tv(secs: Option<i64>) -> Option<TimeView> {
    secs.map(|s| TimeView {
        iso: time::iso_utc(s),
        human: time::human_utc(s),
    })
}

/// A status label: status + target text + optional link.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Chip {
    /// Status.
    pub status: StatusView,
    /// Target (chroot, branch) or job name.
    pub text: String,
    /// Link (internal detail page or external).
    pub href: Option<String>,
}

/// Forge links and display of a trigger.
#[derive(Clone, Debug, Serialize, PartialEq, Default)]
pub struct TriggerView {
    /// `namespace/repo` (or Anitya project name).
    pub project: String,
    /// `#12`, `:main`, `#release:1.0`, `#version:1.2`.
    pub suffix: String,
    /// Forge host.
    pub forge: String,
    /// Internal project page.
    pub project_page: Option<String>,
    /// Internal trigger page (every pipeline of this PR / branch / release).
    pub trigger_page: Option<String>,
    /// Forge URL of the PR / branch / release / issue.
    pub forge_url: Option<String>,
    /// Forge URL of the project.
    pub project_url: Option<String>,
}

/// A commit: short text, full SHA and forge link.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CommitView {
    /// First 7 characters.
    pub short: String,
    /// Full SHA.
    pub full: String,
    /// Forge URL.
    pub url: Option<String>,
}

/// One table cell of a list.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(tag = "t", rename_all = "lowercase")]
pub enum Cell {
    /// Plain text.
    Text {
        /// Text.
        v: String,
    },
    /// Monospace text.
    Code {
        /// Text.
        v: String,
    },
    /// A link.
    Link {
        /// The link.
        l: Link,
        /// Monospace.
        code: bool,
    },
    /// Status labels.
    Chips {
        /// Labels.
        v: Vec<Chip>,
    },
    /// A time.
    Time {
        /// Time.
        v: Option<TimeView>,
    },
    /// A trigger.
    Trigger {
        /// Trigger.
        v: Option<TriggerView>,
    },
    /// Groups of labels (pipeline jobs).
    Groups {
        /// (group title, labels).
        v: Vec<JobGroup>,
    },
    /// A commit.
    Commit {
        /// Commit.
        v: Option<CommitView>,
    },
    /// Nothing to show.
    Empty,
}

/// A text cell.
pub(crate) fn text(v: impl Into<String>) -> Cell {
    Cell::Text { v: v.into() }
}

/// A text cell, or an empty one.
pub(crate) fn opt_text(v: Option<impl Into<String>>) -> Cell {
    v.map(|v| text(v)).unwrap_or(Cell::Empty)
}

/// A link cell, or an empty one.
pub(crate) fn link_cell(l: Option<Link>, code: bool) -> Cell {
    l.map(|l| Cell::Link { l, code }).unwrap_or(Cell::Empty)
}

/// A monospace link cell to an external URL, or an empty one.
pub(crate) fn ext_code(url: Option<&str>, text: impl Into<String>) -> Cell {
    link_cell(Link::ext(url, text), true)
}

impl Cell {
    /// The cell in monospace (text cells; others as they are).
    pub(crate) fn into_code(self) -> Cell {
        match self {
            Cell::Text { v } => Cell::Code { v },
            c => c,
        }
    }
}

/// A titled group of labels.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct JobGroup {
    /// Group title (`Copr`, `Testing Farm`, …).
    pub title: String,
    /// Labels.
    pub chips: Vec<Chip>,
}

/// A table: headers and rows of cells.
#[derive(Clone, Debug, Serialize, PartialEq, Default)]
pub struct ListView {
    /// Column headers.
    pub columns: Vec<String>,
    /// Rows.
    pub rows: Vec<Vec<Cell>>,
}

/// A labelled fact of a detail page.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Fact {
    /// Label.
    pub label: String,
    /// Value.
    pub value: Cell,
}

/// A fact, or none when the value is empty.
pub(crate) fn fact(label: &str, value: Cell) -> Option<Fact> {
    if value == Cell::Empty {
        None
    } else {
        Some(Fact {
            label: label.into(),
            value,
        })
    }
}

/// A notice box on a page.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Notice {
    /// `info`, `warning` or `error`.
    pub level: &'static str,
    /// Text.
    pub text: String,
}

/// A log shown inline.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct LogView {
    /// Title.
    pub title: String,
    /// Anchor id.
    pub id: String,
    /// Log text.
    pub text: String,
    /// A note about where the log comes from.
    pub note: Option<String>,
}

/// Copr install instructions.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct InstallView {
    /// `dnf copr enable owner/project chroot` (`None` when a value is not one Copr
    /// and RPM allow: then only `values` are shown).
    pub enable: Option<String>,
    /// `dnf install` of all packages.
    pub all: Option<String>,
    /// One command per package.
    pub each: Vec<String>,
    /// The values, labelled, when no command is shown.
    pub values: Vec<(String, String)>,
}

/// One Log Detective snippet.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SnippetView {
    /// Line number.
    pub line: Option<i64>,
    /// Text.
    pub text: String,
    /// Analysis.
    pub analysis: Option<String>,
}

/// Snippets of one source file.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SnippetGroup {
    /// Source file.
    pub file: String,
    /// Snippets.
    pub snippets: Vec<SnippetView>,
}

/// Log Detective results.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct LdView {
    /// Explanation.
    pub explanation: Option<String>,
    /// Solution.
    pub solution: Option<String>,
    /// Nothing found.
    pub no_issue_found: bool,
    /// Snippets by file.
    pub groups: Vec<SnippetGroup>,
}

/// Timeline of a job.
#[derive(Clone, Debug, Serialize, PartialEq, Default)]
pub struct Timeline {
    /// Submitted.
    pub submitted: Option<TimeView>,
    /// Started.
    pub started: Option<TimeView>,
    /// Finished.
    pub finished: Option<TimeView>,
    /// Duration text.
    pub duration: Option<String>,
    /// Extra labelled times.
    pub extra: Vec<(String, TimeView)>,
}

/// The timeline of a job submitted, started and finished at these UNIX times.
pub(crate) fn timeline(sub: Option<i64>, start: Option<i64>, end: Option<i64>) -> Timeline {
    let duration = match (start.or(sub), end) {
        (Some(a), Some(b)) if b >= a => Some(time::human_duration(b - a)),
        _ => None,
    };
    Timeline {
        submitted: tv(sub),
        started: tv(start),
        finished: tv(end),
        duration,
        extra: Vec::new(),
    }
}

/// A related group of jobs (tested builds, SRPM, analyses).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Related {
    /// Title.
    pub title: String,
    /// Jobs.
    pub chips: Vec<Chip>,
}

/// Everything a job detail page shows.
#[derive(Clone, Debug, Serialize, PartialEq, Default)]
pub struct DetailView {
    /// Job type (`Copr build`).
    pub kind_title: String,
    /// Job list slug.
    pub list_slug: String,
    /// Job list title.
    pub list_title: String,
    /// Packit id.
    pub id: i64,
    /// Status.
    pub status: Option<StatusView>,
    /// Target.
    pub target: Option<String>,
    /// Trigger.
    pub trigger: Option<TriggerView>,
    /// Commit.
    pub commit: Option<CommitView>,
    /// Facts.
    pub facts: Vec<Fact>,
    /// Timeline.
    pub timeline: Timeline,
    /// External links.
    pub links: Vec<Link>,
    /// Notices (deleted upstream, fetch errors, archived logs).
    pub notices: Vec<Notice>,
    /// Error messages.
    pub errors: Vec<String>,
    /// Inline logs.
    pub logs: Vec<LogView>,
    /// Copr install instructions.
    pub install: Option<InstallView>,
    /// Log Detective results.
    pub ld: Option<LdView>,
    /// Related jobs.
    pub related: Vec<Related>,
    /// Pipelines the job belongs to.
    pub pipelines: Vec<Link>,
    /// What failed and why, for a failed or errored job (shown under the title).
    pub failure: Option<FailureView>,
}

/// The answer a failed job's page opens with: its first error lines, Log
/// Detective's explanation, the API's own error text, and the next step.
#[derive(Clone, Debug, Serialize, PartialEq, Default)]
pub struct FailureView {
    /// One sentence: what failed (and, when nothing more is known, that).
    pub summary: String,
    /// The first error lines of the job's logs.
    pub lines: Vec<ErrorLine>,
    /// Error lines of the same log beyond those listed.
    pub more: usize,
    /// The API's own error text (Bodhi, Koji, sync release, SRPM).
    pub message: Option<String>,
    /// Log Detective's explanation.
    pub explanation: Option<String>,
    /// Log Detective's suggested solution.
    pub solution: Option<String>,
    /// Site path of the Log Detective analysis the explanation comes from.
    pub analysis: Option<String>,
    /// The one prominent next step when nothing more is known (test artifacts).
    pub next: Option<Link>,
}

/// One error line of an archived log.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ErrorLine {
    /// Title of the log (`builder-live.log`).
    pub log: String,
    /// Site path of the log page (the line's anchor is `#L<line>`); none when
    /// the log is only shown on the job page.
    pub href: Option<String>,
    /// 1-based line number.
    pub line: usize,
    /// The line, without ANSI codes, at most 300 characters.
    pub text: String,
}

/// One pipeline.
#[derive(Clone, Debug, Serialize, PartialEq, Default)]
pub struct PipelineView {
    /// Merged run id.
    pub id: i64,
    /// Overall status.
    pub status: Option<StatusView>,
    /// Trigger.
    pub trigger: Option<TriggerView>,
    /// Submitted.
    pub submitted: Option<TimeView>,
    /// Stages in order.
    pub groups: Vec<JobGroup>,
    /// Notices.
    pub notices: Vec<Notice>,
}

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

/// A rendered markdown page, as the content module hands it over.
#[derive(Clone, Debug, Serialize)]
pub struct ContentView {
    /// File stem (`faq`).
    pub name: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Safe HTML fragment rendered by the content module.
    pub html: String,
    /// Table of contents: (level, text, id).
    pub toc: Vec<TocView>,
}

/// One table-of-contents entry.
#[derive(Clone, Debug, Serialize)]
pub struct TocView {
    /// Heading level.
    pub level: u32,
    /// Text.
    pub text: String,
    /// Anchor.
    pub id: String,
}

/// One result in a job page's history strip.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct HistoryChip {
    /// Status, job number and link (none for the page's own job).
    pub chip: Chip,
    /// Whether it is the page's own job.
    pub current: bool,
    /// Submitted.
    pub when: Option<TimeView>,
}

/// A job next to the earlier runs of its target on the same trigger.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct HistoryView {
    /// `new failure`, `still failing`, `fixed` or empty.
    pub verdict: String,
    /// Status class of the verdict (`failure`, `success` or empty).
    pub verdict_class: &'static str,
    /// The previous run and its status.
    pub previous: Option<(Link, StatusView)>,
    /// The first run of the failing streak, and when it was submitted.
    pub since: Option<(Link, Option<TimeView>)>,
    /// The next run, if any.
    pub next: Option<Link>,
    /// The target's results around this one, oldest first.
    pub strip: Vec<HistoryChip>,
    /// Runs of the target on the trigger.
    pub runs: usize,
}

/// A job in a pipeline's matrix.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct MatrixJob {
    /// Status, `#id` and link to the job page.
    pub chip: Chip,
    /// How long it took.
    pub duration: Option<String>,
}

/// One target (chroot, branch) of a pipeline: its jobs per stage column.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct MatrixRow {
    /// The target (empty when the jobs name none).
    pub target: String,
    /// One cell per column of [`PipelineMatrix::columns`] after SRPM.
    pub cells: Vec<Vec<MatrixJob>>,
}

/// A failed job of a pipeline, with the way to its first error line.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct FailedJob {
    /// `Copr build #12`, …
    pub title: String,
    /// The target, if any.
    pub target: Option<String>,
    /// Its status.
    pub status: StatusView,
    /// The job page.
    pub job: Option<String>,
    /// Site path of the log page holding the first error line, and that line's number.
    pub log: Option<(String, usize)>,
    /// The first error line's text.
    pub error: Option<String>,
}

/// A pipeline's jobs as targets × stages, its failures first.
#[derive(Clone, Debug, Serialize, PartialEq, Default)]
pub struct PipelineMatrix {
    /// Stage columns after the SRPM (`Copr`, `Koji`, `Testing Farm`, …).
    pub columns: Vec<String>,
    /// The SRPM build (shared by every target).
    pub srpm: Option<MatrixJob>,
    /// One row per target.
    pub rows: Vec<MatrixRow>,
    /// The commit built.
    pub commit: Option<CommitView>,
    /// The failed jobs, in stage order.
    pub failed: Vec<FailedJob>,
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
