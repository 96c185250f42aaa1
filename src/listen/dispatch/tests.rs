//! Dispatch over real fedora-messaging messages (the project's fixtures in
//! `tests/fixtures/fedora-messaging`) and hand-made edge cases.

use super::*;
use std::path::PathBuf;

/// The project's own real fedora-messaging messages (their sources:
/// `tests/fixtures/fedora-messaging/SOURCE.md`).
fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fedora-messaging")
}

fn body(rel: &str) -> Value {
    let p = examples().join(rel);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap()
}

fn run(
    topic: &str,
    schema: Option<&str>,
    body: &Value,
    f: &PackitFilter,
) -> Result<Decision, DispatchError> {
    let bytes = serde_json::to_vec(body).unwrap();
    dispatch(
        &Incoming {
            routing_key: &format!("org.fedoraproject.prod.{topic}"),
            schema,
            body: &bytes,
        },
        f,
    )
}

fn everyone(names: &[&str]) -> PackitFilter {
    let v: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    PackitFilter {
        copr_users: v.clone(),
        koji_users: v.clone(),
        distgit_users: v.clone(),
        bodhi_users: v,
    }
}

#[test]
fn prefixes() {
    assert_eq!(
        strip_prefix("org.fedoraproject.prod.copr.build.end"),
        "copr.build.end"
    );
    assert_eq!(
        strip_prefix("org.fedoraproject.stg.buildsys.tag"),
        "buildsys.tag"
    );
    assert_eq!(strip_prefix("org.centos.prod.ci.x"), "org.centos.prod.ci.x");
}

#[test]
fn copr_messages() {
    let end = body("copr/copr.build.end.json");
    let f = PackitFilter::default();
    // user kbaig is not Packit
    assert_eq!(
        run("copr.build.end", Some("copr.build.end"), &end, &f).unwrap(),
        Decision::Ignore("copr build not submitted by Packit")
    );
    let f = everyone(&["kbaig"]);
    let d = run("copr.build.end", Some("copr.build.end"), &end, &f).unwrap();
    let t = Target::CoprBuild {
        build_id: 942697,
        chroot: "fedora-29-x86_64".into(),
    };
    assert_eq!(d, Decision::Refresh(t.clone()));
    let r = t.request();
    assert_eq!(r.find.len(), 1);
    let find = r.find.iter().next().unwrap();
    assert_eq!(
        (find.list.as_str(), find.field.as_str(), find.value.as_str()),
        ("copr-builds", "build_id", "942697")
    );
    assert_eq!(find.target.as_deref(), Some("fedora-29-x86_64"));
    // the packit-service copy (body with its topic key) by routing key only
    let p = body("packit-service/copr_build_end.json");
    assert_eq!(
        run("copr.build.end", None, &p, &PackitFilter::default()).unwrap(),
        Decision::Refresh(Target::CoprBuild {
            build_id: 1044215,
            chroot: "fedora-rawhide-x86_64".into()
        })
    );
    let srpm = body("packit-service/srpm_build_end.json");
    match run("copr.build.end", None, &srpm, &PackitFilter::default()).unwrap() {
        Decision::Refresh(Target::CoprSrpm { .. }) => {}
        other => panic!("{other:?}"),
    }
    let start = body("copr/copr.build.start.json");
    assert!(matches!(
        run(
            "copr.build.start",
            Some("copr.build.start"),
            &start,
            &everyone(&["churchyard"])
        )
        .unwrap(),
        Decision::Refresh(Target::CoprBuild {
            build_id: 945012,
            ..
        })
    ));
    let chroot = body("copr/copr.chroot.start.json");
    assert!(matches!(
        run(
            "copr.chroot.start",
            Some("copr.chroot.start"),
            &chroot,
            &everyone(&["praiskup"])
        )
        .unwrap(),
        Decision::Ignore(_)
    ));
}

#[test]
fn recorded_wire_message() {
    // `fedora-messaging record` output: topic, headers and body as they came off a
    // local broker
    let p = examples().join("local-capture/copr.build.end.recorded.jsonl");
    let line = std::fs::read_to_string(&p).unwrap();
    let m: Value = serde_json::from_str(line.lines().next().unwrap()).unwrap();
    let body = serde_json::to_vec(&m["body"]).unwrap();
    let d = dispatch(
        &Incoming {
            routing_key: m["topic"].as_str().unwrap(),
            schema: m["headers"]["fedora_messaging_schema"].as_str(),
            body: &body,
        },
        &everyone(&["kbaig"]),
    )
    .unwrap();
    assert_eq!(
        d,
        Decision::Refresh(Target::CoprBuild {
            build_id: 942697,
            chroot: "fedora-29-x86_64".into()
        })
    );
}

#[test]
fn schema_header_wins_over_topic() {
    // a Copr body under a strange routing key still dispatches by its header
    let end = body("copr/copr.build.end.json");
    let d = run(
        "something.else",
        Some("copr.build.end"),
        &end,
        &everyone(&["kbaig"]),
    )
    .unwrap();
    assert!(matches!(d, Decision::Refresh(Target::CoprBuild { .. })));
    // an unknown header falls back to the topic
    let d = run(
        "copr.build.end",
        Some("copr.build.EndV9"),
        &end,
        &everyone(&["kbaig"]),
    )
    .unwrap();
    assert!(matches!(d, Decision::Refresh(Target::CoprBuild { .. })));
}

#[test]
fn koji_messages() {
    let f = PackitFilter::default();
    let scratch = body("packit-service/koji_build_scratch_end.json");
    match run("buildsys.task.state.change", None, &scratch, &f).unwrap() {
        Decision::Refresh(Target::KojiTask { task_id }) => {
            assert_eq!(Some(task_id), scratch.get("id").and_then(int))
        }
        other => panic!("{other:?}"),
    }
    let task = body("koji/buildsys.task.state.change.json");
    let owner = task["owner"].as_str().unwrap().to_string();
    let d = run(
        "buildsys.task.state.change",
        Some("koji_fedoramessaging.task.TaskStateChangeV1"),
        &task,
        &everyone(&[owner.as_str()]),
    )
    .unwrap();
    if task["method"] == "build" {
        assert!(
            matches!(d, Decision::Refresh(Target::KojiTask { .. })),
            "{d:?}"
        );
    } else {
        assert!(matches!(d, Decision::Ignore(_)), "{d:?}");
    }
    let build = body("koji/buildsys.build.state.change.complete-with-task.json");
    let owner = build["owner"].as_str().unwrap().to_string();
    let d = run(
        "buildsys.build.state.change",
        Some("koji_fedoramessaging.build.BuildStateChangeV1"),
        &build,
        &everyone(&[owner.as_str()]),
    )
    .unwrap();
    assert_eq!(
        d,
        Decision::Refresh(Target::KojiTask {
            task_id: int(&build["task_id"]).unwrap()
        })
    );
    assert!(matches!(
        run("buildsys.build.state.change", None, &build, &f).unwrap(),
        Decision::Ignore(_)
    ));
    // packit-service's serialized form: {body, headers, id, topic}
    let tagged = body("packit-service/koji_build_tagged.json");
    let d = run(
        "buildsys.tag",
        tagged["headers"]["fedora_messaging_schema"].as_str(),
        &tagged["body"],
        &everyone(&["nforro"]),
    )
    .unwrap();
    assert_eq!(
        d,
        Decision::Refresh(Target::KojiTag {
            nvr: "python-specfile-0.31.0-1.fc40".into()
        })
    );
    let r = Target::KojiTag {
        nvr: "a-1-1".into(),
    }
    .request();
    assert_eq!(r.find.iter().next().unwrap().list, "koji-tag-requests");
    let tag = body("koji/buildsys.tag.json");
    let user = tag["user"].as_str().unwrap_or("").to_string();
    assert!(matches!(
        run(
            "buildsys.tag",
            Some("koji_fedoramessaging.tag.TagV1"),
            &tag,
            &everyone(&[user.as_str()])
        )
        .unwrap(),
        Decision::Refresh(_) | Decision::Ignore("koji tag is not a side tag")
    ));
    let untag = body("koji/buildsys.untag.json");
    assert!(matches!(
        run(
            "buildsys.untag",
            Some("koji_fedoramessaging.tag.UntagV1"),
            &untag,
            &f
        )
        .unwrap(),
        Decision::Ignore(_)
    ));
    let repo = body("koji/buildsys.repo.done.json");
    assert!(matches!(
        run(
            "buildsys.repo.done",
            Some("koji_fedoramessaging.repo.DoneV1"),
            &repo,
            &f
        )
        .unwrap(),
        Decision::Ignore(_)
    ));
}

#[test]
fn pagure_messages() {
    for (rel, topic) in [
        (
            "packit-service/pagure_pr_new.json",
            "pagure.pull-request.new",
        ),
        (
            "packit-service/pagure_pr_updated.json",
            "pagure.pull-request.updated",
        ),
        (
            "packit-service/pagure_pr_rebased.json",
            "pagure.pull-request.rebased",
        ),
        (
            "packit-service/pagure_pr_comment.json",
            "pagure.pull-request.comment.added",
        ),
        (
            "packit-service/pagure_pr_flag_updated.json",
            "pagure.pull-request.flag.updated",
        ),
        (
            "pagure/pagure.pull-request.new.json",
            "pagure.pull-request.new",
        ),
        (
            "pagure/pagure.pull-request.closed.json",
            "pagure.pull-request.closed",
        ),
    ] {
        let b = body(rel);
        let user = b["pullrequest"]["user"]["name"]
            .as_str()
            .unwrap()
            .to_string();
        let d = run(topic, Some(topic), &b, &everyone(&[user.as_str()])).unwrap();
        match d {
            Decision::Refresh(Target::DistGitPr { project, pr_id }) => {
                assert_eq!(Some(pr_id), b["pullrequest"]["id"].as_i64(), "{rel}");
                assert_eq!(
                    project,
                    b["pullrequest"]["project"]["fullname"].as_str().unwrap()
                );
            }
            other => panic!("{rel}: {other:?}"),
        }
        if user != "packit" {
            assert!(matches!(
                run(topic, Some(topic), &b, &PackitFilter::default()).unwrap(),
                Decision::Ignore(_)
            ));
        }
    }
    let r = Target::DistGitPr {
        project: "rpms/x".into(),
        pr_id: 1,
    }
    .request();
    assert!(r.heads.contains("propose-downstream") && r.heads.contains("pull-from-upstream"));
    let push = body("pagure/pagure.git.receive.json");
    assert!(matches!(
        run(
            "pagure.git.receive",
            Some("pagure.git.receive"),
            &push,
            &PackitFilter::default()
        )
        .unwrap(),
        Decision::Ignore(_)
    ));
}

#[test]
fn bodhi_messages() {
    let dir = examples().join("bodhi");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_str().unwrap().to_string();
        let b = body(&format!("bodhi/{name}"));
        let topic = format!("bodhi.{}", name.trim_end_matches(".json"));
        let u = b.get("update").unwrap_or(&b["comment"]["update"]);
        let user = u["user"]["name"].as_str().unwrap().to_string();
        let d = run(&topic, None, &b, &everyone(&[user.as_str()])).unwrap();
        assert_eq!(
            d,
            Decision::Refresh(Target::BodhiUpdate {
                alias: u["alias"].as_str().map(str::to_string)
            }),
            "{name}"
        );
        if user != "packit" {
            assert!(matches!(
                run(&topic, None, &b, &PackitFilter::default()).unwrap(),
                Decision::Ignore(_)
            ));
        }
        n += 1;
    }
    assert!(n >= 10);
    let r = Target::BodhiUpdate {
        alias: Some("FEDORA-1".into()),
    }
    .request();
    assert_eq!(r.find.iter().next().unwrap().field, "alias");
}

#[test]
fn malformed_and_unknown() {
    let f = PackitFilter::default();
    let unknown = dispatch(
        &Incoming {
            routing_key: "org.fedoraproject.prod.anitya.project.map.new",
            schema: Some("anitya.project.map.new"),
            body: b"{}",
        },
        &f,
    );
    assert!(matches!(unknown, Err(DispatchError::Unknown { .. })));
    let ci = body("ci/fedora-update.test.complete.json");
    let bytes = serde_json::to_vec(&ci).unwrap();
    assert!(matches!(
        dispatch(
            &Incoming {
                routing_key: "org.fedoraproject.prod.ci.fedora-update.test.complete",
                schema: None,
                body: &bytes
            },
            &f
        ),
        Err(DispatchError::Unknown { .. })
    ));
    for bad in [&b"not json"[..], b"[1,2]", b"\xff\xfe", b""] {
        assert!(matches!(
            dispatch(
                &Incoming {
                    routing_key: "org.fedoraproject.prod.copr.build.end",
                    schema: Some("copr.build.end"),
                    body: bad
                },
                &f
            ),
            Err(DispatchError::NotJson { .. })
        ));
    }
    let e = dispatch(
        &Incoming {
            routing_key: "org.fedoraproject.prod.copr.build.end",
            schema: Some("copr.build.end"),
            body: br#"{"user":"packit","chroot":"x"}"#,
        },
        &f,
    )
    .unwrap_err();
    assert_eq!(
        e,
        DispatchError::Field {
            topic: "copr.build.end".into(),
            field: "build"
        }
    );
    let e = dispatch(
        &Incoming {
            routing_key: "org.fedoraproject.prod.bodhi.update.comment",
            schema: None,
            body: br#"{"update": 3}"#,
        },
        &f,
    )
    .unwrap_err();
    assert!(matches!(
        e,
        DispatchError::Field {
            field: "update",
            ..
        }
    ));
}

#[test]
fn coalescing_merges_chroot_bursts() {
    let mut r = RefreshRequest::default();
    for chroot in ["fedora-40-x86_64", "fedora-41-x86_64", "fedora-40-x86_64"] {
        r.merge(
            Target::CoprBuild {
                build_id: 5,
                chroot: chroot.into(),
            }
            .request(),
        );
    }
    assert_eq!(r.find.len(), 2);
    assert_eq!(r.find_lists().len(), 1);
}
