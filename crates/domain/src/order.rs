//! The order snapshot and its state machine.
//!
//! [`Order::apply`] is the only way an order changes. It is pure: it returns
//! the next snapshot or a [`TransitionError`] that says what is allowed, and
//! leaves `seq`/`epoch` to the store, which assigns them in the transaction
//! that stores the event.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::event::{DurableEvent, Item, Location, OrderCreated, Party};
use crate::ids::OrderId;
use crate::status::OrderStatus;

/// The current state of one order, as `GET /v1/orders/{id}` returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Order {
    pub id: OrderId,
    pub customer: Party,
    pub courier: Option<Party>,
    pub items: Vec<Item>,
    pub address: String,
    pub status: OrderStatus,
    pub eta: Option<DateTime<Utc>>,
    /// The courier's latest position (ephemeral, latest-wins by `ts`).
    pub location: Option<Location>,
    pub instructions: Option<String>,
    /// Set by `delayed`, cleared when the status moves on.
    pub delay: Option<Delay>,
    /// Reason of the last failed delivery attempt, cleared on delivery.
    pub last_failure: Option<String>,
    /// The latest staff note an event carried; a blank note clears it.
    /// Staff only (docs/security.md); absent in snapshots stored before it
    /// existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_note: Option<String>,
    /// The `seq` of the last event on `order:{id}` this snapshot reflects.
    pub seq: u64,
    /// The epoch of `order:{id}`.
    pub epoch: String,
    /// True once the order is delivered, cancelled or returned.
    #[serde(rename = "final")]
    pub is_final: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Delay {
    pub reason: String,
    pub since: DateTime<Utc>,
}

/// Why an event cannot apply to an order as it is now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("order is {from} and cannot become {to}; allowed: {}", list(.allowed))]
    InvalidTransition {
        from: OrderStatus,
        to: OrderStatus,
        allowed: Vec<OrderStatus>,
    },
    #[error("order is {status}, which is final; no further events are accepted")]
    OrderFinal { status: OrderStatus },
    #[error("{event} is not accepted while the order is {status}")]
    NotInThisStatus {
        event: &'static str,
        status: OrderStatus,
        allowed: Vec<OrderStatus>,
    },
    #[error("the order already exists; order_created comes only once")]
    AlreadyCreated,
}

fn list(statuses: &[OrderStatus]) -> String {
    if statuses.is_empty() {
        return "none".into();
    }
    statuses
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

impl TransitionError {
    /// The statuses the order could move to now (for the 409 body).
    pub fn allowed(&self) -> &[OrderStatus] {
        match self {
            Self::InvalidTransition { allowed, .. } => allowed,
            _ => &[],
        }
    }
}

impl Order {
    /// The snapshot right after `order_created`; the store fills in
    /// `seq` and `epoch`.
    pub fn create(id: OrderId, created: &OrderCreated, at: DateTime<Utc>) -> Self {
        Order {
            id,
            customer: created.customer.clone(),
            courier: created.courier.clone(),
            items: created.items.clone(),
            address: created.address.clone(),
            status: OrderStatus::Placed,
            eta: created.eta,
            location: None,
            instructions: created.instructions.clone(),
            delay: None,
            last_failure: None,
            internal_note: None,
            seq: 0,
            epoch: String::new(),
            is_final: false,
            created_at: at,
            updated_at: at,
        }
        .noted(created.internal_note.as_deref())
    }

    /// Applies a durable event at time `at`, or says why it cannot.
    /// Terminal orders refuse everything but chat.
    pub fn apply(&self, event: &DurableEvent, at: DateTime<Utc>) -> Result<Order, TransitionError> {
        use DurableEvent as E;
        let status = self.status;
        if let E::ChatMessage(_) = event {
            // Chat lives on its own topic and leaves the order as it is;
            // people may still talk about a delivered order.
            return Ok(self.clone());
        }
        if let E::OrderCreated(_) = event {
            return Err(TransitionError::AlreadyCreated);
        }
        if status.is_terminal() {
            return Err(TransitionError::OrderFinal { status });
        }
        let mut next = self.clone();
        next.updated_at = at;
        match event {
            E::StatusChanged(change) => {
                if !status.can_become(change.status) {
                    return Err(TransitionError::InvalidTransition {
                        from: status,
                        to: change.status,
                        allowed: status.allowed_next(),
                    });
                }
                next.status = change.status;
                next.is_final = change.status.is_terminal();
                next.delay = None;
                if change.status == OrderStatus::Delivered {
                    next.last_failure = None;
                }
            }
            E::EtaChanged(change) => next.eta = Some(change.eta),
            E::Delayed(delayed) => {
                next.delay = Some(Delay {
                    reason: delayed.reason.clone(),
                    since: at,
                });
                if delayed.eta.is_some() {
                    next.eta = delayed.eta;
                }
            }
            E::DeliveryFailed(failed) => {
                if !status.is_in_transit() {
                    return Err(TransitionError::NotInThisStatus {
                        event: "delivery_failed",
                        status,
                        allowed: vec![OrderStatus::Shipped, OrderStatus::OutForDelivery],
                    });
                }
                next.last_failure = Some(failed.reason.clone());
            }
            E::CourierAssigned(assigned) => next.courier = Some(assigned.courier.clone()),
            E::InstructionsChanged(change) => {
                next.instructions = (!change.text.trim().is_empty()).then(|| change.text.clone())
            }
            E::OrderCreated(_) | E::ChatMessage(_) => {}
        }
        Ok(next.noted(event.internal_note()))
    }

    /// Keeps the latest note: an event without one leaves it, a blank one
    /// clears it.
    fn noted(mut self, note: Option<&str>) -> Self {
        if let Some(note) = note {
            self.internal_note = (!note.trim().is_empty()).then(|| note.to_owned());
        }
        self
    }

    /// Takes a courier position if it is newer than the one shown
    /// (latest-wins by the sender's `ts`). Returns whether it was taken.
    pub fn observe_location(&mut self, location: &Location) -> bool {
        if self.is_final {
            return false;
        }
        match &self.location {
            Some(current) if current.ts >= location.ts => false,
            _ => {
                self.location = Some(location.clone());
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Delayed, DeliveryFailed, InstructionsChanged, StatusChanged};
    use OrderStatus::*;

    pub(crate) fn placed() -> Order {
        let created = OrderCreated {
            customer: Party {
                id: "cust-1".into(),
                name: None,
                phone: None,
            },
            items: vec![Item {
                name: "Pizza".into(),
                quantity: 1,
            }],
            address: "1 Main St".into(),
            courier: None,
            instructions: None,
            eta: None,
            internal_note: None,
        };
        Order::create(OrderId::parse("A-1").expect("id"), &created, Utc::now())
    }

    fn status(s: OrderStatus) -> DurableEvent {
        DurableEvent::StatusChanged(StatusChanged {
            status: s,
            reason: None,
            internal_note: None,
        })
    }

    #[test]
    fn walks_the_main_path_to_a_final_state() {
        let mut order = placed();
        for s in [Confirmed, Preparing, Shipped, OutForDelivery, Delivered] {
            order = order.apply(&status(s), Utc::now()).expect("allowed");
            assert_eq!(order.status, s);
        }
        assert!(order.is_final);
        let err = order
            .apply(&status(Returned), Utc::now())
            .expect_err("final");
        assert_eq!(err, TransitionError::OrderFinal { status: Delivered });
    }

    #[test]
    fn a_refused_transition_lists_the_allowed_ones() {
        let order = placed()
            .apply(&status(Shipped), Utc::now())
            .expect("skip forward");
        let err = order
            .apply(&status(Confirmed), Utc::now())
            .expect_err("backwards");
        assert_eq!(err.allowed(), &[OutForDelivery, Delivered, Returned]);
        assert!(err
            .to_string()
            .contains("out_for_delivery, delivered, returned"));
        let err = order
            .apply(&status(Cancelled), Utc::now())
            .expect_err("shipped");
        assert!(matches!(err, TransitionError::InvalidTransition { .. }));
    }

    #[test]
    fn delays_and_failures_do_not_end_the_order() {
        let order = placed()
            .apply(
                &DurableEvent::Delayed(Delayed {
                    reason: "storm".into(),
                    eta: None,
                    internal_note: None,
                }),
                Utc::now(),
            )
            .expect("delay");
        assert_eq!(
            order.delay.as_ref().map(|d| d.reason.as_str()),
            Some("storm")
        );
        assert!(!order.is_final);
        let failed = DurableEvent::DeliveryFailed(DeliveryFailed {
            reason: "nobody home".into(),
            internal_note: None,
        });
        assert!(
            order.apply(&failed, Utc::now()).is_err(),
            "not in transit yet"
        );
        let order = order
            .apply(&status(OutForDelivery), Utc::now())
            .expect("ofd");
        assert!(order.delay.is_none(), "a status change clears the delay");
        let order = order.apply(&failed, Utc::now()).expect("in transit");
        assert_eq!(order.status, OutForDelivery);
        assert_eq!(order.last_failure.as_deref(), Some("nobody home"));
    }

    #[test]
    fn instructions_can_be_cleared() {
        let order = placed()
            .apply(
                &DurableEvent::InstructionsChanged(InstructionsChanged {
                    text: "Ring twice".into(),
                }),
                Utc::now(),
            )
            .expect("set");
        assert_eq!(order.instructions.as_deref(), Some("Ring twice"));
        let order = order
            .apply(
                &DurableEvent::InstructionsChanged(InstructionsChanged { text: " ".into() }),
                Utc::now(),
            )
            .expect("clear");
        assert_eq!(order.instructions, None);
    }

    #[test]
    fn the_snapshot_keeps_the_latest_note() {
        let noted = |note: Option<&str>| {
            DurableEvent::StatusChanged(StatusChanged {
                status: Confirmed,
                reason: None,
                internal_note: note.map(str::to_owned),
            })
        };
        let order = placed()
            .apply(&noted(Some("VIP")), Utc::now())
            .expect("noted");
        assert_eq!(order.internal_note.as_deref(), Some("VIP"));
        let order = order
            .apply(&status(Preparing), Utc::now())
            .expect("no note");
        assert_eq!(order.internal_note.as_deref(), Some("VIP"), "kept");
        let mut blank = noted(Some("  "));
        if let DurableEvent::StatusChanged(change) = &mut blank {
            change.status = Shipped;
        }
        let order = order.apply(&blank, Utc::now()).expect("blank");
        assert_eq!(order.internal_note, None, "a blank note clears it");
        // Snapshots stored before notes existed have no such key.
        let json = serde_json::to_value(placed()).expect("json");
        assert!(json.get("internalNote").is_none(), "absent, not null");
        let old: Order = serde_json::from_value(json).expect("parses without it");
        assert_eq!(old.internal_note, None);
    }

    #[test]
    fn locations_are_latest_wins() {
        let mut order = placed();
        let at = |ts| Location {
            lat: 1.0,
            lng: 2.0,
            heading: None,
            ts,
        };
        assert!(order.observe_location(&at(10)));
        assert!(!order.observe_location(&at(5)), "older is dropped");
        assert!(!order.observe_location(&at(10)), "same is dropped");
        assert!(order.observe_location(&at(11)));
        assert_eq!(order.location.map(|l| l.ts), Some(11));
    }
}
