//! The API mirror: where each kind's raw JSON is written (at the path of the Packit
//! API endpoint that returns it) and which entities have a mirror page. A job kind's
//! endpoints are its registry definition's ([`crate::jobs::registry::api_mirror_path`]).

use crate::api::Kind;
use crate::jobs::DetailPath;
use crate::model::{Catalog, JobList, Section, encode_segment};

/// Path of the API mirror file of entity `kind`/`id`: `api/<endpoint>/<id>.json`
/// where `<endpoint>` is the Packit API's detail endpoint (`copr-builds`,
/// `runs/merged`, `projects/<forge>/<ns>/<repo>`, …). Kinds the API only serves in
/// lists (merged Copr builds, sync-release runs) go under `api/list/<list path>/`.
/// Id segments are encoded with [`encode_segment`].
pub fn api_path(kind: Kind, id: &str) -> String {
    let enc = id
        .split('/')
        .map(encode_segment)
        .collect::<Vec<_>>()
        .join("/");
    let sub = |sep: char, slug: &str| match id.rsplit_once(sep) {
        Some((key, name)) => format!(
            "list/projects/{}/{slug}/{}",
            key.split('/')
                .map(encode_segment)
                .collect::<Vec<_>>()
                .join("/"),
            encode_segment(name)
        ),
        None => format!("list/projects/{slug}/{}", encode_segment(id)),
    };
    let p = match kind {
        Kind::Pipeline => format!("runs/merged/{enc}"),
        Kind::ProjectPr => sub('#', "prs"),
        Kind::ProjectBranch => sub(':', "branches"),
        Kind::ProjectRelease => sub('@', "releases"),
        Kind::ProjectIssue => sub('!', "issues"),
        Kind::Usage => "usage".into(),
        Kind::System => "system".into(),
        k => crate::jobs::registry::api_mirror_path(k, &enc)
            .or_else(|| k.detail_path(&enc))
            .unwrap_or_else(|| format!("other/{}/{enc}", k.as_str())),
    };
    format!("api/{p}.json")
}

/// Whether the API mirror has a page for entity `kind`/`id`.
pub(super) fn api_exists(catalog: &Catalog, kind: Kind, id: &str) -> bool {
    let num: Option<i64> = id.parse().ok();
    let has =
        |v: Option<&Vec<i64>>| num.is_some_and(|n| v.is_some_and(|v| v.binary_search(&n).is_ok()));
    let in_lists = JobList::ALL.into_iter().any(|l| {
        (l.detail_kind() == kind && has(catalog.detail_ids.get(&l)))
            || (l.has_targets() && l.list_kind() == kind && has(catalog.list_ids.get(&l)))
    });
    if in_lists {
        return true;
    }
    let listed = |s: Section, sep: char| {
        id.rsplit_once(sep).is_some_and(|(k, n)| {
            catalog
                .projects
                .get(k)
                .is_some_and(|e| e.listed.contains(&(s, n.to_string())))
        })
    };
    match kind {
        Kind::Pipeline => num.is_some_and(|n| catalog.has_pipeline(n)),
        Kind::Project => catalog.projects.get(id).is_some_and(|e| e.has_entity),
        Kind::ProjectPr => listed(Section::Prs, '#'),
        Kind::ProjectBranch => listed(Section::Branches, ':'),
        Kind::ProjectRelease => listed(Section::Releases, '@'),
        Kind::ProjectIssue => listed(Section::Issues, '!'),
        Kind::Usage | Kind::System => catalog.snapshots.iter().any(|(k, i)| *k == kind && i == id),
        _ => false,
    }
}
