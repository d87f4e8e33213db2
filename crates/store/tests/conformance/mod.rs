//! The Store conformance suite: every backend must pass every check here.
//! A backend's test file calls each function with a fresh, empty store.

use std::sync::Arc;

use trackwire_domain::{
    ChatMessage, DurableEvent, EtaChanged, InstructionsChanged, Item, Location, OrderCreated,
    OrderId, OrderStatus, Party, StatusChanged, Topic, TransitionError,
};
use trackwire_store::{IdempotencyKey, OrderFilter, PageRequest, Store, StoreError};

pub(crate) fn id(raw: &str) -> OrderId {
    OrderId::parse(raw).expect("valid id")
}

pub(crate) fn created(customer: &str) -> OrderCreated {
    OrderCreated {
        customer: Party {
            id: customer.into(),
            name: Some("Ada".into()),
            phone: None,
        },
        items: vec![Item {
            name: "Margherita".into(),
            quantity: 2,
        }],
        address: "1 Main St".into(),
        courier: None,
        instructions: None,
        eta: None,
        internal_note: None,
    }
}

pub(crate) fn status(s: OrderStatus) -> DurableEvent {
    DurableEvent::StatusChanged(StatusChanged {
        status: s,
        reason: None,
        internal_note: None,
    })
}

pub(crate) fn instructions(text: &str) -> DurableEvent {
    DurableEvent::InstructionsChanged(InstructionsChanged { text: text.into() })
}

fn key(subject: &str, key: &str, fingerprint: &str) -> Option<IdempotencyKey> {
    Some(IdempotencyKey {
        subject: subject.into(),
        key: key.into(),
        fingerprint: fingerprint.into(),
    })
}

async fn seqs(store: &dyn Store, tenant: &str, topic: &Topic) -> Vec<u64> {
    let history = store
        .replay_since(tenant, topic, 0, 10_000)
        .await
        .expect("replay");
    history.events.iter().map(|e| e.seq).collect()
}

pub(crate) async fn create_and_read_back(store: Arc<dyn Store>) {
    let recorded = store
        .create_order("t1", id("A-1"), created("cust-1"), None)
        .await
        .expect("create");
    assert_eq!(recorded.order.seq, 1);
    assert_eq!(recorded.order.status, OrderStatus::Placed);
    assert!(!recorded.order.epoch.is_empty());
    assert_eq!(recorded.events.len(), 1);
    let event = &recorded.events[0];
    assert_eq!(
        (event.seq, event.offset, event.event_type.as_str()),
        (1, Some(1), "order_created")
    );
    assert_eq!(event.topic, "order:A-1");
    assert_eq!(event.epoch, recorded.order.epoch);

    let snapshot = store.order("t1", &id("A-1")).await.expect("read");
    assert_eq!(snapshot, Some(recorded.order.clone()));
    assert_eq!(store.order("t2", &id("A-1")).await.expect("read"), None);

    let err = store
        .create_order("t1", id("A-1"), created("cust-1"), None)
        .await
        .expect_err("duplicate");
    assert!(matches!(err, StoreError::OrderExists(_)), "{err}");
    // The same id in another tenant is another order.
    store
        .create_order("t2", id("A-1"), created("cust-9"), None)
        .await
        .expect("other tenant");
}

pub(crate) async fn transitions_are_enforced_in_the_transaction(store: Arc<dyn Store>) {
    let order = id("B-1");
    store
        .create_order("t1", order.clone(), created("c"), None)
        .await
        .expect("create");
    let shipped = store
        .record("t1", &order, status(OrderStatus::Shipped), None)
        .await
        .expect("skip forward");
    assert_eq!(shipped.order.seq, 2);
    let err = store
        .record("t1", &order, status(OrderStatus::Confirmed), None)
        .await
        .expect_err("backwards");
    let StoreError::Transition(TransitionError::InvalidTransition { allowed, .. }) = err else {
        panic!("expected an invalid transition, got {err}");
    };
    assert_eq!(
        allowed,
        [
            OrderStatus::OutForDelivery,
            OrderStatus::Delivered,
            OrderStatus::Returned
        ]
    );
    let after = store
        .order("t1", &order)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!((after.seq, after.status), (2, OrderStatus::Shipped));
    assert_eq!(
        seqs(&*store, "t1", &Topic::Order(order.clone())).await,
        [1, 2]
    );

    let err = store
        .record("t1", &id("NOPE"), status(OrderStatus::Confirmed), None)
        .await
        .expect_err("missing");
    assert!(matches!(err, StoreError::OrderNotFound(_)));
}

/// 64 writers race on one order: seq is exactly 1..=65, the snapshot says 65.
pub(crate) async fn concurrent_writers_get_gap_free_seq(store: Arc<dyn Store>) {
    let order = id("C-1");
    store
        .create_order("t1", order.clone(), created("c"), None)
        .await
        .expect("create");
    let writers: Vec<_> = (0..64)
        .map(|i| {
            let store = store.clone();
            let order = order.clone();
            tokio::spawn(async move {
                store
                    .record("t1", &order, instructions(&format!("note {i}")), None)
                    .await
                    .expect("record")
                    .events[0]
                    .seq
            })
        })
        .collect();
    let mut returned = Vec::new();
    for writer in writers {
        returned.push(writer.await.expect("join"));
    }
    returned.sort_unstable();
    assert_eq!(returned, (2..=65).collect::<Vec<u64>>());
    assert_eq!(
        seqs(&*store, "t1", &Topic::Order(order.clone())).await,
        (1..=65).collect::<Vec<u64>>()
    );
    let snapshot = store
        .order("t1", &order)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(snapshot.seq, 65);
    let feed = store.feed_since("t1", 0, 1000).await.expect("feed");
    let offsets: Vec<u64> = feed.events.iter().filter_map(|e| e.offset).collect();
    assert_eq!(offsets, (1..=65).collect::<Vec<u64>>());
}

/// 16 writers race to confirm one order: exactly one wins.
pub(crate) async fn racing_transitions_apply_once(store: Arc<dyn Store>) {
    let order = id("R-1");
    store
        .create_order("t1", order.clone(), created("c"), None)
        .await
        .expect("create");
    let racers: Vec<_> = (0..16)
        .map(|_| {
            let store = store.clone();
            let order = order.clone();
            tokio::spawn(async move {
                store
                    .record("t1", &order, status(OrderStatus::Confirmed), None)
                    .await
                    .is_ok()
            })
        })
        .collect();
    let mut wins = 0;
    for racer in racers {
        wins += usize::from(racer.await.expect("join"));
    }
    assert_eq!(wins, 1);
    assert_eq!(seqs(&*store, "t1", &Topic::Order(order)).await, [1, 2]);
}

pub(crate) async fn idempotency_keys(store: Arc<dyn Store>) {
    let order = id("I-1");
    store
        .create_order("t1", order.clone(), created("c"), None)
        .await
        .expect("create");
    let first = store
        .record("t1", &order, instructions("gate"), key("cust", "k1", "f1"))
        .await
        .expect("first");
    assert!(!first.replayed);
    let again = store
        .record("t1", &order, instructions("gate"), key("cust", "k1", "f1"))
        .await
        .expect("retry");
    assert!(again.replayed);
    assert_eq!(again.events, first.events, "same key, same result");
    assert_eq!(again.order, first.order);
    assert_eq!(
        seqs(&*store, "t1", &Topic::Order(order.clone())).await,
        [1, 2]
    );

    let err = store
        .record("t1", &order, instructions("door"), key("cust", "k1", "f2"))
        .await
        .expect_err("different body");
    assert!(matches!(err, StoreError::IdempotencyConflict));

    // Keys belong to their caller: another subject's k1 is a new request.
    let other = store
        .record("t1", &order, instructions("door"), key("other", "k1", "f2"))
        .await
        .expect("other caller");
    assert!(!other.replayed);
    assert_eq!(other.events[0].seq, 3);

    // A failed request stores no key: a retry runs again.
    store
        .record("t1", &order, status(OrderStatus::Delivered), None)
        .await
        .expect("deliver");
    let err = store
        .record("t1", &order, instructions("late"), key("cust", "k2", "f3"))
        .await
        .expect_err("final");
    assert!(matches!(err, StoreError::Transition(_)));

    // Creating with a key: the retry gets the same order back.
    let made = store
        .create_order("t1", id("I-2"), created("c"), key("cust", "k3", "f4"))
        .await
        .expect("create");
    let retried = store
        .create_order("t1", id("I-2"), created("c"), key("cust", "k3", "f4"))
        .await
        .expect("retried create");
    assert!(retried.replayed);
    assert_eq!(retried.order, made.order);
}

pub(crate) async fn chat_has_its_own_seq_and_stays_off_the_feed(store: Arc<dyn Store>) {
    let order = id("H-1");
    store
        .create_order("t1", order.clone(), created("c"), None)
        .await
        .expect("create");
    for n in 0..3 {
        let recorded = store
            .record(
                "t1",
                &order,
                DurableEvent::ChatMessage(ChatMessage {
                    text: format!("hello {n}"),
                    client_message_id: format!("m{n}"),
                    from: None,
                }),
                None,
            )
            .await
            .expect("chat");
        assert_eq!(recorded.events[0].topic, "chat:H-1");
        assert_eq!(recorded.events[0].offset, None);
        assert_eq!(recorded.order.seq, 1, "chat leaves the order's seq alone");
    }
    assert_eq!(
        seqs(&*store, "t1", &Topic::Chat(order.clone())).await,
        [1, 2, 3]
    );
    let chat = store
        .replay_since("t1", &Topic::Chat(order.clone()), 0, 10)
        .await
        .expect("chat");
    assert_ne!(
        chat.epoch,
        store
            .order("t1", &order)
            .await
            .expect("r")
            .expect("o")
            .epoch
    );
    let feed = store.feed_since("t1", 0, 100).await.expect("feed");
    assert_eq!(feed.events.len(), 1);
    assert_eq!(feed.offset, 1);
}

pub(crate) async fn replay_pages_and_errors(store: Arc<dyn Store>) {
    let order = id("P-1");
    store
        .create_order("t1", order.clone(), created("c"), None)
        .await
        .expect("create");
    for n in 0..9 {
        store
            .record("t1", &order, instructions(&format!("{n}")), None)
            .await
            .expect("record");
    }
    let topic = Topic::Order(order.clone());
    let page = store.replay_since("t1", &topic, 3, 4).await.expect("page");
    assert_eq!(
        page.events.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [4, 5, 6, 7]
    );
    assert_eq!(page.seq, 10, "the head, not the page end");
    let tail = store.replay_since("t1", &topic, 10, 4).await.expect("tail");
    assert!(tail.events.is_empty());
    assert!(matches!(
        store.replay_since("t2", &topic, 0, 4).await,
        Err(StoreError::OrderNotFound(_))
    ));
    assert!(matches!(
        store.replay_since("t1", &Topic::Orders, 0, 4).await,
        Err(StoreError::NoHistory(_))
    ));
    let feed = store.feed_since("t1", 8, 100).await.expect("feed");
    assert_eq!(
        feed.events
            .iter()
            .filter_map(|e| e.offset)
            .collect::<Vec<_>>(),
        [9, 10]
    );
    assert!(store
        .feed_since("t2", 0, 100)
        .await
        .expect("empty")
        .events
        .is_empty());
}

pub(crate) async fn list_filters_and_pages(store: Arc<dyn Store>) {
    for n in 0..7 {
        let customer = if n % 2 == 0 { "even" } else { "odd" };
        store
            .create_order("t1", id(&format!("L-{n}")), created(customer), None)
            .await
            .expect("create");
    }
    store
        .record("t1", &id("L-3"), status(OrderStatus::Confirmed), None)
        .await
        .expect("confirm");
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .list_orders(
                "t1",
                &OrderFilter::default(),
                &PageRequest { after, limit: 3 },
            )
            .await
            .expect("page");
        assert!(page.items.len() <= 3);
        seen.extend(page.items.iter().map(|o| o.id.to_string()));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, ["L-6", "L-5", "L-4", "L-3", "L-2", "L-1", "L-0"]);
    let odd = store
        .list_orders(
            "t1",
            &OrderFilter {
                customer: Some("odd".into()),
                ..Default::default()
            },
            &PageRequest {
                after: None,
                limit: 50,
            },
        )
        .await
        .expect("odd");
    assert_eq!(odd.items.len(), 3);
    assert!(odd.next.is_none());
    let confirmed = store
        .list_orders(
            "t1",
            &OrderFilter {
                status: Some(OrderStatus::Confirmed),
                ..Default::default()
            },
            &PageRequest {
                after: None,
                limit: 50,
            },
        )
        .await
        .expect("confirmed");
    assert_eq!(confirmed.items.len(), 1);
    assert_eq!(confirmed.items[0].id.as_str(), "L-3");
    let other = store
        .list_orders(
            "t2",
            &OrderFilter::default(),
            &PageRequest {
                after: None,
                limit: 50,
            },
        )
        .await
        .expect("other tenant");
    assert!(other.items.is_empty());
}

pub(crate) async fn location_is_latest_wins(store: Arc<dyn Store>) {
    let order = id("G-1");
    store
        .create_order("t1", order.clone(), created("c"), None)
        .await
        .expect("create");
    let at = |ts, lat| Location {
        lat,
        lng: 13.4,
        heading: None,
        ts,
    };
    assert!(store
        .observe_location("t1", &order, &at(100, 52.0))
        .await
        .expect("a")
        .is_some());
    assert!(store
        .observe_location("t1", &order, &at(50, 53.0))
        .await
        .expect("b")
        .is_none());
    let snapshot = store
        .order("t1", &order)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(snapshot.location.map(|l| (l.ts, l.lat)), Some((100, 52.0)));
    assert_eq!(snapshot.seq, 1, "a location is not a durable event");
    store
        .record(
            "t1",
            &order,
            DurableEvent::EtaChanged(EtaChanged {
                eta: chrono::Utc::now(),
            }),
            None,
        )
        .await
        .expect("eta");
    let snapshot = store
        .order("t1", &order)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(
        snapshot.location.map(|l| l.ts),
        Some(100),
        "kept across writes"
    );
}

pub(crate) async fn read_receipts_only_move_forward(store: Arc<dyn Store>) {
    let order = id("R-1");
    store
        .create_order("t1", order.clone(), created("c"), None)
        .await
        .expect("create");
    for n in 0..3 {
        let message = DurableEvent::ChatMessage(ChatMessage {
            text: format!("m{n}"),
            client_message_id: format!("m{n}"),
            from: None,
        });
        store
            .record("t1", &order, message, None)
            .await
            .expect("chat");
    }
    assert_eq!(
        store.mark_read("t1", &order, "ada", 2).await.expect("read"),
        2
    );
    assert_eq!(
        store.mark_read("t1", &order, "ada", 1).await.expect("read"),
        2,
        "never back"
    );
    assert_eq!(
        store
            .mark_read("t1", &order, "max", 99)
            .await
            .expect("read"),
        3,
        "never past the last message"
    );
    let receipts: Vec<_> = store
        .read_receipts("t1", &order)
        .await
        .expect("receipts")
        .into_iter()
        .map(|r| (r.subject, r.seq))
        .collect();
    assert_eq!(receipts, [("ada".to_owned(), 2), ("max".to_owned(), 3)]);
    assert!(store
        .read_receipts("t2", &order)
        .await
        .expect("other tenant")
        .is_empty());
    assert!(matches!(
        store.mark_read("t1", &id("NOPE"), "ada", 1).await,
        Err(StoreError::OrderNotFound(_))
    ));
}

/// `heads`: each topic's last seq, the feed's last offset, `None` for what
/// does not exist, in the order asked, and only the asking tenant's.
pub(crate) async fn heads_of_many_topics(store: Arc<dyn Store>) {
    for id_ in ["H-1", "H-2"] {
        store
            .create_order("t1", id(id_), created("c"), None)
            .await
            .expect("create");
    }
    store
        .record("t1", &id("H-1"), instructions("a"), None)
        .await
        .expect("record");
    store
        .record(
            "t1",
            &id("H-1"),
            DurableEvent::ChatMessage(ChatMessage {
                text: "hello".into(),
                client_message_id: "m1".into(),
                from: None,
            }),
            None,
        )
        .await
        .expect("chat");
    let topics = [
        Topic::Order(id("H-1")),
        Topic::Chat(id("H-1")),
        Topic::Order(id("H-2")),
        Topic::Order(id("NOPE")),
        Topic::Orders,
    ];
    let heads = store.heads("t1", &topics).await.expect("heads");
    assert_eq!(heads, [Some(2), Some(1), Some(1), None, Some(3)]);
    let other = store.heads("t2", &topics).await.expect("heads");
    assert_eq!(other, [None, None, None, None, Some(0)]);
    // Many at once.
    let many: Vec<Topic> = (0..1200).map(|_| Topic::Order(id("H-2"))).collect();
    let heads = store.heads("t1", &many).await.expect("many");
    assert!(heads.iter().all(|h| *h == Some(1)));
}
