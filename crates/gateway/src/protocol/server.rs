//! Frames the server sends. Each is serialized once into bytes that the
//! writer (WebSocket, SSE, long-poll) sends as they are.

use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;
use trackwire_domain::Order;

use trackwire_domain::Code;

/// Control frames; `event` frames are built by [`event_frame`] from an
/// envelope that is already JSON.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// The whole state of a topic, replacing what the client had.
    #[serde(rename_all = "camelCase")]
    Snapshot {
        topic: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        seq: Option<u64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        epoch: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        offset: Option<u64>,
        /// An `order:` topic's snapshot.
        #[serde(skip_serializing_if = "Option::is_none")]
        order: Option<Box<Order>>,
        /// The `orders` feed's snapshot: the newest orders.
        #[serde(skip_serializing_if = "Option::is_none")]
        orders: Option<Vec<Order>>,
    },
    /// The subscription is live; the client is at `seq` (or `offset`).
    #[serde(rename_all = "camelCase")]
    Subscribed {
        topic: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        seq: Option<u64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        epoch: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        offset: Option<u64>,
        recovered: bool,
        /// The order is final: nothing more will come on this topic.
        #[serde(rename = "final")]
        is_final: bool,
    },
    /// The subscription ended: `unsubscribe` was asked, or `final`.
    Unsubscribed { topic: String, reason: String },
    #[serde(rename_all = "camelCase")]
    Ack {
        client_mutation_id: String,
        seq: u64,
    },
    #[serde(rename_all = "camelCase")]
    Reject {
        client_mutation_id: String,
        code: Code,
        message: String,
    },
    Error {
        code: Code,
        message: String,
        /// The topic or mutation the error is about, when there is one.
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
    },
    Pong {
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<Value>,
    },
    /// The server is draining: reconnect after `afterMs`.
    #[serde(rename_all = "camelCase")]
    Reconnect { after_ms: u64 },
    /// An `auth` frame was accepted: who the connection now acts as, and
    /// the seconds its token has left (absent: it never expires).
    #[serde(rename_all = "camelCase")]
    Authenticated {
        tenant: String,
        subject: String,
        role: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        expires_in: Option<u64>,
    },
    /// Who is watching a topic now (after `subscribed`); `presence` events
    /// (join, leave) follow.
    Presence {
        topic: String,
        members: Vec<crate::presence::Member>,
    },
    /// The token expires in `in` seconds: send a fresh `auth`.
    AuthExpiring {
        #[serde(rename = "in")]
        in_secs: u64,
    },
}

impl ServerFrame {
    pub fn error(code: Code, message: impl Into<String>, reference: Option<String>) -> Self {
        Self::Error {
            code,
            message: message.into(),
            reference,
        }
    }

    pub fn to_bytes(&self) -> Bytes {
        // Plain data with string keys: serialization cannot fail.
        Bytes::from(serde_json::to_vec(self).unwrap_or_default())
    }
}

/// `{"type":"event","event":ENVELOPE}` around an envelope that is already
/// JSON: built once per event, shared by every subscriber.
pub fn event_frame(envelope_json: &str) -> Bytes {
    let mut frame = Vec::with_capacity(envelope_json.len() + 28);
    frame.extend_from_slice(br#"{"type":"event","event":"#);
    frame.extend_from_slice(envelope_json.as_bytes());
    frame.push(b'}');
    Bytes::from(frame)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_have_their_documented_shape() {
        let frame = ServerFrame::Subscribed {
            topic: "order:A".into(),
            seq: Some(4),
            epoch: Some("e".into()),
            offset: None,
            recovered: true,
            is_final: false,
        };
        assert_eq!(
            frame.to_bytes(),
            r#"{"type":"subscribed","topic":"order:A","seq":4,"epoch":"e","recovered":true,"final":false}"#
        );
        assert_eq!(
            ServerFrame::Reconnect { after_ms: 1500 }.to_bytes(),
            r#"{"type":"reconnect","afterMs":1500}"#
        );
        assert_eq!(
            ServerFrame::AuthExpiring { in_secs: 30 }.to_bytes(),
            r#"{"type":"auth_expiring","in":30}"#
        );
        let event: Value =
            serde_json::from_slice(&event_frame(r#"{"id":"1","seq":2}"#)).expect("json");
        assert_eq!(event["type"], "event");
        assert_eq!(event["event"]["seq"], 2);
    }
}
