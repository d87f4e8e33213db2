//! One write batch on PostgreSQL: the transaction every write of the batch
//! runs in, and what they leave for its end.
//!
//! Locks, in the order every writer takes them (so that writers on many
//! nodes never wait on each other in a circle):
//!
//! 1. **The order's row** (`orders … FOR UPDATE`), the first time a write
//!    of the batch touches the order. The row holds the order's snapshot
//!    and the heads (seq, epoch) of its two topics, and every write to an
//!    order takes it: they are read and moved by one writer at a time,
//!    cluster-wide, read once per batch, kept here, and written back in
//!    one update per order at the end.
//! 2. **The tenant's feed row**, only at the end ([`Batch::flush`]): the
//!    offsets of all the batch's order events are taken in one statement,
//!    and the row stays locked only until the commit. Several events per
//!    transaction, and the tenant-wide lock for the commit alone: that is
//!    what lets one tenant write from many nodes at once.
//!
//! The events themselves and the orders' rows are written at the end
//! too, one statement each for the whole batch. A write that is
//! refused (not found, an invalid transition) is refused before it wrote
//! anything, so no savepoint is needed.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};
use trackwire_domain::{Order, OrderId, TopicKind};

use crate::numbers::{to_i64, to_u64};
use crate::types::{IdempotencyKey, Recorded, StoredEvent};
use crate::StoreError;

/// An order this batch holds the lock of: its snapshot and topic heads as
/// the batch left them so far.
pub(super) struct Held {
    pub(super) order: Order,
    pub(super) order_topic: Head,
    pub(super) chat_topic: Head,
    /// The snapshot changed: written at the end.
    pub(super) dirty: bool,
}

pub(super) struct Head {
    pub(super) seq: i64,
    pub(super) epoch: String,
    changed: bool,
}

impl Head {
    pub(super) fn new(seq: i64, epoch: String) -> Self {
        Self {
            seq,
            epoch,
            changed: false,
        }
    }
}

impl Held {
    pub(super) fn head_mut(&mut self, kind: TopicKind) -> &mut Head {
        match kind {
            TopicKind::Order => &mut self.order_topic,
            TopicKind::Chat => &mut self.chat_topic,
        }
    }
}

/// What an idempotency key's claim found.
pub(super) enum Claim {
    /// The key is this write's now; its result is stored at the end.
    Mine,
    /// An earlier request with the key (this batch's or a committed one)
    /// produced this result.
    Done(Box<Recorded>),
}

type KeyId = (String, String, String);

pub(super) struct Batch {
    conn: PgConnection,
    held: HashMap<(String, OrderId), Held>,
    /// Events to insert at the end, in the order they were recorded.
    events: Vec<(String, StoredEvent)>,
    /// Keys claimed in this batch: the fingerprint and, once the write
    /// ran, its result (a second request with the key in the same batch
    /// is answered from it).
    claims: HashMap<KeyId, (String, Option<Recorded>)>,
    /// Offsets given out at the end, by event id.
    offsets: HashMap<String, u64>,
    /// Results to store with their keys, filled in by `complete`.
    responses: Vec<(KeyId, String)>,
}

impl Batch {
    pub(super) fn new(conn: PgConnection) -> Self {
        Self {
            conn,
            held: HashMap::new(),
            events: Vec::new(),
            claims: HashMap::new(),
            offsets: HashMap::new(),
            responses: Vec::new(),
        }
    }

    pub(super) fn into_connection(self) -> PgConnection {
        self.conn
    }

    pub(super) fn conn(&mut self) -> &mut PgConnection {
        &mut self.conn
    }

    /// The order, locked for the rest of the transaction.
    pub(super) async fn hold(
        &mut self,
        tenant: &str,
        id: &OrderId,
    ) -> Result<&mut Held, StoreError> {
        let key = (tenant.to_owned(), id.clone());
        if !self.held.contains_key(&key) {
            let held = lock_order(&mut self.conn, tenant, id).await?;
            self.held.insert(key.clone(), held);
        }
        self.held
            .get_mut(&key)
            .ok_or_else(|| StoreError::OrderNotFound(id.clone()))
    }

    /// Locks every order of `orders` the batch does not hold yet, in one
    /// statement and in (tenant, id) order: two batches that want some of
    /// the same orders take them in the same order, and never wait on
    /// each other in a circle. Orders that do not exist are skipped (the
    /// write that names one is refused when it runs).
    pub(super) async fn hold_all(&mut self, orders: &[(&str, &OrderId)]) -> Result<(), StoreError> {
        let (mut tenants, mut ids) = (Vec::new(), Vec::new());
        for (tenant, id) in orders {
            if !self
                .held
                .contains_key(&((*tenant).to_owned(), (*id).clone()))
            {
                tenants.push(*tenant);
                ids.push(id.as_str());
            }
        }
        if tenants.is_empty() {
            return Ok(());
        }
        // Driven by the list itself, joined on whole keys: with a plan
        // that does not know the list (a generic one), the tenant alone
        // would match every order of the tenant.
        let rows = sqlx::query(&format!(
            "SELECT {HELD_COLUMNS} \
             FROM (SELECT DISTINCT * FROM unnest($1::text[], $2::text[])) AS k(tenant, id) \
             JOIN orders o ON o.tenant = k.tenant AND o.id = k.id \
             ORDER BY o.tenant, o.id FOR UPDATE OF o"
        ))
        .bind(&tenants)
        .bind(&ids)
        .fetch_all(&mut self.conn)
        .await?;
        for row in &rows {
            let tenant: String = row.try_get("tenant")?;
            let id: String = row.try_get("id")?;
            let id = OrderId::parse(&id)
                .map_err(|_| StoreError::Corrupt(format!("a stored order id '{id}'")))?;
            let held = held_from(row)?;
            self.held.insert((tenant, id), held);
        }
        Ok(())
    }

    /// A new order's lock: its rows were just inserted by this batch.
    pub(super) fn hold_new(&mut self, tenant: &str, held: Held) {
        self.held
            .insert((tenant.to_owned(), held.order.id.clone()), held);
    }

    /// The chat's last seq as this batch sees it (without taking the
    /// order's lock when the batch does not hold it already).
    pub(super) async fn chat_head(
        &mut self,
        tenant: &str,
        id: &OrderId,
    ) -> Result<Option<i64>, StoreError> {
        if let Some(held) = self.held.get(&(tenant.to_owned(), id.clone())) {
            return Ok(Some(held.chat_topic.seq));
        }
        let head: Option<i64> =
            sqlx::query_scalar("SELECT chat_seq FROM orders WHERE tenant = $1 AND id = $2")
                .bind(tenant)
                .bind(id.as_str())
                .fetch_optional(&mut self.conn)
                .await?;
        Ok(head)
    }

    /// Keeps a numbered event (see [`next_seq`]) for the end, where its
    /// offset is assigned and it is inserted.
    pub(super) fn append(&mut self, tenant: &str, event: StoredEvent) {
        self.events.push((tenant.to_owned(), event));
    }

    /// Claims `key` for this write: the first request with it goes on; a
    /// later one gets the first one's result, or a conflict when the
    /// request differs. A claim held by another node's open batch is
    /// waited for.
    pub(super) async fn claim(
        &mut self,
        tenant: &str,
        key: &IdempotencyKey,
    ) -> Result<Claim, StoreError> {
        let id = key_id(tenant, key);
        if let Some((fingerprint, result)) = self.claims.get(&id) {
            if *fingerprint != key.fingerprint {
                return Err(StoreError::IdempotencyConflict);
            }
            return match result {
                Some(recorded) => Ok(Claim::Done(Box::new(replayed(recorded.clone())))),
                // The first write with the key has not finished: it is
                // still running (cannot happen: writes run one by one).
                None => Err(StoreError::Contention("the key is in use".into())),
            };
        }
        let claimed = sqlx::query(
            "INSERT INTO idempotency_keys (tenant, subject, key, fingerprint) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING 1",
        )
        .bind(tenant)
        .bind(&key.subject)
        .bind(&key.key)
        .bind(&key.fingerprint)
        .fetch_optional(&mut self.conn)
        .await?;
        if claimed.is_some() {
            self.claims.insert(id, (key.fingerprint.clone(), None));
            return Ok(Claim::Mine);
        }
        // Another request's, committed (an open one was waited for).
        let row = sqlx::query(
            "SELECT fingerprint, response FROM idempotency_keys \
             WHERE tenant = $1 AND subject = $2 AND key = $3",
        )
        .bind(tenant)
        .bind(&key.subject)
        .bind(&key.key)
        .fetch_one(&mut self.conn)
        .await?;
        let fingerprint: String = row.try_get("fingerprint")?;
        let response: Option<String> = row.try_get("response")?;
        if fingerprint != key.fingerprint {
            return Err(StoreError::IdempotencyConflict);
        }
        let response = response
            .ok_or_else(|| StoreError::Corrupt("an idempotency key without its result".into()))?;
        Ok(Claim::Done(Box::new(replayed(serde_json::from_str(
            &response,
        )?))))
    }

    /// The write that claimed `key` ran: later requests with the key in
    /// this batch get `recorded`.
    pub(super) fn claimed_result(
        &mut self,
        tenant: &str,
        key: &IdempotencyKey,
        recorded: &Recorded,
    ) {
        if let Some(claim) = self.claims.get_mut(&key_id(tenant, key)) {
            claim.1 = Some(recorded.clone());
        }
    }

    /// The write that claimed `key` was refused: the key stays free.
    pub(super) async fn release(
        &mut self,
        tenant: &str,
        key: &IdempotencyKey,
    ) -> Result<(), StoreError> {
        self.claims.remove(&key_id(tenant, key));
        sqlx::query("DELETE FROM idempotency_keys WHERE tenant = $1 AND subject = $2 AND key = $3")
            .bind(tenant)
            .bind(&key.subject)
            .bind(&key.key)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    /// Fills in the offsets assigned at the end, and keeps the result to
    /// store with the write's key, if any.
    pub(super) fn complete(
        &mut self,
        tenant: &str,
        key: Option<&IdempotencyKey>,
        recorded: &mut Recorded,
    ) -> Result<(), StoreError> {
        for event in &mut recorded.events {
            if event.offset.is_none() {
                event.offset = self.offsets.get(&event.id).copied();
            }
        }
        if let Some(key) = key {
            if !recorded.replayed {
                let response = serde_json::to_string(&*recorded)?;
                self.responses.push((key_id(tenant, key), response));
            }
        }
        Ok(())
    }

    /// The end of the batch, before its writes complete: takes each
    /// tenant's offsets for its order events, in the order they were
    /// recorded.
    pub(super) async fn assign_offsets(&mut self) -> Result<(), StoreError> {
        let mut wanted: BTreeMap<&str, i64> = BTreeMap::new();
        for (tenant, event) in &self.events {
            if is_order_topic(&event.topic) {
                *wanted.entry(tenant.as_str()).or_default() += 1;
            }
        }
        if wanted.is_empty() {
            return Ok(());
        }
        // Sorted by tenant: two batches lock their tenants in one order.
        let (tenants, counts): (Vec<&str>, Vec<i64>) = wanted.into_iter().unzip();
        let rows = sqlx::query(
            "INSERT INTO tenants (tenant, feed_offset) \
             SELECT * FROM unnest($1::text[], $2::bigint[]) ORDER BY 1 \
             ON CONFLICT (tenant) DO UPDATE SET feed_offset = tenants.feed_offset + EXCLUDED.feed_offset \
             RETURNING tenant, feed_offset",
        )
        .bind(&tenants)
        .bind(&counts)
        .fetch_all(&mut self.conn)
        .await?;
        let mut next: HashMap<String, u64> = HashMap::new();
        for row in &rows {
            let tenant: String = row.try_get("tenant")?;
            let last: i64 = row.try_get("feed_offset")?;
            next.insert(tenant, to_u64(last));
        }
        // `next` holds each tenant's last offset; count down from the
        // batch's last event.
        for (tenant, event) in self.events.iter_mut().rev() {
            if !is_order_topic(&event.topic) {
                continue;
            }
            let Some(last) = next.get_mut(tenant.as_str()) else {
                continue;
            };
            event.offset = Some(*last);
            self.offsets.insert(event.id.clone(), *last);
            *last -= 1;
        }
        Ok(())
    }

    /// Writes what the batch kept for the end: the new seqs, the
    /// snapshots, the events and the keys' results. The commit follows.
    pub(super) async fn flush(&mut self) -> Result<(), StoreError> {
        self.write_orders().await?;
        self.write_events().await?;
        self.write_responses().await
    }

    /// The orders the batch changed, one row each: their topics' new
    /// heads and, where it changed, the snapshot.
    async fn write_orders(&mut self) -> Result<(), StoreError> {
        let mut rows = OrderRows::default();
        for ((tenant, _), held) in &self.held {
            if held.dirty || held.order_topic.changed || held.chat_topic.changed {
                rows.push(tenant, held)?;
            }
        }
        if rows.tenants.is_empty() {
            return Ok(());
        }
        // A row whose snapshot did not change keeps its columns (`dirty`
        // false): only its heads moved.
        sqlx::query(
            "UPDATE orders o SET order_seq = d.order_seq, chat_seq = d.chat_seq, \
             status = CASE WHEN d.dirty THEN d.status ELSE o.status END, \
             courier_id = CASE WHEN d.dirty THEN d.courier ELSE o.courier_id END, \
             snapshot = CASE WHEN d.dirty THEN d.snapshot ELSE o.snapshot END, \
             updated_at = CASE WHEN d.dirty THEN d.updated_at ELSE o.updated_at END \
             FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bool[], \
                         $6::text[], $7::text[], $8::text[], $9::timestamptz[]) \
                  AS d(tenant, id, order_seq, chat_seq, dirty, status, courier, snapshot, updated_at) \
             WHERE o.tenant = d.tenant AND o.id = d.id",
        )
        .bind(&rows.tenants)
        .bind(&rows.ids)
        .bind(&rows.order_seqs)
        .bind(&rows.chat_seqs)
        .bind(&rows.dirty)
        .bind(&rows.statuses)
        .bind(&rows.couriers)
        .bind(&rows.snapshots)
        .bind(&rows.updated)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn write_events(&mut self) -> Result<(), StoreError> {
        if self.events.is_empty() {
            return Ok(());
        }
        let mut rows = EventRows::default();
        for (tenant, event) in &self.events {
            rows.push(tenant, event);
        }
        sqlx::query(
            "INSERT INTO events (tenant, topic, seq, epoch, id, feed_offset, type, version, \
             occurred_at, payload) \
             SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], \
                                  $6::bigint[], $7::text[], $8::int[], $9::timestamptz[], $10::text[])",
        )
        .bind(&rows.tenants)
        .bind(&rows.topics)
        .bind(&rows.seqs)
        .bind(&rows.epochs)
        .bind(&rows.ids)
        .bind(&rows.offsets)
        .bind(&rows.types)
        .bind(&rows.versions)
        .bind(&rows.occurred)
        .bind(&rows.payloads)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn write_responses(&mut self) -> Result<(), StoreError> {
        if self.responses.is_empty() {
            return Ok(());
        }
        let (mut tenants, mut subjects, mut keys, mut responses) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for ((tenant, subject, key), response) in &self.responses {
            tenants.push(tenant.as_str());
            subjects.push(subject.as_str());
            keys.push(key.as_str());
            responses.push(response.as_str());
        }
        sqlx::query(
            "UPDATE idempotency_keys k SET response = d.response \
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) \
                  AS d(tenant, subject, key, response) \
             WHERE k.tenant = d.tenant AND k.subject = d.subject AND k.key = d.key",
        )
        .bind(&tenants)
        .bind(&subjects)
        .bind(&keys)
        .bind(&responses)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }
}

/// Moves the topic's head one on and marks it for the end.
pub(super) fn next_seq(head: &mut Head) -> (i64, String) {
    head.seq += 1;
    head.changed = true;
    (head.seq, head.epoch.clone())
}

/// What a batch reads of an order it locks: the snapshot and its two
/// topics' heads, all on the order's row.
const HELD_COLUMNS: &str = "o.tenant, o.id, o.snapshot, o.order_seq, o.order_epoch, \
                            o.chat_seq, o.chat_epoch";

async fn lock_order(
    conn: &mut PgConnection,
    tenant: &str,
    id: &OrderId,
) -> Result<Held, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {HELD_COLUMNS} FROM orders o WHERE o.tenant = $1 AND o.id = $2 FOR UPDATE"
    ))
    .bind(tenant)
    .bind(id.as_str())
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::OrderNotFound(id.clone()))?;
    held_from(&row)
}

/// An order's lock from its row of a locking read.
fn held_from(row: &PgRow) -> Result<Held, StoreError> {
    let order: Order = serde_json::from_str(&row.try_get::<String, _>("snapshot")?)?;
    Ok(Held {
        order,
        order_topic: Head::new(row.try_get("order_seq")?, row.try_get("order_epoch")?),
        chat_topic: Head::new(row.try_get("chat_seq")?, row.try_get("chat_epoch")?),
        dirty: false,
    })
}

fn key_id(tenant: &str, key: &IdempotencyKey) -> KeyId {
    (tenant.to_owned(), key.subject.clone(), key.key.clone())
}

fn replayed(mut recorded: Recorded) -> Recorded {
    recorded.replayed = true;
    recorded
}

fn is_order_topic(topic: &str) -> bool {
    topic.starts_with("order:")
}

#[derive(Default)]
struct OrderRows {
    tenants: Vec<String>,
    ids: Vec<String>,
    order_seqs: Vec<i64>,
    chat_seqs: Vec<i64>,
    dirty: Vec<bool>,
    statuses: Vec<&'static str>,
    couriers: Vec<Option<String>>,
    snapshots: Vec<Option<String>>,
    updated: Vec<DateTime<Utc>>,
}

impl OrderRows {
    fn push(&mut self, tenant: &str, held: &Held) -> Result<(), StoreError> {
        let order = &held.order;
        self.tenants.push(tenant.to_owned());
        self.ids.push(order.id.as_str().to_owned());
        self.order_seqs.push(held.order_topic.seq);
        self.chat_seqs.push(held.chat_topic.seq);
        self.dirty.push(held.dirty);
        self.statuses.push(order.status.as_str());
        self.couriers
            .push(order.courier.as_ref().map(|c| c.id.clone()));
        // Serialized only when it changed.
        self.snapshots.push(
            held.dirty
                .then(|| serde_json::to_string(order))
                .transpose()?,
        );
        self.updated.push(order.updated_at);
        Ok(())
    }
}

#[derive(Default)]
struct EventRows<'a> {
    tenants: Vec<&'a str>,
    topics: Vec<&'a str>,
    seqs: Vec<i64>,
    epochs: Vec<&'a str>,
    ids: Vec<&'a str>,
    offsets: Vec<Option<i64>>,
    types: Vec<&'a str>,
    versions: Vec<i32>,
    occurred: Vec<DateTime<Utc>>,
    payloads: Vec<&'a str>,
}

impl<'a> EventRows<'a> {
    fn push(&mut self, tenant: &'a str, event: &'a StoredEvent) {
        self.tenants.push(tenant);
        self.topics.push(&event.topic);
        self.seqs.push(to_i64(event.seq));
        self.epochs.push(&event.epoch);
        self.ids.push(&event.id);
        self.offsets.push(event.offset.map(to_i64));
        self.types.push(&event.event_type);
        self.versions
            .push(i32::try_from(event.version).unwrap_or(i32::MAX));
        self.occurred.push(event.occurred_at);
        self.payloads.push(&event.payload);
    }
}
