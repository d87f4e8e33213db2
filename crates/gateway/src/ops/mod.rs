//! The ops console's figures (`/ops`, docs/pages.md): what each node
//! measures of itself, published every second as an ephemeral signal on
//! the `ops` topic, which only operators may subscribe to.
//!
//! - [`counters`]: the atomics counted beside the Prometheus instruments
//!   (connections, deliveries, slow-consumer cuts, refusals, client lag).
//! - [`stats`]: [`NodeStats`], one node's snapshot, and the meter that
//!   turns the counters into rates between two ticks.
//! - [`board`]: [`Board`], every node's latest snapshot as this node heard
//!   it (the `ops` topic's snapshot and `GET /v1/ops/stats`).
//!
//! The topic is the installation's, not a tenant's: its channel has a
//! tenant of its own that no token reaches (only the ops subscribe path
//! builds it, for operators), and nodes publish on it through the broker,
//! so one console sees every node of a cluster.

pub mod board;
pub mod counters;
pub mod stats;

use std::sync::{Arc, Weak};
use std::time::Duration;

use chrono::Utc;
use serde::Serialize;
use trackwire_broker::{BrokerError, Channel, Class, Publication};
use trackwire_domain::envelope::raw_payload;
use trackwire_domain::{new_event_id, Audience, Envelope, PAYLOAD_VERSION};

pub use board::Board;
pub use stats::NodeStats;

use crate::hub::Hub;
use crate::protocol::server::event_frame;
use stats::Meter;

/// The topic operators subscribe to.
pub const OPS_TOPIC: &str = "ops";
/// The event type of a node's snapshot on it.
pub const STATS_EVENT: &str = "node_stats";
/// How often a node publishes its figures by default.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(1);
/// The `ops` channel's tenant. A tenant of this name could not reach the
/// channel anyway: the session builds it only for operators.
const OPS_TENANT: &str = "*installation*";

/// The one channel of the `ops` topic.
pub fn channel() -> Channel {
    Channel::new(OPS_TENANT, OPS_TOPIC, Audience::Staff)
}

/// Starts this node's board: it listens to every node's figures on the
/// broker and publishes this node's own every `interval`, until the hub is
/// dropped.
pub async fn start(
    hub: &Arc<Hub>,
    node: String,
    interval: Duration,
) -> Result<Arc<Board>, BrokerError> {
    // Five missed ticks and a node is taken for gone.
    let board = Arc::new(Board::new(node, interval * 5));
    hub.subscribe(&channel(), board.clone()).await?;
    hub.set_ops(board.clone());
    tokio::spawn(publish_every(Arc::downgrade(hub), board.clone(), interval));
    Ok(board)
}

async fn publish_every(hub: Weak<Hub>, board: Arc<Board>, interval: Duration) {
    let mut meter = Meter::new(board.node());
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let Some(hub) = hub.upgrade() else { return };
        let stats = meter.measure(&hub);
        board.record(stats.clone());
        if let Err(error) = hub.broker().publish(publication(&stats)).await {
            tracing::debug!(%error, "could not publish this node's ops figures");
        }
    }
}

/// A snapshot as a signal: latest-wins per node (the SDK keys signals by
/// `from.subject`, and orders them by `ts`).
fn publication(stats: &NodeStats) -> Publication {
    #[derive(Serialize)]
    struct Sender<'a> {
        subject: &'a str,
        role: &'static str,
    }
    #[derive(Serialize)]
    struct Signal<'a> {
        from: Sender<'a>,
        #[serde(flatten)]
        stats: &'a NodeStats,
    }
    let payload = serde_json::to_string(&Signal {
        from: Sender {
            subject: &stats.node,
            role: "node",
        },
        stats,
    })
    .unwrap_or_else(|_| "{}".into());
    let envelope = Envelope {
        id: new_event_id(),
        event_type: STATS_EVENT.to_owned(),
        topic: OPS_TOPIC.to_owned(),
        seq: None,
        epoch: None,
        offset: None,
        occurred_at: Utc::now(),
        version: PAYLOAD_VERSION,
        payload: raw_payload(payload),
    };
    Publication {
        channel: channel(),
        class: Class::Ephemeral {
            key: format!("{STATS_EVENT}:{}", stats.node).into(),
        },
        payload: event_frame(&envelope.to_json()),
    }
}
