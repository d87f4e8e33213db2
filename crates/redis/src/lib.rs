//! # trackwire-redis
//!
//! The Redis backplane of cluster mode: every node of a cluster connects
//! to one Redis, and through it
//!
//! - [`RedisBroker`] fans publications out to every node that watches
//!   their channel (pub/sub), reconnects with backoff, and says when
//!   publications may have been lost (so each node refills from the store);
//! - [`RedisPresence`] keeps who is watching what on node leases, the same
//!   on every node;
//! - [`RedisTickets`] keeps stream tickets, single use on any node.
//!
//! Each implements its seam's trait (`Broker`, `Presence`, `Tickets`) and
//! passes that trait's conformance suite. [`names`] is how keys and
//! channels are named (under a prefix, so several clusters or test runs can
//! share one Redis); [`wire`] is how a publication travels.

mod broker;
pub mod names;
mod presence;
mod tickets;
pub mod wire;

pub use broker::{RedisBroker, PING_EVERY};
pub use presence::RedisPresence;
pub use tickets::RedisTickets;

/// How long a command may take before the node treats Redis as gone.
pub const COMMAND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// A client for `url`, or why not (a malformed URL).
pub fn client(url: &str) -> Result<redis::Client, redis::RedisError> {
    redis::Client::open(url)
}

/// A connection for commands that reconnects by itself, with timeouts so a
/// Redis that went away fails a command quickly instead of hanging it.
pub async fn commands(
    client: &redis::Client,
) -> Result<redis::aio::ConnectionManager, redis::RedisError> {
    let config = redis::aio::ConnectionManagerConfig::new()
        .set_connection_timeout(Some(COMMAND_TIMEOUT))
        .set_response_timeout(Some(COMMAND_TIMEOUT))
        .set_number_of_retries(1);
    client.get_connection_manager_with_config(config).await
}
