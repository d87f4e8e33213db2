//! The writes, one [`Operation`] per store call. Each runs inside the
//! writer's open batch transaction (see `writer.rs`), in a savepoint of its
//! own: the idempotency check, the state machine, the seq and offset, the
//! event, the snapshot and the idempotency record are stored together or
//! not at all, and nothing is answered before the batch commits.
//!
//! They run on the writer's own thread with rusqlite's cached statements
//! and never wait: each `async fn run` only wraps synchronous calls, which
//! the writer drives to completion in one poll.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use trackwire_domain::{
    new_event_id, DurableEvent, Location, Order, OrderCreated, OrderId, Topic, TopicKind,
    PAYLOAD_VERSION,
};

use super::read::format_time;
use crate::epoch::new_epoch;
use crate::group_commit::Operation;
use crate::numbers::{to_i64, to_u64};
use crate::types::{IdempotencyKey, Recorded, StoredEvent};
use crate::StoreError;

type Conn = Connection;

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
        let mut order = load(conn, &self.tenant, &self.order)?;
        if !order.observe_location(&self.location) {
            return Ok(None);
        }
        save(conn, &self.tenant, &order)?;
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
        mark_read(conn, &self.tenant, &self.order, &self.subject, self.seq)
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
        conn.prepare_cached("INSERT INTO store_probe (at, filler) VALUES (?, zeroblob(8192))")?
            .execute([format_time(now())])?;
        conn.prepare_cached("DELETE FROM store_probe")?
            .execute([])?;
        Ok(())
    }
}

fn create_order(
    tx: &Conn,
    tenant: &str,
    id: &OrderId,
    created: &OrderCreated,
    idempotency: Option<&IdempotencyKey>,
) -> Result<Recorded, StoreError> {
    if let Some(done) = replay_key(tx, tenant, idempotency)? {
        return Ok(done);
    }
    let exists = tx
        .prepare_cached("SELECT 1 FROM orders WHERE tenant = ? AND id = ?")?
        .exists(params![tenant, id.as_str()])?;
    if exists {
        return Err(StoreError::OrderExists(id.clone()));
    }
    tx.prepare_cached("INSERT OR IGNORE INTO tenants (tenant) VALUES (?)")?
        .execute([tenant])?;
    for kind in [TopicKind::Order, TopicKind::Chat] {
        tx.prepare_cached("INSERT INTO topics (tenant, topic, seq, epoch) VALUES (?, ?, 0, ?)")?
            .execute(params![
                tenant,
                Topic::of(kind, id).to_string(),
                new_epoch()
            ])?;
    }
    let at = now();
    let mut order = Order::create(id.clone(), created, at);
    let event = DurableEvent::OrderCreated(created.clone());
    let event = append(tx, tenant, id, &event, at)?;
    order.seq = event.seq;
    order.epoch = event.epoch.clone();
    tx.prepare_cached(
        "INSERT INTO orders (tenant, id, customer_id, courier_id, status, snapshot, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )?
    .execute(params![
        tenant,
        id.as_str(),
        &order.customer.id,
        order.courier.as_ref().map(|c| c.id.as_str()),
        order.status.as_str(),
        serde_json::to_string(&order)?,
        format_time(at),
    ])?;
    finish(tx, tenant, idempotency, order, vec![event])
}

fn record(
    tx: &Conn,
    tenant: &str,
    id: &OrderId,
    event: &DurableEvent,
    idempotency: Option<&IdempotencyKey>,
) -> Result<Recorded, StoreError> {
    if let Some(done) = replay_key(tx, tenant, idempotency)? {
        return Ok(done);
    }
    let current = load(tx, tenant, id)?;
    let at = now();
    let mut next = current.apply(event, at)?;
    let stored = append(tx, tenant, id, event, at)?;
    if event.topic_kind() == TopicKind::Order {
        next.seq = stored.seq;
        save(tx, tenant, &next)?;
    }
    finish(tx, tenant, idempotency, next, vec![stored])
}

fn load(tx: &Conn, tenant: &str, id: &OrderId) -> Result<Order, StoreError> {
    let json: String = tx
        .prepare_cached("SELECT snapshot FROM orders WHERE tenant = ? AND id = ?")?
        .query_row(params![tenant, id.as_str()], |row| row.get(0))
        .optional()?
        .ok_or_else(|| StoreError::OrderNotFound(id.clone()))?;
    Ok(serde_json::from_str(&json)?)
}

fn save(tx: &Conn, tenant: &str, order: &Order) -> Result<(), StoreError> {
    tx.prepare_cached(
        "UPDATE orders SET status = ?, courier_id = ?, snapshot = ?, updated_at = ? \
         WHERE tenant = ? AND id = ?",
    )?
    .execute(params![
        order.status.as_str(),
        order.courier.as_ref().map(|c| c.id.as_str()),
        serde_json::to_string(order)?,
        format_time(order.updated_at),
        tenant,
        order.id.as_str(),
    ])?;
    Ok(())
}

/// Stores one event on its topic: this is where `seq` (and, for order
/// events, the tenant feed `offset`) is assigned.
fn append(
    tx: &Conn,
    tenant: &str,
    order: &OrderId,
    event: &DurableEvent,
    at: DateTime<Utc>,
) -> Result<StoredEvent, StoreError> {
    let kind = event.topic_kind();
    let topic = Topic::of(kind, order).to_string();
    let (seq, epoch): (i64, String) = tx
        .prepare_cached(
            "UPDATE topics SET seq = seq + 1 WHERE tenant = ? AND topic = ? RETURNING seq, epoch",
        )?
        .query_row(params![tenant, &topic], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()?
        .ok_or_else(|| StoreError::OrderNotFound(order.clone()))?;
    let offset: Option<i64> = if kind == TopicKind::Order {
        Some(
            tx.prepare_cached(
                "UPDATE tenants SET feed_offset = feed_offset + 1 WHERE tenant = ? \
                 RETURNING feed_offset",
            )?
            .query_row([tenant], |row| row.get(0))?,
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
    tx.prepare_cached(
        "INSERT INTO events (tenant, topic, seq, epoch, id, feed_offset, type, version, \
         occurred_at, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )?
    .execute(params![
        tenant,
        &stored.topic,
        seq,
        &stored.epoch,
        &stored.id,
        offset,
        &stored.event_type,
        i64::from(stored.version),
        format_time(at),
        &stored.payload,
    ])?;
    Ok(stored)
}

/// The stored result of an earlier request with this key, if any.
fn replay_key(
    tx: &Conn,
    tenant: &str,
    key: Option<&IdempotencyKey>,
) -> Result<Option<Recorded>, StoreError> {
    let Some(key) = key else { return Ok(None) };
    let row: Option<(String, String)> = tx
        .prepare_cached(
            "SELECT fingerprint, response FROM idempotency_keys \
             WHERE tenant = ? AND subject = ? AND key = ?",
        )?
        .query_row(params![tenant, &key.subject, &key.key], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()?;
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
fn finish(
    tx: &Conn,
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
        tx.prepare_cached(
            "INSERT INTO idempotency_keys (tenant, subject, key, fingerprint, response, created_at) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )?
        .execute(params![
            tenant,
            &key.subject,
            &key.key,
            &key.fingerprint,
            serde_json::to_string(&recorded)?,
            format_time(Utc::now()),
        ])?;
    }
    Ok(recorded)
}

/// Keeps the larger of the stored receipt and `seq`, capped at the chat's
/// last message.
fn mark_read(
    tx: &Conn,
    tenant: &str,
    id: &OrderId,
    subject: &str,
    seq: u64,
) -> Result<u64, StoreError> {
    let head: i64 = tx
        .prepare_cached("SELECT seq FROM topics WHERE tenant = ? AND topic = ?")?
        .query_row(params![tenant, format!("chat:{id}")], |row| row.get(0))
        .optional()?
        .ok_or_else(|| StoreError::OrderNotFound(id.clone()))?;
    let wanted = to_i64(seq).min(head);
    let kept: i64 = tx
        .prepare_cached(
            "INSERT INTO chat_reads (tenant, order_id, subject, seq) VALUES (?, ?, ?, ?) \
             ON CONFLICT (tenant, order_id, subject) DO UPDATE SET seq = MAX(seq, excluded.seq) \
             RETURNING seq",
        )?
        .query_row(params![tenant, id.as_str(), subject, wanted], |row| {
            row.get(0)
        })?;
    Ok(to_u64(kept))
}

/// Now, at the precision the store keeps (microseconds), so an event
/// published live carries exactly the time a replay of it will.
fn now() -> DateTime<Utc> {
    use chrono::SubsecRound;
    Utc::now().trunc_subsecs(6)
}
