//! What SSE and long-poll share: who is asking (a single-use ticket, or the
//! server's identity source), which topics, and from which cursor. The
//! session is opened and every topic subscribed before the response starts,
//! so a refusal is a plain HTTP error.

use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use trackwire_api::ApiError;
use trackwire_auth::Identity;
use trackwire_domain::Topic;
use trackwire_gateway::protocol::client::Subscribe;
use trackwire_gateway::session::Scope;
use trackwire_gateway::{Session, StreamCursor};

use crate::Realtime;

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

/// Who is asking: a ticket when one is presented (and then it must be
/// good), otherwise the server's identity source.
fn identify(realtime: &Realtime, ticket: Option<&str>) -> Result<Identity, ApiError> {
    match ticket {
        Some(ticket) => realtime.tickets.redeem(ticket).map_err(|error| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_ticket",
                error.to_string(),
            )
        }),
        None => realtime.identity.anonymous().ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "present a ticket from POST /v1/stream-tickets",
            )
        }),
    }
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
            .map_err(|message| ApiError::bad_request("invalid_cursor", message)),
    }
}

/// The start of every SSE and long-poll request: not while draining, who
/// is asking, from where, and the session subscribed to every topic.
pub(crate) async fn start(
    realtime: &Realtime,
    headers: &HeaderMap,
    query: &StreamQuery,
) -> Result<(Session, StreamCursor), ApiError> {
    if realtime.shutdown.is_cancelled() {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "draining",
            "the server is shutting down; reconnect to another node",
        ));
    }
    let who = identify(realtime, query.ticket.as_deref())?;
    let start = cursor(headers, query)?;
    let session = open(realtime, who, query.topics.as_deref(), &start).await?;
    Ok((session, start))
}

/// Opens a session subscribed to every topic, each resumed from `cursor`.
async fn open(
    realtime: &Realtime,
    who: Identity,
    topics: Option<&str>,
    cursor: &StreamCursor,
) -> Result<Session, ApiError> {
    let names: Vec<&str> = topics
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    if names.is_empty() {
        return Err(ApiError::bad_request(
            "invalid_topics",
            "name one or more topics: ?topics=order:ZX-1001,chat:ZX-1001",
        ));
    }
    let mut session = Session::new(
        who,
        realtime.orders.clone(),
        realtime.hub.clone(),
        realtime.config.session.clone(),
        Scope::All,
    );
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
