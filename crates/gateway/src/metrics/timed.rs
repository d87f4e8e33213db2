//! Timing decorators: [`TimedStore`] around any [`Store`], [`TimedBroker`]
//! around any [`Broker`]. Each records every call's duration in a
//! histogram (`trackwire_store_seconds{op, outcome}`,
//! `trackwire_broker_publish_seconds{outcome}`) and forwards it unchanged,
//! so no backend knows about metrics.

use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use metrics::{histogram, Histogram};
use trackwire_broker::{Broker, BrokerError, Channel, Publication, PublicationSink};
use trackwire_domain::{DurableEvent, Location, Order, OrderCreated, OrderId, Topic};
use trackwire_store::{
    FeedPage, History, IdempotencyKey, OrderFilter, OrderPage, PageRequest, ReadReceipt, Recorded,
    Store, StoreError,
};

use super::names;

/// One operation's two histograms, made once.
struct Timing {
    ok: Histogram,
    error: Histogram,
}

impl Timing {
    fn new(name: &'static str, op: Option<&'static str>) -> Self {
        let make = |outcome: &'static str| match op {
            Some(op) => histogram!(name, "op" => op, "outcome" => outcome),
            None => histogram!(name, "outcome" => outcome),
        };
        Self {
            ok: make("ok"),
            error: make("error"),
        }
    }

    fn observe<T, E>(&self, started: Instant, result: Result<T, E>) -> Result<T, E> {
        let seconds = started.elapsed().as_secs_f64();
        match &result {
            Ok(_) => self.ok.record(seconds),
            Err(_) => self.error.record(seconds),
        }
        result
    }
}

macro_rules! timings {
    ($($op:ident),* $(,)?) => {
        /// A histogram pair per `Store` method.
        struct StoreTimings {
            $($op: Timing,)*
        }

        impl StoreTimings {
            fn new() -> Self {
                Self {
                    $($op: Timing::new(names::STORE_SECONDS, Some(stringify!($op))),)*
                }
            }
        }
    };
}

timings!(
    create_order,
    record,
    observe_location,
    order,
    list_orders,
    replay_since,
    feed_since,
    mark_read,
    read_receipts,
    heads,
    probe_write,
);

/// Any store, with every operation timed.
pub struct TimedStore {
    inner: Arc<dyn Store>,
    timings: StoreTimings,
}

impl TimedStore {
    /// Wraps `inner`; call it after the recorder is installed.
    pub fn wrap(inner: Arc<dyn Store>) -> Arc<dyn Store> {
        Arc::new(Self {
            inner,
            timings: StoreTimings::new(),
        })
    }
}

#[async_trait]
impl Store for TimedStore {
    async fn create_order(
        &self,
        tenant: &str,
        id: OrderId,
        created: OrderCreated,
        idempotency: Option<IdempotencyKey>,
    ) -> Result<Recorded, StoreError> {
        let started = Instant::now();
        let result = self
            .inner
            .create_order(tenant, id, created, idempotency)
            .await;
        self.timings.create_order.observe(started, result)
    }

    async fn record(
        &self,
        tenant: &str,
        order: &OrderId,
        event: DurableEvent,
        idempotency: Option<IdempotencyKey>,
    ) -> Result<Recorded, StoreError> {
        let started = Instant::now();
        let result = self.inner.record(tenant, order, event, idempotency).await;
        self.timings.record.observe(started, result)
    }

    async fn observe_location(
        &self,
        tenant: &str,
        order: &OrderId,
        location: &Location,
    ) -> Result<Option<Order>, StoreError> {
        let started = Instant::now();
        let result = self.inner.observe_location(tenant, order, location).await;
        self.timings.observe_location.observe(started, result)
    }

    async fn order(&self, tenant: &str, order: &OrderId) -> Result<Option<Order>, StoreError> {
        let started = Instant::now();
        let result = self.inner.order(tenant, order).await;
        self.timings.order.observe(started, result)
    }

    async fn list_orders(
        &self,
        tenant: &str,
        filter: &OrderFilter,
        page: &PageRequest,
    ) -> Result<OrderPage, StoreError> {
        let started = Instant::now();
        let result = self.inner.list_orders(tenant, filter, page).await;
        self.timings.list_orders.observe(started, result)
    }

    async fn replay_since(
        &self,
        tenant: &str,
        topic: &Topic,
        since: u64,
        limit: u32,
    ) -> Result<History, StoreError> {
        let started = Instant::now();
        let result = self.inner.replay_since(tenant, topic, since, limit).await;
        self.timings.replay_since.observe(started, result)
    }

    async fn feed_since(
        &self,
        tenant: &str,
        offset: u64,
        limit: u32,
    ) -> Result<FeedPage, StoreError> {
        let started = Instant::now();
        let result = self.inner.feed_since(tenant, offset, limit).await;
        self.timings.feed_since.observe(started, result)
    }

    async fn mark_read(
        &self,
        tenant: &str,
        order: &OrderId,
        subject: &str,
        seq: u64,
    ) -> Result<u64, StoreError> {
        let started = Instant::now();
        let result = self.inner.mark_read(tenant, order, subject, seq).await;
        self.timings.mark_read.observe(started, result)
    }

    async fn read_receipts(
        &self,
        tenant: &str,
        order: &OrderId,
    ) -> Result<Vec<ReadReceipt>, StoreError> {
        let started = Instant::now();
        let result = self.inner.read_receipts(tenant, order).await;
        self.timings.read_receipts.observe(started, result)
    }

    async fn heads(&self, tenant: &str, topics: &[Topic]) -> Result<Vec<Option<u64>>, StoreError> {
        let started = Instant::now();
        let result = self.inner.heads(tenant, topics).await;
        self.timings.heads.observe(started, result)
    }

    async fn close(&self) {
        self.inner.close().await;
    }

    async fn probe_write(&self) -> Result<(), StoreError> {
        let started = Instant::now();
        let result = self.inner.probe_write().await;
        self.timings.probe_write.observe(started, result)
    }
}

/// Any broker, with every publish timed.
pub struct TimedBroker {
    inner: Arc<dyn Broker>,
    publish: Timing,
}

impl TimedBroker {
    /// Wraps `inner`; call it after the recorder is installed.
    pub fn wrap(inner: Arc<dyn Broker>) -> Arc<dyn Broker> {
        Arc::new(Self {
            inner,
            publish: Timing::new(names::PUBLISH_SECONDS, None),
        })
    }
}

#[async_trait]
impl Broker for TimedBroker {
    async fn start(&self, sink: Arc<dyn PublicationSink>) -> Result<(), BrokerError> {
        self.inner.start(sink).await
    }

    async fn publish(&self, publication: Publication) -> Result<(), BrokerError> {
        let started = Instant::now();
        let result = self.inner.publish(publication).await;
        self.publish.observe(started, result)
    }

    async fn subscribe(&self, channel: &Channel) -> Result<(), BrokerError> {
        self.inner.subscribe(channel).await
    }

    async fn unsubscribe(&self, channel: &Channel) -> Result<(), BrokerError> {
        self.inner.unsubscribe(channel).await
    }

    fn is_connected(&self) -> bool {
        self.inner.is_connected()
    }

    async fn close(&self) {
        self.inner.close().await;
    }
}
