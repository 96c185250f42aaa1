//! A project's results per job type and target (chroot, branch): the last
//! [`RECENT`] runs of each target on any trigger, how many of them passed, whether
//! it fails now and whether it flakes (passes and fails by turns on one pull
//! request or branch). Read from the catalog's [`TargetHistory`]; what the project
//! page leads with. Log Detective analyses are left out (they explain failures,
//! they are none).

use super::history::{TargetHistory, TargetRun};
use crate::api::types::StatusClass;
use crate::jobs::{JobList, detail_path};
use crate::view::{Chip, ListResults, ResultDot, TargetResult, tv};
use std::collections::{BTreeMap, HashSet};

/// Runs per target the project page shows (and counts the pass rate over).
pub const RECENT: usize = 20;

/// Targets per job type the project page lists at most (failing and flaky
/// ones first).
pub const TARGETS: usize = 40;

/// Changes between pass and fail on one trigger, within the recent runs, from
/// which a target counts as flaky.
const FLAKY_FLIPS: usize = 2;

/// The results of project `p`'s targets, per job type in [`JobList::ALL`] order.
pub fn project_results(h: &TargetHistory, p: &str) -> Vec<ListResults> {
    // (list, target) → (trigger, runs oldest first) per trigger
    let mut by: BTreeMap<(JobList, &str), Vec<&[TargetRun]>> = BTreeMap::new();
    for ((_, _, l, target), runs) in h.of_project(p) {
        // an analysis of failures is no result of the project's own
        if !l.kind_def().project_results {
            continue;
        }
        by.entry((*l, target)).or_default().push(runs);
    }
    let mut out: Vec<ListResults> = Vec::new();
    for ((l, target), triggers) in by {
        let row = target_result(l, target, &triggers);
        match out.last_mut() {
            Some(r) if r.slug == l.slug() => r.rows.push(row),
            _ => out.push(ListResults {
                slug: l.slug(),
                title: l.title(),
                rows: vec![row],
                failing: String::new(),
                flaky: String::new(),
                more: 0,
            }),
        }
    }
    for r in &mut out {
        // failing first, then flaky, then by name (stable)
        r.rows.sort_by_key(|t| (!t.failing, !t.flaky));
        let names = |pick: fn(&TargetResult) -> bool| {
            let v: Vec<&str> = r
                .rows
                .iter()
                .filter(|t| pick(t))
                .map(|t| t.target.as_str())
                .collect();
            v.join(", ")
        };
        r.failing = names(|t| t.failing);
        r.flaky = names(|t| t.flaky);
        r.more = r.rows.len().saturating_sub(TARGETS);
        r.rows.truncate(TARGETS);
    }
    out.sort_by_key(|r| JobList::ALL.iter().position(|l| l.slug() == r.slug));
    out
}

fn decided(c: StatusClass) -> bool {
    c.is_failure() || c == StatusClass::Success
}

/// One target's row from its runs on each trigger.
fn target_result(l: JobList, target: &str, triggers: &[&[TargetRun]]) -> TargetResult {
    let mut all: Vec<&TargetRun> = triggers.iter().flat_map(|r| r.iter()).collect();
    all.sort_by_key(|r| (r.submitted, r.id));
    let recent = &all[all.len().saturating_sub(RECENT)..];
    let ids: HashSet<i64> = recent.iter().map(|r| r.id).collect();
    let passed = recent
        .iter()
        .filter(|r| r.class() == StatusClass::Success)
        .count();
    let failed = recent.iter().filter(|r| r.class().is_failure()).count();
    let last_decided = recent.iter().rev().find(|r| decided(r.class()));
    let failing = last_decided.is_some_and(|r| r.class().is_failure());
    // flips between pass and fail on one trigger, among the recent runs
    let flips = triggers
        .iter()
        .map(|runs| {
            let d: Vec<bool> = runs
                .iter()
                .filter(|r| ids.contains(&r.id) && decided(r.class()))
                .map(|r| r.class() == StatusClass::Success)
                .collect();
            d.windows(2).filter(|w| w[0] != w[1]).count()
        })
        .max()
        .unwrap_or(0);
    let latest = recent.last().map(|r| Chip {
        status: crate::view::StatusView::of(&r.status),
        text: format!("#{}", r.id),
        href: Some(detail_path(l, r.id)),
    });
    let last_failure = if failing {
        None
    } else {
        recent.iter().rev().find(|r| r.class().is_failure())
    };
    let decided_n = passed + failed;
    let others = recent.len() - decided_n;
    let mut label = format!(
        "Last {} run{}, oldest first: {passed} passed, {failed} failed",
        recent.len(),
        if recent.len() == 1 { "" } else { "s" }
    );
    if others > 0 {
        label.push_str(&format!(", {others} neither"));
    }
    TargetResult {
        target: if target.is_empty() {
            "(no target)".into()
        } else {
            target.into()
        },
        dots: recent
            .iter()
            .map(|r| ResultDot {
                class: r.class().as_str(),
            })
            .collect(),
        label,
        passed,
        decided: decided_n,
        rate: (decided_n > 0).then(|| (passed * 100 + decided_n / 2) / decided_n),
        failing,
        flaky: flips >= FLAKY_FLIPS,
        latest,
        last_failure: last_failure.map(|r| {
            (
                crate::view::Link::int(detail_path(l, r.id), format!("#{}", r.id)),
                tv((r.submitted > 0).then_some(r.submitted)),
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::hist_key;

    fn put(h: &mut TargetHistory, l: JobList, trig: &str, target: &str, runs: &[(i64, &str)]) {
        for (id, st) in runs {
            let k = hist_key(l, Some("github.com/o/r"), Some(trig), Some(target)).unwrap();
            h.put(k, *id, Some(1000 + id), st);
        }
    }

    #[test]
    fn failing_and_flaky_targets_lead() {
        let mut h = TargetHistory::default();
        // steady on two pull requests
        put(
            &mut h,
            JobList::Copr,
            "pr:1",
            "a-steady",
            &[(1, "success"), (2, "success")],
        );
        put(&mut h, JobList::Copr, "pr:2", "a-steady", &[(9, "success")]);
        // fails now (since #6), after a pass
        put(
            &mut h,
            JobList::Copr,
            "pr:1",
            "b-broken",
            &[(3, "success"), (6, "failure"), (7, "error")],
        );
        // pass, fail, pass on one branch: flaky
        put(
            &mut h,
            JobList::Copr,
            "branch:main",
            "c-flaky",
            &[(4, "success"), (5, "failed"), (8, "success")],
        );
        // another job type, no target
        put(
            &mut h,
            JobList::Srpm,
            "pr:1",
            "",
            &[(10, "failure"), (11, "running")],
        );
        // analyses are no results
        put(&mut h, JobList::LogDetective, "pr:1", "x", &[(12, "error")]);
        let r = project_results(&h, "github.com/o/r");
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].slug, "copr");
        let names: Vec<&str> = r[0].rows.iter().map(|t| t.target.as_str()).collect();
        assert_eq!(names, ["b-broken", "c-flaky", "a-steady"]);
        assert_eq!(
            (r[0].failing.as_str(), r[0].flaky.as_str()),
            ("b-broken", "c-flaky")
        );
        let b = &r[0].rows[0];
        assert!(b.failing && !b.flaky);
        assert_eq!((b.passed, b.decided, b.rate), (1, 3, Some(33)));
        assert_eq!(
            b.latest.as_ref().unwrap().href.as_deref(),
            Some("jobs/copr/7/")
        );
        let c = &r[0].rows[1];
        assert!(c.flaky && !c.failing);
        assert_eq!(c.last_failure.as_ref().unwrap().0.text, "#5");
        let a = &r[0].rows[2];
        assert!(!a.flaky && !a.failing);
        assert_eq!((a.passed, a.rate), (3, Some(100)));
        // the strip is in time order across triggers
        assert_eq!(a.dots.len(), 3);
        let s = &r[1].rows[0];
        assert_eq!(s.target, "(no target)");
        assert!(s.failing);
        assert!(s.label.contains("1 neither"), "{}", s.label);
        assert!(project_results(&h, "github.com/x/y").is_empty());
    }

    #[test]
    fn a_fix_is_not_a_flake_and_old_runs_drop_out() {
        let mut h = TargetHistory::default();
        // fail, fail, pass: one change on the trigger, then many passes
        let mut runs = vec![(1, "failure"), (2, "failure")];
        runs.extend((3..40).map(|i| (i, "success")));
        put(&mut h, JobList::Copr, "pr:1", "t", &runs);
        let r = project_results(&h, "github.com/o/r");
        let t = &r[0].rows[0];
        assert!(!t.flaky && !t.failing);
        assert_eq!(t.dots.len(), RECENT);
        assert_eq!((t.passed, t.decided), (RECENT, RECENT));
        assert!(t.last_failure.is_none(), "failures older than the strip");
    }
}
