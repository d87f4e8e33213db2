//! The rare things the transports count, each labelled at the moment it
//! happens (a label lookup per refusal or close, never per delivery).

use metrics::counter;
use trackwire_domain::Code;
use trackwire_gateway::metrics::names;

use super::tally::Transport;

/// Credentials refused, with the code the client was given.
pub fn auth_refused(code: Code) {
    counter!(names::AUTH_REFUSALS, "code" => code.as_str()).increment(1);
}

/// Which limit refused something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Open connections per IP or per subject.
    Connections,
    /// WebSocket frames per second.
    Frames,
    /// Failed credential attempts per IP.
    AuthAttempts,
}

impl Limit {
    pub fn as_str(self) -> &'static str {
        match self {
            Limit::Connections => "connections",
            Limit::Frames => "frames",
            Limit::AuthAttempts => "auth_attempts",
        }
    }
}

pub fn rate_limited(limit: Limit) {
    counter!(names::RATE_LIMITED, "limit" => limit.as_str()).increment(1);
}

/// A real-time connection ended; `code` is its close reason
/// ([`Code::as_str`]), or `client_gone` when the client left first.
pub(crate) fn closed(transport: Transport, code: &'static str) {
    counter!(names::CLOSES, "transport" => transport.as_str(), "code" => code).increment(1);
}

/// What a close reason is called when the client went away first.
pub(crate) const CLIENT_GONE: &str = "client_gone";

/// Refused credentials: counted by their code, and as a rate-limit hit
/// when the refusal is for too many failed attempts.
pub fn auth_error(error: &trackwire_auth::AuthError) {
    if matches!(error, trackwire_auth::AuthError::TooManyAttempts) {
        rate_limited(Limit::AuthAttempts);
    }
    auth_refused(error.code());
}

/// A client's freshness report: its samples into its tenant's histograms
/// (two label lookups per report, not per sample).
pub fn client_freshness(tenant: &str, lag_ms: &[f64], degraded_ms: &[f64]) {
    for (name, values) in [
        (names::CLIENT_LAG_SECONDS, lag_ms),
        (names::CLIENT_DEGRADED_SECONDS, degraded_ms),
    ] {
        if values.is_empty() {
            continue;
        }
        let histogram = metrics::histogram!(name, "tenant" => tenant.to_owned());
        let is_lag = name == names::CLIENT_LAG_SECONDS;
        for &ms in values {
            histogram.record(ms / 1000.0);
            if is_lag {
                trackwire_gateway::ops::counters::client_lag(ms);
            }
        }
    }
}
