//! SSE, long-poll and tickets against a real server with real HTTP
//! clients, and one recovery scenario run through WebSocket, SSE and
//! long-poll with identical results.

mod common;

use std::time::Duration;

use common::sse::SseClient;
use common::{event_seqs, TestServer, PATIENCE};
use serde_json::{json, Value};
use trackwire_server::realtime::RealtimeConfig;

async fn poll(server: &TestServer, query: &str) -> Value {
    let response = reqwest::get(server.url(&format!("/v1/poll?{query}")))
        .await
        .expect("poll");
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn sse_is_live_and_resumes_exactly_with_last_event_id() {
    let server = TestServer::start(RealtimeConfig::default()).await;
    server.create("E-1").await;
    let (mut sse, headers) = SseClient::open(&server, "topics=order:E-1", None).await;
    assert_eq!(headers["content-type"], "text/event-stream");
    assert_eq!(headers["cache-control"], "no-cache");
    assert_eq!(headers["x-accel-buffering"], "no");
    let frames = sse.until("subscribed").await;
    assert_eq!(frames[0]["type"], "snapshot");
    let retry = sse.retry.expect("a retry: hint");
    assert!((2000..=4000).contains(&retry), "{retry}");
    server.note("E-1", "a").await;
    server.note("E-1", "b").await;
    assert_eq!(sse.next().await.expect("event")["event"]["seq"], 2);
    assert_eq!(sse.next().await.expect("event")["event"]["seq"], 3);
    let last_id = sse.last_id.clone().expect("an id");
    drop(sse);
    server.await_subscribers("order:E-1", 0).await;

    for text in ["c", "d", "e"] {
        server.note("E-1", text).await;
    }
    let (mut sse, _) = SseClient::open(&server, "topics=order:E-1", Some(&last_id)).await;
    let frames = sse.until("subscribed").await;
    assert_eq!(event_seqs(&frames), [4, 5, 6], "exactly the missed events");
    assert_eq!(frames.last().expect("subscribed")["recovered"], true);
    server.note("E-1", "f").await;
    assert_eq!(sse.next().await.expect("live")["event"]["seq"], 7);

    // An id from another epoch: the snapshot instead.
    let stale = common::cursor_for("order:E-1", "gone", 2);
    let (mut sse, _) =
        SseClient::open(&server, &format!("topics=order:E-1&cursor={stale}"), None).await;
    let frames = sse.until("subscribed").await;
    assert_eq!(frames[0]["type"], "snapshot");
    assert_eq!(frames[1]["recovered"], false);
}

#[tokio::test]
async fn sse_and_poll_refuse_bad_requests_clearly() {
    let server = TestServer::start(RealtimeConfig::default()).await;
    server.create("E-2").await;
    for (query, status, code) in [
        ("", 400, "invalid_topics"),
        ("topics=bogus:1", 400, "unknown_topic"),
        ("topics=order:NOPE", 404, "order_not_found"),
        ("topics=order:E-2&cursor=%%%", 400, "invalid_cursor"),
        ("topics=order:E-2&ticket=made-up", 401, "invalid_ticket"),
    ] {
        for path in ["/v1/sse", "/v1/poll"] {
            let response = reqwest::get(server.url(&format!("{path}?{query}")))
                .await
                .expect("get");
            assert_eq!(response.status(), status, "{path}?{query}");
            let body: Value = response.json().await.expect("json");
            assert_eq!(body["error"]["code"], code, "{path}?{query}");
        }
    }
    // Long-poll's `wait=`: not a number, or no sensible one.
    for wait in ["abc", "-1", "1e9", "NaN"] {
        let query = format!("topics=order:E-2&wait={wait}");
        let response = reqwest::get(server.url(&format!("/v1/poll?{query}")))
            .await
            .expect("get");
        assert_eq!(response.status(), 400, "wait={wait}");
        assert_eq!(
            response.headers()["content-type"],
            "application/json",
            "wait={wait}"
        );
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["error"]["code"], "invalid_query", "wait={wait}");
    }
    assert_eq!(
        server.subscribers("order:E-2"),
        0,
        "refusals leave nothing behind"
    );
}

#[tokio::test]
async fn tickets_work_once() {
    let server = TestServer::start(RealtimeConfig::default()).await;
    server.create("E-3").await;
    let client = reqwest::Client::new();
    let ticket: Value = client
        .post(server.url("/v1/stream-tickets"))
        .send()
        .await
        .expect("ticket")
        .json()
        .await
        .expect("json");
    assert_eq!(ticket["expiresIn"], 30);
    let ticket = ticket["ticket"].as_str().expect("ticket").to_owned();
    let query = format!("topics=order:E-3&ticket={ticket}");
    let first = poll(&server, &query).await;
    assert_eq!(first["events"][0]["type"], "snapshot");
    let again = reqwest::get(server.url(&format!("/v1/poll?{query}")))
        .await
        .expect("poll");
    assert_eq!(again.status(), 401, "a used ticket is refused");
}

#[tokio::test]
async fn long_poll_answers_at_once_holds_and_times_out_empty() {
    let server = TestServer::start(RealtimeConfig::default()).await;
    server.create("P-1").await;
    // No cursor: the snapshot, at once.
    let first = poll(&server, "topics=order:P-1").await;
    assert_eq!(first["events"].as_array().map(Vec::len), Some(1));
    assert_eq!(first["events"][0]["type"], "snapshot");
    let cursor = first["cursor"].as_str().expect("cursor").to_owned();

    // Nothing new: held until the wait ends, then an empty batch.
    let idle = poll(
        &server,
        &format!("topics=order:P-1&cursor={cursor}&wait=0.2"),
    )
    .await;
    assert_eq!(idle["events"], json!([]));
    assert_eq!(idle["cursor"], cursor.as_str());

    // Held, then answered when an event is published.
    let held = {
        let url = server.url(&format!("/v1/poll?topics=order:P-1&cursor={cursor}"));
        tokio::spawn(async move {
            reqwest::get(url)
                .await
                .expect("poll")
                .json::<Value>()
                .await
                .expect("json")
        })
    };
    server.await_subscribers("order:P-1", 1).await;
    server.note("P-1", "now").await;
    let answered = held.await.expect("held poll");
    assert_eq!(
        event_seqs(answered["events"].as_array().expect("events")),
        [2]
    );
    server.await_subscribers("order:P-1", 0).await;

    // Something already past the cursor: at once.
    server.note("P-1", "later").await;
    let cursor = answered["cursor"].as_str().expect("cursor");
    let quick = poll(&server, &format!("topics=order:P-1&cursor={cursor}")).await;
    assert_eq!(event_seqs(quick["events"].as_array().expect("events")), [3]);
}

/// Many polls in a row under a concurrent publisher: nothing lost, nothing
/// repeated.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn long_poll_resumes_by_cursor_under_a_concurrent_publisher() {
    let server = TestServer::start(RealtimeConfig::default()).await;
    server.create("P-2").await;
    const TOTAL: u64 = 150;
    let publisher = server.publish_notes("P-2", TOTAL - 1);
    let mut seqs = Vec::new();
    let mut cursor = String::new();
    let mut polls = 0;
    while seqs.last().copied() != Some(TOTAL) {
        polls += 1;
        let answer = poll(&server, &format!("topics=order:P-2&cursor={cursor}&wait=5")).await;
        for frame in answer["events"].as_array().expect("events") {
            match frame["type"].as_str() {
                Some("snapshot") => seqs.extend(1..=frame["seq"].as_u64().expect("seq")),
                Some("event") => seqs.push(frame["event"]["seq"].as_u64().expect("seq")),
                other => panic!("unexpected frame {other:?}"),
            }
        }
        cursor = answer["cursor"].as_str().expect("cursor").to_owned();
    }
    publisher.await.expect("publisher");
    assert_eq!(seqs, (1..=TOTAL).collect::<Vec<_>>(), "after {polls} polls");
    assert!(polls > 3, "{polls}");
}

/// One scenario, three transports, the same events.
#[tokio::test]
async fn the_same_recovery_on_websocket_sse_and_long_poll() {
    let server = TestServer::start(RealtimeConfig::default()).await;
    server.create("X-1").await;
    for text in ["a", "b"] {
        server.note("X-1", text).await; // seq 2, 3
    }
    // Each client last applied seq 2 and went away.
    let snapshot: Value = reqwest::get(server.url("/v1/orders/X-1"))
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    let epoch = snapshot["epoch"].as_str().expect("epoch").to_owned();
    let cursor = common::cursor_for("order:X-1", &epoch, 2);
    for text in ["c", "d"] {
        server.note("X-1", text).await; // seq 4, 5
    }

    let mut ws = server.connect().await;
    let mut ws_seen = event_seqs(
        &ws.subscribe(json!({"topic": "order:X-1", "since": 2, "epoch": epoch}))
            .await,
    );
    let (mut sse, _) = SseClient::open(&server, "topics=order:X-1", Some(&cursor)).await;
    let mut sse_seen = event_seqs(&sse.until("subscribed").await);
    let mut poll_cursor = cursor.clone();
    let mut poll_seen = Vec::new();
    let answer = poll(&server, &format!("topics=order:X-1&cursor={poll_cursor}")).await;
    poll_seen.extend(event_seqs(answer["events"].as_array().expect("events")));
    poll_cursor = answer["cursor"].as_str().expect("cursor").to_owned();

    for text in ["e", "f", "g"] {
        server.note("X-1", text).await; // seq 6, 7, 8
    }
    while ws_seen.last() != Some(&8) {
        ws_seen.push(ws.recv().await["event"]["seq"].as_u64().expect("seq"));
    }
    while sse_seen.last() != Some(&8) {
        sse_seen.push(
            sse.next().await.expect("event")["event"]["seq"]
                .as_u64()
                .expect("seq"),
        );
    }
    while poll_seen.last() != Some(&8) {
        let answer = poll(
            &server,
            &format!("topics=order:X-1&cursor={poll_cursor}&wait=5"),
        )
        .await;
        poll_seen.extend(event_seqs(answer["events"].as_array().expect("events")));
        poll_cursor = answer["cursor"].as_str().expect("cursor").to_owned();
    }
    let expected: Vec<u64> = (3..=8).collect();
    assert_eq!(ws_seen, expected, "websocket");
    assert_eq!(sse_seen, expected, "sse");
    assert_eq!(poll_seen, expected, "long-poll");
}

#[tokio::test]
async fn sse_drains_with_reconnect_and_a_retry_hint() {
    let config = RealtimeConfig {
        drain_window: Duration::from_millis(500),
        ..RealtimeConfig::default()
    };
    let server = TestServer::start(config).await;
    server.create("E-4").await;
    let (mut sse, _) = SseClient::open(&server, "topics=order:E-4", None).await;
    sse.until("subscribed").await;
    server.shutdown.cancel();
    let reconnect = sse.next().await.expect("reconnect frame");
    assert_eq!(reconnect["type"], "reconnect");
    let after = reconnect["afterMs"].as_u64().expect("afterMs");
    assert!(after <= 500);
    assert_eq!(sse.retry, Some(after));
    assert!(sse.next().await.is_none(), "the stream ends");
}

/// A stream whose socket is full when the drain begins (the pump waits to
/// hand it a chunk) still ends with `retry:` and `reconnect` once the
/// client reads again; it used to end without them.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stream_blocked_on_a_full_socket_still_gets_reconnect_on_drain() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let config = RealtimeConfig {
        drain_window: Duration::from_millis(500),
        ..RealtimeConfig::default()
    };
    let server = TestServer::start_with(config, Some(4096)).await;
    server.create("E-9").await;
    // A raw client with a small receive buffer that stops reading.
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("rcvbuf");
    let mut stream = socket.connect(server.addr).await.expect("connect");
    stream
        .write_all(b"GET /v1/sse?topics=order:E-9 HTTP/1.1\r\nHost: test\r\n\r\n")
        .await
        .expect("request");
    server.await_subscribers("order:E-9", 1).await;
    let filler = "x".repeat(450);
    for n in 0..200 {
        server.note("E-9", &format!("{n} {filler}")).await;
    }
    server.shutdown.cancel();
    let mut seen = Vec::new();
    tokio::time::timeout(PATIENCE, stream.read_to_end(&mut seen))
        .await
        .expect("the stream ends")
        .expect("read");
    let text = String::from_utf8_lossy(&seen);
    let tail = &text[text.len().saturating_sub(400)..];
    assert!(
        text.contains(r#""type":"reconnect""#),
        "no reconnect at the end: {tail}"
    );
    assert!(
        tail.contains("retry: "),
        "no retry: hint at the end: {tail}"
    );
}

/// A stalled SSE client is cut like a WebSocket one, and a fast one on the
/// same topic gets every event.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stalled_sse_client_is_cut_and_a_fast_one_keeps_receiving() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let config = RealtimeConfig {
        session: trackwire_gateway::SessionConfig {
            outbox_capacity: 16,
            ..Default::default()
        },
        ..RealtimeConfig::default()
    };
    let server = TestServer::start_with(config, Some(4096)).await;
    server.create("E-5").await;
    // A raw HTTP client with a tiny receive buffer that stops reading.
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
    let mut stalled = socket.connect(server.addr).await.expect("connect");
    stalled
        .write_all(b"GET /v1/sse?topics=order:E-5 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .expect("request");
    server.await_subscribers("order:E-5", 1).await;
    let (mut fast, _) = SseClient::open(&server, "topics=order:E-5", None).await;
    fast.until("subscribed").await;

    // The fast client reads each event before the next is published, so
    // it is never behind, however the machine schedules the test.
    const EVENTS: u64 = 300;
    let filler = "x".repeat(450);
    for n in 0..EVENTS {
        let seq = server.note("E-5", &format!("{n} {filler}")).await;
        let frame = fast.next().await.expect("open");
        assert_eq!(
            frame["event"]["seq"].as_u64(),
            Some(seq),
            "in order: {frame}"
        );
    }
    // The stalled client was cut; the fast one is still there.
    server.await_subscribers("order:E-5", 1).await;
    drop(fast);

    // The stalled client reads at last: the stream ends before the last event.
    let mut received = Vec::new();
    tokio::time::timeout(PATIENCE, stalled.read_to_end(&mut received))
        .await
        .expect("the stream ends in time")
        .expect("read");
    let text = String::from_utf8_lossy(&received);
    let last_seq = format!("\"seq\":{}", EVENTS + 1);
    assert!(
        !text.contains(&last_seq),
        "the stalled client was cut before the end"
    );
}

/// A long-poll whose client hangs up mid-wait frees its subscription at once.
#[tokio::test]
async fn an_abandoned_long_poll_frees_everything() {
    let server = TestServer::start(RealtimeConfig::default()).await;
    server.create("P-3").await;
    let first = poll(&server, "topics=order:P-3").await;
    let cursor = first["cursor"].as_str().expect("cursor").to_owned();
    let url = server.url(&format!("/v1/poll?topics=order:P-3&cursor={cursor}"));
    let (hang_up, hung_up) = tokio::sync::oneshot::channel::<()>();
    let waiting = tokio::spawn(async move {
        tokio::select! {
            _ = reqwest::get(url) => panic!("nothing was published"),
            _ = hung_up => {}
        }
    });
    server.await_subscribers("order:P-3", 1).await;
    let _ = hang_up.send(());
    waiting.await.expect("client");
    server.await_subscribers("order:P-3", 0).await;
}

/// A long-poll on a final order answers at once with `unsubscribed`.
#[tokio::test]
async fn long_poll_on_a_final_order_answers_at_once() {
    let server = TestServer::start(RealtimeConfig::default()).await;
    server.create("P-4").await;
    server
        .status("P-4", trackwire_domain::OrderStatus::Cancelled)
        .await;
    let first = poll(&server, "topics=order:P-4").await;
    let cursor = first["cursor"].as_str().expect("cursor").to_owned();
    let answer = poll(&server, &format!("topics=order:P-4&cursor={cursor}")).await;
    assert_eq!(
        answer["events"],
        json!([{"type": "unsubscribed", "topic": "order:P-4", "reason": "final"}])
    );
}
