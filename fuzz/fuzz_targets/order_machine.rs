//! The order state machine (`Order::apply`, `observe_location`), driven by
//! random sequences of events and customer actions from a new order.
//!
//! Holds after every step: no panic; a status change is accepted exactly
//! when docs/domain.md's table allows it, and a refused one lists that
//! table's row; a final order stays final and refuses everything but chat;
//! `final` is true exactly for final statuses; progress never goes back;
//! `delivery_failed` is taken only in transit; a customer cancel only
//! before shipping; an accepted event sets what docs/domain.md says (note,
//! delay, failure, courier, instructions, eta) and nothing else changes the
//! status; every refusal maps to a 409 with a stable code; a location is
//! taken only when newer and the order is not final.
#![no_main]

use chrono::{DateTime, Duration, Utc};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use trackwire_domain::event::{ChatMessage, CourierAssigned, EtaChanged};
use trackwire_domain::{
    Action, Code, Delayed, DeliveryFailed, DurableEvent, InstructionsChanged, Item, Location,
    Order, OrderCreated, OrderId, OrderStatus, Party, StatusChanged, TransitionError,
};
use trackwire_fuzz::documented_next;
use trackwire_gateway::{Kind, Problem};

#[derive(Debug, Clone, Copy, Arbitrary)]
enum Note {
    Absent,
    Blank,
    Text,
}

#[derive(Debug, Arbitrary)]
enum Step {
    Status {
        to: u8,
        note: Note,
    },
    /// The customer's `cancel` action.
    Cancel,
    Eta {
        minutes: u16,
    },
    Delayed {
        with_eta: bool,
        note: Note,
    },
    DeliveryFailed {
        note: Note,
    },
    CourierAssigned {
        note: Note,
    },
    Instructions {
        blank: bool,
    },
    Chat,
    Created,
    Location {
        ts: i64,
    },
    Wait {
        seconds: u16,
    },
}

fuzz_target!(|steps: Vec<Step>| {
    for status in OrderStatus::ALL {
        let next: Vec<OrderStatus> = documented_next()[&status].iter().copied().collect();
        let mut allowed = status.allowed_next();
        allowed.sort();
        assert_eq!(
            allowed, next,
            "allowed_next({status}) is docs/domain.md's row"
        );
    }
    let mut now = DateTime::UNIX_EPOCH + Duration::days(20_000);
    let mut order = Order::create(OrderId::parse("F-1").expect("id"), &created(), now);
    for step in steps {
        if let Step::Wait { seconds } = step {
            now += Duration::seconds(seconds.into());
            continue;
        }
        if let Step::Location { ts } = step {
            order = located(order, ts);
            continue;
        }
        let event = event(&step, now);
        let result = order.apply(&event, now);
        check(&order, &event, &step, &result, now);
        if let Ok(next) = result {
            order = next;
        }
        assert_eq!(order.is_final, order.status.is_terminal());
    }
});

/// One step's outcome against the documented rules.
fn check(
    before: &Order,
    event: &DurableEvent,
    step: &Step,
    result: &Result<Order, TransitionError>,
    now: DateTime<Utc>,
) {
    let from = before.status;
    let after = match (event, result) {
        (DurableEvent::ChatMessage(_), result) => {
            assert_eq!(
                result.as_ref(),
                Ok(before),
                "chat leaves the order as it is"
            );
            return;
        }
        (DurableEvent::OrderCreated(_), result) => {
            assert_eq!(
                result.as_ref().err(),
                Some(&TransitionError::AlreadyCreated)
            );
            return refused(result);
        }
        (_, Err(TransitionError::OrderFinal { status })) => {
            assert!(
                from.is_terminal() && *status == from,
                "only a final order is final"
            );
            return refused(result);
        }
        (_, _) if from.is_terminal() => panic!("a final order took {event:?}: {result:?}"),
        (DurableEvent::StatusChanged(change), Err(error)) => {
            let TransitionError::InvalidTransition {
                from: f,
                to,
                allowed,
            } = error
            else {
                panic!("a status change refused as {error:?}")
            };
            assert_eq!((*f, *to), (from, change.status));
            assert!(
                !documented_next()[&from].contains(to),
                "{from} -> {to} is allowed"
            );
            let listed: Vec<OrderStatus> = documented_next()[&from].iter().copied().collect();
            let mut allowed = allowed.clone();
            allowed.sort();
            assert_eq!(allowed, listed, "the refusal lists the table's row");
            if matches!(step, Step::Cancel) {
                assert!(
                    !from.is_cancellable(),
                    "a cancellable order refused a cancel"
                );
            }
            return refused(result);
        }
        (DurableEvent::DeliveryFailed(_), Err(error)) => {
            assert!(
                matches!(error, TransitionError::NotInThisStatus { .. }),
                "{error:?}"
            );
            assert!(!from.is_in_transit(), "refused in transit");
            return refused(result);
        }
        (_, Err(error)) => panic!("{event:?} refused while {from}: {error:?}"),
        (_, Ok(after)) => after,
    };
    assert_eq!(after.updated_at, now);
    assert_eq!(
        (&after.id, &after.seq, &after.epoch),
        (&before.id, &before.seq, &before.epoch)
    );
    match event {
        DurableEvent::StatusChanged(change) => {
            let to = change.status;
            assert!(
                documented_next()[&from].contains(&to),
                "{from} -> {to} taken"
            );
            assert_eq!(after.status, to);
            assert!(
                after.status.progress() >= from.progress(),
                "progress went back"
            );
            assert!(after.delay.is_none(), "a status change clears the delay");
            if to == OrderStatus::Delivered {
                assert!(after.last_failure.is_none(), "delivery clears the failure");
            }
            if matches!(step, Step::Cancel) {
                assert!(from.is_cancellable(), "cancelled after shipping");
            }
        }
        other => {
            assert_eq!(after.status, from, "only a status change moves the status");
            match other {
                DurableEvent::EtaChanged(e) => assert_eq!(after.eta, Some(e.eta)),
                DurableEvent::Delayed(d) => {
                    let delay = after.delay.as_ref().expect("delayed sets a delay");
                    assert_eq!((&delay.reason, delay.since), (&d.reason, now));
                    assert_eq!(after.eta, d.eta.or(before.eta));
                }
                DurableEvent::DeliveryFailed(f) => {
                    assert!(from.is_in_transit(), "delivery_failed taken while {from}");
                    assert_eq!(after.last_failure.as_ref(), Some(&f.reason));
                }
                DurableEvent::CourierAssigned(c) => {
                    assert_eq!(after.courier, Some(c.courier.clone()))
                }
                DurableEvent::InstructionsChanged(i) => {
                    let kept = (!i.text.trim().is_empty()).then(|| i.text.clone());
                    assert_eq!(after.instructions, kept);
                }
                _ => {}
            }
        }
    }
    let note = match event.internal_note() {
        None => before.internal_note.clone(),
        Some(n) => (!n.trim().is_empty()).then(|| n.to_owned()),
    };
    assert_eq!(
        after.internal_note, note,
        "the snapshot keeps the latest note"
    );
}

/// A refusal answers 409 with a stable code.
fn refused(result: &Result<Order, TransitionError>) {
    let error = result.clone().expect_err("refused");
    let problem = Problem::from(error);
    assert_eq!(problem.kind, Kind::Conflict);
    assert!(matches!(
        problem.code,
        Code::InvalidTransition | Code::OrderFinal | Code::NotAllowedInStatus | Code::OrderExists
    ));
}

fn located(mut order: Order, ts: i64) -> Order {
    let before = order.clone();
    let location = Location {
        lat: 1.0,
        lng: 2.0,
        heading: None,
        ts,
    };
    let taken = order.observe_location(&location);
    let newer = before.location.as_ref().is_none_or(|l| l.ts < ts);
    assert_eq!(
        taken,
        !before.is_final && newer,
        "latest-wins, none once final"
    );
    if taken {
        assert_eq!(order.location, Some(location));
    } else {
        assert_eq!(order, before, "a dropped location changes nothing");
    }
    order
}

fn event(step: &Step, now: DateTime<Utc>) -> DurableEvent {
    let reason = || "fuzz".to_owned();
    let eta = now + Duration::hours(1);
    match *step {
        Step::Status { to, note } => DurableEvent::StatusChanged(StatusChanged {
            status: OrderStatus::ALL[usize::from(to) % OrderStatus::ALL.len()],
            reason: None,
            internal_note: noted(note),
        }),
        Step::Cancel => Action::Cancel { reason: None }.into_event(),
        Step::Eta { minutes } => DurableEvent::EtaChanged(EtaChanged {
            eta: now + Duration::minutes(minutes.into()),
        }),
        Step::Delayed { with_eta, note } => DurableEvent::Delayed(Delayed {
            reason: reason(),
            eta: with_eta.then_some(eta),
            internal_note: noted(note),
        }),
        Step::DeliveryFailed { note } => DurableEvent::DeliveryFailed(DeliveryFailed {
            reason: reason(),
            internal_note: noted(note),
        }),
        Step::CourierAssigned { note } => DurableEvent::CourierAssigned(CourierAssigned {
            courier: party("courier-1"),
            internal_note: noted(note),
        }),
        Step::Instructions { blank } => DurableEvent::InstructionsChanged(InstructionsChanged {
            text: if blank {
                " ".into()
            } else {
                "Ring twice".into()
            },
        }),
        Step::Chat => DurableEvent::ChatMessage(ChatMessage {
            text: "hi".into(),
            client_message_id: "m-1".into(),
            from: None,
        }),
        Step::Created | Step::Location { .. } | Step::Wait { .. } => {
            DurableEvent::OrderCreated(created())
        }
    }
}

fn noted(note: Note) -> Option<String> {
    match note {
        Note::Absent => None,
        Note::Blank => Some("  ".into()),
        Note::Text => Some("call first".into()),
    }
}

fn party(id: &str) -> Party {
    Party {
        id: id.into(),
        name: None,
        phone: None,
    }
}

fn created() -> OrderCreated {
    OrderCreated {
        customer: party("cust-1"),
        items: vec![Item {
            name: "Pizza".into(),
            quantity: 1,
        }],
        address: "1 Main St".into(),
        courier: None,
        instructions: None,
        eta: None,
        internal_note: None,
    }
}
