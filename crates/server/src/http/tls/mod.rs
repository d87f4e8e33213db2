//! TLS served by the listener itself, for deployments without a proxy in
//! front: rustls (with the ring provider) over each accepted socket,
//! HTTP/1.1 inside (WebSocket upgrades, SSE and long-poll alike).
//!
//! The certificate is re-read while the server runs: [`Tls::watch`] looks
//! at both files every few seconds and, when their bytes changed and the
//! new pair is good, swaps it in for the handshakes that follow. Open
//! connections keep the session they made. A bad new pair (unreadable,
//! not PEM, a key of another certificate) is logged and the previous one
//! kept; it is not retried until the files change again.
//!
//! - `load`: the PEM files into a certificate chain and its signing key.

mod load;

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use tokio_rustls::rustls::crypto::{ring, CryptoProvider};
use tokio_rustls::rustls::server::{ClientHello, ResolvesServerCert};
use tokio_rustls::rustls::sign::CertifiedKey;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

use load::{fingerprint, Contents};
pub use load::{TlsError, TlsFiles};

/// How often [`Tls::watch`] looks at the files, by default.
pub const RELOAD_INTERVAL: Duration = Duration::from_secs(2);

/// The listener's TLS: the acceptor every connection goes through, and
/// the certificate it presents, which [`reload`](Self::reload) replaces.
#[derive(Clone)]
pub struct Tls {
    inner: Arc<Inner>,
}

struct Inner {
    files: TlsFiles,
    provider: Arc<CryptoProvider>,
    current: Arc<Current>,
    acceptor: TlsAcceptor,
    /// The files' bytes last looked at, good or bad.
    seen: Mutex<Contents>,
}

/// What one look at the files found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reload {
    /// The same bytes as last time (or a bad version already reported).
    Unchanged,
    /// A new pair, now presented to new handshakes.
    Reloaded { fingerprint: String },
}

impl Tls {
    /// Reads and checks the pair now; any failure is the caller's (the
    /// server refuses to start).
    pub fn load(files: TlsFiles) -> Result<Self, TlsError> {
        let provider = Arc::new(ring::default_provider());
        let contents = files.read()?;
        let current = Arc::new(Current(RwLock::new(files.parse(&contents, &provider)?)));
        let mut config = ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|error| TlsError::Setup {
                reason: error.to_string(),
            })?
            .with_no_client_auth()
            .with_cert_resolver(current.clone());
        // The listener speaks HTTP/1.1 only; saying so lets a browser that
        // offers h2 settle on it.
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self {
            inner: Arc::new(Inner {
                files,
                provider,
                current,
                acceptor: TlsAcceptor::from(Arc::new(config)),
                seen: Mutex::new(contents),
            }),
        })
    }

    pub fn files(&self) -> &TlsFiles {
        &self.inner.files
    }

    /// The SHA-256 fingerprint (hex) of the certificate presented now.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.inner.current.get())
    }

    /// Looks at the files once: a changed, good pair replaces the
    /// certificate; a changed, bad one is the error (once: the same bytes
    /// are not tried again).
    pub fn reload(&self) -> Result<Reload, TlsError> {
        let inner = &self.inner;
        let contents = inner.files.read()?;
        {
            let mut seen = inner.seen.lock().unwrap_or_else(PoisonError::into_inner);
            if *seen == contents {
                return Ok(Reload::Unchanged);
            }
            *seen = contents.clone();
        }
        let certified = inner.files.parse(&contents, &inner.provider)?;
        let fingerprint = fingerprint(&certified);
        inner.current.set(certified);
        Ok(Reload::Reloaded { fingerprint })
    }

    /// Reloads every `interval` until `shutdown`, and logs what changed.
    pub async fn watch(self, interval: Duration, shutdown: CancellationToken) {
        let mut every = tokio::time::interval(interval);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // A file missing for a moment (replaced by rename) is said once.
        let mut reported: Option<String> = None;
        let cert = self.files().cert.display().to_string();
        loop {
            tokio::select! {
                _ = every.tick() => {}
                _ = shutdown.cancelled() => return,
            }
            match self.reload() {
                Ok(Reload::Unchanged) => reported = None,
                Ok(Reload::Reloaded { fingerprint }) => {
                    reported = None;
                    tracing::info!(%cert, %fingerprint, "TLS certificate reloaded");
                }
                Err(error) => {
                    let text = error.to_string();
                    if reported.as_ref() != Some(&text) {
                        tracing::error!(
                            %error,
                            "TLS certificate reload failed; keeping the previous certificate"
                        );
                        reported = Some(text);
                    }
                }
            }
        }
    }

    pub(crate) fn acceptor(&self) -> &TlsAcceptor {
        &self.inner.acceptor
    }
}

impl fmt::Debug for Tls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tls")
            .field("files", &self.inner.files)
            .field("fingerprint", &self.fingerprint())
            .finish()
    }
}

/// The certificate new handshakes get; swapped whole, so a handshake sees
/// the old pair or the new one, never half of each.
#[derive(Debug)]
struct Current(RwLock<Arc<CertifiedKey>>);

impl Current {
    fn get(&self) -> Arc<CertifiedKey> {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn set(&self, certified: Arc<CertifiedKey>) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = certified;
    }
}

impl ResolvesServerCert for Current {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A self-signed pair for localhost, as PEM text.
    fn pair() -> (String, String) {
        let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("rcgen");
        (made.cert.pem(), made.key_pair.serialize_pem())
    }

    fn write(files: &TlsFiles, (cert, key): &(String, String)) {
        std::fs::write(&files.key, key).expect("key");
        std::fs::write(&files.cert, cert).expect("cert");
    }

    #[test]
    fn a_changed_pair_is_swapped_in_and_a_bad_one_reported_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let files = TlsFiles {
            cert: dir.path().join("cert.pem"),
            key: dir.path().join("key.pem"),
        };
        write(&files, &pair());
        let tls = Tls::load(files.clone()).expect("load");
        let before = tls.fingerprint();
        assert_eq!(tls.reload().expect("same files"), Reload::Unchanged);

        // A damaged certificate: an error once, then nothing new to try.
        std::fs::write(&files.cert, "-----BEGIN CERTIFICATE-----\nAAAA\n").expect("damage");
        assert!(tls.reload().is_err());
        assert_eq!(tls.reload().expect("same bad files"), Reload::Unchanged);
        assert_eq!(tls.fingerprint(), before, "the old certificate stays");

        // A certificate with another's key.
        let (cert, _) = pair();
        std::fs::write(&files.cert, cert).expect("cert");
        let error = tls.reload().expect_err("mismatch");
        assert!(matches!(error, TlsError::Mismatch { .. }), "{error}");
        assert_eq!(tls.fingerprint(), before);

        // A good new pair.
        write(&files, &pair());
        let Reload::Reloaded { fingerprint } = tls.reload().expect("reload") else {
            panic!("not reloaded");
        };
        assert_ne!(fingerprint, before);
        assert_eq!(tls.fingerprint(), fingerprint);

        // A missing file is an error and keeps the certificate too.
        std::fs::remove_file(&files.key).expect("remove");
        assert!(matches!(tls.reload(), Err(TlsError::Read { .. })));
        assert_eq!(tls.fingerprint(), fingerprint);
    }

    #[test]
    fn loading_refuses_what_cannot_be_served() {
        let dir = tempfile::tempdir().expect("tempdir");
        let files = TlsFiles {
            cert: dir.path().join("cert.pem"),
            key: dir.path().join("key.pem"),
        };
        assert!(matches!(
            Tls::load(files.clone()),
            Err(TlsError::Read { .. })
        ));
        let (cert, key) = pair();
        std::fs::write(&files.cert, "no PEM here\n").expect("cert");
        std::fs::write(&files.key, &key).expect("key");
        assert!(matches!(
            Tls::load(files.clone()),
            Err(TlsError::NoCertificate { .. })
        ));
        std::fs::write(&files.cert, &cert).expect("cert");
        std::fs::write(&files.key, "no key here\n").expect("key");
        assert!(matches!(
            Tls::load(files.clone()),
            Err(TlsError::BadKey { .. })
        ));
        std::fs::write(&files.key, pair().1).expect("key");
        assert!(matches!(Tls::load(files), Err(TlsError::Mismatch { .. })));
    }
}
