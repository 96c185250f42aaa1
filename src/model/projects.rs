//! Project views: trigger views of jobs and pipelines, project rows and pages, and
//! the rows of a project section (its pull requests, branches, releases, issues).

use super::{Model, ProjectEntry, Result, entity_notices, namespace_path};
use crate::api::Kind;
use crate::api::types::{self, ProjectInfo};
use crate::jobs::{Section, parse, trigger_forge_url, trigger_name, trigger_path};
use crate::urls::{
    Forge, branch_url, forge_of, forge_path, host_of, issue_url, pipeline_path, pr_url,
    project_path, release_url, safe_url,
};
use crate::view::{
    Chip, ProjectRow, ProjectView, SectionLink, StatusView, TriggerRow, TriggerView,
};

impl Model<'_> {
    /// Trigger view of a project-info block.
    pub fn trigger(&self, info: &ProjectInfo) -> Option<TriggerView> {
        let url = safe_url(info.project_url.as_deref().filter(|u| !u.is_empty()));
        let key = url.as_deref().and_then(crate::api::project_key);
        let trig = crate::archive::trigger_key(info);
        if url.is_none() && trig.is_none() {
            return None;
        }
        let host = url.as_deref().map(host_of).unwrap_or("").to_string();
        let anitya = info.non_git_upstream == Some(true) || forge_of(&host) == Forge::Anitya;
        let project = if anitya {
            info.anitya_project_name
                .clone()
                .or(info.anitya_package.clone())
                .unwrap_or_else(|| "release-monitoring.org".into())
        } else {
            match (&info.repo_namespace, &info.repo_name) {
                (Some(n), Some(r)) if !n.is_empty() || !r.is_empty() => format!("{n}/{r}"),
                _ => key
                    .as_deref()
                    .map(|k| k.split_once('/').map(|(_, r)| r).unwrap_or(k).to_string())
                    .unwrap_or_default(),
            }
        };
        let mut tv = TriggerView {
            project,
            forge: host,
            project_url: url.clone(),
            ..TriggerView::default()
        };
        if let Some(k) = &key
            && self.catalog.projects.contains_key(k)
        {
            tv.project_page = Some(project_path(k));
        }
        if let Some(pr) = info.pr_id {
            tv.suffix = format!("#{pr}");
            tv.forge_url = url.as_deref().map(|u| pr_url(u, pr));
        } else if let Some(i) = info.issue_id {
            tv.suffix = format!("#{i}");
            tv.forge_url = url.as_deref().map(|u| issue_url(u, i));
        } else if let Some(b) = &info.branch_name {
            tv.suffix = format!(":{b}");
            tv.forge_url = url.as_deref().map(|u| branch_url(u, b));
        } else if let Some(r) = &info.release {
            tv.suffix = format!("#release:{r}");
            tv.forge_url = url.as_deref().map(|u| release_url(u, r));
        } else if let Some(v) = &info.anitya_version {
            tv.suffix = if v.contains(';') {
                format!("#versions:{{{}}}", v.replace(';', ","))
            } else {
                format!("#version:{v}")
            };
            tv.forge_url = url.clone();
        }
        if let (Some(k), Some(t)) = (&key, &trig)
            && let (Some(p), Some((s, name))) =
                (self.catalog.projects.get(k), Section::of_trigger(t))
            && p.triggers.contains_key(&(s, name.to_string()))
        {
            tv.trigger_page = Some(trigger_path(k, s, name));
        }
        Some(tv)
    }

    /// A project row.
    pub fn project_row(&self, p: &ProjectEntry) -> Result<ProjectRow> {
        let v: types::Project = if p.has_entity {
            self.entity_by_key(Kind::Project, &p.key)?
                .map(|e| parse(e.json()))
                .unwrap_or_default()
        } else {
            types::Project::default()
        };
        let count = |api: Option<i64>, s: Section| api.unwrap_or(0).max(p.names(s).len() as i64);
        Ok(ProjectRow {
            name: format!("{}/{}", p.namespace(), p.repo()),
            forge: p.forge().to_string(),
            href: project_path(&p.key),
            url: safe_url(v.project_url.as_deref())
                .or_else(|| safe_url(Some(&format!("https://{}", p.key)))),
            prs: count(v.prs_handled, Section::Prs),
            branches: count(v.branches_handled, Section::Branches),
            releases: count(v.releases_handled, Section::Releases),
            issues: count(v.issues_handled, Section::Issues),
            pipelines: p.pipelines.len(),
        })
    }

    /// A project page view.
    pub fn project(&self, p: &ProjectEntry) -> Result<ProjectView> {
        let row = self.project_row(p)?;
        let mut notices = Vec::new();
        if p.has_entity
            && let Some(e) = self.entity_by_key(Kind::Project, &p.key)?
        {
            notices = entity_notices(&e);
        }
        Ok(ProjectView {
            key: p.key.clone(),
            href: project_path(&p.key),
            forge: p.forge().to_string(),
            namespace: p.namespace().to_string(),
            repo: p.repo().to_string(),
            url: row.url,
            forge_page: forge_path(p.forge()),
            namespace_page: namespace_path(p.forge(), p.namespace(), self.catalog),
            sections: Section::ALL
                .into_iter()
                .map(|s| SectionLink {
                    slug: s.slug().into(),
                    title: s.title().into(),
                    count: p.names(s).len(),
                    href: format!("{}{}/", project_path(&p.key), s.slug()),
                })
                .collect(),
            pipelines: p.pipelines.len(),
            notices,
        })
    }

    /// Rows of a project section.
    pub fn trigger_rows(
        &self,
        p: &ProjectEntry,
        s: Section,
        names: &[String],
    ) -> Result<Vec<TriggerRow>> {
        let url = self.project_row(p)?.url;
        let mut rows = Vec::new();
        for n in names {
            let pipes = p.triggers.get(&(s, n.clone()));
            let latest = match pipes.and_then(|v| v.last()) {
                Some(id) => self.entity(Kind::Pipeline, *id)?.map(|e| Chip {
                    status: StatusView::of(e.status.as_deref().unwrap_or("")),
                    text: format!("#{id}"),
                    href: Some(pipeline_path(*id)),
                }),
                None => None,
            };
            rows.push(TriggerRow {
                name: trigger_name(s, n),
                href: trigger_path(&p.key, s, n),
                url: url.as_deref().map(|u| trigger_forge_url(u, s, n)),
                pipelines: pipes.map(|v| v.len()).unwrap_or(0),
                latest,
            });
        }
        Ok(rows)
    }
}
