//! Protocol v1 over WebSocket: `GET /v1/ws` (one multiplexed connection per
//! app) and `GET /v1/orders/{id}/ws` (scoped to one order, subscribed on
//! connect).
//!
//! Per connection a reader (this file: heartbeat, drain, token lease; each
//! client frame is one [`inbound`] step) and a writer ([`writer`]: the
//! session's outbox out, batched), one place that cleans up. Before either, [`handshake`] takes the `auth`
//! frame when the upgrade carried no credentials; [`lease`] warns before the
//! token expires and closes when it lapses; [`rate`] and [`budget`] bound
//! what one client may send.

mod budget;
mod handshake;
mod inbound;
mod lease;
mod rate;
mod writer;

use std::net::IpAddr;
use std::ops::ControlFlow;
use std::time::Duration;

use crate::http::extract::{ApiQuery, ClientIp};
use crate::http::ApiError;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use futures::stream::SplitStream;
use futures::StreamExt;
use rand::Rng;
use serde::Deserialize;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tracing::Instrument;
use trackwire_auth::Authenticated;
use trackwire_domain::Code;
use trackwire_domain::OrderId;
use trackwire_gateway::protocol::client::Subscribe;
use trackwire_gateway::protocol::{CloseCode, ServerFrame, SUBPROTOCOL};
use trackwire_gateway::session::Scope;
use trackwire_gateway::Session;

use crate::metrics::events;
use crate::metrics::tally::{self, Transport};
use crate::realtime::admission::{admit, admit_subject, credentials, lapse_instant, Permits};
use crate::realtime::Realtime;
use handshake::{authenticate_first, Handshake};
use inbound::{Ending, Inbound, Next};
use lease::{Due, Lease};
use writer::{Command, WriterEnd};

/// `GET /v1/ws`.
pub async fn connect(
    State(realtime): State<Realtime>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    upgrade: Upgrade,
) -> Response {
    match upgrade {
        Ok(upgrade) => accept(realtime, upgrade, &headers, ip, Scope::All, None),
        Err(rejection) => not_an_upgrade(rejection),
    }
}

/// The WebSocket upgrade, or why the request is not one.
type Upgrade = Result<WebSocketUpgrade, WebSocketUpgradeRejection>;

/// A plain request to a WebSocket path: the error body every endpoint
/// answers, not axum's text.
fn not_an_upgrade(rejection: WebSocketUpgradeRejection) -> Response {
    ApiError::new(
        rejection.status(),
        Code::WebsocketRequired,
        format!(
            "this path speaks WebSocket (subprotocol {SUBPROTOCOL}): {}",
            rejection.body_text()
        ),
    )
    .into_response()
}

#[derive(Deserialize)]
pub struct ResumeQuery {
    since: Option<u64>,
    epoch: Option<String>,
}

/// `GET /v1/orders/{id}/ws?since=&epoch=`: subscribed to `order:{id}` on
/// connect (once authenticated), with recovery from `since`/`epoch`.
pub async fn connect_order(
    State(realtime): State<Realtime>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiQuery(resume): ApiQuery<ResumeQuery>,
    upgrade: Upgrade,
) -> Response {
    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(rejection) => return not_an_upgrade(rejection),
    };
    let order = match OrderId::parse(&id) {
        Ok(order) => order,
        Err(message) => {
            return ApiError::bad_request(Code::InvalidOrderId, message).into_response()
        }
    };
    let initial = Subscribe {
        topic: format!("order:{order}"),
        since: resume.since,
        epoch: resume.epoch,
        offset: None,
    };
    accept(
        realtime,
        upgrade,
        &headers,
        ip,
        Scope::Order(order),
        Some(initial),
    )
}

/// What a connection starts with: who (when the upgrade request said so,
/// or the development fallback; otherwise an `auth` frame must come
/// first), the slots it holds, and its scope.
struct Start {
    who: Option<Authenticated>,
    permits: Permits,
    ip: Option<IpAddr>,
    scope: Scope,
    initial: Option<Subscribe>,
}

/// Admission happens before the upgrade, so a refused origin, a full IP or
/// a bad `Authorization` header is a plain HTTP error.
fn accept(
    realtime: Realtime,
    upgrade: WebSocketUpgrade,
    headers: &HeaderMap,
    ip: Option<IpAddr>,
    scope: Scope,
    initial: Option<Subscribe>,
) -> Response {
    if !realtime.config.websocket_enabled {
        return ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            Code::WebsocketDisabled,
            "this server does not take WebSocket connections; use /v1/sse or /v1/poll",
        )
        .into_response();
    }
    let admitted = admit(&realtime, headers, ip).and_then(|mut permits| {
        let who = credentials(&realtime, headers, ip)?;
        if let Some(who) = &who {
            admit_subject(&realtime, who, &mut permits)?;
        }
        Ok((who, permits))
    });
    let (who, permits) = match admitted {
        Ok(admitted) => admitted,
        Err(error) => return error.into_response(),
    };
    let start = Start {
        who,
        permits,
        ip,
        scope,
        initial,
    };
    let config = realtime.config.clone();
    let tracker = realtime.tracker.clone();
    let span = crate::realtime::span::connection("ws");
    upgrade
        .protocols([SUBPROTOCOL])
        .read_buffer_size(config.read_buffer_bytes)
        .write_buffer_size(config.write_buffer_bytes)
        .max_message_size(config.hard_frame_bytes)
        .max_frame_size(config.hard_frame_bytes)
        .on_upgrade(move |socket| {
            let (sink, stream) = socket.split();
            tracker.track_future(serve(sink, stream, realtime, Box::new(start)).instrument(span))
        })
}

/// One connection, from upgrade to the last byte.
///
/// This future lives as long as the connection, so its size is memory per
/// idle connection: the socket comes split and `start` boxed (an async
/// fn keeps room for its arguments), and the rare, large awaits (the
/// handshake, a client frame's handling) are boxed, so their state is
/// allocated only while they run.
async fn serve(
    mut sink: writer::Sink,
    mut stream: SplitStream<WebSocket>,
    realtime: Realtime,
    start: Box<Start>,
) {
    tracing::debug!("websocket open");
    let _open = tally::Open::new(Transport::Ws);
    let config = realtime.config.clone();
    let Start {
        who,
        mut permits,
        ip,
        scope,
        initial,
    } = *start;
    let (who, greeted) = match who {
        Some(who) => (who, false),
        None => match Box::pin(authenticate_first(&mut stream, &mut sink, &realtime, ip)).await {
            Handshake::Authenticated(who) => {
                if let Err(error) = admit_subject(&realtime, &who, &mut permits) {
                    Box::pin(refuse_late(&mut sink, &error)).await;
                    await_close_reply(&mut stream).await;
                    return;
                }
                (who, true)
            }
            Handshake::Refused => {
                await_close_reply(&mut stream).await;
                return;
            }
            Handshake::Gone => return,
        },
    };
    let mut lease = Lease::new(who.expires, config.auth_expiring_lead);
    let mut session = Session::new(
        who.identity,
        realtime.orders.clone(),
        realtime.hub.clone(),
        config.session.clone(),
        scope,
    );
    let outbox = session.outbox().clone();
    if greeted {
        outbox.send_frame(&authenticated(&session, &lease));
    }
    let (commands, command_rx) = mpsc::channel(8);
    let mut writer = tokio::spawn(
        writer::run(sink, outbox.clone(), command_rx, config.slow_consumer_grace).in_current_span(),
    );
    if let Some(subscribe) = initial {
        Box::pin(session.subscribe(subscribe)).await;
    }

    // Check liveness twice per interval, ping once per interval.
    let heartbeat = config.heartbeat;
    let mut ticker = tokio::time::interval(heartbeat / 2);
    ticker.tick().await;
    let mut last_ping = Instant::now();
    let mut inbound = Inbound::new(&config, ip);
    let lease_timer =
        tokio::time::sleep_until(lease.deadline().unwrap_or_else(|| lapse_instant(None)));
    tokio::pin!(lease_timer);

    let ending = loop {
        tokio::select! {
            message = stream.next() => {
                let step = Box::pin(inbound.on_message(message, &realtime, &mut session, &mut permits)).await;
                match step {
                    ControlFlow::Break(ending) => break ending,
                    ControlFlow::Continue(Next::Read) => {}
                    ControlFlow::Continue(Next::Refreshed(expires)) => {
                        lease = Lease::new(expires, config.auth_expiring_lead);
                        lease_timer.as_mut().reset(lease.deadline().unwrap_or_else(|| lapse_instant(None)));
                        outbox.send_frame(&authenticated(&session, &lease));
                    }
                }
            }
            control = session.next_control() => Box::pin(session.on_control(control)).await,
            _ = &mut lease_timer, if lease.deadline().is_some() => match lease.fire() {
                Due::Warn(left) => {
                    outbox.send_frame(&ServerFrame::AuthExpiring { in_secs: left });
                    lease_timer.as_mut().reset(lease.deadline().unwrap_or_else(|| lapse_instant(None)));
                }
                Due::Lapsed => {
                    outbox.send_frame(&ServerFrame::Error {
                        code: CloseCode::TokenExpired.reason(),
                        message: "the token expired; reconnect with a fresh one".into(),
                        reference: None,
                    });
                    break Ending::Close(CloseCode::TokenExpired);
                }
            },
            _ = ticker.tick() => {
                if inbound.last_heard.elapsed() >= heartbeat * 2 {
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
            ended = &mut writer => break Ending::Writer(ended.unwrap_or(WriterEnd::Failed)),
        }
    };

    events::closed(Transport::Ws, close_reason(&ending));
    match ending {
        Ending::Writer(WriterEnd::SlowConsumer) => {
            let who = session.identity();
            tracing::info!(
                tenant = %who.tenant,
                subject = %who.subject,
                code = CloseCode::SlowConsumer.code(),
                "cut a slow consumer: its queue overflowed; it resumes by seq when it reconnects"
            );
            // Read what the client still sends, so closing the socket does
            // not reset it before the close frame is read.
            await_close_reply(&mut stream).await;
        }
        Ending::Writer(_) => {}
        Ending::Gone => {
            let _ = commands.try_send(Command::Stop);
            let _ = tokio::time::timeout(Duration::from_secs(1), &mut writer).await;
        }
        Ending::Close(code) => {
            tracing::debug!(
                code = code.code(),
                reason = code.reason().as_str(),
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
            await_close_reply(&mut stream).await;
        }
    }
    writer.abort();
    Box::pin(session.close()).await;
    drop(permits);
    tracing::debug!("websocket closed");
}

/// The reason code a connection's end is counted under.
fn close_reason(ending: &Ending) -> &'static str {
    match ending {
        Ending::Close(code) => code.reason().as_str(),
        Ending::Writer(WriterEnd::SlowConsumer) => CloseCode::SlowConsumer.reason().as_str(),
        Ending::Gone | Ending::Writer(_) => events::CLIENT_GONE,
    }
}

fn authenticated(session: &Session, lease: &Lease) -> ServerFrame {
    let who = session.identity();
    ServerFrame::Authenticated {
        tenant: who.tenant.clone(),
        subject: who.subject.clone(),
        role: who.role.as_str().to_owned(),
        expires_in: lease.seconds_left(),
    }
}

/// Authenticated, but the subject has no free slot.
async fn refuse_late(sink: &mut writer::Sink, error: &ApiError) {
    let frame = ServerFrame::Error {
        code: error.code.to_owned(),
        message: error.message.clone(),
        reference: None,
    };
    if let Ok(text) = axum::extract::ws::Utf8Bytes::try_from(frame.to_bytes()) {
        let send = futures::SinkExt::send(sink, Message::Text(text));
        let _ = tokio::time::timeout(Duration::from_secs(1), send).await;
    }
    let code = if error.code == Code::TokenExpired {
        CloseCode::TokenExpired
    } else {
        CloseCode::RateLimited
    };
    writer::close(sink, code).await;
}

/// After our close frame: reads (and drops) what the client still sends
/// until its close reply, for a moment at most. Dropping a socket with
/// unread input resets the connection, and the client would never see the
/// close code.
async fn await_close_reply(stream: &mut SplitStream<WebSocket>) {
    let reply = async {
        while let Some(Ok(message)) = stream.next().await {
            if matches!(message, Message::Close(_)) {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), reply).await;
}
