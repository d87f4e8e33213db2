//! Projections by audience: one event, shaped for who receives it.
//!
//! Every order snapshot and event payload leaves the server through one of
//! these functions, so what an audience may see is decided here and only
//! here (the table is in docs/security.md):
//!
//! | field | customer | courier | staff |
//! |---|---|---|---|
//! | `internalNote` (payloads, snapshot) | no | no | yes |
//! | `courier.phone` (payloads, snapshot) | no | yes | yes |
//! | courier `location` (snapshot, `location` signal) | while `out_for_delivery` | yes | yes |
//!
//! Durable payloads are redacted field by field and never withheld whole:
//! a missing event would leave a gap in `seq`. Their redaction does not
//! depend on the order's status, so a replay shows exactly what the live
//! event showed. Only ephemeral signals depend on the status, and they may
//! be withheld whole.

use std::borrow::Cow;
use std::fmt;

use serde_json::Value;

use crate::event::EphemeralSignal;
use crate::order::Order;
use crate::status::OrderStatus;

/// Who receives a projection. Every role maps to one audience, and every
/// subscriber of one audience shares one serialization of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    /// The customer of the order.
    Customer,
    /// The courier assigned to the order.
    Courier,
    /// Dispatchers, admins and the shop's services: everything of the tenant.
    Staff,
}

/// The payload key of a staff note.
pub const INTERNAL_NOTE: &str = "internalNote";

impl Audience {
    pub const ALL: [Audience; 3] = [Audience::Customer, Audience::Courier, Audience::Staff];

    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Customer => "customer",
            Audience::Courier => "courier",
            Audience::Staff => "staff",
        }
    }

    /// Notes are written by dispatchers for dispatchers.
    pub fn sees_internal_notes(self) -> bool {
        self == Audience::Staff
    }

    /// The courier's phone is for the people who coordinate the delivery;
    /// customers talk to the courier through the order's chat.
    pub fn sees_courier_phone(self) -> bool {
        self != Audience::Customer
    }

    /// A customer sees where the courier is only while the courier is on
    /// the way to them: before that the courier is busy with other people's
    /// orders, and after it (delivered, returned) the position no longer
    /// concerns them.
    pub fn sees_courier_location(self, status: OrderStatus) -> bool {
        self != Audience::Customer || status == OrderStatus::OutForDelivery
    }
}

impl fmt::Display for Audience {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The order snapshot as `audience` sees it.
pub fn project_order(mut order: Order, audience: Audience) -> Order {
    if !audience.sees_internal_notes() {
        order.internal_note = None;
    }
    if !audience.sees_courier_phone() {
        if let Some(courier) = &mut order.courier {
            courier.phone = None;
        }
    }
    if !audience.sees_courier_location(order.status) {
        order.location = None;
    }
    order
}

/// Removes from a durable event's payload what `audience` may not see;
/// true when something was removed. The rules go by field, not by event
/// type, so a new event type that carries a note or a courier is covered
/// without a change here.
pub fn project_payload(payload: &mut Value, audience: Audience) -> bool {
    let Some(fields) = payload.as_object_mut() else {
        return false;
    };
    let mut removed = false;
    if !audience.sees_internal_notes() {
        removed |= fields.remove(INTERNAL_NOTE).is_some();
    }
    if !audience.sees_courier_phone() {
        if let Some(courier) = fields.get_mut("courier").and_then(Value::as_object_mut) {
            removed |= courier.remove("phone").is_some();
        }
    }
    removed
}

/// [`project_payload`] on payload JSON text as stored: borrowed (the same
/// text, not copied) when nothing is hidden from `audience`.
pub fn project_payload_json(json: &str, audience: Audience) -> Cow<'_, str> {
    if audience == Audience::Staff {
        return Cow::Borrowed(json);
    }
    match serde_json::from_str::<Value>(json) {
        Ok(mut payload) => {
            if project_payload(&mut payload, audience) {
                Cow::Owned(payload.to_string())
            } else {
                Cow::Borrowed(json)
            }
        }
        // Stored payloads are JSON; if one is not, an audience that may see
        // less gets nothing of it rather than something unchecked.
        Err(_) => Cow::Owned("{}".to_owned()),
    }
}

/// Whether a signal on an order in `status` reaches `audience` at all.
/// Signals carry nothing to redact field by field; a courier position the
/// audience may not see is withheld whole (signals have no `seq`, so
/// nothing is left with a gap).
pub fn signal_reaches(signal: &EphemeralSignal, audience: Audience, status: OrderStatus) -> bool {
    match signal {
        EphemeralSignal::Location(_) => audience.sees_courier_location(status),
        EphemeralSignal::Typing(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn staff_payloads_are_served_as_stored() {
        let stored = r#"{"courier":{"id":"c","phone":"+1"},"internalNote":"n"}"#;
        assert!(matches!(
            project_payload_json(stored, Audience::Staff),
            Cow::Borrowed(s) if s == stored
        ));
        assert!(matches!(
            project_payload_json(r#"{"status":"shipped"}"#, Audience::Customer),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn couriers_lose_the_note_and_customers_the_phone_too() {
        let stored = json!({"courier": {"id": "c", "phone": "+1"}, "internalNote": "n"});
        let mut courier = stored.clone();
        assert!(project_payload(&mut courier, Audience::Courier));
        assert_eq!(courier, json!({"courier": {"id": "c", "phone": "+1"}}));
        let mut customer = stored;
        assert!(project_payload(&mut customer, Audience::Customer));
        assert_eq!(customer, json!({"courier": {"id": "c"}}));
    }

    #[test]
    fn an_unreadable_payload_is_not_passed_on() {
        assert_eq!(project_payload_json("not json", Audience::Customer), "{}");
        assert_eq!(
            project_payload_json("not json", Audience::Staff),
            "not json"
        );
    }

    #[test]
    fn customers_see_the_courier_only_on_the_way_to_them() {
        for status in OrderStatus::ALL {
            let shown = status == OrderStatus::OutForDelivery;
            assert_eq!(
                Audience::Customer.sees_courier_location(status),
                shown,
                "{status}"
            );
            assert!(Audience::Courier.sees_courier_location(status));
            assert!(Audience::Staff.sees_courier_location(status));
        }
    }
}
