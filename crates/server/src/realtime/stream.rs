//! What SSE and long-poll share: who is asking (a single-use ticket, an
//! `Authorization` header, or the development fallback), which topics, and
//! from which cursor. The
//! session is opened and every topic subscribed before the response starts,
//! so a refusal is a plain HTTP error.

use std::net::IpAddr;
use std::time::SystemTime;

use crate::http::extract::client_ip;
use crate::http::ApiError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use trackwire_auth::{Authenticated, Identity};
use trackwire_domain::Topic;
use trackwire_gateway::protocol::client::Subscribe;
use trackwire_gateway::session::Scope;
use trackwire_gateway::{Session, StreamCursor};

use crate::http::listener::PlainSlot;
use crate::metrics::events;
use crate::realtime::admission::{admit, admit_subject, credentials, Permits};
use crate::realtime::Realtime;
use trackwire_domain::Code;

#[derive(Debug, Deserialize)]
pub(crate) struct StreamQuery {
    /// Comma-separated topics: `order:ZX-1001,chat:ZX-1001,orders`.
    pub(crate) topics: Option<String>,
    /// Where to resume (SSE also takes `Last-Event-ID`).
    pub(crate) cursor: Option<String>,
    /// A single-use ticket from `POST /v1/stream-tickets`.
    pub(crate) ticket: Option<String>,
    /// Long-poll: seconds to hold at most (capped by the server's wait).
    pub(crate) wait: Option<f64>,
}

/// Longest `wait=` a long-poll may name: a larger one is a mistake, not a
/// wish (the server holds at most its own `--poll-wait` anyway).
pub(crate) const MAX_WAIT_PARAM: f64 = 3600.0;

/// Who is asking: a ticket when one is presented (and then it must be
/// good), else an `Authorization` header, else the development fallback.
async fn identify(
    realtime: &Realtime,
    headers: &HeaderMap,
    ticket: Option<&str>,
    ip: Option<IpAddr>,
) -> Result<Authenticated, ApiError> {
    if let Some(ticket) = ticket {
        return realtime.tickets.redeem(ticket).await.map_err(|error| {
            events::auth_refused(Code::InvalidTicket);
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                Code::InvalidTicket,
                error.to_string(),
            )
        });
    }
    credentials(realtime, headers, ip)?.ok_or_else(|| {
        events::auth_refused(Code::Unauthorized);
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            Code::Unauthorized,
            "present a ticket from POST /v1/stream-tickets as ?ticket=",
        )
    })
}

/// The cursor to resume from: `Last-Event-ID` first, then `?cursor=`.
fn cursor(headers: &HeaderMap, query: &StreamQuery) -> Result<StreamCursor, ApiError> {
    let raw = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .or(query.cursor.as_deref())
        .filter(|raw| !raw.is_empty());
    match raw {
        None => Ok(StreamCursor::default()),
        Some(raw) => StreamCursor::decode(raw)
            .map_err(|message| ApiError::bad_request(Code::InvalidCursor, message)),
    }
}

/// The parts of an SSE or long-poll request that admission looks at.
pub(crate) struct StreamRequest {
    pub(crate) headers: HeaderMap,
    pub(crate) ip: Option<IpAddr>,
    /// The connection's plain-HTTP slot, given back once admitted.
    pub(crate) slot: Option<PlainSlot>,
}

impl<S: Send + Sync> FromRequestParts<S> for StreamRequest {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self {
            headers: parts.headers.clone(),
            ip: client_ip(parts),
            slot: parts.extensions.get::<PlainSlot>().cloned(),
        })
    }
}

/// Whether a stream counts as its person watching: an SSE stream does, a
/// long-poll request (one answer, then gone) does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Presence {
    Counted,
    NotCounted,
}

/// An open SSE stream or long-poll request: its session, where it
/// resumes, until when its credentials hold, and the slots it holds.
pub(crate) struct Opened {
    pub(crate) session: Session,
    pub(crate) cursor: StreamCursor,
    pub(crate) expires: Option<SystemTime>,
    pub(crate) permits: Permits,
}

/// The start of every SSE and long-poll request: admitted, who is asking,
/// from where, and the session subscribed to every topic.
pub(crate) async fn start(
    realtime: &Realtime,
    request: &StreamRequest,
    query: &StreamQuery,
    presence: Presence,
) -> Result<Opened, ApiError> {
    let (headers, ip) = (&request.headers, request.ip);
    let mut permits = admit(realtime, headers, ip)?;
    let who = identify(realtime, headers, query.ticket.as_deref(), ip).await?;
    admit_subject(realtime, &who, &mut permits)?;
    // Counted under the real-time limits from here on.
    if let Some(slot) = &request.slot {
        slot.release();
    }
    let cursor = cursor(headers, query)?;
    let session = open(
        realtime,
        who.identity,
        query.topics.as_deref(),
        &cursor,
        presence,
    )
    .await?;
    Ok(Opened {
        session,
        cursor,
        expires: who.expires,
        permits,
    })
}

/// Opens a session subscribed to every topic, each resumed from `cursor`.
async fn open(
    realtime: &Realtime,
    who: Identity,
    topics: Option<&str>,
    cursor: &StreamCursor,
    presence: Presence,
) -> Result<Session, ApiError> {
    let names: Vec<&str> = topics
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    if names.is_empty() {
        return Err(ApiError::bad_request(
            Code::InvalidTopics,
            "name one or more topics: ?topics=order:ZX-1001,chat:ZX-1001",
        ));
    }
    let session = Session::new(
        who,
        realtime.orders.clone(),
        realtime.hub.clone(),
        realtime.config.session.clone(),
        Scope::All,
    );
    let mut session = match presence {
        Presence::Counted => session,
        Presence::NotCounted => session.without_presence(),
    };
    for name in names {
        let resume = name
            .parse::<Topic>()
            .map(|topic| cursor.resume(&topic))
            .unwrap_or_default();
        let request = Subscribe {
            topic: name.to_owned(),
            since: resume.since,
            epoch: resume.epoch,
            offset: resume.offset,
        };
        if let Err(problem) = session.try_subscribe(request).await {
            session.close().await;
            let mut error = ApiError::from(problem);
            error.message = format!("{name}: {}", error.message);
            return Err(error);
        }
    }
    Ok(session)
}
