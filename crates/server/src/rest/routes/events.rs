//! `/v1/orders/{id}/events` (record, and history since a seq) and
//! `/v1/orders/{id}/actions/{action}` (customer actions).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;
use trackwire_domain::validate::parse_value;
use trackwire_domain::{Action, Envelope, RecordedInput, Topic};
use trackwire_gateway::RecordOutcome;
use utoipa::{IntoParams, ToSchema};

use super::orders::{page_limit, replayed_header};
use super::EventResult;
use crate::http::error::ErrorBody;
use crate::http::extract::{order_id, ApiPath, ApiQuery, Caller, IdempotencyKeyHeader, JsonBody};
use crate::http::ApiError;
use crate::rest::openapi::OrderIdPath;
use crate::rest::AppState;
use trackwire_domain::Code;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/orders/{id}/events", post(record).get(since))
        .route("/v1/orders/{id}/actions/{action}", post(act))
}

/// The answer for a signal (`location`): it was shown, or it was older than
/// what is shown.
#[derive(Serialize, ToSchema)]
pub struct SignalResult {
    pub taken: bool,
}

/// Records an event on the order: `{"type": …, …payload}`. Durable events
/// answer 201 with the stored envelope and the order after it; a `location`
/// answers 202.
#[utoipa::path(
    post, path = "/v1/orders/{id}/events", tag = "events",
    params(OrderIdPath, IdempotencyKeyHeader),
    request_body(content = RecordedInput, description = "An event: `type` and its payload fields side by side"),
    responses(
        (status = 201, body = EventResult),
        (status = 202, description = "A signal, latest-wins", body = SignalResult),
        (status = 409, description = "invalid_transition (details.allowed), order_final, not_allowed_in_status", body = ErrorBody),
        (status = 422, description = "validation_failed, unknown_event_type, idempotency_key_reused", body = ErrorBody),
    )
)]
pub(crate) async fn record(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<String>,
    idempotency: IdempotencyKeyHeader,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let order = order_id(&id)?;
    let input = RecordedInput::parse(parse_value(&body)?)?;
    let key = idempotency.scoped(&who, "POST", &format!("/v1/orders/{order}/events"), &body);
    match state
        .orders
        .record(&who, &order, input.classify(), key)
        .await?
    {
        RecordOutcome::Durable(recorded) => Ok((
            StatusCode::CREATED,
            replayed_header(recorded.replayed),
            Json(EventResult::new(&recorded.events, recorded.order)?),
        )
            .into_response()),
        RecordOutcome::Signal { taken } => {
            Ok((StatusCode::ACCEPTED, Json(SignalResult { taken })).into_response())
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SinceQuery {
    /// The last seq the client applied (0 or absent: from the start).
    #[param(value_type = Option<crate::rest::openapi::WireU64>, inline)]
    since: Option<u64>,
    /// The epoch the client's seq belongs to; if the topic's epoch differs
    /// the answer is 409 `epoch_mismatch` and the client reloads the snapshot.
    epoch: Option<String>,
    /// Most events in one answer, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

/// A page of one topic's history.
#[derive(Serialize, ToSchema)]
pub struct EventsSince {
    /// Events after `since`, in seq order.
    pub events: Vec<Envelope>,
    /// The topic's latest seq: more events wait when it is past the last
    /// one returned.
    pub seq: u64,
    pub epoch: String,
}

/// The order's events after a seq, for polling clients and recovery.
#[utoipa::path(
    get, path = "/v1/orders/{id}/events", tag = "events",
    params(OrderIdPath, SinceQuery),
    responses(
        (status = 200, body = EventsSince),
        (status = 409, description = "epoch_mismatch: reload the snapshot", body = ErrorBody),
    )
)]
pub(crate) async fn since(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<SinceQuery>,
) -> Result<Json<EventsSince>, ApiError> {
    let topic = Topic::Order(order_id(&id)?);
    let limit = page_limit(query.limit, 100, 1000)?;
    let history = state
        .orders
        .history(&who, &topic, query.since.unwrap_or(0), limit)
        .await?;
    if let Some(epoch) = query.epoch.filter(|e| *e != history.epoch) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            Code::EpochMismatch,
            format!("the topic's history was reset (epoch {epoch} is gone); reload the snapshot"),
        )
        .with_details(json!({ "epoch": history.epoch, "seq": history.seq })));
    }
    Ok(Json(EventsSince {
        events: history.events.iter().map(|e| e.envelope()).collect(),
        seq: history.seq,
        epoch: history.epoch,
    }))
}

/// A customer action, `POST /v1/orders/{id}/actions/{action}`. The
/// document gives each action its own path, [`cancel`] and
/// [`change_instructions`], since each takes its own body. Send an
/// `Idempotency-Key` so a retry applies once.
pub(crate) async fn act(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath((id, action)): ApiPath<(String, String)>,
    idempotency: IdempotencyKeyHeader,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let order = order_id(&id)?;
    let args = if body.is_empty() {
        serde_json::Value::Null
    } else {
        parse_value(&body)?
    };
    let action = Action::parse(&action, args)?;
    let path = format!("/v1/orders/{order}/actions/{}", action_name(&action));
    let key = idempotency.scoped(&who, "POST", &path, &body);
    let recorded = state.orders.act(&who, &order, action, key).await?;
    Ok((
        replayed_header(recorded.replayed),
        Json(EventResult::new(&recorded.events, recorded.order)?),
    )
        .into_response())
}

/// `cancel`'s arguments.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the body for OpenAPI; parsing is the domain's
pub struct CancelInput {
    /// Why (default: "cancelled by customer").
    reason: Option<String>,
}

/// `change_instructions`' arguments.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the body for OpenAPI; parsing is the domain's
pub struct InstructionsInput {
    /// The new delivery instructions; empty text clears them.
    text: String,
}

/// Cancels the order while it has not shipped. The body is optional.
#[utoipa::path(
    post, path = "/v1/orders/{id}/actions/cancel", tag = "events",
    params(OrderIdPath, IdempotencyKeyHeader),
    request_body(content = Option<CancelInput>, description = "May be empty"),
    responses(
        (status = 200, body = EventResult),
        (status = 409, description = "invalid_transition, order_final", body = ErrorBody),
    )
)]
#[allow(dead_code)] // documents `act` for this action; the router serves `act`
pub(crate) fn cancel() {}

/// Replaces the order's delivery instructions.
#[utoipa::path(
    post, path = "/v1/orders/{id}/actions/change_instructions", tag = "events",
    params(OrderIdPath, IdempotencyKeyHeader),
    request_body = InstructionsInput,
    responses(
        (status = 200, body = EventResult),
        (status = 409, description = "order_final", body = ErrorBody),
    )
)]
#[allow(dead_code)] // documents `act` for this action; the router serves `act`
pub(crate) fn change_instructions() {}

fn action_name(action: &Action) -> &'static str {
    match action {
        Action::Cancel { .. } => "cancel",
        Action::ChangeInstructions { .. } => "change_instructions",
    }
}
