//! The backends a node runs on, picked once at start from the URLs'
//! schemes: the store (`sqlite://` embedded, `postgres://` cluster) and
//! the backplane (`memory` embedded; `redis://` cluster, where broker,
//! presence and stream tickets all live in Redis).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use trackwire_auth::{TicketBook, Tickets};
use trackwire_broker::{Broker, MemoryBroker};
use trackwire_gateway::presence::{LocalPresence, Presence};
use trackwire_redis::{RedisBroker, RedisPresence, RedisTickets};
use trackwire_server::rest::TICKET_TTL;
use trackwire_store::postgres::PostgresStore;
use trackwire_store::sqlite::SqliteStore;
use trackwire_store::Store;

use crate::cli::CommonArgs;

/// Opens the store named by `--store` (default: SQLite in `data_dir`).
pub(crate) async fn open_store(common: &CommonArgs, data_dir: &Path) -> Result<Arc<dyn Store>> {
    let store: Arc<dyn Store> = match common.store.as_deref() {
        None => Arc::new(
            SqliteStore::open(data_dir)
                .await
                .context("cannot open the store")?,
        ),
        Some(url) if url.starts_with("sqlite:") => Arc::new(
            SqliteStore::connect(url)
                .await
                .context("cannot open the store")?,
        ),
        Some(url) if url.starts_with("postgres:") || url.starts_with("postgresql:") => {
            let store = PostgresStore::connect(url)
                .await
                .context("cannot open the PostgreSQL store")?;
            tracing::info!("cluster mode: the store of record is PostgreSQL");
            Arc::new(store)
        }
        Some(url) => bail!("unknown store URL '{url}': expected sqlite://PATH or postgres://…"),
    };
    Ok(store)
}

/// What nodes share besides the store.
pub(crate) struct Backplane {
    pub(crate) broker: Arc<dyn Broker>,
    pub(crate) presence: Arc<dyn Presence>,
    pub(crate) tickets: Arc<dyn Tickets>,
}

/// Connects the backplane named by `--broker` for node `node`; `lease` is
/// how long a presence entry outlives its node.
pub(crate) async fn open_backplane(
    common: &CommonArgs,
    node: &str,
    lease: Duration,
) -> Result<Backplane> {
    match common.broker.as_str() {
        "memory" => Ok(Backplane {
            broker: Arc::new(MemoryBroker::new()),
            presence: Arc::new(LocalPresence::with_lease(lease)),
            tickets: Arc::new(TicketBook::new(TICKET_TTL)),
        }),
        url if url.starts_with("redis") => {
            let client = trackwire_redis::client(url)
                .with_context(|| format!("--broker {url} is not a Redis URL"))?;
            let prefix = &common.redis_prefix;
            let broker = RedisBroker::connect(client.clone(), prefix)
                .await
                .with_context(|| format!("cannot reach Redis at {url}"))?;
            let presence = RedisPresence::connect(&client, prefix, node, lease)
                .await
                .with_context(|| format!("cannot reach Redis at {url}"))?;
            let tickets = RedisTickets::connect(&client, prefix, TICKET_TTL)
                .await
                .with_context(|| format!("cannot reach Redis at {url}"))?;
            tracing::info!(%node, prefix, "cluster mode: the backplane is Redis");
            Ok(Backplane {
                broker: Arc::new(broker),
                presence: Arc::new(presence),
                tickets: Arc::new(tickets),
            })
        }
        url => bail!("unknown broker '{url}': expected memory or redis://HOST:PORT"),
    }
}

/// `--node-id`, or `host-pid-xxxx`: unique among the nodes of a cluster.
pub(crate) fn node_id(common: &CommonArgs) -> String {
    common.node_id.clone().unwrap_or_else(default_node_id)
}

fn default_node_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "node".into());
    format!(
        "{host}-{}-{:04x}",
        std::process::id(),
        rand::random::<u16>()
    )
}
