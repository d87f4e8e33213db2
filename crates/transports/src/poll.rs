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

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use bytes::{BufMut, BytesMut};
use trackwire_api::extract::ClientIp;
use trackwire_api::ApiError;
use trackwire_gateway::outbox::Outgoing;

use crate::stream::{start, Opened, Presence, StreamQuery};
use crate::Realtime;

/// `GET /v1/poll`.
pub(crate) async fn poll(
    State(realtime): State<Realtime>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Query(query): Query<StreamQuery>,
) -> Result<Response, ApiError> {
    let Opened {
        mut session,
        mut cursor,
        permits: _permits,
        ..
    } = start(&realtime, &headers, &query, ip, Presence::NotCounted).await?;
    let outbox = session.outbox().clone();
    let max_wait = realtime.config.poll_wait;
    let wait = query
        .wait
        .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
        .map_or(max_wait, |w| w.min(max_wait));

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
    let mut response = body.freeze().into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
