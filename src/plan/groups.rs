//! Plan groups: parts of the plan whose pages depend on a small part of the
//! catalog, compared before and after a live change to find pages that came or went.

use super::api::api_exists;
use super::page::{Alias, Badge, Feed, Page};
use super::paging::{IndexList, STATUS_CLASSES, chunks, pages};
use crate::api::Kind;
use crate::model::{Catalog, JobList, PER_PAGE, Section};
use std::sync::Arc;

/// A part of the plan whose pages depend on a small part of the catalog: a live
/// rebuild compares a touched group's pages before and after a change to find the
/// pages that came or went (see [`Group::touched_by`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Group {
    /// A job list: its index, numbered pages, target and per-status lists, redirects.
    List(JobList),
    /// The pipeline list.
    Pipelines,
    /// The project, forge and namespace lists and the failures feed.
    ProjectIndex,
    /// One project's pages, feeds and badges.
    Project(Arc<str>),
    /// One pipeline's page.
    Pipeline(i64),
    /// One job's detail page, its legacy aliases and log pages.
    Detail(JobList, i64),
    /// The filter indexes.
    Indexes,
    /// One entity's page of the API mirror.
    Api(Kind, Arc<str>),
}

impl Group {
    /// The group's pages for `catalog`, in plan order.
    pub fn pages(&self, catalog: &Catalog) -> Vec<Page> {
        let mut p = Vec::new();
        match self {
            Group::List(l) => {
                let l = *l;
                p.push(Page::JobListIndex(l));
                let n = chunks(catalog.list_ids.get(&l).map(|v| v.len()).unwrap_or(0));
                p.extend((1..=n).map(|i| Page::JobListPage(l, i)));
                if l.has_targets() {
                    let t = chunks(catalog.detail_ids.get(&l).map(|v| v.len()).unwrap_or(0));
                    p.push(Page::TargetList(l, 0));
                    p.extend((1..=t).map(|i| Page::TargetList(l, i)));
                }
                for class in STATUS_CLASSES {
                    let n = catalog
                        .status_ids
                        .get(&(l, class))
                        .map(|v| v.len())
                        .unwrap_or(0);
                    if n > 0 {
                        p.push(Page::StatusList(l, class, 0));
                        p.extend((1..=chunks(n)).map(|i| Page::StatusList(l, class, i)));
                    }
                }
                if let Some(old) = l.legacy_slug() {
                    let to = Box::new(Page::JobListIndex(l));
                    p.push(Page::Redirect(format!("jobs/{old}/").into(), to.clone()));
                    p.push(Page::Redirect(format!("results/{old}/").into(), to.clone()));
                }
                p.push(Page::Redirect(
                    format!("results/{}/", l.slug()).into(),
                    Box::new(Page::JobListIndex(l)),
                ));
            }
            Group::Pipelines => {
                p.push(Page::PipelineIndex);
                p.extend((1..=chunks(catalog.pipelines.len())).map(Page::PipelinePage));
                p.push(Page::Redirect(
                    "pipelines/".into(),
                    Box::new(Page::PipelineIndex),
                ));
            }
            Group::ProjectIndex => {
                p.extend((1..=pages(catalog.projects.len())).map(Page::Projects));
                for (forge, ps) in catalog.forges() {
                    let f: Arc<str> = forge.into();
                    p.extend((1..=pages(ps.len())).map(|n| Page::Forge(f.clone(), n)));
                }
                for ((forge, ns), ps) in catalog.namespaces() {
                    let (f, n): (Arc<str>, Arc<str>) = (forge.into(), ns.into());
                    p.extend(
                        (1..=pages(ps.len())).map(|i| Page::Namespace(f.clone(), n.clone(), i)),
                    );
                }
                p.push(Page::Feed(Feed::Failures));
            }
            Group::Project(k) => {
                let Some(e) = catalog.projects.get(&**k) else {
                    return p;
                };
                p.push(Page::Project(k.clone()));
                p.push(Page::Feed(Feed::Project(k.clone())));
                p.push(Page::Feed(Feed::ProjectFailures(k.clone())));
                p.push(Page::Badge(k.clone(), Badge::Project));
                p.extend(
                    e.lists
                        .iter()
                        .map(|l| Page::Badge(k.clone(), Badge::List(*l))),
                );
                p.extend(
                    e.triggers
                        .keys()
                        .filter(|(s, _)| *s == Section::Branches)
                        .map(|(_, b)| Page::Badge(k.clone(), Badge::Branch(b.as_str().into()))),
                );
                for s in Section::ALL {
                    let n = e.names(s).len();
                    p.extend((1..=pages(n)).map(|i| Page::ProjectSection(k.clone(), s, i)));
                }
                p.push(Page::ProjectHistory(k.clone(), 0));
                p.extend(
                    (1..=chunks(e.pipelines.len())).map(|i| Page::ProjectHistory(k.clone(), i)),
                );
                for ((s, name), pipes) in &e.triggers {
                    let nm: Arc<str> = name.as_str().into();
                    p.push(Page::Trigger(k.clone(), *s, nm.clone(), 0));
                    if pipes.len() > PER_PAGE {
                        p.extend(
                            (1..=chunks(pipes.len()))
                                .map(|i| Page::Trigger(k.clone(), *s, nm.clone(), i)),
                        );
                    }
                }
            }
            Group::Pipeline(id) => {
                if catalog.has_pipeline(*id) {
                    p.push(Page::Pipeline(*id));
                }
            }
            Group::Detail(l, id) => {
                if catalog.has_detail(*l, *id) {
                    detail_pages(catalog, *l, *id, &mut p);
                }
            }
            Group::Indexes => {
                for i in IndexList::all() {
                    p.push(Page::IndexMeta(i));
                    p.extend((1..=i.shards(catalog)).map(|n| Page::IndexShard(i, n)));
                }
            }
            Group::Api(kind, id) => {
                if api_exists(catalog, *kind, id) {
                    p.push(Page::Api(*kind, id.clone()));
                }
            }
        }
        p
    }

    /// The groups whose pages may come or go when entity `kind`/`id` changes
    /// (`project`: the project it names, if any). Besides these, only the sitemap
    /// parts depend on the set of pages.
    pub fn touched_by(kind: Kind, id: &str, project: Option<&str>) -> Vec<Group> {
        let mut g = vec![Group::Api(kind, id.into()), Group::Indexes];
        let num: Option<i64> = id.parse().ok();
        for l in JobList::ALL {
            if l.list_kind() == kind || l.detail_kind() == kind {
                g.push(Group::List(l));
                if l.detail_kind() == kind
                    && let Some(n) = num
                {
                    g.push(Group::Detail(l, n));
                }
            }
        }
        if kind == Kind::Pipeline {
            g.push(Group::Pipelines);
            if let Some(n) = num {
                g.push(Group::Pipeline(n));
            }
        }
        let key = match kind {
            Kind::Project => Some(id),
            Kind::ProjectPr => id.rsplit_once('#').map(|(k, _)| k),
            Kind::ProjectBranch => id.rsplit_once(':').map(|(k, _)| k),
            Kind::ProjectRelease => id.rsplit_once('@').map(|(k, _)| k),
            Kind::ProjectIssue => id.rsplit_once('!').map(|(k, _)| k),
            _ => project,
        };
        if let Some(k) = key {
            g.push(Group::ProjectIndex);
            g.push(Group::Project(k.into()));
        }
        g.sort();
        g.dedup();
        g
    }
}

/// The pages of one job detail: legacy aliases, the page, its log pages.
pub(super) fn detail_pages(catalog: &Catalog, l: JobList, id: i64, p: &mut Vec<Page>) {
    if l.legacy_slug().is_some() {
        p.push(Page::Alias(Alias::Jobs, l, id));
        p.push(Page::Alias(Alias::Results, l, id));
    }
    // the dashboard serves any Koji id under both Koji routes
    if l.def().twin.is_some() {
        p.push(Page::Alias(Alias::OtherKoji, l, id));
    }
    p.push(Page::JobDetail(l, id));
    for name in catalog
        .logs
        .get(&(l.detail_kind(), id))
        .into_iter()
        .flatten()
    {
        p.push(Page::Log(l, id, name.as_str().into()));
        p.push(Page::LogRaw(l, id, name.as_str().into()));
    }
}
