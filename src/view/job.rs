//! The views of a job's detail page: its facts, timeline, logs, install
//! commands, Log Detective results, the failure answer it opens with and the
//! history of its target on the same trigger, and its fields that could not be
//! read.

use super::{Chip, CommitView, Fact, Link, Notice, StatusView, TimeView, TriggerView, tv};
use crate::time;
use serde::Serialize;

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
    /// Fields of the job's stored JSON that could not be read, each shown in its
    /// place with its raw value (left out of the view's JSON when there are none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<UnreadableView>,
}

/// A field of a job's stored JSON that could not be read, shown in its place on
/// the page, marked as unreadable, with its raw value: data is never hidden.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct UnreadableView {
    /// Where the page shows it: `status` (by the status label), `target` (the
    /// target fact), `time` (the timeline) or `facts` (the other facts).
    pub place: &'static str,
    /// The label it is shown under (`Target`, `Started`, else the field's name).
    pub label: String,
    /// The field (`build_start_time`, `built_packages[0].epoch`).
    pub field: String,
    /// `unreadable: expected a time`.
    pub text: String,
    /// The stored value, as JSON.
    pub raw: String,
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
    /// The lines that belong to it (a failed test's name and message, the
    /// missing providers after `Problem:`, the compiler's source excerpt).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ErrorDetail>,
}

/// A detail line of an [`ErrorLine`], in the same log.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ErrorDetail {
    /// 1-based line number.
    pub line: usize,
    /// The line, without ANSI codes, at most 300 characters.
    pub text: String,
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
