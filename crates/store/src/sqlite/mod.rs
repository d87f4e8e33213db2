//! The embedded backend: one SQLite file in the data directory.
//!
//! Durability: WAL journal with `synchronous = FULL`. WAL alone already
//! survives `kill -9` of the process (committed pages sit in the WAL file);
//! FULL also fsyncs the WAL on every commit, so an event whose write was
//! acknowledged survives a power cut too. Writes go through a single
//! writer connection (SQLite allows one writer at a time anyway), which
//! serializes transactions in-process instead of failing them with
//! `SQLITE_BUSY`; reads use a separate pool and never wait for writes.

mod read;
mod write;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use trackwire_domain::{DurableEvent, Location, Order, OrderCreated, OrderId, Topic};

use crate::types::{
    FeedPage, History, IdempotencyKey, OrderFilter, OrderPage, PageRequest, ReadReceipt, Recorded,
};
use crate::{Store, StoreError};

/// The file name inside the data directory.
pub const DB_FILE: &str = "trackwire.db";

#[derive(Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) `trackwire.db` in `data_dir` and migrates it.
    pub async fn open(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            StoreError::Corrupt(format!("cannot create {}: {e}", data_dir.display()))
        })?;
        let options = SqliteConnectOptions::new().filename(data_dir.join(DB_FILE));
        Self::with_options(options).await
    }

    /// Opens a `sqlite://path` URL.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::with_options(SqliteConnectOptions::from_str(url)?).await
    }

    async fn with_options(options: SqliteConnectOptions) -> Result<Self, StoreError> {
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&writer).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.read_only(true))
            .await?;
        Ok(Self { writer, reader })
    }

    /// Closes both pools, waiting for in-flight work.
    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn create_order(
        &self,
        tenant: &str,
        id: OrderId,
        created: OrderCreated,
        idempotency: Option<IdempotencyKey>,
    ) -> Result<Recorded, StoreError> {
        write::create_order(&self.writer, tenant, id, created, idempotency).await
    }

    async fn record(
        &self,
        tenant: &str,
        order: &OrderId,
        event: DurableEvent,
        idempotency: Option<IdempotencyKey>,
    ) -> Result<Recorded, StoreError> {
        write::record(&self.writer, tenant, order, event, idempotency).await
    }

    async fn observe_location(
        &self,
        tenant: &str,
        order: &OrderId,
        location: &Location,
    ) -> Result<Option<Order>, StoreError> {
        write::observe_location(&self.writer, tenant, order, location).await
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
        write::mark_read(&self.writer, tenant, order, subject, seq).await
    }

    async fn read_receipts(
        &self,
        tenant: &str,
        order: &OrderId,
    ) -> Result<Vec<ReadReceipt>, StoreError> {
        read::read_receipts(&self.reader, tenant, order).await
    }
}
