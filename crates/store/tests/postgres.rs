//! The Store conformance suite against PostgreSQL, plus what only a shared
//! store can show: several stores on one database (several nodes) writing
//! to one order and to one tenant at once, idempotency keys shared by
//! every node, and data kept across reconnecting.
//!
//! Each test gets a fresh database of its own on
//! `$TRACKWIRE_TEST_POSTGRES` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`; `scripts/services` starts
//! it), dropped after. Without PostgreSQL the tests fail, unless
//! `TRACKWIRE_ALLOW_SKIP=1`.

mod conformance;

use std::collections::HashSet;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use trackwire_domain::{OrderStatus, Topic};
use trackwire_store::postgres::PostgresStore;
use trackwire_store::{IdempotencyKey, Store};

fn admin_url() -> String {
    std::env::var("TRACKWIRE_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn psql(url: &str, sql: &str) -> Result<String, String> {
    let output = Command::new("psql")
        .args([url, "-tAqc", sql])
        .output()
        .map_err(|e| format!("psql: {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// A database of the test's own, dropped on drop.
struct Database {
    url: String,
    name: String,
}

impl Database {
    /// `None` (with the reason printed) only when PostgreSQL does not
    /// answer and skipping is allowed.
    fn fresh() -> Option<Self> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "tw_store_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        if let Err(error) = psql(&admin_url(), &format!("CREATE DATABASE {name}")) {
            let message = format!(
                "PostgreSQL at {} does not answer ({}): run scripts/services",
                admin_url(),
                error.trim()
            );
            if std::env::var_os("TRACKWIRE_ALLOW_SKIP").is_some() {
                eprintln!("SKIPPED: {message}");
                return None;
            }
            panic!("{message}; TRACKWIRE_ALLOW_SKIP=1 skips instead");
        }
        let base = admin_url();
        let url = match base.rfind('/') {
            Some(slash)
                if base[..slash].contains("://") && slash > base.find("://").unwrap_or(0) + 2 =>
            {
                format!("{}/{name}", &base[..slash])
            }
            _ => format!("{base}/{name}"),
        };
        Some(Self { url, name })
    }

    async fn store(&self) -> Arc<dyn Store> {
        Arc::new(PostgresStore::connect(&self.url).await.expect("connect"))
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let _ = psql(
            &admin_url(),
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            let Some(db) = Database::fresh() else { return };
            conformance::$name(db.store().await).await;
        }
    )*};
}

conformance!(
    create_and_read_back,
    transitions_are_enforced_in_the_transaction,
    concurrent_writers_get_gap_free_seq,
    racing_transitions_apply_once,
    idempotency_keys,
    chat_has_its_own_seq_and_stays_off_the_feed,
    replay_pages_and_errors,
    list_filters_and_pages,
    location_is_latest_wins,
    read_receipts_only_move_forward,
    heads_of_many_topics,
);

/// Three stores on one database, as three nodes: 64 writers spread over
/// them on one order, and 64 on 16 orders of one tenant: every seq and
/// every offset once, no gap.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_nodes_write_one_order_and_one_tenant_gap_free() {
    let Some(db) = Database::fresh() else { return };
    let nodes = [db.store().await, db.store().await, db.store().await];
    let hot = conformance::id("HOT-1");
    nodes[0]
        .create_order("t", hot.clone(), conformance::created("c"), None)
        .await
        .expect("create");
    let orders: Vec<_> = (0..16)
        .map(|i| conformance::id(&format!("O-{i}")))
        .collect();
    for (i, order) in orders.iter().enumerate() {
        nodes[i % 3]
            .create_order("t", order.clone(), conformance::created("c"), None)
            .await
            .expect("create");
    }
    let mut writers = Vec::new();
    for i in 0..128usize {
        let store = nodes[i % 3].clone();
        let order = if i < 64 {
            hot.clone()
        } else {
            orders[i % orders.len()].clone()
        };
        writers.push(tokio::spawn(async move {
            let mut stored = Vec::new();
            for n in 0..5 {
                let recorded = store
                    .record(
                        "t",
                        &order,
                        conformance::instructions(&format!("w{i} n{n}")),
                        None,
                    )
                    .await
                    .expect("record");
                stored.push(recorded.events[0].clone());
            }
            stored
        }));
    }
    let mut acknowledged = Vec::new();
    for writer in writers {
        acknowledged.extend(writer.await.expect("join"));
    }
    let hot_seqs: Vec<u64> = nodes[1]
        .replay_since("t", &Topic::Order(hot.clone()), 0, 10_000)
        .await
        .expect("history")
        .events
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(hot_seqs, (1..=321).collect::<Vec<u64>>());
    for order in &orders {
        let history = nodes[2]
            .replay_since("t", &Topic::Order(order.clone()), 0, 10_000)
            .await
            .expect("history");
        let seqs: Vec<u64> = history.events.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, (1..=history.seq).collect::<Vec<u64>>(), "{order}");
    }
    let feed = nodes[0].feed_since("t", 0, 100_000).await.expect("feed");
    let offsets: Vec<u64> = feed.events.iter().filter_map(|e| e.offset).collect();
    let total = 1 + 16 + 128 * 5;
    assert_eq!(offsets, (1..=total).collect::<Vec<u64>>());
    assert_eq!(feed.offset, total);
    // Every acknowledged event is stored, with the seq and offset it was
    // acknowledged with.
    let stored: HashSet<(String, u64, Option<u64>)> = feed
        .events
        .iter()
        .map(|e| (e.id.clone(), e.seq, e.offset))
        .collect();
    for event in &acknowledged {
        assert!(
            stored.contains(&(event.id.clone(), event.seq, event.offset)),
            "acknowledged but not stored as acknowledged: {event:?}"
        );
    }
}

/// One key sent to two nodes at once: one write, both answers the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_idempotency_key_is_shared_by_every_node() {
    let Some(db) = Database::fresh() else { return };
    let (a, b) = (db.store().await, db.store().await);
    let order = conformance::id("K-1");
    a.create_order("t", order.clone(), conformance::created("c"), None)
        .await
        .expect("create");
    let key = || {
        Some(IdempotencyKey {
            subject: "shop".into(),
            key: "confirm-1".into(),
            fingerprint: "fp".into(),
        })
    };
    let confirm = conformance::status(OrderStatus::Confirmed);
    let (first, second) = tokio::join!(
        a.record("t", &order, confirm.clone(), key()),
        b.record("t", &order, confirm.clone(), key()),
    );
    let (first, second) = (first.expect("a"), second.expect("b"));
    assert_eq!(
        first.events, second.events,
        "both answers carry the one event"
    );
    assert!(first.replayed != second.replayed, "exactly one was written");
    assert_eq!(first.events[0].offset, Some(2));
    let history = b
        .replay_since("t", &Topic::Order(order.clone()), 0, 100)
        .await
        .expect("history");
    assert_eq!(history.seq, 2);
    let again = a
        .record("t", &order, confirm, key())
        .await
        .expect("replayed later");
    assert!(again.replayed);
    assert_eq!(again.events, first.events);
}

/// Data stays across stores (a node restarting), and seq continues.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn data_survives_a_new_connection() {
    let Some(db) = Database::fresh() else { return };
    let order = conformance::id("S-1");
    let before = {
        let store = db.store().await;
        store
            .create_order("t1", order.clone(), conformance::created("c"), None)
            .await
            .expect("create");
        let recorded = store
            .record(
                "t1",
                &order,
                conformance::status(OrderStatus::Confirmed),
                None,
            )
            .await
            .expect("confirm");
        store.close().await;
        recorded.order
    };
    let store = db.store().await;
    assert_eq!(store.order("t1", &order).await.expect("read"), Some(before));
    let next = store
        .record(
            "t1",
            &order,
            conformance::status(OrderStatus::Preparing),
            None,
        )
        .await
        .expect("continues");
    assert_eq!(next.events[0].seq, 3, "seq continues after a restart");
    store.probe_write().await.expect("ready");
}
