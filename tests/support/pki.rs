//! Certificates for the TLS broker tests, made fresh by the `openssl` command line
//! (scripts/install-test-deps installs it): a CA, the broker's certificate for
//! `localhost` (and for no other name), client certificates signed by the CA, and a
//! second CA with a client certificate of its own (one the broker does not know).
//! Keys are P-256 in PKCS#8 PEM (`BEGIN PRIVATE KEY`), like Fedora's `fedora-key.pem`.
//! A missing `openssl` is a test failure, never a skip.

use crate::TempDir;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A test PKI in a temporary directory.
pub struct Pki {
    pub dir: TempDir,
}

/// The client certificates of [`Pki::new`], by name: the name is the common name
/// (the broker's user with `ssl_cert_login_from = common_name`) and the file stem.
pub const CLIENTS: [&str; 3] = ["fedora", "packit-publisher", "nobody"];

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run openssl ({e}): the TLS listen tests make their certificates with it; \
                 run scripts/install-test-deps (apt-get install openssl)"
            )
        });
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA (`<name>.pem`, `<name>-key.pem`).
fn ca(dir: &Path, name: &str) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            &format!("{name}-key.pem"),
            "-out",
            &format!("{name}.pem"),
            "-days",
            "30",
            "-subj",
            &format!("/O=packit-pages tests/CN={name}"),
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
}

/// A leaf certificate `<stem>-cert.pem` with key `<stem>-key.pem`, common name `cn`,
/// signed by CA `ca`, with the extensions `ext` (lines of an openssl extension file).
fn leaf(dir: &Path, ca: &str, stem: &str, cn: &str, ext: &str) {
    let key = format!("{stem}-key.pem");
    let csr = format!("{stem}.csr");
    let extfile = format!("{stem}.ext");
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            &key,
            "-out",
            &csr,
            "-subj",
            &format!("/O=packit-pages tests/CN={cn}"),
        ],
    );
    std::fs::write(dir.join(&extfile), ext).unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &format!("{ca}.pem"),
            "-CAkey",
            &format!("{ca}-key.pem"),
            "-CAcreateserial",
            "-CAserial",
            &format!("{ca}.srl"),
            "-days",
            "30",
            "-extfile",
            &extfile,
            "-out",
            &format!("{stem}-cert.pem"),
        ],
    );
}

impl Pki {
    /// Makes the CA `ca`, the broker's `server` certificate (DNS name `localhost`
    /// only: `127.0.0.1` in a URL is a name mismatch), the [`CLIENTS`], and the
    /// `other-ca` with its client `impostor` (common name `fedora`).
    pub fn new() -> Pki {
        let dir = TempDir::new("pki");
        let d = dir.path();
        ca(d, "ca");
        ca(d, "other-ca");
        leaf(
            d,
            "ca",
            "server",
            "localhost",
            "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n",
        );
        let client = "extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n";
        for name in CLIENTS {
            leaf(d, "ca", name, name, client);
        }
        leaf(d, "other-ca", "impostor", "fedora", client);
        Pki { dir }
    }

    /// The CA certificate that signs the broker's and the clients' certificates.
    pub fn ca(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }

    /// A CA that signs neither.
    pub fn other_ca(&self) -> PathBuf {
        self.dir.join("other-ca.pem")
    }

    /// The certificate of `name` (`server`, a [`CLIENTS`] name or `impostor`).
    pub fn cert(&self, name: &str) -> PathBuf {
        self.dir.join(&format!("{name}-cert.pem"))
    }

    /// The private key of `name`.
    pub fn key(&self, name: &str) -> PathBuf {
        self.dir.join(&format!("{name}-key.pem"))
    }
}

impl Default for Pki {
    fn default() -> Self {
        Pki::new()
    }
}
