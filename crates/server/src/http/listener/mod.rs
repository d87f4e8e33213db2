//! The HTTP listener: accepts TCP connections and serves HTTP/1.1 (with
//! upgrades) on each, under the limits that keep one client, or many
//! half-open ones, from taking the server down:
//!
//! - a **header timeout**: a connection waiting for a request head (a new
//!   one, or a kept-alive one between requests) is closed after it, so a
//!   client that sends half a header, or nothing, holds its socket for
//!   seconds, not forever;
//! - a cap on **plain HTTP connections per IP** ([`slots`]): a connection
//!   holds a plain slot until it closes or becomes real-time (upgraded, or
//!   admitted as an SSE stream or long-poll, which count under the
//!   real-time limits instead);
//! - a **total** kept below the process's open-files limit: at the cap,
//!   the connection that has waited longest without sending a request
//!   head is shed (and its socket closed before the next accept), or, when
//!   there is none, the new one is refused with a 503. `accept` never
//!   meets `EMFILE`, and a normal client keeps being served.
//!
//! With [`ListenerConfig::tls`], each connection first completes a TLS
//! handshake, under the header timeout too (a client that opens a socket
//! and never finishes its hello is closed like one that never sends a
//! head), and sheddable like any idle connection while it lasts. A
//! connection refused at accept is then closed without an answer: the
//! 429 or 503 cannot be said before a handshake.
//!
//! Every request carries the peer's address (`ConnectInfo`) and its
//! connection's [`PlainSlot`].

mod counted;
pub mod slots;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

use super::tls::Tls;
use counted::Counted;
pub use slots::PlainSlot;
use slots::{Admission, Slots};

/// The listener's limits.
#[derive(Debug, Clone)]
pub struct ListenerConfig {
    /// Longest wait for a complete request head, on a new connection and
    /// between requests on a kept-alive one.
    pub header_timeout: Duration,
    /// Plain HTTP connections per client IP (not yet real-time).
    pub plain_per_ip: usize,
    /// Open connections in all, below the open-files limit.
    pub max_connections: usize,
    /// `SO_SNDBUF` of each accepted socket, when set.
    pub send_buffer_bytes: Option<usize>,
    /// Serve HTTPS (and WSS) with this certificate instead of plain HTTP.
    pub tls: Option<Tls>,
}

/// Files the process needs besides its connections: the store's, the
/// listener, logs, the runtime's own.
pub const RESERVED_FILES: u64 = 64;

impl Default for ListenerConfig {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            plain_per_ip: 512,
            max_connections: max_connections_for(open_files_limit()),
            send_buffer_bytes: None,
            tls: None,
        }
    }
}

/// The process's limit on open files (the soft one).
pub fn open_files_limit() -> u64 {
    rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(1024, |(soft, _)| soft)
}

/// Raises the soft limit on open files to the hard one (the binary does
/// this at start); returns the new limit.
pub fn raise_open_files_limit() -> u64 {
    rlimit::increase_nofile_limit(u64::MAX).unwrap_or_else(|_| open_files_limit())
}

/// Connections a process with `open_files` may hold, leaving the reserve.
pub fn max_connections_for(open_files: u64) -> usize {
    usize::try_from(open_files.saturating_sub(RESERVED_FILES).max(16)).unwrap_or(usize::MAX)
}

/// Serves `app` on `listener` until `shutdown`; then stops accepting, lets
/// every connection finish its request (upgraded ones are the transports'
/// to close) and returns.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    config: ListenerConfig,
    shutdown: CancellationToken,
) {
    let slots = Slots::new(config.plain_per_ip, config.max_connections);
    let connections = TaskTracker::new();
    let mut accept_errors = ErrorLog::default();
    loop {
        let room = tokio::select! {
            room = slots.make_room() => room,
            _ = shutdown.cancelled() => break,
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.cancelled() => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of files despite the cap (another part of the process
                // took them), or a connection reset before accept: say so,
                // once a second at most, and go on.
                accept_errors.report(&error);
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        if let Some(size) = config.send_buffer_bytes {
            let _ = socket2::SockRef::from(&stream).set_send_buffer_size(size);
        }
        match slots.admit(peer.ip(), room) {
            Admission::Admitted(admitted) => {
                let connection = Connection {
                    app: app.clone(),
                    peer,
                    header_timeout: config.header_timeout,
                    shutdown: shutdown.clone(),
                };
                let tls = config.tls.clone();
                let stream = Counted::new(stream, admitted.open);
                connections.spawn(async move {
                    match tls {
                        None => connection.serve(stream, admitted.slot, admitted.shed).await,
                        Some(tls) => {
                            connection
                                .serve_tls(&tls, stream, admitted.slot, admitted.shed)
                                .await
                        }
                    }
                });
            }
            Admission::Refused(refusal) if config.tls.is_some() => refusal.close(stream),
            Admission::Refused(refusal) => refusal.answer(stream),
        }
    }
    connections.close();
    connections.wait().await;
}

struct Connection {
    app: Router,
    peer: SocketAddr,
    header_timeout: Duration,
    shutdown: CancellationToken,
}

impl Connection {
    /// A TLS handshake, then [`serve`](Self::serve) inside it. The
    /// handshake has the header timeout, and the connection may be shed
    /// meanwhile: it has sent no request head yet.
    async fn serve_tls(
        self,
        tls: &Tls,
        stream: Counted<TcpStream>,
        slot: PlainSlot,
        shed: CancellationToken,
    ) {
        let peer = self.peer;
        let handshake = tokio::time::timeout(self.header_timeout, tls.acceptor().accept(stream));
        let stream = tokio::select! {
            done = handshake => match done {
                Ok(Ok(stream)) => stream,
                Ok(Err(error)) => {
                    tracing::debug!(%peer, %error, "TLS handshake failed");
                    return;
                }
                Err(_) => {
                    tracing::debug!(%peer, "closed a connection that did not finish its TLS handshake in time");
                    return;
                }
            },
            _ = shed.cancelled() => {
                tracing::debug!(%peer, "shed a connection in its TLS handshake: the server is at its connection cap");
                return;
            }
            _ = self.shutdown.cancelled() => return,
        };
        self.serve(stream, slot, shed).await;
    }

    /// One connection: HTTP/1.1 until it closes or upgrades.
    async fn serve<S>(self, stream: S, slot: PlainSlot, shed: CancellationToken)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let Self {
            app,
            peer,
            header_timeout,
            shutdown,
        } = self;
        let first_request = Arc::new(AtomicBool::new(false));
        let service = {
            let slot = slot.clone();
            let first_request = first_request.clone();
            hyper::service::service_fn(move |mut request: Request<Incoming>| {
                if !first_request.swap(true, Ordering::Relaxed) {
                    // A request head came: no longer a candidate for shedding.
                    slot.mark_active();
                }
                request.extensions_mut().insert(ConnectInfo(peer));
                request.extensions_mut().insert(slot.clone());
                let app = app.clone();
                async move {
                    Ok::<_, Infallible>(
                        app.oneshot(request.map(Body::new))
                            .await
                            .unwrap_or_else(|never| match never {}),
                    )
                }
            })
        };
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout);
        let connection = builder
            .serve_connection(TokioIo::new(stream), service)
            .with_upgrades();
        tokio::pin!(connection);
        tokio::select! {
            served = connection.as_mut() => log_end(served),
            _ = shed.cancelled() => {
                tracing::debug!(%peer, "shed an idle connection: the server is at its connection cap");
                return;
            }
            _ = shutdown.cancelled() => {
                connection.as_mut().graceful_shutdown();
                log_end(connection.await);
            }
        }
        drop(slot);
    }
}

fn log_end(served: Result<(), hyper::Error>) {
    if let Err(error) = served {
        if error.is_timeout() {
            tracing::debug!("closed a connection that sent no complete request head in time");
        } else {
            tracing::trace!(%error, "connection ended");
        }
    }
}

/// Accept errors, reported once per second at most.
#[derive(Default)]
struct ErrorLog {
    last: Option<tokio::time::Instant>,
    suppressed: u64,
}

impl ErrorLog {
    fn report(&mut self, error: &std::io::Error) {
        let now = tokio::time::Instant::now();
        if self
            .last
            .is_some_and(|at| now - at < Duration::from_secs(1))
        {
            self.suppressed += 1;
            return;
        }
        tracing::warn!(%error, suppressed = self.suppressed, "accept failed");
        self.last = Some(now);
        self.suppressed = 0;
    }
}
