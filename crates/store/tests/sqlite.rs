//! The Store conformance suite against the embedded SQLite backend, plus
//! what only a file-backed store can show: data survives reopening.

mod conformance;

use std::sync::Arc;

use proptest::prelude::*;
use tempfile::TempDir;
use trackwire_domain::{OrderStatus, Topic};
use trackwire_store::sqlite::SqliteStore;
use trackwire_store::Store;

async fn fresh() -> (TempDir, Arc<dyn Store>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).await.expect("open");
    (dir, Arc::new(store))
}

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            let (_dir, store) = fresh().await;
            conformance::$name(store).await;
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

#[tokio::test]
async fn data_survives_reopening() {
    let dir = tempfile::tempdir().expect("tempdir");
    let order = conformance::id("S-1");
    let before = {
        let store = SqliteStore::open(dir.path()).await.expect("open");
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
    let store = SqliteStore::open(dir.path()).await.expect("reopen");
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
}

fn any_status() -> impl Strategy<Value = OrderStatus> {
    prop::sample::select(OrderStatus::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Random status events, many refused: the stored history is gap-free
    /// and never moves a status backwards.
    #[test]
    fn stored_history_is_gap_free_and_forward_only(
        steps in prop::collection::vec(any_status(), 1..20)
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let (_dir, store) = fresh().await;
            let order = conformance::id("X-1");
            store
                .create_order("t", order.clone(), conformance::created("c"), None)
                .await
                .expect("create");
            let mut accepted = 0u64;
            for s in steps {
                if store.record("t", &order, conformance::status(s), None).await.is_ok() {
                    accepted += 1;
                }
            }
            let history = store
                .replay_since("t", &Topic::Order(order.clone()), 0, 1000)
                .await
                .expect("history");
            let seqs: Vec<u64> = history.events.iter().map(|e| e.seq).collect();
            prop_assert_eq!(seqs, (1..=accepted + 1).collect::<Vec<u64>>());
            let mut progress = 0;
            for event in &history.events[1..] {
                let payload: serde_json::Value =
                    serde_json::from_str(&event.payload).expect("json");
                let status = OrderStatus::parse(payload["status"].as_str().expect("status"))
                    .expect("known");
                prop_assert!(status.progress() > progress, "status moved backwards");
                progress = status.progress();
            }
            Ok(())
        })?;
    }
}
