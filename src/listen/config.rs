//! The fedora-messaging configuration file (TOML) as `listen` reads it: the broker URL,
//! TLS files, queues, bindings, client properties and QoS that users of the Python
//! `fedora-messaging` client already have, plus the Packit filter in
//! `[consumer_config]`. Keys that only the Python client uses (`callback`,
//! `log_config`, `publish_exchange`, `topic_prefix`, …) are accepted and ignored, so an
//! existing file works as it is.

use crate::config::{self, ConfigError};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Errors reading the bus configuration.
#[derive(Debug, thiserror::Error)]
pub enum BusConfigError {
    /// The file could not be read ([`ConfigError::Io`]), or the TOML is invalid or a
    /// value has the wrong type ([`ConfigError::Invalid`]), reported as for the site
    /// configuration.
    #[error(transparent)]
    Toml(#[from] ConfigError),
    /// A semantic problem (e.g. a binding naming an undeclared queue).
    #[error("{path}: {message}")]
    Semantic {
        /// Config file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// The routing keys `listen` binds when the file has no `[[bindings]]`: every topic on
/// which Packit's jobs show up (Copr builds, Koji builds, scratch-build tasks and
/// tags, dist-git pull requests, Bodhi updates), production and staging.
pub const DEFAULT_ROUTING_KEYS: [&str; 12] = [
    "org.fedoraproject.prod.copr.build.start",
    "org.fedoraproject.prod.copr.build.end",
    "org.fedoraproject.prod.buildsys.task.state.change",
    "org.fedoraproject.prod.buildsys.build.state.change",
    "org.fedoraproject.prod.buildsys.tag",
    "org.fedoraproject.prod.pagure.pull-request.#",
    "org.fedoraproject.prod.bodhi.update.#",
    "org.fedoraproject.stg.copr.build.start",
    "org.fedoraproject.stg.copr.build.end",
    "org.fedoraproject.stg.buildsys.#",
    "org.fedoraproject.stg.pagure.pull-request.#",
    "org.fedoraproject.stg.bodhi.update.#",
];

/// `[tls]`: PEM files for `amqps://` (paths relative to the configuration file).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Tls {
    /// CA certificate(s) that sign the broker's certificate.
    pub ca_cert: Option<PathBuf>,
    /// Client certificate (authentication with SASL EXTERNAL).
    pub certfile: Option<PathBuf>,
    /// Private key of the client certificate (PKCS#8 PEM).
    pub keyfile: Option<PathBuf>,
}

/// `[queues.<name>]`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default)]
pub struct QueueConfig {
    /// Survives a broker restart (with persistent messages, so do the messages).
    pub durable: bool,
    /// Deleted when the last consumer goes.
    pub auto_delete: bool,
    /// Only this connection may use it.
    pub exclusive: bool,
    /// Extra `x-` arguments (e.g. `x-expires`), integers and strings.
    pub arguments: BTreeMap<String, toml::Value>,
}

impl Default for QueueConfig {
    fn default() -> Self {
        QueueConfig {
            durable: true,
            auto_delete: false,
            exclusive: false,
            arguments: BTreeMap::new(),
        }
    }
}

/// `[[bindings]]`: routing keys bound from an exchange to a queue.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Binding {
    /// Queue name (a key of `[queues]`).
    pub queue: String,
    /// Exchange, `amq.topic` on the Fedora brokers.
    #[serde(default = "default_exchange")]
    pub exchange: String,
    /// Routing keys (`#` and `*` wildcards allowed).
    pub routing_keys: Vec<String>,
}

fn default_exchange() -> String {
    "amq.topic".into()
}

/// `[qos]`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Qos {
    /// Unacknowledged messages the broker may send ahead.
    pub prefetch_count: u16,
}

impl Default for Qos {
    fn default() -> Self {
        Qos {
            prefetch_count: 100,
        }
    }
}

/// Who counts as Packit: the users and owners whose messages concern Packit jobs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackitFilter {
    /// Copr `user` (submitter) names; `packit` in production, `packit-stg` on staging.
    pub copr_users: Vec<String>,
    /// Koji `owner` names of builds and scratch-build tasks; `user` of tags.
    pub koji_users: Vec<String>,
    /// Authors of dist-git pull requests (`pullrequest.user.name`).
    pub distgit_users: Vec<String>,
    /// Submitters of Bodhi updates (`update.user.name`).
    pub bodhi_users: Vec<String>,
}

impl Default for PackitFilter {
    fn default() -> Self {
        let p = vec!["packit".to_string(), "packit-stg".to_string()];
        PackitFilter {
            copr_users: p.clone(),
            koji_users: p.clone(),
            distgit_users: p.clone(),
            bodhi_users: p,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ConsumerConfig {
    packit_users: Option<Vec<String>>,
    copr_users: Option<Vec<String>>,
    koji_users: Option<Vec<String>>,
    distgit_users: Option<Vec<String>>,
    bodhi_users: Option<Vec<String>>,
}

/// Unknown keys (`callback`, `log_config`, `publish_exchange`, `topic_prefix`,
/// `exchanges`, …) are ignored: they belong to the Python client.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawConfig {
    amqp_url: Option<String>,
    passive_declares: bool,
    tls: Tls,
    queues: BTreeMap<String, QueueConfig>,
    bindings: Vec<Binding>,
    client_properties: BTreeMap<String, toml::Value>,
    qos: Qos,
    consumer_config: ConsumerConfig,
}

/// The bus configuration `listen` uses.
#[derive(Clone, Debug, PartialEq)]
pub struct BusConfig {
    /// Broker URL, e.g. `amqps://rabbitmq.fedoraproject.org/%2Fpublic_pubsub`.
    pub amqp_url: String,
    /// Only check that queues exist instead of declaring them (restricted vhosts).
    pub passive_declares: bool,
    /// TLS files, resolved against the configuration file's directory.
    pub tls: Tls,
    /// Queues by name. Empty: one server-named, exclusive, auto-delete queue.
    pub queues: BTreeMap<String, QueueConfig>,
    /// Bindings; when the file has none, [`DEFAULT_ROUTING_KEYS`] on `amq.topic` for
    /// every queue.
    pub bindings: Vec<Binding>,
    /// Client properties sent to the broker (`app`, `app_url`, `app_contacts_email`…).
    pub client_properties: BTreeMap<String, String>,
    /// Prefetch.
    pub qos: Qos,
    /// Who counts as Packit.
    pub filter: PackitFilter,
}

impl Default for BusConfig {
    fn default() -> Self {
        BusConfig {
            amqp_url: "amqp://guest:guest@127.0.0.1:5672/%2F".into(),
            passive_declares: false,
            tls: Tls::default(),
            queues: BTreeMap::new(),
            bindings: Vec::new(),
            client_properties: default_client_properties(),
            qos: Qos::default(),
            filter: PackitFilter::default(),
        }
    }
}

fn default_client_properties() -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    m.insert("app".into(), "packit-pages".into());
    m.insert("version".into(), env!("CARGO_PKG_VERSION").into());
    m
}

fn toml_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(n) => n.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Array(a) => a.iter().map(toml_text).collect::<Vec<_>>().join(", "),
        _ => String::new(),
    }
}

impl BusConfig {
    /// Reads and parses a fedora-messaging configuration file.
    pub fn load(path: &Path) -> Result<BusConfig, BusConfigError> {
        BusConfig::parse(&config::read_toml(path)?, path)
    }

    /// Parses configuration text; `path` names the file in errors and anchors the
    /// relative TLS paths.
    pub fn parse(text: &str, path: &Path) -> Result<BusConfig, BusConfigError> {
        let raw: RawConfig = config::parse_toml(text, path)?;
        let mut tls = raw.tls;
        config::anchor_paths(
            path,
            [&mut tls.ca_cert, &mut tls.certfile, &mut tls.keyfile],
        );
        if tls.certfile.is_some() != tls.keyfile.is_some() {
            return Err(BusConfigError::Semantic {
                path: path.to_path_buf(),
                message: "[tls] needs both certfile and keyfile (or neither)".into(),
            });
        }
        let mut bindings = raw.bindings;
        for b in &bindings {
            if !raw.queues.contains_key(&b.queue) {
                return Err(BusConfigError::Semantic {
                    path: path.to_path_buf(),
                    message: format!(
                        "binding for queue {:?}, which has no [queues.\"{}\"] table",
                        b.queue, b.queue
                    ),
                });
            }
        }
        if bindings.is_empty() {
            bindings = raw
                .queues
                .keys()
                .map(|q| Binding {
                    queue: q.clone(),
                    exchange: default_exchange(),
                    routing_keys: DEFAULT_ROUTING_KEYS.iter().map(|s| s.to_string()).collect(),
                })
                .collect();
        }
        let mut client_properties = default_client_properties();
        for (k, v) in &raw.client_properties {
            client_properties.insert(k.clone(), toml_text(v));
        }
        let c = raw.consumer_config;
        let mut filter = PackitFilter::default();
        if let Some(all) = c.packit_users {
            filter = PackitFilter {
                copr_users: all.clone(),
                koji_users: all.clone(),
                distgit_users: all.clone(),
                bodhi_users: all,
            };
        }
        if let Some(v) = c.copr_users {
            filter.copr_users = v;
        }
        if let Some(v) = c.koji_users {
            filter.koji_users = v;
        }
        if let Some(v) = c.distgit_users {
            filter.distgit_users = v;
        }
        if let Some(v) = c.bodhi_users {
            filter.bodhi_users = v;
        }
        Ok(BusConfig {
            amqp_url: raw
                .amqp_url
                .unwrap_or_else(|| BusConfig::default().amqp_url),
            passive_declares: raw.passive_declares,
            tls,
            queues: raw.queues,
            bindings,
            client_properties,
            qos: raw.qos,
            filter,
        })
    }

    /// The routing keys bound when there is no configured queue (a server-named one).
    pub fn anonymous_routing_keys(&self) -> Vec<String> {
        DEFAULT_ROUTING_KEYS.iter().map(|s| s.to_string()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape of the file Fedora ships for the public broker (fedora.toml), with a
    /// UUID queue, plus the Packit filter.
    const PUBLIC: &str = r#"
amqp_url = "amqps://fedora:@rabbitmq.fedoraproject.org/%2Fpublic_pubsub"
callback = "fedora_messaging.example:printer"
passive_declares = false
publish_exchange = "amq.topic"
topic_prefix = ""

[tls]
ca_cert = "cacert.pem"
keyfile = "fedora-key.pem"
certfile = "/etc/fedora-messaging/fedora-cert.pem"

[client_properties]
app = "packit-pages"
app_url = "https://example.org/site"
app_contacts_email = ["admin@example.org"]

[exchanges."amq.topic"]
type = "topic"
durable = true
auto_delete = false
arguments = {}

[queues.00000000-0000-0000-0000-000000000000]
durable = false
auto_delete = true
exclusive = true
arguments = {}

[[bindings]]
queue = "00000000-0000-0000-0000-000000000000"
exchange = "amq.topic"
routing_keys = ["org.fedoraproject.prod.copr.build.end"]

[consumer_config]
packit_users = ["packit"]
bodhi_users = ["packit", "bodhi-bot"]

[qos]
prefetch_size = 0
prefetch_count = 25

[log_config]
version = 1
"#;

    #[test]
    fn parses_fedora_public_config() {
        let c = BusConfig::parse(PUBLIC, Path::new("conf/fedora.toml")).unwrap();
        assert_eq!(
            c.amqp_url,
            "amqps://fedora:@rabbitmq.fedoraproject.org/%2Fpublic_pubsub"
        );
        assert_eq!(c.tls.ca_cert, Some(PathBuf::from("conf/cacert.pem")));
        assert_eq!(c.tls.keyfile, Some(PathBuf::from("conf/fedora-key.pem")));
        assert_eq!(
            c.tls.certfile,
            Some(PathBuf::from("/etc/fedora-messaging/fedora-cert.pem"))
        );
        let q = &c.queues["00000000-0000-0000-0000-000000000000"];
        assert!(!q.durable && q.auto_delete && q.exclusive);
        assert_eq!(c.bindings.len(), 1);
        assert_eq!(
            c.bindings[0].routing_keys,
            vec!["org.fedoraproject.prod.copr.build.end"]
        );
        assert_eq!(c.client_properties["app_url"], "https://example.org/site");
        assert_eq!(c.client_properties["app"], "packit-pages");
        assert_eq!(c.qos.prefetch_count, 25);
        assert_eq!(c.filter.copr_users, vec!["packit"]);
        assert_eq!(c.filter.bodhi_users, vec!["packit", "bodhi-bot"]);
    }

    #[test]
    fn defaults_and_default_bindings() {
        let c = BusConfig::parse(
            "amqp_url = \"amqp://localhost\"\n[queues.q1]\n",
            Path::new("x.toml"),
        )
        .unwrap();
        assert_eq!(c.bindings.len(), 1);
        assert_eq!(c.bindings[0].queue, "q1");
        assert_eq!(c.bindings[0].exchange, "amq.topic");
        assert!(
            c.bindings[0]
                .routing_keys
                .contains(&"org.fedoraproject.prod.copr.build.end".to_string())
        );
        assert!(c.queues["q1"].durable);
        assert_eq!(c.filter, PackitFilter::default());
        let empty = BusConfig::parse("", Path::new("x.toml")).unwrap();
        assert!(empty.queues.is_empty() && empty.bindings.is_empty());
        assert_eq!(empty.amqp_url, BusConfig::default().amqp_url);
    }

    #[test]
    fn errors_name_file_and_line() {
        let e = BusConfig::parse("amqp_url = \"x\"\nqos = 3\n", Path::new("b.toml")).unwrap_err();
        match e {
            BusConfigError::Toml(ConfigError::Invalid { line, .. }) => assert_eq!(line, 2),
            other => panic!("{other}"),
        }
        let e = BusConfig::parse(
            "[[bindings]]\nqueue = \"nope\"\nrouting_keys = [\"#\"]\n",
            Path::new("b.toml"),
        )
        .unwrap_err();
        assert!(e.to_string().contains("nope"), "{e}");
        let e = BusConfig::parse("[tls]\ncertfile = \"c.pem\"\n", Path::new("b.toml")).unwrap_err();
        assert!(e.to_string().contains("keyfile"), "{e}");
        let missing = Path::new("no-such-dir/bus.toml");
        let e = BusConfig::load(missing).unwrap_err();
        assert!(
            matches!(&e, BusConfigError::Toml(ConfigError::Io { path, .. }) if path == missing),
            "{e}"
        );
        assert!(e.to_string().starts_with("no-such-dir/bus.toml: "), "{e}");
    }
}
