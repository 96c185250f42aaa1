//! Tests of the field-by-field reader: alternative shapes, fields taken out, the
//! audit of unknown fields.

use super::*;
use crate::api::types::{BuiltPackage, CoprBuildTarget};

const COPR: &str = r#"{"chroot":"fedora-41-x86_64","status":"failure","build_id":"7000846",
    "build_submitted_time":1718000000,"build_start_time":1718000060,"build_finished_time":1718000660,
    "copr_owner":"packit","copr_project":"p","run_ids":[1,2],"srpm_build_id":5,
    "built_packages":[{"name":"a","epoch":0,"arch":"x86_64","version":"1","release":"1"}],
    "pr_id":12,"project_url":"https://github.com/o/r"}"#;

fn drifted(field: &str, v: Value) -> String {
    let mut doc: Value = serde_json::from_str(COPR).unwrap();
    doc[field] = v;
    doc.to_string()
}

fn copr(json: &str) -> Read<CoprBuildTarget> {
    read(Some(json))
}

#[test]
fn the_fast_path_reads_everything() {
    let r = copr(COPR);
    assert!(r.unreadable.is_empty());
    assert_eq!(r.value.chroot.as_deref(), Some("fedora-41-x86_64"));
    assert_eq!(r.value.run_ids, vec![1, 2]);
    let none: Read<CoprBuildTarget> = read(None);
    assert_eq!(none.value, CoprBuildTarget::default());
}

#[test]
fn an_object_of_unknown_shape_costs_only_its_field() {
    let r = copr(&drifted(
        "chroot",
        serde_json::json!({"os": 41, "arch": 64}),
    ));
    assert_eq!(r.value.chroot, None);
    assert_eq!(r.value.status.as_str(), "failure");
    assert_eq!(r.value.build_start_time, Some(1718000060));
    assert_eq!(r.value.project_info().pr_id, Some(12));
    assert_eq!(r.unreadable.len(), 1);
    let u = &r.unreadable[0];
    assert_eq!(u.field, "chroot");
    assert_eq!(u.expected, "a string");
    assert_eq!(u.found, "an object");
    assert_eq!(u.raw, r#"{"arch":64,"os":41}"#);
    assert_eq!(
        u.to_string(),
        "`chroot`: expected a string, found an object"
    );
}

#[test]
fn alternative_shapes_are_read() {
    let name = copr(&drifted(
        "chroot",
        serde_json::json!({"name": "fedora-41-x86_64", "arch": "x86_64", "n": 1}),
    ));
    assert!(name.unreadable.is_empty(), "{:?}", name.unreadable);
    assert_eq!(name.value.chroot.as_deref(), Some("fedora-41-x86_64"));
    let one = copr(&drifted("chroot", serde_json::json!({"id": "f41"})));
    assert_eq!(one.value.chroot.as_deref(), Some("f41"));
    let iso = copr(&drifted(
        "build_start_time",
        Value::from("2024-06-10T06:14:20Z"),
    ));
    assert!(iso.unreadable.is_empty());
    assert_eq!(iso.value.build_start_time, Some(1718000060));
    let offset = copr(&drifted(
        "build_start_time",
        Value::from("2024-06-10 08:14:20.5+02:00"),
    ));
    assert_eq!(offset.value.build_start_time, Some(1718000060));
    let float = copr(&drifted("build_start_time", Value::from(1718000060.75)));
    assert_eq!(float.value.build_start_time, Some(1718000060));
    let numeric = copr(&drifted("srpm_build_id", Value::from(" 5 ")));
    assert_eq!(numeric.value.srpm_build_id, Some(5));
    let number_as_text = copr(&drifted("build_id", Value::from(7000846)));
    assert_eq!(number_as_text.value.build_id.as_deref(), Some("7000846"));
    let k: Read<crate::api::types::KojiBuild> = read(Some(r#"{"scratch":"True","task_id":3}"#));
    assert!(k.unreadable.is_empty());
    assert_eq!(k.value.scratch, Some(true));
    assert_eq!(k.value.task_id.as_deref(), Some("3"));
}

#[test]
fn a_time_that_is_no_time_is_unreadable() {
    let r = copr(&drifted("build_start_time", Value::from("yesterday")));
    assert_eq!(r.value.build_start_time, None);
    assert_eq!(r.value.build_finished_time, Some(1718000660));
    assert_eq!(r.unreadable[0].expected, "a time");
    assert_eq!(r.unreadable[0].raw, "\"yesterday\"");
}

#[test]
fn null_is_missing_and_not_reported() {
    let r = copr(&drifted("run_ids", Value::Null));
    assert!(r.unreadable.is_empty());
    assert!(r.value.run_ids.is_empty());
    let s = copr(&drifted("status", Value::Null));
    assert!(s.unreadable.is_empty());
    assert_eq!(s.value.chroot.as_deref(), Some("fedora-41-x86_64"));
}

#[test]
fn items_and_nested_fields_cost_only_themselves() {
    let r = copr(&drifted("run_ids", serde_json::json!([1, "x", 3])));
    assert_eq!(r.value.run_ids, vec![1, 3]);
    assert_eq!(r.unreadable[0].field, "run_ids[1]");
    let mut doc: Value = serde_json::from_str(COPR).unwrap();
    doc["built_packages"][0]["epoch"] = serde_json::json!([0]);
    let r = copr(&doc.to_string());
    let pkgs = r.value.built_packages.unwrap();
    assert_eq!(
        pkgs[0],
        BuiltPackage {
            epoch: None,
            ..pkgs[0].clone()
        }
    );
    assert_eq!(pkgs[0].name.as_deref(), Some("a"));
    assert_eq!(r.unreadable[0].field, "built_packages[0].epoch");
    assert_eq!(r.unreadable[0].expected, "a number");
    let list = copr(&drifted("run_ids", Value::from("1,2")));
    assert!(list.value.run_ids.is_empty());
    assert_eq!(list.unreadable[0].expected, "a list");
}

#[test]
fn not_json_or_not_an_object_is_the_whole_document() {
    let r = copr("{not json");
    assert_eq!(r.value, CoprBuildTarget::default());
    assert_eq!(r.unreadable[0].field, "");
    assert_eq!(r.unreadable[0].expected, "JSON");
    let a = copr("[1, 2]");
    assert_eq!(
        a.unreadable.last().unwrap().field_name(),
        "(the whole JSON)"
    );
}

#[test]
fn long_raw_values_are_shortened() {
    let long = "x".repeat(1000);
    let r = copr(&drifted("run_ids", Value::from(long)));
    assert!(r.unreadable[0].raw.chars().count() <= RAW_CHARS + 1);
    assert!(r.unreadable[0].raw.ends_with('…'));
}

#[test]
fn iso8601_times() {
    assert_eq!(iso8601("1970-01-01T00:00:00Z"), Some(0));
    assert_eq!(iso8601("2024-06-20T15:04:24Z"), Some(1718895864));
    assert_eq!(iso8601("2024-06-20t15:04:24.123456+0000"), Some(1718895864));
    assert_eq!(iso8601("2024-06-20T17:04:24+02"), Some(1718895864));
    assert_eq!(iso8601("2024-06-20T15:04Z"), Some(1718895840));
    assert_eq!(iso8601("2024-02-29"), Some(1709164800));
    assert_eq!(iso8601("2023-02-29"), None);
    assert_eq!(iso8601("2024-06-20T25:00:00Z"), None);
    assert_eq!(iso8601("2024-06-20T15:04:24Q"), None);
    assert_eq!(iso8601("20240620"), None);
    for secs in [-86_400 * 400, 0, 951_782_400, 1_718_895_864, 4_102_444_800] {
        assert_eq!(iso8601(&crate::time::iso_utc(secs)), Some(secs));
    }
}

#[test]
fn the_audit_names_unreadable_and_unknown_fields_by_half() {
    let list = r#"{"status_per_chroot":{"f41":"success","f42":{"x":[]}},"brand_new":1}"#;
    let a = audit(Kind::CoprBuild, Some(list), None);
    assert_eq!(a.unreadable.len(), 1);
    assert_eq!(a.unreadable[0].0, Half::List);
    assert_eq!(a.unreadable[0].1.field, "status_per_chroot.f42");
    assert_eq!(a.unknown, vec![(Half::List, "brand_new".to_string())]);
    let clean = audit(Kind::Copr, None, Some(COPR));
    assert!(clean.is_clean(), "{clean:?}");
    let d = audit(
        Kind::Copr,
        None,
        Some(&drifted("chroot", serde_json::json!([1]))),
    );
    assert_eq!(d.unreadable[0].0, Half::Detail);
    assert!(audit(Kind::Usage, Some("[]"), None).is_clean());
}
