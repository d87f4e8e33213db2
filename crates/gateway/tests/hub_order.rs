//! The hub keeps each channel in order on this node, whatever the broker
//! does: publications that overtake each other are put back in order
//! without touching the store; a lost one is refilled from the store once
//! for the channel, not once per subscriber; a lost *last* one is found by
//! the position check; a broker's loss signal refills at once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::Notify;
use trackwire_auth::Identity;
use trackwire_broker::{
    Broker, BrokerError, Channel, Lost, MemoryBroker, Publication, PublicationSink,
};
use trackwire_domain::records::{
    FeedPage, History, IdempotencyKey, OrderFilter, OrderPage, PageRequest, ReadReceipt, Recorded,
};
use trackwire_domain::{
    Audience, Classified, DurableEvent, InstructionsChanged, Item, Location, Order, OrderCreated,
    OrderId, Party, Topic,
};
use trackwire_gateway::presence::LocalPresence;
use trackwire_gateway::{CreateOrder, Hub, HubConfig, OrderService, Subscriber};
use trackwire_store::sqlite::SqliteStore;
use trackwire_store::{Store, StoreError};

const PATIENCE: Duration = Duration::from_secs(10);

/// What the broker does with the next publications of the watched channel.
#[derive(Default)]
struct Faults {
    /// These seqs never arrive.
    drop: Vec<u64>,
    /// This seq is held back and delivered right after the next one.
    swap: Option<u64>,
}

/// The in-process broker, with faults on the staff channel of one order.
struct FaultyBroker {
    inner: MemoryBroker,
    sink: Mutex<Option<Arc<dyn PublicationSink>>>,
    watched: Channel,
    faults: Mutex<Faults>,
    held: Mutex<Option<Publication>>,
}

#[async_trait]
impl Broker for FaultyBroker {
    async fn start(&self, sink: Arc<dyn PublicationSink>) -> Result<(), BrokerError> {
        *self.sink.lock().expect("lock") = Some(sink.clone());
        self.inner.start(sink).await
    }

    async fn publish(&self, publication: Publication) -> Result<(), BrokerError> {
        if publication.channel != self.watched {
            return self.inner.publish(publication).await;
        }
        let seq = publication.seq().unwrap_or(0);
        let (dropped, swapped) = {
            let faults = self.faults.lock().expect("lock");
            (faults.drop.contains(&seq), faults.swap == Some(seq))
        };
        if dropped {
            return Ok(());
        }
        if swapped {
            *self.held.lock().expect("lock") = Some(publication);
            return Ok(());
        }
        self.inner.publish(publication).await?;
        let held = self.held.lock().expect("lock").take();
        match held {
            Some(held) => self.inner.publish(held).await,
            None => Ok(()),
        }
    }

    async fn subscribe(&self, channel: &Channel) -> Result<(), BrokerError> {
        self.inner.subscribe(channel).await
    }

    async fn unsubscribe(&self, channel: &Channel) -> Result<(), BrokerError> {
        self.inner.unsubscribe(channel).await
    }
}

/// The SQLite store, counting the reads a refill makes.
struct CountingStore {
    inner: SqliteStore,
    replays: AtomicUsize,
}

#[async_trait]
impl Store for CountingStore {
    async fn create_order(
        &self,
        tenant: &str,
        id: OrderId,
        created: OrderCreated,
        key: Option<IdempotencyKey>,
    ) -> Result<Recorded, StoreError> {
        self.inner.create_order(tenant, id, created, key).await
    }
    async fn record(
        &self,
        tenant: &str,
        order: &OrderId,
        event: DurableEvent,
        key: Option<IdempotencyKey>,
    ) -> Result<Recorded, StoreError> {
        self.inner.record(tenant, order, event, key).await
    }
    async fn observe_location(
        &self,
        tenant: &str,
        order: &OrderId,
        location: &Location,
    ) -> Result<Option<Order>, StoreError> {
        self.inner.observe_location(tenant, order, location).await
    }
    async fn order(&self, tenant: &str, order: &OrderId) -> Result<Option<Order>, StoreError> {
        self.inner.order(tenant, order).await
    }
    async fn list_orders(
        &self,
        tenant: &str,
        filter: &OrderFilter,
        page: &PageRequest,
    ) -> Result<OrderPage, StoreError> {
        self.inner.list_orders(tenant, filter, page).await
    }
    async fn replay_since(
        &self,
        tenant: &str,
        topic: &Topic,
        since: u64,
        limit: u32,
    ) -> Result<History, StoreError> {
        self.replays.fetch_add(1, Ordering::SeqCst);
        self.inner.replay_since(tenant, topic, since, limit).await
    }
    async fn feed_since(
        &self,
        tenant: &str,
        offset: u64,
        limit: u32,
    ) -> Result<FeedPage, StoreError> {
        self.inner.feed_since(tenant, offset, limit).await
    }
    async fn mark_read(
        &self,
        tenant: &str,
        order: &OrderId,
        subject: &str,
        seq: u64,
    ) -> Result<u64, StoreError> {
        self.inner.mark_read(tenant, order, subject, seq).await
    }
    async fn read_receipts(
        &self,
        tenant: &str,
        order: &OrderId,
    ) -> Result<Vec<ReadReceipt>, StoreError> {
        self.inner.read_receipts(tenant, order).await
    }
    async fn heads(&self, tenant: &str, topics: &[Topic]) -> Result<Vec<Option<u64>>, StoreError> {
        self.inner.heads(tenant, topics).await
    }
    async fn probe_write(&self) -> Result<(), StoreError> {
        self.inner.probe_write().await
    }
}

/// A subscriber that keeps the seqs it is given.
#[derive(Default)]
struct Seqs {
    got: Mutex<Vec<u64>>,
    changed: Notify,
}

impl Subscriber for Seqs {
    fn deliver(&self, publication: &Arc<Publication>) {
        if let Some(seq) = publication.seq() {
            self.got.lock().expect("lock").push(seq);
            self.changed.notify_waiters();
        }
    }
}

impl Seqs {
    /// Waits until the last seq seen is `last`; the seqs seen, deduplicated
    /// as an outbox would (a refill may repeat one).
    async fn until(&self, last: u64) -> Vec<u64> {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            {
                let got = self.got.lock().expect("lock");
                if got.last() == Some(&last) {
                    let mut seen = Vec::new();
                    for seq in got.iter() {
                        if seen.last().is_none_or(|l| seq > l) {
                            seen.push(*seq);
                        }
                    }
                    return seen;
                }
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                panic!(
                    "seq {last} never came; got {:?}",
                    self.got.lock().expect("lock")
                );
            }
        }
    }
}

struct Node {
    _dir: tempfile::TempDir,
    hub: Arc<Hub>,
    orders: OrderService,
    store: Arc<CountingStore>,
    broker: Arc<FaultyBroker>,
    watched: Channel,
}

const ORDER: &str = "Q-1";

async fn node(position_interval: Duration) -> Node {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(CountingStore {
        inner: SqliteStore::open(dir.path()).await.expect("store"),
        replays: AtomicUsize::new(0),
    });
    let watched = Channel::new(
        Identity::DEV_TENANT,
        &format!("order:{ORDER}"),
        Audience::Staff,
    );
    let broker = Arc::new(FaultyBroker {
        inner: MemoryBroker::new(),
        sink: Mutex::default(),
        watched: watched.clone(),
        faults: Mutex::default(),
        held: Mutex::default(),
    });
    let config = HubConfig {
        position_interval,
        ..HubConfig::default()
    };
    let hub = Hub::start_with(
        broker.clone(),
        store.clone(),
        Arc::new(LocalPresence::default()),
        config,
    )
    .await
    .expect("hub");
    let orders = OrderService::new(store.clone(), broker.clone());
    let created = OrderCreated {
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
    };
    let create = CreateOrder {
        id: Some(OrderId::parse(ORDER).expect("id")),
        created,
    };
    orders
        .create(&Identity::development(), create, None)
        .await
        .expect("create");
    Node {
        _dir: dir,
        hub,
        orders,
        store,
        broker,
        watched,
    }
}

impl Node {
    /// `n` subscribers of the watched channel, which is at seq 1.
    async fn subscribers(&self, n: usize) -> Vec<Arc<Seqs>> {
        let mut all = Vec::new();
        for _ in 0..n {
            let seqs = Arc::new(Seqs::default());
            self.hub
                .subscribe(&self.watched, seqs.clone())
                .await
                .expect("subscribe");
            all.push(seqs);
        }
        self.hub.observe(&self.watched, 1);
        all
    }

    async fn note(&self, text: &str) -> u64 {
        let event = DurableEvent::InstructionsChanged(InstructionsChanged { text: text.into() });
        let outcome = self
            .orders
            .record(
                &Identity::development(),
                &OrderId::parse(ORDER).expect("id"),
                Classified::Durable(event),
                None,
            )
            .await
            .expect("record");
        match outcome {
            trackwire_gateway::RecordOutcome::Durable(recorded) => recorded.events[0].seq,
            trackwire_gateway::RecordOutcome::Signal { .. } => unreachable!(),
        }
    }

    fn replays(&self) -> usize {
        self.store.replays.load(Ordering::SeqCst)
    }
}

#[tokio::test]
async fn publications_that_overtake_each_other_are_put_back_in_order_without_the_store() {
    let node = node(Duration::from_secs(3600)).await;
    let subscribers = node.subscribers(20).await;
    node.broker.faults.lock().expect("lock").swap = Some(3);
    for n in 2..=4 {
        assert_eq!(node.note(&format!("{n}")).await, n);
    }
    for seqs in &subscribers {
        assert_eq!(seqs.until(4).await, [2, 3, 4]);
        assert_eq!(
            *seqs.got.lock().expect("lock"),
            [2, 3, 4],
            "each once, in order"
        );
    }
    assert_eq!(node.replays(), 0, "reordering needs no store read");
}

#[tokio::test]
async fn a_lost_publication_is_refilled_once_for_every_subscriber() {
    let node = node(Duration::from_secs(3600)).await;
    let subscribers = node.subscribers(20).await;
    node.broker.faults.lock().expect("lock").drop = vec![3];
    for n in 2..=4 {
        node.note(&format!("{n}")).await;
    }
    for seqs in &subscribers {
        assert_eq!(seqs.until(4).await, [2, 3, 4]);
    }
    assert_eq!(
        node.replays(),
        1,
        "one refill for the channel, not one per subscriber"
    );
}

#[tokio::test]
async fn a_lost_last_publication_is_found_by_the_position_check() {
    let node = node(Duration::from_millis(100)).await;
    let subscribers = node.subscribers(5).await;
    node.broker.faults.lock().expect("lock").drop = vec![3];
    node.note("2").await;
    node.note("3").await;
    for seqs in &subscribers {
        assert_eq!(
            seqs.until(3).await,
            [2, 3],
            "no later event reveals the gap"
        );
    }
    assert_eq!(node.replays(), 1);
}

#[tokio::test]
async fn the_brokers_loss_signal_refills_at_once() {
    let node = node(Duration::from_secs(3600)).await;
    let subscribers = node.subscribers(5).await;
    node.broker.faults.lock().expect("lock").drop = vec![2, 3];
    node.note("2").await;
    node.note("3").await;
    let sink = node
        .broker
        .sink
        .lock()
        .expect("lock")
        .clone()
        .expect("started");
    sink.lost(Lost::All);
    for seqs in &subscribers {
        assert_eq!(seqs.until(3).await, [2, 3]);
    }
    assert_eq!(node.replays(), 1);
}
