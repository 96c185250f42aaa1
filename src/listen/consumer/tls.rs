//! TLS for `amqps://`: the rustls client configuration of a bus configuration and
//! what a TLS failure means (`transport` does the handshake with it).
//!
//! The broker's certificate is checked against `[tls] ca_cert` only (no system trust
//! store); `[tls] certfile` and `keyfile` are the client certificate offered to the
//! broker. The crypto provider is ring, the one reqwest uses. lapin has no TLS of its
//! own here: an `amqps://` URL gets a TLS stream or no connection at all, never a
//! plain one.
//!
//! A certificate the broker presents that the CA does not sign, or that names another
//! host, a TLS alert from the broker (it refused the client certificate) and a peer that
//! does not speak TLS are set-up errors ([`ListenError`]): retrying cannot help.

use super::ListenError;
use crate::listen::config::BusConfig;
use lapin::uri::{AMQPScheme, AMQPUri};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{CertificateError, ClientConfig, RootCertStore};
use std::path::Path;
use std::sync::Arc;

/// `host:port` of `uri`, as errors name the broker.
pub(super) fn broker_name(uri: &AMQPUri) -> String {
    format!("{}:{}", uri.authority.host, uri.authority.port)
}

fn read(p: &Path) -> Result<Vec<u8>, ListenError> {
    std::fs::read(p).map_err(|source| ListenError::Tls {
        path: p.to_path_buf(),
        source,
    })
}

fn bad_file(path: &Path, reason: impl Into<String>) -> ListenError {
    ListenError::TlsFile {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// The PEM certificates of `path` (at least one).
fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, ListenError> {
    let certs = CertificateDer::pem_slice_iter(&read(path)?)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad_file(path, format!("not a PEM certificate file: {e}")))?;
    if certs.is_empty() {
        return Err(bad_file(
            path,
            "no PEM certificate (BEGIN CERTIFICATE) in it",
        ));
    }
    Ok(certs)
}

/// The TLS client configuration for `uri`: `None` for `amqp://`; for `amqps://` a rustls client
/// trusting `[tls] ca_cert` only, with the client certificate when one is configured.
/// Files are read now, so a missing or unreadable one is an error at start.
pub(super) fn client_config(
    bus: &BusConfig,
    uri: &AMQPUri,
) -> Result<Option<Arc<ClientConfig>>, ListenError> {
    if uri.scheme != AMQPScheme::AMQPS {
        return Ok(None);
    }
    let Some(ca) = &bus.tls.ca_cert else {
        return Err(ListenError::NoCaCert {
            url: format!("amqps://{}", broker_name(uri)),
        });
    };
    let mut roots = RootCertStore::empty();
    for c in certificates(ca)? {
        roots
            .add(c)
            .map_err(|e| bad_file(ca, format!("unusable CA certificate: {e}")))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad_file(ca, e.to_string()))?
        .with_root_certificates(roots);
    let config = match (&bus.tls.certfile, &bus.tls.keyfile) {
        (Some(cert), Some(key)) => {
            let chain = certificates(cert)?;
            let pk = PrivateKeyDer::from_pem_slice(&read(key)?)
                .map_err(|e| bad_file(key, format!("no PEM private key: {e}")))?;
            builder
                .with_client_auth_cert(chain, pk)
                .map_err(|e| bad_file(key, format!("not the key of {}: {e}", cert.display())))?
        }
        _ => builder.with_no_client_auth(),
    };
    Ok(Some(Arc::new(config)))
}

/// The set-up error a failed connection attempt means, when it is one: the TLS
/// handshake failed for a reason retrying cannot change.
pub(super) fn setup_error(
    e: &std::io::Error,
    bus: &BusConfig,
    uri: &AMQPUri,
) -> Option<ListenError> {
    let tls = e.get_ref()?.downcast_ref::<rustls::Error>()?;
    let broker = broker_name(uri);
    let ca = bus.tls.ca_cert.as_deref().unwrap_or(Path::new("?"));
    Some(match tls {
        rustls::Error::InvalidCertificate(c) => ListenError::ServerCertificate {
            broker,
            problem: match c {
                CertificateError::UnknownIssuer | CertificateError::BadSignature => {
                    format!("not signed by the CA of [tls] ca_cert ({})", ca.display())
                }
                CertificateError::NotValidForName
                | CertificateError::NotValidForNameContext { .. } => format!(
                    "not valid for the name {:?} of amqp_url ({c})",
                    uri.authority.host
                ),
                other => format!("not acceptable: {other}"),
            },
        },
        rustls::Error::AlertReceived(alert) => ListenError::TlsRefused {
            broker,
            reason: match &bus.tls.certfile {
                Some(cert) => format!(
                    "TLS alert {alert:?}: it does not accept the client certificate {}",
                    cert.display()
                ),
                None => format!(
                    "TLS alert {alert:?}: it may want a client certificate ([tls] certfile and keyfile)"
                ),
            },
        },
        rustls::Error::InvalidMessage(_)
        | rustls::Error::InappropriateMessage { .. }
        | rustls::Error::InappropriateHandshakeMessage { .. } => ListenError::NotTls {
            broker,
            detail: tls.to_string(),
        },
        _ => return None,
    })
}

/// The subject common name of the first certificate in `path` (the user name a
/// broker with `ssl_cert_login_from = common_name` takes from it), if readable.
pub(super) fn common_name(path: &Path) -> Option<String> {
    let cert = CertificateDer::pem_slice_iter(&std::fs::read(path).ok()?)
        .next()?
        .ok()?;
    subject_cn(cert.as_ref())
}

/// One DER element: (tag, contents, rest).
fn der(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, b) = b.split_first()?;
    let (&first, mut b) = b.split_first()?;
    let len = if first < 0x80 {
        first as usize
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || b.len() < n {
            return None;
        }
        let len = b[..n].iter().fold(0usize, |a, &x| (a << 8) | x as usize);
        b = &b[n..];
        len
    };
    (b.len() >= len).then(|| (tag, &b[..len], &b[len..]))
}

/// The common name (OID 2.5.4.3) of a DER certificate's subject.
fn subject_cn(cert: &[u8]) -> Option<String> {
    const SEQUENCE: u8 = 0x30;
    let (_, cert, _) = der(cert).filter(|e| e.0 == SEQUENCE)?;
    let (_, mut tbs, _) = der(cert).filter(|e| e.0 == SEQUENCE)?;
    // [0] version (optional), serial, signature algorithm, issuer, validity, subject
    if tbs.first() == Some(&0xa0) {
        tbs = der(tbs)?.2;
    }
    for _ in 0..4 {
        tbs = der(tbs)?.2;
    }
    let (_, mut name, _) = der(tbs).filter(|e| e.0 == SEQUENCE)?;
    let mut cn = None;
    while !name.is_empty() {
        let (_, set, rest) = der(name)?;
        name = rest;
        let (_, atv, _) = der(set)?;
        let (tag, oid, rest) = der(atv)?;
        if tag == 0x06 && oid == [0x55, 0x04, 0x03] {
            let (_, value, _) = der(rest)?;
            cn = Some(String::from_utf8_lossy(value).into_owned());
        }
    }
    cn
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Certificates with subject `O=Test, CN=fedora` issued by `O=Test, CN=root` (the
    /// shape of Fedora's public client certificate), made with `openssl x509 -req`:
    /// X.509 v3 (with extensions) and v1 (no version field).
    const V3: &str = "-----BEGIN CERTIFICATE-----
MIIBhTCCASqgAwIBAgIBCDAKBggqhkjOPQQDAjAeMQ0wCwYDVQQKDARUZXN0MQ0w
CwYDVQQDDARyb290MB4XDTI2MTIwNzIxMzU1MVoXDTM2MTIwNDIxMzU1MVowIDEN
MAsGA1UECgwEVGVzdDEPMA0GA1UEAwwGZmVkb3JhMFkwEwYHKoZIzj0CAQYIKoZI
zj0DAQcDQgAE6rd/4Z4KYHStopE/z2QKgCtsi4RN4kOn0UZJUe/M0JqkjFDgYVa/
4pkg8Vx+fzUDV0JB/WgIQ0Y489T4MxQ8ZaNXMFUwEwYDVR0lBAwwCgYIKwYBBQUH
AwIwHQYDVR0OBBYEFCKTlxvVLgQc+KNsUGI7AtM27oGOMB8GA1UdIwQYMBaAFC1t
0qKXI5kIC4i5w4kCXfXr52D7MAoGCCqGSM49BAMCA0kAMEYCIQC2rYd9UxrzauNR
OYeGqmtqzpzwRO6zB48aYv+Mt1jbagIhAO/2dOa0UcnTDbG6UXW2fnhAHrdWvHrj
Zxh5rh4Aleu1
-----END CERTIFICATE-----
";
    const V1: &str = "-----BEGIN CERTIFICATE-----
MIIBJTCBzAIBBzAKBggqhkjOPQQDAjAeMQ0wCwYDVQQKDARUZXN0MQ0wCwYDVQQD
DARyb290MB4XDTI2MTIwNzIxMzU0OFoXDTM2MTIwNDIxMzU0OFowIDENMAsGA1UE
CgwEVGVzdDEPMA0GA1UEAwwGZmVkb3JhMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcD
QgAE6rd/4Z4KYHStopE/z2QKgCtsi4RN4kOn0UZJUe/M0JqkjFDgYVa/4pkg8Vx+
fzUDV0JB/WgIQ0Y489T4MxQ8ZTAKBggqhkjOPQQDAgNIADBFAiB1rs5mushQAmlq
tUic+1zaPcilC0oohcQt/ADogRYCLQIhANNikkRCv1wklvdWqtBPVKuYmEsSQvXE
OFWTsnJQPfaF
-----END CERTIFICATE-----
";

    #[test]
    fn reads_the_subject_common_name() {
        for pem in [V3, V1] {
            let cert = CertificateDer::from_pem_slice(pem.as_bytes()).unwrap();
            assert_eq!(subject_cn(cert.as_ref()).as_deref(), Some("fedora"));
            assert_eq!(subject_cn(&cert.as_ref()[..60]), None);
        }
        assert_eq!(subject_cn(b""), None);
    }
}
