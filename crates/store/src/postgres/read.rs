//! Reads, on the pool. Each read that must be consistent with a position
//! (history and its head, the feed and its offset) is one statement, so
//! it sees one snapshot of the database.

use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};
use trackwire_domain::{Order, OrderId, Topic};

use crate::numbers::{to_i64, to_u64};
use crate::types::{
    FeedPage, History, OrderFilter, OrderPage, PageRequest, ReadReceipt, StoredEvent,
};
use crate::{list, StoreError};

const EVENT_COLUMNS: &str = "e.id, e.topic, e.seq, e.epoch, e.feed_offset, e.type, e.version, \
                             e.occurred_at, e.payload";

pub(super) async fn order(
    pool: &PgPool,
    tenant: &str,
    id: &OrderId,
) -> Result<Option<Order>, StoreError> {
    let snapshot: Option<String> =
        sqlx::query_scalar("SELECT snapshot FROM orders WHERE tenant = $1 AND id = $2")
            .bind(tenant)
            .bind(id.as_str())
            .fetch_optional(pool)
            .await?;
    snapshot
        .map(|json| serde_json::from_str(&json).map_err(StoreError::from))
        .transpose()
}

pub(super) async fn list_orders(
    pool: &PgPool,
    tenant: &str,
    filter: &OrderFilter,
    page: &PageRequest,
) -> Result<OrderPage, StoreError> {
    let rows = list::query(tenant, filter, page)?
        .build()
        .fetch_all(pool)
        .await?;
    list::page(&rows, page, |row| {
        Ok((
            row.try_get("pos")?,
            serde_json::from_str(&row.try_get::<String, _>("snapshot")?)?,
        ))
    })
}

pub(super) async fn replay_since(
    pool: &PgPool,
    tenant: &str,
    topic: &Topic,
    since: u64,
    limit: u32,
) -> Result<History, StoreError> {
    let Some(order_id) = topic.order_id() else {
        return Err(StoreError::NoHistory(topic.to_string()));
    };
    // The topic's head lives on its order's row.
    let (seq, epoch) = match topic {
        Topic::Chat(_) => ("chat_seq", "chat_epoch"),
        _ => ("order_seq", "order_epoch"),
    };
    let rows = sqlx::query(&format!(
        "SELECT o.{seq} AS head, o.{epoch} AS head_epoch, {EVENT_COLUMNS} FROM orders o \
         LEFT JOIN LATERAL (SELECT * FROM events WHERE tenant = o.tenant AND topic = $3 \
                            AND seq > $4 ORDER BY seq LIMIT $5) e ON true \
         WHERE o.tenant = $1 AND o.id = $2 ORDER BY e.seq"
    ))
    .bind(tenant)
    .bind(order_id.as_str())
    .bind(topic.to_string())
    .bind(to_i64(since))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    let first = rows
        .first()
        .ok_or_else(|| StoreError::OrderNotFound(order_id.clone()))?;
    Ok(History {
        seq: to_u64(first.try_get("head")?),
        epoch: first.try_get("head_epoch")?,
        events: events(&rows)?,
    })
}

pub(super) async fn feed_since(
    pool: &PgPool,
    tenant: &str,
    offset: u64,
    limit: u32,
) -> Result<FeedPage, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT h.head, {EVENT_COLUMNS} FROM \
         (SELECT COALESCE((SELECT feed_offset FROM tenants WHERE tenant = $1), 0) AS head) h \
         LEFT JOIN LATERAL (SELECT * FROM events WHERE tenant = $1 AND feed_offset > $2 \
                            ORDER BY feed_offset LIMIT $3) e ON true \
         ORDER BY e.feed_offset"
    ))
    .bind(tenant)
    .bind(to_i64(offset))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    let head: i64 = match rows.first() {
        Some(row) => row.try_get("head")?,
        None => 0,
    };
    Ok(FeedPage {
        offset: to_u64(head),
        events: events(&rows)?,
    })
}

pub(super) async fn heads(
    pool: &PgPool,
    tenant: &str,
    topics: &[Topic],
) -> Result<Vec<Option<u64>>, StoreError> {
    let ids: Vec<&str> = topics
        .iter()
        .filter_map(|topic| topic.order_id().map(OrderId::as_str))
        .collect();
    // One statement: the seqs (on the orders' rows) and the feed offset
    // from one snapshot.
    let rows = sqlx::query(
        "SELECT f.feed, o.id, o.order_seq, o.chat_seq FROM \
         (SELECT COALESCE((SELECT feed_offset FROM tenants WHERE tenant = $1), 0) AS feed) f \
         LEFT JOIN orders o ON o.tenant = $1 AND o.id = ANY($2)",
    )
    .bind(tenant)
    .bind(&ids)
    .fetch_all(pool)
    .await?;
    let mut feed = 0;
    let mut orders = std::collections::HashMap::new();
    for row in &rows {
        feed = to_u64(row.try_get("feed")?);
        if let Some(id) = row.try_get::<Option<String>, _>("id")? {
            let order_seq: i64 = row.try_get("order_seq")?;
            let chat_seq: i64 = row.try_get("chat_seq")?;
            orders.insert(id, (to_u64(order_seq), to_u64(chat_seq)));
        }
    }
    Ok(topics
        .iter()
        .map(|topic| match topic {
            Topic::Order(id) => orders.get(id.as_str()).map(|heads| heads.0),
            Topic::Chat(id) => orders.get(id.as_str()).map(|heads| heads.1),
            Topic::Orders => Some(feed),
        })
        .collect())
}

pub(super) async fn read_receipts(
    pool: &PgPool,
    tenant: &str,
    id: &OrderId,
) -> Result<Vec<ReadReceipt>, StoreError> {
    let rows = sqlx::query(
        "SELECT subject, seq FROM chat_reads WHERE tenant = $1 AND order_id = $2 ORDER BY subject",
    )
    .bind(tenant)
    .bind(id.as_str())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(ReadReceipt {
                subject: row.try_get("subject")?,
                seq: to_u64(row.try_get("seq")?),
            })
        })
        .collect()
}

/// The events of a joined read; a row without one (`e.id` NULL) is the
/// head alone.
fn events(rows: &[PgRow]) -> Result<Vec<StoredEvent>, StoreError> {
    let mut events = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(id) = row.try_get::<Option<String>, _>("id")? else {
            continue;
        };
        events.push(StoredEvent {
            id,
            topic: row.try_get("topic")?,
            seq: to_u64(row.try_get("seq")?),
            epoch: row.try_get("epoch")?,
            offset: row.try_get::<Option<i64>, _>("feed_offset")?.map(to_u64),
            event_type: row.try_get("type")?,
            version: u32::try_from(row.try_get::<i32, _>("version")?).unwrap_or(1),
            occurred_at: row.try_get("occurred_at")?,
            payload: row.try_get("payload")?,
        });
    }
    Ok(events)
}
