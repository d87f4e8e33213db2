//! The ops console in cluster mode: three `trackwire serve` processes on
//! one PostgreSQL and one Redis. Each node publishes its figures on the
//! `ops` topic through Redis, so an operator connected to any one node
//! sees all three, each with its own connections.
//!
//! Needs PostgreSQL and Redis (`scripts/services` starts them); fails
//! without them unless `TRACKWIRE_ALLOW_SKIP=1`.

mod common;

use std::time::Duration;

use common::clients::{Watcher, PATIENCE};
use common::cluster::{redis_url, services_answer, token, Cluster, ClusterSetup, Database};
use serde_json::{json, Value};
use trackwire_auth::Role;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_console_sees_every_node_of_the_cluster() {
    if !services_answer() {
        return;
    }
    let db = Database::fresh().expect("create the test database");
    let cluster = Cluster::start(ClusterSetup {
        nodes: 3,
        store: &db.url,
        redis: redis_url(),
        extra: Vec::new(),
    });
    // The console on node 0; two more WebSockets on node 2.
    let mut console = Watcher::connect_as(
        &cluster.ws_url(0, "/v1/ws"),
        &token("ops-1", Role::Operator),
    )
    .await;
    console
        .send(json!({"type": "subscribe", "topic": "ops"}))
        .await;
    console.frames_until(|f| f["type"] == "subscribed").await;
    let mut others = Vec::new();
    for n in 0..2 {
        others.push(
            Watcher::connect_as(
                &cluster.ws_url(2, "/v1/ws"),
                &token(&format!("d-{n}"), Role::Dispatcher),
            )
            .await,
        );
    }
    let figures = |f: &Value, node: &str| {
        f["type"] == "event"
            && f["event"]["type"] == "node_stats"
            && f["event"]["payload"]["node"] == node
    };
    let node_2 = console
        .frames_until(|f| figures(f, "node-2") && f["event"]["payload"]["connections"]["ws"] == 2)
        .await;
    assert_eq!(node_2["event"]["payload"]["from"]["subject"], "node-2");
    console.frames_until(|f| figures(f, "node-1")).await;
    // Node 0 counts the console itself.
    console
        .frames_until(|f| figures(f, "node-0") && f["event"]["payload"]["connections"]["ws"] == 1)
        .await;

    // Node 1 answers the REST snapshot with every node it heard (asked
    // again until it heard the three: its broker runs apart from node 0's).
    let http = reqwest::Client::new();
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let stats: Value = http
            .get(format!("{}/v1/ops/stats", cluster.base(1)))
            .bearer_auth(token("ops-1", Role::Operator))
            .send()
            .await
            .expect("stats")
            .json()
            .await
            .expect("json");
        assert_eq!(stats["node"], "node-1");
        let ids: Vec<&str> = stats["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .filter_map(|n| n["node"].as_str())
            .collect();
        if ids == ["node-0", "node-1", "node-2"] {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{stats}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
