//! Pipeline views: one pipeline's stages with a label per job, pipeline tables,
//! and the pipelines a job belongs to.

use super::caches::RowTable;
use super::{Model, Result, entity_notices};
use crate::api::Kind;
use crate::api::types::{self, Run};
use crate::archive::Entity;
use crate::jobs::parse;
use crate::urls::pipeline_path;
use crate::view::{Cell, JobGroup, Link, ListView, PipelineView, StatusView, tv};

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
            Ok(vec![
                Cell::Link {
                    l: Link::int(pipeline_path(p.id), format!("#{}", p.id)),
                    code: false,
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
