//! Tokens and a secured server for the security suite.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use serde_json::{json, Value};
use trackwire_auth::jwt::{sign_hs256_claims, Claims};
use trackwire_auth::{FailedAttempts, Identity, IdentitySource, Role, Verifier};
use trackwire_domain::{DurableEvent, OrderCreated, OrderId, OrderStatus, Party, StatusChanged};
use trackwire_gateway::CreateOrder;
use trackwire_server::realtime::{OriginPolicy, RealtimeConfig};

use super::{Client, Setup, TestServer};

pub(crate) const SECRET: &str = "the-security-suite-secret-0123456789";
pub(crate) const ISSUER: &str = "shop";
pub(crate) const AUDIENCE: &str = "trackwire";
pub(crate) const TENANT: &str = "acme";
pub(crate) const ALLOWED_ORIGIN: &str = "https://shop.example";

pub(crate) fn who(tenant: &str, subject: &str, role: Role) -> Identity {
    Identity {
        tenant: tenant.into(),
        subject: subject.into(),
        role,
    }
}

/// Claims the server accepts, for `ttl`.
pub(crate) fn claims(subject: &str, role: Role, ttl: Duration) -> Claims {
    Claims::new(&who(TENANT, subject, role), ttl)
        .issued_by(Some(ISSUER))
        .for_audience(Some(AUDIENCE))
}

pub(crate) fn sign(claims: &Claims) -> String {
    sign_hs256_claims(SECRET.as_bytes(), claims).expect("sign")
}

/// A good token of tenant `acme`, valid for ten minutes.
pub(crate) fn token(subject: &str, role: Role) -> String {
    sign(&claims(subject, role, Duration::from_secs(600)))
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

/// The bad tokens of the suite, each with the code it must get.
pub(crate) fn bad_tokens() -> Vec<(&'static str, String, &'static str)> {
    let good = claims("cust-a", Role::Customer, Duration::from_secs(600));
    let encode =
        |value: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string());
    let unsigned = format!(
        "{}.{}.",
        encode(&json!({"alg": "none", "typ": "JWT"})),
        encode(&serde_json::to_value(&good).expect("claims"))
    );
    let mut expired = good.clone();
    expired.exp = now() - 30;
    expired.iat = Some(now() - 90);
    vec![
        ("alg none", unsigned, "token_algorithm"),
        (
            "wrong signature",
            sign_hs256_claims(b"another-secret-another-secret-0000", &good).expect("sign"),
            "token_signature",
        ),
        ("expired", sign(&expired), "token_expired"),
        (
            "wrong issuer",
            sign(&good.clone().issued_by(Some("evil"))),
            "token_issuer",
        ),
        (
            "wrong audience",
            sign(&good.clone().for_audience(Some("elsewhere"))),
            "token_audience",
        ),
        (
            "no issuer",
            sign(&good.clone().issued_by(None)),
            "token_issuer",
        ),
        (
            "no audience",
            sign(&good.clone().for_audience(None)),
            "token_audience",
        ),
        ("not a JWT", "garbage".to_owned(), "token_malformed"),
    ]
}

/// A server that requires tokens, allows one foreign origin, and gives
/// failed attempts a wide berth (one test narrows it).
pub(crate) fn secured(config: RealtimeConfig) -> Setup {
    let verifier = Verifier::hs256(SECRET.as_bytes(), Some(ISSUER), Some(AUDIENCE));
    let many = std::num::NonZeroU32::new(10_000).expect("non-zero");
    Setup {
        config,
        identity: IdentitySource::tokens(verifier)
            .with_failed_attempts(FailedAttempts::new(many, many)),
        origins: OriginPolicy::new([ALLOWED_ORIGIN]).expect("origin"),
        ..Setup::default()
    }
}

/// Orders of tenant `acme`: A-1 of `cust-a` (courier `courier-a`), B-1 of
/// `cust-b` (courier `courier-b`).
pub(crate) async fn seed(server: &TestServer) {
    let admin = who(TENANT, "admin", Role::Admin);
    for (id, customer, courier) in [
        ("A-1", "cust-a", "courier-a"),
        ("B-1", "cust-b", "courier-b"),
    ] {
        let party = |id: &str| Party {
            id: id.into(),
            name: None,
            phone: None,
        };
        let order = CreateOrder {
            id: Some(OrderId::parse(id).expect("id")),
            created: OrderCreated {
                customer: party(customer),
                courier: Some(party(courier)),
                ..super::new_order(id).created
            },
        };
        server
            .orders
            .create(&admin, order, None)
            .await
            .expect("create");
    }
}

/// Records a status change on an `acme` order; returns its seq.
pub(crate) async fn set_status(server: &TestServer, id: &str, status: OrderStatus) -> u64 {
    let event = DurableEvent::StatusChanged(StatusChanged {
        status,
        reason: None,
        internal_note: None,
    });
    server
        .record_as(&who(TENANT, "admin", Role::Admin), id, event)
        .await
}

/// A WebSocket on `/v1/ws` authenticated with `token` (its `authenticated`
/// frame read).
pub(crate) async fn ws_as(server: &TestServer, token: &str) -> Client {
    let mut client = server.connect().await;
    client.send(json!({"type": "auth", "token": token})).await;
    let frame = client.recv().await;
    assert_eq!(frame["type"], "authenticated", "{frame}");
    client
}
