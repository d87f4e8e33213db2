//! # trackwire-store
//!
//! The store of record. [`Store`] is the seam; [`sqlite::SqliteStore`] is the
//! embedded backend (a PostgreSQL backend satisfies the same trait in
//! cluster mode). What is where:
//!
//! - [`Store`]: the trait and the guarantees every backend gives.
//! - [`types`]: what goes in and comes out (stored events, pages, keys):
//!   `trackwire_domain::records`, re-exported.
//! - [`error`]: the error enum, [`StoreError`].
//! - [`sqlite`]: the SQLite backend and its `migrations/sqlite`.
//! - [`postgres`]: the PostgreSQL backend (cluster mode) and its
//!   `migrations/postgres`.
//!
//! `seq` is assigned here, and only here: in the transaction that stores
//! the event.

mod epoch;
pub mod error;
mod group_commit;
mod list;
mod numbers;
pub mod postgres;
pub mod sqlite;
pub use trackwire_domain::records as types;

use async_trait::async_trait;
use trackwire_domain::{DurableEvent, Location, Order, OrderCreated, OrderId, Topic};

pub use error::StoreError;
pub use types::{
    FeedPage, History, IdempotencyKey, OrderFilter, OrderPage, PageRequest, ReadReceipt, Recorded,
    StoredEvent,
};

/// Durable storage of orders and their events.
///
/// Guarantees every implementation gives (checked by the conformance suite
/// in `tests/conformance`):
///
/// - **Gap-free seq.** Each topic (`order:{id}`, `chat:{id}`) numbers its
///   events 1, 2, 3 … in the same transaction that stores them; however many
///   writers race on one order, no seq is skipped or given twice. (SQLite: a
///   single writer connection; PostgreSQL: the topic row is locked with
///   `SELECT … FOR UPDATE` / `UPDATE … RETURNING`.)
/// - **Validated transitions.** The order's state machine
///   ([`Order::apply`]) runs inside that transaction on the locked snapshot,
///   so two writers can never both move the same status.
/// - **Feed offset.** Every durable event on an `order:` topic also gets the
///   tenant's next `offset` (1, 2, 3 …, gap-free, in commit order).
/// - **Idempotency.** A write carrying an [`IdempotencyKey`] is stored with
///   its result atomically: the same key and request give the same result
///   (`replayed: true`) without writing again; the same key with a different
///   request is refused with [`StoreError::IdempotencyConflict`].
/// - **Durability.** A call that returned `Ok` survives a crash of the
///   process: a write is answered only after its commit. A write that
///   failed stored nothing, and its seq is never handed out.
/// - **Failures are told apart from refusals.** When the store cannot
///   write (a full disk, a read-only file, a lost connection) a call fails
///   with [`StoreError::Unavailable`], and the next call starts clean: the
///   write path is usable again as soon as the cause is gone.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Creates an order, its `order:` and `chat:` topics (each with a fresh
    /// epoch), and its `order_created` event at seq 1.
    async fn create_order(
        &self,
        tenant: &str,
        id: OrderId,
        created: OrderCreated,
        idempotency: Option<IdempotencyKey>,
    ) -> Result<Recorded, StoreError>;

    /// Applies `event` to the order and stores it on its topic.
    async fn record(
        &self,
        tenant: &str,
        order: &OrderId,
        event: DurableEvent,
        idempotency: Option<IdempotencyKey>,
    ) -> Result<Recorded, StoreError>;

    /// Keeps the courier's latest position in the snapshot (latest-wins by
    /// `ts`). Returns the updated order, or `None` when the position was
    /// older than the one kept (or the order is final).
    async fn observe_location(
        &self,
        tenant: &str,
        order: &OrderId,
        location: &Location,
    ) -> Result<Option<Order>, StoreError>;

    /// The order's snapshot, if it exists in this tenant.
    async fn order(&self, tenant: &str, order: &OrderId) -> Result<Option<Order>, StoreError>;

    /// Orders of the tenant, newest first, filtered, one page at a time.
    async fn list_orders(
        &self,
        tenant: &str,
        filter: &OrderFilter,
        page: &PageRequest,
    ) -> Result<OrderPage, StoreError>;

    /// Up to `limit` events of `topic` with seq greater than `since`, in
    /// order, read consistently with the topic's current seq and epoch.
    async fn replay_since(
        &self,
        tenant: &str,
        topic: &Topic,
        since: u64,
        limit: u32,
    ) -> Result<History, StoreError>;

    /// Up to `limit` durable order events of the tenant with an offset
    /// greater than `offset`, in offset order.
    async fn feed_since(
        &self,
        tenant: &str,
        offset: u64,
        limit: u32,
    ) -> Result<FeedPage, StoreError>;

    /// Records that `subject` has read the order's chat up to `seq`. A
    /// receipt never moves back and never past the chat's last message;
    /// returns the seq kept.
    async fn mark_read(
        &self,
        tenant: &str,
        order: &OrderId,
        subject: &str,
        seq: u64,
    ) -> Result<u64, StoreError>;

    /// Every participant's receipt for the order's chat, by subject.
    async fn read_receipts(
        &self,
        tenant: &str,
        order: &OrderId,
    ) -> Result<Vec<ReadReceipt>, StoreError>;

    /// The current position of each of `topics` of `tenant`, in order: the
    /// last `seq` of an `order:`/`chat:` topic, the last `offset` of the
    /// `orders` feed (0 for a tenant with none yet); `None` for a topic
    /// that does not exist. One call for many topics: the gateway's
    /// position check asks every few seconds for every topic it watches.
    async fn heads(&self, tenant: &str, topics: &[Topic]) -> Result<Vec<Option<u64>>, StoreError>;

    /// Finishes queued writes and closes (a graceful stop). Nothing to do
    /// by default.
    async fn close(&self) {}

    /// Proves the store can commit a write now (readiness asks): `Ok`, or
    /// [`StoreError::Unavailable`] with the reason, also while a write
    /// failed moments ago and none has succeeded since.
    async fn probe_write(&self) -> Result<(), StoreError>;
}
