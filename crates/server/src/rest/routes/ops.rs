//! `GET /v1/ops/stats`: every node's latest figures, for the ops console's
//! first paint (its live updates come on the `ops` topic). Operators only:
//! the figures name every tenant's busiest topics.

use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use trackwire_auth::policy::{check, Access};
use trackwire_gateway::ops::{Board, NodeStats};
use trackwire_gateway::GatewayError;
use utoipa::ToSchema;

use crate::http::error::ErrorBody;
use crate::http::extract::Caller;
use crate::http::ApiError;
use crate::rest::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/v1/ops/stats", get(stats))
}

/// The nodes as the answering node heard them.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OpsStats {
    /// The node that answered.
    pub node: String,
    /// Every node heard in the last five seconds, by id (docs/api.md has
    /// their fields).
    #[schema(value_type = Vec<Object>)]
    pub nodes: Vec<NodeStats>,
}

/// Every node's latest figures (operators only).
#[utoipa::path(
    get, path = "/v1/ops/stats", tag = "meta",
    responses(
        (status = 200, description = "The nodes' figures", body = OpsStats),
        (status = 401, description = "unauthorized, token_*", body = ErrorBody),
        (status = 403, description = "forbidden: not an operator", body = ErrorBody),
    )
)]
pub(crate) async fn stats(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<Json<OpsStats>, ApiError> {
    check(&who, Access::Operate, None).map_err(GatewayError::from)?;
    let board: &Arc<Board> = state
        .ops
        .as_ref()
        .ok_or_else(|| ApiError::not_found("this node does not publish its figures"))?;
    Ok(Json(OpsStats {
        node: board.node().to_owned(),
        nodes: board.nodes(),
    }))
}
