//! Writes, each one transaction on the single writer connection: the
//! idempotency check, the state machine, the seq and offset, the event, the
//! snapshot and the idempotency record commit together or not at all.

use chrono::{DateTime, Utc};
use sqlx::{Sqlite, SqlitePool, Transaction};
use trackwire_domain::{
    new_event_id, DurableEvent, Location, Order, OrderCreated, OrderId, Topic, TopicKind,
    PAYLOAD_VERSION,
};

use super::read::{format_time, snapshot, to_i64, to_u64};
use crate::epoch::new_epoch;
use crate::types::{IdempotencyKey, Recorded, StoredEvent};
use crate::StoreError;

type Tx = Transaction<'static, Sqlite>;

pub(super) async fn create_order(
    pool: &SqlitePool,
    tenant: &str,
    id: OrderId,
    created: OrderCreated,
    idempotency: Option<IdempotencyKey>,
) -> Result<Recorded, StoreError> {
    let mut tx = pool.begin().await?;
    if let Some(done) = replay_key(&mut tx, tenant, idempotency.as_ref()).await? {
        return Ok(done);
    }
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM orders WHERE tenant = ? AND id = ?")
            .bind(tenant)
            .bind(id.as_str())
            .fetch_optional(&mut *tx)
            .await?;
    if exists.is_some() {
        return Err(StoreError::OrderExists(id));
    }
    sqlx::query("INSERT OR IGNORE INTO tenants (tenant) VALUES (?)")
        .bind(tenant)
        .execute(&mut *tx)
        .await?;
    for kind in [TopicKind::Order, TopicKind::Chat] {
        sqlx::query("INSERT INTO topics (tenant, topic, seq, epoch) VALUES (?, ?, 0, ?)")
            .bind(tenant)
            .bind(Topic::of(kind, &id).to_string())
            .bind(new_epoch())
            .execute(&mut *tx)
            .await?;
    }
    let at = now();
    let mut order = Order::create(id.clone(), &created, at);
    let event = append(
        &mut tx,
        tenant,
        &id,
        &DurableEvent::OrderCreated(created),
        at,
    )
    .await?;
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

pub(super) async fn record(
    pool: &SqlitePool,
    tenant: &str,
    id: &OrderId,
    event: DurableEvent,
    idempotency: Option<IdempotencyKey>,
) -> Result<Recorded, StoreError> {
    let mut tx = pool.begin().await?;
    if let Some(done) = replay_key(&mut tx, tenant, idempotency.as_ref()).await? {
        return Ok(done);
    }
    let current = load(&mut tx, tenant, id).await?;
    let at = now();
    let mut next = current.apply(&event, at)?;
    let stored = append(&mut tx, tenant, id, &event, at).await?;
    if event.topic_kind() == TopicKind::Order {
        next.seq = stored.seq;
        save(&mut tx, tenant, &next).await?;
    }
    finish(tx, tenant, idempotency, next, vec![stored]).await
}

pub(super) async fn observe_location(
    pool: &SqlitePool,
    tenant: &str,
    id: &OrderId,
    location: &Location,
) -> Result<Option<Order>, StoreError> {
    let mut tx = pool.begin().await?;
    let mut order = load(&mut tx, tenant, id).await?;
    if !order.observe_location(location) {
        return Ok(None);
    }
    save(&mut tx, tenant, &order).await?;
    tx.commit().await?;
    Ok(Some(order))
}

async fn load(tx: &mut Tx, tenant: &str, id: &OrderId) -> Result<Order, StoreError> {
    let row = sqlx::query("SELECT snapshot FROM orders WHERE tenant = ? AND id = ?")
        .bind(tenant)
        .bind(id.as_str())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| StoreError::OrderNotFound(id.clone()))?;
    snapshot(&row)
}

async fn save(tx: &mut Tx, tenant: &str, order: &Order) -> Result<(), StoreError> {
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
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Stores one event on its topic: this is where `seq` (and, for order
/// events, the tenant feed `offset`) is assigned.
async fn append(
    tx: &mut Tx,
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
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| StoreError::OrderNotFound(order.clone()))?;
    let offset: Option<i64> = if kind == TopicKind::Order {
        Some(
            sqlx::query_scalar(
                "UPDATE tenants SET feed_offset = feed_offset + 1 WHERE tenant = ? \
                 RETURNING feed_offset",
            )
            .bind(tenant)
            .fetch_one(&mut **tx)
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
    .execute(&mut **tx)
    .await?;
    Ok(stored)
}

/// The stored result of an earlier request with this key, if any.
async fn replay_key(
    tx: &mut Tx,
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
    .fetch_optional(&mut **tx)
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

/// Stores the idempotency record (if any) and commits.
async fn finish(
    mut tx: Tx,
    tenant: &str,
    key: Option<IdempotencyKey>,
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
    tx.commit().await?;
    Ok(recorded)
}

/// Keeps the larger of the stored receipt and `seq`, capped at the chat's
/// last message.
pub(super) async fn mark_read(
    pool: &SqlitePool,
    tenant: &str,
    id: &OrderId,
    subject: &str,
    seq: u64,
) -> Result<u64, StoreError> {
    let mut tx = pool.begin().await?;
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
    tx.commit().await?;
    Ok(to_u64(kept))
}

/// Now, at the precision the store keeps (microseconds), so an event
/// published live carries exactly the time a replay of it will.
fn now() -> DateTime<Utc> {
    use chrono::SubsecRound;
    Utc::now().trunc_subsecs(6)
}
