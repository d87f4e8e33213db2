//! `/v1/orders/{id}/chat`: the order's conversation between its customer,
//! its courier and support. Messages are durable events on `chat:{id}`,
//! numbered by `seq` and replayed like any other; the sender's
//! `clientMessageId` makes a retried send appear once.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use trackwire_domain::event::Typing;
use trackwire_domain::validate::parse_value;
use trackwire_domain::{
    Classified, DurableEvent, Envelope, EphemeralSignal, RecordedInput, Topic, ValidationErrors,
};
use utoipa::{IntoParams, ToSchema};

use super::orders::{page_limit, replayed_header};
use crate::http::error::ErrorBody;
use crate::http::extract::{order_id, ApiPath, ApiQuery, Caller, JsonBody};
use crate::http::ApiError;
use crate::rest::openapi::OrderIdPath;
use crate::rest::AppState;
use trackwire_domain::Code;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/orders/{id}/chat", post(send).get(history))
        .route("/v1/orders/{id}/chat/read", post(read))
        .route("/v1/orders/{id}/chat/typing", post(typing))
}

/// That the caller is typing, or stopped.
#[derive(Deserialize, ToSchema)]
pub struct TypingInput {
    active: bool,
    /// The client's clock in ms since 1970 (default: the server's now):
    /// receivers drop a signal older than the one they show.
    ts: Option<i64>,
}

/// Says that the caller is typing in the order's chat, or stopped: an
/// ephemeral signal, never stored, for clients whose real-time transport
/// is one-way (SSE, long-poll); a WebSocket publishes `typing` instead.
#[utoipa::path(
    post, path = "/v1/orders/{id}/chat/typing", tag = "chat",
    params(OrderIdPath),
    request_body = TypingInput,
    responses((status = 204, description = "Published to the chat's watchers"))
)]
pub(crate) async fn typing(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let order = order_id(&id)?;
    let input: TypingInput = trackwire_domain::validate::from_value(parse_value(&body)?)?;
    let signal = EphemeralSignal::Typing(Typing {
        active: input.active,
        ts: input
            .ts
            .unwrap_or_else(|| chrono::Utc::now().timestamp_millis()),
        from: None,
    });
    state
        .orders
        .signal(&who, &Topic::Chat(order), signal)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// How far the caller has read.
#[derive(Deserialize, ToSchema)]
pub struct ReadInput {
    /// The last message seq read.
    #[schema(value_type = crate::rest::openapi::WireU64, inline)]
    seq: u64,
}

#[derive(Serialize, ToSchema)]
pub struct ReadKept {
    /// The receipt kept: it never moves back nor past the last message.
    pub seq: u64,
}

/// Marks the order's chat read up to a seq (its customer, its courier,
/// staff); the chat's watchers get a `chat_read` event.
#[utoipa::path(
    post, path = "/v1/orders/{id}/chat/read", tag = "chat",
    params(OrderIdPath),
    request_body = ReadInput,
    responses((status = 200, body = ReadKept))
)]
pub(crate) async fn read(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<ReadKept>, ApiError> {
    let order = order_id(&id)?;
    let input: ReadInput = trackwire_domain::validate::from_value(parse_value(&body)?)?;
    let seq = state.orders.mark_read(&who, &order, input.seq).await?;
    Ok(Json(ReadKept { seq }))
}

/// A message to send.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // documents the body for OpenAPI; parsing is the domain's
pub struct ChatInput {
    /// 1 to 2,000 characters.
    text: String,
    /// The sender's id for the message (1 to 128 characters): a retry
    /// with the same id is stored once.
    client_message_id: String,
}

#[derive(Serialize, ToSchema)]
pub struct ChatSent {
    /// The stored message: `payload` has `text`, `clientMessageId`, `from`.
    pub message: Envelope,
}

/// Sends a message in the order's chat (its customer, its courier, staff).
#[utoipa::path(
    post, path = "/v1/orders/{id}/chat", tag = "chat",
    params(OrderIdPath),
    request_body = ChatInput,
    responses(
        (status = 201, description = "Stored (a retried send answers the first one, with Idempotent-Replayed: true)", body = ChatSent),
        (status = 403, description = "forbidden: not a party to this order", body = ErrorBody),
        (status = 422, description = "validation_failed (text empty or too long), idempotency_key_reused (same id, other text)", body = ErrorBody),
    )
)]
pub(crate) async fn send(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let order = order_id(&id)?;
    let mut value = parse_value(&body)?;
    if let Some(fields) = value.as_object_mut() {
        fields.insert("type".into(), "chat_message".into());
    }
    let Classified::Durable(DurableEvent::ChatMessage(message)) =
        RecordedInput::parse(value)?.classify()
    else {
        return Err(ValidationErrors::single("type", "unknown_value", "a chat message").into());
    };
    let recorded = state.orders.chat(&who, &order, message).await?;
    let message = recorded
        .events
        .first()
        .map(|event| event.envelope())
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                Code::Internal,
                "no message stored",
            )
        })?;
    Ok((
        StatusCode::CREATED,
        replayed_header(recorded.replayed),
        Json(ChatSent { message }),
    )
        .into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChatQuery {
    /// Messages after this seq (0 or absent: from the first).
    #[param(value_type = Option<crate::rest::openapi::WireU64>, inline)]
    since: Option<u64>,
    /// Most messages in one page, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct ChatPage {
    /// Messages after `since`, oldest first.
    pub messages: Vec<Envelope>,
    /// The chat's latest seq and its epoch.
    pub seq: u64,
    pub epoch: String,
    /// `since` for the next page; absent on the last one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<u64>,
    /// How far each participant has read: `[{subject, seq}]`.
    #[schema(value_type = Vec<Object>)]
    pub reads: Vec<trackwire_domain::records::ReadReceipt>,
}

/// The order's chat history, page by page.
#[utoipa::path(
    get, path = "/v1/orders/{id}/chat", tag = "chat",
    params(OrderIdPath, ChatQuery),
    responses((status = 200, body = ChatPage))
)]
pub(crate) async fn history(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<ChatQuery>,
) -> Result<Json<ChatPage>, ApiError> {
    let order = order_id(&id)?;
    let topic = Topic::Chat(order.clone());
    let limit = page_limit(query.limit, 50, 500)?;
    let history = state
        .orders
        .history(&who, &topic, query.since.unwrap_or(0), limit)
        .await?;
    let reads = state.orders.read_receipts(&who, &order).await?;
    let last = history.events.last().map(|e| e.seq);
    let next = last.filter(|last| *last < history.seq);
    Ok(Json(ChatPage {
        messages: history.events.iter().map(|e| e.envelope()).collect(),
        seq: history.seq,
        epoch: history.epoch,
        next,
        reads,
    }))
}
