//! The WebSocket client frame parser (`protocol::client::parse`), then what
//! the session reads out of a frame: its topic and a mutation's action.
//!
//! Holds: no panic; a refusal is `malformed` exactly when the text is not
//! JSON, else `unknown_frame` or `invalid_frame`, always with a message; an
//! accepted frame written back as JSON parses to the same frame; a topic
//! that parses prints back as itself; a refused action has documented
//! field codes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map, Value};
use trackwire_domain::{Action, Code, Topic};
use trackwire_fuzz::{check_field_errors, text};
use trackwire_gateway::protocol::client::{parse, ClientFrame};

fuzz_target!(|data: &[u8]| {
    // The server closes on a binary or non-UTF-8 frame before parsing.
    let Some(text) = text(data) else { return };
    match parse(text) {
        Err(error) => {
            let is_json = serde_json::from_str::<Value>(text).is_ok();
            match error.code {
                Code::Malformed => assert!(!is_json, "JSON refused as malformed"),
                Code::UnknownFrame | Code::InvalidFrame => assert!(is_json),
                other => panic!("unexpected code {other}"),
            }
            assert!(!error.message.is_empty());
        }
        Ok(frame) => {
            let again = parse(&encode(&frame).to_string()).expect("an encoded frame parses");
            assert!(
                same(&encode(&again), &encode(&frame)),
                "{again:?} != {frame:?}"
            );
            inspect(frame);
        }
    }
});

/// What the session does next with a frame's fields.
fn inspect(frame: ClientFrame) {
    let topic = match &frame {
        ClientFrame::Subscribe(s) => Some(s.topic.as_str()),
        ClientFrame::Unsubscribe(u) => Some(u.topic.as_str()),
        ClientFrame::Mutate(m) => Some(m.topic.as_str()),
        ClientFrame::Publish(p) => Some(p.topic.as_str()),
        ClientFrame::Auth(_) | ClientFrame::Ping(_) => None,
    };
    if let Some(Ok(parsed)) = topic.map(str::parse::<Topic>) {
        assert_eq!(
            Some(parsed.to_string().as_str()),
            topic,
            "a topic prints as itself"
        );
    }
    if let ClientFrame::Mutate(mutate) = frame {
        if let Err(errors) = Action::parse(&mutate.action, mutate.args) {
            check_field_errors(&errors);
        }
    }
}

/// Equal, but for floats a last bit apart: serde_json's default float
/// parsing is not exactly rounded, so a float may read back one ulp off.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            (x - y).abs() <= f64::EPSILON * x.abs().max(y.abs())
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// A frame as a client would write it (the SDK's side of the protocol).
fn encode(frame: &ClientFrame) -> Value {
    let mut fields = Map::new();
    let mut put = |key: &str, value: Value| {
        fields.insert(key.to_owned(), value);
    };
    match frame {
        ClientFrame::Auth(a) => {
            put("type", "auth".into());
            put("token", a.token.clone().into());
        }
        ClientFrame::Subscribe(s) => {
            put("type", "subscribe".into());
            put("topic", s.topic.clone().into());
            put("since", json!(s.since));
            put("epoch", json!(s.epoch));
            put("offset", json!(s.offset));
        }
        ClientFrame::Unsubscribe(u) => {
            put("type", "unsubscribe".into());
            put("topic", u.topic.clone().into());
        }
        ClientFrame::Mutate(m) => {
            put("type", "mutate".into());
            put("clientMutationId", m.client_mutation_id.clone().into());
            put("topic", m.topic.clone().into());
            put("action", m.action.clone().into());
            put("args", m.args.clone());
        }
        ClientFrame::Publish(p) => {
            put("type", "publish".into());
            put("topic", p.topic.clone().into());
            put("event", p.event.clone().into());
            put("payload", p.payload.clone());
        }
        ClientFrame::Ping(p) => {
            put("type", "ping".into());
            if let Some(id) = &p.id {
                put("id", id.clone());
            }
        }
    }
    Value::Object(fields)
}
