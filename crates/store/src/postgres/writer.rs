//! A writer: one task, one connection of its own, group commit. It takes
//! the writes waiting in its queue, runs them in one transaction
//! ([`Batch`]) and answers each only after the COMMIT returned.
//!
//! - Writers of several nodes meeting in a deadlock (or a lock wait that
//!   timed out): the batch is rolled back and run again, a few times, with
//!   a short random pause.
//! - Any other database failure, a lost connection included: the batch is
//!   rolled back, every write in it answers `Unavailable`, the connection
//!   is dropped and the next batch opens a fresh one. A connection lost
//!   during COMMIT leaves the batch's fate unknown: it is answered
//!   `Unavailable` (a retry with the same idempotency key finds out), and
//!   if it did commit, the gateways' position checks deliver it.

use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::batch::Batch;
use crate::group_commit::{self, Operation, WriteHealth, WriteQueue};
use crate::StoreError;

/// Most writes in one transaction.
const MAX_BATCH: usize = 512;
/// Runs of a batch that met other writers in a deadlock.
const ATTEMPTS: u32 = 5;

type Queued = group_commit::Queued<Batch>;

pub(super) struct Writer {
    queue: WriteQueue<Batch>,
}

impl Writer {
    pub(super) fn start(options: PgConnectOptions, health: Arc<WriteHealth>) -> Self {
        let queue = WriteQueue::start(move |rx, stop| run(rx, options, health, stop));
        Self { queue }
    }

    /// Queues `operation` and waits for its answer, which comes once its
    /// batch committed.
    pub(super) async fn submit<Op: Operation<Batch>>(
        &self,
        operation: Op,
    ) -> Result<Op::Output, StoreError> {
        self.queue.submit(operation).await
    }

    /// Finishes the queued writes and closes the connection.
    pub(super) async fn close(&self) {
        self.queue.close().await;
    }
}

async fn run(
    mut rx: mpsc::Receiver<Queued>,
    options: PgConnectOptions,
    health: Arc<WriteHealth>,
    stop: CancellationToken,
) {
    let mut jobs: Vec<Queued> = Vec::with_capacity(MAX_BATCH);
    let mut connection: Option<PgConnection> = None;
    loop {
        let received = tokio::select! {
            biased;
            received = rx.recv_many(&mut jobs, MAX_BATCH) => received,
            _ = stop.cancelled() => {
                rx.close();
                continue;
            }
        };
        if received == 0 {
            break;
        }
        let recovers = jobs.iter().any(|job| job.shows_recovery());
        let mut attempt = 1;
        loop {
            let conn = match connection.take() {
                Some(conn) => conn,
                None => match options.connect().await {
                    Ok(conn) => conn,
                    Err(error) => {
                        let error = StoreError::from(error);
                        tracing::error!(%error, "cannot open the store's write connection");
                        fail_all(&mut jobs, &error, &health);
                        break;
                    }
                },
            };
            let mut batch = Batch::new(conn);
            match commit(&mut batch, &mut jobs).await {
                Ok(()) => {
                    connection = Some(batch.into_connection());
                    health.committed(recovers);
                    for job in jobs.drain(..) {
                        job.settle(None);
                    }
                    break;
                }
                Err(error) => {
                    let mut conn = batch.into_connection();
                    let rolled_back = sqlx::query("ROLLBACK").execute(&mut conn).await.is_ok();
                    if matches!(error, StoreError::Contention(_)) && attempt < ATTEMPTS {
                        tracing::debug!(%error, attempt, "a write batch met another writer; retrying");
                        if rolled_back {
                            connection = Some(conn);
                        }
                        attempt += 1;
                        let pause = rand::rng().random_range(1..20u64 * u64::from(attempt));
                        tokio::time::sleep(Duration::from_millis(pause)).await;
                        continue;
                    }
                    tracing::error!(%error, writes = jobs.len(), "a write batch failed; nothing of it was stored");
                    if rolled_back && !error.breaks_the_connection() {
                        connection = Some(conn);
                    } else {
                        let _ = conn.close().await;
                    }
                    fail_all(&mut jobs, &error, &health);
                    break;
                }
            }
        }
        jobs.clear();
    }
    if let Some(conn) = connection {
        let _ = conn.close().await;
    }
}

/// Runs every write of `jobs` in one transaction, writes what they left
/// for the end, and commits.
async fn commit(batch: &mut Batch, jobs: &mut [Queued]) -> Result<(), StoreError> {
    sqlx::query("BEGIN").execute(batch.conn()).await?;
    let orders: Vec<_> = jobs.iter().filter_map(|job| job.order()).collect();
    batch.hold_all(&orders).await?;
    for job in jobs.iter_mut() {
        // A refusal wrote nothing (see batch.rs): no savepoint to undo.
        job.run(batch).await?;
    }
    batch.assign_offsets().await?;
    for job in jobs.iter_mut() {
        job.complete(batch)?;
    }
    batch.flush().await?;
    sqlx::query("COMMIT").execute(batch.conn()).await?;
    Ok(())
}

fn fail_all(jobs: &mut Vec<Queued>, error: &StoreError, health: &WriteHealth) {
    health.failed(error);
    for job in jobs.drain(..) {
        job.settle(Some(error));
    }
}
