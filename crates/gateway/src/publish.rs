//! From stored events and signals to publications: each event frame is
//! serialized once here, and every channel and subscriber shares its bytes.

use chrono::Utc;
use trackwire_broker::{Channel, Class, Publication};
use trackwire_domain::envelope::raw_payload;
use trackwire_domain::{new_event_id, Envelope, EphemeralSignal, Topic, PAYLOAD_VERSION};
use trackwire_store::StoredEvent;

use crate::protocol::server::event_frame;

/// The tenant feed's topic name.
pub const FEED_TOPIC: &str = "orders";

/// The publications of one stored event: its own topic, and for order
/// events the tenant feed too, with the same bytes. `order_final` says the
/// event made its order final, so its topic closes after it.
pub fn durable(tenant: &str, event: &StoredEvent, order_final: bool) -> Vec<Publication> {
    let payload = event_frame(&event.envelope().to_json());
    let is_order_event = event.offset.is_some();
    let mut out = vec![Publication {
        channel: Channel::new(tenant, &event.topic),
        class: Class::Durable {
            seq: event.seq,
            offset: event.offset,
            closes_topic: order_final && is_order_event,
        },
        payload: payload.clone(),
    }];
    if is_order_event {
        out.push(Publication {
            channel: Channel::new(tenant, FEED_TOPIC),
            class: Class::Durable {
                seq: event.seq,
                offset: event.offset,
                closes_topic: false,
            },
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
    let payload = event_frame(&envelope.to_json());
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
