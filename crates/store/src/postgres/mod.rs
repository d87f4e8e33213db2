//! The cluster backend: PostgreSQL, shared by every node.
//!
//! Writes go to a few writer tasks per node ([`writer`]), each with a
//! connection of its own; an order always goes to the same writer, so one
//! node's writes to an order keep their order. Each writer commits the
//! writes waiting in its queue together (group commit): one transaction,
//! one WAL flush, each write answered only after its COMMIT. How the
//! batches of several nodes share an order and a tenant without waiting on
//! each other for long is in [`batch`]. Reads use a pool and never wait
//! for writes.
//!
//! - `batch`: locks, seq and offsets, the writes at a batch's end;
//! - `writer`: the queue, commit, retries and failure handling;
//! - `write`: one operation per write call; `read`: the reads.

mod batch;
mod read;
mod write;
mod writer;

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Executor, PgPool};
use trackwire_domain::{DurableEvent, Location, Order, OrderCreated, OrderId, Topic};

use crate::group_commit::WriteHealth;
use crate::types::{
    FeedPage, History, IdempotencyKey, OrderFilter, OrderPage, PageRequest, ReadReceipt, Recorded,
};
use crate::{Store, StoreError};
use writer::Writer;

/// Writer tasks (and write connections) per node.
const WRITERS: usize = 2;
/// Read connections per node.
const READERS: u32 = 8;

pub struct PostgresStore {
    writers: Vec<Writer>,
    reader: PgPool,
    health: Arc<WriteHealth>,
}

impl PostgresStore {
    /// Connects to a `postgres://` URL and migrates the database (every
    /// node may do so at start; the migrator takes a lock).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url)?
            .application_name("trackwire")
            // A write waits for another node's batch at most this long
            // before its own batch is rolled back and retried; nothing
            // waits forever on a stuck peer.
            .options([
                ("lock_timeout", "5s"),
                ("statement_timeout", "30s"),
                // Every statement planned for its values: a batch's lists
                // differ in length and content each time, and a generic
                // plan of a join over them can be very slow.
                ("plan_cache_mode", "force_custom_plan"),
            ]);
        let reader = PgPoolOptions::new()
            .max_connections(READERS)
            .acquire_timeout(Duration::from_secs(3))
            .after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute("SET default_transaction_read_only = on")
                        .await?;
                    Ok(())
                })
            })
            .connect_with(options.clone())
            .await?;
        let mut migrator_conn = sqlx::ConnectOptions::connect(&options).await?;
        sqlx::migrate!("./migrations/postgres")
            .run(&mut migrator_conn)
            .await?;
        let _ = sqlx::Connection::close(migrator_conn).await;
        let health = Arc::new(WriteHealth::default());
        let writers = (0..WRITERS)
            .map(|_| Writer::start(options.clone(), health.clone()))
            .collect();
        Ok(Self {
            writers,
            reader,
            health,
        })
    }

    /// The writer of `order`: always the same one.
    fn writer(&self, tenant: &str, order: &OrderId) -> &Writer {
        let mut hasher = DefaultHasher::new();
        (tenant, order.as_str()).hash(&mut hasher);
        let index = (hasher.finish() % self.writers.len() as u64) as usize;
        &self.writers[index]
    }
}

#[async_trait]
impl Store for PostgresStore {
    async fn create_order(
        &self,
        tenant: &str,
        id: OrderId,
        created: OrderCreated,
        idempotency: Option<IdempotencyKey>,
    ) -> Result<Recorded, StoreError> {
        let writer = self.writer(tenant, &id);
        let (tenant, key) = (tenant.to_owned(), idempotency);
        writer
            .submit(write::CreateOrder {
                tenant,
                id,
                created,
                key,
            })
            .await
    }

    async fn record(
        &self,
        tenant: &str,
        order: &OrderId,
        event: DurableEvent,
        idempotency: Option<IdempotencyKey>,
    ) -> Result<Recorded, StoreError> {
        let writer = self.writer(tenant, order);
        let (tenant, order, key) = (tenant.to_owned(), order.clone(), idempotency);
        writer
            .submit(write::Record {
                tenant,
                order,
                event,
                key,
            })
            .await
    }

    async fn observe_location(
        &self,
        tenant: &str,
        order: &OrderId,
        location: &Location,
    ) -> Result<Option<Order>, StoreError> {
        let writer = self.writer(tenant, order);
        let (tenant, order, location) = (tenant.to_owned(), order.clone(), location.clone());
        writer
            .submit(write::ObserveLocation {
                tenant,
                order,
                location,
            })
            .await
    }

    async fn order(&self, tenant: &str, order: &OrderId) -> Result<Option<Order>, StoreError> {
        read::order(&self.reader, tenant, order).await
    }

    async fn list_orders(
        &self,
        tenant: &str,
        filter: &OrderFilter,
        page: &PageRequest,
    ) -> Result<OrderPage, StoreError> {
        read::list_orders(&self.reader, tenant, filter, page).await
    }

    async fn replay_since(
        &self,
        tenant: &str,
        topic: &Topic,
        since: u64,
        limit: u32,
    ) -> Result<History, StoreError> {
        read::replay_since(&self.reader, tenant, topic, since, limit).await
    }

    async fn feed_since(
        &self,
        tenant: &str,
        offset: u64,
        limit: u32,
    ) -> Result<FeedPage, StoreError> {
        read::feed_since(&self.reader, tenant, offset, limit).await
    }

    async fn mark_read(
        &self,
        tenant: &str,
        order: &OrderId,
        subject: &str,
        seq: u64,
    ) -> Result<u64, StoreError> {
        let writer = self.writer(tenant, order);
        let (tenant, order, subject) = (tenant.to_owned(), order.clone(), subject.to_owned());
        writer
            .submit(write::MarkRead {
                tenant,
                order,
                subject,
                seq,
            })
            .await
    }

    async fn read_receipts(
        &self,
        tenant: &str,
        order: &OrderId,
    ) -> Result<Vec<ReadReceipt>, StoreError> {
        read::read_receipts(&self.reader, tenant, order).await
    }

    async fn heads(&self, tenant: &str, topics: &[Topic]) -> Result<Vec<Option<u64>>, StoreError> {
        read::heads(&self.reader, tenant, topics).await
    }

    async fn close(&self) {
        for writer in &self.writers {
            writer.close().await;
        }
        self.reader.close().await;
    }

    async fn probe_write(&self) -> Result<(), StoreError> {
        let probe = self.writers[0].submit(write::Probe);
        self.health.probe(probe).await
    }
}
