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

mod topics;

pub use topics::{Family, family_of_schema, family_of_topic, strip_prefix};

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
mod tests;
