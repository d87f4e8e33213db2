//! Reads: snapshots, lists, history and the feed, on the reader pool.

use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};
use trackwire_domain::{Order, OrderId, Topic};

use crate::numbers::{to_i64, to_u64};
use crate::types::{
    FeedPage, History, OrderFilter, OrderPage, PageRequest, ReadReceipt, StoredEvent,
};
use crate::{list, StoreError};

const EVENT_COLUMNS: &str =
    "id, topic, seq, epoch, feed_offset, type, version, occurred_at, payload";

pub(super) async fn order(
    pool: &SqlitePool,
    tenant: &str,
    id: &OrderId,
) -> Result<Option<Order>, StoreError> {
    let row = sqlx::query("SELECT snapshot FROM orders WHERE tenant = ? AND id = ?")
        .bind(tenant)
        .bind(id.as_str())
        .fetch_optional(pool)
        .await?;
    row.map(|r| snapshot(&r)).transpose()
}

pub(super) async fn list_orders(
    pool: &SqlitePool,
    tenant: &str,
    filter: &OrderFilter,
    page: &PageRequest,
) -> Result<OrderPage, StoreError> {
    let rows = list::query(tenant, filter, page)?
        .build()
        .fetch_all(pool)
        .await?;
    list::page(&rows, page, |row| Ok((row.try_get("pos")?, snapshot(row)?)))
}

pub(super) async fn replay_since(
    pool: &SqlitePool,
    tenant: &str,
    topic: &Topic,
    since: u64,
    limit: u32,
) -> Result<History, StoreError> {
    let Some(order_id) = topic.order_id() else {
        return Err(StoreError::NoHistory(topic.to_string()));
    };
    let topic_name = topic.to_string();
    // One read transaction: the events and the head position come from the
    // same snapshot of the database.
    let mut tx = pool.begin().await?;
    let head = sqlx::query("SELECT seq, epoch FROM topics WHERE tenant = ? AND topic = ?")
        .bind(tenant)
        .bind(&topic_name)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::OrderNotFound(order_id.clone()))?;
    let rows = sqlx::query(&format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE tenant = ? AND topic = ? AND seq > ? \
         ORDER BY seq LIMIT ?"
    ))
    .bind(tenant)
    .bind(&topic_name)
    .bind(to_i64(since))
    .bind(i64::from(limit))
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(History {
        events: rows.iter().map(stored_event).collect::<Result<_, _>>()?,
        seq: to_u64(head.try_get("seq")?),
        epoch: head.try_get("epoch")?,
    })
}

pub(super) async fn feed_since(
    pool: &SqlitePool,
    tenant: &str,
    offset: u64,
    limit: u32,
) -> Result<FeedPage, StoreError> {
    let mut tx = pool.begin().await?;
    let head: Option<i64> = sqlx::query_scalar("SELECT feed_offset FROM tenants WHERE tenant = ?")
        .bind(tenant)
        .fetch_optional(&mut *tx)
        .await?;
    let rows = sqlx::query(&format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE tenant = ? AND feed_offset > ? \
         ORDER BY feed_offset LIMIT ?"
    ))
    .bind(tenant)
    .bind(to_i64(offset))
    .bind(i64::from(limit))
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(FeedPage {
        events: rows.iter().map(stored_event).collect::<Result<_, _>>()?,
        offset: head.map(to_u64).unwrap_or(0),
    })
}

/// Topics per query: well under SQLite's limit on bound parameters.
const HEADS_PER_QUERY: usize = 500;

pub(super) async fn heads(
    pool: &SqlitePool,
    tenant: &str,
    topics: &[Topic],
) -> Result<Vec<Option<u64>>, StoreError> {
    let mut tx = pool.begin().await?;
    let names: Vec<String> = topics.iter().map(Topic::to_string).collect();
    let mut seqs = std::collections::HashMap::new();
    let numbered: Vec<&String> = names.iter().filter(|n| n.as_str() != "orders").collect();
    for chunk in numbered.chunks(HEADS_PER_QUERY) {
        let mut query: QueryBuilder<Sqlite> =
            QueryBuilder::new("SELECT topic, seq FROM topics WHERE tenant = ");
        query.push_bind(tenant).push(" AND topic IN (");
        let mut list = query.separated(", ");
        for name in chunk {
            list.push_bind(name.as_str());
        }
        query.push(")");
        for row in query.build().fetch_all(&mut *tx).await? {
            seqs.insert(
                row.try_get::<String, _>("topic")?,
                to_u64(row.try_get("seq")?),
            );
        }
    }
    let feed = if numbered.len() < names.len() {
        let offset: Option<i64> =
            sqlx::query_scalar("SELECT feed_offset FROM tenants WHERE tenant = ?")
                .bind(tenant)
                .fetch_optional(&mut *tx)
                .await?;
        Some(offset.map_or(0, to_u64))
    } else {
        None
    };
    tx.commit().await?;
    Ok(names
        .iter()
        .map(|name| match name.as_str() {
            "orders" => feed,
            other => seqs.get(other).copied(),
        })
        .collect())
}

pub(super) fn snapshot(row: &SqliteRow) -> Result<Order, StoreError> {
    let json: String = row.try_get("snapshot")?;
    Ok(serde_json::from_str(&json)?)
}

fn stored_event(row: &SqliteRow) -> Result<StoredEvent, StoreError> {
    let occurred_at: String = row.try_get("occurred_at")?;
    Ok(StoredEvent {
        id: row.try_get("id")?,
        topic: row.try_get("topic")?,
        seq: to_u64(row.try_get("seq")?),
        epoch: row.try_get("epoch")?,
        offset: row.try_get::<Option<i64>, _>("feed_offset")?.map(to_u64),
        event_type: row.try_get("type")?,
        version: u32::try_from(row.try_get::<i64, _>("version")?).unwrap_or(1),
        occurred_at: parse_time(&occurred_at)?,
        payload: row.try_get("payload")?,
    })
}

pub(super) fn parse_time(raw: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("bad timestamp '{raw}': {e}")))
}

pub(super) fn format_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

pub(super) async fn read_receipts(
    pool: &SqlitePool,
    tenant: &str,
    id: &OrderId,
) -> Result<Vec<ReadReceipt>, StoreError> {
    let rows = sqlx::query(
        "SELECT subject, seq FROM chat_reads WHERE tenant = ? AND order_id = ? ORDER BY subject",
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
