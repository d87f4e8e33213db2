//! Liveness and readiness, apart: a process that answers is alive; it is
//! ready only while its store can commit a write and it is not draining.
//! Load balancers and orchestrators route by readiness.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

use crate::rest::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/health", get(live))
        .route("/v1/health/live", get(live))
        .route("/v1/health/ready", get(ready))
}

#[derive(Serialize, ToSchema)]
pub struct Live {
    /// Always `ok`.
    status: &'static str,
}

/// Liveness: answers while the process serves HTTP, whatever its store
/// does. `/v1/health` is the same, for older probes.
#[utoipa::path(get, path = "/v1/health/live", tag = "meta", responses((status = 200, body = Live)))]
pub async fn live() -> Json<Live> {
    Json(Live { status: "ok" })
}

#[derive(Serialize, ToSchema)]
pub struct Ready {
    /// `ready`, or `not_ready` (with a 503).
    status: &'static str,
    checks: ReadyChecks,
}

#[derive(Serialize, ToSchema)]
pub struct ReadyChecks {
    /// `ok`, or why the store cannot commit a write.
    store: String,
    /// `ok`, or `disconnected` while the broker cannot deliver (this node
    /// serves from the store meanwhile, but cannot vouch for live events).
    broker: &'static str,
    /// True once the server has begun to drain.
    draining: bool,
}

/// Readiness: 200 while the store can commit a write, the broker is
/// connected and the server is not draining; 503 otherwise, saying which
/// check failed.
#[utoipa::path(get, path = "/v1/health/ready", tag = "meta", responses(
    (status = 200, body = Ready),
    (status = 503, body = Ready, description = "store_unavailable or draining"),
))]
pub async fn ready(State(state): State<AppState>) -> Response {
    let draining = state.draining.is_cancelled();
    // The store keeps the cost down: a commit a moment ago counts.
    let store = state
        .orders
        .store_writable()
        .await
        .map_err(|e| e.to_string());
    let broker = state.orders.broker_connected();
    let ok = !draining && store.is_ok() && broker;
    let body = Ready {
        status: if ok { "ready" } else { "not_ready" },
        checks: ReadyChecks {
            store: store.err().unwrap_or_else(|| "ok".to_owned()),
            broker: if broker { "ok" } else { "disconnected" },
            draining,
        },
    };
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}
