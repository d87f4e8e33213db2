//! [`ApiError`]: every failure of the HTTP API, as
//! `{"error": {"code", "message", "details"}}` with the right status.
//!
//! Codes are stable (clients switch on them) and listed in docs/api.md.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};
use trackwire_domain::{ParseError, TransitionError, ValidationErrors};
use trackwire_gateway::GatewayError;
use trackwire_store::StoreError;
use utoipa::ToSchema;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Option<Value>,
}

/// The error body.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `invalid_transition`.
    pub code: String,
    pub message: String,
    /// Code-specific data: `fields` for validation, `allowed` for
    /// transitions.
    #[schema(value_type = Object)]
    pub details: Value,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: None,
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    fn internal(error: &dyn std::fmt::Display) -> Self {
        tracing::error!(%error, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server failed; the request may be retried",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message,
                details: self.details.unwrap_or_else(|| json!({})),
            },
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(errors: ValidationErrors) -> Self {
        let (code, status) = match errors.fields.first().map(|f| f.code.as_str()) {
            Some("unknown_event_type") => ("unknown_event_type", StatusCode::UNPROCESSABLE_ENTITY),
            Some("unknown_action") => ("unknown_action", StatusCode::UNPROCESSABLE_ENTITY),
            _ => ("validation_failed", StatusCode::UNPROCESSABLE_ENTITY),
        };
        Self::new(status, code, errors.to_string()).with_details(json!({ "fields": errors.fields }))
    }
}

impl From<ParseError> for ApiError {
    fn from(error: ParseError) -> Self {
        match error {
            ParseError::Malformed(message) => {
                Self::bad_request("malformed_json", format!("malformed JSON: {message}"))
            }
            ParseError::Invalid(errors) => errors.into(),
        }
    }
}

impl From<GatewayError> for ApiError {
    fn from(error: GatewayError) -> Self {
        match error {
            GatewayError::Forbidden(denied) => {
                Self::new(StatusCode::FORBIDDEN, "forbidden", denied.to_string())
            }
            GatewayError::Store(store) => store.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        let message = error.to_string();
        match error {
            StoreError::OrderNotFound(id) => {
                Self::new(StatusCode::NOT_FOUND, "order_not_found", message)
                    .with_details(json!({ "orderId": id }))
            }
            StoreError::OrderExists(id) => Self::new(StatusCode::CONFLICT, "order_exists", message)
                .with_details(json!({ "orderId": id })),
            StoreError::Transition(transition) => transition.into(),
            StoreError::IdempotencyConflict => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                message,
            ),
            StoreError::NoHistory(topic) => {
                Self::bad_request("invalid_topic", message).with_details(json!({ "topic": topic }))
            }
            StoreError::Corrupt(_) | StoreError::Database(_) | StoreError::Migrate(_) => {
                Self::internal(&error)
            }
        }
    }
}

impl From<TransitionError> for ApiError {
    fn from(error: TransitionError) -> Self {
        let message = error.to_string();
        let conflict = |code| Self::new(StatusCode::CONFLICT, code, message.clone());
        match error {
            TransitionError::InvalidTransition { from, to, allowed } => {
                conflict("invalid_transition")
                    .with_details(json!({ "from": from, "to": to, "allowed": allowed }))
            }
            TransitionError::OrderFinal { status } => {
                conflict("order_final").with_details(json!({ "status": status, "allowed": [] }))
            }
            TransitionError::NotInThisStatus {
                event,
                status,
                allowed,
            } => conflict("not_allowed_in_status")
                .with_details(json!({ "event": event, "status": status, "allowedIn": allowed })),
            TransitionError::AlreadyCreated => conflict("order_exists"),
        }
    }
}
