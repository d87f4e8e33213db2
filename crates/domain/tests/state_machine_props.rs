//! Property tests for the order state machine (`Order::apply`) and the
//! latest-wins courier location (`Order::observe_location`).
//!
//! The expected outcome of every event is computed by an oracle written here
//! from the rules in `status.rs`'s module docs (main path, skip forward only,
//! cancelled before shipping, returned once shipped, three terminal states),
//! not by calling `can_become`/`allowed_next`, so a change to the table in the
//! domain code shows up as a failure here.

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestCaseError;
use trackwire_domain::{
    ChatMessage, CourierAssigned, Delayed, DeliveryFailed, DurableEvent, EtaChanged,
    InstructionsChanged, Item, Location, Order, OrderCreated, OrderId, OrderStatus, Party,
    StatusChanged, TopicKind, TransitionError,
};
use OrderStatus::*;

// ---------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------

fn base_time() -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000, 0).expect("valid timestamp")
}

fn fresh_order() -> Order {
    let created = OrderCreated {
        customer: Party {
            id: "cust-1".into(),
            name: Some("Ada".into()),
            phone: None,
        },
        items: vec![Item {
            name: "Pizza".into(),
            quantity: 2,
        }],
        address: "1 Main St".into(),
        courier: None,
        instructions: Some("Ring twice".into()),
        eta: None,
        internal_note: None,
    };
    Order::create(
        OrderId::parse("ZX-1001").expect("id"),
        &created,
        base_time(),
    )
}

fn status_event(status: OrderStatus) -> DurableEvent {
    DurableEvent::StatusChanged(StatusChanged {
        status,
        reason: None,
        internal_note: None,
    })
}

fn location(ts: i64, marker: usize) -> Location {
    Location {
        // The marker tells apart two positions sent with the same `ts`.
        lat: (marker % 90) as f64,
        lng: (marker / 90 % 180) as f64,
        heading: None,
        ts,
    }
}

// ---------------------------------------------------------------------------
// Oracle
// ---------------------------------------------------------------------------

/// Position on the main path placed -> … -> delivered, if the status is on it.
fn path_rank(status: OrderStatus) -> Option<u8> {
    match status {
        Placed => Some(0),
        Confirmed => Some(1),
        Preparing => Some(2),
        Shipped => Some(3),
        OutForDelivery => Some(4),
        Delivered => Some(5),
        Cancelled | Returned => None,
    }
}

fn oracle_terminal(status: OrderStatus) -> bool {
    matches!(status, Delivered | Cancelled | Returned)
}

/// The transition table, restated from the module docs of `status.rs`.
fn oracle_can_become(from: OrderStatus, to: OrderStatus) -> bool {
    if oracle_terminal(from) {
        return false;
    }
    match to {
        Cancelled => matches!(from, Placed | Confirmed | Preparing),
        Returned => matches!(from, Shipped | OutForDelivery),
        _ => path_rank(to) > path_rank(from),
    }
}

/// The statuses `from` may move to, in the order the API lists them
/// (path order, then cancelled, then returned).
fn oracle_allowed(from: OrderStatus) -> Vec<OrderStatus> {
    OrderStatus::ALL
        .into_iter()
        .filter(|to| oracle_can_become(from, *to))
        .collect()
}

/// The refusal `apply` should give for `event` on `order`, or `None` if the
/// event should be accepted.
fn expected_refusal(order: &Order, event: &DurableEvent) -> Option<TransitionError> {
    let status = order.status;
    match event {
        DurableEvent::ChatMessage(_) => None,
        DurableEvent::OrderCreated(_) => Some(TransitionError::AlreadyCreated),
        _ if oracle_terminal(status) => Some(TransitionError::OrderFinal { status }),
        DurableEvent::StatusChanged(change) if !oracle_can_become(status, change.status) => {
            Some(TransitionError::InvalidTransition {
                from: status,
                to: change.status,
                allowed: oracle_allowed(status),
            })
        }
        DurableEvent::DeliveryFailed(_) if !matches!(status, Shipped | OutForDelivery) => {
            Some(TransitionError::NotInThisStatus {
                event: "delivery_failed",
                status,
                allowed: vec![Shipped, OutForDelivery],
            })
        }
        _ => None,
    }
}

/// Checks one `apply` against the oracle, including the effect of an
/// accepted event on the snapshot.
fn check_step(
    before: &Order,
    event: &DurableEvent,
    at: DateTime<Utc>,
    result: &Result<Order, TransitionError>,
) -> Result<(), TestCaseError> {
    let after = match result {
        Err(err) => {
            prop_assert_eq!(
                Some(err.clone()),
                expected_refusal(before, event),
                "refused {:?} on a {} order",
                event,
                before.status
            );
            return Ok(());
        }
        Ok(after) => after,
    };
    prop_assert_eq!(
        expected_refusal(before, event),
        None,
        "accepted {:?} on a {} order",
        event,
        before.status
    );
    if let DurableEvent::ChatMessage(_) = event {
        prop_assert_eq!(after, before, "chat must leave the order as it is");
        return Ok(());
    }

    // What no durable event touches.
    prop_assert_eq!(&after.id, &before.id);
    prop_assert_eq!(&after.customer, &before.customer);
    prop_assert_eq!(&after.items, &before.items);
    prop_assert_eq!(&after.address, &before.address);
    prop_assert_eq!(&after.location, &before.location);
    prop_assert_eq!(after.seq, before.seq, "seq is the store's to assign");
    prop_assert_eq!(&after.epoch, &before.epoch);
    prop_assert_eq!(after.created_at, before.created_at);
    prop_assert_eq!(after.updated_at, at);

    // Only a status change moves the status.
    if let DurableEvent::StatusChanged(change) = event {
        prop_assert_eq!(after.status, change.status);
        prop_assert_eq!(
            after.delay.as_ref(),
            None,
            "a status change clears the delay"
        );
        if change.status == Delivered {
            prop_assert_eq!(after.last_failure.as_deref(), None);
        } else {
            prop_assert_eq!(&after.last_failure, &before.last_failure);
        }
    } else {
        prop_assert_eq!(after.status, before.status);
        prop_assert_eq!(after.is_final, before.is_final);
    }

    match event {
        DurableEvent::EtaChanged(change) => prop_assert_eq!(after.eta, Some(change.eta)),
        DurableEvent::Delayed(delayed) => {
            let delay = after.delay.as_ref().expect("delayed sets a delay");
            prop_assert_eq!(&delay.reason, &delayed.reason);
            prop_assert_eq!(delay.since, at);
            prop_assert_eq!(after.eta, delayed.eta.or(before.eta));
        }
        DurableEvent::DeliveryFailed(failed) => {
            prop_assert_eq!(after.last_failure.as_ref(), Some(&failed.reason));
        }
        DurableEvent::CourierAssigned(assigned) => {
            prop_assert_eq!(after.courier.as_ref(), Some(&assigned.courier));
        }
        DurableEvent::InstructionsChanged(change) => {
            let expected = (!change.text.trim().is_empty()).then(|| change.text.clone());
            prop_assert_eq!(&after.instructions, &expected);
        }
        _ => {}
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------

fn any_status() -> impl Strategy<Value = OrderStatus> {
    prop::sample::select(OrderStatus::ALL.to_vec())
}

fn any_time() -> impl Strategy<Value = DateTime<Utc>> {
    (0i64..10_000_000).prop_map(|secs| base_time() + Duration::seconds(secs))
}

fn any_party() -> impl Strategy<Value = Party> {
    ("c-[0-9]{1,3}", prop::option::of("[A-Z][a-z]{0,6}")).prop_map(|(id, name)| Party {
        id,
        name,
        phone: None,
    })
}

/// Any durable event the record endpoint takes (not `order_created`).
fn any_event() -> impl Strategy<Value = DurableEvent> {
    prop_oneof![
        4 => (any_status(), prop::option::of("[a-z ]{0,12}"))
            .prop_map(|(status, reason)| DurableEvent::StatusChanged(StatusChanged { status, reason, internal_note: None })),
        1 => ("[a-z]{1,12}", prop::option::of(any_time()))
            .prop_map(|(reason, eta)| DurableEvent::Delayed(Delayed { reason, eta, internal_note: None })),
        1 => any_time().prop_map(|eta| DurableEvent::EtaChanged(EtaChanged { eta })),
        1 => "[a-z]{1,12}".prop_map(|reason| DurableEvent::DeliveryFailed(DeliveryFailed { reason, internal_note: None })),
        1 => any_party().prop_map(|courier| DurableEvent::CourierAssigned(CourierAssigned { courier, internal_note: None })),
        // Blank text included: it clears the instructions.
        1 => "[a-z ]{0,8}".prop_map(|text| DurableEvent::InstructionsChanged(InstructionsChanged { text })),
        1 => ("[a-z ]{1,12}", "m-[0-9]{1,4}").prop_map(|(text, client_message_id)| {
            DurableEvent::ChatMessage(ChatMessage { text, client_message_id, from: None })
        }),
    ]
}

fn any_steps(max: usize) -> impl Strategy<Value = Vec<(DurableEvent, DateTime<Utc>)>> {
    prop::collection::vec((any_event(), any_time()), 0..max)
}

/// A forward walk along the main path (skipping steps at random), maybe
/// ending in cancelled/returned, then random events. Reaches deep statuses
/// far more often than purely random events do.
fn walk_then_steps(max: usize) -> impl Strategy<Value = Vec<(DurableEvent, DateTime<Utc>)>> {
    (
        prop::sample::subsequence(
            vec![Confirmed, Preparing, Shipped, OutForDelivery, Delivered],
            0..=5,
        ),
        prop::option::of(prop::sample::select(vec![Cancelled, Returned])),
        any_steps(max),
    )
        .prop_map(|(walk, end, rest)| {
            let mut steps: Vec<_> = walk
                .into_iter()
                .chain(end)
                .enumerate()
                .map(|(i, s)| {
                    (
                        status_event(s),
                        base_time() + Duration::minutes(i as i64 + 1),
                    )
                })
                .collect();
            steps.extend(rest);
            steps
        })
}

fn any_history(max: usize) -> impl Strategy<Value = Vec<(DurableEvent, DateTime<Utc>)>> {
    prop_oneof![any_steps(max), walk_then_steps(max)]
}

/// Applies `steps` to a fresh order, skipping refusals; returns the final
/// order and the accepted events in the order they were accepted.
fn run(steps: &[(DurableEvent, DateTime<Utc>)]) -> (Order, Vec<(DurableEvent, DateTime<Utc>)>) {
    let mut order = fresh_order();
    let mut accepted = Vec::new();
    for (event, at) in steps {
        if let Ok(next) = order.apply(event, *at) {
            order = next;
            accepted.push((event.clone(), *at));
        }
    }
    (order, accepted)
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

proptest! {
    /// 1. Random event streams: the oracle predicts every outcome, progress
    ///    never drops, `is_final` tracks the status, and a final order refuses
    ///    everything but chat and never changes again.
    #[test]
    fn random_streams_follow_the_state_machine(steps in any_history(40)) {
        let mut order = fresh_order();
        prop_assert!(!order.is_final);
        prop_assert_eq!(order.status, Placed);
        let mut final_snapshot: Option<Order> = None;

        for (event, at) in &steps {
            let before = order.clone();
            let result = order.apply(event, *at);
            check_step(&before, event, *at, &result)?;
            // The caller keeps its order on a refusal; `apply` must not have
            // touched it either way.
            prop_assert_eq!(&order, &before);

            if before.is_final && !matches!(event, DurableEvent::ChatMessage(_)) {
                prop_assert_eq!(
                    result.clone().err(),
                    Some(TransitionError::OrderFinal { status: before.status }),
                    "a final order must refuse {:?}", event
                );
            }
            if let Ok(next) = result {
                order = next;
            }

            prop_assert!(
                order.status.progress() >= before.status.progress(),
                "progress dropped: {} -> {}", before.status, order.status
            );
            prop_assert_eq!(order.is_final, order.status.is_terminal());
            prop_assert_eq!(order.is_final, oracle_terminal(order.status));

            match &final_snapshot {
                Some(snapshot) => prop_assert_eq!(&order, snapshot, "a final order changed"),
                None if order.is_final => final_snapshot = Some(order.clone()),
                None => {}
            }
        }
    }

    /// 2. Duplicate and late delivery: re-sending events that were already
    ///    accepted, in any order and any number of times, never moves the
    ///    status, let alone backwards.
    #[test]
    fn duplicates_and_late_events_never_move_the_status_back(
        history in any_history(30),
        picks in prop::collection::vec(any::<Index>(), 1..30),
        times in prop::collection::vec(any_time(), 30),
    ) {
        let (mut order, accepted) = run(&history);
        prop_assume!(!accepted.is_empty());
        let reached = order.status;

        for (pick, at) in picks.iter().zip(&times) {
            let (event, _) = &accepted[pick.index(accepted.len())];
            let before = order.clone();
            let result = order.apply(event, *at);
            check_step(&before, event, *at, &result)?;
            match (event, result) {
                (DurableEvent::StatusChanged(change), Ok(_)) => {
                    return Err(TestCaseError::fail(format!(
                        "re-sent status {} was accepted again on a {} order",
                        change.status, before.status
                    )));
                }
                (_, Ok(next)) => {
                    prop_assert_eq!(next.status, before.status);
                    order = next;
                }
                (_, Err(_)) => {}
            }
            prop_assert!(order.status.progress() >= before.status.progress());
            prop_assert_eq!(order.status, reached, "a re-sent event moved the status");
        }
    }

    /// 3. A refusal's `allowed()` list tells the truth: everything in it is
    ///    accepted, everything else is refused, from any reachable state.
    #[test]
    fn the_allowed_list_tells_the_truth(history in any_history(30), at in any_time()) {
        let (order, _) = run(&history);
        let accepted: Vec<OrderStatus> = OrderStatus::ALL
            .into_iter()
            .filter(|s| order.apply(&status_event(*s), at).is_ok())
            .collect();
        prop_assert_eq!(&accepted, &oracle_allowed(order.status));
        prop_assert_eq!(&accepted, &order.status.allowed_next());

        for to in OrderStatus::ALL {
            let Err(err) = order.apply(&status_event(to), at) else {
                continue;
            };
            match &err {
                TransitionError::InvalidTransition { from, to: refused, allowed } => {
                    prop_assert_eq!(*from, order.status);
                    prop_assert_eq!(*refused, to);
                    prop_assert_eq!(allowed.as_slice(), err.allowed());
                    prop_assert!(!order.is_final);
                }
                TransitionError::OrderFinal { status } => {
                    prop_assert_eq!(*status, order.status);
                    prop_assert!(order.is_final);
                    prop_assert!(err.allowed().is_empty());
                }
                other => {
                    return Err(TestCaseError::fail(format!(
                        "a status change was refused with {other:?}"
                    )));
                }
            }
            prop_assert!(!err.allowed().contains(&to), "{to} is refused but listed as allowed");
            for candidate in OrderStatus::ALL {
                let result = order.apply(&status_event(candidate), at);
                if err.allowed().contains(&candidate) {
                    let next = result.map_err(|e| TestCaseError::fail(format!(
                        "{candidate} is listed as allowed from {} but refused: {e}",
                        order.status
                    )))?;
                    prop_assert_eq!(next.status, candidate);
                } else {
                    prop_assert!(
                        result.is_err(),
                        "{} is not listed as allowed from {} but was accepted",
                        candidate, order.status
                    );
                }
            }
        }
    }

    /// 4. seq/offset model: a store numbers only accepted events, per topic,
    ///    from 1 without gaps (order_created is seq 1 on `order:{id}`), and
    ///    replaying the numbered log rebuilds the same order.
    #[test]
    fn only_accepted_events_are_numbered(steps in any_history(40)) {
        let mut order = fresh_order();
        order.seq = 1; // order_created
        let mut order_seqs = vec![1u64];
        let mut chat_seqs: Vec<u64> = Vec::new();
        let mut log = Vec::new();
        let mut refused = 0usize;

        for (event, at) in &steps {
            match order.apply(event, *at) {
                Ok(mut next) => match event.topic_kind() {
                    TopicKind::Chat => {
                        chat_seqs.push(chat_seqs.len() as u64 + 1);
                        order = next;
                    }
                    _ => {
                        let seq = order.seq + 1;
                        next.seq = seq;
                        order_seqs.push(seq);
                        log.push((seq, event.clone(), *at));
                        order = next;
                    }
                },
                Err(_) => refused += 1,
            }
        }

        let n = order_seqs.len() as u64;
        prop_assert_eq!(&order_seqs, &(1..=n).collect::<Vec<_>>());
        prop_assert_eq!(&chat_seqs, &(1..=chat_seqs.len() as u64).collect::<Vec<_>>());
        prop_assert_eq!(order.seq, n);
        prop_assert_eq!(order_seqs.len() - 1 + chat_seqs.len() + refused, steps.len());

        // The stored log replays cleanly onto a fresh order.
        let mut replayed = fresh_order();
        replayed.seq = 1;
        for (seq, event, at) in &log {
            let mut next = replayed.apply(event, *at).map_err(|e| {
                TestCaseError::fail(format!("stored event {seq} refused on replay: {e}"))
            })?;
            next.seq = *seq;
            replayed = next;
        }
        prop_assert_eq!(replayed, order);
    }

    /// 5. observe_location: the shown position is the one with the highest
    ///    `ts` seen so far (the first one to reach it), and nothing moves it
    ///    once the order is final.
    #[test]
    fn location_is_the_running_maximum_until_final(
        stamps in prop::collection::vec(1i64..40, 0..40),
        finish in prop::option::of((any::<Index>(), prop::sample::select(vec![Delivered, Cancelled]))),
    ) {
        let finish_at = finish.map(|(i, status)| (i.index(stamps.len() + 1), status));
        let mut order = fresh_order();
        let mut best: Option<(i64, usize)> = None;

        for (i, ts) in stamps.iter().copied().enumerate() {
            if let Some((at, status)) = finish_at {
                if at == i {
                    let before = order.clone();
                    order = order.apply(&status_event(status), base_time()).expect("placed can end");
                    prop_assert!(order.is_final);
                    prop_assert_eq!(&order.location, &before.location, "apply keeps the position");
                }
            }
            let was_final = order.is_final;
            let before = order.location.clone();
            let taken = order.observe_location(&location(ts, i));

            if was_final {
                prop_assert!(!taken, "a final order took a position");
                prop_assert_eq!(&order.location, &before);
            } else {
                let newer = best.is_none_or(|(max, _)| ts > max);
                prop_assert_eq!(taken, newer, "ts {} against shown {:?}", ts, best);
                if newer {
                    best = Some((ts, i));
                }
                prop_assert_eq!(&order.location, &best.map(|(ts, i)| location(ts, i)));
            }
        }
    }
}

/// `order_created` comes once: it is refused in every status, final or not.
#[test]
fn order_created_is_always_refused() {
    let created = DurableEvent::OrderCreated(OrderCreated {
        customer: Party {
            id: "cust-2".into(),
            name: None,
            phone: None,
        },
        items: vec![Item {
            name: "Tea".into(),
            quantity: 1,
        }],
        address: "2 Side St".into(),
        courier: None,
        instructions: None,
        eta: None,
        internal_note: None,
    });
    for status in OrderStatus::ALL {
        let mut order = fresh_order();
        if status == Returned {
            order = order
                .apply(&status_event(Shipped), base_time())
                .expect("placed -> shipped");
        }
        if status != Placed {
            order = order
                .apply(&status_event(status), base_time())
                .expect("reachable");
        }
        assert_eq!(
            order.apply(&created, base_time()),
            Err(TransitionError::AlreadyCreated),
            "{status}"
        );
    }
}
