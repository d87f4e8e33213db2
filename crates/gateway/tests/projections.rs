//! Projections by audience through the whole gateway: the SQLite store, the
//! in-process broker, the hub and real sessions for a customer, a courier
//! and a dispatcher of one order.
//!
//! What is checked: a customer's live stream, replay, snapshot and
//! `OrderService` reads never carry a staff note, the courier's phone, or
//! the courier's position before the order is out for delivery; the courier
//! and the dispatcher get what their audience may see; each event is
//! serialized once per audience (once in all when no audience has anything
//! hidden from it) and every session of an audience shares those bytes.
//!
//! Notes and the courier's phone carry markers (`NOTE~`, `PHONE~`) so a
//! leak is found anywhere in a frame, not only under the expected key.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use bytes::Bytes;
use serde_json::Value;
use trackwire_auth::{Identity, Role};
use trackwire_broker::{Broker, BrokerError, Channel, MemoryBroker, Publication, PublicationSink};
use trackwire_domain::{
    Action, Audience, Classified, CourierAssigned, DurableEvent, EphemeralSignal, Item, Location,
    OrderCreated, OrderId, OrderStatus, Party, StatusChanged, Topic,
};
use trackwire_gateway::protocol::client::Subscribe;
use trackwire_gateway::session::Scope;
use trackwire_gateway::{CreateOrder, Hub, OrderService, Outgoing, Session, SessionConfig};
use trackwire_store::sqlite::SqliteStore;

const TENANT: &str = "acme";
const ORDER: &str = "P-1";
const TOPIC: &str = "order:P-1";
const NOTE: &str = "NOTE~";
const PHONE: &str = "PHONE~";

/// The in-process broker, keeping a record of every publication it moved.
#[derive(Default)]
struct Recording {
    inner: MemoryBroker,
    published: Mutex<Vec<(Channel, Bytes)>>,
}

impl Recording {
    fn take(&self) -> Vec<(Channel, Bytes)> {
        std::mem::take(&mut *self.published.lock().expect("lock"))
    }
}

#[async_trait]
impl Broker for Recording {
    async fn start(&self, sink: Arc<dyn PublicationSink>) -> Result<(), BrokerError> {
        self.inner.start(sink).await
    }

    async fn publish(&self, publication: Publication) -> Result<(), BrokerError> {
        self.published
            .lock()
            .expect("lock")
            .push((publication.channel.clone(), publication.payload.clone()));
        self.inner.publish(publication).await
    }

    async fn subscribe(&self, channel: &Channel) -> Result<(), BrokerError> {
        self.inner.subscribe(channel).await
    }

    async fn unsubscribe(&self, channel: &Channel) -> Result<(), BrokerError> {
        self.inner.unsubscribe(channel).await
    }
}

struct Node {
    _dir: tempfile::TempDir,
    broker: Arc<Recording>,
    hub: Arc<Hub>,
    orders: Arc<OrderService>,
}

async fn node() -> Node {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(SqliteStore::open(dir.path()).await.expect("store"));
    let broker = Arc::new(Recording::default());
    let hub = Hub::start(broker.clone(), store.clone())
        .await
        .expect("hub");
    Node {
        _dir: dir,
        orders: Arc::new(OrderService::new(store, broker.clone())),
        broker,
        hub,
    }
}

fn who(role: Role, subject: &str) -> Identity {
    Identity {
        tenant: TENANT.into(),
        subject: subject.into(),
        role,
    }
}

fn customer() -> Identity {
    who(Role::Customer, "cust-1")
}

fn courier() -> Identity {
    who(Role::Courier, "courier-1")
}

fn dispatcher() -> Identity {
    who(Role::Dispatcher, "disp-1")
}

fn id() -> OrderId {
    OrderId::parse(ORDER).expect("id")
}

fn courier_party(phone: &str) -> Party {
    Party {
        id: "courier-1".into(),
        name: Some("Bo".into()),
        phone: Some(format!("+49 {PHONE}{phone}")),
    }
}

impl Node {
    /// The order, created by a dispatcher with a note and a courier with a
    /// phone; the customer's own phone is theirs to see.
    async fn create(&self) {
        let created = OrderCreated {
            customer: Party {
                id: "cust-1".into(),
                name: Some("Ada".into()),
                phone: Some("+1 555 0100".into()),
            },
            items: vec![Item {
                name: "Tea".into(),
                quantity: 1,
            }],
            address: "2 High St".into(),
            courier: Some(courier_party("100")),
            instructions: None,
            eta: None,
            internal_note: Some(format!("{NOTE}created")),
        };
        self.orders
            .create(
                &dispatcher(),
                CreateOrder {
                    id: Some(id()),
                    created,
                },
                None,
            )
            .await
            .expect("create");
    }

    async fn record(&self, event: DurableEvent) {
        self.orders
            .record(&dispatcher(), &id(), Classified::Durable(event), None)
            .await
            .expect("record");
    }

    async fn status(&self, status: OrderStatus) {
        self.record(DurableEvent::StatusChanged(StatusChanged {
            status,
            reason: None,
            internal_note: Some(format!("{NOTE}{status}")),
        }))
        .await;
    }

    async fn ping(&self, ts: i64) {
        let location = EphemeralSignal::Location(Location {
            lat: 52.5,
            lng: 13.4,
            heading: None,
            ts,
        });
        self.orders
            .signal(&courier(), &Topic::Order(id()), location)
            .await
            .expect("location");
    }

    async fn session(&self, who: Identity, since: Option<u64>, epoch: Option<String>) -> Session {
        let mut session = Session::new(
            who,
            self.orders.clone(),
            self.hub.clone(),
            SessionConfig::default(),
            Scope::All,
        );
        session
            .try_subscribe(Subscribe {
                topic: TOPIC.into(),
                since,
                epoch,
                offset: None,
            })
            .await
            .expect("subscribe");
        session
    }
}

/// Everything waiting in a session's outbox.
fn drain(session: &Session) -> Vec<Outgoing> {
    let mut batch = Vec::new();
    session.outbox().take_now(&mut batch).expect("open");
    batch
}

fn json(item: &Outgoing) -> Value {
    serde_json::from_slice(item.bytes()).expect("frame is JSON")
}

/// The envelopes of `event` frames of `event_type`.
fn events_of<'a>(items: &'a [Outgoing], event_type: &'a str) -> Vec<Value> {
    items
        .iter()
        .map(json)
        .filter(|f| f["type"] == "event" && f["event"]["type"] == event_type)
        .map(|f| f["event"].clone())
        .collect()
}

fn text(items: &[Outgoing]) -> String {
    items
        .iter()
        .map(|i| String::from_utf8_lossy(i.bytes()).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// What a customer may never get, whatever the order's status.
fn assert_nothing_staff_only(what: &str, text: &str) {
    assert!(!text.contains(NOTE), "{what} leaks a note: {text}");
    assert!(
        !text.contains("internalNote"),
        "{what} has a note key: {text}"
    );
    assert!(
        !text.contains(PHONE),
        "{what} leaks the courier's phone: {text}"
    );
}

fn assert_no_location(what: &str, text: &str) {
    assert!(!text.contains("\"lat\""), "{what} leaks a position: {text}");
}

#[tokio::test]
async fn a_customer_never_gets_what_is_not_theirs() {
    let node = node().await;
    node.create().await;
    node.status(OrderStatus::Confirmed).await;
    node.ping(1_000).await;

    // Snapshots (subscribe without `since`).
    let customer_live = node.session(customer(), None, None).await;
    let courier_live = node.session(courier(), None, None).await;
    let dispatcher_live = node.session(dispatcher(), None, None).await;
    let snapshot = drain(&customer_live);
    let text_of = text(&snapshot);
    assert!(text_of.contains("\"type\":\"snapshot\""));
    assert!(
        text_of.contains("+1 555 0100"),
        "their own phone stays: {text_of}"
    );
    assert_nothing_staff_only("the customer's snapshot", &text_of);
    assert_no_location("the customer's snapshot before delivery", &text_of);
    let courier_snapshot = text(&drain(&courier_live));
    assert!(courier_snapshot.contains(&format!("{PHONE}100")));
    assert!(courier_snapshot.contains("\"lat\""));
    assert!(!courier_snapshot.contains(NOTE), "{courier_snapshot}");
    let staff_snapshot = text(&drain(&dispatcher_live));
    assert!(staff_snapshot.contains(&format!("{NOTE}confirmed")));
    assert!(staff_snapshot.contains(&format!("{PHONE}100")));
    assert!(staff_snapshot.contains("\"lat\""));

    // Live, before the order is out for delivery.
    node.record(DurableEvent::CourierAssigned(CourierAssigned {
        courier: courier_party("200"),
        internal_note: Some(format!("{NOTE}reassigned")),
    }))
    .await;
    node.ping(2_000).await;
    node.status(OrderStatus::Shipped).await;
    let live = drain(&customer_live);
    assert_eq!(events_of(&live, "courier_assigned").len(), 1);
    assert_eq!(events_of(&live, "status_changed").len(), 1);
    assert!(
        events_of(&live, "location").is_empty(),
        "no position before delivery"
    );
    assert_nothing_staff_only("the customer's live stream", &text(&live));
    assert_eq!(
        events_of(&live, "courier_assigned")[0]["payload"]["courier"]["name"],
        "Bo",
        "the rest of the event stays"
    );
    let courier_got = drain(&courier_live);
    assert_eq!(events_of(&courier_got, "location").len(), 1);
    assert!(text(&courier_got).contains(&format!("{PHONE}200")));
    assert!(!text(&courier_got).contains(NOTE));
    let staff_got = drain(&dispatcher_live);
    assert!(text(&staff_got).contains(&format!("{NOTE}reassigned")));
    assert!(text(&staff_got).contains(&format!("{PHONE}200")));

    // Out for delivery: now the customer sees the courier move.
    node.status(OrderStatus::OutForDelivery).await;
    node.ping(3_000).await;
    let live = drain(&customer_live);
    assert_eq!(events_of(&live, "location").len(), 1);
    assert_nothing_staff_only("the customer's live stream", &text(&live));
    let order = node.orders.order(&customer(), &id()).await.expect("order");
    assert_eq!(order.location.map(|l| l.ts), Some(3_000));
    assert_eq!(order.internal_note, None);
    assert_eq!(order.courier.and_then(|c| c.phone), None);

    // Replay (subscribe with `since`) in a second session: the same
    // redaction, and the same bytes the live session got.
    let epoch = order.epoch.clone();
    customer_live.close().await;
    let replay = drain(&node.session(customer(), Some(1), Some(epoch)).await);
    let replayed = events_of(&replay, "courier_assigned");
    assert_eq!(replayed.len(), 1, "replayed, not a snapshot");
    assert!(replay.iter().any(|i| json(i)["recovered"] == true));
    assert_nothing_staff_only("the customer's replay", &text(&replay));
    let replayed_seqs: Vec<_> = replay
        .iter()
        .map(json)
        .filter(|f| f["type"] == "event")
        // Durable events only (presence events carry no seq).
        .filter_map(|f| f["event"]["seq"].as_u64())
        .collect();
    assert_eq!(replayed_seqs, [2, 3, 4, 5], "every seq, none withheld");

    // OrderService reads (what REST answers) for each audience.
    let history = node
        .orders
        .history(&customer(), &Topic::Order(id()), 0, 100)
        .await
        .expect("history");
    assert_eq!(history.events.len(), 5);
    let payloads: String = history.events.iter().map(|e| e.payload.clone()).collect();
    assert_nothing_staff_only("the customer's history", &payloads);
    let courier_history = node
        .orders
        .history(&courier(), &Topic::Order(id()), 0, 100)
        .await
        .expect("history");
    let payloads: String = courier_history
        .events
        .iter()
        .map(|e| e.payload.clone())
        .collect();
    assert!(payloads.contains(PHONE) && !payloads.contains(NOTE));
    let staff = node
        .orders
        .order(&dispatcher(), &id())
        .await
        .expect("order");
    assert_eq!(
        staff.internal_note.as_deref(),
        Some("NOTE~out_for_delivery")
    );
    let listed = node
        .orders
        .list(
            &customer(),
            Default::default(),
            trackwire_store::PageRequest {
                after: None,
                limit: 10,
            },
        )
        .await
        .expect("list");
    assert_nothing_staff_only(
        "the customer's list",
        &serde_json::to_string(&listed.items).expect("json"),
    );
    // A customer's own write answers with their projection too.
    let acted = node
        .orders
        .act(
            &customer(),
            &id(),
            Action::ChangeInstructions {
                text: "Gate B".into(),
            },
            None,
        )
        .await
        .expect("act");
    assert_nothing_staff_only(
        "the customer's action result",
        &serde_json::to_string(&acted).expect("json"),
    );

    // Delivered: the position is no longer the customer's business.
    node.status(OrderStatus::Delivered).await;
    let order = node.orders.order(&customer(), &id()).await.expect("order");
    assert!(order.is_final);
    assert_eq!(order.location, None);
    let courier_view = node.orders.order(&courier(), &id()).await.expect("order");
    assert!(courier_view.location.is_some());
}

#[tokio::test]
async fn each_event_is_serialized_once_per_audience() {
    let node = node().await;
    node.create().await;
    let first = node.session(customer(), None, None).await;
    let second = node.session(customer(), None, None).await;
    let courier = node.session(courier(), None, None).await;
    let dispatcher = node.session(dispatcher(), None, None).await;
    for session in [&first, &second, &courier, &dispatcher] {
        drain(session);
    }
    node.broker.take();

    // An event with something to hide: three projections, one each.
    node.record(DurableEvent::CourierAssigned(CourierAssigned {
        courier: courier_party("300"),
        internal_note: Some(format!("{NOTE}x")),
    }))
    .await;
    let published = node.broker.take();
    let on = |topic: &str, audience: Audience| -> Bytes {
        let found: Vec<_> = published
            .iter()
            .filter(|(c, _)| &*c.topic == topic && c.audience == audience)
            .collect();
        assert_eq!(found.len(), 1, "one publication on {topic} for {audience}");
        found[0].1.clone()
    };
    assert_eq!(published.len(), 4, "three audiences and the feed");
    let (for_customer, for_courier, for_staff) = (
        on(TOPIC, Audience::Customer),
        on(TOPIC, Audience::Courier),
        on(TOPIC, Audience::Staff),
    );
    assert_ne!(for_customer, for_courier);
    assert_ne!(for_courier, for_staff);
    assert_eq!(
        on("orders", Audience::Staff).as_ptr(),
        for_staff.as_ptr(),
        "the feed shares the staff bytes"
    );
    let live = |session: &Session| {
        let items = drain(session);
        assert_eq!(items.len(), 1);
        match &items[0] {
            Outgoing::Publication(p) => p.payload.clone(),
            other => panic!("expected a live publication, got {other:?}"),
        }
    };
    let (a, b) = (live(&first), live(&second));
    assert_eq!(a.as_ptr(), b.as_ptr(), "customers share one allocation");
    assert_eq!(a.as_ptr(), for_customer.as_ptr());
    assert_eq!(live(&courier).as_ptr(), for_courier.as_ptr());
    assert_eq!(live(&dispatcher).as_ptr(), for_staff.as_ptr());

    // Nothing to hide: one serialization for every audience.
    node.record(DurableEvent::StatusChanged(StatusChanged {
        status: OrderStatus::Confirmed,
        reason: None,
        internal_note: None,
    }))
    .await;
    let published = node.broker.take();
    assert_eq!(published.len(), 4);
    assert!(
        published
            .iter()
            .all(|(_, p)| p.as_ptr() == published[0].1.as_ptr()),
        "one serialization shared by every audience"
    );
    assert_eq!(live(&first).as_ptr(), live(&dispatcher).as_ptr());
}

#[tokio::test]
async fn positions_reach_the_customer_only_while_out_for_delivery() {
    let node = node().await;
    node.create().await;
    node.broker.take();
    let audiences_of_last_ping = |published: Vec<(Channel, Bytes)>| -> Vec<String> {
        published
            .iter()
            .map(|(c, _)| {
                let member = c
                    .member
                    .as_deref()
                    .map(|m| format!("/{m}"))
                    .unwrap_or_default();
                format!("{}/{}{member}", c.topic, c.audience)
            })
            .collect()
    };
    node.ping(1).await;
    assert_eq!(
        audiences_of_last_ping(node.broker.take()),
        [
            "order:P-1/courier/courier-1",
            "order:P-1/staff",
            "orders/staff"
        ]
    );
    node.status(OrderStatus::OutForDelivery).await;
    node.broker.take();
    node.ping(2).await;
    assert_eq!(
        audiences_of_last_ping(node.broker.take()),
        [
            "order:P-1/customer",
            "order:P-1/courier/courier-1",
            "order:P-1/staff",
            "orders/staff"
        ]
    );
}
