//! Protocol v1 over WebSocket against a real server with real
//! tokio-tungstenite clients: recovery, delivery, heartbeats, bad input,
//! mutations, final orders and drain.

mod common;

use std::time::Duration;

use common::{event_seqs, Client, Ended, TestServer};
use serde_json::json;
use trackwire_domain::OrderStatus;
use trackwire_server::realtime::RealtimeConfig;

async fn server() -> TestServer {
    TestServer::start(RealtimeConfig::default()).await
}

#[tokio::test]
async fn a_fresh_subscribe_gets_the_snapshot_then_live_events() {
    let server = server().await;
    server.create("W-1").await;
    let mut client = server.connect().await;
    let frames = client.subscribe(json!({"topic": "order:W-1"})).await;
    assert_eq!(frames.len(), 2, "{frames:?}");
    assert_eq!(frames[0]["type"], "snapshot");
    assert_eq!(frames[0]["order"]["id"], "W-1");
    assert_eq!(frames[0]["seq"], 1);
    let subscribed = &frames[1];
    assert_eq!(subscribed["seq"], 1);
    assert_eq!(subscribed["recovered"], false);
    assert_eq!(subscribed["epoch"], frames[0]["epoch"]);

    server.status("W-1", OrderStatus::Confirmed).await;
    let event = client.recv().await;
    assert_eq!(event["type"], "event");
    assert_eq!(event["event"]["seq"], 2);
    assert_eq!(event["event"]["type"], "status_changed");
    assert_eq!(event["event"]["payload"]["status"], "confirmed");
}

#[tokio::test]
async fn replay_after_a_disconnect_then_live() {
    let server = server().await;
    server.create("W-2").await;
    let mut client = server.connect().await;
    let frames = client.subscribe(json!({"topic": "order:W-2"})).await;
    let epoch = frames[1]["epoch"].clone();
    server.note("W-2", "a").await;
    assert_eq!(client.recv().await["event"]["seq"], 2);
    drop(client);

    for text in ["b", "c", "d"] {
        server.note("W-2", text).await;
    }
    let mut client = server.connect().await;
    let frames = client
        .subscribe(json!({"topic": "order:W-2", "since": 2, "epoch": epoch}))
        .await;
    assert_eq!(event_seqs(&frames), [3, 4, 5], "exactly the missed events");
    let subscribed = frames.last().expect("subscribed");
    assert_eq!(
        (
            subscribed["seq"].as_u64(),
            subscribed["recovered"].as_bool()
        ),
        (Some(5), Some(true))
    );
    server.note("W-2", "e").await;
    assert_eq!(client.recv().await["event"]["seq"], 6, "then live");
}

/// A publisher writes 1..=N while a client keeps dropping and resuming:
/// it ends with every seq exactly once, in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn exactly_once_in_order_under_a_concurrent_publisher() {
    let server = server().await;
    server.create("W-3").await;
    const TOTAL: u64 = 240;
    let publisher = server.publish_notes("W-3", TOTAL - 1);
    let mut applied: Vec<u64> = Vec::new();
    let mut epoch = serde_json::Value::Null;
    let mut iteration = 0;
    while applied.last().copied() != Some(TOTAL) {
        iteration += 1;
        let mut client = server.connect().await;
        let mut request = json!({"topic": "order:W-3"});
        if let Some(last) = applied.last() {
            request["since"] = json!(last);
            request["epoch"] = epoch.clone();
        }
        let frames = client.subscribe(request).await;
        let subscribed = frames.last().expect("subscribed").clone();
        if subscribed["recovered"] == false {
            // First time: the snapshot is the starting point.
            assert!(applied.is_empty(), "recovery must not fail: {subscribed}");
            let snapshot = &frames[0];
            applied.extend(1..=snapshot["seq"].as_u64().expect("seq"));
        }
        epoch = subscribed["epoch"].clone();
        applied.extend(event_seqs(&frames));
        // Take a few live events, then drop the connection mid-stream.
        for _ in 0..(iteration % 7 + 1) {
            if applied.last().copied() == Some(TOTAL) {
                break;
            }
            let frame = client.recv().await;
            applied.push(frame["event"]["seq"].as_u64().expect("seq"));
        }
    }
    publisher.await.expect("publisher");
    assert_eq!(
        applied,
        (1..=TOTAL).collect::<Vec<_>>(),
        "after {iteration} reconnects"
    );
    assert!(iteration > 5, "the test really reconnected ({iteration})");
}

#[tokio::test]
async fn snapshot_fallback_when_history_cannot_serve() {
    let config = RealtimeConfig {
        session: trackwire_gateway::SessionConfig {
            max_replay: 3,
            ..Default::default()
        },
        ..RealtimeConfig::default()
    };
    let server = TestServer::start(config).await;
    server.create("W-4").await;
    for text in ["a", "b", "c", "d", "e"] {
        server.note("W-4", text).await;
    }
    let mut client = server.connect().await;
    // Another epoch: the client's seq means nothing here.
    let frames = client
        .subscribe(json!({"topic": "order:W-4", "since": 2, "epoch": "gone"}))
        .await;
    assert_eq!(frames[0]["type"], "snapshot");
    assert_eq!(frames[0]["order"]["seq"], 6);
    let subscribed = frames.last().expect("subscribed");
    assert_eq!(
        (
            subscribed["seq"].as_u64(),
            subscribed["recovered"].as_bool()
        ),
        (Some(6), Some(false))
    );
    let epoch = subscribed["epoch"].clone();

    // Too far behind (5 missed, at most 3 replayed).
    let mut client = server.connect().await;
    let frames = client
        .subscribe(json!({"topic": "order:W-4", "since": 1, "epoch": epoch}))
        .await;
    assert_eq!(frames[0]["type"], "snapshot");
    assert_eq!(frames.last().expect("subscribed")["recovered"], false);

    // A cursor ahead of the topic (history was lost).
    let mut client = server.connect().await;
    let frames = client
        .subscribe(json!({"topic": "order:W-4", "since": 99, "epoch": epoch}))
        .await;
    assert_eq!(frames[0]["type"], "snapshot");
    assert_eq!(frames.last().expect("subscribed")["seq"], 6);

    // Within reach: a replay.
    let mut client = server.connect().await;
    let frames = client
        .subscribe(json!({"topic": "order:W-4", "since": 4, "epoch": epoch}))
        .await;
    assert_eq!(event_seqs(&frames), [5, 6]);
    assert_eq!(frames.last().expect("subscribed")["recovered"], true);
}

/// A client that stops reading is cut with the slow-consumer code once its
/// backlog overflows, while a fast client on the same topic gets everything.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stalled_client_is_cut_and_a_fast_one_keeps_receiving() {
    let config = RealtimeConfig {
        session: trackwire_gateway::SessionConfig {
            outbox_capacity: 16,
            ..Default::default()
        },
        write_buffer_bytes: 4096,
        // Room for the rest of the publishing below: the cut client's
        // close frame waits that long behind what the socket holds.
        slow_consumer_grace: common::PATIENCE,
        ..RealtimeConfig::default()
    };
    let server = TestServer::start_with(config, Some(4096)).await;
    server.create("S-1").await;
    let mut stalled = Client::connect_small(server.addr, "/v1/ws", 4096).await;
    stalled.subscribe(json!({"topic": "order:S-1"})).await;
    let mut fast = server.connect().await;
    fast.subscribe(json!({"topic": "order:S-1"})).await;

    // The fast client reads each event before the next is published, so
    // it is never behind, however the machine schedules the test; the
    // stalled one falls behind by every event.
    const EVENTS: u64 = 300;
    let filler = "x".repeat(450);
    for n in 0..EVENTS {
        let seq = server.note("S-1", &format!("{n} {filler}")).await;
        let frame = fast.recv().await;
        assert_eq!(
            frame["event"]["seq"].as_u64(),
            Some(seq),
            "in order: {frame}"
        );
    }
    // The stalled client reads at last: some events, then the cut, with
    // its close code (the server waits for the socket to take it).
    let mut last_seen = 0;
    let ending = loop {
        match tokio::time::timeout(
            common::PATIENCE,
            futures::StreamExt::next(&mut stalled.socket),
        )
        .await
        .expect("frames or the end in time")
        {
            Some(Ok(tokio_tungstenite::tungstenite::Message::Text(text))) => {
                let frame: serde_json::Value = serde_json::from_str(&text).expect("json");
                if let Some(seq) = frame["event"]["seq"].as_u64() {
                    last_seen = seq;
                }
            }
            Some(Ok(tokio_tungstenite::tungstenite::Message::Close(frame))) => {
                break Some(frame.map(|f| u16::from(f.code)))
            }
            Some(Ok(_)) => {}
            Some(Err(_)) | None => break None,
        }
    };
    assert!(
        last_seen < EVENTS + 1,
        "the stalled client was cut before the end ({last_seen})"
    );
    assert_eq!(ending, Some(Some(4009)), "the cut says slow_consumer");
    // The stalled client is gone; the fast one is still there.
    server.await_subscribers("order:S-1", 1).await;
}

#[tokio::test]
async fn a_text_frame_that_is_not_utf8_closes_1007() {
    use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
    use tokio_tungstenite::tungstenite::protocol::frame::Frame;
    use tokio_tungstenite::tungstenite::Message;

    let server = server().await;
    let mut client = server.connect().await;
    let invalid = Frame::message(vec![b'{', 0xff, 0xfe, b'}'], OpCode::Data(Data::Text), true);
    futures::SinkExt::send(&mut client.socket, Message::Frame(invalid))
        .await
        .expect("send");
    assert_eq!(
        client.ended().await,
        Ended::Closed(1007, "invalid_utf8".into())
    );
}

#[tokio::test]
async fn a_plain_get_of_a_websocket_path_gets_the_json_error() {
    let server = server().await;
    server.create("W-20").await;
    for path in ["/v1/ws", "/v1/orders/W-20/ws"] {
        let response = reqwest::get(server.url(path)).await.expect("get");
        assert_eq!(response.status(), 400, "{path}: not an upgrade");
        assert_eq!(
            response.headers()["content-type"],
            "application/json",
            "{path}"
        );
        let body: serde_json::Value = response.json().await.expect("json");
        assert_eq!(body["error"]["code"], "websocket_required", "{path}");
    }
}

#[tokio::test]
async fn heartbeats_keep_a_live_peer_and_drop_a_silent_one() {
    let config = RealtimeConfig {
        heartbeat: Duration::from_millis(200),
        ..RealtimeConfig::default()
    };
    let server = TestServer::start(config).await;
    server.create("W-5").await;

    // A silent peer: connected, subscribed, then never reads (so never
    // answers the server's pings) and sends nothing.
    let mut silent = server.connect().await;
    silent.subscribe(json!({"topic": "order:W-5"})).await;
    // A live peer keeps reading (tungstenite answers pings as it reads).
    let mut live = server.connect().await;
    live.subscribe(json!({"topic": "order:W-5"})).await;
    assert_eq!(server.subscribers("order:W-5"), 2);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let reader = tokio::spawn(async move {
        tokio::pin!(stopped);
        loop {
            tokio::select! {
                _ = &mut stopped => return live,
                frame = futures::StreamExt::next(&mut live.socket) => {
                    assert!(matches!(frame, Some(Ok(_))), "the live peer stays connected: {frame:?}");
                }
            }
        }
    });

    server.await_subscribers("order:W-5", 1).await;
    assert_eq!(
        silent.ended().await,
        Ended::Closed(4010, "heartbeat_timeout".into())
    );
    let _ = stop.send(());
    let mut live = reader.await.expect("reader");

    // The live peer is still there, well past two intervals.
    live.send(json!({"type": "ping", "id": 7})).await;
    let pong = live.recv().await;
    assert_eq!(
        (pong["type"].as_str(), pong["id"].as_u64()),
        (Some("pong"), Some(7))
    );
}

#[tokio::test]
async fn bad_input_gets_error_frames_and_the_connection_survives() {
    let config = RealtimeConfig {
        max_frame_bytes: 1024,
        session: trackwire_gateway::SessionConfig {
            max_subscriptions: 2,
            ..Default::default()
        },
        ..RealtimeConfig::default()
    };
    let server = TestServer::start(config).await;
    server.create("W-6").await;
    let mut client = server.connect().await;
    let expect_error = async |client: &mut Client, text: String, code: &str| {
        client.send_text(text).await;
        let frame = client.recv().await;
        assert_eq!(
            (frame["type"].as_str(), frame["code"].as_str()),
            (Some("error"), Some(code)),
            "{frame}"
        );
        assert!(frame["message"].as_str().is_some_and(|m| !m.is_empty()));
    };
    expect_error(&mut client, "{oops".into(), "malformed").await;
    expect_error(
        &mut client,
        r#"{"type":"teleport"}"#.into(),
        "unknown_frame",
    )
    .await;
    expect_error(
        &mut client,
        r#"{"type":"subscribe"}"#.into(),
        "invalid_frame",
    )
    .await;
    expect_error(&mut client, "x".repeat(2048), "too_large").await;
    expect_error(
        &mut client,
        r#"{"type":"subscribe","topic":"bogus:1"}"#.into(),
        "unknown_topic",
    )
    .await;
    expect_error(
        &mut client,
        r#"{"type":"subscribe","topic":"order:NOPE"}"#.into(),
        "order_not_found",
    )
    .await;
    expect_error(
        &mut client,
        r#"{"type":"unsubscribe","topic":"order:W-6"}"#.into(),
        "not_subscribed",
    )
    .await;
    client.subscribe(json!({"topic": "order:W-6"})).await;
    expect_error(
        &mut client,
        r#"{"type":"subscribe","topic":"order:W-6"}"#.into(),
        "already_subscribed",
    )
    .await;
    client.subscribe(json!({"topic": "chat:W-6"})).await;
    expect_error(
        &mut client,
        r#"{"type":"subscribe","topic":"orders"}"#.into(),
        "too_many_subscriptions",
    )
    .await;
    assert_eq!(
        server.subscribers("orders"),
        0,
        "a refused subscribe leaves nothing behind"
    );
    assert_eq!(server.subscribers("order:NOPE"), 0);

    client.send(json!({"type": "ping"})).await;
    assert_eq!(client.recv().await["type"], "pong", "still connected");
    server.note("W-6", "still live").await;
    assert_eq!(client.recv().await["event"]["seq"], 2);
}

/// The read buffer is small (1 KiB, memory per idle connection); a frame
/// many times larger, within the limit, is read whole.
#[tokio::test]
async fn a_frame_larger_than_the_read_buffer_is_read_whole() {
    let server = TestServer::start(RealtimeConfig::default()).await;
    let mut client = server.connect().await;
    let padded = format!(r#"{{"type":"ping"{}}}"#, " ".repeat(40 * 1024));
    client.send_text(padded).await;
    assert_eq!(client.recv().await["type"], "pong");
}

#[tokio::test]
async fn sustained_abuse_and_huge_frames_close_the_connection() {
    let config = RealtimeConfig {
        error_budget: 5,
        hard_frame_bytes: 64 * 1024,
        ..RealtimeConfig::default()
    };
    let server = TestServer::start(config).await;
    let mut abuser = server.connect().await;
    for _ in 0..10 {
        abuser.send_text("nope".into()).await;
    }
    assert_eq!(
        abuser.ended().await,
        Ended::Closed(4000, "malformed".into())
    );

    let mut huge = server.connect().await;
    huge.send_text("x".repeat(128 * 1024)).await;
    assert_eq!(huge.ended().await, Ended::Closed(1009, "too_large".into()));

    // Others are unharmed.
    let mut other = server.connect().await;
    other.send(json!({"type": "ping"})).await;
    assert_eq!(other.recv().await["type"], "pong");
}

#[tokio::test]
async fn mutations_ack_once_and_reject_with_the_reason() {
    let server = server().await;
    server.create("W-7").await;
    let mut client = server.connect().await;
    client.subscribe(json!({"topic": "order:W-7"})).await;
    let mutate = json!({"type": "mutate", "clientMutationId": "m-1", "topic": "order:W-7",
                        "action": "change_instructions", "args": {"text": "Leave at the door"}});
    client.send(mutate.clone()).await;
    let frames = client.recv_until("ack").await;
    let ack = frames.last().expect("ack");
    assert_eq!(
        (ack["clientMutationId"].as_str(), ack["seq"].as_u64()),
        (Some("m-1"), Some(2))
    );
    // The event reaches watchers like any other.
    let event = frames.iter().find(|f| f["type"] == "event").cloned();
    let event = match event {
        Some(event) => event,
        None => client.recv().await,
    };
    assert_eq!(event["event"]["payload"]["text"], "Leave at the door");

    // A retry gets the same answer and applies nothing new.
    client.send(mutate).await;
    let ack = client.recv().await;
    assert_eq!(
        (ack["type"].as_str(), ack["seq"].as_u64()),
        (Some("ack"), Some(2))
    );

    server.status("W-7", OrderStatus::Shipped).await;
    assert_eq!(client.recv().await["event"]["seq"], 3);
    let cancel = json!({"type": "mutate", "clientMutationId": "m-2", "topic": "order:W-7",
                        "action": "cancel", "args": {}});
    client.send(cancel).await;
    let reject = client.recv().await;
    assert_eq!(reject["type"], "reject");
    assert_eq!(reject["clientMutationId"], "m-2");
    assert_eq!(reject["code"], "invalid_transition");
    assert!(reject["message"]
        .as_str()
        .is_some_and(|m| m.contains("out_for_delivery")));
    client
        .send(json!({"type": "mutate", "clientMutationId": "m-3", "topic": "order:W-7", "action": "refund"}))
        .await;
    assert_eq!(client.recv().await["code"], "unknown_action");
    // Nothing else was recorded.
    server.note("W-7", "after").await;
    assert_eq!(client.recv().await["event"]["seq"], 4);
}

#[tokio::test]
async fn published_locations_reach_watchers_latest_wins() {
    let server = server().await;
    server.create("W-8").await;
    let mut courier = server.connect().await;
    let mut watcher = server.connect().await;
    watcher.subscribe(json!({"topic": "order:W-8"})).await;
    let at = |ts: i64| {
        json!({"type": "publish", "topic": "order:W-8", "event": "location",
                               "payload": {"lat": 52.5, "lng": 13.4, "ts": ts}})
    };
    courier.send(at(1000)).await;
    courier.send(json!({"type": "ping"})).await;
    let answer = courier.recv().await;
    assert_eq!(
        answer["type"], "pong",
        "no error for a good location: {answer}"
    );
    let location = watcher.recv().await;
    assert_eq!(location["event"]["type"], "location");
    assert!(
        location["event"].get("seq").is_none(),
        "signals carry no seq"
    );
    assert_eq!(location["event"]["payload"]["ts"], 1000);
    courier.send(at(500)).await; // older: not shown
    courier.send(at(2000)).await;
    assert_eq!(watcher.recv().await["event"]["payload"]["ts"], 2000);
    let snapshot: serde_json::Value = reqwest::get(format!("http://{}/v1/orders/W-8", server.addr))
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(snapshot["location"]["ts"], 2000);
    // A bad one is refused with the field named.
    courier
        .send(json!({"type": "publish", "topic": "order:W-8", "event": "location", "payload": {"lat": 99, "lng": 0, "ts": 3}}))
        .await;
    let error = courier.recv().await;
    assert_eq!(error["code"], "validation_failed");
    assert_eq!(error["ref"], "order:W-8");
}

#[tokio::test]
async fn watchers_of_a_final_order_are_told_it_is_final() {
    let server = server().await;
    server.create("W-9").await;
    let mut client = server.connect().await;
    client.subscribe(json!({"topic": "order:W-9"})).await;
    server.status("W-9", OrderStatus::Delivered).await;
    let event = client.recv().await;
    assert_eq!(event["event"]["payload"]["status"], "delivered");
    let unsubscribed = client.recv().await;
    assert_eq!(
        unsubscribed,
        json!({"type": "unsubscribed", "topic": "order:W-9", "reason": "final"})
    );
    server.await_subscribers("order:W-9", 0).await;

    // Subscribing to a final order: its state, then final.
    let mut late = server.connect().await;
    late.send(json!({"type": "subscribe", "topic": "order:W-9"}))
        .await;
    let frames = late.recv_until("unsubscribed").await;
    assert_eq!(frames[0]["type"], "snapshot");
    assert_eq!(frames[1]["final"], true);
    assert_eq!(frames[2]["reason"], "final");
}

#[tokio::test]
async fn the_order_scoped_socket_subscribes_on_connect() {
    let server = server().await;
    server.create("W-10").await;
    server.create("W-11").await;
    let mut client = Client::connect(&server.ws_url("/v1/orders/W-10/ws")).await;
    let frames = client.recv_until("subscribed").await;
    assert_eq!(frames[0]["order"]["id"], "W-10");
    client
        .send(json!({"type": "subscribe", "topic": "order:W-11"}))
        .await;
    assert_eq!(client.recv().await["code"], "forbidden");
    client.subscribe(json!({"topic": "chat:W-10"})).await;
    server.note("W-10", "x").await;
    assert_eq!(client.recv().await["event"]["topic"], "order:W-10");
}

#[tokio::test]
async fn the_feed_replays_by_offset() {
    let server = server().await;
    server.create("F-1").await; // offset 1
    server.create("F-2").await; // offset 2
    let mut client = server.connect().await;
    let frames = client.subscribe(json!({"topic": "orders"})).await;
    assert_eq!(frames[0]["type"], "snapshot");
    assert_eq!(frames[0]["orders"].as_array().map(Vec::len), Some(2));
    assert_eq!(frames[1]["offset"], 2);
    server.note("F-1", "a").await; // offset 3
    let live = client.recv().await;
    assert_eq!(
        (
            live["event"]["offset"].as_u64(),
            live["event"]["topic"].as_str()
        ),
        (Some(3), Some("order:F-1"))
    );
    drop(client);
    server.note("F-2", "b").await; // offset 4
    let mut client = server.connect().await;
    let frames = client
        .subscribe(json!({"topic": "orders", "offset": 2}))
        .await;
    let offsets: Vec<_> = frames
        .iter()
        .filter(|f| f["type"] == "event")
        .map(|f| f["event"]["offset"].as_u64())
        .collect();
    assert_eq!(offsets, [Some(3), Some(4)]);
    assert_eq!(frames.last().expect("subscribed")["recovered"], true);
}

#[tokio::test]
async fn drain_tells_every_client_to_reconnect_then_closes_1012() {
    let config = RealtimeConfig {
        drain_window: Duration::from_millis(800),
        ..RealtimeConfig::default()
    };
    let server = TestServer::start(config).await;
    server.create("W-12").await;
    let mut clients = Vec::new();
    for _ in 0..3 {
        let mut client = server.connect().await;
        client.subscribe(json!({"topic": "order:W-12"})).await;
        clients.push(client);
    }
    server.note("W-12", "in flight").await;
    server.shutdown.cancel();
    for client in &mut clients {
        let event = client.recv().await;
        assert_eq!(event["event"]["seq"], 2, "in-flight events go out first");
        let reconnect = client.recv().await;
        assert_eq!(reconnect["type"], "reconnect");
        let after = reconnect["afterMs"].as_u64().expect("afterMs");
        assert!(after <= 800, "{after}");
        assert_eq!(client.ended().await, Ended::Closed(1012, "draining".into()));
    }
    tokio::time::timeout(Duration::from_secs(10), server.stopped)
        .await
        .expect("the server stops once drained")
        .expect("clean stop");
}

#[tokio::test]
async fn upgrades_are_refused_when_websocket_is_disabled() {
    let config = RealtimeConfig {
        websocket_enabled: false,
        ..RealtimeConfig::default()
    };
    let server = TestServer::start(config).await;
    let refused = common::Client::try_connect(&server.ws_url("/v1/ws"), &[]).await;
    let (status, body) = refused.err().expect("refused");
    assert_eq!(status, 403);
    assert_eq!(body["error"]["code"], "websocket_disabled");
    // The fallbacks still serve.
    let response = reqwest::get(server.url("/v1/poll?topics=orders&wait=0"))
        .await
        .expect("poll");
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_replayed_event_is_the_live_event_exactly() {
    let server = server().await;
    server.create("W-9").await;
    let mut live = server.connect().await;
    let frames = live.subscribe(json!({"topic": "order:W-9"})).await;
    let epoch = frames.last().expect("subscribed")["epoch"].clone();
    let seq = server.note("W-9", "same bytes").await;
    let live_event = live.recv_until("event").await.pop().expect("event");
    let mut later = server.connect().await;
    let replay = later
        .subscribe(json!({"topic": "order:W-9", "since": seq - 1, "epoch": epoch}))
        .await;
    let replayed = replay
        .iter()
        .find(|f| f["type"] == "event")
        .expect("replayed");
    assert_eq!(
        *replayed, live_event,
        "occurredAt and all, to the microsecond"
    );
}
