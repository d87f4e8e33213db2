//! The client side of Socket.IO (protocol v5) over Engine.IO v4, WebSocket
//! transport only, as much as a subscriber needs:
//!
//! ```text
//! GET /socket.io/?EIO=4&transport=websocket  (no long-polling first)
//! < 0{"sid":…,"pingInterval":25000,…}         Engine.IO open
//! > 40{"topic":"T"}                           Socket.IO CONNECT to "/", auth {topic}
//! < 40{"sid":…}                               connected
//! < 42["subscribed","T"]                      the peer joined room T
//! < 42["event","{…bench f 123…}"]             an event (Engine.IO message 4, Socket.IO EVENT 2)
//! < 2                                         Engine.IO ping (v4: the server pings)
//! > 3                                         pong
//! ```
//!
//! (socket.io's docs/engine.io-protocol/v4-current.md and
//! docs/socket.io-protocol/v5-current.md.)

use std::net::SocketAddr;

use serde_json::json;

use crate::wire::Control;

pub(crate) fn url(server: SocketAddr) -> String {
    format!("ws://{server}/socket.io/?EIO=4&transport=websocket")
}

/// An EVENT named `event` on the main namespace.
pub(crate) fn is_event(text: &str) -> bool {
    text.starts_with(r#"42["event""#)
}

pub(crate) fn control(text: &str, topic: &str) -> Control {
    let bytes = text.as_bytes();
    match bytes {
        // Engine.IO ping: answer at once, or the server drops us after
        // pingTimeout.
        [b'2'] => Control::Reply("3".into()),
        // Engine.IO open: connect to the main namespace, with the topic as
        // the CONNECT packet's auth payload.
        [b'0', b'{', ..] => Control::Reply(format!("40{}", json!({ "topic": topic }))),
        // Socket.IO CONNECT_ERROR.
        [b'4', b'4', ..] => Control::Refused(text.to_string()),
        // Engine.IO close.
        [b'1'] => Control::Refused("Engine.IO close".into()),
        _ if text.starts_with(r#"42["subscribed""#) => Control::Subscribed,
        // 40{"sid":…} (connected, the join follows), noop, …
        _ => Control::Ignore,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_handshake_of_the_protocol_docs() {
        let open = r#"0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#;
        assert_eq!(
            control(open, "bench-1"),
            Control::Reply(r#"40{"topic":"bench-1"}"#.into())
        );
        assert_eq!(
            control(r#"40{"sid":"wZX3oN0bSVIhsaknAAAI"}"#, "bench-1"),
            Control::Ignore
        );
        assert_eq!(
            control(r#"42["subscribed","bench-1"]"#, "bench-1"),
            Control::Subscribed
        );
        assert!(matches!(
            control(r#"44{"message":"Not authorized"}"#, "bench-1"),
            Control::Refused(_)
        ));
    }

    #[test]
    fn answers_a_ping_and_knows_an_event() {
        assert_eq!(control("2", "t"), Control::Reply("3".into()));
        assert!(is_event(r#"42["event","{\"type\":\"event\"}"]"#));
        assert!(!is_event(r#"42["subscribed","t"]"#));
        assert!(!is_event("2"));
    }
}
