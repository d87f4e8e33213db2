//! The envelope: the one shape of every message a client receives.
//!
//! `{ id, type, topic, seq?, epoch?, offset?, occurredAt, version, payload }`.
//! `seq`/`epoch` are present on durable events only; `offset` on durable
//! order events (the `orders` feed cursor). The payload is kept as raw JSON
//! so an event read from storage is sent without being parsed again.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// Version of every payload schema defined in this crate.
pub const PAYLOAD_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Envelope {
    /// Unique id; the client's dedupe key.
    pub id: String,
    /// Event type, e.g. `status_changed`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// e.g. `order:ZX-1001`.
    pub topic: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    pub occurred_at: DateTime<Utc>,
    pub version: u32,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub payload: Box<RawValue>,
}

impl Envelope {
    /// Serializes the envelope once; the bytes are then shared by every
    /// subscriber.
    pub fn to_json(&self) -> String {
        // Strings, numbers and already-valid raw JSON: cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Wraps a payload that is known to be valid JSON (it came from serde or
/// from our own storage).
pub fn raw_payload(json: String) -> Box<RawValue> {
    RawValue::from_string(json).unwrap_or_else(|_| empty_object())
}

fn empty_object() -> Box<RawValue> {
    RawValue::from_string("{}".to_owned()).unwrap_or_else(|_| unreachable!("{{}} is JSON"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ephemeral_envelopes_carry_no_seq() {
        let envelope = Envelope {
            id: "1".into(),
            event_type: "location".into(),
            topic: "order:A".into(),
            seq: None,
            epoch: None,
            offset: None,
            occurred_at: DateTime::from_timestamp(0, 0).expect("epoch"),
            version: PAYLOAD_VERSION,
            payload: raw_payload(r#"{"lat":1,"lng":2,"ts":3}"#.into()),
        };
        let json = envelope.to_json();
        assert_eq!(
            json,
            r#"{"id":"1","type":"location","topic":"order:A","occurredAt":"1970-01-01T00:00:00Z","version":1,"payload":{"lat":1,"lng":2,"ts":3}}"#
        );
    }
}
