//! The connection to the broker: the broker URI of a bus configuration, and one
//! connection attempt (transport, AMQP handshake, declare and bind the queues, start
//! consuming), with why it failed: a set-up error (a refused login, a TLS failure
//! retrying cannot change, see `tls`) or a fault to retry.

use super::ListenError;
use super::{tls, transport};
use crate::listen::config::{BusConfig, QueueConfig};
use lapin::options::{BasicConsumeOptions, BasicQosOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::uri::{AMQPUri, SASLMechanism};
use lapin::{Channel, Connection, ConnectionProperties, ErrorKind};
use std::time::Duration;

/// Why a connection to the broker could not be made or was lost (logged, reported as
/// [`super::ListenEvent::Disconnected`], then retried).
#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    /// The bus configuration's URL or TLS files.
    #[error(transparent)]
    Setup(#[from] ListenError),
    /// An AMQP step failed (`connect`, `channel`, `queue.declare NAME`, `ack`, ...).
    #[error("{step}: {source}")]
    Amqp {
        /// The step, with the queue or routing key it concerned.
        step: String,
        /// Cause.
        #[source]
        source: lapin::Error,
    },
    /// The connection attempt took too long.
    #[error("no connection within {0:?}")]
    Timeout(Duration),
    /// The delivery stream failed.
    #[error("{0}")]
    Stream(#[source] lapin::Error),
    /// The broker ended the delivery stream.
    #[error("the broker closed the consumer")]
    ConsumerClosed,
}

impl BrokerError {
    /// A failed AMQP `step`.
    pub(super) fn amqp(step: impl Into<String>, source: lapin::Error) -> BrokerError {
        BrokerError::Amqp {
            step: step.into(),
            source,
        }
    }
}

/// The broker URI of `bus`: SASL EXTERNAL when a client certificate is configured and
/// the URL names no mechanism (what the Python client does).
pub fn broker_uri(bus: &BusConfig) -> Result<AMQPUri, ListenError> {
    let mut uri: AMQPUri = bus.amqp_url.parse().map_err(|reason| ListenError::Url {
        url: bus.amqp_url.clone(),
        reason,
    })?;
    if bus.tls.certfile.is_some() && uri.query.auth_mechanism.is_none() {
        uri.query.auth_mechanism = Some(SASLMechanism::External);
    }
    Ok(uri)
}

fn queue_arguments(q: &QueueConfig) -> FieldTable {
    let mut t = FieldTable::default();
    for (k, v) in &q.arguments {
        let v = match v {
            toml::Value::Integer(n) => AMQPValue::LongLongInt(*n),
            toml::Value::Boolean(b) => AMQPValue::Boolean(*b),
            toml::Value::Float(f) => AMQPValue::Double(*f),
            toml::Value::String(s) => AMQPValue::LongString(s.as_str().into()),
            _ => continue,
        };
        t.insert(ShortString::from(k.as_str()), v);
    }
    t
}

pub(super) type Deliveries = futures_util::stream::SelectAll<lapin::Consumer>;

/// Why the AMQP connection (transport and handshake) to `uri` failed: a set-up error
/// when retrying cannot help (TLS, see [`tls::setup_error`]; a refused login), else
/// a fault to retry.
fn connect_error(e: lapin::Error, bus: &BusConfig, uri: &AMQPUri) -> BrokerError {
    match e.kind() {
        ErrorKind::IOError(io) => {
            if let Some(s) = tls::setup_error(io, bus, uri) {
                return BrokerError::Setup(s);
            }
        }
        // ACCESS_REFUSED (the login) and NOT_ALLOWED (the vhost) answer connection.open
        ErrorKind::ProtocolError(p) if matches!(p.get_id(), 403 | 530) => {
            let mechanism = uri.query.auth_mechanism.unwrap_or_default();
            let user = match (mechanism, &bus.tls.certfile) {
                (SASLMechanism::External, Some(cert)) => format!(
                    "{:?} (the common name of the client certificate {})",
                    tls::common_name(cert).unwrap_or_default(),
                    cert.display()
                ),
                _ => format!("{:?}", uri.authority.userinfo.username),
            };
            return BrokerError::Setup(ListenError::LoginRefused {
                broker: tls::broker_name(uri),
                mechanism: mechanism.name(),
                user,
                message: p.get_message().as_str().to_string(),
            });
        }
        _ => {}
    }
    BrokerError::amqp("connect", e)
}

/// Connects (TCP, TLS for `amqps://` with our client configuration only, the AMQP
/// handshake).
async fn open(bus: &BusConfig) -> Result<Connection, BrokerError> {
    let uri = broker_uri(bus)?;
    let tls = tls::client_config(bus, &uri)?;
    let mut props = ConnectionProperties::default();
    for (k, v) in &bus.client_properties {
        props = props.with_client_property(k.as_str().into(), v.as_str().into());
    }
    Connection::connector(
        uri.clone(),
        transport::runtime(),
        async move |uri: AMQPUri, _| -> lapin::Result<_> {
            Ok(transport::open(&uri, tls.as_ref()).await?)
        },
        props,
    )
    .await
    .map_err(|e| connect_error(e, bus, &uri))
}

/// Connects, declares and binds, and starts consuming every configured queue.
pub(super) async fn connect(
    bus: &BusConfig,
) -> Result<(Connection, Channel, Deliveries), BrokerError> {
    let conn = open(bus).await?;
    let ch = conn
        .create_channel()
        .await
        .map_err(|e| BrokerError::amqp("channel", e))?;
    ch.basic_qos(bus.qos.prefetch_count, BasicQosOptions::default())
        .await
        .map_err(|e| BrokerError::amqp("qos", e))?;
    let mut queues: Vec<(ShortString, Vec<(String, String)>)> = Vec::new();
    if bus.queues.is_empty() {
        let q = ch
            .queue_declare(
                "".into(),
                QueueDeclareOptions {
                    exclusive: true,
                    auto_delete: true,
                    durable: false,
                    ..QueueDeclareOptions::default()
                },
                FieldTable::default(),
            )
            .await
            .map_err(|e| BrokerError::amqp("queue.declare", e))?;
        let keys = bus
            .anonymous_routing_keys()
            .into_iter()
            .map(|k| ("amq.topic".to_string(), k))
            .collect();
        queues.push((q.name().clone(), keys));
    } else {
        for (name, q) in &bus.queues {
            ch.queue_declare(
                name.as_str().into(),
                QueueDeclareOptions {
                    passive: bus.passive_declares,
                    durable: q.durable,
                    exclusive: q.exclusive,
                    auto_delete: q.auto_delete,
                    nowait: false,
                },
                queue_arguments(q),
            )
            .await
            .map_err(|e| BrokerError::amqp(format!("queue.declare {name}"), e))?;
            let keys = bus
                .bindings
                .iter()
                .filter(|b| &b.queue == name)
                .flat_map(|b| {
                    b.routing_keys
                        .iter()
                        .map(|k| (b.exchange.clone(), k.clone()))
                })
                .collect();
            queues.push((name.as_str().into(), keys));
        }
    }
    let mut consumers = Vec::new();
    for (name, keys) in queues {
        if !bus.passive_declares {
            for (exchange, key) in keys {
                ch.queue_bind(
                    name.clone(),
                    exchange.as_str().into(),
                    key.as_str().into(),
                    QueueBindOptions::default(),
                    FieldTable::default(),
                )
                .await
                .map_err(|e| BrokerError::amqp(format!("queue.bind {name} {key}"), e))?;
            }
        }
        let c = ch
            .basic_consume(
                name.clone(),
                "".into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .map_err(|e| BrokerError::amqp(format!("basic.consume {name}"), e))?;
        consumers.push(c);
    }
    Ok((conn, ch, futures_util::stream::select_all(consumers)))
}

/// A string header of a delivery (`fedora_messaging_schema`, ...).
pub(super) fn header_str<'a>(d: &'a lapin::message::Delivery, key: &str) -> Option<&'a str> {
    let h = d.properties.headers().as_ref()?;
    let (_, v) = h.inner().iter().find(|(k, _)| k.as_str() == key)?;
    match v {
        AMQPValue::LongString(s) => std::str::from_utf8(s.as_bytes()).ok(),
        AMQPValue::ShortString(s) => Some(s.as_str()),
        _ => None,
    }
}

/// The URL without its password, for logs.
pub(super) fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((u, _)) => format!("{}{u}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_auth_with_client_certificate() {
        let mut bus = BusConfig {
            amqp_url: "amqps://fedora:@rabbitmq.fedoraproject.org/%2Fpublic_pubsub".into(),
            ..BusConfig::default()
        };
        let u = broker_uri(&bus).unwrap();
        assert_eq!(u.vhost, "/public_pubsub");
        assert_eq!(u.query.auth_mechanism, None);
        bus.tls.certfile = Some("c.pem".into());
        bus.tls.keyfile = Some("k.pem".into());
        assert_eq!(
            broker_uri(&bus).unwrap().query.auth_mechanism,
            Some(SASLMechanism::External)
        );
        let uri = broker_uri(&bus).unwrap();
        let e = tls::client_config(&bus, &uri).unwrap_err();
        assert!(matches!(e, ListenError::NoCaCert { .. }), "{e}");
        assert!(e.to_string().contains("needs [tls] ca_cert"), "{e}");
        bus.tls.ca_cert = Some("no-such-ca.pem".into());
        let e = tls::client_config(&bus, &uri).unwrap_err();
        assert!(matches!(&e, ListenError::Tls { path, .. } if path.ends_with("no-such-ca.pem")));
        bus.amqp_url = "http://x".into();
        assert!(matches!(broker_uri(&bus), Err(ListenError::Url { .. })));
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact("amqp://guest:secret@h/%2F"),
            "amqp://guest:***@h/%2F"
        );
        assert_eq!(redact("amqps://h/%2F"), "amqps://h/%2F");
    }
}
