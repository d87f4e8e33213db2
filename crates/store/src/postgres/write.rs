//! The writes, one [`Operation`] per store call, each run inside the
//! writer's batch ([`Batch`]): it claims its idempotency key, takes the
//! order's lock, runs the state machine and numbers its event; the batch
//! writes it all at its end, and nothing is answered before the commit.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use trackwire_domain::{
    new_event_id, DurableEvent, Location, Order, OrderCreated, OrderId, Topic, TopicKind,
    PAYLOAD_VERSION,
};

use super::batch::{next_seq, Batch, Claim, Head, Held};
use crate::epoch::new_epoch;
use crate::group_commit::Operation;
use crate::numbers::{to_i64, to_u64};
use crate::types::{IdempotencyKey, Recorded, StoredEvent};
use crate::StoreError;

pub(super) struct CreateOrder {
    pub(super) tenant: String,
    pub(super) id: OrderId,
    pub(super) created: OrderCreated,
    pub(super) key: Option<IdempotencyKey>,
}

#[async_trait]
impl Operation<Batch> for CreateOrder {
    type Output = Recorded;

    async fn run(&self, batch: &mut Batch) -> Result<Recorded, StoreError> {
        let key = self.key.as_ref();
        if let Some(done) = claim(batch, &self.tenant, key).await? {
            return Ok(done);
        }
        let result = create_order(batch, &self.tenant, &self.id, &self.created).await;
        settle_claim(batch, &self.tenant, key, result).await
    }

    fn complete(&self, output: &mut Recorded, batch: &mut Batch) -> Result<(), StoreError> {
        batch.complete(&self.tenant, self.key.as_ref(), output)
    }
}

pub(super) struct Record {
    pub(super) tenant: String,
    pub(super) order: OrderId,
    pub(super) event: DurableEvent,
    pub(super) key: Option<IdempotencyKey>,
}

#[async_trait]
impl Operation<Batch> for Record {
    type Output = Recorded;

    async fn run(&self, batch: &mut Batch) -> Result<Recorded, StoreError> {
        let key = self.key.as_ref();
        if let Some(done) = claim(batch, &self.tenant, key).await? {
            return Ok(done);
        }
        let result = record(batch, &self.tenant, &self.order, &self.event).await;
        settle_claim(batch, &self.tenant, key, result).await
    }

    fn order(&self) -> Option<(&str, &OrderId)> {
        Some((&self.tenant, &self.order))
    }

    fn complete(&self, output: &mut Recorded, batch: &mut Batch) -> Result<(), StoreError> {
        batch.complete(&self.tenant, self.key.as_ref(), output)
    }
}

pub(super) struct ObserveLocation {
    pub(super) tenant: String,
    pub(super) order: OrderId,
    pub(super) location: Location,
}

#[async_trait]
impl Operation<Batch> for ObserveLocation {
    type Output = Option<Order>;

    fn order(&self) -> Option<(&str, &OrderId)> {
        Some((&self.tenant, &self.order))
    }

    async fn run(&self, batch: &mut Batch) -> Result<Option<Order>, StoreError> {
        let held = batch.hold(&self.tenant, &self.order).await?;
        let mut order = held.order.clone();
        if !order.observe_location(&self.location) {
            return Ok(None);
        }
        held.order = order.clone();
        held.dirty = true;
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
impl Operation<Batch> for MarkRead {
    type Output = u64;

    async fn run(&self, batch: &mut Batch) -> Result<u64, StoreError> {
        let head = batch
            .chat_head(&self.tenant, &self.order)
            .await?
            .ok_or_else(|| StoreError::OrderNotFound(self.order.clone()))?;
        let wanted = to_i64(self.seq).min(head);
        let kept: i64 = sqlx::query_scalar(
            "INSERT INTO chat_reads (tenant, order_id, subject, seq) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (tenant, order_id, subject) \
             DO UPDATE SET seq = GREATEST(chat_reads.seq, EXCLUDED.seq) RETURNING seq",
        )
        .bind(&self.tenant)
        .bind(self.order.as_str())
        .bind(&self.subject)
        .bind(wanted)
        .fetch_one(batch.conn())
        .await?;
        Ok(to_u64(kept))
    }
}

/// Proves the store can commit a write (readiness asks).
pub(super) struct Probe;

#[async_trait]
impl Operation<Batch> for Probe {
    type Output = ();
    const SHOWS_RECOVERY: bool = false;

    async fn run(&self, batch: &mut Batch) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO store_probe (id, at) VALUES (1, now()) \
             ON CONFLICT (id) DO UPDATE SET at = EXCLUDED.at",
        )
        .execute(batch.conn())
        .await?;
        Ok(())
    }
}

/// Claims the write's idempotency key, if it has one: `Some` is the
/// result of an earlier request with the key, to answer with.
async fn claim(
    batch: &mut Batch,
    tenant: &str,
    key: Option<&IdempotencyKey>,
) -> Result<Option<Recorded>, StoreError> {
    let Some(key) = key else { return Ok(None) };
    match batch.claim(tenant, key).await? {
        Claim::Done(recorded) => Ok(Some(*recorded)),
        Claim::Mine => Ok(None),
    }
}

/// After the write under a claimed key: its result is the key's, or a
/// refusal leaves the key free.
async fn settle_claim(
    batch: &mut Batch,
    tenant: &str,
    key: Option<&IdempotencyKey>,
    result: Result<Recorded, StoreError>,
) -> Result<Recorded, StoreError> {
    let Some(key) = key else { return result };
    match result {
        Ok(recorded) => {
            batch.claimed_result(tenant, key, &recorded);
            Ok(recorded)
        }
        Err(refused) if refused.is_refusal() => {
            batch.release(tenant, key).await?;
            Err(refused)
        }
        Err(failed) => Err(failed),
    }
}

async fn create_order(
    batch: &mut Batch,
    tenant: &str,
    id: &OrderId,
    created: &OrderCreated,
) -> Result<Recorded, StoreError> {
    let at = now();
    let mut order = Order::create(id.clone(), created, at);
    let (order_epoch, chat_epoch) = (new_epoch(), new_epoch());
    order.seq = 1;
    order.epoch = order_epoch.clone();
    // The row is the order's lock from here on; a concurrent creation of
    // the same id (another node's open batch) is waited for, then refused.
    // Its heads start at 0 and move on with the batch's end.
    let inserted = sqlx::query(
        "INSERT INTO orders (tenant, id, customer_id, courier_id, status, snapshot, updated_at, \
         order_epoch, chat_epoch) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (tenant, id) DO NOTHING RETURNING pos",
    )
    .bind(tenant)
    .bind(id.as_str())
    .bind(&order.customer.id)
    .bind(order.courier.as_ref().map(|c| c.id.as_str()))
    .bind(order.status.as_str())
    .bind(serde_json::to_string(&order)?)
    .bind(at)
    .bind(&order_epoch)
    .bind(&chat_epoch)
    .fetch_optional(batch.conn())
    .await?;
    if inserted.is_none() {
        return Err(StoreError::OrderExists(id.clone()));
    }
    let mut held = Held {
        order: order.clone(),
        order_topic: Head::new(0, order_epoch),
        chat_topic: Head::new(0, chat_epoch),
        dirty: false,
    };
    let event = DurableEvent::OrderCreated(created.clone());
    let stored = number(&mut held, id, &event, at);
    batch.hold_new(tenant, held);
    batch.append(tenant, stored.clone());
    Ok(Recorded {
        order,
        events: vec![stored],
        replayed: false,
    })
}

async fn record(
    batch: &mut Batch,
    tenant: &str,
    id: &OrderId,
    event: &DurableEvent,
) -> Result<Recorded, StoreError> {
    let held = batch.hold(tenant, id).await?;
    let at = now();
    let mut next = held.order.apply(event, at)?;
    let stored = number(held, id, event, at);
    if event.topic_kind() == TopicKind::Order {
        next.seq = stored.seq;
        held.order = next.clone();
        held.dirty = true;
    }
    batch.append(tenant, stored.clone());
    Ok(Recorded {
        order: next,
        events: vec![stored],
        replayed: false,
    })
}

/// Numbers one event on its topic: this is where `seq` is assigned on
/// PostgreSQL (under the order's lock); the tenant feed `offset` follows
/// at the end of the batch.
fn number(held: &mut Held, id: &OrderId, event: &DurableEvent, at: DateTime<Utc>) -> StoredEvent {
    let kind = event.topic_kind();
    let (seq, epoch) = next_seq(held.head_mut(kind));
    StoredEvent {
        id: new_event_id(),
        topic: Topic::of(kind, id).to_string(),
        seq: to_u64(seq),
        epoch,
        offset: None,
        event_type: event.event_type().to_owned(),
        version: PAYLOAD_VERSION,
        occurred_at: at,
        payload: event.payload_json(),
    }
}

/// Now, at the precision the store keeps (microseconds), so an event
/// published live carries exactly the time a replay of it will.
fn now() -> DateTime<Utc> {
    use chrono::SubsecRound;
    Utc::now().trunc_subsecs(6)
}
