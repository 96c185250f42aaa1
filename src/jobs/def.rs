//! The shape of a job kind's definition ([`JobKindDef`], [`ListDef`]): what every
//! kind file fills in and the registry (`registry.rs`) lists. Plain data and plain
//! functions; the functions that ask about other entities take the lookup as
//! [`DynLookup`].

use super::derive::{Keys, LogSource, Targets};
use super::erase::{DynLookup, Stashed};
use super::{Job, JobList};
use crate::api::types::Status;
use crate::api::{Kind, ListEndpoint};
use crate::view::{Cell, DetailView, FailureView};
use serde_json::Value;

/// Adds the jobs one job's JSON references.
pub type RefsFn = fn(&Value, &mut Vec<(Kind, String)>);
/// Each target a grouping list item names, with its status and packit id.
pub type PerTargetFn = fn(Option<&str>) -> Vec<(String, Status, Option<i64>)>;
/// A list row, given its list, job and lookup.
pub type RowFn = fn(JobList, &Job<'_>, &DynLookup<'_>) -> Result<Vec<Cell>, Stashed>;
/// A target index row (grouping lists only).
pub type TargetRowFn = fn(JobList, &Job<'_>, &DynLookup<'_>) -> Vec<Cell>;
/// Fills a detail view.
pub type DetailFn = fn(JobList, &Job<'_>, &mut DetailView, &DynLookup<'_>) -> Result<(), Stashed>;
/// The failure box of a failed job, given its filled detail view.
pub type FailureFn =
    fn(JobList, &Job<'_>, &DetailView, &DynLookup<'_>) -> Result<FailureView, Stashed>;

/// Everything about one job kind. Plain data and plain functions: the functions that
/// ask about other entities take the lookup as [`DynLookup`].
pub struct JobKindDef {
    /// The kind of one job (a detail page, an archive entity).
    pub kind: Kind,
    /// The dashboard lists that show it (Koji: scratch and production builds).
    pub lists: &'static [ListDef],
    /// The Packit-wide list endpoint whose items are this kind's (or group them).
    pub api_list: ListEndpoint,
    /// The detail endpoint's path before `/<id>`.
    pub api_detail: &'static str,
    /// When the list items group several jobs (a Copr build's chroots, a sync-release
    /// run's branches): what the items are.
    pub group: Option<Group>,
    /// The field of the job's JSON that names a bus message's target (a Copr chroot,
    /// a dist-git branch), for refreshes that look jobs up in the archive.
    pub target_field: Option<&'static str>,
    /// Whether Packit records a status for its jobs (else they count as unknown, and
    /// stay out of the success rates).
    pub statuses: bool,
    /// Whether its jobs are results of the project's own targets (an analysis of
    /// another job's failure is not).
    pub project_results: bool,
    /// List column headers.
    pub columns: &'static [&'static str],
    /// Column headers of the target index (grouping lists only).
    pub target_columns: &'static [&'static str],
    /// The fields it reads: whether `json` reads as the kind's typed model, else why
    /// not (the slot of the field-by-field reader).
    pub read_fields: fn(&str) -> Result<(), String>,
    /// The keys the archive extracts, from the list item and the detail JSON.
    pub keys: fn(Option<&str>, Option<&str>) -> Keys,
    /// The jobs one job's JSON references (SRPM build, analyses, tested builds).
    pub refs: Option<RefsFn>,
    /// The logs one job's JSON names.
    pub logs: Option<fn(&Value, &mut Vec<LogSource>)>,
    /// A list row.
    pub row: RowFn,
    /// A target index row (grouping lists only).
    pub target_row: Option<TargetRowFn>,
    /// Fills the detail view.
    pub detail: DetailFn,
    /// The failure box of a failed or errored job.
    pub failure: FailureFn,
}

/// What a grouping list's items are.
pub struct Group {
    /// Their kind.
    pub kind: Kind,
    /// How they name their targets.
    pub targets: Targets,
    /// The keys the archive extracts from one (its list JSON).
    pub keys: fn(Option<&str>) -> Keys,
    /// Each target one names (from its list JSON), in name order, with its status
    /// and packit id.
    pub per_target: PerTargetFn,
}

/// One dashboard list of a kind.
pub struct ListDef {
    /// Its name.
    pub list: JobList,
    /// URL segment of the list (`jobs/<slug>/`).
    pub slug: &'static str,
    /// URL segment of the detail pages (`jobs/<slug>/<id>/`).
    pub detail_slug: &'static str,
    /// The dashboard's old plural name, kept alive by redirect pages.
    pub legacy_slug: Option<&'static str>,
    /// Human title.
    pub title: &'static str,
    /// Human name of one job.
    pub singular: &'static str,
    /// Human name of the targets of a grouping list (else the title).
    pub targets_title: &'static str,
    /// Whether a job with this extracted target belongs to the list.
    pub accepts: fn(Option<&str>) -> bool,
    /// The other list the dashboard serves any of this list's detail ids under (the
    /// two Koji lists, each the other's), so its pages get an alias there.
    pub twin: Option<JobList>,
}

impl ListDef {
    /// A list that takes every job of its kind, with the same slug for its detail
    /// pages and its targets titled as itself.
    pub const fn plain(
        list: JobList,
        slug: &'static str,
        title: &'static str,
        singular: &'static str,
    ) -> ListDef {
        ListDef {
            list,
            slug,
            detail_slug: slug,
            legacy_slug: None,
            title,
            singular,
            targets_title: title,
            accepts: every,
            twin: None,
        }
    }
}

/// [`ListDef::accepts`] of a list that takes every job of its kind.
pub fn every(_: Option<&str>) -> bool {
    true
}

/// The `read_fields` of a kind read as `T`.
pub fn reads<T: serde::de::DeserializeOwned>(json: &str) -> Result<(), String> {
    serde_json::from_str::<T>(json)
        .map(|_| ())
        .map_err(|e| e.to_string())
}
