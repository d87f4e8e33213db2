//! Recording through the OrderService reaches local subscribers through the
//! in-process broker and the hub, serialized once, bytes shared.

use std::sync::Arc;

use std::sync::Mutex;
use trackwire_auth::Identity;
use trackwire_broker::{Channel, MemoryBroker};
use trackwire_domain::{
    Audience, Classified, DurableEvent, EphemeralSignal, Item, Location, OrderCreated, OrderId,
    OrderStatus, Party, StatusChanged,
};

use trackwire_broker::Publication;
use trackwire_gateway::{CreateOrder, Hub, OrderService, Subscriber};
use trackwire_store::sqlite::SqliteStore;

struct Node {
    _dir: tempfile::TempDir,
    hub: Arc<Hub>,
    orders: OrderService,
}

async fn node() -> Node {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(SqliteStore::open(dir.path()).await.expect("store"));
    let broker = Arc::new(MemoryBroker::new());
    let hub = Hub::start(broker.clone(), store.clone())
        .await
        .expect("hub");
    Node {
        _dir: dir,
        hub,
        orders: OrderService::new(store, broker),
    }
}

fn new_order(id: &str) -> CreateOrder {
    CreateOrder {
        id: Some(OrderId::parse(id).expect("id")),
        created: OrderCreated {
            customer: Party {
                id: "cust-1".into(),
                name: None,
                phone: None,
            },
            items: vec![Item {
                name: "Tea".into(),
                quantity: 1,
            }],
            address: "2 High St".into(),
            courier: None,
            instructions: None,
            eta: None,
            internal_note: None,
        },
    }
}

/// A subscriber that keeps what it is given.
#[derive(Default)]
struct Collect(Mutex<Vec<Arc<Publication>>>);

impl Subscriber for Collect {
    fn deliver(&self, publication: &Arc<Publication>) {
        self.0.lock().expect("lock").push(publication.clone());
    }
}

impl Collect {
    fn take(&self) -> Vec<Arc<Publication>> {
        std::mem::take(&mut *self.0.lock().expect("lock"))
    }

    fn is_empty(&self) -> bool {
        self.0.lock().expect("lock").is_empty()
    }
}

#[tokio::test]
async fn one_serialization_shared_by_every_subscriber_and_the_feed() {
    let node = node().await;
    let dev = Identity::development();
    node.orders
        .create(&dev, new_order("F-1"), None)
        .await
        .expect("create");

    let order_channel = Channel::new(&dev.tenant, "order:F-1", Audience::Staff);
    let feed_channel = Channel::new(&dev.tenant, "orders", Audience::Staff);
    let (a, b, feed, other) = (
        Arc::new(Collect::default()),
        Arc::new(Collect::default()),
        Arc::new(Collect::default()),
        Arc::new(Collect::default()),
    );
    node.hub
        .subscribe(&order_channel, a.clone())
        .await
        .expect("a");
    let b_id = node
        .hub
        .subscribe(&order_channel, b.clone())
        .await
        .expect("b");
    node.hub
        .subscribe(&feed_channel, feed.clone())
        .await
        .expect("feed");
    node.hub
        .subscribe(
            &Channel::new("another-tenant", "order:F-1", Audience::Staff),
            other.clone(),
        )
        .await
        .expect("other");
    assert_eq!(node.hub.subscriber_count(&order_channel), 2);

    let confirm = Classified::Durable(DurableEvent::StatusChanged(StatusChanged {
        status: OrderStatus::Confirmed,
        reason: None,
        internal_note: None,
    }));
    node.orders
        .record(&dev, &OrderId::parse("F-1").expect("id"), confirm, None)
        .await
        .expect("record");

    let (got_a, got_b, got_feed) = (a.take(), b.take(), feed.take());
    assert_eq!((got_a.len(), got_b.len(), got_feed.len()), (1, 1, 1));
    assert_eq!(got_a[0].seq(), Some(2));
    assert_eq!(got_a[0].payload.as_ptr(), got_b[0].payload.as_ptr());
    assert_eq!(got_a[0].payload.as_ptr(), got_feed[0].payload.as_ptr());
    let frame: serde_json::Value = serde_json::from_slice(&got_a[0].payload).expect("json");
    assert_eq!(frame["type"], "event");
    let envelope = &frame["event"];
    assert_eq!(envelope["type"], "status_changed");
    assert_eq!(envelope["topic"], "order:F-1");
    assert_eq!(envelope["seq"], 2);
    assert_eq!(envelope["offset"], 2);
    assert_eq!(envelope["payload"]["status"], "confirmed");
    assert!(other.is_empty(), "tenants never cross");

    node.hub.unsubscribe(&order_channel, b_id).await;
    let location = Classified::Ephemeral(EphemeralSignal::Location(Location {
        lat: 52.5,
        lng: 13.4,
        heading: None,
        ts: 1_000,
    }));
    node.orders
        .record(&dev, &OrderId::parse("F-1").expect("id"), location, None)
        .await
        .expect("location");
    let got_a = a.take();
    assert_eq!(got_a.len(), 1);
    assert_eq!(got_a[0].seq(), None, "signals carry no seq");
    assert!(b.is_empty(), "unsubscribed");
    assert_eq!(
        feed.take().len(),
        1,
        "locations reach the dispatchers' feed"
    );
}
