//! # trackwire-broker
//!
//! The fan-out backplane between gateway nodes. [`Broker`] is the seam:
//! publications go in, and come out on every node that asked for their
//! channel, through the [`PublicationSink`] given at start. The broker knows
//! nothing of connections or subscribers; the gateway's hub does that.
//!
//! - [`publication`]: what travels ([`Publication`], [`Channel`]).
//! - [`memory`]: the in-process broker of embedded mode.

pub mod memory;
pub mod publication;

use std::sync::Arc;

use async_trait::async_trait;

pub use memory::MemoryBroker;
pub use publication::{Channel, Class, Publication};

/// Receives every publication for the channels this node subscribed to.
/// Called on the broker's task: it must not block.
pub trait PublicationSink: Send + Sync + 'static {
    fn deliver(&self, publication: Arc<Publication>);

    /// Publications of `scope` may have been lost on the way to this node:
    /// the broker reconnected, or it can no longer vouch for a channel.
    /// The node refills every affected channel from the store (durable
    /// events are recovered by position; signals are latest-wins and need
    /// nothing). Must not block either.
    fn lost(&self, scope: Lost);
}

/// Which channels a [`PublicationSink::lost`] is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lost {
    /// Every channel of this node (the broker connection broke and came
    /// back, so anything in between may be gone).
    All,
    /// One channel.
    Channel(Channel),
}

#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    #[error("broker not started: call start() with a sink first")]
    NotStarted,
    #[error("broker unavailable: {0}")]
    Unavailable(String),
}

/// A publish/subscribe backplane.
///
/// What every backend guarantees (checked by the conformance suite in
/// `tests/conformance`, run against each backend):
///
/// - **Subscribe is a barrier.** Once `subscribe(channel)` returned `Ok`,
///   every publication on `channel` published after that (by any node) is
///   delivered to this node's sink, unless a [`PublicationSink::lost`]
///   says otherwise. Recovery rests on it: a session joins the channel,
///   then reads the store, so an event committed after the read is
///   published after the join and arrives live; one the read saw arrives
///   as a duplicate and is dropped.
/// - **Order per publisher.** Publications of one channel published by one
///   node arrive in the order they were published. Publications of
///   different nodes may interleave in any order: the hub puts durable ones
///   back in order by position.
/// - **Bytes unchanged.** The payload arrives as it was published.
/// - **At most once, and loss is said.** Delivery may lose publications
///   (a networked broker across a reconnect), but never silently: the
///   sink's `lost` is called for what may be missing, and the node refills
///   it from the store. Durable events are never recovered from the broker.
/// - After `unsubscribe`, publications of the channel may still arrive for
///   a while; the hub drops those nobody here listens to.
#[async_trait]
pub trait Broker: Send + Sync + 'static {
    /// Gives the broker the sink that receives this node's publications.
    async fn start(&self, sink: Arc<dyn PublicationSink>) -> Result<(), BrokerError>;

    /// Sends a publication to every node subscribed to its channel.
    async fn publish(&self, publication: Publication) -> Result<(), BrokerError>;

    /// Asks for the channel's publications on this node; see the barrier
    /// above.
    async fn subscribe(&self, channel: &Channel) -> Result<(), BrokerError>;

    /// Stops the channel's publications on this node.
    async fn unsubscribe(&self, channel: &Channel) -> Result<(), BrokerError>;

    /// Whether the broker can deliver now (readiness asks). An in-process
    /// broker always can.
    fn is_connected(&self) -> bool {
        true
    }

    /// Stops the broker's background work and closes its connections; the
    /// node calls it once, at shutdown. Nothing to do by default.
    async fn close(&self) {}
}
