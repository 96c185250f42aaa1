//! The view structs handed to the templates and the small constructors the views
//! are built with. Plain data: nothing here reads the archive. This file holds the
//! pieces every page kind shares (links, status labels, times, table cells,
//! notices) and the markdown page's view; each page kind's own views have a file
//! of their own: [`job`] (a job's detail page), [`pipeline`] (a pipeline and its
//! matrix), [`project`] (project, trigger and overview rows). All are re-exported
//! here, so `view::DetailView` names the same type as `view::job::DetailView`.

use crate::api::types::Status;
use crate::time;
use crate::urls::safe_url;
use serde::Serialize;

pub mod job;
pub mod pipeline;
pub mod project;

pub use job::*;
pub use pipeline::*;
pub use project::*;

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
