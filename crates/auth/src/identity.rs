//! The caller's identity.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use trackwire_domain::Code;

use crate::attempts::FailedAttempts;
use crate::jwt::{TokenError, Verifier};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Watches and acts on their own orders.
    Customer,
    /// Delivers the orders assigned to them and pushes their location.
    Courier,
    /// Watches and manages every order of the tenant.
    Dispatcher,
    /// Everything within the tenant.
    Admin,
    /// The shop's backend: creates orders and records events.
    Service,
    /// Runs the installation: the ops console of every node, across
    /// tenants; no order of any tenant (its token's `tenant` is ignored).
    Operator,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Courier => "courier",
            Role::Dispatcher => "dispatcher",
            Role::Admin => "admin",
            Role::Service => "service",
            Role::Operator => "operator",
        }
    }

    /// Roles that see every order of their tenant.
    pub fn sees_whole_tenant(self) -> bool {
        matches!(self, Role::Dispatcher | Role::Admin | Role::Service)
    }
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        [
            Role::Customer,
            Role::Courier,
            Role::Dispatcher,
            Role::Admin,
            Role::Service,
            Role::Operator,
        ]
        .into_iter()
        .find(|role| role.as_str() == raw)
        .ok_or_else(|| {
            format!(
                "unknown role '{raw}': customer, courier, dispatcher, admin, service or operator"
            )
        })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who is calling: every handler, REST or real-time, takes one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Identity {
    pub tenant: String,
    pub subject: String,
    pub role: Role,
}

impl Identity {
    /// The tenant every development request runs in.
    pub const DEV_TENANT: &'static str = "demo";

    /// The identity used when no authentication is configured: subject
    /// `dev`, role `admin`, tenant `demo`. Documented in docs/api.md; the
    /// server logs a warning whenever it runs this way.
    pub fn development() -> Self {
        Self {
            tenant: Self::DEV_TENANT.into(),
            subject: "dev".into(),
            role: Role::Admin,
        }
    }
}

/// A verified caller: who, and until when their credentials hold (`None`:
/// the development identity, which never expires). Serializable: a
/// cluster keeps a stream ticket's caller where every node can read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authenticated {
    pub identity: Identity,
    pub expires: Option<SystemTime>,
}

/// Why a caller could not be identified; each has a stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("authenticate with a bearer token")]
    Missing,
    #[error("{0}")]
    Token(#[from] TokenError),
    #[error("too many failed authentication attempts from this address; wait and retry")]
    TooManyAttempts,
}

impl AuthError {
    pub fn code(&self) -> Code {
        match self {
            Self::Missing => Code::Unauthorized,
            Self::Token(error) => error.code(),
            Self::TooManyAttempts => Code::RateLimited,
        }
    }
}

/// How the server learns who is calling; every transport asks it, so REST,
/// WebSocket, SSE and long-poll accept exactly the same credentials.
///
/// Three set-ups: tokens only (production), the development identity only
/// (`serve --insecure-dev` without keys), or both (the demo, and
/// `--insecure-dev` with keys): a caller that presents nothing runs as the
/// development identity, and a presented token must still be good.
#[derive(Clone)]
pub struct IdentitySource {
    verifier: Option<Verifier>,
    anonymous: Option<Identity>,
    attempts: Arc<FailedAttempts>,
}

impl IdentitySource {
    /// No authentication: every caller that presents nothing is
    /// [`Identity::development`]. A presented token is refused
    /// (`token_unverifiable`): there is no key to check it with, and only
    /// a caller that presents nothing may be the development identity.
    pub fn development() -> Self {
        Self {
            verifier: None,
            anonymous: Some(Identity::development()),
            attempts: Arc::default(),
        }
    }

    /// Bearer tokens checked by `verifier`; nothing else is accepted.
    pub fn tokens(verifier: Verifier) -> Self {
        Self {
            verifier: Some(verifier),
            anonymous: None,
            attempts: Arc::default(),
        }
    }

    /// Also lets callers that present nothing in, as the development
    /// identity (the demo; `--insecure-dev` with keys).
    pub fn with_development_fallback(mut self) -> Self {
        self.anonymous = Some(Identity::development());
        self
    }

    /// Replaces the limit on failed attempts per IP.
    pub fn with_failed_attempts(mut self, attempts: FailedAttempts) -> Self {
        self.attempts = Arc::new(attempts);
        self
    }

    /// The identity of a caller that presented nothing, if that is allowed.
    pub fn anonymous(&self) -> Option<Identity> {
        self.anonymous.clone()
    }

    /// The token verifier, when keys are configured.
    pub fn verifier(&self) -> Option<&Verifier> {
        self.verifier.as_ref()
    }

    /// True when callers must present a token (no development fallback).
    pub fn requires_token(&self) -> bool {
        self.anonymous.is_none()
    }

    /// The caller behind a bearer token.
    pub fn authenticate(
        &self,
        token: &str,
        from: Option<IpAddr>,
    ) -> Result<Authenticated, AuthError> {
        let Some(verifier) = &self.verifier else {
            return Err(AuthError::Token(TokenError::NoKeys));
        };
        // A good token is always let in, however many bad ones came from
        // its address: behind a NAT or a proxy, one client's failures must
        // not lock everyone else out. Only the failures are limited.
        match verifier.verify(token) {
            Ok((identity, expires)) => Ok(Authenticated {
                identity,
                expires: Some(expires),
            }),
            Err(error) => match from {
                Some(ip) if !self.attempts.record_failure(ip) => Err(AuthError::TooManyAttempts),
                _ => Err(error.into()),
            },
        }
    }

    /// The caller of an HTTP request, from its `Authorization` header (a
    /// bearer token) or, without one, the development fallback.
    pub fn identify(
        &self,
        authorization: Option<&str>,
        from: Option<IpAddr>,
    ) -> Result<Authenticated, AuthError> {
        match authorization {
            Some(header) => {
                let token = bearer_token(header).ok_or(AuthError::Token(TokenError::Malformed))?;
                self.authenticate(token, from)
            }
            None => self
                .anonymous()
                .map(|identity| Authenticated {
                    identity,
                    expires: None,
                })
                .ok_or(AuthError::Missing),
        }
    }
}

/// The token of an `Authorization: Bearer <token>` header value.
pub fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroU32;
    use std::time::Duration;

    use super::*;
    use crate::jwt::sign_hs256;

    const SECRET: &[u8] = b"identity-test-secret";

    fn customer() -> Identity {
        Identity {
            tenant: "acme".into(),
            subject: "cust-1".into(),
            role: Role::Customer,
        }
    }

    #[test]
    fn bearer_headers() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer  abc "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("abc"), None);
    }

    #[test]
    fn tokens_only_refuses_the_anonymous_and_the_malformed() {
        let source = IdentitySource::tokens(Verifier::hs256(SECRET, None, None));
        assert_eq!(source.identify(None, None), Err(AuthError::Missing));
        let err = source.identify(Some("Token x"), None).expect_err("scheme");
        assert_eq!(err.code(), "token_malformed");
        let token = sign_hs256(SECRET, &customer(), Duration::from_secs(60)).expect("sign");
        let who = source
            .identify(Some(&format!("Bearer {token}")), None)
            .expect("valid");
        assert_eq!(who.identity, customer());
        assert!(who.expires.is_some());
    }

    #[test]
    fn without_keys_only_the_caller_who_presents_nothing_gets_in() {
        let source = IdentitySource::development();
        let anonymous = source.identify(None, None).expect("nothing presented");
        assert_eq!(anonymous.identity, Identity::development());
        let token = sign_hs256(SECRET, &customer(), Duration::from_secs(60)).expect("sign");
        let err = source
            .authenticate(&token, None)
            .expect_err("no key to check it");
        assert_eq!(err.code(), "token_unverifiable");
    }

    #[test]
    fn the_fallback_still_checks_presented_tokens() {
        let source =
            IdentitySource::tokens(Verifier::hs256(SECRET, None, None)).with_development_fallback();
        let anonymous = source.identify(None, None).expect("fallback");
        assert_eq!(anonymous.identity, Identity::development());
        let err = source
            .identify(Some("Bearer not.a.token"), None)
            .expect_err("bad token");
        assert_eq!(err.code(), "token_malformed");
    }

    #[test]
    fn repeated_failures_from_one_ip_are_rate_limited() {
        let attempts = FailedAttempts::new(NonZeroU32::MIN, NonZeroU32::MIN.saturating_add(1));
        let source = IdentitySource::tokens(Verifier::hs256(SECRET, None, None))
            .with_failed_attempts(attempts);
        let ip: IpAddr = "192.0.2.7".parse().expect("ip");
        let codes: Vec<_> = (0..3)
            .map(|_| {
                source
                    .authenticate("bad", Some(ip))
                    .expect_err("bad")
                    .code()
            })
            .collect();
        assert_eq!(
            codes,
            ["token_malformed", "token_malformed", "rate_limited"]
        );
        // A valid token from the same address still gets in.
        let token = sign_hs256(SECRET, &customer(), Duration::from_secs(60)).expect("sign");
        let who = source.authenticate(&token, Some(ip)).expect("a good token");
        assert_eq!(who.identity, customer());
        assert_eq!(
            source
                .authenticate("bad", Some(ip))
                .expect_err("bad")
                .code(),
            "rate_limited",
            "the failures are still limited"
        );
    }
}
