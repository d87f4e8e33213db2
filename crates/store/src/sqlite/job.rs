//! A write waiting in the writer's queue: the [`Operation`] to run inside
//! the batch's transaction, and where its answer goes once the batch's
//! fate is known.

use async_trait::async_trait;
use sqlx::sqlite::SqliteConnection;
use tokio::sync::oneshot;

use crate::StoreError;

/// One kind of write (`write.rs` has one per store call).
#[async_trait]
pub(super) trait Operation: Send + 'static {
    type Output: Send + 'static;

    /// Whether its commit shows that writes work again. A probe's does not:
    /// it may reuse the very space it freed the time before.
    const SHOWS_RECOVERY: bool = true;

    /// Runs inside the batch's open transaction, in a savepoint of its own.
    async fn run(&self, conn: &mut SqliteConnection) -> Result<Self::Output, StoreError>;
}

/// What running a job did to the batch.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Outcome {
    /// Ran; its changes wait for the commit.
    Done,
    /// Refused (not found, an invalid transition …): its savepoint is to
    /// be rolled back, the rest of the batch goes on.
    Refused,
}

/// A queued write of any kind, as the writer sees it.
#[async_trait]
pub(super) trait Pending: Send {
    /// Runs the write and keeps its result. `Err` means the database
    /// failed: the whole batch must roll back.
    async fn run(&mut self, conn: &mut SqliteConnection) -> Result<Outcome, StoreError>;

    /// See [`Operation::SHOWS_RECOVERY`].
    fn shows_recovery(&self) -> bool;

    /// Answers the caller: its result once the batch committed
    /// (`failure: None`), or `Unavailable` when the batch did not.
    fn settle(self: Box<Self>, failure: Option<&StoreError>);
}

pub(super) struct Job<Op: Operation> {
    operation: Op,
    reply: oneshot::Sender<Result<Op::Output, StoreError>>,
    result: Option<Result<Op::Output, StoreError>>,
}

impl<Op: Operation> Job<Op> {
    pub(super) fn new(
        operation: Op,
        reply: oneshot::Sender<Result<Op::Output, StoreError>>,
    ) -> Self {
        Self {
            operation,
            reply,
            result: None,
        }
    }
}

#[async_trait]
impl<Op: Operation> Pending for Job<Op> {
    async fn run(&mut self, conn: &mut SqliteConnection) -> Result<Outcome, StoreError> {
        match self.operation.run(conn).await {
            Ok(output) => {
                self.result = Some(Ok(output));
                Ok(Outcome::Done)
            }
            Err(error) if error.breaks_the_connection() => Err(error),
            Err(refused) => {
                self.result = Some(Err(refused));
                Ok(Outcome::Refused)
            }
        }
    }

    fn shows_recovery(&self) -> bool {
        Op::SHOWS_RECOVERY
    }

    fn settle(self: Box<Self>, failure: Option<&StoreError>) {
        let answer = match (failure, self.result) {
            // Whatever this write computed, it was not stored: a refusal
            // may have been decided on writes of the batch that are gone.
            (Some(failure), _) => Err(failure.to_unavailable()),
            (None, Some(result)) => result,
            (None, None) => Err(StoreError::Unavailable("the write did not run".to_owned())),
        };
        // The caller may have gone; the write stands either way.
        let _ = self.reply.send(answer);
    }
}
