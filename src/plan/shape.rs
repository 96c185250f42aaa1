//! Shape hashes: the catalog data a page shows besides the contents of the
//! entities it reads, and the digest of the catalog's structure (see the
//! module documentation of [`crate::plan`]).

use super::page::Page;
use super::paging::{IndexList, STATUS_CLASSES, chunk, chunks, newest};
use crate::model::{Catalog, JobList, PER_PAGE, Section, namespace_path};
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use xxhash_rust::xxh3::Xxh3;

fn h<T: Hash + ?Sized>(v: &T) -> u64 {
    let mut s = Xxh3::new();
    v.hash(&mut s);
    s.finish()
}

/// Precomputed per-build data for [`Page::shape`]: project header digests and the
/// project groupings, computed once instead of per page.
pub struct ShapeIndex<'c> {
    headers: HashMap<&'c str, u64>,
    all: Vec<&'c crate::model::ProjectEntry>,
    forges: BTreeMap<&'c str, Vec<&'c crate::model::ProjectEntry>>,
    namespaces: BTreeMap<(&'c str, &'c str), Vec<&'c crate::model::ProjectEntry>>,
}

impl<'c> ShapeIndex<'c> {
    /// Indexes `catalog`.
    pub fn new(catalog: &'c Catalog) -> ShapeIndex<'c> {
        let headers = catalog
            .projects
            .iter()
            .map(|(k, p)| {
                let counts: Vec<usize> = Section::ALL.iter().map(|s| p.names(*s).len()).collect();
                let ns = namespace_path(p.forge(), p.namespace(), catalog);
                (
                    k.as_str(),
                    h(&(k, p.has_entity, counts, p.pipelines.len(), ns)),
                )
            })
            .collect();
        ShapeIndex {
            headers,
            all: catalog.projects_az(),
            forges: catalog.forges(),
            namespaces: catalog.namespaces(),
        }
    }

    fn header(&self, key: &str) -> u64 {
        self.headers.get(key).copied().unwrap_or(0)
    }

    /// Digest of the rows of page `n` of a project list (0: of the whole list).
    fn rows(&self, list: &[&crate::model::ProjectEntry], n: u32) -> u64 {
        let slice = if n == 0 {
            list
        } else {
            let start = (n as usize - 1) * PER_PAGE;
            &list[start.min(list.len())..(start + PER_PAGE).min(list.len())]
        };
        let rows: Vec<u64> = slice.iter().map(|p| self.header(&p.key)).collect();
        h(&(rows, list.len()))
    }
}

/// Digest of the catalog's structure: which lists, pipelines, projects and
/// triggers exist (not their statuses). Equal digests mean an equal plan.
pub fn structure_digest(catalog: &Catalog, content: &[String], assets: &[String]) -> u64 {
    let mut s = Xxh3::new();
    catalog.list_ids.hash(&mut s);
    catalog.detail_ids.hash(&mut s);
    catalog.pipelines.hash(&mut s);
    for p in catalog.projects.values() {
        p.hash(&mut s);
    }
    catalog.snapshots.hash(&mut s);
    catalog.logs.hash(&mut s);
    // how many per-status pages each list has (not which jobs: a status change that
    // keeps the page counts is not structural)
    let mut status_pages: Vec<(JobList, usize, u32)> = catalog
        .status_ids
        .iter()
        .map(|((l, c), ids)| (*l, *c as usize, chunks(ids.len())))
        .collect();
    status_pages.sort();
    status_pages.hash(&mut s);
    content.hash(&mut s);
    assets.hash(&mut s);
    s.finish()
}

impl Page {
    /// Hash of the catalog data the page shows besides the contents of the
    /// entities it reads (see the module documentation). Pages whose catalog
    /// inputs are site-wide (home, usage, sitemap) or nil (details, redirects,
    /// assets) have shape 0: the build driver handles them by other means.
    pub fn shape(&self, catalog: &Catalog, idx: &ShapeIndex<'_>) -> u64 {
        let list = |l: &JobList| catalog.list_ids.get(l).map(|v| v.as_slice()).unwrap_or(&[]);
        let details = |l: &JobList| {
            catalog
                .detail_ids
                .get(l)
                .map(|v| v.as_slice())
                .unwrap_or(&[])
        };
        match self {
            Page::JobListIndex(l) => h(&(1u8, newest(list(l)), list(l).len(), details(l).len())),
            Page::JobListPage(l, n) => h(&(
                2u8,
                chunk(Some(list(l)), *n),
                list(l).len(),
                details(l).len(),
            )),
            Page::TargetList(l, n) => {
                let ids = details(l);
                let slice = if *n == 0 {
                    Some(newest(ids))
                } else {
                    chunk(Some(ids), *n)
                };
                h(&(3u8, slice, ids.len()))
            }
            Page::PipelineIndex => h(&(4u8, newest(&catalog.pipelines), catalog.pipelines.len())),
            Page::PipelinePage(n) => h(&(
                5u8,
                chunk(Some(&catalog.pipelines), *n),
                catalog.pipelines.len(),
            )),
            Page::Projects(n) => h(&(6u8, idx.rows(&idx.all, *n))),
            Page::Forge(f, n) => h(&(7u8, idx.forges.get(&**f).map(|v| idx.rows(v, *n)))),
            Page::Namespace(f, ns, n) => h(&(
                8u8,
                idx.namespaces.get(&(&**f, &**ns)).map(|v| idx.rows(v, *n)),
            )),
            Page::Project(k) => {
                let p = catalog.projects.get(&**k);
                let recent = p.map(|p| {
                    let r = newest(&p.pipelines);
                    &r[r.len().saturating_sub(10)..]
                });
                h(&(9u8, idx.header(k), recent))
            }
            Page::ProjectSection(k, s, n) => {
                let Some(p) = catalog.projects.get(&**k) else {
                    return 0;
                };
                let names = p.names(*s);
                let start = (*n as usize).saturating_sub(1) * PER_PAGE;
                let slice = &names[start.min(names.len())..(start + PER_PAGE).min(names.len())];
                let rows: Vec<(usize, Option<i64>)> = slice
                    .iter()
                    .map(|name| {
                        let pipes = p.triggers.get(&(*s, name.clone()));
                        (
                            pipes.map(|v| v.len()).unwrap_or(0),
                            pipes.and_then(|v| v.last().copied()),
                        )
                    })
                    .collect();
                h(&(10u8, idx.header(k), slice, rows, names.len()))
            }
            Page::ProjectHistory(k, n) => {
                let ids = catalog
                    .projects
                    .get(&**k)
                    .map(|p| p.pipelines.as_slice())
                    .unwrap_or(&[]);
                let slice = if *n == 0 {
                    Some(newest(ids))
                } else {
                    chunk(Some(ids), *n)
                };
                h(&(11u8, idx.header(k), slice, ids.len()))
            }
            Page::Trigger(k, s, name, n) => {
                let ids = catalog
                    .projects
                    .get(&**k)
                    .and_then(|p| p.triggers.get(&(*s, name.to_string())))
                    .map(|v| v.as_slice())
                    .unwrap_or(&[]);
                let slice = if ids.len() <= PER_PAGE {
                    Some(ids)
                } else if *n == 0 {
                    Some(newest(ids))
                } else {
                    chunk(Some(ids), *n)
                };
                h(&(12u8, idx.header(k), slice, ids.len()))
            }
            Page::StatusList(l, class, n) => {
                let ids = catalog
                    .status_ids
                    .get(&(*l, *class))
                    .map(|v| v.as_slice())
                    .unwrap_or(&[]);
                if *n == 0 {
                    // the first page shows the counts of every class
                    let counts: Vec<usize> = STATUS_CLASSES
                        .iter()
                        .map(|c| {
                            catalog
                                .status_ids
                                .get(&(*l, *c))
                                .map(|v| v.len())
                                .unwrap_or(0)
                        })
                        .collect();
                    h(&(13u8, newest(ids), ids.len(), counts))
                } else {
                    h(&(13u8, chunk(Some(ids), *n), ids.len()))
                }
            }
            Page::IndexShard(IndexList::Projects, _) | Page::IndexMeta(IndexList::Projects) => {
                h(&(16u8, idx.rows(&idx.all, 0)))
            }
            Page::IndexShard(i, n) => h(&(14u8, i.shard(catalog, *n), i.shards(catalog))),
            Page::IndexMeta(i) => h(&(15u8, i.ids(catalog).len(), i.shards(catalog))),
            Page::ViewJson(inner) => inner.shape(catalog, idx),
            _ => 0,
        }
    }
}
