//! The embedded backend: one SQLite file in the data directory.
//!
//! Durability: WAL journal with `synchronous = FULL`. WAL alone already
//! survives `kill -9` of the process (committed pages sit in the WAL file);
//! FULL also fsyncs the WAL on every commit, so an event whose write was
//! acknowledged survives a power cut too. Writes go to a single writer
//! thread that owns the one write connection ([`writer`], rusqlite): it
//! commits the writes waiting in its queue together, one transaction and
//! one fsync per batch, and answers each only after the commit. Reads use
//! a separate pool (sqlx) and never wait for writes.
//!
//! - `check`: what opening refuses (a damaged or inconsistent file);
//! - `writer`: the write queue, group commit, failure handling (its jobs
//!   and health are `crate::group_commit`'s);
//! - `write`: one operation per write call; `read`: the reads.

mod check;
mod read;
mod write;
mod writer;

use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, SqlitePool};
use trackwire_domain::{DurableEvent, Location, Order, OrderCreated, OrderId, Topic};

use crate::types::{
    FeedPage, History, IdempotencyKey, OrderFilter, OrderPage, PageRequest, ReadReceipt, Recorded,
};
use crate::{Store, StoreError};
use writer::{Health, Writer};

/// The file name inside the data directory.
pub const DB_FILE: &str = "trackwire.db";

pub struct SqliteStore {
    writer: Writer,
    reader: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) `trackwire.db` in `data_dir`, checks it
    /// and migrates it.
    pub async fn open(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            StoreError::Unavailable(format!("cannot create {}: {e}", data_dir.display()))
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
            .busy_timeout(writer::BUSY_TIMEOUT)
            .foreign_keys(true);
        let path = options.get_filename().to_path_buf();
        check::files(&path)?;
        let mut conn = options
            .connect()
            .await
            .map_err(|error| match StoreError::from(error) {
                StoreError::Corrupt(detail) => check::damaged(&path, &detail),
                other => other,
            })?;
        check::integrity(&mut conn, &path).await?;
        sqlx::migrate!("./migrations/sqlite").run(&mut conn).await?;
        check::consistency(&mut conn, &path).await?;
        // The write connection is rusqlite's (see `writer`); this one only
        // checked and migrated the file.
        conn.close().await?;
        let write = writer::open(&path)?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.clone().read_only(true))
            .await?;
        let writer = Writer::start(write, path, Arc::new(Health::default()));
        Ok(Self { writer, reader })
    }

    /// Caps the database at `pages` pages (SQLite's `max_page_count`;
    /// `None`: no cap): a write that needs more fails as on a full disk.
    /// SQLite never sets the cap below the current size, so `Some(1)` means
    /// "full from now on". The storage-fault tests make a full disk with it.
    pub fn limit_pages(&self, pages: Option<u32>) {
        let pages = pages.map_or(0, |p| u64::from(p.max(1)));
        self.writer.health.max_pages.store(pages, Ordering::Relaxed);
    }

    /// Finishes queued writes, checkpoints the write-ahead log into the
    /// database file and closes: no `-wal` or `-shm` file stays behind.
    pub async fn close(&self) {
        // Readers first: the last connection to close is the writer, which
        // may remove the WAL.
        self.reader.close().await;
        self.writer.close().await;
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
        let tenant = tenant.to_owned();
        let key = idempotency;
        self.writer
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
        let (tenant, order, key) = (tenant.to_owned(), order.clone(), idempotency);
        self.writer
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
        let (tenant, order, location) = (tenant.to_owned(), order.clone(), location.clone());
        self.writer
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
        let (tenant, order, subject) = (tenant.to_owned(), order.clone(), subject.to_owned());
        self.writer
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

    async fn close(&self) {
        // The inherent close: checkpoint, readers first.
        SqliteStore::close(self).await;
    }

    async fn heads(&self, tenant: &str, topics: &[Topic]) -> Result<Vec<Option<u64>>, StoreError> {
        read::heads(&self.reader, tenant, topics).await
    }

    async fn probe_write(&self) -> Result<(), StoreError> {
        let probe = self.writer.submit(write::Probe);
        self.writer.health.writes.probe(probe).await
    }
}
