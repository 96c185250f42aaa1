//! Live rebuilds (`site::Session`, what `listen`, `watch` and `serve` run) against
//! the oracle of `incremental.rs`: a patched catalog equals a fresh one, and every
//! update writes exactly what a clean full build changes.

use super::incremental::{Lcg, opts, oracle, set, setup, snapshot, status_entities};
use crate::support::{in_new_revision, set_fields, set_status};
use packit_pages::api::Kind;
use packit_pages::archive::{Archive, Part};
use packit_pages::demo::DemoSpec;
use packit_pages::site::{BuildMode, BuildOptions, BuildReport, Session, build};
use std::path::{Path, PathBuf};

/// Random archive changes for the live tests: statuses of random entities and, every
/// `every` rounds, new pipelines (the demo data set grown by one or two).
struct Changes {
    a: PathBuf,
    kinds: Vec<(String, String)>,
    rng: Lcg,
    pipelines: u64,
    every: u32,
}

impl Changes {
    fn new(a: &Path, seed: u64, pipelines: u64, every: u32) -> Changes {
        Changes {
            a: a.to_path_buf(),
            kinds: status_entities(a),
            rng: Lcg(seed),
            pipelines,
            every,
        }
    }

    /// Round `round`: up to `most` status changes, then maybe new pipelines.
    fn round(&mut self, round: u32, most: u64) {
        let statuses = ["success", "failure", "running", "pending", "error"];
        for _ in 0..1 + self.rng.next() % most {
            let (k, id) = &self.kinds[(self.rng.next() as usize) % self.kinds.len()];
            let st = statuses[(self.rng.next() as usize) % statuses.len()];
            set_status(&self.a, Kind::parse(k).unwrap(), id, st);
        }
        if round % self.every == 1 {
            self.pipelines += 1 + self.rng.next() % 2;
            let mut ar = Archive::open(&self.a).unwrap();
            packit_pages::demo::ingest_demo(&mut ar, &DemoSpec::new(self.pipelines, 7)).unwrap();
        }
    }
}

/// A catalog patched from change sets (status changes, new pipelines and jobs)
/// equals a catalog built from scratch on the same archive.
#[test]
fn a_patched_catalog_equals_a_fresh_one() {
    use packit_pages::model::Catalog;
    let (d, a, _) = setup("catalog", 80);
    let mut cat = Catalog::build_live(&Archive::open_read_only(&a).unwrap()).unwrap();
    let mut changes = Changes::new(&a, 0xca7, 80, 3);
    let mut patched = 0;
    for round in 0..10 {
        changes.round(round, 5);
        let ar = Archive::open_read_only(&a).unwrap();
        let delta = ar.changed_since(cat.revision).unwrap();
        assert!(!delta.is_empty());
        if cat.apply(&ar, &delta).unwrap() {
            patched += 1;
        } else {
            cat = Catalog::build_live(&ar).unwrap();
        }
        let fresh = Catalog::build_live(&ar).unwrap();
        assert!(cat == fresh, "round {round}: patched catalog differs");
    }
    assert!(
        patched >= 8,
        "only {patched} of 10 change sets were patched"
    );
    std::fs::remove_dir_all(&d).unwrap();
}

/// A demo archive of `n` pipelines (see [`setup`]) and a live session that built its
/// site: the folder, archive, content folder, build options, session and first report.
fn live_setup(
    tag: &str,
    n: u64,
) -> (
    PathBuf,
    PathBuf,
    PathBuf,
    BuildOptions,
    Session,
    BuildReport,
) {
    let (d, a, content) = setup(tag, n);
    let o = opts(&a, &d.join("site"), &content);
    let (session, first) = Session::open(&o).unwrap();
    (d, a, content, o, session, first)
}

/// A live session's updates (status changes, new pipelines) write exactly the files
/// a clean full build changes, remove the files it no longer has, and leave a site
/// byte-identical to it; a later `build` continues from the journal it left.
#[test]
fn live_session_updates_equal_clean_builds() {
    let (d, a, _, o, mut session, first) = live_setup("live", 90);
    assert_eq!(first.mode, BuildMode::Full);
    let none = session.update().unwrap();
    assert_eq!((none.rendered, none.write.written), (0, 0));
    let mut changes = Changes::new(&a, 0x11fe, 90, 2);
    for round in 0..6 {
        changes.round(round, 3);
        let before = snapshot(&o.out);
        let (changed, removed, expect) = oracle(&before, &o, &d.join("oracle"));
        let r = session.update().unwrap();
        assert_eq!(r.mode, BuildMode::Incremental, "round {round}");
        assert!(
            r.phases.contains_key("changes"),
            "round {round}: the live path fell back to a build"
        );
        // phases in milliseconds, as a build's: together at most the update's time
        let phases: u64 = r.phases.values().sum();
        assert!(
            phases <= r.millis,
            "round {round}: phases {:?} take more than {} ms",
            r.phases,
            r.millis
        );
        assert!(r.rendered < 400, "round {round}: rendered {}", r.rendered);
        assert_eq!(
            set(&r.written_files),
            changed,
            "round {round}: files written"
        );
        assert_eq!(
            set(&r.removed_files),
            removed,
            "round {round}: files removed"
        );
        assert!(
            snapshot(&o.out) == expect,
            "round {round}: the site differs from a clean full build"
        );
    }
    let journal = d.join("site/.packit-pages/manifest.journal");
    let manifest = d.join("site/.packit-pages/manifest");
    let before = (
        std::fs::read(&journal).unwrap(),
        std::fs::read(&manifest).unwrap(),
    );
    // a new process continues from the journal: nothing left to do, and nothing
    // written (not even the manifest)
    drop(session);
    let r = build(&o).unwrap();
    assert_eq!(r.mode, BuildMode::Incremental);
    assert_eq!(r.write.written, 0, "{:?}", r.written_files);
    assert_eq!(r.rendered, 0);
    assert!(
        (
            std::fs::read(&journal).unwrap(),
            std::fs::read(&manifest).unwrap()
        ) == before
    );
    // a full build folds the journal into a new manifest
    let r = build(&BuildOptions {
        full: true,
        ..o.clone()
    })
    .unwrap();
    assert_eq!(r.write.written, 0, "{:?}", r.written_files);
    assert!(!journal.exists());
    std::fs::remove_dir_all(&d).unwrap();
}

/// The site failures feed of a live session follows a failed job whose finish
/// time moved: the session keeps the feed's sort times between updates, and a
/// changed job's must be read again.
#[test]
fn live_failures_feed_follows_a_changed_finish_time() {
    let (d, a, content, o, mut session, _) = live_setup("livefeed", 90);
    let copr = Kind::parse("copr").unwrap();
    let feed = |root: &Path| std::fs::read_to_string(root.join("feeds/failures.xml")).unwrap();
    // an old failed Copr chroot build that stays a candidate of the feed (the
    // newest 50 failed or errored of a kind are: the 25th newest, or the oldest
    // when fewer failed, stays one after the 20 Copr builds below fail), and 40
    // newer jobs that fail now: the feed is rendered (and its sort times kept)
    // with the first one far down, past the 50 it shows
    let ar = Archive::open_read_only(&a).unwrap();
    let (old, num): (String, i64) = ar
        .connection()
        .query_row(
            "SELECT id, num FROM (SELECT id, num FROM entity WHERE kind='copr' AND status IN ('failure', 'error', 'failed', 'needs_inspection') ORDER BY num DESC LIMIT 25) ORDER BY num LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let mut newer: Vec<(String, String)> = Vec::new();
    for kind in ["copr", "testing-farm"] {
        let mut st = ar
            .connection()
            .prepare(
                "SELECT kind, id FROM entity WHERE kind=?1 AND status NOT IN ('failure', 'error', 'failed', 'needs_inspection') ORDER BY num DESC LIMIT 20",
            )
            .unwrap();
        newer.extend(
            st.query_map([kind], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .map(|r| r.unwrap()),
        );
    }
    drop(ar);
    assert_eq!(newer.len(), 40);
    for (k, id) in &newer {
        set_status(&a, Kind::parse(k).unwrap(), id, "failure");
    }
    session.update().unwrap();
    let before = feed(&o.out);
    // the old failure finishes again, after everything else
    set_fields(
        &a,
        copr,
        &old,
        &[("build_finished_time", serde_json::json!(4_000_000_000i64))],
    );
    let r = session.update().unwrap();
    assert!(
        r.phases.contains_key("changes"),
        "the live path fell back to a build"
    );
    let live = feed(&o.out);
    assert!(live != before, "the feed was not updated");
    let first = format!("<id>urn:packit-pages:job:copr:{num}</id>");
    assert!(
        live.find(&first).is_some() && live.find(&first) == live.find("<id>urn:packit-pages:job:"),
        "Copr build {num} is not the feed's first entry"
    );
    let clean = d.join("clean");
    build(&opts(&a, &clean, &content)).unwrap();
    assert!(
        live == feed(&clean),
        "the live feed differs from a clean build's"
    );
    std::fs::remove_dir_all(&d).unwrap();
}

/// A live session keeps the table rows it built (`model::RowCache`). A job's row
/// links its trigger's page only once a pipeline of that trigger is archived:
/// here a Testing Farm run of a pull request with no pipeline is listed (and its
/// row kept), then the pull request's first pipeline arrives while a neighbour on
/// the same list page changes. The page must link the trigger, as a clean build's.
#[test]
fn live_rows_follow_a_trigger_page_that_appears() {
    let (d, a, content) = setup("liverows", 60);
    let tf = Kind::parse("testing-farm").unwrap();
    let pipeline = Kind::parse("pipeline").unwrap();
    let ar = Archive::open_read_only(&a).unwrap();
    let newest = |kind: &str, n: i64| -> Vec<(String, String)> {
        let mut st = ar
            .connection()
            .prepare("SELECT id, coalesce(list_json, detail_json) FROM entity WHERE kind=?1 ORDER BY num DESC LIMIT ?2")
            .unwrap();
        st.query_map(rusqlite::params![kind, n], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    };
    let runs = newest("testing-farm", 2);
    let ((j, j_json), k) = (runs[0].clone(), runs[1].0.clone());
    let (p_id, p_json) = newest("pipeline", 1).remove(0);
    drop(ar);
    let j_json: serde_json::Value = serde_json::from_str(&j_json).unwrap();
    let project = j_json["project_url"].as_str().unwrap().to_string();
    let trigger_page = format!("{}/prs/99999/", project.trim_start_matches("https://"));
    // run J: a pull request no pipeline belongs to
    set_fields(&a, tf, &j, &[("pr_id", serde_json::json!(99999))]);
    let o = opts(&a, &d.join("site"), &content);
    let (mut session, _) = Session::open(&o).unwrap();
    let check = |session: &mut Session, what: &str| -> String {
        let before = snapshot(&o.out);
        let (_, _, expect) = oracle(&before, &o, &d.join("oracle"));
        let r = session.update().unwrap();
        assert!(
            r.phases.contains_key("changes"),
            "{what}: fell back to a build"
        );
        let got = snapshot(&o.out);
        let differ: Vec<&String> = expect
            .iter()
            .filter(|(f, b)| got.get(*f) != Some(*b))
            .map(|(f, _)| f)
            .chain(got.keys().filter(|f| !expect.contains_key(*f)))
            .collect();
        assert!(
            differ.is_empty(),
            "{what}: the site differs from a clean full build in {differ:?}"
        );
        std::fs::read_to_string(o.out.join("jobs/testing-farm/index.html")).unwrap()
    };
    // the neighbour K changes: the list page is rendered again, J's row kept
    set_status(&a, tf, &k, "error");
    let list = check(&mut session, "first update");
    assert!(
        list.contains(&format!("jobs/testing-farm/{j}/")) && !list.contains(&trigger_page),
        "J is listed, its trigger not linked"
    );
    // the pull request's first pipeline arrives; K changes again
    set_status(&a, tf, &k, "passed");
    {
        let mut run: serde_json::Value = serde_json::from_str(&p_json).unwrap();
        run["trigger"] = j_json.clone();
        run["trigger"]["pr_id"] = serde_json::json!(99999);
        for list in ["copr", "koji", "test_run", "bodhi_update"] {
            run[list] = serde_json::json!([]);
        }
        run["srpm"] = serde_json::Value::Null;
        let id = (p_id.parse::<i64>().unwrap() + 1000).to_string();
        run["merged_run_id"] = serde_json::json!(id.parse::<i64>().unwrap());
        in_new_revision(&a, |w, now, rev| {
            w.put(pipeline, &id, Part::List, &run.to_string(), now, rev)
                .unwrap();
        });
    }
    let list = check(&mut session, "second update");
    assert!(
        list.contains(&trigger_page),
        "the list does not link the new trigger page"
    );
    std::fs::remove_dir_all(&d).unwrap();
}
