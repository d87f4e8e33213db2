//! Thousands of generated hostile frames on one WebSocket: every answer is
//! a known frame, every error has a stable code (never `internal`), no task
//! of the server panics, and another client's stream is unharmed.
//!
//! Its own test binary: the panic hook it installs is process-wide.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};

use common::TestServer;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use trackwire_server::realtime::RealtimeConfig;

static PANICS: AtomicUsize = AtomicUsize::new(0);

/// Frames the server may answer with.
const SERVER_FRAMES: [&str; 10] = [
    "event",
    "snapshot",
    "subscribed",
    "unsubscribed",
    "ack",
    "reject",
    "error",
    "pong",
    "presence",
    "authenticated",
];

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// A JSON value of any kind, nested a little.
fn any_value(rng: &mut StdRng, depth: u32) -> Value {
    match rng.random_range(0..if depth == 0 { 6 } else { 8 }) {
        0 => Value::Null,
        1 => json!(rng.random::<bool>()),
        2 => json!(*pick(rng, &[0_i64, -1, 1, i64::MAX, i64::MIN])),
        3 => json!(*pick(rng, &[0.5_f64, -1e300, 1e300])),
        4 => json!(u64::MAX),
        5 => json!(*pick(
            rng,
            &["", "x", "order:F-1", "🚚", "\u{0}", "../../etc"]
        )),
        6 => Value::Array(
            (0..rng.random_range(0..3))
                .map(|_| any_value(rng, depth - 1))
                .collect(),
        ),
        _ => {
            let keys = [
                "text", "seq", "lat", "lng", "ts", "active", "status", "reason",
            ];
            let mut object = serde_json::Map::new();
            for _ in 0..rng.random_range(0..4) {
                object.insert(pick(rng, &keys).to_string(), any_value(rng, depth - 1));
            }
            Value::Object(object)
        }
    }
}

/// A frame that is close enough to the protocol to get past the parser
/// now and then, and wrong in every other way.
fn hostile_frame(rng: &mut StdRng) -> String {
    let topics = [
        "order:F-1".to_owned(),
        "chat:F-1".to_owned(),
        "orders".to_owned(),
        "order:".to_owned(),
        "order:NOPE".to_owned(),
        "chat:../F-1".to_owned(),
        "order:F-1:extra".to_owned(),
        format!("order:{}", "A".repeat(300)),
        "ORDER:F-1".to_owned(),
    ];
    let types = [
        "subscribe",
        "unsubscribe",
        "mutate",
        "publish",
        "ping",
        "auth",
        "teleport",
    ];
    let mut frame = serde_json::Map::new();
    if rng.random_range(0..10) > 0 {
        frame.insert("type".into(), json!(pick(rng, &types)));
    }
    let fields = [
        "topic",
        "since",
        "epoch",
        "offset",
        "clientMutationId",
        "action",
        "args",
        "event",
        "payload",
        "token",
    ];
    for _ in 0..rng.random_range(0..6) {
        let field = *pick(rng, &fields);
        let value = match (field, rng.random_range(0..3)) {
            ("topic", 0 | 1) => json!(pick(rng, &topics)),
            ("action", 0 | 1) => json!(pick(rng, &["cancel", "change_instructions", "fly"])),
            ("event", 0 | 1) => json!(pick(
                rng,
                &[
                    "location",
                    "typing",
                    "chat_message",
                    "chat_read",
                    "status_changed"
                ]
            )),
            _ => any_value(rng, 2),
        };
        frame.insert(field.into(), value);
    }
    let text = Value::Object(frame).to_string();
    // Now and then, not JSON at all.
    match rng.random_range(0..12) {
        0 => text.chars().take(text.chars().count() / 2).collect(),
        1 => format!("{text}{text}"),
        _ => text,
    }
}

/// An `auth` frame the parser takes: its token is a string.
fn is_well_formed_auth(text: &str) -> bool {
    serde_json::from_str::<Value>(text)
        .is_ok_and(|frame| frame["type"] == "auth" && frame["token"].is_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_hostile_frames_get_stable_errors_and_harm_nobody() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        default_hook(info);
    }));

    let config = RealtimeConfig {
        // The flood is the point here; limits have their own tests.
        frames_per_second: 1_000_000,
        frame_burst: 1_000_000,
        error_budget: 1_000_000,
        ..RealtimeConfig::default()
    };
    let server = TestServer::start(config).await;
    server.create("F-1").await;
    server.create("F-2").await;
    let mut bystander = server.connect().await;
    bystander.subscribe(json!({"topic": "order:F-2"})).await;

    let mut hostile = server.connect().await;
    let mut rng = StdRng::seed_from_u64(0x7eac_3e11);
    let mut codes = std::collections::BTreeSet::new();
    let mut refused_auths = 0;
    for round in 0..1500 {
        let text = hostile_frame(&mut rng);
        hostile.send_text(text.clone()).await;
        if is_well_formed_auth(&text) {
            // A refused `auth` ends the connection (4001), then the storm
            // goes on on a new one.
            let ended = hostile.ended().await;
            assert_eq!(
                ended,
                common::Ended::Closed(4001, "unauthorized".into()),
                "round {round}: {text}"
            );
            refused_auths += 1;
            hostile = server.connect().await;
            continue;
        }
        // A ping after each frame: everything before the pong answers it.
        hostile.send(json!({"type": "ping"})).await;
        loop {
            let frame = hostile.recv().await;
            let kind = frame["type"].as_str().unwrap_or_default();
            assert!(
                SERVER_FRAMES.contains(&kind),
                "round {round}: {text} → {frame}"
            );
            if kind == "error" || kind == "reject" {
                let code = frame["code"].as_str().unwrap_or_default();
                assert!(
                    !code.is_empty() && code != "internal",
                    "round {round}: {text} → {frame}"
                );
                assert!(
                    code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                    "a stable code: {frame}"
                );
                codes.insert(code.to_owned());
            }
            if kind == "pong" {
                break;
            }
        }
    }
    // The generator reached past the parser, into the session and the
    // order service, not only the first refusal.
    for expected in [
        "malformed",
        "invalid_frame",
        "unknown_frame",
        "unknown_topic",
    ] {
        assert!(
            codes.contains(expected),
            "{expected} never met; met {codes:?}"
        );
    }
    assert!(codes.len() >= 6, "only {codes:?}");
    assert!(
        refused_auths > 0,
        "the generator sent well-formed auth frames too"
    );

    server.note("F-2", "after the storm").await;
    let frame = bystander.recv_until("event").await.pop().expect("event");
    assert_eq!(frame["event"]["payload"]["text"], "after the storm");
    assert_eq!(PANICS.load(Ordering::SeqCst), 0, "a server task panicked");
}
