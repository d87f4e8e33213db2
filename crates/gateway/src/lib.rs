//! # trackwire-gateway
//!
//! The real-time core, between the transports (REST, WebSocket, SSE,
//! long-poll) and the store and broker. Transports call in here; nothing in
//! here knows about sockets or HTTP.
//!
//! - [`orders`]: [`OrderService`], the one path every write and read takes:
//!   authorization, store, then publish; what it returns is projected for
//!   the caller.
//! - [`audience`]: role -> audience, and orders and stored events projected
//!   for an audience.
//! - [`publish`]: turns stored events and signals into [`Publication`]s,
//!   serialized once per audience, on one channel per audience.
//! - [`hub`]: [`Hub`], this node's fan-out from broker channels to local
//!   subscribers.
//! - [`outbox`]: [`Outbox`], the bounded per-connection queue: replay and
//!   live meet exactly once, latest-wins coalescing of signals, and where a
//!   slow consumer is cut.
//! - [`presence`]: who is watching an order or its chat ([`presence::Presence`],
//!   in-process for now).
//! - [`recovery`]: the one recovery rule (replay, or snapshot).
//! - [`session`]: [`Session`], one client's subscriptions and frames,
//!   shared by every real-time transport.
//! - [`protocol`]: the frames of protocol v1 and their codes.
//! - [`cursor`]: [`StreamCursor`], every topic's position in one opaque
//!   string (SSE `id:`, long-poll `cursor`).
//! - [`idempotency`]: idempotency keys for REST and `mutate`.
//! - [`metrics`]: the node's metric names, what the gateway counts, and
//!   the timing decorators of the store and the broker.
//! - [`ops`]: the ops console's figures: counted beside the metrics,
//!   published by every node each second on the operators' `ops` topic.
//!
//! [`Publication`]: trackwire_broker::Publication

pub mod audience;
pub mod cursor;
pub mod error;
pub mod hub;
pub mod idempotency;
pub mod metrics;
pub mod ops;
pub mod orders;
pub mod outbox;
pub mod presence;
pub mod protocol;
pub mod publish;
pub mod recovery;
pub mod session;

pub use cursor::StreamCursor;
pub use error::{GatewayError, Kind, Problem, RETRY_AFTER_SECS};
pub use hub::{Hub, HubConfig, Subscriber, SubscriberId};
pub use orders::{CreateOrder, OrderService, RecordOutcome};
pub use outbox::{Asks, Closed, Control, Outbox, Outgoing, Pushed};
pub use session::{Session, SessionConfig};
