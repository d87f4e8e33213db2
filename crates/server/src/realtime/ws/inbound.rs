//! What a connection does with each message its client sends: one step,
//! apart from the reader's loop (as axum's WebSocket example does), so the
//! rules are readable in one place. A step ends the connection, goes on
//! reading, or reports that the token was refreshed.

use std::net::IpAddr;
use std::ops::ControlFlow;
use std::time::SystemTime;

use axum::extract::ws::Message;
use tokio::time::Instant;
use trackwire_domain::Code;
use trackwire_gateway::protocol::{self, ClientFrame, CloseCode, ServerFrame};
use trackwire_gateway::Session;

use super::budget::ErrorBudget;
use super::handshake;
use super::rate::FrameRate;
use super::writer::WriterEnd;
use crate::metrics::events::{self, Limit};
use crate::realtime::admission::{admit_subject, Permits};
use crate::realtime::{Realtime, RealtimeConfig};

/// How a connection ends.
pub(super) enum Ending {
    /// The client left or the socket broke.
    Gone,
    /// The writer stopped on its own (slow consumer, write error).
    Writer(WriterEnd),
    /// The server closes with this code.
    Close(CloseCode),
}

/// A step that goes on.
pub(super) enum Next {
    Read,
    /// An `auth` frame refreshed the token: the lease has a new expiry.
    Refreshed(Option<SystemTime>),
}

/// The reader's bookkeeping of what the client sends.
pub(super) struct Inbound {
    ip: Option<IpAddr>,
    /// When anything was last heard (the heartbeat's liveness check).
    pub(super) last_heard: Instant,
    /// Refused frames; too many close the connection (4000).
    refused: ErrorBudget,
    /// Frames over the rate; too many close the connection (4008).
    flood: ErrorBudget,
    rate: FrameRate,
}

impl Inbound {
    pub(super) fn new(config: &RealtimeConfig, ip: Option<IpAddr>) -> Self {
        let refused = ErrorBudget::new(config.error_budget, config.error_window);
        let flood = ErrorBudget::new(config.error_budget, config.error_window);
        let rate = FrameRate::new(config.frames_per_second, config.frame_burst);
        Self {
            ip,
            last_heard: Instant::now(),
            refused,
            flood,
            rate,
        }
    }

    /// One message off the socket (or its end).
    pub(super) async fn on_message(
        &mut self,
        message: Option<Result<Message, axum::Error>>,
        realtime: &Realtime,
        session: &mut Session,
        permits: &mut Permits,
    ) -> ControlFlow<Ending, Next> {
        let message = match message {
            Some(Ok(message)) => message,
            Some(Err(error)) if is_too_large(&error) => {
                return ControlFlow::Break(Ending::Close(CloseCode::TooLarge))
            }
            Some(Err(error)) if is_invalid_utf8(&error) => {
                return ControlFlow::Break(Ending::Close(CloseCode::InvalidUtf8))
            }
            // Gone, or the socket broke.
            Some(Err(_)) | None => return ControlFlow::Break(Ending::Gone),
        };
        self.last_heard = Instant::now();
        let config = &realtime.config;
        if matches!(message, Message::Text(_) | Message::Binary(_)) && !self.rate.admit() {
            let message = format!("at most {} frames per second", config.frames_per_second);
            events::rate_limited(Limit::Frames);
            session.error(Code::RateLimited, message, None);
            if self.flood.spend() {
                return ControlFlow::Break(Ending::Close(CloseCode::RateLimited));
            }
            return ControlFlow::Continue(Next::Read);
        }
        let mut next = Next::Read;
        let accepted = match message {
            Message::Text(text) if text.len() > config.max_frame_bytes => {
                let message = format!("frames are at most {} bytes", config.max_frame_bytes);
                session.error(Code::TooLarge, message, None);
                false
            }
            Message::Text(text) => match protocol::parse(text.as_str()) {
                // A refused `auth` ends the connection in every mode: it
                // never goes on as whoever it was before, nor as the
                // development identity.
                Ok(ClientFrame::Auth(auth)) => {
                    match refresh(realtime, session, permits, &auth.token, self.ip) {
                        Ok(expires) => {
                            next = Next::Refreshed(expires);
                            true
                        }
                        Err(code) => return ControlFlow::Break(Ending::Close(code)),
                    }
                }
                Ok(frame) => session.handle(frame).await,
                Err(error) => {
                    session.error(error.code, error.message, None);
                    false
                }
            },
            Message::Binary(_) => {
                session.error(Code::InvalidFrame, "frames are JSON text", None);
                false
            }
            Message::Ping(_) | Message::Pong(_) => true,
            Message::Close(_) => return ControlFlow::Break(Ending::Gone),
        };
        if !accepted && self.refused.spend() {
            return ControlFlow::Break(Ending::Close(CloseCode::Malformed));
        }
        ControlFlow::Continue(next)
    }
}

/// An `auth` frame on an open connection: a refreshed token (same caller),
/// or, on a connection that runs as the development fallback and has not
/// subscribed yet, the caller it really is. Returns the new expiry, or,
/// with the `error` frame queued, the code to close with.
fn refresh(
    realtime: &Realtime,
    session: &mut Session,
    permits: &mut Permits,
    token: &str,
    ip: Option<IpAddr>,
) -> Result<Option<SystemTime>, CloseCode> {
    let outbox = session.outbox().clone();
    let refuse = |code: Code, message: String, close: CloseCode| {
        trackwire_gateway::ops::counters::refused(code);
        outbox.send_frame(&ServerFrame::Error {
            code,
            message,
            reference: None,
        });
        close
    };
    let who = match realtime.identity.authenticate(token, ip) {
        Ok(who) => who,
        Err(error) => {
            events::auth_error(&error);
            return Err(refuse(
                error.code(),
                error.to_string(),
                handshake::close_code(&error),
            ));
        }
    };
    if who.identity != *session.identity() {
        let mut switched = Permits::default();
        if let Err(error) = admit_subject(realtime, &who, &mut switched) {
            return Err(refuse(error.code, error.message, CloseCode::RateLimited));
        }
        // Another person's token on a connection in use: it ends, and the
        // client reconnects with it (4001 asks for exactly that).
        if let Err(problem) = session.reauthenticate(who.identity) {
            return Err(refuse(
                problem.code,
                problem.message,
                CloseCode::Unauthorized,
            ));
        }
        permits.replace_subject(switched);
    }
    Ok(who.expires)
}

/// A frame over the hard limit: the WebSocket library refuses to read it.
fn is_too_large(error: &axum::Error) -> bool {
    let text = error.to_string();
    text.contains("Message too long") || text.contains("Space limit exceeded")
}

/// A text frame that is not UTF-8 (RFC 6455 closes with 1007).
fn is_invalid_utf8(error: &axum::Error) -> bool {
    error.to_string().contains("UTF-8")
}
