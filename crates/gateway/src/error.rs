//! [`GatewayError`] and [`Problem`]: one catalogue of stable error codes
//! for every transport. REST maps a problem's [`Kind`] to an HTTP status;
//! WebSocket sends its code in `error` and `reject` frames.

use serde_json::{json, Value};
use trackwire_auth::Denied;
use trackwire_domain::{Code, TransitionError, ValidationErrors};
use trackwire_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Forbidden(#[from] Denied),
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
    #[error("internal failure: {0}")]
    Internal(String),
}

/// What sort of failure a problem is (REST: its status class).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    BadRequest,
    Forbidden,
    NotFound,
    Conflict,
    Unprocessable,
    /// The server cannot do it now (its store cannot write); retry after
    /// [`RETRY_AFTER_SECS`].
    Unavailable,
    Internal,
}

/// What a client told "unavailable" waits before it retries.
pub const RETRY_AFTER_SECS: u64 = 2;

/// A failure as a client sees it: a stable code, a message, details.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub kind: Kind,
    pub code: Code,
    pub message: String,
    pub details: Value,
}

impl Problem {
    pub fn new(kind: Kind, code: Code, message: impl Into<String>) -> Self {
        Self {
            kind,
            code,
            message: message.into(),
            details: json!({}),
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }
}

impl From<ValidationErrors> for Problem {
    fn from(errors: ValidationErrors) -> Self {
        let code = match errors.fields.first().map(|f| f.code.as_str()) {
            Some("unknown_event_type") => Code::UnknownEventType,
            Some("unknown_action") => Code::UnknownAction,
            _ => Code::ValidationFailed,
        };
        Problem::new(Kind::Unprocessable, code, errors.to_string())
            .with_details(json!({ "fields": errors.fields }))
    }
}

impl From<GatewayError> for Problem {
    fn from(error: GatewayError) -> Self {
        match error {
            GatewayError::Forbidden(denied) => {
                Problem::new(Kind::Forbidden, Code::Forbidden, denied.to_string())
            }
            GatewayError::Invalid(errors) => errors.into(),
            GatewayError::Store(store) => store.into(),
            GatewayError::Internal(message) => {
                tracing::error!(%message, "internal error");
                Problem::new(
                    Kind::Internal,
                    Code::Internal,
                    "the server failed; the request may be retried",
                )
            }
        }
    }
}

impl From<StoreError> for Problem {
    fn from(error: StoreError) -> Self {
        let message = error.to_string();
        match error {
            StoreError::OrderNotFound(id) => {
                Problem::new(Kind::NotFound, Code::OrderNotFound, message)
                    .with_details(json!({ "orderId": id }))
            }
            StoreError::OrderExists(id) => Problem::new(Kind::Conflict, Code::OrderExists, message)
                .with_details(json!({ "orderId": id })),
            StoreError::Transition(transition) => transition.into(),
            StoreError::IdempotencyConflict => {
                Problem::new(Kind::Unprocessable, Code::IdempotencyKeyReused, message)
            }
            StoreError::NoHistory(topic) => {
                Problem::new(Kind::BadRequest, Code::InvalidTopic, message)
                    .with_details(json!({ "topic": topic }))
            }
            StoreError::InvalidCursor(cursor) => {
                Problem::new(Kind::BadRequest, Code::InvalidCursor, message)
                    .with_details(json!({ "cursor": cursor }))
            }
            StoreError::Unavailable(_) | StoreError::Contention(_) | StoreError::Damaged(_) => {
                tracing::warn!(%error, "the store cannot serve a request");
                Problem::new(
                    Kind::Unavailable,
                    Code::StoreUnavailable,
                    "the store cannot take this write now; nothing was stored, retry later",
                )
            }
            StoreError::Corrupt(_)
            | StoreError::Database(_)
            | StoreError::Embedded(_)
            | StoreError::Migrate(_) => {
                tracing::error!(%error, "internal error");
                Problem::new(
                    Kind::Internal,
                    Code::Internal,
                    "the server failed; the request may be retried",
                )
            }
        }
    }
}

impl From<TransitionError> for Problem {
    fn from(error: TransitionError) -> Self {
        let conflict = |code| Problem::new(Kind::Conflict, code, error.to_string());
        match &error {
            TransitionError::InvalidTransition { from, to, allowed } => {
                conflict(Code::InvalidTransition)
                    .with_details(json!({ "from": from, "to": to, "allowed": allowed }))
            }
            TransitionError::OrderFinal { status } => {
                conflict(Code::OrderFinal).with_details(json!({ "status": status, "allowed": [] }))
            }
            TransitionError::NotInThisStatus {
                event,
                status,
                allowed,
            } => conflict(Code::NotAllowedInStatus)
                .with_details(json!({ "event": event, "status": status, "allowedIn": allowed })),
            TransitionError::AlreadyCreated => conflict(Code::OrderExists),
        }
    }
}
