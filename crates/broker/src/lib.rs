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
/// Guarantees: publications of one channel published by one node reach
/// every subscribed node in the order they were published; the payload
/// bytes arrive unchanged. Delivery is at-most-once: a durable event lost
/// on the way is recovered by clients from the store (by `seq`), never by
/// the broker.
#[async_trait]
pub trait Broker: Send + Sync + 'static {
    /// Gives the broker the sink that receives this node's publications.
    async fn start(&self, sink: Arc<dyn PublicationSink>) -> Result<(), BrokerError>;

    /// Sends a publication to every node subscribed to its channel.
    async fn publish(&self, publication: Publication) -> Result<(), BrokerError>;

    /// Asks for the channel's publications on this node.
    async fn subscribe(&self, channel: &Channel) -> Result<(), BrokerError>;

    /// Stops the channel's publications on this node.
    async fn unsubscribe(&self, channel: &Channel) -> Result<(), BrokerError>;
}
