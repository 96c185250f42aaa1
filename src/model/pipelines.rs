//! Pipeline views: one pipeline's stages with a label per job, pipeline tables,
//! and the pipelines a job belongs to.

use super::caches::RowTable;
use super::{Model, Result, entity_notices};
use crate::api::Kind;
use crate::api::types::{self, Run};
use crate::archive::Entity;
use crate::jobs::parse;
use crate::jobs::{JobList, detail_path};
use crate::urls::pipeline_path;
use crate::view::{
    Cell, Chip, FailedJob, JobGroup, Link, ListView, MatrixJob, MatrixRow, PipelineMatrix,
    PipelineView, StatusView, tv,
};

/// The stages of a pipeline in order: column title, job kind, the jobs.
fn stages(run: &Run) -> Vec<(&'static str, Kind, Vec<types::RunJob>)> {
    vec![
        ("Copr", Kind::Copr, run.copr.clone()),
        ("Koji", Kind::Koji, run.koji.clone()),
        ("Testing Farm", Kind::TestingFarm, run.test_run.clone()),
        ("Bodhi", Kind::Bodhi, run.bodhi_update.clone()),
        (
            "Propose downstream",
            Kind::ProposeDownstream,
            run.propose_downstream.clone(),
        ),
        (
            "Pull from upstream",
            Kind::PullFromUpstream,
            run.pull_from_upstream.clone(),
        ),
        ("VM image", Kind::System, run.vm_image_build.clone()),
    ]
}

/// How bad a status class is, for a pipeline's overall status (higher is worse).
fn badness(c: &str) -> u8 {
    match c {
        "error" => 7,
        "failure" => 6,
        "running" => 5,
        "pending" => 4,
        "canceled" => 3,
        "skipped" => 2,
        "success" => 1,
        _ => 0,
    }
}

/// The worst status of a pipeline's jobs (None without jobs).
pub fn worst_status(groups: &[JobGroup]) -> Option<StatusView> {
    groups
        .iter()
        .flat_map(|g| g.chips.iter())
        .map(|c| &c.status)
        .max_by_key(|s| badness(s.class))
        .cloned()
}

impl Model<'_> {
    /// Pipeline view of a stored `/runs` item.
    pub fn pipeline(&self, e: &Entity) -> Result<PipelineView> {
        let run: Run = parse(e.list_json.as_deref().or(e.detail_json.as_deref()));
        let id: i64 = e.id.parse().unwrap_or(0);
        let mut groups = Vec::new();
        let mut push = |title: &str, kind: Kind, jobs: &[types::RunJob], m: &Self| -> Result<()> {
            if jobs.is_empty() {
                return Ok(());
            }
            let mut chips = Vec::new();
            for j in jobs {
                chips.push(m.job_chip(
                    kind,
                    j.packit_id,
                    j.status.as_str(),
                    j.target.as_deref().unwrap_or(""),
                )?);
            }
            groups.push(JobGroup {
                title: title.into(),
                chips,
            });
            Ok(())
        };
        if let Some(s) = &run.srpm {
            let mut j = s.clone();
            if j.target.is_none() {
                j.target = Some("SRPM".into());
            }
            push("SRPM", Kind::Srpm, &[j], self)?;
        }
        push("Copr", Kind::Copr, &run.copr, self)?;
        push("Koji", Kind::Koji, &run.koji, self)?;
        push("Testing Farm", Kind::TestingFarm, &run.test_run, self)?;
        push(
            "Propose downstream",
            Kind::ProposeDownstream,
            &run.propose_downstream,
            self,
        )?;
        push(
            "Pull from upstream",
            Kind::PullFromUpstream,
            &run.pull_from_upstream,
            self,
        )?;
        push("Bodhi", Kind::Bodhi, &run.bodhi_update, self)?;
        push("VM image", Kind::System, &run.vm_image_build, self)?;
        Ok(PipelineView {
            id,
            status: e.status.as_deref().map(StatusView::of),
            trigger: run.trigger.as_ref().and_then(|t| self.trigger(t)),
            submitted: tv(run.time_submitted.or(e.submitted)),
            groups,
            notices: entity_notices(e),
        })
    }

    /// Table of pipelines with the given ids, newest first.
    pub fn pipeline_rows(&self, ids: &[i64]) -> Result<ListView> {
        let rows = self.rows_of(RowTable::Pipeline, Kind::Pipeline, None, ids, |e| {
            let p = self.pipeline(e)?;
            let status = worst_status(&p.groups)
                .or(p.status.clone())
                .unwrap_or_else(|| StatusView::of(""));
            Ok(vec![
                Cell::Chips {
                    v: vec![Chip {
                        status,
                        text: format!("#{}", p.id),
                        href: Some(pipeline_path(p.id)),
                    }],
                },
                Cell::Trigger { v: p.trigger },
                Cell::Time { v: p.submitted },
                Cell::Groups { v: p.groups },
            ])
        })?;
        Ok(ListView {
            columns: vec![
                "Pipeline".into(),
                "Trigger".into(),
                "Submitted".into(),
                "Jobs".into(),
            ],
            rows,
        })
    }

    /// A pipeline's jobs as targets × stages, with its failed jobs (without
    /// their error lines, which the pipeline page reads from the logs) and,
    /// for each failed job, its detail list and id when it has a page.
    #[allow(clippy::type_complexity)]
    pub fn pipeline_matrix(
        &self,
        e: &Entity,
    ) -> Result<(PipelineMatrix, Vec<Option<(JobList, i64)>>)> {
        let run: Run = parse(e.list_json.as_deref().or(e.detail_json.as_deref()));
        let mut m = PipelineMatrix::default();
        let mut pages = Vec::new();
        let mut job =
            |kind: Kind, j: &types::RunJob, m: &mut PipelineMatrix| -> Result<MatrixJob> {
                let chip = self.job_chip(kind, j.packit_id, j.status.as_str(), "")?;
                let list = j
                    .packit_id
                    .and_then(|id| Some((self.catalog.detail_list(kind, id)?, id)));
                let d = match list {
                    Some((l, id)) => self.detail(l, id)?,
                    None => None,
                };
                if m.commit.is_none() {
                    m.commit = d.as_ref().and_then(|d| d.commit.clone());
                }
                if matches!(chip.status.class, "failure" | "error") {
                    pages.push(list);
                    let title = match list {
                        Some((l, id)) => format!("{} #{id}", l.singular()),
                        None => format!("{} job", kind.as_str()),
                    };
                    m.failed.push(FailedJob {
                        title,
                        target: j.target.clone().filter(|t| !t.is_empty()),
                        status: chip.status.clone(),
                        job: list.map(|(l, id)| detail_path(l, id)),
                        log: None,
                        error: None,
                    });
                }
                Ok(MatrixJob {
                    chip,
                    duration: d.and_then(|d| d.timeline.duration),
                })
            };
        if let Some(s) = &run.srpm {
            m.srpm = Some(job(Kind::Srpm, s, &mut m)?);
        }
        for (title, kind, jobs) in stages(&run) {
            if jobs.is_empty() {
                continue;
            }
            let col = m.columns.len();
            m.columns.push(title.into());
            for r in &mut m.rows {
                r.cells.push(Vec::new());
            }
            for j in &jobs {
                let mj = job(kind, j, &mut m)?;
                let target = j.target.clone().unwrap_or_default();
                let at = match m.rows.iter().position(|r| r.target == target) {
                    Some(i) => i,
                    None => {
                        m.rows.push(MatrixRow {
                            target,
                            cells: vec![Vec::new(); col + 1],
                        });
                        m.rows.len() - 1
                    }
                };
                m.rows[at].cells[col].push(mj);
            }
        }
        Ok((m, pages))
    }

    /// Links to the pipelines a job belongs to.
    pub fn pipelines_of(&self, kind: Kind, id: i64) -> Result<Vec<Link>> {
        Ok(self
            .archive
            .pipelines_of(kind, &id.to_string())?
            .into_iter()
            .filter(|p| self.catalog.has_pipeline(*p))
            .map(|p| Link::int(pipeline_path(p), format!("Pipeline #{p}")))
            .collect())
    }
}
