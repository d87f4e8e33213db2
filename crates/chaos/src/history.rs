//! What a run observed, in the checker's terms: the server's durable
//! history per topic, what each client applied, what each writer was told.
//!
//! A position is a topic's `seq` (order and chat topics) or the feed's
//! `offset` (`orders`). An event is named by its envelope `id` and, when a
//! writer made it, by the unique text the writer put in it (its `mark`):
//! the JS SDK's timeline keeps the text, not the id.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One durable event as the store holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    pub pos: u64,
    pub id: String,
    pub mark: Option<String>,
}

impl Stored {
    /// From an envelope; `pos_field` is `seq` or `offset`.
    pub fn from_envelope(envelope: &Value, pos_field: &str) -> Option<Self> {
        Some(Self {
            pos: envelope[pos_field].as_u64()?,
            id: envelope["id"].as_str()?.to_owned(),
            mark: mark_of(envelope),
        })
    }
}

/// The writer's mark in an envelope: its `text` (notes and chat).
pub fn mark_of(envelope: &Value) -> Option<String> {
    envelope["payload"]["text"].as_str().map(str::to_owned)
}

/// The server's durable history, topic by topic, in position order.
pub type Durable = BTreeMap<String, Vec<Stored>>;

/// One thing a client did to its view of a topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Applied {
    /// A durable event applied at `pos`.
    Event {
        pos: u64,
        id: Option<String>,
        mark: Option<String>,
    },
    /// A snapshot that moved the view to `pos` (it may skip positions).
    Snapshot { pos: u64 },
}

impl Applied {
    pub fn pos(&self) -> u64 {
        match self {
            Self::Event { pos, .. } | Self::Snapshot { pos } => *pos,
        }
    }
}

/// Where a client is on one topic, and everything it applied there.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TopicLog {
    pub pos: u64,
    pub epoch: Option<String>,
    pub applied: Vec<Applied>,
}

impl TopicLog {
    /// Records a server frame (`event`, `snapshot`, `subscribed`) as the
    /// client applies it. `pos_field` is `seq` or `offset`. It records and
    /// never judges: a repeated or skipped event is the checker's to find.
    /// Returns whether the frame moved the position.
    pub fn apply(&mut self, frame: &Value, pos_field: &str) -> bool {
        let before = self.pos;
        match frame["type"].as_str() {
            Some("event") => {
                let event = &frame["event"];
                let Some(pos) = event[pos_field].as_u64() else {
                    return false; // a signal: not durable
                };
                self.applied.push(Applied::Event {
                    pos,
                    id: event["id"].as_str().map(str::to_owned),
                    mark: mark_of(event),
                });
                self.pos = self.pos.max(pos);
                if let Some(epoch) = event["epoch"].as_str() {
                    self.epoch = Some(epoch.to_owned());
                }
            }
            Some("snapshot") => {
                let Some(pos) = frame[pos_field].as_u64() else {
                    return false;
                };
                self.applied.push(Applied::Snapshot { pos });
                self.pos = pos;
                self.epoch = frame["epoch"].as_str().map(str::to_owned);
            }
            Some("subscribed") => {
                if let Some(epoch) = frame["epoch"].as_str() {
                    self.epoch = Some(epoch.to_owned());
                }
            }
            _ => {}
        }
        self.pos != before
    }
}

/// One client's views, by topic.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ClientLog {
    pub name: String,
    pub topics: BTreeMap<String, TopicLog>,
    pub reconnects: u64,
}

impl ClientLog {
    pub fn new(name: impl Into<String>, topics: &[String]) -> Self {
        Self {
            name: name.into(),
            topics: topics
                .iter()
                .map(|t| (t.clone(), TopicLog::default()))
                .collect(),
            reconnects: 0,
        }
    }
}

/// The field that numbers a topic's events.
pub fn pos_field(topic: &str) -> &'static str {
    if topic == "orders" {
        "offset"
    } else {
        "seq"
    }
}

/// What a writer was told: the server acknowledged `mark` at `pos` on
/// `topic` (the feed's `offset` goes under `orders` as a second ack).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    pub topic: String,
    pub pos: u64,
    pub id: String,
    pub mark: String,
}
