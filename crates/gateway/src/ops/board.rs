//! [`Board`]: the latest figures of every node, as this node heard them on
//! the `ops` channel (its own included), for a new subscriber's snapshot
//! and `GET /v1/ops/stats`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use trackwire_broker::Publication;

use super::NodeStats;
use crate::hub::Subscriber;

pub struct Board {
    node: String,
    /// A node not heard for this long is left out (it stopped or lost the
    /// broker).
    stale_after: Duration,
    /// Per node: when it was heard, and its latest figures. Written once a
    /// second per node, never on the delivery path.
    nodes: Mutex<HashMap<String, (Instant, NodeStats)>>,
}

impl Board {
    pub fn new(node: String, stale_after: Duration) -> Self {
        Self {
            node,
            stale_after,
            nodes: Mutex::new(HashMap::new()),
        }
    }

    /// This node's id.
    pub fn node(&self) -> &str {
        &self.node
    }

    /// Keeps `stats` unless a newer snapshot of its node is there already.
    pub fn record(&self, stats: NodeStats) {
        let mut nodes = self.nodes.lock().unwrap_or_else(|e| e.into_inner());
        let newer = nodes
            .get(&stats.node)
            .is_none_or(|(_, known)| known.ts <= stats.ts);
        if newer {
            nodes.insert(stats.node.clone(), (Instant::now(), stats));
        }
    }

    /// Every node heard lately, by id.
    pub fn nodes(&self) -> Vec<NodeStats> {
        let mut nodes = self.nodes.lock().unwrap_or_else(|e| e.into_inner());
        nodes.retain(|_, (heard, _)| heard.elapsed() <= self.stale_after);
        let mut out: Vec<NodeStats> = nodes.values().map(|(_, stats)| stats.clone()).collect();
        out.sort_by(|a, b| a.node.cmp(&b.node));
        out
    }
}

impl Subscriber for Board {
    fn deliver(&self, publication: &Arc<Publication>) {
        match parse(&publication.payload) {
            Some(stats) => self.record(stats),
            None => tracing::debug!("an ops publication that is not a node's figures"),
        }
    }
}

/// A node's figures out of its `event` frame.
fn parse(frame: &[u8]) -> Option<NodeStats> {
    #[derive(serde::Deserialize)]
    struct Frame {
        event: Event,
    }
    #[derive(serde::Deserialize)]
    struct Event {
        payload: NodeStats,
    }
    serde_json::from_slice::<Frame>(frame)
        .ok()
        .map(|f| f.event.payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(node: &str, ts: u64) -> NodeStats {
        NodeStats {
            node: node.into(),
            ts,
            uptime_seconds: 1,
            connections: [("ws".to_owned(), 2)].into(),
            deliveries_per_second: 0.0,
            deliveries: 0,
            slow_consumer_cuts: 0,
            slow_consumer_cuts_recent: 0,
            refusals: vec![],
            topics: vec![],
            client_lag: super::super::stats::LagHistogram {
                bounds_ms: vec![50.0],
                counts: vec![0, 0],
            },
        }
    }

    #[test]
    fn a_node_s_published_figures_reach_the_board_latest_wins() {
        let board = Board::new("here".into(), Duration::from_secs(60));
        board.deliver(&Arc::new(super::super::publication(&stats("n2", 20))));
        // An older one of the same node (another path, late) changes nothing.
        board.deliver(&Arc::new(super::super::publication(&stats("n2", 10))));
        board.record(stats("n1", 5));
        let nodes = board.nodes();
        assert_eq!(
            nodes
                .iter()
                .map(|n| (n.node.as_str(), n.ts))
                .collect::<Vec<_>>(),
            [("n1", 5), ("n2", 20)]
        );
        assert_eq!(nodes[1].connections["ws"], 2);
    }

    #[test]
    fn a_node_not_heard_lately_is_left_out() {
        let board = Board::new("here".into(), Duration::ZERO);
        board.record(stats("gone", 1));
        std::thread::sleep(Duration::from_millis(2));
        assert!(board.nodes().is_empty());
    }

    #[test]
    fn what_is_not_a_node_s_figures_is_ignored() {
        assert!(parse(br#"{"type":"event","event":{"payload":{"x":1}}}"#).is_none());
        assert!(parse(b"not json").is_none());
    }
}
