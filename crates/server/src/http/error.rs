//! [`ApiError`]: every failure of the HTTP API, as
//! `{"error": {"code", "message", "details"}}` with the right status.
//!
//! Codes are stable (clients switch on them) and listed in docs/api.md.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};
use trackwire_auth::AuthError;
use trackwire_domain::{Code, ParseError, ValidationErrors};
use trackwire_gateway::{GatewayError, Kind, Problem, RETRY_AFTER_SECS};
use utoipa::ToSchema;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: Code,
    pub message: String,
    pub details: Option<Value>,
    /// Seconds for a `Retry-After` header (503, 429).
    pub retry_after: Option<u64>,
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
    pub fn new(status: StatusCode, code: Code, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: None,
            retry_after: None,
        }
    }

    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn bad_request(code: Code, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, Code::NotFound, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // Every refusal over HTTP, for the ops console (one atomic add).
        trackwire_gateway::ops::counters::refused(self.code);
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.as_str().to_owned(),
                message: self.message,
                details: self.details.unwrap_or_else(|| json!({})),
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

impl From<Problem> for ApiError {
    fn from(problem: Problem) -> Self {
        let status = match problem.kind {
            Kind::BadRequest => StatusCode::BAD_REQUEST,
            Kind::Forbidden => StatusCode::FORBIDDEN,
            Kind::NotFound => StatusCode::NOT_FOUND,
            Kind::Conflict => StatusCode::CONFLICT,
            Kind::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
            Kind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Kind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let error = Self::new(status, problem.code, problem.message).with_details(problem.details);
        match problem.kind {
            Kind::Unavailable => error.retry_after(RETRY_AFTER_SECS),
            _ => error,
        }
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(errors: ValidationErrors) -> Self {
        Problem::from(errors).into()
    }
}

impl From<ParseError> for ApiError {
    fn from(error: ParseError) -> Self {
        match error {
            ParseError::Malformed(message) => {
                Self::bad_request(Code::MalformedJson, format!("malformed JSON: {message}"))
            }
            ParseError::Invalid(errors) => errors.into(),
        }
    }
}

impl From<GatewayError> for ApiError {
    fn from(error: GatewayError) -> Self {
        Problem::from(error).into()
    }
}

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        crate::metrics::events::auth_error(&error);
        let status = match error {
            AuthError::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
            AuthError::Missing | AuthError::Token(_) => StatusCode::UNAUTHORIZED,
        };
        Self::new(status, error.code(), error.to_string())
    }
}
