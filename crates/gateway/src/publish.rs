//! From stored events and signals to publications: each envelope is
//! serialized once here, and every channel and subscriber shares its bytes.

use bytes::Bytes;
use chrono::Utc;
use trackwire_broker::{Channel, Class, Publication};
use trackwire_domain::envelope::raw_payload;
use trackwire_domain::{new_event_id, Envelope, EphemeralSignal, Topic, PAYLOAD_VERSION};
use trackwire_store::StoredEvent;

/// The tenant feed's topic name.
pub const FEED_TOPIC: &str = "orders";

/// The publications of one stored event: its own topic, and for order
/// events the tenant feed too, with the same bytes.
pub fn durable(tenant: &str, event: &StoredEvent) -> Vec<Publication> {
    let payload = Bytes::from(event.envelope().to_json());
    let class = Class::Durable {
        seq: event.seq,
        offset: event.offset,
    };
    let mut out = vec![Publication {
        channel: Channel::new(tenant, &event.topic),
        class: class.clone(),
        payload: payload.clone(),
    }];
    if event.offset.is_some() {
        out.push(Publication {
            channel: Channel::new(tenant, FEED_TOPIC),
            class,
            payload,
        });
    }
    out
}

/// The publications of an ephemeral signal on `topic` (an order's location
/// also reaches the feed, for the dispatchers' map).
pub fn signal(tenant: &str, topic: &Topic, signal: &EphemeralSignal) -> Vec<Publication> {
    let topic_name = topic.to_string();
    let envelope = Envelope {
        id: new_event_id(),
        event_type: signal.event_type().to_owned(),
        topic: topic_name.clone(),
        seq: None,
        epoch: None,
        offset: None,
        occurred_at: Utc::now(),
        version: PAYLOAD_VERSION,
        payload: raw_payload(signal.payload_json()),
    };
    let payload = Bytes::from(envelope.to_json());
    // Latest-wins per kind and source topic, also on the feed where many
    // orders' signals meet.
    let class = Class::Ephemeral {
        key: format!("{}:{topic_name}", signal.event_type()).into(),
    };
    let mut out = vec![Publication {
        channel: Channel::new(tenant, &topic_name),
        class: class.clone(),
        payload: payload.clone(),
    }];
    if matches!(signal, EphemeralSignal::Location(_)) {
        out.push(Publication {
            channel: Channel::new(tenant, FEED_TOPIC),
            class,
            payload,
        });
    }
    out
}
