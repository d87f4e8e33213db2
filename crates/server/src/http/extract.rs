//! Extractors: the caller's identity (the auth seam), JSON bodies, path and
//! query parameters and `Idempotency-Key`, each failing as an [`ApiError`].

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use bytes::Bytes;
use serde::de::DeserializeOwned;
pub use trackwire_auth::IdentitySource;
use trackwire_auth::{AuthError, Authenticated, Identity};
use trackwire_domain::records::IdempotencyKey;
use trackwire_domain::OrderId;
use trackwire_gateway::idempotency::scoped_key;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::Required;
use utoipa::IntoParams;

use crate::http::ApiError;
use crate::rest::AppState;
use trackwire_domain::Code;

/// The authenticated caller. Every handler takes one: REST, like every
/// transport, asks the server's [`IdentitySource`] (a bearer token in
/// `Authorization`, or the development fallback).
#[derive(Debug, Clone)]
pub struct Caller(pub Identity);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Credentials(who) = Credentials::from_request_parts(parts, state).await?;
        Ok(Caller(who.identity))
    }
}

/// The caller and when their credentials expire (stream tickets carry it).
#[derive(Debug, Clone)]
pub struct Credentials(pub Authenticated);

impl FromRequestParts<AppState> for Credentials {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let authorization = match parts.headers.get(header::AUTHORIZATION) {
            None => None,
            Some(value) => Some(value.to_str().map_err(|_| {
                ApiError::from(AuthError::Token(trackwire_auth::TokenError::Malformed))
            })?),
        };
        let who = state.identity.identify(authorization, client_ip(parts))?;
        Ok(Credentials(who))
    }
}

/// The peer's IP address, when the server runs with connect info (it
/// always does; in-process tests may not).
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(client_ip(parts)))
    }
}

/// The peer's IP, when the server was started with connect info.
pub fn client_ip(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}

/// A request body that must be JSON (or empty). Kept as bytes: handlers
/// parse it with the domain's field-level validation and fingerprint it for
/// idempotency.
pub struct JsonBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    Code::PayloadTooLarge,
                    "the request body is larger than the server accepts",
                )
            } else {
                ApiError::bad_request(Code::UnreadableBody, rejection.body_text())
            }
        })?;
        if !bytes.is_empty() && !content_type.as_deref().is_some_and(is_json) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Code::UnsupportedMediaType,
                "send the body as JSON with Content-Type: application/json",
            ));
        }
        Ok(JsonBody(bytes))
    }
}

fn is_json(content_type: &str) -> bool {
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// Path parameters; a bad one is a 400 with a JSON body.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| ApiPath(value))
            .map_err(|r| ApiError::bad_request(Code::InvalidPath, r.body_text()))
    }
}

/// Query parameters; a bad one is a 400 with a JSON body.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| ApiQuery(value))
            .map_err(|r| ApiError::bad_request(Code::InvalidQuery, r.body_text()))
    }
}

/// Parses an order id from the path.
pub fn order_id(raw: &str) -> Result<OrderId, ApiError> {
    OrderId::parse(raw).map_err(|message| ApiError::bad_request(Code::InvalidOrderId, message))
}

/// The optional `Idempotency-Key` header: 1 to 255 visible ASCII characters.
pub struct IdempotencyKeyHeader(pub Option<String>);

/// Longest `Idempotency-Key` accepted.
const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKeyHeader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let Some(value) = parts.headers.get("idempotency-key") else {
            return Ok(Self(None));
        };
        match value.to_str() {
            Ok(key)
                if (1..=MAX_IDEMPOTENCY_KEY_LEN).contains(&key.len())
                    && key.bytes().all(|b| b.is_ascii_graphic()) =>
            {
                Ok(Self(Some(key.to_owned())))
            }
            _ => Err(ApiError::bad_request(
                Code::InvalidIdempotencyKey,
                "Idempotency-Key must be 1 to 255 visible ASCII characters",
            )),
        }
    }
}

/// Documents the header as the extractor above checks it.
impl IntoParams for IdempotencyKeyHeader {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![ParameterBuilder::new()
            .name("Idempotency-Key")
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(
                "Retry-safe key: the same key, method, path and body give the first answer again",
            ))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .max_length(Some(MAX_IDEMPOTENCY_KEY_LEN))
                    // Visible ASCII, as `u8::is_ascii_graphic`.
                    .pattern(Some("^[!-~]+$")),
            ))
            .build()]
    }
}

impl IdempotencyKeyHeader {
    /// The key scoped to the caller, fingerprinted with the request: the
    /// same key with another method, path or body is a conflict.
    pub fn scoped(
        &self,
        caller: &Identity,
        method: &str,
        path: &str,
        body: &[u8],
    ) -> Option<IdempotencyKey> {
        let key = self.0.as_ref()?;
        Some(scoped_key(
            caller,
            key,
            &[method.as_bytes(), path.as_bytes(), body],
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::is_json;

    #[test]
    fn json_content_types() {
        assert!(is_json("application/json"));
        assert!(is_json("application/json; charset=utf-8"));
        assert!(is_json("application/merge-patch+json"));
        assert!(!is_json("text/plain"));
        assert!(!is_json("application/x-www-form-urlencoded"));
    }
}
