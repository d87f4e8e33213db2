//! Who may open a real-time connection, checked once for every transport
//! before anything is upgraded or streamed: not while draining, an allowed
//! `Origin`, a free slot for the client's IP, and (when the request carries
//! them) valid credentials and a free slot for their subject.

use std::net::IpAddr;
use std::time::{Duration, SystemTime};

use crate::http::ApiError;
use axum::http::{header, HeaderMap, StatusCode};
use trackwire_auth::{AuthError, Authenticated, TokenError};

use crate::realtime::limits::Permit;
use crate::realtime::Realtime;
use trackwire_domain::Code;

/// The slots a connection holds while it is open.
#[derive(Default)]
pub(crate) struct Permits {
    _ip: Option<Permit>,
    _subject: Option<Permit>,
}

impl Permits {
    pub(crate) fn set_subject(&mut self, permit: Permit) {
        self._subject = Some(permit);
    }

    /// Takes the subject slot of `other` (an identity switch), releasing
    /// the old one.
    pub(crate) fn replace_subject(&mut self, other: Permits) {
        self._subject = other._subject;
    }
}

/// The checks every connection passes before its credentials are looked at.
pub(crate) fn admit(
    realtime: &Realtime,
    headers: &HeaderMap,
    ip: Option<IpAddr>,
) -> Result<Permits, ApiError> {
    if realtime.draining.is_cancelled() || realtime.shutdown.is_cancelled() {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            Code::Draining,
            "the server is shutting down; reconnect to another node",
        ));
    }
    let origin = headers
        .get(header::ORIGIN)
        .map(|v| v.to_str().unwrap_or(""));
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    if !realtime.origins.allows(origin, host) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            Code::OriginForbidden,
            "this page's origin may not connect; see --allowed-origin",
        ));
    }
    let ip_permit = match ip {
        Some(ip) => Some(
            realtime
                .limits
                .admit_ip(ip)
                .ok_or_else(too_many_connections)?,
        ),
        None => None,
    };
    Ok(Permits {
        _ip: ip_permit,
        _subject: None,
    })
}

pub(crate) fn too_many_connections() -> ApiError {
    crate::metrics::events::rate_limited(crate::metrics::events::Limit::Connections);
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        Code::RateLimited,
        "too many open connections from this address or for this user",
    )
}

/// The caller behind an `Authorization` header, or the development
/// fallback when there is none; `Ok(None)` when credentials are required
/// but missing (a WebSocket then waits for its `auth` frame).
pub(crate) fn credentials(
    realtime: &Realtime,
    headers: &HeaderMap,
    ip: Option<IpAddr>,
) -> Result<Option<Authenticated>, ApiError> {
    let authorization = match headers.get(header::AUTHORIZATION) {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .map_err(|_| ApiError::from(AuthError::Token(TokenError::Malformed)))?,
        ),
    };
    match realtime.identity.identify(authorization, ip) {
        Ok(who) => Ok(Some(who)),
        Err(AuthError::Missing) => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// Takes the subject's slot, refusing credentials that already lapsed
/// (a stream ticket outlives the token it was issued for).
pub(crate) fn admit_subject(
    realtime: &Realtime,
    who: &Authenticated,
    permits: &mut Permits,
) -> Result<(), ApiError> {
    if who.expires.is_some_and(|at| at <= SystemTime::now()) {
        return Err(AuthError::Token(TokenError::Expired).into());
    }
    let permit = realtime
        .limits
        .admit_subject(&who.identity)
        .ok_or_else(too_many_connections)?;
    permits.set_subject(permit);
    Ok(())
}

/// When credentials expiring at `expires` lapse, as a timer deadline (a
/// year away when they never do, or lapse past what the clock holds).
pub(crate) fn lapse_instant(expires: Option<SystemTime>) -> tokio::time::Instant {
    const YEAR: Duration = Duration::from_secs(86_400 * 365);
    let left = expires.map_or(YEAR, |at| {
        at.duration_since(SystemTime::now()).unwrap_or_default()
    });
    let now = tokio::time::Instant::now();
    // A signed `exp` may be absurdly far: adding it must not panic.
    now.checked_add(left).unwrap_or(now + YEAR)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lapse_past_the_clock_is_a_year_away_not_a_panic() {
        let now = tokio::time::Instant::now();
        let far = SystemTime::UNIX_EPOCH + Duration::from_secs(i64::MAX as u64);
        assert!(lapse_instant(Some(far)) > now + Duration::from_secs(86_400 * 364));
        let soon = SystemTime::now() + Duration::from_secs(60);
        assert!(lapse_instant(Some(soon)) <= tokio::time::Instant::now() + Duration::from_secs(60));
    }
}
