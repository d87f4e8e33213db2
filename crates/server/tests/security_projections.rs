//! Projections by audience on every transport: what a customer's stream,
//! replay and snapshot carry over WebSocket, SSE, long-poll and REST never
//! holds what is withheld from customers (internal notes, the courier's
//! phone, the courier's position before the order is out for delivery),
//! while a dispatcher gets all of it.

mod common;

use common::auth::{secured, token, ws_as};
use common::sse::SseClient;
use common::TestServer;
use serde_json::{json, Value};
use trackwire_auth::Role;
use trackwire_server::realtime::RealtimeConfig;

const NOTE: &str = "NOTE-FOR-STAFF";
const PHONE: &str = "+49-PHONE-OF-COURIER";

async fn rest(
    server: &TestServer,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> Value {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut request = reqwest::Client::new()
        .request(method, server.url(path))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    assert!(status.is_success(), "{path}: {status} {body}");
    body
}

/// Records an event on P-1 as `token`'s bearer.
async fn record(server: &TestServer, token: &str, event: Value) -> Value {
    rest(server, "POST", "/v1/orders/P-1/events", token, Some(event)).await
}

/// True when any of the withheld markers appears in `text`.
fn leaks(text: &str) -> bool {
    text.contains(NOTE) || text.contains(PHONE) || text.contains("\"lat\"")
}

#[tokio::test]
async fn a_customer_never_receives_withheld_fields_on_any_transport() {
    let server = TestServer::launch(secured(RealtimeConfig::default())).await;
    let staff = token("dana", Role::Dispatcher);
    let courier = token("courier-p", Role::Courier);
    let customer = token("cust-p", Role::Customer);
    rest(
        &server,
        "POST",
        "/v1/orders",
        &staff,
        Some(json!({
            "id": "P-1", "customer": "cust-p", "items": [{"name": "Tea", "quantity": 1}],
            "address": "1 Main St", "internalNote": NOTE,
            "courier": {"id": "courier-p", "name": "Max", "phone": PHONE},
        })),
    )
    .await;
    record(
        &server,
        &staff,
        json!({
            "type": "status_changed", "status": "confirmed", "internalNote": NOTE,
        }),
    )
    .await;
    let location =
        json!({"type": "location", "lat": 52.5, "lng": 13.4, "ts": 1_700_000_000_000_i64});
    record(&server, &courier, location).await;

    // Snapshot and replay over WebSocket.
    let mut live = ws_as(&server, &customer).await;
    let mut frames = live.subscribe(json!({"topic": "order:P-1"})).await;
    let mut replay = ws_as(&server, &customer).await;
    let snapshot = frames.iter().find(|f| f["type"] == "snapshot");
    let epoch = snapshot.expect("a snapshot")["epoch"].clone();
    let resume = json!({"topic": "order:P-1", "since": 0, "epoch": epoch});
    frames.extend(replay.subscribe(resume.clone()).await);
    assert_eq!(
        frames.iter().filter(|f| f["type"] == "event").count(),
        2,
        "a replay of both events, none withheld: {frames:?}"
    );

    // Live: a note, a position before out_for_delivery, then a plain status.
    record(
        &server,
        &staff,
        json!({
            "type": "delayed", "reason": "traffic", "internalNote": NOTE,
        }),
    )
    .await;
    let location =
        json!({"type": "location", "lat": 52.6, "lng": 13.5, "ts": 1_700_000_001_000_i64});
    record(&server, &courier, location).await;
    record(
        &server,
        &staff,
        json!({
            "type": "status_changed", "status": "preparing",
        }),
    )
    .await;
    let until_preparing = |frames: &[Value]| {
        frames
            .iter()
            .any(|f| f["event"]["payload"]["status"] == "preparing")
    };
    let mut live_frames = Vec::new();
    while !until_preparing(&live_frames) {
        live_frames.push(live.recv().await);
    }
    assert!(
        live_frames.iter().all(|f| f["event"]["type"] != "location"),
        "no position before out_for_delivery: {live_frames:?}"
    );
    frames.extend(live_frames);

    // SSE and long-poll, with tickets of hers.
    let ticket = |server: &TestServer| {
        let customer = customer.clone();
        let url = server.url("/v1/stream-tickets");
        async move {
            let body: Value = reqwest::Client::new()
                .post(url)
                .bearer_auth(customer)
                .send()
                .await
                .expect("ticket")
                .json()
                .await
                .expect("json");
            body["ticket"].as_str().expect("ticket").to_owned()
        }
    };
    let response = reqwest::get(server.url(&format!(
        "/v1/sse?topics=order:P-1&cursor=&ticket={}",
        ticket(&server).await
    )))
    .await
    .expect("sse");
    let mut sse = SseClient::reading(response);
    frames.extend(sse.until("subscribed").await);
    let poll: Value = reqwest::get(server.url(&format!(
        "/v1/poll?topics=order:P-1&wait=0&ticket={}",
        ticket(&server).await
    )))
    .await
    .expect("poll")
    .json()
    .await
    .expect("json");
    frames.push(poll);

    // REST reads.
    frames.push(rest(&server, "GET", "/v1/orders/P-1", &customer, None).await);
    frames.push(
        rest(
            &server,
            "GET",
            "/v1/orders/P-1/events?since=0",
            &customer,
            None,
        )
        .await,
    );
    frames.push(rest(&server, "GET", "/v1/orders", &customer, None).await);

    for frame in &frames {
        assert!(
            !leaks(&frame.to_string()),
            "leaked to the customer: {frame}"
        );
    }

    // The dispatcher gets everything: the markers are really there.
    let mut dispatcher = ws_as(&server, &staff).await;
    let seen = dispatcher.subscribe(resume).await;
    let text = serde_json::to_string(&seen).expect("json");
    assert!(text.contains(NOTE) && text.contains(PHONE), "{text}");
    let snapshot = rest(&server, "GET", "/v1/orders/P-1", &staff, None).await;
    assert!(snapshot["location"]["lat"].is_number(), "{snapshot}");
}
