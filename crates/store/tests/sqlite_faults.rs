//! The SQLite store under storage faults: a full disk, damaged and
//! inconsistent files, a graceful stop. What it must do is in
//! docs/storage.md: acknowledge only what is stored, refuse with
//! `Unavailable` while it cannot write, resume gap-free, refuse to open a
//! damaged file.

#[allow(dead_code)] // shared helpers; this file uses a few
mod conformance;

use std::path::Path;

use trackwire_domain::{OrderId, Topic};
use trackwire_store::sqlite::{SqliteStore, DB_FILE};
use trackwire_store::{Store, StoreError};

const TENANT: &str = "t1";

/// An event big enough that a few dozen fill a page-capped database.
fn big_note(i: usize) -> trackwire_domain::DurableEvent {
    conformance::instructions(&format!("{i}:{}", "x".repeat(1500)))
}

async fn seqs(store: &SqliteStore, order: &OrderId) -> Vec<u64> {
    let history = store
        .replay_since(TENANT, &Topic::Order(order.clone()), 0, 10_000)
        .await
        .expect("replay");
    history.events.iter().map(|e| e.seq).collect()
}

/// Writes until the capped store refuses; returns the last acknowledged seq.
async fn fill(store: &SqliteStore, order: &OrderId) -> u64 {
    let mut last = store
        .order(TENANT, order)
        .await
        .expect("read")
        .expect("exists")
        .seq;
    for i in 0..5_000 {
        match store.record(TENANT, order, big_note(i), None).await {
            Ok(recorded) => {
                assert_eq!(
                    recorded.events[0].seq,
                    last + 1,
                    "acknowledged seqs are gap-free"
                );
                last += 1;
            }
            Err(StoreError::Unavailable(reason)) => {
                assert!(
                    reason.contains("full"),
                    "the reason says the disk is full: {reason}"
                );
                return last;
            }
            Err(other) => panic!("a full disk must answer Unavailable, got {other:?}"),
        }
    }
    panic!("the capped store never filled up");
}

#[tokio::test]
async fn a_full_disk_refuses_writes_loses_nothing_and_resumes_gap_free() {
    let dir = tempfile::tempdir().expect("tempdir");
    let order = conformance::id("F-1");
    let store = SqliteStore::open(dir.path()).await.expect("open");
    store
        .create_order(TENANT, order.clone(), conformance::created("c"), None)
        .await
        .expect("create");
    store.probe_write().await.expect("writable at first");

    store.limit_pages(Some(1));
    let acknowledged = fill(&store, &order).await;
    // Every later write is refused too, and none of them is stored: the
    // write path does not stay inside a failed transaction.
    for i in 0..20 {
        let refused = store.record(TENANT, &order, big_note(i), None).await;
        assert!(
            matches!(refused, Err(StoreError::Unavailable(_))),
            "write {i} after the disk filled: {refused:?}"
        );
    }
    let probe = store.probe_write().await;
    assert!(
        matches!(probe, Err(StoreError::Unavailable(_))),
        "{probe:?}"
    );
    let snapshot = store
        .order(TENANT, &order)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(
        snapshot.seq, acknowledged,
        "the snapshot is the last stored write"
    );
    assert_eq!(
        seqs(&store, &order).await,
        (1..=acknowledged).collect::<Vec<_>>()
    );

    // Space comes back: the very next write is the next seq.
    store.limit_pages(None);
    let resumed = store
        .record(TENANT, &order, big_note(0), None)
        .await
        .expect("writes resume once there is space");
    assert_eq!(resumed.events[0].seq, acknowledged + 1);
    store.probe_write().await.expect("writable again");
    store.close().await;

    // After a restart nothing acknowledged is missing and no seq repeats.
    let store = SqliteStore::open(dir.path()).await.expect("reopen");
    assert_eq!(
        seqs(&store, &order).await,
        (1..=acknowledged + 1).collect::<Vec<_>>()
    );
    let next = store
        .record(TENANT, &order, big_note(1), None)
        .await
        .expect("after restart");
    assert_eq!(next.events[0].seq, acknowledged + 2);
    store.close().await;
}

#[tokio::test]
async fn writes_racing_into_a_full_disk_are_each_stored_or_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = std::sync::Arc::new(SqliteStore::open(dir.path()).await.expect("open"));
    let order = conformance::id("F-2");
    store
        .create_order(TENANT, order.clone(), conformance::created("c"), None)
        .await
        .expect("create");
    store.limit_pages(Some(1));
    let writers: Vec<_> = (0..200)
        .map(|i| {
            let (store, order) = (store.clone(), order.clone());
            tokio::spawn(async move { store.record(TENANT, &order, big_note(i), None).await })
        })
        .collect();
    let mut acknowledged = vec![1];
    let mut refused = 0;
    for writer in writers {
        match writer.await.expect("join") {
            Ok(recorded) => acknowledged.push(recorded.events[0].seq),
            Err(StoreError::Unavailable(_)) => refused += 1,
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert!(refused > 0, "the cap must have been reached");
    acknowledged.sort_unstable();
    assert_eq!(
        seqs(&store, &order).await,
        acknowledged,
        "stored = acknowledged"
    );
}

/// The files a test damages, and the one line opening must answer.
async fn refused_to_open(dir: &Path) -> String {
    match SqliteStore::open(dir).await {
        Ok(_) => panic!("a damaged store must refuse to open"),
        Err(error @ StoreError::Damaged(_)) => {
            let line = error.to_string();
            assert!(!line.contains('\n'), "one line: {line}");
            assert!(line.contains("restore"), "it says what to do: {line}");
            line
        }
        Err(other) => panic!("expected Damaged, got {other:?}"),
    }
}

/// A store with a few events, closed gracefully.
async fn store_with_events(dir: &Path) {
    let store = events_in(dir).await;
    store.close().await;
}

async fn events_in(dir: &Path) -> SqliteStore {
    let store = SqliteStore::open(dir).await.expect("open");
    let order = conformance::id("D-1");
    store
        .create_order(TENANT, order.clone(), conformance::created("c"), None)
        .await
        .expect("create");
    for i in 0..30 {
        store
            .record(TENANT, &order, big_note(i), None)
            .await
            .expect("record");
    }
    store
}

#[tokio::test]
async fn an_emptied_database_beside_its_wal_refuses_to_start() {
    let live = tempfile::tempdir().expect("tempdir");
    let store = events_in(live.path()).await;
    // What a crash leaves: the newest writes only in the WAL.
    let crashed = tempfile::tempdir().expect("tempdir");
    for name in [DB_FILE.to_owned(), format!("{DB_FILE}-wal")] {
        std::fs::copy(live.path().join(&name), crashed.path().join(&name)).expect("copy");
    }
    store.close().await;
    // Then the database file is emptied.
    std::fs::write(crashed.path().join(DB_FILE), b"").expect("truncate");
    let line = refused_to_open(crashed.path()).await;
    assert!(line.contains("empty"), "{line}");
}

#[tokio::test]
async fn garbage_in_the_middle_of_the_file_refuses_to_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    store_with_events(dir.path()).await;
    let db = dir.path().join(DB_FILE);
    let mut bytes = std::fs::read(&db).expect("read");
    assert!(bytes.len() > 8 * 4096, "several pages to damage");
    let middle = bytes.len() / 2;
    for b in &mut bytes[middle - 3000..middle + 3000] {
        *b = 0xA5;
    }
    std::fs::write(&db, bytes).expect("damage");
    refused_to_open(dir.path()).await;
}

#[tokio::test]
async fn a_file_that_is_not_a_database_refuses_to_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join(DB_FILE), b"hello, this is not sqlite").expect("write");
    let line = refused_to_open(dir.path()).await;
    assert!(line.contains("not an SQLite database"), "{line}");
}

#[tokio::test]
async fn a_counter_behind_its_events_refuses_to_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    store_with_events(dir.path()).await;
    // Damage only the application can see: the topic counter says less
    // than the events hold, so the next write would reuse a seq.
    let url = format!("sqlite://{}", dir.path().join(DB_FILE).display());
    let pool = sqlx::SqlitePool::connect(&url).await.expect("raw open");
    sqlx::query("UPDATE topics SET seq = seq - 3 WHERE topic = 'order:D-1'")
        .execute(&pool)
        .await
        .expect("tamper");
    pool.close().await;
    let line = refused_to_open(dir.path()).await;
    assert!(line.contains("order:D-1"), "{line}");
}

#[tokio::test]
async fn a_graceful_close_leaves_no_wal_or_shm_behind() {
    let dir = tempfile::tempdir().expect("tempdir");
    store_with_events(dir.path()).await;
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, [DB_FILE], "only the database file stays");
    // And it holds everything.
    let store = SqliteStore::open(dir.path()).await.expect("reopen");
    assert_eq!(seqs(&store, &conformance::id("D-1")).await.len(), 31);
    store.close().await;
}

/// A real full disk: a 2 MiB tmpfs, which `max_page_count` cannot stand in
/// for (there the WAL write itself fails, at commit). Mounting needs root;
/// without it the test says it did not run.
#[tokio::test]
async fn a_real_full_tmpfs_refuses_writes_and_resumes_when_space_returns() {
    let Some(mount) = Tmpfs::mount("2m") else {
        return;
    };
    let filler = mount.path.join("filler");
    std::fs::write(&filler, vec![0u8; 512 * 1024]).expect("filler");
    let order = conformance::id("T-1");
    let store = SqliteStore::open(&mount.path).await.expect("open");
    store
        .create_order(TENANT, order.clone(), conformance::created("c"), None)
        .await
        .expect("create");
    let acknowledged = fill(&store, &order).await;
    for i in 0..20 {
        let refused = store.record(TENANT, &order, big_note(i), None).await;
        assert!(
            matches!(refused, Err(StoreError::Unavailable(_))),
            "{refused:?}"
        );
    }
    assert!(
        store.probe_write().await.is_err(),
        "the probe sees the full disk"
    );
    assert_eq!(
        seqs(&store, &order).await,
        (1..=acknowledged).collect::<Vec<_>>()
    );

    std::fs::remove_file(&filler).expect("free space");
    let resumed = store
        .record(TENANT, &order, big_note(0), None)
        .await
        .expect("writes resume once there is space");
    assert_eq!(resumed.events[0].seq, acknowledged + 1);
    store.close().await;
    let store = SqliteStore::open(&mount.path).await.expect("reopen");
    assert_eq!(
        seqs(&store, &order).await,
        (1..=acknowledged + 1).collect::<Vec<_>>()
    );
    store.close().await;
}

/// A tmpfs of a given size, unmounted on drop.
struct Tmpfs {
    path: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Option<Self> {
        let dir = tempfile::tempdir().expect("tempdir");
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status();
        if !status.is_ok_and(|s| s.success()) {
            eprintln!("SKIPPED: cannot mount a tmpfs here (needs root); the page-cap tests cover the rest");
            return None;
        }
        Some(Self {
            path: dir.path().to_path_buf(),
            _dir: dir,
        })
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.path)
            .status();
    }
}
