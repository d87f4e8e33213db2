//! `GET /metrics` of the real binary after real traffic: an order created,
//! a WebSocket subscribed, events recorded and delivered, refused tokens;
//! the text format scraped and parsed, and the counters moved by what was
//! done.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::Server;
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

const SECRET: &str = "metrics-test-secret-0123456789abcdef";
const EVENTS: usize = 5;

fn token(sub: &str, role: &str) -> String {
    common::token(SECRET, sub, role)
}

/// A free loopback port (taken back by the server a moment later).
fn free_port() -> u16 {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    probe.local_addr().expect("addr").port()
}

/// The binary with keys and `--metrics-listen` on a free port; the
/// metrics URL.
fn serve_with_metrics(data_dir: &std::path::Path) -> (Server, String) {
    let data = data_dir.to_str().expect("utf-8");
    let metrics_addr = format!("127.0.0.1:{}", free_port());
    let server = Server::start(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--data-dir",
        data,
        "--jwt-secret",
        SECRET,
        "--metrics-listen",
        &metrics_addr,
    ]);
    (server, format!("http://{metrics_addr}/metrics"))
}

/// One scrape: every sample by series name, with its labels.
struct Scrape(Vec<(String, HashMap<String, String>, f64)>);

impl Scrape {
    fn parse(text: &str) -> Self {
        let mut samples = Vec::new();
        for line in text
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            let (series, value) = line.rsplit_once(' ').expect("sample line");
            let value: f64 = value.parse().expect("sample value");
            let (name, labels) = match series.split_once('{') {
                None => (series.to_owned(), HashMap::new()),
                Some((name, rest)) => {
                    let rest = rest.strip_suffix('}').expect("closing brace");
                    let labels = rest
                        .split(',')
                        .filter(|pair| !pair.is_empty())
                        .map(|pair| {
                            let (k, v) = pair.split_once('=').expect("label");
                            (k.to_owned(), v.trim_matches('"').to_owned())
                        })
                        .collect();
                    (name.to_owned(), labels)
                }
            };
            samples.push((name, labels, value));
        }
        Self(samples)
    }

    /// The sum of the series `name` whose labels include `labels`.
    fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.0
            .iter()
            .filter(|(n, l, _)| {
                n == name
                    && labels
                        .iter()
                        .all(|(k, v)| l.get(*k).map(String::as_str) == Some(*v))
            })
            .map(|(_, _, v)| v)
            .sum()
    }
}

async fn scrape(client: &reqwest::Client, url: &str) -> Scrape {
    let response = client.get(url).send().await.expect("scrape");
    assert_eq!(response.status(), 200);
    let kind = response.headers()["content-type"].to_str().expect("type");
    assert!(kind.starts_with("text/plain"), "{kind}");
    Scrape::parse(&response.text().await.expect("body"))
}

async fn next_json(
    socket: &mut (impl StreamExt<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin),
) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a frame in time")
            .expect("open")
            .expect("frame");
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).expect("json frame");
        }
    }
}

#[tokio::test]
async fn metrics_count_real_traffic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (server, metrics) = serve_with_metrics(dir.path());
    let client = reqwest::Client::new();
    let base = server.base.clone();

    // Not on the public listener.
    let public = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .expect("get");
    let body = public.text().await.expect("body");
    assert!(
        !body.contains("trackwire_"),
        "metrics on the public listener"
    );

    let service = token("backend", "service");
    let created = client
        .post(format!("{base}/v1/orders"))
        .bearer_auth(&service)
        .json(&json!({"id": "M-1", "customer": "c", "items": [{"name": "Tea"}], "address": "1 Main St"}))
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), 201);

    let mut request = (base.replace("http://", "ws://") + "/v1/ws")
        .into_client_request()
        .expect("request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "trackwire.v1.json".parse().expect("header"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.expect("ws");
    let auth = json!({"type": "auth", "token": token("dispatch-1", "dispatcher")});
    socket
        .send(Message::text(auth.to_string()))
        .await
        .expect("auth");
    let subscribe = json!({"type": "subscribe", "topic": "order:M-1"});
    socket
        .send(Message::text(subscribe.to_string()))
        .await
        .expect("subscribe");
    while next_json(&mut socket).await["type"] != "subscribed" {}

    let before = scrape(&client, &metrics).await;
    assert_eq!(
        before.value("trackwire_connections", &[("transport", "ws")]),
        1.0
    );
    assert!(before.value("trackwire_subscriptions", &[]) >= 1.0);
    assert!(before.value("trackwire_replays_total", &[("outcome", "snapshot")]) >= 1.0);

    for n in 0..EVENTS {
        let recorded = client
            .post(format!("{base}/v1/orders/M-1/events"))
            .bearer_auth(&service)
            .json(&json!({"type": "instructions_changed", "text": format!("gate {n}")}))
            .send()
            .await
            .expect("record");
        assert_eq!(recorded.status(), 201);
    }
    let mut events = 0;
    while events < EVENTS {
        if next_json(&mut socket).await["event"]["type"] == "instructions_changed" {
            events += 1;
        }
    }

    // Refused credentials, each with its code.
    let malformed = client
        .get(format!("{base}/v1/orders"))
        .bearer_auth("not-a-token")
        .send()
        .await
        .expect("get");
    assert_eq!(malformed.status(), 401);
    let forged = {
        let mut parts: Vec<String> = service.split('.').map(str::to_owned).collect();
        parts[2] = "AAAA".repeat(10);
        parts.join(".")
    };
    let signature = client
        .get(format!("{base}/v1/orders"))
        .bearer_auth(forged)
        .send()
        .await
        .expect("get");
    assert_eq!(signature.status(), 401);

    let after = scrape(&client, &metrics).await;
    let delivered = after.value("trackwire_deliveries_total", &[("transport", "ws")])
        - before.value("trackwire_deliveries_total", &[("transport", "ws")]);
    assert!(
        delivered >= EVENTS as f64,
        "deliveries moved by {delivered}"
    );
    assert!(
        after.value("trackwire_bytes_out_total", &[("transport", "ws")])
            > before.value("trackwire_bytes_out_total", &[("transport", "ws")])
    );
    let refused = |code| {
        after.value("trackwire_auth_refusals_total", &[("code", code)])
            - before.value("trackwire_auth_refusals_total", &[("code", code)])
    };
    assert_eq!(refused("token_malformed"), 1.0);
    assert_eq!(refused("token_signature"), 1.0);
    let records = after.value(
        "trackwire_store_seconds_count",
        &[("op", "record"), ("outcome", "ok")],
    );
    assert!(records >= EVENTS as f64, "store records timed: {records}");
    assert!(after.value("trackwire_broker_publish_seconds_count", &[]) >= EVENTS as f64);
    assert!(after.value("trackwire_event_lag_seconds_count", &[("transport", "ws")]) >= 1.0);
    assert!(
        after.value(
            "trackwire_outbound_queue_depth_count",
            &[("transport", "ws")]
        ) >= 1.0
    );

    // Closed: the gauges come back down, the close is counted.
    socket.close(None).await.expect("close");
    drop(socket);
    let mut last = after;
    for _ in 0..50 {
        last = scrape(&client, &metrics).await;
        if last.value("trackwire_connections", &[("transport", "ws")]) == 0.0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        last.value("trackwire_connections", &[("transport", "ws")]),
        0.0
    );
    assert_eq!(last.value("trackwire_subscriptions", &[]), 0.0);
    assert!(last.value("trackwire_closes_total", &[("transport", "ws")]) >= 1.0);
}

#[tokio::test]
async fn telemetry_reports_become_tenant_histograms() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (server, metrics) = serve_with_metrics(dir.path());
    let client = reqwest::Client::new();
    let url = format!("{}/v1/telemetry", server.base);
    let customer = token("cust-1", "customer");
    let post = |body: Value, token: Option<&str>| {
        let mut request = client.post(&url).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    let error_code = |body: Value| body["error"]["code"].as_str().unwrap_or("").to_owned();

    let taken = post(
        json!({"lagMs": [12, 250.5, 3000], "degradedMs": [4500]}),
        Some(&customer),
    )
    .await
    .expect("post");
    assert_eq!(taken.status(), 204);
    let empty = post(json!({}), Some(&customer)).await.expect("post");
    assert_eq!(empty.status(), 204);

    let anonymous = post(json!({"lagMs": [1]}), None).await.expect("post");
    assert_eq!(anonymous.status(), 401);
    let negative = post(json!({"lagMs": [1, -5]}), Some(&customer))
        .await
        .expect("post");
    assert_eq!(negative.status(), 422);
    let body: Value = negative.json().await.expect("json");
    assert_eq!(error_code(body.clone()), "validation_failed");
    assert!(body.to_string().contains("lagMs[1]"), "{body}");
    let many = post(json!({"degradedMs": vec![1; 101]}), Some(&customer))
        .await
        .expect("post");
    assert_eq!(many.status(), 422);
    let unknown = post(json!({"lag": [1]}), Some(&customer))
        .await
        .expect("post");
    assert_eq!(unknown.status(), 422);
    let huge = client
        .post(&url)
        .bearer_auth(&customer)
        .header("content-type", "application/json")
        .body(format!("{{\"lagMs\":[{}1]}}", "1,".repeat(5000)))
        .send()
        .await
        .expect("post");
    assert_eq!(huge.status(), 413);
    assert_eq!(
        error_code(huge.json().await.expect("json")),
        "payload_too_large"
    );

    let scraped = scrape(&client, &metrics).await;
    let tenant = [("tenant", "acme")];
    assert_eq!(
        scraped.value("trackwire_client_lag_seconds_count", &tenant),
        3.0
    );
    let sum = scraped.value("trackwire_client_lag_seconds_sum", &tenant);
    assert!((sum - 3.2625).abs() < 1e-9, "lag sum {sum}");
    assert_eq!(
        scraped.value("trackwire_client_degraded_seconds_count", &tenant),
        1.0
    );
    assert_eq!(
        scraped.value(
            "trackwire_client_degraded_seconds_bucket",
            &[("tenant", "acme"), ("le", "5")]
        ),
        1.0
    );
}
