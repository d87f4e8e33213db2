//! Bearer tokens: JWTs carrying `sub`, `tenant`, `role` and `exp` (and
//! optionally `nbf`, `iat`, `iss`, `aud`).
//!
//! [`Verifier`] turns a token into an [`Identity`] or a [`TokenError`] with
//! a stable code. It checks either HS256 with a shared secret
//! ([`Verifier::hs256`]) or RS256 and ES256 with the public keys of a JWKS
//! file ([`Verifier::jwks_file`]; reading and reloading that file is in
//! [`crate::jwks`]). `alg: none` and any algorithm the verifier was not made
//! for are refused. [`sign_hs256`] makes development tokens.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{
    decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use serde::{Deserialize, Serialize};
use trackwire_domain::Code;

use crate::identity::{Identity, Role};
use crate::jwks::{KeyError, KeyFile};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub tenant: String,
    pub role: Role,
    /// Expiry, seconds since the Unix epoch.
    pub exp: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<Audiences>,
}

/// `aud`: one audience or several (RFC 7519 allows both); a configured
/// audience is accepted when any entry matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audiences {
    One(String),
    Many(Vec<String>),
}

/// Why a token was refused; each has its own stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is not a well-formed JWT")]
    Malformed,
    #[error("the token's algorithm is not accepted")]
    WrongAlgorithm,
    #[error("the token's signature does not verify")]
    BadSignature,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token's issuer is not accepted")]
    WrongIssuer,
    #[error("the token's audience is not accepted")]
    WrongAudience,
    #[error("the token lacks a claim or has a wrong one: {0}")]
    BadClaims(String),
    #[error("the token names a key (kid) the verifier does not have")]
    UnknownKey,
    #[error(
        "this server has no keys to check tokens (--insecure-dev without --jwt-secret or \
         --jwks-file): connect without one to be the development identity"
    )]
    NoKeys,
}

impl TokenError {
    pub fn code(&self) -> Code {
        match self {
            Self::Malformed => Code::TokenMalformed,
            Self::WrongAlgorithm => Code::TokenAlgorithm,
            Self::BadSignature => Code::TokenSignature,
            Self::Expired => Code::TokenExpired,
            Self::NotYetValid => Code::TokenNotYetValid,
            Self::WrongIssuer => Code::TokenIssuer,
            Self::WrongAudience => Code::TokenAudience,
            Self::BadClaims(_) => Code::TokenClaims,
            Self::UnknownKey => Code::TokenUnknownKey,
            Self::NoKeys => Code::TokenUnverifiable,
        }
    }
}

/// Checks tokens against its keys and the configured issuer and audience.
/// Clones share a JWKS file's keys and their reloading.
#[derive(Clone)]
pub struct Verifier {
    keys: Keys,
}

#[derive(Clone)]
enum Keys {
    Secret {
        key: DecodingKey,
        validation: Validation,
    },
    // One validation per algorithm: jsonwebtoken refuses a key when the
    // validation also lists an algorithm of another family.
    File {
        file: Arc<KeyFile>,
        rs256: Validation,
        es256: Validation,
    },
}

impl Verifier {
    /// HS256 with a shared secret.
    pub fn hs256(secret: &[u8], issuer: Option<&str>, audience: Option<&str>) -> Self {
        Self {
            keys: Keys::Secret {
                key: DecodingKey::from_secret(secret),
                validation: validation(Algorithm::HS256, issuer, audience),
            },
        }
    }

    /// RS256 and ES256 with the public keys of the JWKS file at `path`, read
    /// now: an unreadable or invalid file, or one without a usable key, is
    /// an error. The file is looked at again at most once per reload
    /// interval (1 s unless [`with_reload_interval`](Self::with_reload_interval))
    /// and re-read when it changed, or at once for a token naming an unknown
    /// `kid`.
    pub fn jwks_file(
        path: &Path,
        issuer: Option<&str>,
        audience: Option<&str>,
    ) -> Result<Self, KeyError> {
        Ok(Self {
            keys: Keys::File {
                file: Arc::new(KeyFile::open(path)?),
                rs256: validation(Algorithm::RS256, issuer, audience),
                es256: validation(Algorithm::ES256, issuer, audience),
            },
        })
    }

    /// How often the JWKS file is looked at (and, for unknown kids, re-read
    /// at most). Zero looks at every token. Applies to every clone; no
    /// effect on an HS256 verifier.
    pub fn with_reload_interval(self, interval: Duration) -> Self {
        if let Keys::File { file, .. } = &self.keys {
            file.set_reload_interval(interval);
        }
        self
    }

    /// Re-reads the JWKS file now; the number of usable keys, or why the
    /// previous keys were kept.
    pub fn reload(&self) -> Result<usize, KeyError> {
        match &self.keys {
            Keys::File { file, .. } => file.reload(),
            Keys::Secret { .. } => Err(KeyError::NoKeyFile),
        }
    }

    /// Why the last reload of the JWKS file failed (the previous keys are
    /// still in use), or `None` once one succeeds. This crate logs nothing:
    /// the server should log it.
    pub fn last_reload_error(&self) -> Option<String> {
        match &self.keys {
            Keys::File { file, .. } => file.last_error(),
            Keys::Secret { .. } => None,
        }
    }

    /// The identity a token stands for, and when it expires.
    pub fn verify(&self, token: &str) -> Result<(Identity, SystemTime), TokenError> {
        // The header first: `alg: none` (or any name the library does not
        // know) is a refused algorithm, not a malformed token.
        let header = decode_header(token).map_err(|e| match e.kind() {
            ErrorKind::Json(error) if error.to_string().contains("unknown variant") => {
                TokenError::WrongAlgorithm
            }
            _ => TokenError::Malformed,
        })?;
        let claims = match &self.keys {
            Keys::Secret { key, validation } => {
                if !validation.algorithms.contains(&header.alg) {
                    return Err(TokenError::WrongAlgorithm);
                }
                decode_claims(token, key, validation)?
            }
            Keys::File { file, rs256, es256 } => file.decode(token, &header, rs256, es256)?,
        };
        if claims.tenant.is_empty() || claims.sub.is_empty() {
            return Err(TokenError::BadClaims(
                "sub and tenant must not be empty".into(),
            ));
        }
        // A validly signed `exp` past what SystemTime holds (from 2^63 s
        // on here) is refused, not added: the addition would panic.
        let expires = UNIX_EPOCH
            .checked_add(Duration::from_secs(claims.exp))
            .ok_or_else(|| TokenError::BadClaims("exp is out of range".into()))?;
        Ok((
            Identity {
                tenant: claims.tenant,
                subject: claims.sub,
                role: claims.role,
            },
            expires,
        ))
    }
}

/// No leeway, `nbf` checked, `exp` and `sub` required; a configured
/// issuer or audience is required too (a token without the claim is
/// refused, not waved through).
fn validation(alg: Algorithm, issuer: Option<&str>, audience: Option<&str>) -> Validation {
    let mut validation = Validation::new(alg);
    validation.leeway = 0;
    validation.validate_nbf = true;
    let mut required = vec!["exp", "sub"];
    if let Some(issuer) = issuer {
        validation.set_issuer(&[issuer]);
        required.push("iss");
    }
    match audience {
        Some(audience) => {
            validation.set_audience(&[audience]);
            required.push("aud");
        }
        None => validation.validate_aud = false,
    }
    validation.set_required_spec_claims(&required);
    validation
}

pub(crate) fn decode_claims(
    token: &str,
    key: &DecodingKey,
    validation: &Validation,
) -> Result<Claims, TokenError> {
    decode::<Claims>(token, key, validation)
        .map(|data| data.claims)
        .map_err(|e| match e.kind() {
            ErrorKind::InvalidSignature => TokenError::BadSignature,
            ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
                TokenError::WrongAlgorithm
            }
            ErrorKind::ExpiredSignature => TokenError::Expired,
            ErrorKind::ImmatureSignature => TokenError::NotYetValid,
            ErrorKind::InvalidIssuer => TokenError::WrongIssuer,
            ErrorKind::InvalidAudience => TokenError::WrongAudience,
            ErrorKind::MissingRequiredClaim(claim) if claim == "iss" => TokenError::WrongIssuer,
            ErrorKind::MissingRequiredClaim(claim) if claim == "aud" => TokenError::WrongAudience,
            ErrorKind::MissingRequiredClaim(claim) => TokenError::BadClaims(claim.clone()),
            ErrorKind::Json(error) => TokenError::BadClaims(error.to_string()),
            _ => TokenError::Malformed,
        })
}

impl Claims {
    /// The claims of a token for `who`, issued now, valid for `ttl`.
    pub fn new(who: &Identity, ttl: Duration) -> Self {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        Self {
            sub: who.subject.clone(),
            tenant: who.tenant.clone(),
            role: who.role,
            exp: now + ttl.as_secs(),
            nbf: None,
            iat: Some(now),
            iss: None,
            aud: None,
        }
    }

    pub fn issued_by(mut self, issuer: Option<&str>) -> Self {
        self.iss = issuer.map(str::to_owned);
        self
    }

    pub fn for_audience(mut self, audience: Option<&str>) -> Self {
        self.aud = audience.map(|a| Audiences::One(a.to_owned()));
        self
    }
}

/// Signs an HS256 token for `who`, valid for `ttl` (development tokens:
/// `trackwire token`, the demo's personas).
pub fn sign_hs256(secret: &[u8], who: &Identity, ttl: Duration) -> Result<String, TokenError> {
    sign_hs256_claims(secret, &Claims::new(who, ttl))
}

/// Signs `claims` with HS256.
pub fn sign_hs256_claims(secret: &[u8], claims: &Claims) -> Result<String, TokenError> {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .map_err(|_| TokenError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"a-test-secret-of-some-length";

    fn who() -> Identity {
        Identity {
            tenant: "acme".into(),
            subject: "cust-1".into(),
            role: Role::Customer,
        }
    }

    fn token_with(claims: serde_json::Value, alg: Algorithm, secret: &[u8]) -> String {
        encode(
            &Header::new(alg),
            &claims,
            &EncodingKey::from_secret(secret),
        )
        .expect("sign")
    }

    fn now() -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .as_secs()
    }

    #[test]
    fn a_signed_token_round_trips() {
        let token = sign_hs256(SECRET, &who(), Duration::from_secs(60)).expect("sign");
        let (identity, expires) = Verifier::hs256(SECRET, None, None)
            .verify(&token)
            .expect("valid");
        assert_eq!(identity, who());
        assert!(expires > SystemTime::now());
    }

    #[test]
    fn every_bad_token_has_its_own_code() {
        let verifier = Verifier::hs256(SECRET, Some("shop"), Some("trackwire"));
        let good = serde_json::json!({"sub": "u", "tenant": "t", "role": "customer",
                                      "exp": now() + 60, "iss": "shop", "aud": "trackwire"});
        let sign = |claims: serde_json::Value| token_with(claims, Algorithm::HS256, SECRET);
        assert!(verifier.verify(&sign(good.clone())).is_ok());
        let with = |key: &str, value: serde_json::Value| {
            let mut claims = good.clone();
            claims[key] = value;
            sign(claims)
        };
        let without = |key: &str| {
            let mut claims = good.clone();
            claims.as_object_mut().expect("object").remove(key);
            sign(claims)
        };
        // An audience array is fine when one entry matches.
        assert!(verifier
            .verify(&with("aud", serde_json::json!(["other", "trackwire"])))
            .is_ok());
        let cases = [
            ("not.a.jwt".to_owned(), "token_malformed"),
            (
                token_with(good.clone(), Algorithm::HS256, b"another secret"),
                "token_signature",
            ),
            (
                token_with(good.clone(), Algorithm::HS384, SECRET),
                "token_algorithm",
            ),
            (with("exp", (now() - 10).into()), "token_expired"),
            (with("nbf", (now() + 600).into()), "token_not_yet_valid"),
            (with("iss", "evil".into()), "token_issuer"),
            (with("aud", "other".into()), "token_audience"),
            (with("aud", serde_json::json!(["a", "b"])), "token_audience"),
            (without("iss"), "token_issuer"),
            (without("aud"), "token_audience"),
            (with("role", "emperor".into()), "token_claims"),
        ];
        for (token, code) in cases {
            let err = verifier.verify(&token).expect_err(code);
            assert_eq!(err.code(), code, "{err}");
        }
        // alg: none — an unsigned token.
        let header = base64_url(br#"{"alg":"none","typ":"JWT"}"#);
        let body = base64_url(good.to_string().as_bytes());
        let err = verifier
            .verify(&format!("{header}.{body}."))
            .expect_err("none");
        assert_eq!(err, TokenError::WrongAlgorithm);
    }

    /// Found by fuzz/fuzz_targets/jwt_verify.rs: a signed `exp` of 2^63 or
    /// more panicked in `UNIX_EPOCH + Duration`.
    #[test]
    fn an_exp_past_the_clock_is_refused_not_a_panic() {
        let verifier = Verifier::hs256(SECRET, None, None);
        for exp in [1u64 << 63, u64::MAX] {
            let claims = serde_json::json!({"sub": "u", "tenant": "t", "role": "customer",
                                            "exp": exp});
            let err = verifier
                .verify(&token_with(claims, Algorithm::HS256, SECRET))
                .expect_err("out of range");
            assert_eq!(err.code(), "token_claims", "{err}");
        }
        let far = serde_json::json!({"sub": "u", "tenant": "t", "role": "customer",
                                     "exp": (1u64 << 62)});
        let (_, expires) = verifier
            .verify(&token_with(far, Algorithm::HS256, SECRET))
            .expect("far but representable");
        assert_eq!(expires, UNIX_EPOCH + Duration::from_secs(1 << 62));
    }

    fn base64_url(bytes: &[u8]) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b))
                << (8 * (3 - chunk.len()));
            for i in 0..=chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    }
}
