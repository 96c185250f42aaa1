//! The run history of each target on each trigger: per (project, trigger, job
//! list, target) the jobs in submission order with their status
//! ([`TargetHistory`], filled by the catalog from the rows it already reads and
//! patched with it), the decision of what a job's result means next to the
//! previous run ([`verdict`]), and the history view of a job page.

use super::{Model, Result};
use crate::api::types::StatusClass;
use crate::jobs::JobList;
use crate::jobs::detail_path;
use crate::view::{Chip, HistoryChip, HistoryView, Link, StatusView, tv};
use std::collections::BTreeMap;

/// Results shown in a job page's strip at most (the job and those before it).
pub const STRIP: usize = 8;

/// (project, trigger key, job list, target; `""` for none).
pub type HistKey = (Box<str>, Box<str>, JobList, Box<str>);

/// One run of a target.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TargetRun {
    /// Submission time (0 when unknown).
    pub submitted: i64,
    /// Job id.
    pub id: i64,
    /// Status as stored.
    pub status: Box<str>,
}

impl TargetRun {
    /// The run's status class.
    pub fn class(&self) -> StatusClass {
        StatusClass::of(&self.status)
    }
    fn order(&self) -> (i64, i64) {
        (self.submitted, self.id)
    }
}

/// Per (project, trigger, list, target): its runs, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct TargetHistory {
    runs: BTreeMap<HistKey, Vec<TargetRun>>,
}

/// The history key of a job of list `l`, when it has a project and a trigger.
pub fn hist_key(
    l: JobList,
    project: Option<&str>,
    trigger: Option<&str>,
    target: Option<&str>,
) -> Option<HistKey> {
    Some((
        project.filter(|p| !p.is_empty())?.into(),
        trigger.filter(|t| !t.is_empty())?.into(),
        l,
        target.unwrap_or("").into(),
    ))
}

impl TargetHistory {
    /// Adds (or replaces) the run `id` under `key`, keeping time order.
    pub fn put(&mut self, key: HistKey, id: i64, submitted: Option<i64>, status: &str) {
        let v = self.runs.entry(key).or_default();
        if let Some(i) = v.iter().position(|r| r.id == id) {
            v.remove(i);
        }
        let run = TargetRun {
            submitted: submitted.unwrap_or(0),
            id,
            status: status.into(),
        };
        let at = v.partition_point(|r| r.order() < run.order());
        v.insert(at, run);
    }

    /// The runs under `key`, oldest first.
    pub fn runs(&self, key: &HistKey) -> &[TargetRun] {
        self.runs.get(key).map(|v| v.as_slice()).unwrap_or(&[])
    }

    /// Every key of project `p` with its runs.
    pub fn of_project<'a>(
        &'a self,
        p: &'a str,
    ) -> impl Iterator<Item = (&'a HistKey, &'a [TargetRun])> + 'a {
        self.runs
            .iter()
            .filter(move |(k, _)| &*k.0 == p)
            .map(|(k, v)| (k, v.as_slice()))
    }
}

/// What a job's result means next to the runs before it on the same trigger.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Failed; the previous run did not (or there was none).
    NewFailure,
    /// Failed, as did the runs since the one at this index (the first of the streak).
    StillFailing(usize),
    /// Passed; the previous run failed.
    Fixed,
    /// Nothing to say (passed after a pass, still running, …).
    Plain,
}

/// The verdict for the run at `pos` of `runs` (oldest first). Runs that neither
/// passed nor failed (pending, running, canceled, skipped) are passed over when
/// looking back.
pub fn verdict(runs: &[TargetRun], pos: usize) -> Verdict {
    let Some(me) = runs.get(pos) else {
        return Verdict::Plain;
    };
    let decided = |r: &TargetRun| {
        let c = r.class();
        c.is_failure() || c == StatusClass::Success
    };
    let mut before = runs[..pos]
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, r)| decided(r));
    let prev = before.next();
    let c = me.class();
    if c.is_failure() {
        match prev {
            Some((i, r)) if r.class().is_failure() => {
                let mut since = i;
                for (j, r) in before {
                    if !r.class().is_failure() {
                        break;
                    }
                    since = j;
                }
                Verdict::StillFailing(since)
            }
            _ => Verdict::NewFailure,
        }
    } else if c == StatusClass::Success && prev.is_some_and(|(_, r)| r.class().is_failure()) {
        Verdict::Fixed
    } else {
        Verdict::Plain
    }
}

impl Model<'_> {
    /// The history of job `l`/`id` on its trigger: the previous run, the verdict
    /// and the strip of its target's last results (None when the job has no
    /// project, trigger or earlier or later run).
    pub fn job_history(&self, l: JobList, id: i64) -> Result<Option<HistoryView>> {
        let Some((_, row)) = self
            .archive()
            .catalog_row(l.detail_kind(), &id.to_string())?
        else {
            return Ok(None);
        };
        let Some(key) = hist_key(
            l,
            row.project.as_deref(),
            row.trigger.as_deref(),
            row.target.as_deref(),
        ) else {
            return Ok(None);
        };
        let runs = self.catalog.history.runs(&key);
        let Some(pos) = runs.iter().position(|r| r.id == id) else {
            return Ok(None);
        };
        if runs.len() < 2 {
            return Ok(None);
        }
        let link = |r: &TargetRun| -> Link {
            Link::int(detail_path(l, r.id), format!("{} #{}", l.singular(), r.id))
        };
        let previous = pos.checked_sub(1).map(|i| &runs[i]);
        let (text, since) = match verdict(runs, pos) {
            Verdict::NewFailure => ("new failure", None),
            Verdict::StillFailing(i) => ("still failing", Some(&runs[i])),
            Verdict::Fixed => ("fixed", None),
            Verdict::Plain => ("", None),
        };
        let from = (pos + 1).saturating_sub(STRIP);
        let to = (pos + STRIP / 2).min(runs.len());
        let from = from.min(to.saturating_sub(STRIP));
        let strip = runs[from..to]
            .iter()
            .map(|r| HistoryChip {
                chip: Chip {
                    status: StatusView::of(&r.status),
                    text: format!("#{}", r.id),
                    href: (r.id != id).then(|| detail_path(l, r.id)),
                },
                current: r.id == id,
                when: tv((r.submitted > 0).then_some(r.submitted)),
            })
            .collect();
        Ok(Some(HistoryView {
            verdict: text.into(),
            verdict_class: match text {
                "fixed" => "success",
                "" => "",
                _ => "failure",
            },
            previous: previous.map(|r| (link(r), StatusView::of(&r.status))),
            since: since.map(|r| (link(r), tv((r.submitted > 0).then_some(r.submitted)))),
            next: runs.get(pos + 1).map(link),
            strip,
            runs: runs.len(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(st: &[&str]) -> Vec<TargetRun> {
        st.iter()
            .enumerate()
            .map(|(i, s)| TargetRun {
                submitted: 100 + i as i64,
                id: i as i64 + 1,
                status: (*s).into(),
            })
            .collect()
    }

    #[test]
    fn verdicts() {
        let r = runs(&[
            "success", "failure", "failure", "error", "success", "failure",
        ]);
        assert_eq!(verdict(&r, 0), Verdict::Plain);
        assert_eq!(verdict(&r, 1), Verdict::NewFailure);
        assert_eq!(verdict(&r, 2), Verdict::StillFailing(1));
        assert_eq!(verdict(&r, 3), Verdict::StillFailing(1));
        assert_eq!(verdict(&r, 4), Verdict::Fixed);
        assert_eq!(verdict(&r, 5), Verdict::NewFailure);
        // the first run that fails is a new failure; out of range says nothing
        assert_eq!(verdict(&runs(&["failure"]), 0), Verdict::NewFailure);
        assert_eq!(verdict(&r, 9), Verdict::Plain);
    }

    #[test]
    fn undecided_runs_are_passed_over() {
        let r = runs(&[
            "failure", "running", "canceled", "failure", "pending", "success",
        ]);
        assert_eq!(verdict(&r, 3), Verdict::StillFailing(0));
        assert_eq!(verdict(&r, 5), Verdict::Fixed);
        assert_eq!(verdict(&r, 1), Verdict::Plain);
    }

    #[test]
    fn runs_stay_in_time_order_and_are_replaced() {
        let mut h = TargetHistory::default();
        let k = hist_key(
            JobList::Copr,
            Some("f/n/r"),
            Some("pr:1"),
            Some("fedora-40"),
        )
        .unwrap();
        h.put(k.clone(), 5, Some(300), "failure");
        h.put(k.clone(), 9, Some(100), "success");
        h.put(k.clone(), 7, Some(200), "pending");
        let ids: Vec<i64> = h.runs(&k).iter().map(|r| r.id).collect();
        assert_eq!(ids, [9, 7, 5]);
        h.put(k.clone(), 7, Some(400), "success");
        let ids: Vec<i64> = h.runs(&k).iter().map(|r| r.id).collect();
        assert_eq!(ids, [9, 5, 7]);
        assert_eq!(&*h.runs(&k)[2].status, "success");
        assert!(hist_key(JobList::Copr, Some("f/n/r"), None, None).is_none());
        assert_eq!(h.of_project("f/n/r").count(), 1);
        assert_eq!(h.of_project("x/y/z").count(), 0);
    }
}
