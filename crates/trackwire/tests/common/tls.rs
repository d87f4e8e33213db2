//! Certificates made in the test (rcgen) and TLS clients that trust only
//! the authority that signed them: reqwest for REST and SSE, rustls for a
//! bare handshake that shows which certificate the server presents.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, SerialNumber,
};
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

/// A certificate authority of its own, for one test.
pub(crate) struct Authority {
    cert: rcgen::Certificate,
    key: KeyPair,
}

/// A server certificate for 127.0.0.1 and localhost, with its key.
pub(crate) struct Issued {
    pub(crate) cert_pem: String,
    pub(crate) key_pem: String,
    /// The leaf as the server presents it.
    pub(crate) der: CertificateDer<'static>,
}

impl Authority {
    pub(crate) fn new(name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().expect("CA key");
        let cert = params.self_signed(&key).expect("CA certificate");
        Self { cert, key }
    }

    /// A server certificate with this `serial`, signed by the authority.
    pub(crate) fn issue(&self, serial: u64) -> Issued {
        let names = vec!["127.0.0.1".to_owned(), "localhost".to_owned()];
        let mut params = CertificateParams::new(names).expect("params");
        params.serial_number = Some(SerialNumber::from(serial));
        params
            .distinguished_name
            .push(DnType::CommonName, "trackwire test server");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let key = KeyPair::generate().expect("server key");
        let cert = params
            .signed_by(&key, &self.cert, &self.key)
            .expect("server certificate");
        Issued {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            der: cert.der().clone(),
        }
    }

    pub(crate) fn pem(&self) -> String {
        self.cert.pem()
    }

    /// A rustls client configuration that trusts this authority alone.
    pub(crate) fn client_config(&self) -> Arc<ClientConfig> {
        let mut roots = RootCertStore::empty();
        roots.add(self.cert.der().clone()).expect("root");
        let config = ClientConfig::builder_with_provider(Arc::new(ring::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        Arc::new(config)
    }

    /// A reqwest client that trusts this authority alone.
    pub(crate) fn reqwest(&self) -> reqwest::Client {
        let root = reqwest::Certificate::from_pem(self.pem().as_bytes()).expect("root");
        reqwest::Client::builder()
            .tls_built_in_root_certs(false)
            .add_root_certificate(root)
            .build()
            .expect("client")
    }
}

/// Where a test keeps the server's certificate and key.
pub(crate) struct CertFiles {
    pub(crate) cert: PathBuf,
    pub(crate) key: PathBuf,
}

impl CertFiles {
    pub(crate) fn new(dir: &Path) -> Self {
        Self {
            cert: dir.join("cert.pem"),
            key: dir.join("key.pem"),
        }
    }

    pub(crate) fn write(&self, issued: &Issued) {
        std::fs::write(&self.key, &issued.key_pem).expect("write key");
        std::fs::write(&self.cert, &issued.cert_pem).expect("write cert");
    }

    /// The flags that serve them.
    pub(crate) fn flags(&self) -> Vec<String> {
        vec![
            "--tls-cert".into(),
            self.cert.display().to_string(),
            "--tls-key".into(),
            self.key.display().to_string(),
        ]
    }
}

/// A fresh TLS handshake with `addr`: the leaf certificate the server
/// presented, or why the client refused it.
pub(crate) async fn presented(
    addr: SocketAddr,
    config: Arc<ClientConfig>,
) -> Result<CertificateDer<'static>, std::io::Error> {
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    let name = ServerName::IpAddress(addr.ip().into());
    let tls = tokio_rustls::TlsConnector::from(config)
        .connect(name, tcp)
        .await?;
    let (_, session) = tls.get_ref();
    let leaf = session
        .peer_certificates()
        .and_then(|chain| chain.first())
        .expect("a certificate after a handshake");
    Ok(leaf.clone().into_owned())
}
