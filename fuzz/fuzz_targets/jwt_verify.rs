//! The JWT path (`Verifier::verify`, HS256 with a fixed secret), as a
//! WebSocket `auth` frame or an `Authorization` header hands it a token.
//!
//! The first byte picks what the rest is: a raw token; claims signed with
//! the secret; a header and claims (split at the first newline) signed with
//! it; claims signed with another secret; claims built field by field from
//! arbitrary values (so numbers reach every range: `exp` near `u64::MAX`
//! is what a raw JSON mutation seldom makes). Holds: no panic; every refusal
//! has a `token_*` code and a message; a token signed with another secret
//! is refused as `token_signature`; an accepted token is HS256 and carries
//! a signature that an independent HMAC-SHA256 check confirms, and its
//! identity is its claims'.
#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use libfuzzer_sys::arbitrary::{self, Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use serde::Deserialize;
use serde_json::Value;
use sha2::Sha256;
use trackwire_auth::{TokenError, Verifier};

const SECRET: &[u8] = b"the fuzzer's fixed secret";
const OTHER: &[u8] = b"a secret the verifier does not have";
const HEADER: &[u8] = br#"{"alg":"HS256","typ":"JWT"}"#;

fuzz_target!(|data: &[u8]| {
    let Some((mode, rest)) = data.split_first() else {
        return;
    };
    let token = match mode % 5 {
        0 => match std::str::from_utf8(rest) {
            Ok(raw) => raw.to_owned(),
            Err(_) => return,
        },
        1 => sign(HEADER, rest, SECRET),
        2 => {
            let at = rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
            sign(&rest[..at], rest.get(at + 1..).unwrap_or_default(), SECRET)
        }
        3 => {
            let refused = verifiers().map(|v| v.verify(&sign(HEADER, rest, OTHER)));
            for result in refused {
                assert_eq!(result.map(|_| ()), Err(TokenError::BadSignature));
            }
            return;
        }
        _ => match Fields::arbitrary_take_rest(Unstructured::new(rest)) {
            Ok(fields) => sign(HEADER, &fields.json(), SECRET),
            Err(_) => return,
        },
    };
    for verifier in verifiers() {
        match verifier.verify(&token) {
            Err(error) => {
                assert!(error.code().as_str().starts_with("token_"), "{error:?}");
                assert!(!error.to_string().is_empty());
            }
            Ok((identity, expires)) => {
                let claims = validly_signed(&token).expect("only a validly signed token is taken");
                assert_eq!(claims.sub, identity.subject);
                assert_eq!(claims.tenant, identity.tenant);
                let role = serde_json::to_value(identity.role).expect("a role serializes");
                assert_eq!(claims.role, role);
                assert_eq!(expires, UNIX_EPOCH + Duration::from_secs(claims.exp));
            }
        }
    }
});

/// Claims as a signer may fill them in, each field present or not.
#[derive(Debug, Arbitrary)]
struct Fields {
    sub: Option<String>,
    tenant: Option<String>,
    role: u8,
    exp: Option<u64>,
    nbf: Option<u64>,
    iat: Option<u64>,
    iss: Option<bool>,
    aud: Option<bool>,
}

impl Fields {
    fn json(&self) -> Vec<u8> {
        let mut claims = serde_json::Map::new();
        let roles = [
            "customer",
            "courier",
            "dispatcher",
            "admin",
            "service",
            "emperor",
        ];
        let role = roles[usize::from(self.role) % roles.len()];
        claims.insert("role".into(), role.into());
        let mut put = |key: &str, value: Option<Value>| {
            if let Some(value) = value {
                claims.insert(key.into(), value);
            }
        };
        put("sub", self.sub.clone().map(Value::from));
        put("tenant", self.tenant.clone().map(Value::from));
        put("exp", self.exp.map(Value::from));
        put("nbf", self.nbf.map(Value::from));
        put("iat", self.iat.map(Value::from));
        // The configured issuer and audience, or others.
        put(
            "iss",
            self.iss.map(|ok| if ok { "shop" } else { "evil" }.into()),
        );
        put(
            "aud",
            self.aud
                .map(|ok| if ok { "trackwire" } else { "other" }.into()),
        );
        Value::Object(claims).to_string().into_bytes()
    }
}

/// One verifier as `--jwt-secret` alone makes it, one with an issuer and
/// an audience.
fn verifiers() -> [Verifier; 2] {
    [
        Verifier::hs256(SECRET, None, None),
        Verifier::hs256(SECRET, Some("shop"), Some("trackwire")),
    ]
}

/// `header.claims.signature`, each part base64url, signed with HMAC-SHA256.
fn sign(header: &[u8], claims: &[u8], secret: &[u8]) -> String {
    let signed = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims)
    );
    let signature = mac(secret, signed.as_bytes()).finalize().into_bytes();
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature))
}

fn mac(secret: &[u8], signed: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(signed);
    mac
}

/// The parts of a header and of claims checked here. Other fields are
/// skipped unread, as the verifier skips them (serde_json does not check
/// that skipped strings are UTF-8), so a signed header with such bytes in
/// an unknown field is still a valid token.
#[derive(Deserialize)]
struct Header {
    alg: String,
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
    tenant: String,
    role: Value,
    exp: u64,
}

/// The claims of a token whose header says HS256 and whose signature is
/// the secret's, checked apart from the verifier; None for any other.
fn validly_signed(token: &str) -> Option<Claims> {
    let parts: Vec<&str> = token.split('.').collect();
    let [header, claims, signature] = parts[..] else {
        return None;
    };
    let decoded = |part: &str| URL_SAFE_NO_PAD.decode(part).ok();
    let header: Header = serde_json::from_slice(&decoded(header)?).ok()?;
    if header.alg != "HS256" {
        return None;
    }
    let signed = &token[..parts[0].len() + 1 + parts[1].len()];
    mac(SECRET, signed.as_bytes())
        .verify_slice(&decoded(signature)?)
        .ok()?;
    serde_json::from_slice(&decoded(claims)?).ok()
}
