//! Message → refresh: which Packit API entities a bus message makes stale. Pure
//! functions over the message's routing key, `fedora_messaging_schema` header and JSON
//! body; no I/O.
//!
//! Dispatch is on the schema header (the entry-point name of the publisher's message
//! class), falling back to the routing key with its `org.fedoraproject.prod.` /
//! `org.fedoraproject.stg.` prefix removed (fedmsg-bridged messages can lack a usable
//! header). Packit publishes nothing itself; its jobs show up as:
//!
//! | topic | Packit filter | refresh |
//! | --- | --- | --- |
//! | `copr.build.start` / `copr.build.end` | `user` | `/copr-builds` head until the build id, its chroot target, its pipeline; chroot `srpm-builds`: the `/srpm-builds` head and unfinished SRPM builds |
//! | `buildsys.build.state.change` | `owner`, `task.method == build` | `/koji-builds` head until the task id |
//! | `buildsys.task.state.change` | `owner`, `method == build` | `/koji-builds` head until the task id |
//! | `buildsys.tag` | `user`, side tags only | `/koji-tag-requests` head until the NVR |
//! | `pagure.pull-request.*` | `pullrequest.user.name` | the sync-release heads and their unfinished targets |
//! | `bodhi.update.*` | `update.user.name` | `/bodhi-updates` head until the alias (else the head) |
//!
//! `copr.chroot.start` (a DEBUG duplicate of `build.start`), `buildsys.untag`,
//! `buildsys.repo.*` and `pagure.git.receive` are known and ignored.

use super::config::PackitFilter;
use crate::api::Kind;
use crate::sync::{Find, RefreshRequest};
use serde_json::Value;

/// One message as received, independent of the transport.
#[derive(Clone, Copy, Debug)]
pub struct Incoming<'a> {
    /// AMQP routing key (the topic, with its environment prefix).
    pub routing_key: &'a str,
    /// The `fedora_messaging_schema` header, if present.
    pub schema: Option<&'a str>,
    /// The body (UTF-8 JSON).
    pub body: &'a [u8],
}

/// What a message is about, once recognised and filtered.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    /// A chroot of a Copr build (one message per chroot).
    CoprBuild {
        /// Copr build id.
        build_id: i64,
        /// Chroot name.
        chroot: String,
    },
    /// An SRPM built in Copr (chroot `srpm-builds`).
    CoprSrpm {
        /// Copr build id.
        build_id: i64,
    },
    /// A Koji build or scratch-build task, by Koji task id.
    KojiTask {
        /// Koji task id.
        task_id: i64,
    },
    /// A build tagged into a side tag.
    KojiTag {
        /// `name-version-release`.
        nvr: String,
    },
    /// A dist-git pull request opened or changed by Packit.
    DistGitPr {
        /// `rpms/foo`.
        project: String,
        /// Pull request number.
        pr_id: i64,
    },
    /// A Bodhi update.
    BodhiUpdate {
        /// `FEDORA-2024-…`, when the message carries it.
        alias: Option<String>,
    },
}

/// The outcome of dispatching a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Entities to refresh.
    Refresh(Target),
    /// A known message that does not concern a Packit job (or carries nothing to
    /// refresh); the reason says which.
    Ignore(&'static str),
}

/// Why a message could not be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DispatchError {
    /// Neither the schema header nor the topic is one `listen` knows.
    #[error("unknown message (schema {schema:?}, topic {topic:?})")]
    Unknown {
        /// The schema header.
        schema: Option<String>,
        /// The topic without prefix.
        topic: String,
    },
    /// The body is not a JSON object.
    #[error("{topic}: body is not a JSON object: {reason}")]
    NotJson {
        /// The topic without prefix.
        topic: String,
        /// Parser message.
        reason: String,
    },
    /// A field the mapping needs is missing or has the wrong type.
    #[error("{topic}: missing or invalid field {field}")]
    Field {
        /// The topic without prefix.
        topic: String,
        /// JSON path of the field.
        field: &'static str,
    },
}

/// The topic without the `org.fedoraproject.prod.` / `org.fedoraproject.stg.` prefix.
pub fn strip_prefix(routing_key: &str) -> &str {
    routing_key
        .strip_prefix("org.fedoraproject.prod.")
        .or_else(|| routing_key.strip_prefix("org.fedoraproject.stg."))
        .unwrap_or(routing_key)
}

/// The message families `listen` knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// `copr.build.start` / `copr.build.end`.
    CoprBuild,
    /// `copr.chroot.start` (ignored duplicate).
    CoprChrootStart,
    /// `buildsys.build.state.change`.
    KojiBuild,
    /// `buildsys.task.state.change`.
    KojiTask,
    /// `buildsys.tag`.
    KojiTag,
    /// Other Koji messages (`untag`, `repo.*`, …): ignored.
    KojiOther,
    /// `pagure.pull-request.*`.
    PagurePr,
    /// Other Pagure messages: ignored.
    PagureOther,
    /// `bodhi.update.*`.
    Bodhi,
}

/// The family of a `fedora_messaging_schema` header value.
pub fn family_of_schema(schema: &str) -> Option<Family> {
    Some(match schema {
        "copr.build.start" | "copr.build.end" => Family::CoprBuild,
        "copr.chroot.start" => Family::CoprChrootStart,
        "koji_fedoramessaging.build.BuildStateChangeV1" => Family::KojiBuild,
        "koji_fedoramessaging.task.TaskStateChangeV1" => Family::KojiTask,
        "koji_fedoramessaging.tag.TagV1" => Family::KojiTag,
        s if s.starts_with("koji_fedoramessaging.") => Family::KojiOther,
        s if s.starts_with("pagure.pull-request.") => Family::PagurePr,
        s if s.starts_with("pagure.") => Family::PagureOther,
        s if s.starts_with("bodhi.update.") => Family::Bodhi,
        _ => return None,
    })
}

/// The family of a topic (without prefix).
pub fn family_of_topic(topic: &str) -> Option<Family> {
    Some(match topic {
        "copr.build.start" | "copr.build.end" => Family::CoprBuild,
        "copr.chroot.start" => Family::CoprChrootStart,
        "buildsys.build.state.change" => Family::KojiBuild,
        "buildsys.task.state.change" => Family::KojiTask,
        "buildsys.tag" => Family::KojiTag,
        t if t.starts_with("buildsys.") => Family::KojiOther,
        t if t.starts_with("pagure.pull-request.") => Family::PagurePr,
        t if t.starts_with("pagure.") => Family::PagureOther,
        t if t.starts_with("bodhi.update.") => Family::Bodhi,
        _ => return None,
    })
}

fn int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn listed(names: &[String], name: Option<&str>) -> bool {
    name.is_some_and(|n| names.iter().any(|x| x == n))
}

/// Maps a message to what it makes stale (see the module documentation).
pub fn dispatch(msg: &Incoming<'_>, filter: &PackitFilter) -> Result<Decision, DispatchError> {
    let topic = strip_prefix(msg.routing_key);
    let family = msg
        .schema
        .and_then(family_of_schema)
        .or_else(|| family_of_topic(topic))
        .ok_or_else(|| DispatchError::Unknown {
            schema: msg.schema.map(str::to_string),
            topic: topic.to_string(),
        })?;
    let body: Value = serde_json::from_slice(msg.body).map_err(|e| DispatchError::NotJson {
        topic: topic.to_string(),
        reason: e.to_string(),
    })?;
    if !body.is_object() {
        return Err(DispatchError::NotJson {
            topic: topic.to_string(),
            reason: "not an object".into(),
        });
    }
    let field = |f: &'static str| DispatchError::Field {
        topic: topic.to_string(),
        field: f,
    };
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    match family {
        Family::CoprChrootStart => Ok(Decision::Ignore("copr.chroot.start duplicates build.start")),
        Family::KojiOther => Ok(Decision::Ignore("koji message without Packit pages")),
        Family::PagureOther => Ok(Decision::Ignore("dist-git message without Packit pages")),
        Family::CoprBuild => {
            let user = body.get("user").and_then(Value::as_str);
            let build_id = body
                .get("build")
                .and_then(int)
                .ok_or_else(|| field("build"))?;
            let chroot = s(&body, "chroot").ok_or_else(|| field("chroot"))?;
            if !listed(&filter.copr_users, user) {
                return Ok(Decision::Ignore("copr build not submitted by Packit"));
            }
            if chroot == "srpm-builds" {
                Ok(Decision::Refresh(Target::CoprSrpm { build_id }))
            } else {
                Ok(Decision::Refresh(Target::CoprBuild { build_id, chroot }))
            }
        }
        Family::KojiBuild => {
            let owner = body.get("owner").and_then(Value::as_str);
            if !listed(&filter.koji_users, owner) {
                return Ok(Decision::Ignore("koji build not owned by Packit"));
            }
            let task_id = match body.get("task_id") {
                Some(Value::Null) | None => None,
                Some(v) => Some(int(v).ok_or_else(|| field("task_id"))?),
            };
            if let Some(m) = body.pointer("/task/method").and_then(Value::as_str)
                && m != "build"
            {
                return Ok(Decision::Ignore("koji build not from a build task"));
            }
            match task_id {
                Some(task_id) => Ok(Decision::Refresh(Target::KojiTask { task_id })),
                None => Ok(Decision::Ignore("koji build without task (imported)")),
            }
        }
        Family::KojiTask => {
            let owner = body.get("owner").and_then(Value::as_str);
            let task_id = body.get("id").and_then(int).ok_or_else(|| field("id"))?;
            if !listed(&filter.koji_users, owner) {
                return Ok(Decision::Ignore("koji task not owned by Packit"));
            }
            if body.get("method").and_then(Value::as_str) != Some("build") {
                return Ok(Decision::Ignore("koji task is not a build task"));
            }
            Ok(Decision::Refresh(Target::KojiTask { task_id }))
        }
        Family::KojiTag => {
            let tag = s(&body, "tag").ok_or_else(|| field("tag"))?;
            let (name, version, release) = (
                s(&body, "name").ok_or_else(|| field("name"))?,
                s(&body, "version").ok_or_else(|| field("version"))?,
                s(&body, "release").ok_or_else(|| field("release"))?,
            );
            if !listed(&filter.koji_users, body.get("user").and_then(Value::as_str)) {
                return Ok(Decision::Ignore("koji tag not done by Packit"));
            }
            if !tag.contains("-side-") {
                return Ok(Decision::Ignore("koji tag is not a side tag"));
            }
            Ok(Decision::Refresh(Target::KojiTag {
                nvr: format!("{name}-{version}-{release}"),
            }))
        }
        Family::PagurePr => {
            let pr = body
                .get("pullrequest")
                .filter(|p| p.is_object())
                .ok_or_else(|| field("pullrequest"))?;
            let pr_id = pr
                .get("id")
                .and_then(int)
                .ok_or_else(|| field("pullrequest.id"))?;
            let user = pr.pointer("/user/name").and_then(Value::as_str);
            if !listed(&filter.distgit_users, user) {
                return Ok(Decision::Ignore("dist-git pull request not by Packit"));
            }
            let project = pr
                .pointer("/project/fullname")
                .and_then(Value::as_str)
                .ok_or_else(|| field("pullrequest.project.fullname"))?
                .to_string();
            Ok(Decision::Refresh(Target::DistGitPr { project, pr_id }))
        }
        Family::Bodhi => {
            // `bodhi.update.comment` nests the update in the comment
            let update = body
                .get("update")
                .or_else(|| body.pointer("/comment/update"))
                .filter(|u| u.is_object())
                .ok_or_else(|| field("update"))?;
            if !listed(
                &filter.bodhi_users,
                update.pointer("/user/name").and_then(Value::as_str),
            ) {
                return Ok(Decision::Ignore("bodhi update not submitted by Packit"));
            }
            Ok(Decision::Refresh(Target::BodhiUpdate {
                alias: s(update, "alias"),
            }))
        }
    }
}

impl Target {
    /// What to re-fetch from the Packit API for this target.
    pub fn request(&self) -> RefreshRequest {
        let mut r = RefreshRequest::default();
        match self {
            Target::CoprBuild { build_id, chroot } => {
                r.find.insert(Find {
                    list: "copr-builds".into(),
                    field: "build_id".into(),
                    value: build_id.to_string(),
                    target: Some(chroot.clone()),
                });
            }
            Target::CoprSrpm { .. } => {
                r.heads.insert("srpm-builds".into());
                r.open_kinds.insert(Kind::Srpm);
            }
            Target::KojiTask { task_id } => {
                r.find.insert(Find {
                    list: "koji-builds".into(),
                    field: "task_id".into(),
                    value: task_id.to_string(),
                    target: None,
                });
            }
            Target::KojiTag { nvr } => {
                r.find.insert(Find {
                    list: "koji-tag-requests".into(),
                    field: "nvr".into(),
                    value: nvr.clone(),
                    target: None,
                });
            }
            Target::DistGitPr { .. } => {
                for l in ["propose-downstream", "pull-from-upstream"] {
                    r.heads.insert(l.into());
                }
                r.open_kinds.insert(Kind::ProposeDownstream);
                r.open_kinds.insert(Kind::PullFromUpstream);
            }
            Target::BodhiUpdate { alias: Some(a) } => {
                r.find.insert(Find {
                    list: "bodhi-updates".into(),
                    field: "alias".into(),
                    value: a.clone(),
                    target: None,
                });
            }
            Target::BodhiUpdate { alias: None } => {
                r.heads.insert("bodhi-updates".into());
                r.open_kinds.insert(Kind::Bodhi);
            }
        }
        r
    }
}

#[cfg(test)]
mod tests {
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
}
