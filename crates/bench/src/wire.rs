//! How the benchmark speaks to one kind of server: the WebSocket URL and
//! handshake that subscribe a client to a topic, which frames are events
//! (and carry a benchmark stamp), what a client must answer, and how an
//! event is published over HTTP.
//!
//! Trackwire's own protocol is here; the peers' (`peers/`) are one module
//! each. Every server gets the same fleet (client.rs), the same publisher
//! loop (publish.rs) and the same stamp: only what this enum says differs.

use std::net::SocketAddr;
use std::sync::Arc;

use serde_json::json;

use crate::peers::{socketio, sockudo};

/// One kind of server's protocol.
#[derive(Clone)]
pub(crate) enum Wire {
    /// `GET /v1/ws` with `trackwire.v1.json`, `subscribe` → `subscribed`;
    /// an event is an order event POSTed to `/v1/orders/{id}/events` and
    /// stored (SQLite, durable) before it is fanned out.
    Trackwire,
    /// The Node `ws` peer (`peers/ws-server.mjs`): the same `subscribe` →
    /// `subscribed` JSON on `/ws`; `POST /publish?topic=T` sends the body,
    /// as it is, to every subscriber of T.
    Plain,
    /// The Socket.IO peer (`peers/socketio-server.mjs`): Engine.IO v4 over
    /// WebSocket only; the topic is the CONNECT packet's auth; `POST
    /// /publish?topic=T` emits the body to room T.
    SocketIo,
    /// Sockudo: the Pusher protocol (`/app/{key}?protocol=7`,
    /// `pusher:subscribe`), events signed `POST /apps/{id}/events`.
    Pusher(Arc<sockudo::App>),
}

/// What a control (non-event) frame asks of the client.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Control {
    /// The subscription is in place: events will follow.
    Subscribed,
    /// The server refused (the text says why).
    Refused(String),
    /// Send this frame back (a handshake step, a pong).
    Reply(String),
    /// Nothing to do.
    Ignore,
}

impl Wire {
    /// The topic to subscribe to for a subject `name` of the run
    /// (Trackwire's topics are orders; Pusher channel names allow no `:`).
    pub(crate) fn topic(&self, name: &str) -> String {
        match self {
            Wire::Trackwire => format!("order:{name}"),
            _ => name.to_string(),
        }
    }

    pub(crate) fn ws_url(&self, server: SocketAddr, topic: &str) -> String {
        match self {
            Wire::Trackwire => format!("ws://{server}/v1/ws"),
            Wire::Plain => format!("ws://{server}/ws"),
            Wire::SocketIo => socketio::url(server),
            Wire::Pusher(app) => app.ws_url(server, topic),
        }
    }

    pub(crate) fn subprotocol(&self) -> Option<&'static str> {
        match self {
            Wire::Trackwire => Some("trackwire.v1.json"),
            _ => None,
        }
    }

    /// The first frame a client sends, right after the WebSocket handshake
    /// (the others wait for the server's first frame).
    pub(crate) fn opening(&self, topic: &str) -> Option<String> {
        match self {
            Wire::Trackwire | Wire::Plain => {
                Some(json!({ "type": "subscribe", "topic": topic }).to_string())
            }
            Wire::SocketIo | Wire::Pusher(_) => None,
        }
    }

    /// Whether a text frame is an event, by a cheap look at it (every
    /// delivery goes through this on the benchmark's one core).
    pub(crate) fn is_event(&self, text: &str) -> bool {
        match self {
            Wire::Trackwire | Wire::Plain => text.starts_with(r#"{"type":"event""#),
            Wire::SocketIo => socketio::is_event(text),
            Wire::Pusher(_) => sockudo::is_event(text),
        }
    }

    /// What a frame that is not an event asks for.
    pub(crate) fn control(&self, text: &str, topic: &str) -> Control {
        match self {
            Wire::Trackwire | Wire::Plain => trackwire_control(text),
            Wire::SocketIo => socketio::control(text, topic),
            Wire::Pusher(_) => sockudo::control(text, topic),
        }
    }

    /// A frame the client sends every 20 s to show it is alive, if the
    /// protocol wants one from the client.
    pub(crate) fn keepalive(&self) -> Option<&'static str> {
        match self {
            Wire::Trackwire => Some(r#"{"type":"ping"}"#),
            Wire::Pusher(_) => Some(sockudo::PING),
            // The ws peer needs none; Engine.IO's server pings, the client
            // answers (`control`).
            Wire::Plain | Wire::SocketIo => None,
        }
    }

    /// The HTTP request that publishes one event whose text is `text`
    /// (`bench f|p NANOS`) to the subject `name`; `seq` numbers the peers'
    /// frames.
    pub(crate) fn publish(
        &self,
        http: &reqwest::Client,
        base: &str,
        name: &str,
        text: &str,
        seq: u64,
    ) -> reqwest::RequestBuilder {
        match self {
            Wire::Trackwire => http
                .post(format!("{base}/v1/orders/{name}/events"))
                .json(&json!({ "type": "instructions_changed", "text": text })),
            Wire::Plain | Wire::SocketIo => http
                .post(format!("{base}/publish?topic={name}"))
                .header("content-type", "application/json")
                .body(peer_frame(name, text, seq)),
            Wire::Pusher(app) => app.publish(http, base, name, &peer_frame(name, text, seq)),
        }
    }
}

/// The frame the peers fan out: the shape and about the size of
/// Trackwire's event frame (`{"type":"event","event":{…}}`, ~250 bytes), so
/// that no server carries lighter frames than another. Serialized once per
/// event, by the publisher.
pub(crate) fn peer_frame(topic: &str, text: &str, seq: u64) -> String {
    // By hand, not `json!`: serde_json sorts an object's keys, and the
    // type must come first (the cheap `is_event` looks at the start).
    // `topic` and `text` are the benchmark's own, with nothing to escape.
    format!(
        r#"{{"type":"event","event":{{"id":"0193a5c2-7f00-7000-8000-{seq:012x}","type":"instructions_changed","topic":"{topic}","seq":{seq},"epoch":"k3Jd9xQa","offset":{seq},"occurredAt":"2026-12-03T07:00:00.000000Z","version":1,"payload":{{"text":"{text}"}}}}}}"#
    )
}

/// Trackwire's (and the ws peer's) `subscribed` / `error` frames.
fn trackwire_control(text: &str) -> Control {
    let Ok(frame) = serde_json::from_str::<serde_json::Value>(text) else {
        return Control::Ignore;
    };
    match frame["type"].as_str() {
        Some("subscribed") => Control::Subscribed,
        Some("error") => Control::Refused(text.to_string()),
        _ => Control::Ignore,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_peer_frame_carries_the_stamp_where_the_fleet_reads_it() {
        let frame = peer_frame("bench-1", "bench f 42", 7);
        let parsed: serde_json::Value = serde_json::from_str(&frame).expect("JSON");
        assert_eq!(parsed["event"]["payload"]["text"], "bench f 42");
        assert!(Wire::Plain.is_event(&frame));
        assert_eq!(
            crate::client::parse_stamp(&frame),
            Some((crate::client::Kind::Flood, 42))
        );
    }

    #[test]
    fn trackwire_control_frames() {
        assert_eq!(
            trackwire_control(r#"{"type":"subscribed","topic":"order:A"}"#),
            Control::Subscribed
        );
        assert!(matches!(
            trackwire_control(r#"{"type":"error","code":"forbidden"}"#),
            Control::Refused(_)
        ));
        assert_eq!(trackwire_control(r#"{"type":"pong"}"#), Control::Ignore);
    }
}
