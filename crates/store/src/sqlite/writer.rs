//! The single writer: one thread owns the one write connection, takes the
//! writes waiting in its queue, and commits them together (group commit:
//! one transaction and one fsync for the whole batch, each write in its own
//! savepoint so a refused one leaves the others standing).
//!
//! The write connection is rusqlite's, on a thread of its own: a batch is
//! one wake-up of that thread, and its statements are plain calls into
//! SQLite with cached prepared statements. (sqlx's SQLite connection sent
//! every statement to its worker thread and back, two context switches
//! per statement: most of the writer's time went there.) Reads stay on
//! sqlx's pool.
//!
//! A write is answered only after the batch's COMMIT returned: nothing
//! acknowledged can be lost and no seq handed out is ever reused. When the
//! database fails (a full disk, an I/O error, a read-only file) the whole
//! batch is rolled back, every write in it answers
//! [`StoreError::Unavailable`], and the connection is thrown away: SQLite
//! may or may not have rolled the transaction back itself, so the next
//! batch starts on a fresh connection that is known to be clean.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::group_commit::{Operation, Outcome, Pending, Queued, WriteHealth, WriteQueue};
use crate::StoreError;

/// Most writes in one transaction: enough to amortize the fsync, few
/// enough that one batch's latency stays small.
const MAX_BATCH: usize = 512;
/// How long a write waits for a lock another process holds on the file.
pub(super) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Sends writes to the writer thread.
pub(super) struct Writer {
    queue: WriteQueue<Connection>,
    pub(super) health: Arc<Health>,
}

/// What the writer has seen lately, for readiness, and the page cap the
/// storage-fault tests set.
#[derive(Default)]
pub(super) struct Health {
    pub(super) writes: WriteHealth,
    /// SQLite's `max_page_count` for the write connection (0: none).
    pub(super) max_pages: AtomicU64,
}

/// Opens the write connection on `path` (already created and migrated).
pub(super) fn open(path: &Path) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // WAL is a property of the file (set when it was created); FULL fsyncs
    // the WAL at every commit, so an acknowledged write survives a power
    // cut. Both are set again so the connection never depends on defaults.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.set_prepared_statement_cache_capacity(32);
    Ok(conn)
}

impl Writer {
    /// Starts the writer thread on `connection`, opened by [`open`]; `path`
    /// opens its replacements.
    pub(super) fn start(connection: Connection, path: PathBuf, health: Arc<Health>) -> Self {
        let writes = health.clone();
        let queue = WriteQueue::start(move |rx, stop| async move {
            // A thread of its own, not the runtime's blocking pool: a
            // runtime that shuts down with the store still referenced
            // somewhere must not wait for this thread to see its queue
            // close.
            let (done, finished) = tokio::sync::oneshot::channel();
            let spawned = std::thread::Builder::new()
                .name("trackwire-sqlite-writer".into())
                .spawn(move || {
                    run(rx, Some(connection), &path, &writes, &stop);
                    let _ = done.send(());
                });
            match spawned {
                Ok(_) => {
                    if finished.await.is_err() {
                        tracing::error!("the store's writer thread panicked");
                    }
                }
                Err(error) => tracing::error!(%error, "cannot start the store's writer thread"),
            }
        });
        Self { queue, health }
    }

    /// Queues `operation` and waits for its answer, which comes once its
    /// batch committed.
    pub(super) async fn submit<Op: Operation<Connection>>(
        &self,
        operation: Op,
    ) -> Result<Op::Output, StoreError> {
        self.queue.submit(operation).await
    }

    /// Finishes the queued writes, checkpoints the WAL into the database
    /// file and closes the connection. Later writes are refused.
    pub(super) async fn close(&self) {
        self.queue.close().await;
    }
}

/// The writer thread: waits for writes (the queue and the stop signal are
/// async; a small executor waits on them here), then commits each batch.
fn run(
    mut rx: mpsc::Receiver<Queued<Connection>>,
    mut connection: Option<Connection>,
    path: &Path,
    health: &Health,
    stop: &CancellationToken,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut applied_max_pages = 0;
    loop {
        let received = futures::executor::block_on(async {
            tokio::select! {
                biased;
                received = rx.recv_many(&mut batch, MAX_BATCH) => Some(received),
                _ = stop.cancelled() => None,
            }
        });
        let Some(received) = received else {
            // Take what is already queued, refuse the rest.
            rx.close();
            continue;
        };
        if received == 0 {
            break;
        }
        if connection.is_none() {
            match open(path) {
                Ok(fresh) => {
                    applied_max_pages = 0;
                    connection = Some(fresh);
                }
                Err(error) => {
                    tracing::error!(%error, "cannot reopen the store's write connection");
                    fail_all(&mut batch, &error, health);
                    continue;
                }
            }
        }
        let Some(conn) = connection.as_mut() else {
            continue;
        };
        let max_pages = health.max_pages.load(Ordering::Relaxed);
        if max_pages != applied_max_pages {
            let limit = if max_pages == 0 {
                u32::MAX - 1
            } else {
                max_pages as u32
            };
            if conn.pragma_update(None, "max_page_count", limit).is_ok() {
                applied_max_pages = max_pages;
            }
        }
        if let Err(error) = commit_batch(conn, &mut batch, health) {
            tracing::error!(%error, writes = batch.len(), "a write batch failed; nothing of it was stored");
            let _ = conn.execute_batch("ROLLBACK");
            if let Some(broken) = connection.take() {
                let _ = broken.close();
            }
            fail_all(&mut batch, &error, health);
        }
        batch.clear();
    }
    if let Some(conn) = connection {
        // The last connection to close removes the WAL and shared-memory
        // files, once everything is in the database file.
        if let Err(error) = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)") {
            tracing::warn!(%error, "cannot checkpoint the store on close");
        }
        let _ = conn.close();
    }
}

/// Runs every write of `batch` in one transaction and commits it. On
/// success each write has been answered; on failure none has, and the
/// caller fails them all.
fn commit_batch(
    conn: &mut Connection,
    batch: &mut Vec<Box<dyn Pending<Connection>>>,
    health: &Health,
) -> Result<(), StoreError> {
    exec(conn, "BEGIN IMMEDIATE")?;
    for job in batch.iter_mut() {
        exec(conn, "SAVEPOINT job")?;
        // The operations never wait (see `write.rs`): this returns at the
        // first poll.
        if futures::executor::block_on(job.run(conn))? == Outcome::Refused {
            exec(conn, "ROLLBACK TO job")?;
        }
        exec(conn, "RELEASE job")?;
    }
    exec(conn, "COMMIT")?;
    // Readiness learns of the commit before any caller does: a caller that
    // asks right after its answer must not hear of an older failure.
    health
        .writes
        .committed(batch.iter().any(|job| job.shows_recovery()));
    // Durable now: answer, in the order the writes were stored.
    for job in batch.drain(..) {
        job.settle(None);
    }
    Ok(())
}

fn fail_all(batch: &mut Vec<Box<dyn Pending<Connection>>>, error: &StoreError, health: &Health) {
    health.writes.failed(error);
    for job in batch.drain(..) {
        job.settle(Some(error));
    }
}

/// One statement without results on the write connection, prepared once.
fn exec(conn: &Connection, sql: &str) -> Result<(), StoreError> {
    conn.prepare_cached(sql)?.execute([])?;
    Ok(())
}
