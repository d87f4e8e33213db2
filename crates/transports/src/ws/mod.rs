//! Protocol v1 over WebSocket: `GET /v1/ws` (one multiplexed connection per
//! app) and `GET /v1/orders/{id}/ws` (scoped to one order, subscribed on
//! connect).
//!
//! Per connection a reader (this file: frames in, heartbeat, drain) and a
//! writer ([`writer`]: the session's outbox out, batched), one place that
//! cleans up.

mod budget;
mod writer;

use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures::StreamExt;
use rand::Rng;
use serde::Deserialize;
use serde_json::json;
use tokio::sync::mpsc;
use tokio::time::Instant;
use trackwire_auth::Identity;
use trackwire_domain::OrderId;
use trackwire_gateway::protocol::client::Subscribe;
use trackwire_gateway::protocol::{self, CloseCode, ErrorCode, ServerFrame, SUBPROTOCOL};
use trackwire_gateway::session::Scope;
use trackwire_gateway::Session;

use crate::Realtime;
use budget::ErrorBudget;
use writer::Command;

/// `GET /v1/ws`.
pub async fn connect(State(realtime): State<Realtime>, upgrade: WebSocketUpgrade) -> Response {
    accept(realtime, upgrade, Scope::All, None)
}

#[derive(Deserialize)]
pub struct ResumeQuery {
    since: Option<u64>,
    epoch: Option<String>,
}

/// `GET /v1/orders/{id}/ws?since=&epoch=`: subscribed to `order:{id}` on
/// connect, with recovery from `since`/`epoch`.
pub async fn connect_order(
    State(realtime): State<Realtime>,
    Path(id): Path<String>,
    Query(resume): Query<ResumeQuery>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let order = match OrderId::parse(&id) {
        Ok(order) => order,
        Err(message) => return refuse(StatusCode::BAD_REQUEST, "invalid_order_id", &message),
    };
    let initial = Subscribe {
        topic: format!("order:{order}"),
        since: resume.since,
        epoch: resume.epoch,
        offset: None,
    };
    accept(realtime, upgrade, Scope::Order(order), Some(initial))
}

fn refuse(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({ "error": { "code": code, "message": message, "details": {} } });
    (status, Json(body)).into_response()
}

fn accept(
    realtime: Realtime,
    upgrade: WebSocketUpgrade,
    scope: Scope,
    initial: Option<Subscribe>,
) -> Response {
    if realtime.shutdown.is_cancelled() {
        return refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "draining",
            "the server is shutting down; reconnect to another node",
        );
    }
    let Some(who) = realtime.identity.anonymous() else {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "authenticate first",
        );
    };
    let config = realtime.config.clone();
    let tracker = realtime.tracker.clone();
    upgrade
        .protocols([SUBPROTOCOL])
        .read_buffer_size(config.read_buffer_bytes)
        .write_buffer_size(config.write_buffer_bytes)
        .max_message_size(config.hard_frame_bytes)
        .max_frame_size(config.hard_frame_bytes)
        .on_upgrade(move |socket| {
            tracker.track_future(serve(socket, realtime, who, scope, initial))
        })
}

/// One connection, from upgrade to the last byte.
async fn serve(
    socket: WebSocket,
    realtime: Realtime,
    who: Identity,
    scope: Scope,
    initial: Option<Subscribe>,
) {
    let config = realtime.config.clone();
    let (sink, mut stream) = socket.split();
    let mut session = Session::new(
        who,
        realtime.orders.clone(),
        realtime.hub.clone(),
        config.session.clone(),
        scope,
    );
    let outbox = session.outbox().clone();
    let (commands, command_rx) = mpsc::channel(8);
    let mut writer = tokio::spawn(writer::run(sink, outbox.clone(), command_rx));
    if let Some(subscribe) = initial {
        session.subscribe(subscribe).await;
    }

    // Check liveness twice per interval, ping once per interval.
    let heartbeat = config.heartbeat;
    let mut ticker = tokio::time::interval(heartbeat / 2);
    ticker.tick().await;
    let mut last_heard = Instant::now();
    let mut last_ping = Instant::now();
    let mut budget = ErrorBudget::new(config.error_budget, config.error_window);

    let ending = loop {
        tokio::select! {
            message = stream.next() => {
                let message = match message {
                    Some(Ok(message)) => message,
                    Some(Err(error)) if is_too_large(&error) => break Ending::Close(CloseCode::TooLarge),
                    // Gone, or the socket broke.
                    Some(Err(_)) | None => break Ending::Gone,
                };
                last_heard = Instant::now();
                let accepted = match message {
                    Message::Text(text) if text.len() > config.max_frame_bytes => {
                        session.error(
                            ErrorCode::TooLarge,
                            format!("frames are at most {} bytes", config.max_frame_bytes),
                            None,
                        );
                        false
                    }
                    Message::Text(text) => match protocol::parse(text.as_str()) {
                        Ok(frame) => session.handle(frame).await,
                        Err(error) => {
                            session.error(error.code, error.message, None);
                            false
                        }
                    },
                    Message::Binary(_) => {
                        session.error(ErrorCode::InvalidFrame, "frames are JSON text", None);
                        false
                    }
                    Message::Ping(_) | Message::Pong(_) => true,
                    Message::Close(_) => break Ending::Gone,
                };
                if !accepted && budget.spend() {
                    break Ending::Close(CloseCode::Malformed);
                }
            }
            Some(control) = session.next_control() => session.on_control(control).await,
            _ = ticker.tick() => {
                if last_heard.elapsed() >= heartbeat * 2 {
                    break Ending::Close(CloseCode::HeartbeatTimeout);
                }
                if last_ping.elapsed() >= heartbeat {
                    last_ping = Instant::now();
                    let _ = commands.try_send(Command::Ping);
                }
            }
            _ = realtime.shutdown.cancelled() => {
                let window = config.drain_window.as_millis() as u64;
                let after_ms = rand::rng().random_range(0..=window);
                outbox.send_frame(&ServerFrame::Reconnect { after_ms });
                break Ending::Close(CloseCode::Draining);
            }
            _ = &mut writer => break Ending::WriterDone,
        }
    };

    match ending {
        Ending::WriterDone => {}
        Ending::Gone => {
            let _ = commands.try_send(Command::Stop);
            let _ = tokio::time::timeout(Duration::from_secs(1), &mut writer).await;
        }
        Ending::Close(code) => {
            tracing::debug!(
                code = code.code(),
                reason = code.reason(),
                "closing connection"
            );
            // Everything queued (in-flight events, the reconnect frame)
            // goes out before the close frame.
            let close = commands.send(Command::Close(code));
            if tokio::time::timeout(Duration::from_secs(1), close)
                .await
                .is_ok()
            {
                let _ = tokio::time::timeout(Duration::from_secs(5), &mut writer).await;
            }
        }
    }
    writer.abort();
    session.close().await;
}

/// A frame over the hard limit: the WebSocket library refuses to read it.
fn is_too_large(error: &axum::Error) -> bool {
    let text = error.to_string();
    text.contains("Message too long") || text.contains("Space limit exceeded")
}

enum Ending {
    /// The client left or the socket broke.
    Gone,
    /// The writer stopped on its own (slow consumer, write error).
    WriterDone,
    /// The server closes with this code.
    Close(CloseCode),
}
