//! Which message family a bus message belongs to, from its `fedora_messaging_schema`
//! header or its topic (the routing key without its environment prefix).

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
