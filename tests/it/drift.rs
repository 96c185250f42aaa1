//! An upstream type change costs one field, never a page (issue 28): the issue's two
//! examples on a demo Copr job (its `chroot` an object, its `build_start_time` an
//! ISO 8601 string), and `check`, the build report and `sync` naming the field.

use crate::support::{TempDir, build_options, demo_archive, packit_pages, set_fields};
use packit_pages::api::Kind;
use packit_pages::archive::Archive;
use packit_pages::check::{CheckOptions, Severity, check};
use serde_json::{Value, json};
use std::path::Path;

/// A failed Copr chroot build of the archive with an archived log, a start time and a
/// trigger: (id, its stored detail).
fn failed_copr_with_log(archive: &Path) -> (String, Value) {
    let a = Archive::open_read_only(archive).unwrap();
    let mut found = None;
    a.for_each(Kind::Copr, |e| {
        if found.is_some() || e.status.as_deref() != Some("failure") {
            return;
        }
        let Some(detail) = e.detail_json.as_deref() else {
            return;
        };
        let v: Value = serde_json::from_str(detail).unwrap();
        let logs = a
            .log_names_of(Kind::Copr, &e.id)
            .unwrap()
            .unwrap_or_default();
        if v["build_start_time"].is_i64() && v["chroot"].is_string() && !logs.is_empty() {
            found = Some((e.id.clone(), v));
        }
    })
    .unwrap();
    found.expect("the demo has a failed Copr build with a log")
}

fn page(site: &Path, id: &str) -> String {
    std::fs::read_to_string(site.join(format!("jobs/copr/{id}/index.html"))).unwrap()
}

/// The parts of a Copr job page the issue saw lost: the status label, the trigger,
/// the failure box, the timeline and the logs.
fn parts(html: &str) -> Vec<String> {
    let between = |from: &str, to: &str| -> String {
        let start = html
            .find(from)
            .unwrap_or_else(|| panic!("{from} in the page"));
        let end = start + html[start..].find(to).unwrap();
        html[start..end].to_string()
    };
    vec![
        between("class=big>", "</p>"),
        between("<dt>Trigger</dt>", "</dd>"),
        between("id=failure", "</section>"),
        between("class=timeline>", "</section>"),
        between("aria-labelledby=h-archived-logs>", "</section>"),
    ]
}

#[test]
fn the_issue_examples_keep_the_page() {
    let dir = TempDir::new("drift-issue");
    let archive = dir.join("a.sqlite");
    demo_archive(&archive, 120, 1);
    packit_pages::demo::add_demo_logs(&mut Archive::open(&archive).unwrap(), 20).unwrap();
    let (id, v) = failed_copr_with_log(&archive);
    let site = dir.join("site");
    let report = packit_pages::build(&build_options(archive.clone(), site.clone())).unwrap();
    assert!(report.drift.is_readable(), "{:?}", report.drift.unreadable);
    let before = page(&site, &id);
    assert!(!before.contains("unreadable"));

    // build_start_time as ISO 8601: read as the same time, the page unchanged
    let start = v["build_start_time"].as_i64().unwrap();
    let iso = packit_pages::time::iso_utc(start);
    set_fields(
        &archive,
        Kind::Copr,
        &id,
        &[("build_start_time", json!(iso))],
    );
    let report = packit_pages::build(&build_options(archive.clone(), site.clone())).unwrap();
    assert!(report.drift.is_readable(), "{:?}", report.drift.unreadable);
    assert_eq!(parts(&page(&site, &id)), parts(&before));

    // chroot as an object of no known shape: only the target is lost, shown as
    // unreadable with its raw value
    let chroot = v["chroot"].as_str().unwrap().to_string();
    let (os, arch) = chroot.rsplit_once('-').unwrap();
    let odd = json!({"os": os, "arch": arch});
    set_fields(&archive, Kind::Copr, &id, &[("chroot", odd)]);
    let report = packit_pages::build(&build_options(archive.clone(), site.clone())).unwrap();
    let after = page(&site, &id);
    let (p0, p1) = (parts(&before), parts(&after));
    assert!(p0[0].contains(&chroot) && !p1[0].contains(&chroot));
    assert!(p1[0].contains("failure"), "status kept: {}", p1[0]);
    assert_eq!(p1[1], p0[1], "trigger kept");
    // the failure box, without the chroot it named
    assert_eq!(p1[2], p0[2].replace(&format!(" for {chroot}"), ""));
    assert!(p1[2].contains("First error line"), "{}", p1[2]);
    assert_eq!(p1[3..], p0[3..], "timeline and logs kept");
    assert!(!after.contains("Logs are not available"));
    let marked = "<dt>Target</dt><dd><span class=muted>unreadable: expected a string</span> <code>";
    let at = after
        .find(marked)
        .expect("the target marked unreadable in its place");
    let raw = &after[at + marked.len()..];
    assert!(
        raw.starts_with("{&quot;arch&quot;:"),
        "the raw value is shown: {}",
        &raw[..80]
    );
    let named = format!("copr {id}: `chroot`: expected a string, found an object");
    let groups: Vec<String> = report
        .drift
        .unreadable
        .iter()
        .map(|g| g.to_string())
        .collect();
    assert_eq!(groups, vec![named.clone()]);

    // check names it, as a warning
    let r = check(&CheckOptions {
        archive: Some(archive.clone()),
        ..CheckOptions::default()
    });
    let warnings: Vec<String> = r
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Warning)
        .map(|p| p.message.clone())
        .collect();
    assert!(
        warnings.contains(&format!("unreadable field: {named}")),
        "{warnings:?}"
    );
    assert!(
        r.is_ok(),
        "drift warns, never fails check: {:?}",
        r.problems
    );
}

#[test]
fn a_full_build_and_check_name_drift_by_kind_and_field_with_unknown_fields_as_notes() {
    let dir = TempDir::new("drift-cli");
    let archive = dir.join("a.sqlite");
    demo_archive(&archive, 20, 3);
    let ids: Vec<String> = {
        let a = Archive::open_read_only(&archive).unwrap();
        let mut ids = Vec::new();
        a.for_each(Kind::Koji, |e| {
            if e.detail_json.is_some() {
                ids.push(e.id.clone())
            }
        })
        .unwrap();
        ids.truncate(3);
        ids
    };
    assert_eq!(ids.len(), 3);
    for id in &ids {
        set_fields(
            &archive,
            Kind::Koji,
            id,
            &[("task_id", json!([1, 2])), ("brand_new_field", json!(1))],
        );
    }
    let out = packit_pages()
        .args(["build", "--archive"])
        .arg(&archive)
        .arg("--out")
        .arg(dir.join("site"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(&format!("unreadable field: koji {}", ids.join(", "))),
        "{err}"
    );
    assert!(
        err.contains("`task_id`: expected a string, found a list (3 entities)"),
        "{err}"
    );
    assert!(
        err.contains("note: field not known to this version: koji "),
        "{err}"
    );
    assert!(err.contains("`brand_new_field` (3 entities)"), "{err}");
    let out = packit_pages()
        .args(["check", "--archive"])
        .arg(&archive)
        .current_dir(dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("warning: unreadable field: koji "), "{err}");
    assert!(
        err.contains("note: field not known to this version: koji "),
        "{err}"
    );
}

/// A sync that stores rows with unreadable fields ends with one line naming them;
/// the next sync, which stores nothing new, does not repeat it.
#[test]
fn sync_ends_with_a_line_when_rows_it_stored_have_unreadable_fields() {
    use crate::support::{mini_dataset, runtime, stub::Stub, stub_client, sync_clean};
    use packit_pages::sync::SyncOptions;
    let dir = TempDir::new("drift-sync");
    let archive = dir.join("a.sqlite");
    let mut ds = mini_dataset(4);
    let drifted: Vec<String> = ds
        .details
        .iter_mut()
        .filter(|(k, _)| k.starts_with("copr-builds/"))
        .map(|(k, v)| {
            v["chroot"] = json!({"os": "fedora", "arch": "x86_64"});
            k.trim_start_matches("copr-builds/").to_string()
        })
        .collect();
    assert!(!drifted.is_empty());
    let stub = Stub::start(&ds);
    let opts = SyncOptions {
        client: stub_client(&stub),
        ..SyncOptions::new(&archive, &stub.base_url())
    };
    let rt = runtime();
    let first = sync_clean(&rt, &opts);
    let summary = first.summary();
    let last = summary.lines().last().unwrap();
    assert_eq!(
        last,
        format!(
            "  {} stored entities have unreadable fields: copr `chroot` ({}) (shown as unreadable on their pages; `packit-pages check` names them all)",
            drifted.len(),
            drifted.len()
        ),
        "{summary}"
    );
    assert_eq!(first.unreadable[0].field, "chroot");
    assert_eq!(first.unreadable[0].count, drifted.len() as u64);
    let again = sync_clean(&rt, &opts);
    assert!(again.unreadable_line.is_none(), "{}", again.summary());
}
