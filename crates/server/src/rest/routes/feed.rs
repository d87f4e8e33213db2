//! `/v1/feed`: the tenant's durable order events after an offset.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use trackwire_domain::Envelope;
use utoipa::{IntoParams, ToSchema};

use super::orders::page_limit;
use crate::http::error::ErrorBody;
use crate::http::extract::{ApiQuery, Caller};
use crate::http::ApiError;
use crate::rest::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/v1/feed", get(feed))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// The last offset the client applied (0 or absent: from the start).
    #[param(value_type = Option<crate::rest::openapi::WireU64>, inline)]
    since: Option<u64>,
    /// Most events in one answer, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct FeedSince {
    /// Events after `since`, in offset order; each carries its `offset`.
    pub events: Vec<Envelope>,
    /// The tenant's latest offset.
    pub offset: u64,
}

/// Every durable order event of the tenant after an offset (dispatchers).
#[utoipa::path(
    get, path = "/v1/feed", tag = "events", params(FeedQuery),
    responses(
        (status = 200, body = FeedSince),
        (status = 403, description = "forbidden: staff roles only", body = ErrorBody),
    )
)]
pub(crate) async fn feed(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiQuery(query): ApiQuery<FeedQuery>,
) -> Result<Json<FeedSince>, ApiError> {
    let limit = page_limit(query.limit, 100, 1000)?;
    let page = state
        .orders
        .feed(&who, query.since.unwrap_or(0), limit)
        .await?;
    Ok(Json(FeedSince {
        events: page.events.iter().map(|e| e.envelope()).collect(),
        offset: page.offset,
    }))
}
