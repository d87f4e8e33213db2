//! Per-order chat against a real server: who may read and write, a retried
//! send stored once, history pages, and live delivery with recovery by
//! `since` over WebSocket.

mod common;

use common::auth::{secured, seed, token, ws_as};
use common::TestServer;
use reqwest::Method;
use serde_json::{json, Value};
use trackwire_auth::Role;
use trackwire_server::realtime::RealtimeConfig;

async fn start() -> TestServer {
    let server = TestServer::launch(secured(RealtimeConfig::default())).await;
    seed(&server).await;
    server
}

async fn call(
    server: &TestServer,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value, bool) {
    let mut request = reqwest::Client::new()
        .request(method, server.url(path))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let replayed = response.headers().get("idempotent-replayed").is_some();
    (
        status,
        response.json().await.unwrap_or(Value::Null),
        replayed,
    )
}

fn say(text: &str, id: &str) -> Option<Value> {
    Some(json!({"text": text, "clientMessageId": id}))
}

#[tokio::test]
async fn the_parties_chat_and_nobody_else_does() {
    let server = start().await;
    let ada = token("cust-a", Role::Customer);
    // A client cannot pretend to be someone else: `from` is the server's.
    let body = Some(
        json!({"text": "Where are you?", "clientMessageId": "m1", "from": {"subject": "dana", "role": "dispatcher"}}),
    );
    let (status, sent, _) = call(&server, Method::POST, "/v1/orders/A-1/chat", &ada, body).await;
    assert_eq!(status, 201, "{sent}");
    assert_eq!(
        sent["message"]["payload"]["from"],
        json!({"subject": "cust-a", "role": "customer"})
    );
    assert_eq!(sent["message"]["topic"], "chat:A-1");
    // The order's courier, then support.
    let replies = [
        ("courier-a", Role::Courier, "5 minutes"),
        ("dana", Role::Dispatcher, "Noted"),
    ];
    for (who, role, text) in replies {
        let path = "/v1/orders/A-1/chat";
        let (status, _, _) = call(
            &server,
            Method::POST,
            path,
            &token(who, role),
            say(text, who),
        )
        .await;
        assert_eq!(status, 201, "{who} writes");
    }
    for (who, role) in [("cust-b", Role::Customer), ("courier-b", Role::Courier)] {
        let stranger = token(who, role);
        let (status, body, _) = call(
            &server,
            Method::POST,
            "/v1/orders/A-1/chat",
            &stranger,
            say("hi", "x"),
        )
        .await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (403, Some("forbidden")),
            "{who} writes"
        );
        let (status, body, _) =
            call(&server, Method::GET, "/v1/orders/A-1/chat", &stranger, None).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (403, Some("forbidden")),
            "{who} reads"
        );
    }
    let (status, body, _) = call(
        &server,
        Method::POST,
        "/v1/orders/A-1/chat",
        &ada,
        say("", "m2"),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("validation_failed"))
    );
    let (_, page, _) = call(&server, Method::GET, "/v1/orders/A-1/chat", &ada, None).await;
    let senders: Vec<_> = page["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["payload"]["from"]["subject"].clone())
        .collect();
    assert_eq!(
        senders,
        [json!("cust-a"), json!("courier-a"), json!("dana")]
    );
}

#[tokio::test]
async fn a_retried_send_appears_once_and_history_pages() {
    let server = start().await;
    let ada = token("cust-a", Role::Customer);
    let (_, first, replayed) = call(
        &server,
        Method::POST,
        "/v1/orders/A-1/chat",
        &ada,
        say("hello", "m-1"),
    )
    .await;
    assert!(!replayed);
    let (status, again, replayed) = call(
        &server,
        Method::POST,
        "/v1/orders/A-1/chat",
        &ada,
        say("hello", "m-1"),
    )
    .await;
    assert_eq!(status, 201);
    assert!(replayed, "answered as a replay");
    assert_eq!(again["message"]["seq"], first["message"]["seq"]);
    let (status, body, _) = call(
        &server,
        Method::POST,
        "/v1/orders/A-1/chat",
        &ada,
        say("changed", "m-1"),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("idempotency_key_reused"))
    );
    for n in 2..=7 {
        call(
            &server,
            Method::POST,
            "/v1/orders/A-1/chat",
            &ada,
            say(&format!("n{n}"), &format!("m-{n}")),
        )
        .await;
    }
    let mut seqs = Vec::new();
    let mut since = 0;
    loop {
        let (_, page, _) = call(
            &server,
            Method::GET,
            &format!("/v1/orders/A-1/chat?since={since}&limit=3"),
            &ada,
            None,
        )
        .await;
        seqs.extend(
            page["messages"]
                .as_array()
                .expect("messages")
                .iter()
                .map(|m| m["seq"].as_u64().expect("seq")),
        );
        match page["next"].as_u64() {
            Some(next) => since = next,
            None => break,
        }
    }
    assert_eq!(
        seqs,
        (1..=7).collect::<Vec<_>>(),
        "every message once, in order"
    );
}

#[tokio::test]
async fn chat_is_live_and_recovered_exactly_once() {
    let server = start().await;
    let ada = token("cust-a", Role::Customer);
    let courier = token("courier-a", Role::Courier);
    let mut watcher = ws_as(&server, &ada).await;
    let frames = watcher.subscribe(json!({"topic": "chat:A-1"})).await;
    let subscribed = frames.last().expect("subscribed").clone();
    let epoch = subscribed["epoch"].clone();
    let mut sender = ws_as(&server, &courier).await;
    let publish = |text: &str, id: &str| json!({"type": "publish", "topic": "chat:A-1", "event": "chat_message", "payload": {"text": text, "clientMessageId": id}});
    sender.send(publish("On my way", "w1")).await;
    let event = loop {
        // Presence events (who joined) come on the topic too.
        let frame = watcher.recv_until("event").await.pop().expect("event");
        if frame["event"]["type"] == "chat_message" {
            break frame;
        }
    };
    assert_eq!(event["event"]["payload"]["text"], "On my way");
    assert_eq!(event["event"]["payload"]["from"]["subject"], "courier-a");
    let seen = event["event"]["seq"].as_u64().expect("seq");
    drop(watcher);

    // Missed while away, one of them sent twice.
    sender.send(publish("At the gate", "w2")).await;
    sender.send(publish("At the gate", "w2")).await;
    sender.send(publish("Ringing", "w3")).await;
    // Frames are handled in order: once the pong is back, all are stored.
    sender.send(json!({"type": "ping", "id": "sync"})).await;
    sender.recv_until("pong").await;
    let (_, page, _) = call(&server, Method::GET, "/v1/orders/A-1/chat", &ada, None).await;
    let head = page["seq"].as_u64().expect("seq");
    assert_eq!(head, seen + 2, "the retried send is stored once");

    let mut back = ws_as(&server, &ada).await;
    let frames = back
        .subscribe(json!({"topic": "chat:A-1", "since": seen, "epoch": epoch}))
        .await;
    let texts: Vec<_> = frames
        .iter()
        .filter(|f| f["type"] == "event")
        .map(|f| f["event"]["payload"]["text"].clone())
        .collect();
    assert_eq!(texts, [json!("At the gate"), json!("Ringing")]);
    assert_eq!(frames.last().expect("subscribed")["recovered"], true);
}

#[tokio::test]
async fn typing_names_the_typist_and_only_the_parties_may_type() {
    let server = start().await;
    let mut dana = ws_as(&server, &token("dana", Role::Dispatcher)).await;
    dana.subscribe(json!({"topic": "chat:A-1"})).await;
    let typing = |active: bool| json!({"type": "publish", "topic": "chat:A-1", "event": "typing", "payload": {"active": active, "ts": 1}});
    let mut typists = Vec::new();
    for (who, role) in [("cust-a", Role::Customer), ("courier-a", Role::Courier)] {
        let mut client = ws_as(&server, &token(who, role)).await;
        client.send(typing(true)).await;
        typists.push(client);
    }
    // Both typists arrive: typing is latest-wins per person, not per topic.
    let mut seen = Vec::new();
    while seen.len() < 2 {
        let frame = dana.recv_until("event").await.pop().expect("event");
        if frame["event"]["type"] == "typing" {
            assert_eq!(frame["event"]["payload"]["active"], true);
            seen.push(
                frame["event"]["payload"]["from"]["subject"]
                    .as_str()
                    .expect("from")
                    .to_owned(),
            );
        }
    }
    seen.sort();
    assert_eq!(seen, ["courier-a", "cust-a"]);

    let mut stranger = ws_as(&server, &token("cust-b", Role::Customer)).await;
    stranger.send(typing(true)).await;
    let error = stranger.recv_until("error").await.pop().expect("error");
    assert_eq!(error["code"], "forbidden");
}

/// A client on a one-way transport (SSE, long-poll) says it is typing over
/// REST; the chat's watchers get the same signal as from a WebSocket.
#[tokio::test]
async fn typing_over_rest_reaches_the_watchers() {
    let server = start().await;
    let mut dana = ws_as(&server, &token("dana", Role::Dispatcher)).await;
    dana.subscribe(json!({"topic": "chat:A-1"})).await;

    let ada = token("cust-a", Role::Customer);
    let path = "/v1/orders/A-1/chat/typing";
    for active in [true, false] {
        let (status, body, _) = call(
            &server,
            Method::POST,
            path,
            &ada,
            Some(json!({"active": active})),
        )
        .await;
        assert_eq!(status, 204, "{body}");
        let frame = dana.recv_until("event").await.pop().expect("event");
        let payload = &frame["event"]["payload"];
        assert_eq!(frame["event"]["type"], "typing");
        assert_eq!(payload["active"], active);
        assert_eq!(payload["from"]["subject"], "cust-a", "named by the server");
        assert!(payload["ts"].as_i64() > Some(0), "the server's clock");
    }

    let refusals = [
        (
            token("cust-b", Role::Customer),
            path,
            json!({"active": true}),
            403,
            "forbidden",
        ),
        (
            ada.clone(),
            "/v1/orders/NOPE-9/chat/typing",
            json!({"active": true}),
            404,
            "order_not_found",
        ),
        (
            ada.clone(),
            path,
            json!({"active": "yes"}),
            422,
            "validation_failed",
        ),
    ];
    for (who, path, body, code, error) in refusals {
        let (status, answer, _) = call(&server, Method::POST, path, &who, Some(body)).await;
        assert_eq!(
            (status, answer["error"]["code"].as_str()),
            (code, Some(error)),
            "{path}: {answer}"
        );
    }
}

#[tokio::test]
async fn read_receipts_are_kept_forward_only_and_shown_to_the_others() {
    let server = start().await;
    let ada = token("cust-a", Role::Customer);
    let courier = token("courier-a", Role::Courier);
    for n in 1..=3 {
        call(
            &server,
            Method::POST,
            "/v1/orders/A-1/chat",
            &courier,
            say(&format!("c{n}"), &format!("c{n}")),
        )
        .await;
    }
    let mut max = ws_as(&server, &courier).await;
    max.subscribe(json!({"topic": "chat:A-1"})).await;

    let (status, kept, _) = call(
        &server,
        Method::POST,
        "/v1/orders/A-1/chat/read",
        &ada,
        Some(json!({"seq": 2})),
    )
    .await;
    assert_eq!((status, kept["seq"].as_u64()), (200, Some(2)));
    let receipt = loop {
        let frame = max.recv_until("event").await.pop().expect("event");
        if frame["event"]["type"] == "chat_read" {
            break frame["event"]["payload"].clone();
        }
    };
    assert_eq!(receipt["subject"], "cust-a");
    assert_eq!(receipt["seq"], 2);

    // Never back, never past the last message; over WebSocket too.
    let (_, kept, _) = call(
        &server,
        Method::POST,
        "/v1/orders/A-1/chat/read",
        &ada,
        Some(json!({"seq": 1})),
    )
    .await;
    assert_eq!(kept["seq"], 2);
    max.send(json!({"type": "publish", "topic": "chat:A-1", "event": "chat_read", "payload": {"seq": 50}})).await;
    max.send(json!({"type": "ping", "id": "sync"})).await;
    max.recv_until("pong").await;
    let (_, page, _) = call(&server, Method::GET, "/v1/orders/A-1/chat", &ada, None).await;
    assert_eq!(
        page["reads"],
        json!([{"subject": "courier-a", "seq": 3}, {"subject": "cust-a", "seq": 2}])
    );

    let (status, _, _) = call(
        &server,
        Method::POST,
        "/v1/orders/A-1/chat/read",
        &token("cust-b", Role::Customer),
        Some(json!({"seq": 1})),
    )
    .await;
    assert_eq!(status, 403, "not a party");
}
