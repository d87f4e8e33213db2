//! `POST /v1/stream-tickets`: a single-use ticket for one SSE or long-poll
//! request, so a browser's EventSource never carries a long-lived token.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::Serialize;
use trackwire_auth::tickets::TicketError;
use utoipa::ToSchema;

use crate::http::error::ErrorBody;
use crate::http::extract::Credentials;
use crate::http::ApiError;
use crate::rest::AppState;
use trackwire_domain::Code;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/v1/stream-tickets", post(issue))
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StreamTicket {
    /// Present it once as `?ticket=` on `/v1/sse` or `/v1/poll`.
    pub ticket: String,
    /// Seconds it stays valid.
    pub expires_in: u64,
}

/// Issues a stream ticket for the caller.
#[utoipa::path(
    post, path = "/v1/stream-tickets", tag = "streams",
    responses(
        (status = 201, body = StreamTicket),
        (status = 401, description = "unauthorized, token_*", body = ErrorBody),
        (status = 503, description = "tickets_exhausted, store_unavailable", body = ErrorBody),
    )
)]
pub(crate) async fn issue(
    State(state): State<AppState>,
    Credentials(who): Credentials,
) -> Result<(StatusCode, Json<StreamTicket>), ApiError> {
    let ticket = state.tickets.issue(who).await.map_err(|error| {
        let code = match error {
            TicketError::Unavailable => Code::StoreUnavailable,
            TicketError::Full | TicketError::Invalid => Code::TicketsExhausted,
        };
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, code, error.to_string())
            .retry_after(trackwire_gateway::RETRY_AFTER_SECS)
    })?;
    Ok((
        StatusCode::CREATED,
        Json(StreamTicket {
            ticket,
            expires_in: state.tickets.ttl().as_secs(),
        }),
    ))
}
