//! The writes, one [`Operation`] per store call. Each runs inside the
//! writer's open batch transaction (see `writer.rs`), in a savepoint of its
//! own: the idempotency check, the state machine, the seq and offset, the
//! event, the snapshot and the idempotency record are stored together or
//! not at all, and nothing is answered before the batch commits.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteConnection;
use trackwire_domain::{
    new_event_id, DurableEvent, Location, Order, OrderCreated, OrderId, Topic, TopicKind,
    PAYLOAD_VERSION,
};

use super::read::{format_time, snapshot};
use crate::epoch::new_epoch;
use crate::group_commit::Operation;
use crate::numbers::{to_i64, to_u64};
use crate::types::{IdempotencyKey, Recorded, StoredEvent};
use crate::StoreError;

type Conn = SqliteConnection;

pub(super) struct CreateOrder {
    pub(super) tenant: String,
    pub(super) id: OrderId,
    pub(super) created: OrderCreated,
    pub(super) key: Option<IdempotencyKey>,
}

#[async_trait]
impl Operation<Conn> for CreateOrder {
    type Output = Recorded;

    async fn run(&self, conn: &mut Conn) -> Result<Recorded, StoreError> {
        create_order(
            conn,
            &self.tenant,
            &self.id,
            &self.created,
            self.key.as_ref(),
        )
        .await
    }
}

pub(super) struct Record {
    pub(super) tenant: String,
    pub(super) order: OrderId,
    pub(super) event: DurableEvent,
    pub(super) key: Option<IdempotencyKey>,
}

#[async_trait]
impl Operation<Conn> for Record {
    type Output = Recorded;

    async fn run(&self, conn: &mut Conn) -> Result<Recorded, StoreError> {
        record(
            conn,
            &self.tenant,
            &self.order,
            &self.event,
            self.key.as_ref(),
        )
        .await
    }
}

pub(super) struct ObserveLocation {
    pub(super) tenant: String,
    pub(super) order: OrderId,
    pub(super) location: Location,
}

#[async_trait]
impl Operation<Conn> for ObserveLocation {
    type Output = Option<Order>;

    async fn run(&self, conn: &mut Conn) -> Result<Option<Order>, StoreError> {
        let mut order = load(conn, &self.tenant, &self.order).await?;
        if !order.observe_location(&self.location) {
            return Ok(None);
        }
        save(conn, &self.tenant, &order).await?;
        Ok(Some(order))
    }
}

pub(super) struct MarkRead {
    pub(super) tenant: String,
    pub(super) order: OrderId,
    pub(super) subject: String,
    pub(super) seq: u64,
}

#[async_trait]
impl Operation<Conn> for MarkRead {
    type Output = u64;

    async fn run(&self, conn: &mut Conn) -> Result<u64, StoreError> {
        mark_read(conn, &self.tenant, &self.order, &self.subject, self.seq).await
    }
}

/// Proves the store can commit a write that needs new space: a page-sized
/// row is written and removed in the batch's transaction.
pub(super) struct Probe;

#[async_trait]
impl Operation<Conn> for Probe {
    type Output = ();
    const SHOWS_RECOVERY: bool = false;

    async fn run(&self, conn: &mut Conn) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO store_probe (at, filler) VALUES (?, zeroblob(8192))")
            .bind(format_time(now()))
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM store_probe")
            .execute(&mut *conn)
            .await?;
        Ok(())
    }
}

async fn create_order(
    tx: &mut Conn,
    tenant: &str,
    id: &OrderId,
    created: &OrderCreated,
    idempotency: Option<&IdempotencyKey>,
) -> Result<Recorded, StoreError> {
    if let Some(done) = replay_key(tx, tenant, idempotency).await? {
        return Ok(done);
    }
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM orders WHERE tenant = ? AND id = ?")
            .bind(tenant)
            .bind(id.as_str())
            .fetch_optional(&mut *tx)
            .await?;
    if exists.is_some() {
        return Err(StoreError::OrderExists(id.clone()));
    }
    sqlx::query("INSERT OR IGNORE INTO tenants (tenant) VALUES (?)")
        .bind(tenant)
        .execute(&mut *tx)
        .await?;
    for kind in [TopicKind::Order, TopicKind::Chat] {
        sqlx::query("INSERT INTO topics (tenant, topic, seq, epoch) VALUES (?, ?, 0, ?)")
            .bind(tenant)
            .bind(Topic::of(kind, id).to_string())
            .bind(new_epoch())
            .execute(&mut *tx)
            .await?;
    }
    let at = now();
    let mut order = Order::create(id.clone(), created, at);
    let event = DurableEvent::OrderCreated(created.clone());
    let event = append(tx, tenant, id, &event, at).await?;
    order.seq = event.seq;
    order.epoch = event.epoch.clone();
    sqlx::query(
        "INSERT INTO orders (tenant, id, customer_id, courier_id, status, snapshot, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(tenant)
    .bind(id.as_str())
    .bind(&order.customer.id)
    .bind(order.courier.as_ref().map(|c| c.id.as_str()))
    .bind(order.status.as_str())
    .bind(serde_json::to_string(&order)?)
    .bind(format_time(at))
    .execute(&mut *tx)
    .await?;
    finish(tx, tenant, idempotency, order, vec![event]).await
}

async fn record(
    tx: &mut Conn,
    tenant: &str,
    id: &OrderId,
    event: &DurableEvent,
    idempotency: Option<&IdempotencyKey>,
) -> Result<Recorded, StoreError> {
    if let Some(done) = replay_key(tx, tenant, idempotency).await? {
        return Ok(done);
    }
    let current = load(tx, tenant, id).await?;
    let at = now();
    let mut next = current.apply(event, at)?;
    let stored = append(tx, tenant, id, event, at).await?;
    if event.topic_kind() == TopicKind::Order {
        next.seq = stored.seq;
        save(tx, tenant, &next).await?;
    }
    finish(tx, tenant, idempotency, next, vec![stored]).await
}

async fn load(tx: &mut Conn, tenant: &str, id: &OrderId) -> Result<Order, StoreError> {
    let row = sqlx::query("SELECT snapshot FROM orders WHERE tenant = ? AND id = ?")
        .bind(tenant)
        .bind(id.as_str())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::OrderNotFound(id.clone()))?;
    snapshot(&row)
}

async fn save(tx: &mut Conn, tenant: &str, order: &Order) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE orders SET status = ?, courier_id = ?, snapshot = ?, updated_at = ? \
         WHERE tenant = ? AND id = ?",
    )
    .bind(order.status.as_str())
    .bind(order.courier.as_ref().map(|c| c.id.as_str()))
    .bind(serde_json::to_string(order)?)
    .bind(format_time(order.updated_at))
    .bind(tenant)
    .bind(order.id.as_str())
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Stores one event on its topic: this is where `seq` (and, for order
/// events, the tenant feed `offset`) is assigned.
async fn append(
    tx: &mut Conn,
    tenant: &str,
    order: &OrderId,
    event: &DurableEvent,
    at: DateTime<Utc>,
) -> Result<StoredEvent, StoreError> {
    let kind = event.topic_kind();
    let topic = Topic::of(kind, order).to_string();
    let (seq, epoch): (i64, String) = sqlx::query_as(
        "UPDATE topics SET seq = seq + 1 WHERE tenant = ? AND topic = ? RETURNING seq, epoch",
    )
    .bind(tenant)
    .bind(&topic)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| StoreError::OrderNotFound(order.clone()))?;
    let offset: Option<i64> = if kind == TopicKind::Order {
        Some(
            sqlx::query_scalar(
                "UPDATE tenants SET feed_offset = feed_offset + 1 WHERE tenant = ? \
                 RETURNING feed_offset",
            )
            .bind(tenant)
            .fetch_one(&mut *tx)
            .await?,
        )
    } else {
        None
    };
    let stored = StoredEvent {
        id: new_event_id(),
        topic,
        seq: to_u64(seq),
        epoch,
        offset: offset.map(to_u64),
        event_type: event.event_type().to_owned(),
        version: PAYLOAD_VERSION,
        occurred_at: at,
        payload: event.payload_json(),
    };
    sqlx::query(
        "INSERT INTO events (tenant, topic, seq, epoch, id, feed_offset, type, version, \
         occurred_at, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(tenant)
    .bind(&stored.topic)
    .bind(seq)
    .bind(&stored.epoch)
    .bind(&stored.id)
    .bind(offset)
    .bind(&stored.event_type)
    .bind(i64::from(stored.version))
    .bind(format_time(at))
    .bind(&stored.payload)
    .execute(&mut *tx)
    .await?;
    Ok(stored)
}

/// The stored result of an earlier request with this key, if any.
async fn replay_key(
    tx: &mut Conn,
    tenant: &str,
    key: Option<&IdempotencyKey>,
) -> Result<Option<Recorded>, StoreError> {
    let Some(key) = key else { return Ok(None) };
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT fingerprint, response FROM idempotency_keys \
         WHERE tenant = ? AND subject = ? AND key = ?",
    )
    .bind(tenant)
    .bind(&key.subject)
    .bind(&key.key)
    .fetch_optional(&mut *tx)
    .await?;
    match row {
        None => Ok(None),
        Some((fingerprint, _)) if fingerprint != key.fingerprint => {
            Err(StoreError::IdempotencyConflict)
        }
        Some((_, response)) => {
            let mut recorded: Recorded = serde_json::from_str(&response)?;
            recorded.replayed = true;
            Ok(Some(recorded))
        }
    }
}

/// Stores the idempotency record (if any); the writer commits.
async fn finish(
    tx: &mut Conn,
    tenant: &str,
    key: Option<&IdempotencyKey>,
    order: Order,
    events: Vec<StoredEvent>,
) -> Result<Recorded, StoreError> {
    let recorded = Recorded {
        order,
        events,
        replayed: false,
    };
    if let Some(key) = key {
        sqlx::query(
            "INSERT INTO idempotency_keys (tenant, subject, key, fingerprint, response, created_at) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(tenant)
        .bind(&key.subject)
        .bind(&key.key)
        .bind(&key.fingerprint)
        .bind(serde_json::to_string(&recorded)?)
        .bind(format_time(Utc::now()))
        .execute(&mut *tx)
        .await?;
    }
    Ok(recorded)
}

/// Keeps the larger of the stored receipt and `seq`, capped at the chat's
/// last message.
async fn mark_read(
    tx: &mut Conn,
    tenant: &str,
    id: &OrderId,
    subject: &str,
    seq: u64,
) -> Result<u64, StoreError> {
    let head: i64 = sqlx::query_scalar("SELECT seq FROM topics WHERE tenant = ? AND topic = ?")
        .bind(tenant)
        .bind(format!("chat:{id}"))
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::OrderNotFound(id.clone()))?;
    let wanted = to_i64(seq).min(head);
    let kept: i64 = sqlx::query_scalar(
        "INSERT INTO chat_reads (tenant, order_id, subject, seq) VALUES (?, ?, ?, ?) \
         ON CONFLICT (tenant, order_id, subject) DO UPDATE SET seq = MAX(seq, excluded.seq) \
         RETURNING seq",
    )
    .bind(tenant)
    .bind(id.as_str())
    .bind(subject)
    .bind(wanted)
    .fetch_one(&mut *tx)
    .await?;
    Ok(to_u64(kept))
}

/// Now, at the precision the store keeps (microseconds), so an event
/// published live carries exactly the time a replay of it will.
fn now() -> DateTime<Utc> {
    use chrono::SubsecRound;
    Utc::now().trunc_subsecs(6)
}
