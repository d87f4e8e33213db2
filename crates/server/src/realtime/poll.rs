//! `GET /v1/poll?topics=…&cursor=…`: long-poll.
//!
//! Answers at once when anything past the cursor exists (missed events, or
//! a snapshot for a request without a cursor); otherwise holds the request
//! until something arrives or the wait ends, and answers an empty batch.
//! Every answer is `{events: [frame…], cursor}`: the frames a WebSocket
//! client would receive (events, snapshots, `unsubscribed`; `subscribed`
//! only moves the cursor), and the cursor to send next time. The same
//! recovery rule as every transport, because it is the same session.

use std::time::Duration;

use crate::http::extract::ApiQuery;
use crate::http::ApiError;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use bytes::{BufMut, BytesMut};
use tracing::Instrument;
use trackwire_domain::Code;
use trackwire_gateway::outbox::Outgoing;

use crate::metrics::tally::{Counts, Open, Tally, Transport};
use crate::realtime::stream::{
    start, Opened, Presence, StreamQuery, StreamRequest, MAX_WAIT_PARAM,
};
use crate::realtime::Realtime;

/// `GET /v1/poll`.
pub(crate) async fn poll(
    State(realtime): State<Realtime>,
    request: StreamRequest,
    ApiQuery(query): ApiQuery<StreamQuery>,
) -> Result<Response, ApiError> {
    let span = crate::realtime::span::connection("poll");
    hold(realtime, request, query).instrument(span).await
}

/// One long-poll request, in its connection span.
async fn hold(
    realtime: Realtime,
    request: StreamRequest,
    query: StreamQuery,
) -> Result<Response, ApiError> {
    let wait = hold_for(query.wait, realtime.config.poll_wait)?;
    let Opened {
        mut session,
        mut cursor,
        permits: _permits,
        ..
    } = start(&realtime, &request, &query, Presence::NotCounted).await?;
    let _open = Open::new(Transport::LongPoll);
    let outbox = session.outbox().clone();

    let mut batch = Vec::new();
    let _ = outbox.take_now(&mut batch);
    if !batch.iter().any(Outgoing::is_content) {
        let deadline = tokio::time::sleep(wait);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                next = outbox.next_batch(&mut batch) => {
                    if next.is_err() || batch.iter().any(Outgoing::is_content) {
                        break;
                    }
                }
                control = session.next_control() => session.on_control(control).await,
                _ = &mut deadline => break,
                _ = realtime.shutdown.cancelled() => break,
            }
        }
    }
    session.close().await;
    let mut tally = Tally::new(Transport::LongPoll);
    let counted = (Counts::of(&batch), tally.sample(&batch));

    let mut body = BytesMut::from(&b"{\"events\":["[..]);
    let mut first = true;
    for item in &batch {
        if let Some(mark) = item.mark() {
            cursor.apply(&mark);
            // `subscribed` frames only move the cursor: an answer with
            // nothing new is an empty batch.
            if !mark.content {
                continue;
            }
        }
        if !first {
            body.put_u8(b',');
        }
        first = false;
        body.put_slice(item.bytes());
    }
    body.put_slice(b"],\"cursor\":\"");
    body.put_slice(cursor.encode().as_bytes());
    body.put_slice(b"\"}");
    tally.written(counted.0, counted.1);
    let mut response = body.freeze().into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// How long to hold: the client's `wait=` (0 to [`MAX_WAIT_PARAM`]
/// seconds), capped by the server's own `--poll-wait`.
fn hold_for(asked: Option<f64>, max_wait: Duration) -> Result<Duration, ApiError> {
    let Some(secs) = asked else {
        return Ok(max_wait);
    };
    if !(0.0..=MAX_WAIT_PARAM).contains(&secs) {
        return Err(ApiError::bad_request(
            Code::InvalidQuery,
            format!("wait is a number of seconds from 0 to {MAX_WAIT_PARAM} (got {secs})"),
        ));
    }
    Ok(Duration::from_secs_f64(secs).min(max_wait))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_is_capped_and_nonsense_refused() {
        let max = Duration::from_secs(25);
        assert_eq!(hold_for(None, max).ok(), Some(max));
        assert_eq!(hold_for(Some(0.0), max).ok(), Some(Duration::ZERO));
        assert_eq!(
            hold_for(Some(1.5), max).ok(),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(hold_for(Some(60.0), max).ok(), Some(max));
        for bad in [-1.0, 1e9, f64::NAN, f64::INFINITY] {
            assert!(hold_for(Some(bad), max).is_err(), "{bad}");
        }
    }
}
