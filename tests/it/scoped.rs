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

mod later;

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
