//! Idempotency keys as the store keeps them: scoped to the caller and
//! fingerprinted with the request they came with.

use sha2::{Digest, Sha256};
use trackwire_auth::Identity;
use trackwire_store::IdempotencyKey;

/// `key` for `who`, fingerprinted with the request's parts (method, path,
/// body; or topic, action, args): the same key with other parts is a
/// conflict, not a retry.
pub fn scoped_key(who: &Identity, key: &str, parts: &[&[u8]]) -> IdempotencyKey {
    let mut digest = Sha256::new();
    for part in parts {
        digest.update((part.len() as u64).to_be_bytes());
        digest.update(part);
    }
    let fingerprint = digest
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    IdempotencyKey {
        subject: who.subject.clone(),
        key: key.to_owned(),
        fingerprint,
    }
}
