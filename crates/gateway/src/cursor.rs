//! [`StreamCursor`]: the position of every topic of a stream in one opaque,
//! URL-safe string. SSE sends it as each event's `id:` (so `Last-Event-ID`
//! resumes exactly); long-poll returns it as `cursor`.

use std::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use trackwire_domain::Topic;

use crate::outbox::Mark;
use crate::recovery::Resume;

/// Longest cursor accepted: a handful of topics fit in far less.
const MAX_CURSOR_BYTES: usize = 4096;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamCursor(BTreeMap<String, Point>);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Point {
    /// The topic's epoch (none on the `orders` feed).
    #[serde(rename = "e", default, skip_serializing_if = "Option::is_none")]
    epoch: Option<String>,
    /// `seq`, or the feed's `offset`.
    #[serde(rename = "p")]
    position: u64,
}

impl StreamCursor {
    /// Reads a cursor this server made; anything else is an error.
    pub fn decode(raw: &str) -> Result<Self, String> {
        let bad = || "not a cursor this server made".to_owned();
        if raw.len() > MAX_CURSOR_BYTES {
            return Err(bad());
        }
        let json = URL_SAFE_NO_PAD.decode(raw).map_err(|_| bad())?;
        serde_json::from_slice(&json).map_err(|_| bad())
    }

    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// Moves a topic to the position a sent frame left it at.
    pub fn apply(&mut self, mark: &Mark) {
        let point = self.0.entry(mark.topic.to_string()).or_insert(Point {
            epoch: None,
            position: 0,
        });
        if let Some(epoch) = &mark.epoch {
            point.epoch = Some(epoch.to_string());
        }
        point.position = mark.position;
    }

    /// Where to resume `topic` from (nothing known: from its snapshot).
    pub fn resume(&self, topic: &Topic) -> Resume {
        let Some(point) = self.0.get(&topic.to_string()) else {
            return Resume::default();
        };
        match topic {
            Topic::Orders => Resume {
                offset: Some(point.position),
                ..Resume::default()
            },
            Topic::Order(_) | Topic::Chat(_) => Resume {
                since: Some(point.position),
                epoch: point.epoch.clone(),
                offset: None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn mark(topic: &str, epoch: Option<&str>, position: u64) -> Mark {
        Mark {
            topic: Arc::from(topic),
            epoch: epoch.map(Arc::from),
            position,
            content: true,
        }
    }

    #[test]
    fn round_trips_and_resumes_each_topic() {
        let mut cursor = StreamCursor::default();
        cursor.apply(&mark("order:A", Some("e1"), 3));
        cursor.apply(&mark("order:A", None, 4));
        cursor.apply(&mark("orders", None, 17));
        let encoded = cursor.encode();
        assert!(encoded
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        let decoded = StreamCursor::decode(&encoded).expect("decodes");
        assert_eq!(decoded, cursor);
        let order: Topic = "order:A".parse().expect("topic");
        assert_eq!(
            decoded.resume(&order),
            Resume {
                since: Some(4),
                epoch: Some("e1".into()),
                offset: None
            }
        );
        assert_eq!(decoded.resume(&Topic::Orders).offset, Some(17));
        assert_eq!(
            decoded.resume(&"chat:A".parse().expect("t")),
            Resume::default()
        );
        assert!(StreamCursor::decode("not-base64!").is_err());
        assert!(StreamCursor::decode(&URL_SAFE_NO_PAD.encode(b"[1]")).is_err());
    }
}
