//! The first moments of a connection that must authenticate in band: until
//! an `auth` frame succeeds, within `auth_timeout`, only `auth` and `ping`
//! are taken. No session exists yet, so nothing can be subscribed or
//! published before the caller is known.

use std::net::IpAddr;
use std::time::Duration;

use axum::extract::ws::{Message, Utf8Bytes, WebSocket};
use futures::stream::SplitStream;
use futures::{SinkExt, StreamExt};
use trackwire_auth::{AuthError, Authenticated, TokenError};
use trackwire_domain::Code;
use trackwire_gateway::protocol::{self, ClientFrame, CloseCode, ServerFrame};

use super::writer::{close, Sink};
use crate::metrics::events;
use crate::realtime::Realtime;

pub(super) enum Handshake {
    Authenticated(Authenticated),
    /// Refused, and the close frame is sent.
    Refused,
    /// The client left first.
    Gone,
}

pub(super) async fn authenticate_first(
    stream: &mut SplitStream<WebSocket>,
    sink: &mut Sink,
    realtime: &Realtime,
    ip: Option<IpAddr>,
) -> Handshake {
    let config = &realtime.config;
    let deadline = tokio::time::sleep(config.auth_timeout);
    tokio::pin!(deadline);
    loop {
        let message = tokio::select! {
            message = stream.next() => message,
            _ = &mut deadline => {
                let message = format!("send an auth frame within {} s of connecting", config.auth_timeout.as_secs());
                events::auth_refused(Code::Unauthorized);
                return refuse(sink, Code::Unauthorized, &message, CloseCode::Unauthorized).await;
            }
            _ = realtime.shutdown.cancelled() => {
                close(sink, CloseCode::Draining).await;
                return Handshake::Refused;
            }
        };
        let text = match message {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            Some(Ok(Message::Binary(_))) => return auth_first(sink).await,
            Some(Ok(Message::Close(_)) | Err(_)) | None => return Handshake::Gone,
        };
        if text.len() > config.max_frame_bytes {
            let message = format!("frames are at most {} bytes", config.max_frame_bytes);
            return refuse(sink, Code::TooLarge, &message, CloseCode::Unauthorized).await;
        }
        match protocol::parse(text.as_str()) {
            Ok(ClientFrame::Auth(auth)) => match realtime.identity.authenticate(&auth.token, ip) {
                Ok(who) => return Handshake::Authenticated(who),
                Err(error) => {
                    events::auth_error(&error);
                    return refuse(sink, error.code(), &error.to_string(), close_code(&error))
                        .await;
                }
            },
            Ok(ClientFrame::Ping(ping)) => {
                let pong = ServerFrame::Pong { id: ping.id }.to_bytes();
                if send(sink, pong).await.is_err() {
                    return Handshake::Gone;
                }
            }
            Ok(_) | Err(_) => return auth_first(sink).await,
        }
    }
}

/// The close code for refused credentials: an expired token says so (the
/// client fetches a new one), a flood of bad ones is rate-limited.
pub(super) fn close_code(error: &AuthError) -> CloseCode {
    match error {
        AuthError::Token(TokenError::Expired) => CloseCode::TokenExpired,
        AuthError::TooManyAttempts => CloseCode::RateLimited,
        AuthError::Missing | AuthError::Token(_) => CloseCode::Unauthorized,
    }
}

/// Anything but `auth` (or `ping`) before authenticating.
async fn auth_first(sink: &mut Sink) -> Handshake {
    refuse(
        sink,
        Code::Unauthorized,
        "send an auth frame first",
        CloseCode::Unauthorized,
    )
    .await
}

async fn refuse(sink: &mut Sink, code: Code, message: &str, close_with: CloseCode) -> Handshake {
    trackwire_gateway::ops::counters::refused(code);
    let error = ServerFrame::Error {
        code,
        message: message.to_owned(),
        reference: None,
    };
    let _ = send(sink, error.to_bytes()).await;
    close(sink, close_with).await;
    Handshake::Refused
}

/// Sends one frame, giving a stalled peer a moment at most.
async fn send(sink: &mut Sink, frame: bytes::Bytes) -> Result<(), axum::Error> {
    let text = Utf8Bytes::try_from(frame).map_err(axum::Error::new)?;
    tokio::time::timeout(Duration::from_secs(1), sink.send(Message::Text(text)))
        .await
        .map_err(axum::Error::new)?
}
