//! The real-time transports. Each is only a reader of client frames and a
//! writer of what the gateway's [`Session`](trackwire_gateway::Session)
//! queues: subscriptions, recovery and delivery rules live in the gateway,
//! once.
//!
//! - [`ws`]: `GET /v1/ws` and `GET /v1/orders/{id}/ws` (protocol v1 over
//!   WebSocket), with heartbeats and drain.
//! - [`sse`]: `GET /v1/sse` (Server-Sent Events, `Last-Event-ID` resumes).
//! - [`poll`]: `GET /v1/poll` (long-poll, resumed by `cursor`).
//! - `stream`: what SSE and long-poll share: who is asking, which topics,
//!   from which cursor.
//! - `admission`: what every connection passes first: drain, [`origin`],
//!   connection [`limits`], credentials.
//! - [`config`]: [`RealtimeConfig`], the limits and intervals.

mod admission;
pub mod config;
pub mod limits;
pub mod origin;
pub mod poll;
mod span;
pub mod sse;
mod stream;
pub mod ws;

use std::sync::Arc;

use axum::routing::get;
use axum::Router;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use trackwire_auth::{IdentitySource, Tickets};
use trackwire_gateway::{Hub, OrderService};

pub use config::RealtimeConfig;
pub use limits::ConnectionLimits;
pub use origin::OriginPolicy;

/// What every real-time connection shares.
#[derive(Clone)]
pub struct Realtime {
    pub orders: Arc<OrderService>,
    pub hub: Arc<Hub>,
    /// Behind an Arc: every connection task holds a `Realtime`, and an
    /// inline identity source would make each of them hundreds of bytes
    /// larger.
    pub identity: Arc<IdentitySource>,
    /// Stream tickets, issued by `POST /v1/stream-tickets`.
    pub tickets: Arc<dyn Tickets>,
    pub config: Arc<RealtimeConfig>,
    /// Cancelled when the server starts draining: readiness fails and new
    /// connections are refused (`draining`), while the open ones stay.
    pub draining: CancellationToken,
    /// Cancelled a moment later (`--drain-delay`): every connection says
    /// `reconnect` and closes.
    pub shutdown: CancellationToken,
    /// Tracks every connection task, so shutdown can wait for the drain.
    pub tracker: TaskTracker,
    /// Which pages may connect.
    pub origins: Arc<OriginPolicy>,
    /// Open connections per IP and per subject.
    pub limits: Arc<ConnectionLimits>,
}

impl Realtime {
    /// The real-time side of a node; `tickets` are shared with the REST
    /// API that issues them.
    pub fn new(
        orders: Arc<OrderService>,
        hub: Arc<Hub>,
        identity: IdentitySource,
        tickets: Arc<dyn Tickets>,
        config: RealtimeConfig,
        origins: OriginPolicy,
    ) -> Self {
        let limits = ConnectionLimits::new(
            config.max_connections_per_ip,
            config.max_connections_per_subject,
        );
        Self {
            orders,
            hub,
            identity: Arc::new(identity),
            tickets,
            config: Arc::new(config),
            draining: CancellationToken::new(),
            shutdown: CancellationToken::new(),
            tracker: TaskTracker::new(),
            origins: Arc::new(origins),
            limits,
        }
    }
}

/// The real-time routes.
pub fn router(realtime: Realtime) -> Router {
    Router::new()
        .route("/v1/ws", get(ws::connect))
        .route("/v1/orders/{id}/ws", get(ws::connect_order))
        .route("/v1/sse", get(sse::connect))
        .route("/v1/poll", get(poll::poll))
        .with_state(realtime)
}
