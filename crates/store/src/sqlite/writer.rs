//! The single writer: one task owns the one write connection, takes the
//! writes waiting in its queue, and commits them together (group commit:
//! one transaction and one fsync for the whole batch, each write in its own
//! savepoint so a refused one leaves the others standing).
//!
//! A write is answered only after the batch's COMMIT returned: nothing
//! acknowledged can be lost and no seq handed out is ever reused. When the
//! database fails (a full disk, an I/O error, a read-only file) the whole
//! batch is rolled back, every write in it answers
//! [`StoreError::Unavailable`], and the connection is thrown away: SQLite
//! may or may not have rolled the transaction back itself, so the next
//! batch starts on a fresh connection that is known to be clean.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::group_commit::{Operation, Outcome, Pending, Queued, WriteHealth, WriteQueue};
use crate::StoreError;

/// Most writes in one transaction: enough to amortize the fsync, few
/// enough that one batch's latency stays small.
const MAX_BATCH: usize = 256;
/// Sends writes to the writer task.
pub(super) struct Writer {
    queue: WriteQueue<SqliteConnection>,
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

impl Writer {
    /// Starts the writer on `connection`, already opened and migrated;
    /// `options` open its replacements.
    pub(super) fn start(
        connection: SqliteConnection,
        options: SqliteConnectOptions,
        health: Arc<Health>,
    ) -> Self {
        let writes = health.clone();
        let queue =
            WriteQueue::start(move |rx, stop| run(rx, Some(connection), options, writes, stop));
        Self { queue, health }
    }

    /// Queues `operation` and waits for its answer, which comes once its
    /// batch committed.
    pub(super) async fn submit<Op: Operation<SqliteConnection>>(
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

async fn run(
    mut rx: mpsc::Receiver<Queued<SqliteConnection>>,
    mut connection: Option<SqliteConnection>,
    options: SqliteConnectOptions,
    health: Arc<Health>,
    stop: CancellationToken,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut applied_max_pages = 0;
    loop {
        let received = tokio::select! {
            biased;
            received = rx.recv_many(&mut batch, MAX_BATCH) => received,
            _ = stop.cancelled() => {
                // Take what is already queued, refuse the rest.
                rx.close();
                continue;
            }
        };
        if received == 0 {
            break;
        }
        if connection.is_none() {
            match options.connect().await {
                Ok(fresh) => {
                    applied_max_pages = 0;
                    connection = Some(fresh);
                }
                Err(error) => {
                    let error = StoreError::from(error);
                    tracing::error!(%error, "cannot reopen the store's write connection");
                    fail_all(&mut batch, &error, &health);
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
            let pragma = format!("PRAGMA max_page_count = {limit}");
            if exec(conn, &pragma).await.is_ok() {
                applied_max_pages = max_pages;
            }
        }
        let recovers = batch.iter().any(|job| job.shows_recovery());
        if let Err(error) = commit_batch(conn, &mut batch).await {
            tracing::error!(%error, writes = batch.len(), "a write batch failed; nothing of it was stored");
            let _ = exec(conn, "ROLLBACK").await;
            if let Some(broken) = connection.take() {
                let _ = broken.close().await;
            }
            fail_all(&mut batch, &error, &health);
        } else {
            health.writes.committed(recovers);
        }
        batch.clear();
    }
    if let Some(mut conn) = connection {
        // The last connection to close removes the WAL and shared-memory
        // files, once everything is in the database file.
        if let Err(error) = exec(&mut conn, "PRAGMA wal_checkpoint(TRUNCATE)").await {
            tracing::warn!(%error, "cannot checkpoint the store on close");
        }
        let _ = conn.close().await;
    }
}

/// Runs every write of `batch` in one transaction and commits it. On
/// success each write has been answered; on failure none has, and the
/// caller fails them all.
async fn commit_batch(
    conn: &mut SqliteConnection,
    batch: &mut Vec<Box<dyn Pending<SqliteConnection>>>,
) -> Result<(), StoreError> {
    exec(conn, "BEGIN IMMEDIATE").await?;
    for job in batch.iter_mut() {
        exec(conn, "SAVEPOINT job").await?;
        if job.run(conn).await? == Outcome::Refused {
            exec(conn, "ROLLBACK TO job").await?;
        }
        exec(conn, "RELEASE job").await?;
    }
    exec(conn, "COMMIT").await?;
    // Durable now: answer, in the order the writes were stored.
    for job in batch.drain(..) {
        job.settle(None);
    }
    Ok(())
}

fn fail_all(
    batch: &mut Vec<Box<dyn Pending<SqliteConnection>>>,
    error: &StoreError,
    health: &Health,
) {
    health.writes.failed(error);
    for job in batch.drain(..) {
        job.settle(Some(error));
    }
}

/// One statement on the write connection.
async fn exec(conn: &mut SqliteConnection, sql: &str) -> Result<(), sqlx::Error> {
    sqlx::query(sql).execute(&mut *conn).await.map(|_| ())
}
