//! Scoped syncs through the project graph (issue #21): what a first and a later sync
//! of one project cost against a stub holding 100,000 pipelines of all of Packit, and
//! that the archive they make holds what a Packit-wide sync holds of the project.

use crate::support;

use packit_pages::api::Kind;
use packit_pages::archive::Archive;
use packit_pages::demo::DemoSpec;
use packit_pages::jobs::LISTS;
use packit_pages::sync::{self, HEAD_LISTS, NoProgress, SyncOptions, SyncReport};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use support::TempDir;
use support::padding::Padding;
use support::stub::{Dataset, Stub};

/// The project the tests mirror: the demo's busiest (about 200 pipelines of 2,000).
const OGR: &str = "github.com/packit/ogr";

/// Its downstream (dist-git) project: Koji builds, Bodhi updates, pull-from-upstream.
const DOWNSTREAM: &str = "src.fedoraproject.org/rpms/python-ogr";

pub(crate) fn scoped_options(stub: &Stub, archive: &Path, project: &str) -> SyncOptions {
    let mut o = SyncOptions {
        client: support::stub_client(stub),
        ..SyncOptions::new(archive, &stub.base_url())
    };
    o.scope.add_project(project).unwrap();
    o
}

fn rt() -> tokio::runtime::Runtime {
    support::runtime()
}

fn run(rt: &tokio::runtime::Runtime, opts: &SyncOptions) -> SyncReport {
    support::sync_clean(rt, opts)
}

/// Merged pipeline ids of `project` in `ds` that the project graph reaches: those an
/// SRPM build of a pull request or branch push roots (a release names no job).
fn srpm_pipelines(ds: &Dataset, project: &str) -> BTreeSet<String> {
    ds.lists["runs"]
        .iter()
        .filter(|r| {
            !r["srpm"].is_null()
                && r["trigger"]["release"].is_null()
                && r["trigger"]["project_url"].as_str()
                    == Some(format!("https://{project}").as_str())
        })
        .map(|r| r["merged_run_id"].to_string())
        .collect()
}

/// Every stored (kind, id) with its project.
fn entities(path: &Path) -> BTreeMap<(Kind, String), archive_row::Row> {
    archive_row::all(path)
}

mod archive_row {
    use super::*;

    /// What the comparisons look at.
    #[derive(Debug, PartialEq)]
    pub(crate) struct Row {
        pub(crate) list: Option<String>,
        pub(crate) detail: Option<String>,
        pub(crate) project: Option<String>,
    }

    pub(crate) fn all(path: &Path) -> BTreeMap<(Kind, String), Row> {
        let a = Archive::open_read_only(path).unwrap();
        let mut out = BTreeMap::new();
        for k in Kind::ALL {
            a.for_each(k, |e| {
                out.insert(
                    (k, e.id.clone()),
                    Row {
                        list: e.list_json,
                        detail: e.detail_json,
                        project: e.project,
                    },
                );
            })
            .unwrap();
        }
        out
    }
}

/// Requests per path of the stub's log.
fn paths(stub: &Stub) -> Vec<String> {
    stub.log().iter().map(|l| l.path()).collect()
}

/// The Packit-wide list pages the stub served: (list, page).
fn wide_pages(stub: &Stub) -> Vec<(String, u32)> {
    stub.log()
        .iter()
        .filter(|l| {
            LISTS
                .iter()
                .any(|e| e.path == l.path() && e.kind != Kind::Project)
        })
        .map(|l| {
            let page = l.query("page").and_then(|p| p.parse().ok()).unwrap_or(1);
            (l.path(), page)
        })
        .collect()
}

#[test]
fn first_scoped_sync_costs_the_project_not_packit() {
    let ds = Dataset::generate(&DemoSpec::new(2000, 1));
    let stub = Stub::start_padded(&ds, Padding { pipelines: 98_000 });
    let dir = TempDir::new("scoped-first");
    let opts = scoped_options(&stub, &dir.join("a.sqlite"), OGR);
    let rt = rt();
    let t = std::time::Instant::now();
    let r = run(&rt, &opts);
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(r.discovery, "graph");
    assert!(
        r.summary()
            .contains("cost: project graph: requests grow with the projects in scope"),
        "the report states the cost model"
    );
    let stored = entities(&opts.archive);
    let requests = paths(&stub);
    // every pipeline an SRPM build roots is archived
    let want = srpm_pipelines(&ds, OGR);
    assert!(want.len() >= 150, "{} pipelines", want.len());
    let got: BTreeSet<String> = stored
        .keys()
        .filter(|(k, _)| *k == Kind::Pipeline)
        .map(|(_, id)| id.clone())
        .collect();
    assert_eq!(got, want);
    // nothing of another project, no Packit-wide list
    for ((k, id), row) in &stored {
        if let Some(p) = &row.project {
            assert_eq!(p, OGR, "{k} {id}");
        }
    }
    // of Packit-wide lists, only the first page of each head list (whatever the size
    // of Packit: it sets the marks later syncs read down to)
    let mut wide = wide_pages(&stub);
    wide.sort();
    let mut heads: Vec<(String, u32)> = HEAD_LISTS.iter().map(|l| (l.to_string(), 1)).collect();
    heads.sort();
    assert_eq!(wide, heads);
    for p in &requests {
        assert!(
            !p.starts_with("projects/") || p.starts_with(&format!("projects/{OGR}")),
            "{p}"
        );
    }
    let in_scope = stored.len();
    eprintln!(
        "scoped first sync: {} requests for {in_scope} entities ({} pipelines) in {secs:.1} s\n{}",
        requests.len(),
        want.len(),
        r.summary()
    );
    assert!(
        requests.len() < 10 * in_scope,
        "{} requests for {in_scope} entities",
        requests.len()
    );
    // each request fetched something of the project: at most one per entity, plus
    // the project's list pages, /usage, /system and the heads
    let list_pages = requests
        .iter()
        .filter(|p| p.starts_with("projects/"))
        .count();
    assert!(requests.len() <= in_scope + list_pages + 2 + HEAD_LISTS.len());

    // one new pipeline of the project: a handful of requests
    let ds2 = next_pipeline_of(&ds, OGR);
    stub.set_dataset(&ds2);
    stub.clear_log();
    let r2 = run(&rt, &opts);
    let again = paths(&stub);
    eprintln!("{}", r2.summary());
    let new_ids: BTreeSet<String> = srpm_pipelines(&ds2, OGR)
        .difference(&want)
        .cloned()
        .collect();
    assert_eq!(new_ids.len(), 1);
    let stored2 = entities(&opts.archive);
    assert!(stored2.contains_key(&(Kind::Pipeline, new_ids.first().unwrap().clone())));
    // the project's 5 reads, /usage and /system, one page of each head list, and one
    // request per entity that is new or changed (the new pipeline, its SRPM and jobs,
    // the jobs of the previous pipeline that finished meanwhile)
    let t = &r2.totals;
    let fixed = 7 + HEAD_LISTS.len();
    let heads = wide_pages(&stub);
    assert_eq!(heads.len(), HEAD_LISTS.len(), "{heads:?}");
    let moved = r2.refresh.moved as usize;
    let changed = (t.new + t.changed) as usize;
    eprintln!(
        "incremental: {} requests: {fixed} fixed ({} head pages), {} new and changed entities, of them {moved} jobs the PR lists show moved; {} unfinished jobs refreshed by the policy, {} shown unchanged",
        again.len(),
        heads.len(),
        changed,
        r2.refresh.refreshed,
        r2.refresh.listed_unchanged,
    );
    assert!(r2.refresh.listed_unchanged > 20, "{}", r2.summary());
    assert!(r2.refresh.refreshed <= 2, "{}", r2.summary());
    assert!(
        again.len() <= fixed + changed + 2,
        "{} requests for {changed} new or changed entities",
        again.len()
    );
}

/// The smallest demo data set after `ds` (same seed) whose newest pipeline is one of
/// `project` that the graph reaches (the demo is prefix-stable: the first pipelines
/// stay the same).
fn next_pipeline_of(ds: &Dataset, project: &str) -> Dataset {
    let n = ds.lists["runs"].len() as u64;
    let old = srpm_pipelines(ds, project);
    let ahead = Dataset::generate(&DemoSpec::new(n + 200, 1));
    let first_new = srpm_pipelines(&ahead, project)
        .difference(&old)
        .map(|id| id.parse::<u64>().unwrap())
        .min()
        .expect("a new pipeline of the project");
    let index = first_new - packit_pages::demo::PIPELINE_ID_BASE as u64;
    Dataset::generate(&DemoSpec::new(index + 1, 1))
}

/// Whether a stored entity is of `project`: by its project column, or, for project
/// sub-list items and the project itself, by its id.
fn of_project(k: Kind, id: &str, project: Option<&str>, key: &str) -> bool {
    match k {
        Kind::Project => id == key,
        Kind::ProjectPr | Kind::ProjectBranch | Kind::ProjectRelease | Kind::ProjectIssue => {
            id.len() > key.len()
                && id.starts_with(key)
                && matches!(id.as_bytes()[key.len()], b'#' | b':' | b'@' | b'!')
        }
        _ => project == Some(key),
    }
}

/// A project mirrored from early on (its first scoped sync when Packit held 40
/// pipelines, then as Packit grew to 160 and 300) holds what a full sync of the final
/// state holds of the project: the same kinds and ids, the same raw JSON (the list
/// items the scoped sync stores, and every detail), and the same pipeline, job and
/// project pages. Entities the full sync keeps only as items of Packit-wide lists that
/// no page needs (`/srpm-builds`, `/testing-farm/results`, … items of jobs whose
/// detail both hold) are the one difference, and it is checked to be that.
#[test]
fn scoped_archive_equals_the_projects_part_of_a_full_sync() {
    let steps = [40u64, 160, 300];
    let stub = Stub::start(&Dataset::generate(&DemoSpec::new(steps[0], 1)));
    let dir = TempDir::new("scoped-parity");
    let rt = rt();
    let mut scoped = scoped_options(&stub, &dir.join("scoped.sqlite"), OGR);
    scoped.scope.add_project(DOWNSTREAM).unwrap();
    assert!(run(&rt, &scoped).complete);
    let mut ds = Dataset::generate(&DemoSpec::new(steps[0], 1));
    for n in &steps[1..] {
        ds = Dataset::generate(&DemoSpec::new(*n, 1));
        stub.set_dataset(&ds);
        assert!(run(&rt, &scoped).complete);
    }
    assert_same_as_full(&stub, dir.path(), &rt, &scoped, &ds);
}

/// A mirror started late holds the projects' whole history after one sync with
/// `--discover lists`; graph syncs carry on from there, and the archive then holds
/// what a full sync holds of the projects.
#[test]
fn one_lists_sync_then_graph_syncs_hold_the_whole_history() {
    let stub = Stub::start(&Dataset::generate(&DemoSpec::new(200, 1)));
    let dir = TempDir::new("scoped-backfill");
    let rt = rt();
    let mut scoped = scoped_options(&stub, &dir.join("scoped.sqlite"), OGR);
    scoped.scope.add_project(DOWNSTREAM).unwrap();
    scoped.discovery = sync::Discovery::Lists;
    assert!(run(&rt, &scoped).complete);
    scoped.discovery = sync::Discovery::Graph;
    let ds = Dataset::generate(&DemoSpec::new(300, 1));
    stub.set_dataset(&ds);
    assert!(run(&rt, &scoped).complete);
    assert_same_as_full(&stub, dir.path(), &rt, &scoped, &ds);
}

/// `--backfill`: a mirror started late walks the six head lists in full once (and no
/// other Packit-wide list) and then holds the projects' whole history; a second
/// backfill costs nothing more, and later syncs read the heads only.
#[test]
fn a_backfill_brings_the_history_the_graph_cannot_reach() {
    let stub = Stub::start(&Dataset::generate(&DemoSpec::new(200, 1)));
    let dir = TempDir::new("scoped-backfill-flag");
    let rt = rt();
    let mut scoped = scoped_options(&stub, &dir.join("scoped.sqlite"), OGR);
    scoped.scope.add_project(DOWNSTREAM).unwrap();
    scoped.backfill = true;
    assert!(run(&rt, &scoped).complete);
    let lists: BTreeSet<String> = wide_pages(&stub).into_iter().map(|(l, _)| l).collect();
    let heads: BTreeSet<String> = HEAD_LISTS.iter().map(|l| l.to_string()).collect();
    assert_eq!(lists, heads);
    assert!(
        wide_pages(&stub)
            .iter()
            .any(|(l, p)| l == "runs" && *p >= 4),
        "the backfill walks /runs to its end"
    );
    let ds = Dataset::generate(&DemoSpec::new(300, 1));
    stub.set_dataset(&ds);
    stub.clear_log();
    assert!(run(&rt, &scoped).complete);
    let pages = wide_pages(&stub);
    assert!(
        pages.iter().all(|(_, p)| *p <= 3),
        "after the backfill, heads only: {pages:?}"
    );
    assert_same_as_full(&stub, dir.path(), &rt, &scoped, &ds);
}

/// Kinds of the Packit-wide lists that neither the graph nor its heads read: their
/// items in a graph-walked archive come from an earlier `--discover lists` sync.
const LISTS_NOT_READ_BY_GRAPH: [Kind; 5] = [
    Kind::Srpm,
    Kind::Koji,
    Kind::TestingFarm,
    Kind::Bodhi,
    Kind::LogDetective,
];

/// Syncs the whole of the stub into a new archive and checks that `scoped` holds of
/// its projects (OGR and DOWNSTREAM) what that full archive holds, and the same pages.
fn assert_same_as_full(
    stub: &Stub,
    dir: &Path,
    rt: &tokio::runtime::Runtime,
    scoped: &SyncOptions,
    ds: &Dataset,
) {
    let full = SyncOptions {
        client: support::stub_client(stub),
        ..SyncOptions::new(dir.join("full.sqlite"), &stub.base_url())
    };
    assert!(run(rt, &full).complete);
    let f = entities(&full.archive);
    let s = entities(&scoped.archive);
    let ours = |(k, id): &(Kind, String), row: &archive_row::Row| {
        [OGR, DOWNSTREAM]
            .iter()
            .any(|p| of_project(*k, id, row.project.as_deref(), p))
    };
    // the projects hold pipelines without an SRPM build too (releases, downstream)
    let pipelines_without_srpm = ds.lists["runs"]
        .iter()
        .filter(|r| {
            r["srpm"].is_null()
                && [OGR, DOWNSTREAM].iter().any(|p| {
                    r["trigger"]["project_url"].as_str() == Some(format!("https://{p}").as_str())
                })
        })
        .count();
    assert!(pipelines_without_srpm >= 3, "{pipelines_without_srpm}");
    let mut compared = BTreeMap::<Kind, usize>::new();
    for (key, row) in &s {
        let (k, id) = key;
        if matches!(k, Kind::Usage | Kind::System) {
            continue;
        }
        let other = f
            .get(key)
            .unwrap_or_else(|| panic!("{k} {id} not in the full archive"));
        assert!(
            ours(key, row) || row.project.is_none(),
            "{k} {id}: {:?}",
            row.project
        );
        if let Some(d) = &row.detail {
            // the full sync keeps a Log Detective run as its list item (the same object)
            assert_eq!(
                other.detail.as_ref().or(other.list.as_ref()),
                Some(d),
                "{k} {id}"
            );
        } else {
            assert!(
                other.detail.is_none(),
                "{k} {id}: the scoped archive lacks its detail"
            );
        }
        // items of the lists a graph sync does not read (kept from a `--discover
        // lists` sync) stay as that sync saw them; their details are current
        if row.list.is_some() && !LISTS_NOT_READ_BY_GRAPH.contains(k) {
            assert_eq!(row.list, other.list, "{k} {id}");
        }
        *compared.entry(*k).or_default() += 1;
    }
    let mut missing = Vec::new();
    for (key, row) in &f {
        if ours(key, row) && !s.contains_key(key) {
            missing.push(key.clone());
        }
    }
    eprintln!("scoped = full (of {OGR} and {DOWNSTREAM}): {compared:?}");
    assert!(
        missing.is_empty(),
        "the scoped archive lacks {} of the project's entities: {:?}",
        missing.len(),
        &missing[..missing.len().min(12)]
    );
    for k in [
        Kind::Pipeline,
        Kind::CoprBuild,
        Kind::OpenScanHub,
        Kind::ProposeDownstreamRun,
        Kind::Koji,
        Kind::Bodhi,
    ] {
        assert!(
            compared.get(&k).copied().unwrap_or(0) > 0,
            "no {k} compared"
        );
    }

    // the same pages: every pipeline, job and project page of the scoped site is the
    // full site's page
    let build = |archive: &Path, out: &str| {
        let o = support::build_options(archive.to_path_buf(), dir.join(out));
        packit_pages::site::build(&o).unwrap();
        support::site_bytes(&dir.join(out))
    };
    let fs = build(&full.archive, "full-site");
    let ss = build(&scoped.archive, "scoped-site");
    let project_pages = [OGR, DOWNSTREAM].map(packit_pages::urls::project_path);
    let mut pages = 0;
    let mut differ = Vec::new();
    for (path, bytes) in &ss {
        let entity_page = if path.starts_with("pipeline/") || path.starts_with("jobs/") {
            // `pipeline/<id>/…` and `jobs/<kind>/<id>/…`, not the list pages
            let id_at = if path.starts_with("pipeline/") { 1 } else { 2 };
            path.split('/')
                .nth(id_at)
                .is_some_and(|s| s.parse::<u64>().is_ok())
        } else {
            project_pages.iter().any(|p| path.starts_with(p))
        };
        if !entity_page || !path.ends_with(".html") {
            continue;
        }
        pages += 1;
        if fs.get(path) != Some(bytes) {
            differ.push(path.clone());
        }
    }
    assert!(pages > 100, "{pages} pages compared");
    assert!(
        differ.is_empty(),
        "{} of {pages} pages differ: {:?}",
        differ.len(),
        &differ[..differ.len().min(10)]
    );
}

/// A merged `/copr-builds` row (no detail endpoint serves it) that was unfinished when
/// stored and has since been pushed below the first page by newer builds is read again
/// when it finishes: the head walk goes down to the oldest unfinished row of the scope.
#[test]
fn an_unfinished_row_below_the_head_is_read_again() {
    use serde_json::{Value, json};
    let dir = TempDir::new("scoped-open-row");
    let early = Dataset::generate(&DemoSpec::new(40, 1));
    // an ogr Copr build of the early data set, shown pending, then finished
    let row_id = early.lists["copr-builds"]
        .iter()
        .find(|r| r["project_url"].as_str() == Some(format!("https://{OGR}").as_str()))
        .map(|r| r["build_id"].clone())
        .expect("an ogr Copr build");
    // submitted an hour ago: recent for the refresh policy
    let submitted = packit_pages::time::now() - 3600;
    let with_status = |mut ds: Dataset, status: &str| {
        let mut targets = Vec::new();
        for r in ds.lists.get_mut("copr-builds").unwrap() {
            if r["build_id"] == row_id {
                r["build_submitted_time"] = json!(submitted);
                for v in r["status_per_chroot"].as_object_mut().unwrap().values_mut() {
                    *v = json!(status);
                }
                targets.extend(
                    r["packit_id_per_chroot"]
                        .as_object()
                        .unwrap()
                        .values()
                        .cloned(),
                );
            }
        }
        for t in targets {
            if let Some(d) = ds.details.get_mut(&format!("copr-builds/{t}")) {
                d["status"] = json!(status);
            }
        }
        ds
    };
    let row = |ds: &Dataset| -> Value {
        ds.lists["copr-builds"]
            .iter()
            .find(|r| r["build_id"] == row_id)
            .cloned()
            .unwrap()
    };
    let stub = Stub::start(&with_status(early, "pending"));
    let rt = rt();
    let opts = scoped_options(&stub, &dir.join("a.sqlite"), OGR);
    run(&rt, &opts);
    let grown = with_status(Dataset::generate(&DemoSpec::new(300, 1)), "pending");
    let position = grown.lists["copr-builds"]
        .iter()
        .position(|r| r["build_id"] == row_id)
        .unwrap();
    assert!(position >= 100, "the row is on page {}", position / 50 + 1);
    stub.set_dataset(&grown);
    run(&rt, &opts);
    let finished = with_status(Dataset::generate(&DemoSpec::new(300, 1)), "success");
    stub.set_dataset(&finished);
    stub.clear_log();
    run(&rt, &opts);
    let a = Archive::open_read_only(&opts.archive).unwrap();
    let id = row_id
        .as_str()
        .map(str::to_string)
        .unwrap_or(row_id.to_string());
    let stored = a
        .get(Kind::CoprBuild, &id)
        .unwrap()
        .expect("the row is stored");
    let v: Value = serde_json::from_str(stored.list_json.as_deref().unwrap()).unwrap();
    assert_eq!(v, row(&finished));
    let pages: Vec<u32> = wide_pages(&stub)
        .into_iter()
        .filter(|(l, _)| l == "copr-builds")
        .map(|(_, p)| p)
        .collect();
    assert_eq!(pages.len(), position / 50 + 1, "{pages:?}");
}

#[test]
fn a_namespace_is_walked_through_its_projects_list() {
    let ds = Dataset::generate(&DemoSpec::new(300, 1));
    let stub = Stub::start(&ds);
    let dir = TempDir::new("scoped-namespace");
    let mut opts = SyncOptions {
        client: support::stub_client(&stub),
        ..SyncOptions::new(dir.join("a.sqlite"), &stub.base_url())
    };
    opts.scope.add_namespace("github.com/packit").unwrap();
    let r = run(&rt(), &opts);
    assert_eq!(r.discovery, "graph");
    let projects: Vec<String> = ds.lists["projects/github.com/packit"]
        .iter()
        .map(|p| format!("github.com/packit/{}", p["repo_name"].as_str().unwrap()))
        .collect();
    assert!(projects.len() >= 2, "{projects:?}");
    let want: BTreeSet<String> = projects
        .iter()
        .flat_map(|p| srpm_pipelines(&ds, p))
        .collect();
    let got: BTreeSet<String> = entities(&opts.archive)
        .into_keys()
        .filter(|(k, _)| *k == Kind::Pipeline)
        .map(|(_, id)| id)
        .collect();
    assert!(got.is_superset(&want));
    // the rest came from the heads: pipelines without an SRPM build of these projects
    for id in got.difference(&want) {
        let r = ds.lists["runs"]
            .iter()
            .find(|r| r["merged_run_id"].as_i64().map(|n| n.to_string()).as_ref() == Some(id))
            .unwrap();
        let url = r["trigger"]["project_url"].as_str().unwrap();
        assert!(
            projects.iter().any(|p| url == format!("https://{p}")),
            "{id}"
        );
        assert!(!want.contains(id));
    }
    let requests = paths(&stub);
    assert!(requests.iter().any(|p| p == "projects/github.com/packit"));
    assert!(
        wide_pages(&stub)
            .iter()
            .all(|(l, page)| { *page == 1 && HEAD_LISTS.contains(&l.as_str()) })
    );
}

/// `listen` on a scoped archive: a bus message about an archived job of the project
/// re-fetches that job alone; one about another project's build costs no request.
#[test]
fn a_scoped_refresh_fetches_archived_jobs_and_drops_other_projects() {
    use packit_pages::sync::{Find, RefreshRequest};
    let ds = Dataset::generate(&DemoSpec::new(300, 1));
    let stub = Stub::start(&ds);
    let dir = TempDir::new("scoped-refresh");
    let opts = scoped_options(&stub, &dir.join("a.sqlite"), OGR);
    let rt = rt();
    run(&rt, &opts);
    let stored = entities(&opts.archive);
    let (ours_id, ours) = stored
        .iter()
        .find(|((k, _), _)| *k == Kind::Copr)
        .map(|((_, id), row)| {
            let v: serde_json::Value = serde_json::from_str(row.detail.as_ref().unwrap()).unwrap();
            (id.clone(), v)
        })
        .unwrap();
    let other = ds.lists["copr-builds"]
        .iter()
        .find(|i| i["project_url"].as_str() != Some(format!("https://{OGR}").as_str()))
        .unwrap();
    let find = |build: &serde_json::Value, chroot: &str| Find {
        list: "copr-builds".into(),
        field: "build_id".into(),
        value: build.as_str().unwrap().to_string(),
        target: Some(chroot.to_string()),
    };
    let other_chroot = other["packit_id_per_chroot"]
        .as_object()
        .unwrap()
        .keys()
        .next()
        .unwrap()
        .clone();
    let mut req = RefreshRequest::default();
    req.find
        .insert(find(&ours["build_id"], ours["chroot"].as_str().unwrap()));
    req.find.insert(find(&other["build_id"], &other_chroot));
    stub.clear_log();
    let r = rt
        .block_on(sync::refresh(&opts, &req, &NoProgress))
        .unwrap();
    assert_eq!(paths(&stub), vec![format!("copr-builds/{ours_id}")]);
    assert_eq!(r.not_found.len(), 1);
    assert_eq!(r.not_found[0].value, other["build_id"].as_str().unwrap());
    // only other projects' messages: nothing at all
    let mut req = RefreshRequest::default();
    req.find.insert(find(&other["build_id"], &other_chroot));
    req.heads.insert("bodhi-updates".into());
    stub.clear_log();
    rt.block_on(sync::refresh(&opts, &req, &NoProgress))
        .unwrap();
    assert!(paths(&stub).is_empty(), "{:?}", paths(&stub));
}

/// A job of an older pipeline finishes without its PR item saying so (the item shows
/// only its SRPM's status): the refresh of unfinished jobs re-fetches the job, and the
/// pipeline whose job changed is re-read, so its page shows the new status.
#[test]
fn a_pipeline_is_reread_when_a_job_of_it_changes() {
    use serde_json::json;
    let n = 6u64;
    let ds = support::mini_dataset(n);
    let stub = Stub::start(&ds);
    let dir = TempDir::new("scoped-reread");
    // pipeline i belongs to github.com/org{i % 3}/repo{i % 2}; i = n - 2 is running
    let i = n - 2;
    let key = format!("github.com/org{}/repo{}", i % 3, i % 2);
    let opts = scoped_options(&stub, &dir.join("a.sqlite"), &key);
    let rt = rt();
    run(&rt, &opts);
    let (run_id, target) = (500 + i, 2000 + 2 * i);
    let mut ds2 = ds.clone();
    ds2.details
        .get_mut(&format!("copr-builds/{target}"))
        .unwrap()["status"] = json!("success");
    let merged = ds2
        .details
        .get_mut(&format!("runs/merged/{run_id}"))
        .unwrap();
    merged["copr"][0]["status"] = json!("success");
    let item = merged.clone();
    for r in ds2.lists.get_mut("runs").unwrap() {
        if r["merged_run_id"] == json!(run_id) {
            *r = item.clone();
        }
    }
    stub.set_dataset(&ds2);
    stub.clear_log();
    run(&rt, &opts);
    // re-read by `/runs/merged/<id>`, or by the head of `/runs` when it is on page 1
    let p = paths(&stub);
    assert!(p.contains(&format!("runs/merged/{run_id}")) || p.contains(&"runs".to_string()));
    let a = Archive::open_read_only(&opts.archive).unwrap();
    let p = a.get(Kind::Pipeline, &run_id.to_string()).unwrap().unwrap();
    let v: serde_json::Value = serde_json::from_str(p.list_json.as_deref().unwrap()).unwrap();
    assert_eq!(v, item);
}

/// What the graph cannot reach is said in the report, per project: a dist-git
/// project's downstream builds, an upstream project's release pipelines.
#[test]
fn the_report_names_what_the_graph_cannot_reach() {
    let ds = Dataset::generate(&DemoSpec::new(300, 1));
    let stub = Stub::start(&ds);
    let dir = TempDir::new("scoped-notes");
    let rt = rt();
    let downstream = DOWNSTREAM;
    let mut opts = scoped_options(&stub, &dir.join("a.sqlite"), OGR);
    opts.scope.add_project(downstream).unwrap();
    let r = run(&rt, &opts);
    let summary = r.summary();
    let note = |key: &str| {
        r.notes
            .iter()
            .find(|n| n.starts_with(&format!("{key}: ")))
            .unwrap_or_else(|| panic!("no note on {key}: {summary}"))
    };
    assert!(
        note(OGR).contains(" releases (their pipelines"),
        "{summary}"
    );
    assert!(
        note(downstream).contains("without an SRPM build"),
        "{summary}"
    );
    assert!(summary.contains("  note: "), "{summary}");
    assert!(note(downstream).contains("--discover lists"));
}

/// A project list that cannot be read leaves the scoped sync incomplete (exit status
/// 1): the project's lists are where it finds everything.
#[test]
fn a_failing_project_list_makes_the_sync_incomplete() {
    let ds = support::mini_dataset(6);
    let stub = Stub::start(&ds);
    let key = "github.com/org1/repo1";
    stub.set_faults(support::stub::Faults {
        fail_paths: vec![format!("projects/{key}/prs")],
        ..support::stub::Faults::none()
    });
    let dir = TempDir::new("scoped-failing-list");
    let mut opts = scoped_options(&stub, &dir.join("a.sqlite"), key);
    opts.client.max_retries = 0;
    let r = rt().block_on(sync::sync(&opts, &NoProgress)).unwrap();
    assert!(!r.complete, "{}", r.summary());
    assert_eq!(r.failed_lists[0].endpoint, format!("projects/{key}/prs"));
    // read again, it completes
    stub.set_faults(support::stub::Faults::none());
    assert!(run(&rt(), &opts).complete);
}
