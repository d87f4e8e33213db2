//! The REST API under `/v1`, built with axum. Handlers parse and answer;
//! every decision is made in [`trackwire_gateway::OrderService`].
//!
//! - [`app`]: the router, from an [`AppState`].
//! - [`routes`]: one file per resource (orders, events and actions, feed,
//!   chat, tickets, health).
//! - [`openapi`]: the OpenAPI document served at `/v1/openapi.json`,
//!   generated from the handlers' annotations.
//!
//! Its errors and extractors are the HTTP edge's ([`crate::http`]), shared
//! with the real-time transports.

pub mod openapi;
pub mod routes;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::{Json, Router};
use tokio_util::sync::CancellationToken;
use tower_http::set_header::SetResponseHeaderLayer;
use trackwire_auth::{TicketBook, Tickets};
use trackwire_gateway::OrderService;

pub use crate::http::extract::IdentitySource;

/// Largest request body accepted by default (413 above it).
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024;

/// Everything a handler may need.
#[derive(Clone)]
pub struct AppState {
    pub orders: Arc<OrderService>,
    pub identity: IdentitySource,
    /// Shared with the SSE and long-poll transports, which redeem them.
    pub tickets: Arc<dyn Tickets>,
    pub max_body_bytes: usize,
    /// The demo's personas (`GET /v1/demo/personas`); None outside the demo.
    pub personas: Option<Arc<routes::demo::Personas>>,
    /// The server's shutdown signal: once cancelled, the server drains and
    /// `/v1/health/ready` fails.
    pub draining: CancellationToken,
    /// Every node's figures for `GET /v1/ops/stats`; None where the node
    /// does not publish them (the route answers 404).
    pub ops: Option<Arc<trackwire_gateway::ops::Board>>,
}

/// How long a stream ticket stays valid.
pub const TICKET_TTL: Duration = Duration::from_secs(30);

impl AppState {
    pub fn new(orders: Arc<OrderService>, identity: IdentitySource) -> Self {
        Self {
            orders,
            identity,
            tickets: Arc::new(TicketBook::new(TICKET_TTL)),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            personas: None,
            draining: CancellationToken::new(),
            ops: None,
        }
    }
}

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    let body_limit = state.max_body_bytes;
    Router::new()
        .merge(routes::orders::router())
        .merge(routes::events::router())
        .merge(routes::feed::router())
        .merge(routes::tickets::router())
        .merge(routes::telemetry::router())
        .merge(routes::ops::router())
        .merge(routes::chat::router())
        .merge(routes::demo::router())
        .merge(routes::health::router())
        .route(
            "/v1/openapi.json",
            get(|| async { Json(openapi::document()) }),
        )
        .fallback(routes::not_found)
        .method_not_allowed_fallback(routes::method_not_allowed)
        .layer(DefaultBodyLimit::max(body_limit))
        // A JSON answer is never sniffed into something a browser runs.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .with_state(state)
}
