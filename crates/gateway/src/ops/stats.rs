//! [`NodeStats`]: one node's figures at one tick, and the [`Meter`] that
//! makes them from the [`counters`](super::counters) and the hub: rates
//! between two ticks, refusals over the last minute.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use trackwire_domain::Code;

use super::counters::{self, Totals, LAG_BUCKETS_MS, TRANSPORTS};
use crate::hub::Hub;

/// How many topics a snapshot names.
pub const BUSIEST_TOPICS: usize = 10;
/// The window of "recent" refusals and cuts.
const RECENT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeStats {
    /// The node's id (`--node-id`; the host name by default).
    pub node: String,
    /// When measured, in ms since 1970: the signal's latest-wins `ts`.
    pub ts: u64,
    pub uptime_seconds: u64,
    /// Open real-time connections by transport (`ws`, `sse`, `longpoll`).
    pub connections: BTreeMap<String, i64>,
    /// Live events written to clients per second, over the last tick.
    pub deliveries_per_second: f64,
    /// Live events written to clients since the node started.
    pub deliveries: u64,
    /// Connections cut as slow consumers since start, and in the last minute.
    pub slow_consumer_cuts: u64,
    pub slow_consumer_cuts_recent: u64,
    /// Refusals (any error code a client was given) by code, busiest first.
    pub refusals: Vec<Refusals>,
    /// The busiest topics on this node.
    pub topics: Vec<TopicLoad>,
    /// Clients' reported lag since start (`POST /v1/telemetry`).
    pub client_lag: LagHistogram,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Refusals {
    pub code: String,
    /// In the last minute.
    pub recent: u64,
    /// Since the node started.
    pub total: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TopicLoad {
    pub tenant: String,
    pub topic: String,
    /// Subscriptions on this node, every audience's together.
    pub subscribers: usize,
    /// Publications per second over the last tick.
    pub per_second: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LagHistogram {
    /// Upper bounds of the buckets in ms; `counts` has one more, above the
    /// last bound.
    pub bounds_ms: Vec<f64>,
    pub counts: Vec<u64>,
}

/// One node's clock for its figures: what was counted at earlier ticks.
pub(crate) struct Meter {
    node: String,
    started: Instant,
    /// Totals at each tick of the last minute, oldest first.
    history: VecDeque<(Instant, Totals)>,
    /// Each topic's publications at the last tick.
    published: HashMap<(Arc<str>, Arc<str>), u64>,
}

impl Meter {
    pub(crate) fn new(node: &str) -> Self {
        Self {
            node: node.to_owned(),
            started: Instant::now(),
            history: VecDeque::new(),
            published: HashMap::new(),
        }
    }

    pub(crate) fn measure(&mut self, hub: &Hub) -> NodeStats {
        let now = Instant::now();
        let totals = counters::totals();
        while self
            .history
            .front()
            .is_some_and(|(at, _)| now.duration_since(*at) > RECENT)
        {
            self.history.pop_front();
        }
        let last = self.history.back().cloned();
        let minute_ago = self
            .history
            .front()
            .map(|(_, t)| t.clone())
            .unwrap_or_default();
        let elapsed = last
            .as_ref()
            .map_or(0.0, |(at, _)| now.duration_since(*at).as_secs_f64());
        let delivered = |t: &Totals| t.deliveries.iter().sum::<u64>();
        let deliveries = delivered(&totals);
        let deliveries_per_second = match &last {
            Some((_, before)) if elapsed > 0.0 => {
                deliveries.saturating_sub(delivered(before)) as f64 / elapsed
            }
            _ => 0.0,
        };
        let stats = NodeStats {
            node: self.node.clone(),
            ts: unix_ms(),
            uptime_seconds: self.started.elapsed().as_secs(),
            connections: TRANSPORTS
                .iter()
                .zip(totals.connections)
                .map(|(name, open)| ((*name).to_owned(), open))
                .collect(),
            deliveries_per_second,
            deliveries,
            slow_consumer_cuts: totals.slow_consumer_cuts,
            slow_consumer_cuts_recent: totals
                .slow_consumer_cuts
                .saturating_sub(minute_ago.slow_consumer_cuts),
            refusals: refusals(&totals, &minute_ago),
            topics: self.busiest(hub, elapsed),
            client_lag: LagHistogram {
                bounds_ms: LAG_BUCKETS_MS.to_vec(),
                counts: totals.client_lag.clone(),
            },
        };
        self.history.push_back((now, totals));
        stats
    }

    /// The topics with the most publications per second (then the most
    /// subscribers), the `ops` topic itself left out.
    fn busiest(&mut self, hub: &Hub, elapsed: f64) -> Vec<TopicLoad> {
        let ops = super::channel();
        // Each audience has a channel of its own: a topic's subscribers are
        // their sum, its publications the most any one of them carried.
        let mut topics: HashMap<(Arc<str>, Arc<str>), (usize, u64)> = HashMap::new();
        for load in hub.loads() {
            if load.channel.tenant == ops.tenant {
                continue;
            }
            let entry = topics
                .entry((load.channel.tenant.clone(), load.channel.topic.clone()))
                .or_default();
            entry.0 += load.subscribers;
            entry.1 = entry.1.max(load.published);
        }
        let mut out: Vec<TopicLoad> = topics
            .iter()
            .map(|((tenant, topic), &(subscribers, published))| {
                // A topic first watched since the last tick: all of its
                // publications came since then.
                let before = self.published.get(&(tenant.clone(), topic.clone()));
                let per_second = if elapsed > 0.0 {
                    published.saturating_sub(before.copied().unwrap_or(0)) as f64 / elapsed
                } else {
                    0.0
                };
                TopicLoad {
                    tenant: tenant.to_string(),
                    topic: topic.to_string(),
                    subscribers,
                    per_second,
                }
            })
            .collect();
        self.published = topics
            .into_iter()
            .map(|(key, (_, published))| (key, published))
            .collect();
        out.sort_by(|a, b| {
            b.per_second
                .total_cmp(&a.per_second)
                .then(b.subscribers.cmp(&a.subscribers))
                .then_with(|| (&a.tenant, &a.topic).cmp(&(&b.tenant, &b.topic)))
        });
        out.truncate(BUSIEST_TOPICS);
        out
    }
}

/// Codes refused at least once, the most in the last minute first.
fn refusals(totals: &Totals, minute_ago: &Totals) -> Vec<Refusals> {
    let mut out: Vec<Refusals> = Code::ALL
        .iter()
        .zip(&totals.refusals)
        .enumerate()
        .filter(|(_, (_, &total))| total > 0)
        .map(|(i, (code, &total))| Refusals {
            code: code.as_str().to_owned(),
            recent: total.saturating_sub(minute_ago.refusals.get(i).copied().unwrap_or(0)),
            total,
        })
        .collect();
    out.sort_by(|a, b| b.recent.cmp(&a.recent).then(b.total.cmp(&a.total)));
    out
}

fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
