//! `POST /v1/telemetry`: what a client measured of its own freshness, sampled
//! by the SDK between two reports: how long events took from `occurredAt`
//! to applied in the UI, and how long each spell of a degraded connection
//! lasted. Exported as histograms per tenant
//! (`trackwire_client_lag_seconds`, `trackwire_client_degraded_seconds`);
//! nothing is stored.

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use serde::Deserialize;
use trackwire_domain::validate::{parse_body, Validate};
use trackwire_domain::ValidationErrors;
use utoipa::ToSchema;

use crate::http::error::ErrorBody;
use crate::http::extract::{Caller, JsonBody};
use crate::http::ApiError;
use crate::metrics::events;
use crate::rest::AppState;

/// Largest report body: 2 × 100 numbers fit many times over.
pub const MAX_REPORT_BYTES: usize = 8 * 1024;
/// Most samples of each kind in one report.
pub const MAX_SAMPLES: usize = 100;
/// Largest sample: a day, in milliseconds (a clock far off, not a lag).
pub const MAX_SAMPLE_MS: f64 = 86_400_000.0;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route(
        "/v1/telemetry",
        post(report).layer(DefaultBodyLimit::max(MAX_REPORT_BYTES)),
    )
}

/// One client's samples since its last report.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FreshnessReport {
    /// Milliseconds from events' `occurredAt` to their application, at most
    /// 100, each 0 to 86,400,000.
    #[serde(default)]
    pub lag_ms: Vec<f64>,
    /// Milliseconds of each degraded spell that ended, at most 100, each 0
    /// to 86,400,000.
    #[serde(default)]
    pub degraded_ms: Vec<f64>,
}

impl Validate for FreshnessReport {
    fn validate(&self, path: &str, errors: &mut ValidationErrors) {
        samples(path, "lagMs", &self.lag_ms, errors);
        samples(path, "degradedMs", &self.degraded_ms, errors);
    }
}

fn samples(path: &str, name: &str, values: &[f64], errors: &mut ValidationErrors) {
    let field = trackwire_domain::validate::field(path, name);
    if values.len() > MAX_SAMPLES {
        errors.push(
            &field,
            "too_many",
            format!("at most {MAX_SAMPLES} samples per report"),
        );
    }
    if let Some(at) = values
        .iter()
        .position(|v| !(0.0..=MAX_SAMPLE_MS).contains(v))
    {
        errors.push(
            format!("{field}[{at}]"),
            "out_of_range",
            format!("a sample is 0 to {MAX_SAMPLE_MS} milliseconds"),
        );
    }
}

/// Takes a client's freshness samples.
#[utoipa::path(
    post, path = "/v1/telemetry", tag = "meta",
    request_body = FreshnessReport,
    responses(
        (status = 204, description = "Counted"),
        (status = 400, description = "malformed_json", body = ErrorBody),
        (status = 401, description = "unauthorized, token_*", body = ErrorBody),
        (status = 413, description = "payload_too_large: over 8 KiB", body = ErrorBody),
        (status = 422, description = "validation_failed: too_many, out_of_range, invalid_type", body = ErrorBody),
    )
)]
pub(crate) async fn report(
    Caller(who): Caller,
    JsonBody(body): JsonBody,
) -> Result<StatusCode, ApiError> {
    let report: FreshnessReport = parse_body(&body)?;
    events::client_freshness(&who.tenant, &report.lag_ms, &report.degraded_ms);
    Ok(StatusCode::NO_CONTENT)
}
