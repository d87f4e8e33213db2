//! Reading a certificate chain and its private key from PEM files into
//! what rustls serves, with the reasons a pair is refused.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};
use tokio_rustls::rustls::crypto::CryptoProvider;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::sign::CertifiedKey;
use tokio_rustls::rustls::{Error, InconsistentKeys};

/// Where the certificate chain and its key are (`--tls-cert`, `--tls-key`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// PEM: the server's certificate first, then any intermediates.
    pub cert: PathBuf,
    /// PEM: the private key (PKCS#8, PKCS#1 RSA or SEC1 EC).
    pub key: PathBuf,
}

/// Why a certificate and key cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read {}: {source}", .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} holds no PEM certificate (`-----BEGIN CERTIFICATE-----`)", .path.display())]
    NoCertificate { path: PathBuf },
    #[error("{} is not a valid PEM certificate chain: {reason}", .path.display())]
    BadCertificate { path: PathBuf, reason: String },
    #[error("{} holds no usable PEM private key: {reason}", .path.display())]
    BadKey { path: PathBuf, reason: String },
    #[error("cannot set up TLS: {reason}")]
    Setup { reason: String },
    #[error("the key {} does not belong to the certificate {}: {reason}", .key.display(), .cert.display())]
    Mismatch {
        cert: PathBuf,
        key: PathBuf,
        reason: String,
    },
}

/// The two files' bytes, as read: what tells one version from the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Contents {
    cert: Vec<u8>,
    key: Vec<u8>,
}

impl TlsFiles {
    pub(super) fn read(&self) -> Result<Contents, TlsError> {
        let read = |path: &Path| {
            std::fs::read(path).map_err(|source| TlsError::Read {
                path: path.to_owned(),
                source,
            })
        };
        Ok(Contents {
            cert: read(&self.cert)?,
            key: read(&self.key)?,
        })
    }

    /// The chain and key in `contents`, checked to belong together.
    pub(super) fn parse(
        &self,
        contents: &Contents,
        provider: &CryptoProvider,
    ) -> Result<Arc<CertifiedKey>, TlsError> {
        let chain = CertificateDer::pem_slice_iter(&contents.cert)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| TlsError::BadCertificate {
                path: self.cert.clone(),
                reason: error.to_string(),
            })?;
        if chain.is_empty() {
            return Err(TlsError::NoCertificate {
                path: self.cert.clone(),
            });
        }
        let key =
            PrivateKeyDer::from_pem_slice(&contents.key).map_err(|error| TlsError::BadKey {
                path: self.key.clone(),
                reason: error.to_string(),
            })?;
        let signing = provider
            .key_provider
            .load_private_key(key)
            .map_err(|error| TlsError::BadKey {
                path: self.key.clone(),
                reason: error.to_string(),
            })?;
        let certified = CertifiedKey::new(chain, signing);
        // Parses the leaf too: a damaged certificate inside valid PEM
        // armour is refused here, not at the first handshake.
        match certified.keys_match() {
            // A key type whose public half the provider cannot tell: as
            // rustls's own `CertifiedKey::from_der`, not an error.
            Ok(()) | Err(Error::InconsistentKeys(InconsistentKeys::Unknown)) => {
                Ok(Arc::new(certified))
            }
            Err(error) => Err(TlsError::Mismatch {
                cert: self.cert.clone(),
                key: self.key.clone(),
                reason: error.to_string(),
            }),
        }
    }
}

/// The SHA-256 of the leaf certificate, in hex: what `openssl x509
/// -fingerprint -sha256` prints (without the colons), for the log.
pub(super) fn fingerprint(certified: &CertifiedKey) -> String {
    let leaf = certified.cert.first().map_or(&[][..], |cert| cert.as_ref());
    Sha256::digest(leaf)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}
