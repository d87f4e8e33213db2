//! SSE and long-poll cursors (`StreamCursor`): what a client sends back as
//! `Last-Event-ID` or `?cursor=`, and what the server makes of its frames.
//!
//! Holds, on raw input: no panic; a refusal is the one documented message
//! (HTTP 400 `invalid_cursor`); an accepted cursor re-encodes to one that
//! decodes to the same, in the URL-safe alphabet, and resumes each topic
//! it names from that topic's position. On marks (the frames a stream
//! sent): the cursor resumes each topic where its last frame left it, and
//! survives its own encoding.
#![no_main]

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use libfuzzer_sys::arbitrary::{self, Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use serde::Deserialize;
use trackwire_domain::Topic;
use trackwire_gateway::outbox::Mark;
use trackwire_gateway::recovery::Resume;
use trackwire_gateway::StreamCursor;

/// The gateway's limit on a cursor's length (cursor.rs).
const MAX_CURSOR_BYTES: usize = 4096;

fuzz_target!(|data: &[u8]| {
    match data.split_first() {
        Some((mode, rest)) if mode % 2 == 0 => raw(rest),
        Some((_, rest)) => marks(rest),
        None => {}
    }
});

/// A cursor as a client sends it: the header's visible text, or a query.
fn raw(data: &[u8]) {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    let cursor = match StreamCursor::decode(raw) {
        Err(message) => {
            assert_eq!(message, "not a cursor this server made");
            return;
        }
        Ok(cursor) => cursor,
    };
    assert!(raw.len() <= MAX_CURSOR_BYTES, "a too long cursor was taken");
    let encoded = cursor.encode();
    assert!(url_safe(&encoded), "{encoded}");
    assert_eq!(StreamCursor::decode(&encoded).as_ref(), Ok(&cursor));
    // Every topic it names resumes from the position written for it.
    let points: BTreeMap<String, Point> = URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .expect("an accepted cursor is base64 JSON of topics to points");
    for (name, point) in points {
        let Ok(topic) = name.parse::<Topic>() else {
            continue;
        };
        assert_eq!(cursor.resume(&topic), expected(&topic, point.p, point.e));
    }
}

/// A topic's point as the cursor's JSON spells it, read apart from the
/// gateway. Like the gateway, it skips unknown fields unread (serde_json
/// does not check that skipped strings are UTF-8).
#[derive(Deserialize)]
struct Point {
    #[serde(default)]
    e: Option<String>,
    p: u64,
}

#[derive(Debug, Arbitrary)]
struct Sent {
    topic: String,
    epoch: Option<String>,
    position: u64,
    content: bool,
}

/// The marks of the frames a stream sent, in order.
fn marks(data: &[u8]) {
    let Ok(sent) = Vec::<Sent>::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let mut cursor = StreamCursor::default();
    let mut last: Vec<(String, u64, Option<String>)> = Vec::new();
    for frame in &sent {
        cursor.apply(&Mark {
            topic: Arc::from(frame.topic.as_str()),
            epoch: frame.epoch.as_deref().map(Arc::from),
            position: frame.position,
            content: frame.content,
        });
        // A frame without an epoch keeps the one the topic had.
        let kept = last
            .iter()
            .find(|(topic, ..)| *topic == frame.topic)
            .and_then(|(.., epoch)| epoch.clone());
        last.retain(|(topic, ..)| *topic != frame.topic);
        let epoch = frame.epoch.clone().or(kept);
        last.push((frame.topic.clone(), frame.position, epoch));
    }
    for (name, position, epoch) in &last {
        if let Ok(topic) = name.parse::<Topic>() {
            assert_eq!(
                cursor.resume(&topic),
                expected(&topic, *position, epoch.clone())
            );
        }
    }
    let encoded = cursor.encode();
    assert!(url_safe(&encoded), "{encoded}");
    if encoded.len() <= MAX_CURSOR_BYTES {
        assert_eq!(
            StreamCursor::decode(&encoded),
            Ok(cursor),
            "a cursor it made"
        );
    }
}

/// Where the recovery core is told to resume `topic` from.
fn expected(topic: &Topic, position: u64, epoch: Option<String>) -> Resume {
    match topic {
        Topic::Orders => Resume {
            offset: Some(position),
            ..Resume::default()
        },
        Topic::Order(_) | Topic::Chat(_) => Resume {
            since: Some(position),
            epoch,
            offset: None,
        },
    }
}

fn url_safe(encoded: &str) -> bool {
    encoded
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
