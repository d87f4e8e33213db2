//! `GET /v1/sse?topics=…`: protocol v1 frames as Server-Sent Events.
//!
//! Each frame is one `data:` line. A frame that moves a topic's position
//! (a durable event, a snapshot, `subscribed`) carries an `id:` that
//! encodes every topic's position, so a reconnect with `Last-Event-ID`
//! (EventSource sends it by itself) or `?cursor=` resumes exactly: the same
//! recovery rule as WebSocket. Heartbeat comments keep proxies from timing
//! out; `retry:` carries a jittered reconnect delay.

use std::convert::Infallible;
use std::time::Duration;

use crate::http::extract::ApiQuery;
use crate::http::ApiError;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use bytes::{BufMut, Bytes, BytesMut};
use rand::Rng;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tracing::Instrument;
use trackwire_gateway::outbox::{Closed, Outgoing};
use trackwire_gateway::protocol::{CloseCode, ServerFrame};
use trackwire_gateway::StreamCursor;

use crate::metrics::events;
use crate::metrics::tally::{Counts, Open, Tally, Transport};
use crate::realtime::admission::lapse_instant;
use crate::realtime::stream::{start, Opened, Presence, StreamQuery, StreamRequest};
use crate::realtime::Realtime;

/// `GET /v1/sse`.
pub(crate) async fn connect(
    State(realtime): State<Realtime>,
    request: StreamRequest,
    ApiQuery(query): ApiQuery<StreamQuery>,
) -> Result<Response, ApiError> {
    let opened = start(&realtime, &request, &query, Presence::Counted).await?;
    // Small: a stalled client fills it at once and the outbox takes over.
    let (chunks, body) = mpsc::channel::<Result<Bytes, Infallible>>(2);
    let tracker = realtime.tracker.clone();
    let span = crate::realtime::span::connection("sse");
    tracker.spawn(pump(opened, chunks, realtime).instrument(span));
    let mut response = Body::from_stream(ReceiverStream::new(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // nginx and friends buffer responses unless told not to.
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}

type Chunks = mpsc::Sender<Result<Bytes, Infallible>>;

/// Why a stream ends.
enum End {
    /// The client left (the body was dropped).
    Gone,
    /// Cut as a slow consumer.
    Cut,
    /// The server drains: the stream ends with `retry:` and `reconnect`.
    Drain,
    /// The credentials it was opened with expired.
    Lapsed,
}

impl End {
    /// The reason code the stream's end is counted under.
    fn reason(&self) -> &'static str {
        match self {
            End::Gone => events::CLIENT_GONE,
            End::Cut => CloseCode::SlowConsumer.reason().as_str(),
            End::Drain => CloseCode::Draining.reason().as_str(),
            End::Lapsed => CloseCode::TokenExpired.reason().as_str(),
        }
    }
}

/// Moves the session's frames into the response body until the client
/// leaves, is cut, or the server drains; then frees the session.
/// The stream also ends when the credentials it was opened with expire:
/// EventSource reconnects, with a fresh ticket.
async fn pump(opened: Opened, chunks: Chunks, realtime: Realtime) {
    let Opened {
        mut session,
        mut cursor,
        expires,
        permits: _permits,
    } = opened;
    tracing::debug!("sse stream open");
    let _open = Open::new(Transport::Sse);
    let mut tally = Tally::new(Transport::Sse);
    let lapse = tokio::time::sleep_until(lapse_instant(expires));
    tokio::pin!(lapse);
    let config = realtime.config.clone();
    let outbox = session.outbox().clone();
    let base = config.sse_retry.as_millis() as u64;
    let retry = base + rand::rng().random_range(0..=base);
    let mut heartbeat = tokio::time::interval(config.heartbeat);
    heartbeat.tick().await;
    let mut batch = Vec::new();
    if chunks
        .send(Ok(Bytes::from(format!("retry: {retry}\n\n"))))
        .await
        .is_err()
    {
        session.close().await;
        return;
    }
    let end = loop {
        tokio::select! {
            // The drain wins over everything else ready at the same time:
            // every stream must get its `reconnect`.
            biased;
            _ = realtime.shutdown.cancelled() => break End::Drain,
            _ = chunks.closed() => break End::Gone,
            next = outbox.next_batch(&mut batch) => {
                if let Err(closed) = next {
                    break if closed == Closed::SlowConsumer { End::Cut } else { End::Gone };
                }
                let counted = (Counts::of(&batch), tally.sample(&batch));
                let chunk = encode(&mut batch, &mut cursor);
                // A stalled client blocks the send; a cut ends it, and so
                // does the drain (the client resumes from the last `id:`
                // it read).
                tokio::select! {
                    biased;
                    _ = realtime.shutdown.cancelled() => break End::Drain,
                    sent = chunks.send(Ok(chunk)) => match sent {
                        Ok(()) => tally.written(counted.0, counted.1),
                        Err(_) => break End::Gone,
                    },
                    _ = outbox.wait_closed() => break End::Cut,
                }
            }
            control = session.next_control() => session.on_control(control).await,
            _ = heartbeat.tick() => {
                // A full channel means the client is behind anyway.
                let _ = chunks.try_send(Ok(Bytes::from_static(b": heartbeat\n\n")));
            }
            _ = &mut lapse, if expires.is_some() => break End::Lapsed,
        }
    };
    events::closed(Transport::Sse, end.reason());
    match end {
        End::Gone => {}
        End::Cut => {
            let who = session.identity();
            tracing::info!(
                tenant = %who.tenant,
                subject = %who.subject,
                "cut a slow SSE consumer: its queue overflowed; it resumes from Last-Event-ID"
            );
            let _ = chunks.try_send(Ok(cut_notice()));
        }
        End::Drain => drain(&outbox, &mut batch, &mut cursor, &chunks, &config).await,
        End::Lapsed => {
            let message = "your credentials expired; reconnect with a fresh ticket";
            let _ = chunks.try_send(Ok(notice(CloseCode::TokenExpired, message)));
        }
    }
    session.close().await;
    tracing::debug!("sse stream closed");
}

/// The end of every stream on drain: what is still queued, then `retry:`
/// with the reconnect delay and the `reconnect {afterMs}` frame, each given
/// a second at most.
async fn drain(
    outbox: &trackwire_gateway::Outbox,
    batch: &mut Vec<Outgoing>,
    cursor: &mut StreamCursor,
    chunks: &Chunks,
    config: &crate::realtime::RealtimeConfig,
) {
    let window = config.drain_window.as_millis() as u64;
    let after_ms = rand::rng().random_range(0..=window);
    if outbox.take_now(batch).is_ok() && !batch.is_empty() {
        let last_events = chunks.send(Ok(encode(batch, cursor)));
        let _ = tokio::time::timeout(Duration::from_secs(1), last_events).await;
    }
    let reconnect = ServerFrame::Reconnect { after_ms }.to_bytes();
    let mut last = BytesMut::new();
    last.put_slice(format!("retry: {after_ms}\n").as_bytes());
    data_line(&mut last, &reconnect);
    let _ = tokio::time::timeout(Duration::from_secs(1), chunks.send(Ok(last.freeze()))).await;
}

/// One chunk for everything waiting: `id:` where a position moves, one
/// `data:` line per frame.
fn encode(batch: &mut Vec<Outgoing>, cursor: &mut StreamCursor) -> Bytes {
    let mut chunk = BytesMut::new();
    for item in batch.drain(..) {
        if let Some(mark) = item.mark() {
            cursor.apply(&mark);
            chunk.put_slice(b"id: ");
            chunk.put_slice(cursor.encode().as_bytes());
            chunk.put_u8(b'\n');
        }
        data_line(&mut chunk, item.bytes());
    }
    chunk.freeze()
}

fn data_line(chunk: &mut BytesMut, frame: &[u8]) {
    // Frames are compact JSON: no raw newline can split the line.
    chunk.put_slice(b"data: ");
    chunk.put_slice(frame);
    chunk.put_slice(b"\n\n");
}

/// The last frame of a stream cut as a slow consumer: the client resumes
/// from its last `id:` (EventSource does so by itself).
fn cut_notice() -> Bytes {
    notice(
        CloseCode::SlowConsumer,
        "you fell too far behind; reconnect with Last-Event-ID",
    )
}

/// An `error` frame named after the close code a WebSocket would get.
fn notice(code: CloseCode, message: &str) -> Bytes {
    let frame = ServerFrame::Error {
        code: code.reason(),
        message: message.into(),
        reference: None,
    }
    .to_bytes();
    let mut chunk = BytesMut::new();
    data_line(&mut chunk, &frame);
    chunk.freeze()
}
