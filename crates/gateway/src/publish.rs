//! From stored events and signals to publications: each event frame is
//! serialized once per audience here (and only once when no audience has
//! anything hidden from it), and every subscriber of that audience's
//! channel shares its bytes.

use bytes::Bytes;
use chrono::Utc;
use trackwire_broker::{Channel, Class, Publication};
use trackwire_domain::envelope::raw_payload;
use trackwire_domain::projection::signal_reaches;
use trackwire_domain::{
    new_event_id, Audience, ChatSender, Envelope, EphemeralSignal, OrderStatus, Topic,
    PAYLOAD_VERSION,
};
use trackwire_store::StoredEvent;

use crate::audience::{publication_channel, redacted};
use crate::presence::Member;
use crate::protocol::server::event_frame;

/// The tenant feed's topic name.
pub const FEED_TOPIC: &str = "orders";

/// The feed is for dispatchers (only staff may read it), so it is only
/// published in the staff projection.
pub const FEED_AUDIENCE: Audience = Audience::Staff;

/// The `event` frame of a stored event, already projected. Live
/// publications and replays both build their bytes here, so a replayed
/// event is byte for byte what the live one was.
pub fn frame(event: &StoredEvent) -> Bytes {
    event_frame(&event.envelope().to_json())
}

/// The publications of one stored event: one per audience on its own
/// topic (every audience gets every durable event, redacted, never
/// withheld, so no one sees a gap in `seq`), and for order events the
/// staff bytes on the tenant feed too. `order_final` says the event made
/// its order final, so its topic closes after it.
pub fn durable(
    tenant: &str,
    event: &StoredEvent,
    order_final: bool,
    courier: Option<&str>,
) -> Vec<Publication> {
    let as_stored = frame(event);
    let is_order_event = event.offset.is_some();
    let class = |closes_topic| Class::Durable {
        seq: event.seq,
        offset: event.offset,
        closes_topic,
    };
    let mut out: Vec<Publication> = Audience::ALL
        .into_iter()
        .filter_map(|audience| {
            Some(Publication {
                channel: publication_channel(tenant, &event.topic, audience, courier)?,
                class: class(order_final && is_order_event),
                payload: redacted(event, audience)
                    .map_or_else(|| as_stored.clone(), |projected| frame(&projected)),
            })
        })
        .collect();
    if is_order_event {
        let payload = out
            .iter()
            .find(|p| p.channel.audience == FEED_AUDIENCE)
            .map_or_else(|| as_stored.clone(), |p| p.payload.clone());
        out.push(Publication {
            channel: Channel::new(tenant, FEED_TOPIC, FEED_AUDIENCE),
            class: class(false),
            payload,
        });
    }
    out
}

/// One stored event as `channel` carries it: the same bytes the live
/// publication had (a refill of the channel from the store, `hub::refill`).
pub fn for_channel(channel: &Channel, event: &StoredEvent, closes_topic: bool) -> Publication {
    Publication {
        channel: channel.clone(),
        class: Class::Durable {
            seq: event.seq,
            offset: event.offset,
            closes_topic,
        },
        payload: redacted(event, channel.audience).map_or_else(|| frame(event), |p| frame(&p)),
    }
}

/// The publications of an ephemeral signal on `topic`, for the audiences
/// it reaches while the order is in `status` (a courier's position reaches
/// the customer only while the order is out for delivery). Signals carry
/// nothing to redact, so every audience shares one serialization. An
/// order's location also reaches the feed, for the dispatchers' map.
pub fn signal(
    tenant: &str,
    topic: &Topic,
    signal: &EphemeralSignal,
    status: OrderStatus,
    courier: Option<&str>,
) -> Vec<Publication> {
    let topic_name = topic.to_string();
    // Latest-wins per kind and source topic, also on the feed where many
    // orders' signals meet; typing per person (two may type at once).
    let key = match signal {
        EphemeralSignal::Typing(trackwire_domain::event::Typing {
            from: Some(from), ..
        }) => format!("typing:{topic_name}:{}", from.subject),
        _ => format!("{}:{topic_name}", signal.event_type()),
    };
    let (mut out, class, payload) = ephemeral(
        tenant,
        &topic_name,
        (signal.event_type(), signal.payload_json()),
        key,
        |audience| signal_reaches(signal, audience, status),
        courier,
    );
    if matches!(signal, EphemeralSignal::Location(_)) {
        out.push(Publication {
            channel: Channel::new(tenant, FEED_TOPIC, FEED_AUDIENCE),
            class,
            payload,
        });
    }
    out
}

/// A presence change on `topic` (`state`: `join` or `leave`), for every
/// audience that reads the topic; latest-wins per person.
pub fn presence(
    tenant: &str,
    topic: &Topic,
    member: &Member,
    state: &str,
    courier: Option<&str>,
) -> Vec<Publication> {
    let topic_name = topic.to_string();
    let payload = serde_json::json!({
        "subject": member.subject,
        "role": member.role,
        "since": member.since,
        "state": state,
    })
    .to_string();
    let key = format!("presence:{}:{topic_name}", member.subject);
    let (out, _, _) = ephemeral(
        tenant,
        &topic_name,
        ("presence", payload),
        key,
        |_| true,
        courier,
    );
    out
}

/// A chat read receipt: `subject` has read up to `seq` (latest-wins per
/// person).
pub fn read_receipt(
    tenant: &str,
    topic: &Topic,
    reader: &ChatSender,
    seq: u64,
    courier: Option<&str>,
) -> Vec<Publication> {
    let topic_name = topic.to_string();
    let payload =
        serde_json::json!({"subject": reader.subject, "role": reader.role, "seq": seq}).to_string();
    let key = format!("chat_read:{topic_name}:{}", reader.subject);
    let (out, _, _) = ephemeral(
        tenant,
        &topic_name,
        ("chat_read", payload),
        key,
        |_| true,
        courier,
    );
    out
}

/// An unnumbered event on `topic_name`, serialized once, for the audiences
/// `reaches` lets through; also its class and bytes, for more channels.
fn ephemeral(
    tenant: &str,
    topic_name: &str,
    (event_type, payload_json): (&str, String),
    key: String,
    reaches: impl Fn(Audience) -> bool,
    courier: Option<&str>,
) -> (Vec<Publication>, Class, Bytes) {
    let envelope = Envelope {
        id: new_event_id(),
        event_type: event_type.to_owned(),
        topic: topic_name.to_owned(),
        seq: None,
        epoch: None,
        offset: None,
        occurred_at: Utc::now(),
        version: PAYLOAD_VERSION,
        payload: raw_payload(payload_json),
    };
    let payload = event_frame(&envelope.to_json());
    let class = Class::Ephemeral { key: key.into() };
    let out = Audience::ALL
        .into_iter()
        .filter(|audience| reaches(*audience))
        .filter_map(|audience| {
            Some(Publication {
                channel: publication_channel(tenant, topic_name, audience, courier)?,
                class: class.clone(),
                payload: payload.clone(),
            })
        })
        .collect();
    (out, class, payload)
}
