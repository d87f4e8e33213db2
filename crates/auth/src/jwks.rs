//! JWKS files: the RS256 and ES256 public keys a [`Verifier`] made with
//! [`Verifier::jwks_file`] checks tokens against, and their reloading.
//!
//! The file is RFC 7517 JSON, `{"keys": [...]}`. Keys this server cannot use
//! (encryption keys, other algorithms, other curves, unknown key types) are
//! skipped rather than refused, so an identity provider's published set works
//! as is; a key that claims RS256 or ES256 but is broken makes the whole file
//! invalid, and so does a file with no usable key at all.
//!
//! Reloading: verifying a token looks at the file's modification time,
//! length (and inode, on Unix) at most once per reload interval and re-reads
//! it when they changed; a token naming an unknown `kid` re-reads it at once,
//! at most once per interval. A failed reload keeps the previous keys and is kept for
//! [`Verifier::last_reload_error`].
//!
//! [`Verifier`]: crate::Verifier
//! [`Verifier::jwks_file`]: crate::Verifier::jwks_file
//! [`Verifier::last_reload_error`]: crate::Verifier::last_reload_error

use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock, TryLockError};
use std::time::{Duration, Instant, SystemTime};

use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Header, Validation};
use serde::Deserialize;
use serde_json::Value;

use crate::jwt::{decode_claims, Claims, TokenError};

/// How often the file is looked at, unless the verifier is told otherwise.
pub(crate) const DEFAULT_RELOAD_INTERVAL: Duration = Duration::from_secs(1);

/// Why a key file could not be (re)loaded.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read the JWKS file {}: {error}", .path.display())]
    Read { path: PathBuf, error: io::Error },
    #[error("the JWKS file {} is not a valid key set: {reason}", .path.display())]
    Invalid { path: PathBuf, reason: String },
    #[error("the JWKS file {} has no usable RS256 or ES256 signing key", .path.display())]
    NoUsableKey { path: PathBuf },
    #[error("this verifier checks HS256 tokens with a shared secret; it has no key file")]
    NoKeyFile,
}

/// One usable public key.
#[derive(Clone)]
struct Key {
    kid: Option<String>,
    alg: Algorithm,
    key: DecodingKey,
}

/// What tells one version of the file from another without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
    // Swapping in a new file by rename (how Kubernetes updates mounted
    // secrets) can keep both the length and, within a clock tick, the time.
    inode: u64,
}

impl Stamp {
    fn of(meta: &Metadata) -> Self {
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(meta);
        #[cfg(not(unix))]
        let inode = 0;
        Self {
            modified: meta.modified().ok(),
            len: meta.len(),
            inode,
        }
    }
}

struct State {
    keys: Arc<[Key]>,
    /// The version last read, good or bad: a broken file is not re-read
    /// until it changes again.
    stamp: Option<Stamp>,
    checked: Instant,
    read: Instant,
    interval: Duration,
    error: Option<String>,
}

/// A JWKS file and the keys last read from it, shared by a verifier's clones.
pub(crate) struct KeyFile {
    path: PathBuf,
    state: RwLock<State>,
    /// Held while the file is read, so two reloads never race to install
    /// keys, and a verify that finds a reload under way need not wait for it.
    reading: Mutex<()>,
}

impl KeyFile {
    /// Reads the file now; any failure is the caller's (the server refuses
    /// to start).
    pub(crate) fn open(path: &Path) -> Result<Self, KeyError> {
        let (stamp, keys) = read_file(path).map_err(|(_, error)| error)?;
        let now = Instant::now();
        Ok(Self {
            path: path.to_owned(),
            state: RwLock::new(State {
                keys: keys.into(),
                stamp: Some(stamp),
                checked: now,
                read: now,
                interval: DEFAULT_RELOAD_INTERVAL,
                error: None,
            }),
            reading: Mutex::new(()),
        })
    }

    pub(crate) fn set_reload_interval(&self, interval: Duration) {
        self.write().interval = interval;
    }

    pub(crate) fn last_error(&self) -> Option<String> {
        self.read().error.clone()
    }

    /// Re-reads the file now, whatever the interval; returns the number of
    /// usable keys, or why the previous ones were kept.
    pub(crate) fn reload(&self) -> Result<usize, KeyError> {
        let _reading = self.reading.lock().unwrap_or_else(PoisonError::into_inner);
        self.read_and_install()
    }

    /// The claims of a token one of the keys signed, checked with the
    /// validation for that key's algorithm.
    pub(crate) fn decode(
        &self,
        token: &str,
        header: &Header,
        rs256: &Validation,
        es256: &Validation,
    ) -> Result<Claims, TokenError> {
        let mut verified = Err(TokenError::BadSignature);
        for key in self.keys_for(header)? {
            let validation = if key.alg == Algorithm::RS256 {
                rs256
            } else {
                es256
            };
            verified = decode_claims(token, &key.key, validation);
            // Any other verdict comes after the signature verified
            // (jsonwebtoken checks it before the claims), so it stands; a
            // bad signature may just mean another key signed the token.
            if verified != Err(TokenError::BadSignature) {
                break;
            }
        }
        verified
    }

    /// The keys that may have signed a token with this header: the ones
    /// named by its `kid`, or without one every key of its algorithm.
    fn keys_for(&self, header: &Header) -> Result<Vec<Key>, TokenError> {
        if !matches!(header.alg, Algorithm::RS256 | Algorithm::ES256) {
            return Err(TokenError::WrongAlgorithm);
        }
        let mut keys = self.keys();
        let Some(kid) = header.kid.as_deref() else {
            let usable: Vec<Key> = keys
                .iter()
                .filter(|k| k.alg == header.alg)
                .cloned()
                .collect();
            return if usable.is_empty() {
                Err(TokenError::UnknownKey)
            } else {
                Ok(usable)
            };
        };
        let named = |keys: &[Key]| -> Vec<Key> {
            keys.iter()
                .filter(|k| k.kid.as_deref() == Some(kid))
                .cloned()
                .collect()
        };
        let mut found = named(&keys);
        // A kid we do not know may be a key the issuer has just added.
        if found.is_empty() && self.reread_for_unknown_kid() {
            keys = self.read().keys.clone();
            found = named(&keys);
        }
        if found.is_empty() {
            return Err(TokenError::UnknownKey);
        }
        found.retain(|k| k.alg == header.alg);
        if found.is_empty() {
            return Err(TokenError::WrongAlgorithm);
        }
        Ok(found)
    }

    /// The current keys, after re-reading the file if it is time to look
    /// and it has changed.
    fn keys(&self) -> Arc<[Key]> {
        self.refresh_if_changed();
        self.read().keys.clone()
    }

    fn refresh_if_changed(&self) {
        if !self.due(|state| state.checked) {
            return;
        }
        let _reading = match self.reading.try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            // Another thread is reading the file; the current keys will do.
            Err(TryLockError::WouldBlock) => return,
        };
        let known = {
            let mut state = self.write();
            // Another thread may have looked since the check above.
            if Instant::now().saturating_duration_since(state.checked) < state.interval {
                return;
            }
            state.checked = Instant::now();
            state.stamp
        };
        let unchanged = std::fs::metadata(&self.path)
            .map(|meta| Some(Stamp::of(&meta)) == known)
            .unwrap_or(false);
        if !unchanged {
            // The outcome is recorded in the state; a verify has no use
            // for it.
            let _ = self.read_and_install();
        }
    }

    /// Re-reads the file unless it was read within the interval (so a flood
    /// of made-up kids costs at most one read per interval). Returns whether
    /// it did.
    fn reread_for_unknown_kid(&self) -> bool {
        // Wait for a reload under way: it may bring the kid.
        let _reading = self.reading.lock().unwrap_or_else(PoisonError::into_inner);
        if !self.due(|state| state.read) {
            return false;
        }
        let _ = self.read_and_install();
        true
    }

    fn due(&self, last: impl Fn(&State) -> Instant) -> bool {
        let state = self.read();
        Instant::now().saturating_duration_since(last(&state)) >= state.interval
    }

    /// Reads and parses the file; installs its keys if that worked, keeps
    /// the previous ones and the error if not. Callers hold `reading`.
    fn read_and_install(&self) -> Result<usize, KeyError> {
        let outcome = read_file(&self.path);
        let mut state = self.write();
        state.read = Instant::now();
        state.checked = state.read;
        match outcome {
            Ok((stamp, keys)) => {
                state.stamp = Some(stamp);
                state.keys = keys.into();
                state.error = None;
                Ok(state.keys.len())
            }
            Err((stamp, error)) => {
                if stamp.is_some() {
                    state.stamp = stamp;
                }
                state.error = Some(error.to_string());
                Err(error)
            }
        }
    }

    // Poisoning cannot leave the state half-updated (every change is a
    // plain assignment), so a poisoned lock is still good to use.
    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The file's usable keys, and the version they came from. A failure still
/// carries the version when the file could be opened.
fn read_file(path: &Path) -> Result<(Stamp, Vec<Key>), (Option<Stamp>, KeyError)> {
    let read_error = |error| KeyError::Read {
        path: path.to_owned(),
        error,
    };
    // The stamp and the text come from one open file, so a file swapped in
    // by rename between the two cannot pair one version's stamp with
    // another's keys.
    let mut file = File::open(path).map_err(|e| (None, read_error(e)))?;
    let stamp = file
        .metadata()
        .map(|meta| Stamp::of(&meta))
        .map_err(|e| (None, read_error(e)))?;
    let mut text = String::new();
    file.read_to_string(&mut text)
        .map_err(|e| (Some(stamp), read_error(e)))?;
    let keys = parse(path, &text).map_err(|e| (Some(stamp), e))?;
    Ok((stamp, keys))
}

#[derive(Deserialize)]
struct RawSet {
    keys: Vec<Value>,
}

fn parse(path: &Path, text: &str) -> Result<Vec<Key>, KeyError> {
    let invalid = |reason: String| KeyError::Invalid {
        path: path.to_owned(),
        reason,
    };
    let set: RawSet = serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
    let mut keys = Vec::new();
    for (index, value) in set.keys.into_iter().enumerate() {
        let what = match value.get("kid").and_then(Value::as_str) {
            Some(kid) => format!("key {index} (kid {kid:?})"),
            None => format!("key {index}"),
        };
        let Some(alg) = usable_algorithm(&value).map_err(|e| invalid(format!("{what}: {e}")))?
        else {
            continue;
        };
        let jwk: Jwk =
            serde_json::from_value(value).map_err(|e| invalid(format!("{what}: {e}")))?;
        let key = DecodingKey::from_jwk(&jwk).map_err(|e| invalid(format!("{what}: {e}")))?;
        keys.push(Key {
            kid: jwk.common.key_id,
            alg,
            key,
        });
    }
    if keys.is_empty() {
        return Err(KeyError::NoUsableKey {
            path: path.to_owned(),
        });
    }
    Ok(keys)
}

/// RS256 or ES256 for a signing key this server can use, `None` for one to
/// skip, an error for a key whose fields contradict each other.
fn usable_algorithm(key: &Value) -> Result<Option<Algorithm>, String> {
    let field = |name: &str| key.get(name).and_then(Value::as_str);
    if field("use").is_some_and(|u| u != "sig") {
        return Ok(None);
    }
    let alg = match field("alg") {
        None => None,
        Some("RS256") => Some(Algorithm::RS256),
        Some("ES256") => Some(Algorithm::ES256),
        Some(_) => return Ok(None),
    };
    // Without `alg` (it is optional in RFC 7517) the key type decides.
    match (field("kty"), field("crv"), alg) {
        (Some("RSA"), _, None | Some(Algorithm::RS256)) => Ok(Some(Algorithm::RS256)),
        (Some("EC"), Some("P-256"), None | Some(Algorithm::ES256)) => Ok(Some(Algorithm::ES256)),
        (_, _, None) => Ok(None),
        (kty, crv, Some(alg)) => Err(format!(
            "alg {alg:?} does not fit kty {kty:?} and crv {crv:?}"
        )),
    }
}

#[cfg(test)]
mod tests;
