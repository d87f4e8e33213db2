//! Handlers, one file per resource.

pub mod chat;
pub mod demo;
pub mod events;
pub mod feed;
pub mod health;
pub mod ops;
pub mod orders;
pub mod telemetry;
pub mod tickets;

use axum::http::{HeaderMap, StatusCode};
use serde::Serialize;
use trackwire_domain::records::StoredEvent;
use trackwire_domain::{Audience, Envelope, Order};
use utoipa::ToSchema;

use crate::http::ApiError;
use trackwire_domain::Code;

/// `ETag` of an order snapshot as `audience` sees it: its epoch and seq,
/// plus the location's `ts` so a polling client also sees the courier move,
/// plus the audience, because each audience gets a different body at the
/// same URL (docs/security.md) and one's tag must never validate another's.
pub fn etag(order: &Order, audience: Audience) -> String {
    let location_ts = order.location.as_ref().map_or(0, |l| l.ts);
    format!(
        "\"{}.{}.{}.{}\"",
        order.epoch, order.seq, location_ts, audience
    )
}

/// True when `If-None-Match` names `etag` (or is `*`).
pub fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(axum::http::header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == "*" || tag == etag)
}

/// A stored event and the order after it.
#[derive(Serialize, ToSchema)]
pub struct EventResult {
    pub event: Envelope,
    pub order: Order,
}

impl EventResult {
    pub(crate) fn new(events: &[StoredEvent], order: Order) -> Result<Self, ApiError> {
        let event = events.first().ok_or_else(|| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                Code::Internal,
                "the write stored no event",
            )
        })?;
        Ok(Self {
            event: event.envelope(),
            order,
        })
    }
}

pub async fn not_found() -> ApiError {
    ApiError::not_found("no such endpoint; see /v1/openapi.json")
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        Code::MethodNotAllowed,
        "this endpoint does not take that method; see /v1/openapi.json",
    )
}
