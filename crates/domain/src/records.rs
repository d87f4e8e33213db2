//! What goes into and comes out of the store, and what the gateway hands
//! back: stored events, write results, pages, keys. Plain data; the store
//! (`trackwire_store`) fills them, every edge reads them, and none of them
//! needs to know the store.

use crate::envelope::raw_payload;
use crate::{Envelope, Order, OrderStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An event as stored: numbered, stamped, its payload kept as JSON text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredEvent {
    pub id: String,
    pub topic: String,
    pub seq: u64,
    pub epoch: String,
    /// The tenant feed position; set on `order:` events only.
    pub offset: Option<u64>,
    pub event_type: String,
    pub version: u32,
    pub occurred_at: DateTime<Utc>,
    /// The payload as JSON text.
    pub payload: String,
}

impl StoredEvent {
    /// The envelope clients receive.
    pub fn envelope(&self) -> Envelope {
        Envelope {
            id: self.id.clone(),
            event_type: self.event_type.clone(),
            topic: self.topic.clone(),
            seq: Some(self.seq),
            epoch: Some(self.epoch.clone()),
            offset: self.offset,
            occurred_at: self.occurred_at,
            version: self.version,
            payload: raw_payload(self.payload.clone()),
        }
    }
}

/// The result of a write: the order after it and the events it stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recorded {
    pub order: Order,
    pub events: Vec<StoredEvent>,
    /// True when this is the stored result of an earlier request with the
    /// same idempotency key; nothing was written and nothing should be
    /// published again.
    #[serde(skip)]
    pub replayed: bool,
}

/// An idempotency key as the caller gave it, scoped to the caller, with a
/// fingerprint of the request it came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    /// Whose key it is (the caller's subject); keys never collide across
    /// callers.
    pub subject: String,
    pub key: String,
    /// A digest of the request (method, path, body): same key with a
    /// different fingerprint is a conflict.
    pub fingerprint: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderFilter {
    pub status: Option<OrderStatus>,
    /// The customer's subject id.
    pub customer: Option<String>,
    /// The courier's subject id.
    pub courier: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrderPage {
    pub items: Vec<Order>,
    /// Cursor of the next page, `None` on the last one.
    pub next: Option<String>,
}

/// A slice of one topic's history.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    pub events: Vec<StoredEvent>,
    /// The topic's current (latest) seq.
    pub seq: u64,
    pub epoch: String,
}

/// A slice of the tenant feed.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedPage {
    pub events: Vec<StoredEvent>,
    /// The tenant's current (latest) offset.
    pub offset: u64,
}

/// How far one participant has read an order's chat.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReadReceipt {
    pub subject: String,
    /// The last message seq they have read.
    pub seq: u64,
}
