//! # trackwire-gateway
//!
//! The real-time core, between the transports (REST, WebSocket, SSE,
//! long-poll) and the store and broker. Transports call in here; nothing in
//! here knows about sockets or HTTP.
//!
//! - [`orders`]: [`OrderService`], the one path every write and read takes:
//!   authorization, store, then publish.
//! - [`publish`]: turns stored events and signals into [`Publication`]s,
//!   serialized once.
//! - [`hub`]: [`Hub`], this node's fan-out from broker channels to local
//!   subscribers.
//! - [`outbox`]: [`Outbox`], the bounded per-subscriber queue: latest-wins
//!   coalescing of signals, and where a slow consumer is cut.
//!
//! [`Publication`]: trackwire_broker::Publication

pub mod error;
pub mod hub;
pub mod orders;
pub mod outbox;
pub mod protocol;
pub mod publish;

pub use error::GatewayError;
pub use hub::{Hub, Subscriber, SubscriberId};
pub use orders::{CreateOrder, OrderService, RecordOutcome};
pub use outbox::{Closed, Outbox, Pushed};
