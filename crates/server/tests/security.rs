//! The security suite: a real server that requires tokens, real HTTP and
//! WebSocket clients, and the exact code of every refusal on every
//! transport (REST, WebSocket, SSE, long-poll).

mod common;

use std::time::{Duration, Instant};

use common::auth::{
    bad_tokens, claims, secured, seed, set_status, sign, token, ws_as, ALLOWED_ORIGIN, TENANT,
};
use common::sse::SseClient;
use common::{Client, Ended, Setup, TestServer};
use reqwest::Method;
use serde_json::{json, Value};
use trackwire_auth::{FailedAttempts, Role};
use trackwire_domain::OrderStatus;
use trackwire_server::realtime::RealtimeConfig;

async fn start(config: RealtimeConfig) -> TestServer {
    let server = TestServer::launch(secured(config)).await;
    seed(&server).await;
    server
}

/// One HTTP request; the status and the JSON body (Null when not JSON).
async fn http(
    server: &TestServer,
    method: Method,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new().request(method, server.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<none>")
}

async fn get(server: &TestServer, path: &str, token: Option<&str>) -> (u16, Value) {
    http(server, Method::GET, path, token, &[], None).await
}

/// A WebSocket authenticated by its first frame.
/// The next `error` frame's code.
async fn error_code(client: &mut Client) -> String {
    let frames = client.recv_until("error").await;
    let error = frames.last().expect("an error frame");
    error["code"].as_str().expect("code").to_owned()
}

#[tokio::test]
async fn bad_credentials_get_their_code_on_every_transport() {
    let server = start(RealtimeConfig::default()).await;
    for (case, bad, expected) in bad_tokens() {
        let bearer = format!("Bearer {bad}");
        let header = [("authorization", bearer.as_str())];
        let (status, body) = get(&server, "/v1/orders/A-1", Some(&bad)).await;
        assert_eq!((status, code(&body)), (401, expected), "REST, {case}");
        let (status, body) = http(
            &server,
            Method::POST,
            "/v1/stream-tickets",
            Some(&bad),
            &[],
            None,
        )
        .await;
        assert_eq!((status, code(&body)), (401, expected), "ticket, {case}");
        let refused = Client::try_connect(&server.ws_url("/v1/ws"), &header).await;
        let (status, body) = refused.err().expect("upgrade refused");
        assert_eq!((status, code(&body)), (401, expected), "WS upgrade, {case}");
        for stream in [
            "/v1/sse?topics=order:A-1",
            "/v1/poll?topics=order:A-1&wait=0",
        ] {
            let (status, body) = http(&server, Method::GET, stream, None, &header, None).await;
            assert_eq!((status, code(&body)), (401, expected), "{stream}, {case}");
        }
        // In band: an error frame with the token's code, then the close.
        let mut client = server.connect().await;
        client.send(json!({"type": "auth", "token": bad})).await;
        assert_eq!(
            error_code(&mut client).await,
            expected,
            "WS auth frame, {case}"
        );
        let close = if expected == "token_expired" {
            4004
        } else {
            4001
        };
        assert_eq!(
            client.ended().await,
            Ended::Closed(close, close_reason(close)),
            "{case}"
        );
    }

    // No credentials at all.
    let (status, body) = get(&server, "/v1/orders/A-1", None).await;
    assert_eq!((status, code(&body)), (401, "unauthorized"));
    for stream in [
        "/v1/sse?topics=order:A-1",
        "/v1/poll?topics=order:A-1&wait=0",
    ] {
        let (status, body) = get(&server, stream, None).await;
        assert_eq!((status, code(&body)), (401, "unauthorized"), "{stream}");
    }
    let mut client = server.connect().await;
    client
        .send(json!({"type": "subscribe", "topic": "order:A-1"}))
        .await;
    assert_eq!(error_code(&mut client).await, "unauthorized");
    assert_eq!(
        client.ended().await,
        Ended::Closed(4001, "unauthorized".into())
    );
}

fn close_reason(code: u16) -> String {
    match code {
        4001 => "unauthorized",
        4004 => "token_expired",
        4008 => "rate_limited",
        _ => "other",
    }
    .into()
}

#[tokio::test]
async fn a_websocket_that_never_authenticates_is_closed() {
    let config = RealtimeConfig {
        auth_timeout: Duration::from_millis(200),
        ..RealtimeConfig::default()
    };
    let server = start(config).await;
    let mut client = server.connect().await;
    // A ping is answered while the server waits for `auth`.
    client.send(json!({"type": "ping", "id": 1})).await;
    assert_eq!(client.recv().await["type"], "pong");
    assert_eq!(error_code(&mut client).await, "unauthorized");
    assert_eq!(
        client.ended().await,
        Ended::Closed(4001, "unauthorized".into())
    );
}

#[tokio::test]
async fn the_upgrade_may_carry_the_token_and_auth_says_who_you_are() {
    let server = start(RealtimeConfig::default()).await;
    let bearer = format!("Bearer {}", token("cust-a", Role::Customer));
    let mut client = Client::try_connect(&server.ws_url("/v1/ws"), &[("authorization", &bearer)])
        .await
        .expect("accepted");
    let frames = client.subscribe(json!({"topic": "order:A-1"})).await;
    assert_eq!(frames.last().expect("subscribed")["type"], "subscribed");

    let mut client = server.connect().await;
    client
        .send(json!({"type": "auth", "token": token("courier-a", Role::Courier)}))
        .await;
    let frame = client.recv().await;
    assert_eq!(frame["type"], "authenticated");
    assert_eq!(frame["subject"], "courier-a");
    assert_eq!(frame["role"], "courier");
    assert_eq!(frame["tenant"], TENANT);
    assert!(
        frame["expiresIn"].as_u64().is_some_and(|s| s > 500),
        "{frame}"
    );
}

#[tokio::test]
async fn nobody_reads_or_changes_what_is_not_theirs() {
    let server = start(RealtimeConfig::default()).await;
    let ada = token("cust-a", Role::Customer);
    // Customer A against B's order, over REST.
    for path in [
        "/v1/orders/B-1",
        "/v1/orders/B-1/events?since=0",
        "/v1/feed?since=0",
    ] {
        let (status, body) = get(&server, path, Some(&ada)).await;
        assert_eq!((status, code(&body)), (403, "forbidden"), "{path}");
    }
    let (status, body) = http(
        &server,
        Method::POST,
        "/v1/orders/B-1/actions/cancel",
        Some(&ada),
        &[],
        None,
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (403, "forbidden"),
        "cancel B's order"
    );
    let (status, _) = get(&server, "/v1/orders/A-1", Some(&ada)).await;
    assert_eq!(status, 200, "A's own order");
    // Her order list holds her orders only.
    let (_, list) = get(&server, "/v1/orders", Some(&ada)).await;
    let ids: Vec<_> = list["items"]
        .as_array()
        .expect("orders")
        .iter()
        .map(|o| o["id"].clone())
        .collect();
    assert_eq!(ids, [json!("A-1")]);

    // Over WebSocket: snapshot, replay, chat and the feed; the connection
    // survives every refusal.
    let mut client = ws_as(&server, &ada).await;
    for subscribe in [
        json!({"type": "subscribe", "topic": "order:B-1"}),
        json!({"type": "subscribe", "topic": "order:B-1", "since": 0, "epoch": "x"}),
        json!({"type": "subscribe", "topic": "chat:B-1"}),
        json!({"type": "subscribe", "topic": "orders"}),
    ] {
        client.send(subscribe.clone()).await;
        assert_eq!(error_code(&mut client).await, "forbidden", "{subscribe}");
    }
    client.send(json!({"type": "mutate", "clientMutationId": "m1", "topic": "order:B-1", "action": "cancel"})).await;
    let reject = client.recv_until("reject").await.pop().expect("reject");
    assert_eq!(reject["code"], "forbidden");
    let frames = client.subscribe(json!({"topic": "order:A-1"})).await;
    assert_eq!(
        frames.last().expect("subscribed")["type"],
        "subscribed",
        "still open"
    );

    // The order-scoped WebSocket subscribes once she is known: refused.
    let mut scoped = Client::connect(&server.ws_url("/v1/orders/B-1/ws")).await;
    scoped.send(json!({"type": "auth", "token": ada})).await;
    assert_eq!(scoped.recv().await["type"], "authenticated");
    assert_eq!(error_code(&mut scoped).await, "forbidden");

    // Over SSE and long-poll, with a ticket of hers.
    for (topics, expected) in [
        ("order:B-1", "forbidden"),
        ("chat:B-1", "forbidden"),
        ("orders", "forbidden"),
    ] {
        for transport in ["sse", "poll"] {
            let ticket = ticket(&server, &ada).await;
            let path = format!("/v1/{transport}?topics={topics}&wait=0&ticket={ticket}");
            let (status, body) = get(&server, &path, None).await;
            assert_eq!((status, code(&body)), (403, expected), "{path}");
        }
    }

    // Another tenant's order does not exist for them.
    let stranger =
        sign(&claims("admin", Role::Admin, Duration::from_secs(600)).tap_tenant("globex"));
    let (status, body) = get(&server, "/v1/orders/A-1", Some(&stranger)).await;
    assert_eq!((status, code(&body)), (404, "order_not_found"));
    let mut client = ws_as(&server, &stranger).await;
    client
        .send(json!({"type": "subscribe", "topic": "order:A-1"}))
        .await;
    assert_eq!(error_code(&mut client).await, "order_not_found");
    for transport in ["sse", "poll"] {
        let ticket = ticket(&server, &stranger).await;
        let path = format!("/v1/{transport}?topics=order:A-1&wait=0&ticket={ticket}");
        let (status, body) = get(&server, &path, None).await;
        assert_eq!(
            (status, code(&body)),
            (404, "order_not_found"),
            "{transport}"
        );
    }

    // A courier publishes locations for the orders assigned to them only.
    let location = json!({"lat": 52.5, "lng": 13.4, "ts": 1_700_000_000_000_i64});
    let mut courier = ws_as(&server, &token("courier-b", Role::Courier)).await;
    courier
        .send(json!({"type": "publish", "topic": "order:A-1", "event": "location", "payload": location}))
        .await;
    assert_eq!(error_code(&mut courier).await, "forbidden");
    let body = json!({"type": "location", "lat": 52.5, "lng": 13.4, "ts": 1_700_000_000_000_i64});
    let courier_b = token("courier-b", Role::Courier);
    let (status, reply) = http(
        &server,
        Method::POST,
        "/v1/orders/A-1/events",
        Some(&courier_b),
        &[],
        Some(body.clone()),
    )
    .await;
    assert_eq!((status, code(&reply)), (403, "forbidden"));
    let courier_a = token("courier-a", Role::Courier);
    let (status, reply) = http(
        &server,
        Method::POST,
        "/v1/orders/A-1/events",
        Some(&courier_a),
        &[],
        Some(body),
    )
    .await;
    assert!(status < 300, "the assigned courier may: {status} {reply}");
}

/// Lets a test build claims of another tenant.
trait TapTenant {
    fn tap_tenant(self, tenant: &str) -> Self;
}

impl TapTenant for trackwire_auth::jwt::Claims {
    fn tap_tenant(mut self, tenant: &str) -> Self {
        self.tenant = tenant.into();
        self
    }
}

async fn ticket(server: &TestServer, token: &str) -> String {
    let (status, body) = http(
        server,
        Method::POST,
        "/v1/stream-tickets",
        Some(token),
        &[],
        None,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["ticket"].as_str().expect("ticket").to_owned()
}

#[tokio::test]
async fn stream_tickets_are_single_use_and_expire() {
    let server = TestServer::launch(Setup {
        ticket_ttl: Duration::from_millis(300),
        ..secured(RealtimeConfig::default())
    })
    .await;
    seed(&server).await;
    let ada = token("cust-a", Role::Customer);
    let used = ticket(&server, &ada).await;
    let (status, _) = get(
        &server,
        &format!("/v1/poll?topics=order:A-1&wait=0&ticket={used}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    for transport in ["sse", "poll"] {
        let (status, body) = get(
            &server,
            &format!("/v1/{transport}?topics=order:A-1&wait=0&ticket={used}"),
            None,
        )
        .await;
        assert_eq!(
            (status, code(&body)),
            (401, "invalid_ticket"),
            "{transport}: replayed"
        );
    }
    let stale = ticket(&server, &ada).await;
    tokio::time::sleep(Duration::from_millis(400)).await; // the ticket's lifetime passing is the point
    let (status, body) = get(
        &server,
        &format!("/v1/sse?topics=order:A-1&ticket={stale}"),
        None,
    )
    .await;
    assert_eq!((status, code(&body)), (401, "invalid_ticket"), "expired");
}

#[tokio::test]
async fn a_foreign_origin_is_refused() {
    let server = start(RealtimeConfig::default()).await;
    let ada = token("cust-a", Role::Customer);
    let evil = [("origin", "https://evil.example")];
    let refused = Client::try_connect(&server.ws_url("/v1/ws"), &evil).await;
    let (status, body) = refused.err().expect("refused");
    assert_eq!(
        (status, code(&body)),
        (403, "origin_forbidden"),
        "WebSocket"
    );
    for transport in ["sse", "poll"] {
        let ticket = ticket(&server, &ada).await;
        let path = format!("/v1/{transport}?topics=order:A-1&wait=0&ticket={ticket}");
        let (status, body) = http(&server, Method::GET, &path, None, &evil, None).await;
        assert_eq!(
            (status, code(&body)),
            (403, "origin_forbidden"),
            "{transport}"
        );
    }
    // The allowed origin and the server's own pages get in.
    let own = format!("http://{}", server.addr);
    for origin in [ALLOWED_ORIGIN, own.as_str()] {
        let accepted = Client::try_connect(&server.ws_url("/v1/ws"), &[("origin", origin)]).await;
        assert!(accepted.is_ok(), "{origin}");
    }
}

#[tokio::test]
async fn oversized_frames_and_bodies_are_refused() {
    let config = RealtimeConfig {
        max_frame_bytes: 1024,
        hard_frame_bytes: 8 * 1024,
        ..RealtimeConfig::default()
    };
    let server = TestServer::launch(Setup {
        max_body_bytes: 1024,
        ..secured(config)
    })
    .await;
    seed(&server).await;
    let admin = token("boss", Role::Admin);
    let mut client = ws_as(&server, &admin).await;
    let padded = |size: usize| json!({"type": "ping", "id": "x".repeat(size)}).to_string();
    client.send_text(padded(2000)).await;
    assert_eq!(error_code(&mut client).await, "too_large");
    client.send(json!({"type": "ping", "id": 7})).await;
    assert_eq!(client.recv().await["id"], 7, "the connection survives");
    client.send_text(padded(20_000)).await;
    assert_eq!(
        client.ended().await,
        Ended::Closed(1009, "too_large".into())
    );

    let big = json!({"customer": "c", "items": [{"name": "x".repeat(2000), "quantity": 1}], "address": "a"});
    let (status, body) = http(
        &server,
        Method::POST,
        "/v1/orders",
        Some(&admin),
        &[],
        Some(big),
    )
    .await;
    assert_eq!((status, code(&body)), (413, "payload_too_large"));
}

#[tokio::test]
async fn a_flooding_client_is_limited_while_others_are_served() {
    let config = RealtimeConfig {
        frames_per_second: 20,
        frame_burst: 20,
        error_budget: 30,
        ..RealtimeConfig::default()
    };
    let server = start(config).await;
    let mut flooder = ws_as(&server, &token("courier-a", Role::Courier)).await;
    let mut calm = ws_as(&server, &token("cust-a", Role::Customer)).await;
    calm.subscribe(json!({"topic": "order:A-1"})).await;

    for id in 0..200 {
        flooder.send(json!({"type": "ping", "id": id})).await;
    }
    // The calm client is served at once while the flood is handled.
    let started = Instant::now();
    calm.send(json!({"type": "ping", "id": "calm"})).await;
    assert_eq!(calm.recv().await["id"], "calm");
    let seq = set_status(&server, "A-1", OrderStatus::Preparing).await;
    let event = calm.recv_until("event").await.pop().expect("event");
    assert_eq!(event["event"]["seq"], seq);
    println!(
        "calm client round trip and event during the flood: {:?}",
        started.elapsed()
    );

    // The flooder got its burst answered, then rate_limited, then the close.
    let mut pongs = 0;
    let mut limited = 0;
    let ended = loop {
        match flooder.next_or_end().await {
            Ok(frame) if frame["type"] == "pong" => pongs += 1,
            Ok(frame) if frame["code"] == "rate_limited" => limited += 1,
            Ok(frame) => panic!("unexpected {frame}"),
            Err(ended) => break ended,
        }
    };
    assert!((20..200).contains(&pongs), "{pongs} pongs");
    assert!(limited > 0, "no rate_limited error");
    assert_eq!(ended, Ended::Closed(4008, "rate_limited".into()));
}

#[tokio::test]
async fn refreshing_the_token_in_band_keeps_subscriptions() {
    let config = RealtimeConfig {
        // Longer than the token lives: `auth_expiring` comes at once.
        auth_expiring_lead: Duration::from_secs(3600),
        ..RealtimeConfig::default()
    };
    let server = start(config).await;
    let mut client = ws_as(&server, &token("cust-a", Role::Customer)).await;
    let warning = client
        .recv_until("auth_expiring")
        .await
        .pop()
        .expect("warning");
    assert!(warning["in"].as_u64().is_some_and(|s| s > 500), "{warning}");
    client.subscribe(json!({"topic": "order:A-1"})).await;

    // A fresh token of hers refreshes the connection.
    client
        .send(json!({"type": "auth", "token": token("cust-a", Role::Customer)}))
        .await;
    assert_eq!(client.recv_until("authenticated").await.len(), 1);
    let seq = set_status(&server, "A-1", OrderStatus::Preparing).await;
    let event = client.recv_until("event").await.pop().expect("event");
    assert_eq!(event["event"]["seq"], seq, "the subscription lives on");

    // Somebody else's token cannot take over the connection: it ends.
    client
        .send(json!({"type": "auth", "token": token("cust-b", Role::Customer)}))
        .await;
    assert_eq!(error_code(&mut client).await, "forbidden");
    assert_eq!(
        client.ended().await,
        Ended::Closed(4001, "unauthorized".into())
    );
}

/// A refused `auth` frame ends the connection in every mode: on a
/// connection that runs as the development fallback (the demo), a bad
/// token never goes on as the development admin.
#[tokio::test]
async fn a_refused_auth_frame_closes_even_a_development_connection() {
    let mut setup = secured(RealtimeConfig::default());
    setup.identity = setup.identity.with_development_fallback();
    let server = TestServer::launch(setup).await;
    seed(&server).await;
    for (name, bad, code) in bad_tokens() {
        let mut client = server.connect().await;
        client.send(json!({"type": "auth", "token": bad})).await;
        assert_eq!(error_code(&mut client).await, code, "{name}");
        let close = if code == "token_expired" { 4004 } else { 4001 };
        let ended = client.ended().await;
        assert!(
            matches!(&ended, Ended::Closed(c, _) if *c == close),
            "{name}: {ended:?}"
        );
    }
    // And with no keys at all (`--insecure-dev` alone), a token is refused.
    let server = TestServer::start(RealtimeConfig::default()).await;
    let mut client = server.connect().await;
    client
        .send(json!({"type": "auth", "token": token("cust-a", Role::Customer)}))
        .await;
    assert_eq!(error_code(&mut client).await, "token_unverifiable");
    assert_eq!(
        client.ended().await,
        Ended::Closed(4001, "unauthorized".into())
    );
}

#[tokio::test]
async fn a_lapsed_token_closes_with_the_token_expired_code() {
    let server = start(RealtimeConfig::default()).await;
    let short = sign(&claims("cust-a", Role::Customer, Duration::from_secs(2)));
    let mut client = ws_as(&server, &short).await;
    client
        .send(json!({"type": "subscribe", "topic": "order:A-1"}))
        .await;
    let frames = client.recv_until("error").await;
    assert!(
        frames.iter().any(|f| f["type"] == "auth_expiring"),
        "warned first: {frames:?}"
    );
    assert_eq!(frames.last().expect("error")["code"], "token_expired");
    assert_eq!(
        client.ended().await,
        Ended::Closed(4004, "token_expired".into())
    );

    // An SSE stream opened with a ticket ends when its token does.
    let short = sign(&claims("cust-a", Role::Customer, Duration::from_secs(2)));
    let ticket = ticket(&server, &short).await;
    let response = reqwest::get(server.url(&format!("/v1/sse?topics=order:A-1&ticket={ticket}")))
        .await
        .expect("sse");
    assert_eq!(response.status(), 200);
    let mut sse = SseClient::reading(response);
    let frames = sse.until("error").await;
    assert_eq!(frames.last().expect("error")["code"], "token_expired");
    assert!(sse.next().await.is_none(), "the stream ends");
}

#[tokio::test]
async fn connections_per_subject_and_per_ip_are_bounded() {
    let config = RealtimeConfig {
        max_connections_per_subject: 2,
        max_connections_per_ip: 4,
        ..RealtimeConfig::default()
    };
    let server = start(config).await;
    let ada = token("cust-a", Role::Customer);
    let bearer = format!("Bearer {ada}");
    let header = [("authorization", bearer.as_str())];
    let url = server.ws_url("/v1/ws");
    let _first = Client::try_connect(&url, &header).await.expect("first");
    let _second = ws_as(&server, &ada).await;
    let (status, body) = Client::try_connect(&url, &header)
        .await
        .err()
        .expect("a third of hers is refused");
    assert_eq!((status, code(&body)), (429, "rate_limited"));
    let ticket = ticket(&server, &ada).await;
    let path = format!("/v1/poll?topics=order:A-1&wait=0&ticket={ticket}");
    let (status, body) = get(&server, &path, None).await;
    assert_eq!(
        (status, code(&body)),
        (429, "rate_limited"),
        "long-poll counts too"
    );

    // Another person from the same address fills the IP's four slots.
    let b1 = ws_as(&server, &token("cust-b", Role::Customer)).await;
    let _b2 = ws_as(&server, &token("cust-b", Role::Customer)).await;
    let (status, body) = Client::try_connect(&url, &[])
        .await
        .err()
        .expect("the IP is full");
    assert_eq!((status, code(&body)), (429, "rate_limited"));

    // A slot comes back when a connection ends; in band, her third
    // connection is refused after its `auth` frame.
    drop(b1);
    let mut third = connect_when_free(&url).await;
    third.send(json!({"type": "auth", "token": ada})).await;
    assert_eq!(error_code(&mut third).await, "rate_limited");
    assert_eq!(
        third.ended().await,
        Ended::Closed(4008, "rate_limited".into())
    );
}

/// Connects as soon as the server has given a slot back.
async fn connect_when_free(url: &str) -> Client {
    let deadline = Instant::now() + common::PATIENCE;
    loop {
        if let Ok(client) = Client::try_connect(url, &[]).await {
            return client;
        }
        assert!(Instant::now() < deadline, "the slot never came back");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn repeated_bad_tokens_from_one_address_are_rate_limited() {
    let few = std::num::NonZeroU32::new(3).expect("3");
    let mut setup = secured(RealtimeConfig::default());
    setup.identity = setup
        .identity
        .with_failed_attempts(FailedAttempts::new(std::num::NonZeroU32::MIN, few));
    let server = TestServer::launch(setup).await;
    seed(&server).await;
    let (_, bad, _) = bad_tokens().remove(1);
    let mut codes = Vec::new();
    for _ in 0..4 {
        let (status, body) = get(&server, "/v1/orders/A-1", Some(&bad)).await;
        codes.push((status, code(&body).to_owned()));
    }
    let expected: Vec<_> = [(401, "token_signature"); 3]
        .into_iter()
        .chain([(429, "rate_limited")])
        .map(|(s, c)| (s, c.to_owned()))
        .collect();
    assert_eq!(codes, expected);
    // The failures are punished, never the good tokens: behind a NAT one
    // client's bad tokens must not lock out the others of its address.
    let good = token("cust-a", Role::Customer);
    let (status, _) = get(&server, "/v1/orders/A-1", Some(&good)).await;
    assert_eq!(status, 200, "a valid token from the same address gets in");
    let mut socket = common::auth::ws_as(&server, &good).await;
    socket.subscribe(json!({"topic": "order:A-1"})).await;
    // Bad tokens from the address are still refused as rate-limited.
    let (status, body) = get(&server, "/v1/orders/A-1", Some(&bad)).await;
    assert_eq!((status, code(&body)), (429, "rate_limited"));
    let (status, body) = get(&server, "/v1/orders/A-1", None).await;
    assert_eq!((status, code(&body)), (401, "unauthorized"));
}

#[tokio::test]
async fn a_reassigned_courier_hears_nothing_more_of_the_order() {
    let server = start(RealtimeConfig::default()).await;
    let staff = token("dana", Role::Dispatcher);
    let mut old = ws_as(&server, &token("courier-a", Role::Courier)).await;
    old.subscribe(json!({"topic": "order:A-1"})).await;
    let reassign = json!({"type": "courier_assigned", "courier": {"id": "courier-z", "phone": "+49-NEW-PHONE"}});
    let (status, body) = http(
        &server,
        Method::POST,
        "/v1/orders/A-1/events",
        Some(&staff),
        &[],
        Some(reassign),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let mut new = ws_as(&server, &token("courier-z", Role::Courier)).await;
    let frames = new.subscribe(json!({"topic": "order:A-1"})).await;
    assert!(
        frames.iter().any(|f| f["type"] == "subscribed"),
        "the new courier may watch"
    );
    set_status(&server, "A-1", OrderStatus::Preparing).await;
    let event = new.recv_until("event").await.pop().expect("event");
    assert_eq!(event["event"]["payload"]["status"], "preparing");
    // Everything was published before the ping: the next frame the old
    // courier gets is the pong, with no event (nor the new phone) before it.
    old.send(json!({"type": "ping", "id": "after"})).await;
    let next = old.recv().await;
    assert_eq!(next["type"], "pong", "the old courier got {next}");
    // And a new subscription of theirs is refused.
    old.send(json!({"type": "subscribe", "topic": "chat:A-1"}))
        .await;
    assert_eq!(error_code(&mut old).await, "forbidden");
}

#[tokio::test]
async fn a_couriers_own_channel_never_shows_in_what_the_courier_receives() {
    let server = start(RealtimeConfig::default()).await;
    let courier = token("courier-a", Role::Courier);
    // Over SSE: the cursor of a live event names the topic as the client does.
    let ticket = ticket(&server, &courier).await;
    let response = reqwest::get(server.url(&format!("/v1/sse?topics=order:A-1&ticket={ticket}")))
        .await
        .expect("sse");
    let mut sse = SseClient::reading(response);
    sse.until("subscribed").await;
    let seq = set_status(&server, "A-1", OrderStatus::Confirmed).await;
    let event = sse.until("event").await.pop().expect("event");
    assert_eq!(event["event"]["seq"], seq);
    let cursor = sse.last_id.clone().expect("an id");
    let decoded =
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, &cursor)
            .expect("base64url");
    let positions: Value = serde_json::from_slice(&decoded).expect("json");
    assert_eq!(
        positions,
        json!({"order:A-1": {"e": event["event"]["epoch"], "p": seq}})
    );

    // Over WebSocket: the final `unsubscribed` names the order's topic.
    let mut client = ws_as(&server, &courier).await;
    client.subscribe(json!({"topic": "order:A-1"})).await;
    for status in [OrderStatus::Preparing, OrderStatus::Delivered] {
        set_status(&server, "A-1", status).await;
    }
    let last = client
        .recv_until("unsubscribed")
        .await
        .pop()
        .expect("unsubscribed");
    assert_eq!(
        last,
        json!({"type": "unsubscribed", "topic": "order:A-1", "reason": "final"})
    );
}
