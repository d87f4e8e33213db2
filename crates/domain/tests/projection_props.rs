//! Property tests for projections by audience (`projection.rs`): whatever
//! the event or the order's history, a customer never gets a staff note or
//! the courier's phone, nor the courier's position before the order is out
//! for delivery; a courier never gets a note; staff get everything; and a
//! projection removes nothing else.
//!
//! Notes and courier phones carry markers (`NOTE~`, `PHONE~`) that no other
//! generated text contains, so a leak anywhere in the JSON is found, not
//! only under the expected key.

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use serde_json::Value;
use trackwire_domain::projection::{project_order, project_payload, project_payload_json};
use trackwire_domain::{
    Audience, ChatMessage, CourierAssigned, Delayed, DeliveryFailed, DurableEvent, EtaChanged,
    InstructionsChanged, Item, Location, Order, OrderCreated, OrderId, OrderStatus, Party,
    StatusChanged,
};
use OrderStatus::OutForDelivery;

const NOTE: &str = "NOTE~";
const PHONE: &str = "PHONE~";

fn base_time() -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000, 0).expect("valid timestamp")
}

fn any_note() -> impl Strategy<Value = Option<String>> {
    prop::option::of("[a-z ]{0,8}".prop_map(|text| format!("{NOTE}{text}")))
}

fn any_courier() -> impl Strategy<Value = Party> {
    (
        "courier-[0-9]",
        prop::option::of("[A-Z][a-z]{0,6}"),
        prop::option::of("[0-9]{3,6}".prop_map(|n| format!("+49 {PHONE}{n}"))),
    )
        .prop_map(|(id, name, phone)| Party { id, name, phone })
}

fn any_time() -> impl Strategy<Value = DateTime<Utc>> {
    (0i64..100_000).prop_map(|secs| base_time() + Duration::seconds(secs))
}

fn any_status() -> impl Strategy<Value = OrderStatus> {
    prop::sample::select(OrderStatus::ALL.to_vec())
}

fn any_created() -> impl Strategy<Value = OrderCreated> {
    (
        prop::option::of(any_courier()),
        any_note(),
        // The customer's own phone is theirs to see.
        prop::option::of("[0-9]{3,6}"),
    )
        .prop_map(|(courier, internal_note, phone)| OrderCreated {
            customer: Party {
                id: "cust-1".into(),
                name: Some("Ada".into()),
                phone,
            },
            items: vec![Item {
                name: "Pizza".into(),
                quantity: 1,
            }],
            address: "1 Main St".into(),
            courier,
            instructions: Some("Ring twice".into()),
            eta: None,
            internal_note,
        })
}

/// Every durable event type, each with whatever it can carry.
fn any_event() -> impl Strategy<Value = DurableEvent> {
    prop_oneof![
        any_created().prop_map(DurableEvent::OrderCreated),
        (any_status(), prop::option::of("[a-z ]{0,12}"), any_note()).prop_map(
            |(status, reason, internal_note)| DurableEvent::StatusChanged(StatusChanged {
                status,
                reason,
                internal_note
            })
        ),
        any_time().prop_map(|eta| DurableEvent::EtaChanged(EtaChanged { eta })),
        ("[a-z]{1,12}", prop::option::of(any_time()), any_note()).prop_map(
            |(reason, eta, internal_note)| DurableEvent::Delayed(Delayed {
                reason,
                eta,
                internal_note
            })
        ),
        ("[a-z]{1,12}", any_note()).prop_map(|(reason, internal_note)| {
            DurableEvent::DeliveryFailed(DeliveryFailed {
                reason,
                internal_note,
            })
        }),
        (any_courier(), any_note()).prop_map(|(courier, internal_note)| {
            DurableEvent::CourierAssigned(CourierAssigned {
                courier,
                internal_note,
            })
        }),
        "[a-z ]{0,8}"
            .prop_map(|text| DurableEvent::InstructionsChanged(InstructionsChanged { text })),
        ("[a-z ]{1,12}", "m-[0-9]{1,4}").prop_map(|(text, client_message_id)| {
            DurableEvent::ChatMessage(ChatMessage {
                text,
                client_message_id,
                from: None,
            })
        }),
    ]
}

/// A step of an order's life: an event, or a courier position.
#[derive(Debug, Clone)]
enum Step {
    Event(Box<DurableEvent>),
    Ping(i64),
}

fn walk() -> impl Strategy<Value = Vec<Step>> {
    let step = prop_oneof![
        3 => any_event().prop_map(|event| Step::Event(Box::new(event))),
        1 => (1i64..1_000_000).prop_map(Step::Ping),
    ];
    // A forward walk first, so deep statuses (out for delivery, delivered)
    // come up often, with random steps between its stops.
    (
        prop::sample::subsequence(
            vec![
                OrderStatus::Confirmed,
                OrderStatus::Shipped,
                OutForDelivery,
                OrderStatus::Delivered,
            ],
            0..=4,
        ),
        prop::collection::vec(step, 0..30),
    )
        .prop_map(|(walk, mut steps)| {
            for (i, status) in walk.into_iter().enumerate() {
                let at = (i * 7).min(steps.len());
                let event = DurableEvent::StatusChanged(StatusChanged {
                    status,
                    reason: None,
                    internal_note: Some(format!("{NOTE}walk")),
                });
                steps.insert(at, Step::Event(Box::new(event)));
            }
            steps
        })
}

fn run(created: &OrderCreated, steps: &[Step]) -> Order {
    let mut order = Order::create(OrderId::parse("ZX-1").expect("id"), created, base_time());
    for step in steps {
        match step {
            Step::Event(event) => {
                if let Ok(next) = order.apply(event, base_time()) {
                    order = next;
                }
            }
            Step::Ping(ts) => {
                order.observe_location(&Location {
                    lat: 52.5,
                    lng: 13.4,
                    heading: None,
                    ts: *ts,
                });
            }
        }
    }
    order
}

/// True when any object in `json`, however deep, has the key `name`.
fn has_key(json: &Value, name: &str) -> bool {
    match json {
        Value::Object(fields) => fields
            .iter()
            .any(|(key, value)| key == name || has_key(value, name)),
        Value::Array(items) => items.iter().any(|item| has_key(item, name)),
        _ => false,
    }
}

/// What `audience` should get of `event`, restated on the typed event.
fn expected_event(event: &DurableEvent, audience: Audience) -> DurableEvent {
    let mut event = event.clone();
    let hide_note = audience != Audience::Staff;
    let hide_phone = audience == Audience::Customer;
    let (note, courier) = match &mut event {
        DurableEvent::OrderCreated(e) => (Some(&mut e.internal_note), e.courier.as_mut()),
        DurableEvent::StatusChanged(e) => (Some(&mut e.internal_note), None),
        DurableEvent::Delayed(e) => (Some(&mut e.internal_note), None),
        DurableEvent::DeliveryFailed(e) => (Some(&mut e.internal_note), None),
        DurableEvent::CourierAssigned(e) => (Some(&mut e.internal_note), Some(&mut e.courier)),
        DurableEvent::EtaChanged(_)
        | DurableEvent::InstructionsChanged(_)
        | DurableEvent::ChatMessage(_) => (None, None),
    };
    if let (true, Some(note)) = (hide_note, note) {
        *note = None;
    }
    if let (true, Some(courier)) = (hide_phone, courier) {
        courier.phone = None;
    }
    event
}

proptest! {
    /// Every event type, every audience: the projected payload is the event
    /// minus exactly what the audience may not see, and the text form
    /// agrees with the JSON form.
    #[test]
    fn payloads_hide_exactly_what_the_audience_may_not_see(event in any_event()) {
        let stored = event.payload_json();
        for audience in Audience::ALL {
            let mut payload: Value = serde_json::from_str(&stored).expect("json");
            project_payload(&mut payload, audience);
            let text = payload.to_string();
            if audience != Audience::Staff {
                prop_assert!(!has_key(&payload, "internalNote"), "{audience}: {text}");
                prop_assert!(!text.contains(NOTE), "{audience}: {text}");
            }
            if audience == Audience::Customer {
                prop_assert!(!text.contains(PHONE), "customer: {text}");
            }
            let back = DurableEvent::from_stored(event.event_type(), &text).expect("typed");
            prop_assert_eq!(back, expected_event(&event, audience), "{}", audience);
            let from_text: Value =
                serde_json::from_str(&project_payload_json(&stored, audience)).expect("json");
            prop_assert_eq!(from_text, payload);
        }
    }

    /// Any history of events and courier positions: the customer's snapshot
    /// has no note, no courier phone and no position unless the order is
    /// out for delivery; the courier's has no note; staff see all of it;
    /// nothing else changes.
    #[test]
    fn snapshots_hide_exactly_what_the_audience_may_not_see(
        created in any_created(),
        steps in walk(),
    ) {
        let order = run(&created, &steps);
        for audience in Audience::ALL {
            let projected = project_order(order.clone(), audience);
            let json = serde_json::to_value(&projected).expect("json");
            let text = json.to_string();
            match audience {
                Audience::Customer => {
                    prop_assert!(!has_key(&json, "internalNote"), "{text}");
                    prop_assert!(!text.contains(NOTE), "{text}");
                    prop_assert!(!text.contains(PHONE), "{text}");
                    if order.status != OutForDelivery {
                        prop_assert_eq!(&projected.location, &None, "{}", order.status);
                    } else {
                        prop_assert_eq!(&projected.location, &order.location);
                    }
                }
                Audience::Courier => {
                    prop_assert!(!text.contains(NOTE), "{text}");
                    prop_assert_eq!(&projected.courier, &order.courier);
                    prop_assert_eq!(&projected.location, &order.location);
                }
                Audience::Staff => prop_assert_eq!(&projected, &order),
            }
            // Put back what was hidden: the rest is untouched.
            let mut restored = projected;
            restored.internal_note = order.internal_note.clone();
            restored.location = order.location.clone();
            if let (Some(courier), Some(original)) = (&mut restored.courier, &order.courier) {
                courier.phone = original.phone.clone();
            }
            prop_assert_eq!(&restored, &order);
        }
    }
}

/// The generator above covers every durable type; this pins it, so a new
/// type added to the domain fails here until it is generated too.
#[test]
fn every_durable_type_is_generated() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..2_000 {
        let event = any_event().new_tree(&mut runner).expect("tree").current();
        seen.insert(event.event_type());
    }
    let all: std::collections::BTreeSet<_> = DurableEvent::TYPES.into_iter().collect();
    assert_eq!(seen, all);
}
