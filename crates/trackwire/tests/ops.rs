//! The ops console's data, from the real binary after real traffic: an
//! operator's `ops` subscription and `GET /v1/ops/stats` show the
//! WebSocket and SSE clients opened here, the deliveries they got, the
//! busiest topic and the refusals; a tenant's admin and a caller without a
//! token are refused, on every path to the data.

mod common;

use common::clients::Watcher;
use common::Server;
use serde_json::{json, Value};

const SECRET: &str = "ops-test-secret-0123456789abcdef0123";
const EVENTS: u64 = 3;

fn token(sub: &str, role: &str) -> String {
    common::token(SECRET, sub, role)
}

fn serve(dir: &std::path::Path) -> Server {
    Server::start(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--data-dir",
        dir.to_str().expect("utf-8"),
        "--jwt-secret",
        SECRET,
        "--node-id",
        "ops-node-1",
    ])
}

async fn stats(client: &reqwest::Client, base: &str, bearer: Option<&str>) -> (u16, Value) {
    let mut request = client.get(format!("{base}/v1/ops/stats"));
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    let response = request.send().await.expect("ops stats");
    let status = response.status().as_u16();
    (status, response.json().await.expect("json"))
}

/// A node's figures show this test's traffic.
fn shows_the_traffic(node: &Value) -> bool {
    let topic = node["topics"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["topic"] == "order:O-1");
    let refused = |code: &str| {
        node["refusals"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|r| r["code"] == code && r["total"].as_u64() >= Some(1))
    };
    node["node"] == "ops-node-1"
        // The operator's own socket and the dispatcher's.
        && node["connections"]["ws"].as_i64() >= Some(2)
        && node["connections"]["sse"].as_i64() >= Some(1)
        // Every event to both watchers of O-1.
        && node["deliveries"].as_u64() >= Some(2 * EVENTS)
        && topic.is_some_and(|t| t["tenant"] == "acme" && t["subscribers"].as_u64() >= Some(2))
        && refused("forbidden")
        && refused("unauthorized")
}

#[tokio::test]
async fn operators_see_every_node_live_and_nobody_else_does() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = serve(dir.path());
    let base = server.base.clone();
    let ws_url = base.replace("http://", "ws://") + "/v1/ws";
    let client = reqwest::Client::new();
    let (operator, admin) = (token("ops-1", "operator"), token("admin-1", "admin"));

    // Refused: no token, and a tenant's admin (the figures name every
    // tenant's topics), on REST, on the WebSocket and on SSE.
    let (status, body) = stats(&client, &base, None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("unauthorized"))
    );
    let (status, body) = stats(&client, &base, Some(&admin)).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("forbidden")),
        "{body}"
    );
    let mut tenant_admin = Watcher::connect_as(&ws_url, &admin).await;
    tenant_admin
        .send(json!({"type": "subscribe", "topic": "ops"}))
        .await;
    let refused = tenant_admin.frames_until(|f| f["type"] == "error").await;
    assert_eq!(refused["code"], "forbidden", "{refused}");
    let sse = client
        .get(format!("{base}/v1/sse?topics=ops"))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("sse");
    assert_eq!(sse.status(), 403);
    // Operators read no tenant's orders.
    let orders = client
        .get(format!("{base}/v1/orders"))
        .bearer_auth(&operator)
        .send()
        .await
        .expect("list");
    assert_eq!(orders.status(), 403);
    drop(tenant_admin);

    // The operator's console: a snapshot of the nodes, then their signals.
    let mut console = Watcher::connect_as(&ws_url, &operator).await;
    console
        .send(json!({"type": "subscribe", "topic": "ops"}))
        .await;
    let snapshot = console.frames_until(|f| f["type"] == "snapshot").await;
    assert_eq!(snapshot["topic"], "ops");
    assert!(snapshot["nodes"].is_array(), "{snapshot}");
    let subscribed = console.frames_until(|f| f["type"] == "subscribed").await;
    assert_eq!(subscribed["topic"], "ops");

    // Traffic: a WebSocket and an SSE watcher of O-1, and events for them.
    let service = token("backend", "service");
    let created = client
        .post(format!("{base}/v1/orders"))
        .bearer_auth(&service)
        .json(&json!({"id": "O-1", "customer": "c", "items": [{"name": "Tea"}], "address": "1 Main St"}))
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), 201);
    let mut dispatcher = Watcher::connect_as(&ws_url, &token("dispatch-1", "dispatcher")).await;
    dispatcher
        .send(json!({"type": "subscribe", "topic": "order:O-1"}))
        .await;
    dispatcher.frames_until(|f| f["type"] == "subscribed").await;
    let stream = client
        .get(format!("{base}/v1/sse?topics=order:O-1"))
        .bearer_auth(&service)
        .send()
        .await
        .expect("sse");
    assert_eq!(stream.status(), 200);
    for n in 0..EVENTS {
        let recorded = client
            .post(format!("{base}/v1/orders/O-1/events"))
            .bearer_auth(&service)
            .json(&json!({"type": "instructions_changed", "text": format!("gate {n}")}))
            .send()
            .await
            .expect("record");
        assert_eq!(recorded.status(), 201);
    }
    for _ in 0..EVENTS {
        dispatcher
            .frames_until(|f| f["event"]["type"] == "instructions_changed")
            .await;
    }

    // The figures move live, on the topic...
    let live = console
        .frames_until(|f| {
            f["type"] == "event"
                && f["event"]["type"] == "node_stats"
                && shows_the_traffic(&f["event"]["payload"])
        })
        .await;
    let payload = &live["event"]["payload"];
    assert_eq!(payload["from"]["subject"], "ops-node-1");
    assert!(payload["ts"].as_u64().is_some_and(|ts| ts > 0), "{payload}");
    assert!(payload.get("seq").is_none() && live["event"].get("seq").is_none());
    // ...and the snapshot endpoint says the same.
    let (status, body) = stats(&client, &base, Some(&operator)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["node"], "ops-node-1");
    let nodes = body["nodes"].as_array().expect("nodes");
    assert_eq!(nodes.len(), 1, "one node: {body}");
    assert!(shows_the_traffic(&nodes[0]), "{body}");
    drop(stream);
    server.stop();
}
