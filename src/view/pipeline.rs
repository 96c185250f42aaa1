//! The views of a pipeline page: the pipeline's stages, and its jobs as a
//! targets × stages matrix with the failed jobs first.

use super::{Chip, CommitView, JobGroup, Notice, StatusView, TimeView, TriggerView};
use serde::Serialize;

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
