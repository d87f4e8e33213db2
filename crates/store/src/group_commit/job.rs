//! A write waiting in the writer's queue: the [`Operation`] to run inside
//! the batch's transaction, and where its answer goes once the batch's
//! fate is known.

use async_trait::async_trait;
use tokio::sync::oneshot;

use crate::StoreError;

/// One kind of write (each backend's `write.rs` has one per store call),
/// run on the writer's context `C` (a connection, or a batch around one).
#[async_trait]
pub(crate) trait Operation<C: Send>: Send + Sync + 'static {
    type Output: Send + 'static;

    /// Whether its commit shows that writes work again. A probe's does not:
    /// it may reuse the very space it freed the time before.
    const SHOWS_RECOVERY: bool = true;

    /// Runs inside the batch's open transaction, in a savepoint of its own.
    async fn run(&self, ctx: &mut C) -> Result<Self::Output, StoreError>;

    /// Runs once every write of the batch ran, before the commit, on a
    /// write that succeeded: fills in what is known only then (PostgreSQL
    /// assigns the feed offsets at the end of a batch). Nothing by default.
    fn complete(&self, _output: &mut Self::Output, _ctx: &mut C) -> Result<(), StoreError> {
        Ok(())
    }
}

/// What running a job did to the batch.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Ran; its changes wait for the commit.
    Done,
    /// Refused (not found, an invalid transition …): its savepoint is to
    /// be rolled back, the rest of the batch goes on.
    Refused,
}

/// A queued write of any kind, as the writer sees it.
#[async_trait]
pub(crate) trait Pending<C: Send>: Send {
    /// Runs the write and keeps its result (a batch that is retried runs
    /// it again). `Err` means the database failed: the whole batch must
    /// roll back.
    async fn run(&mut self, ctx: &mut C) -> Result<Outcome, StoreError>;

    /// See [`Operation::complete`].
    fn complete(&mut self, ctx: &mut C) -> Result<(), StoreError>;

    /// See [`Operation::SHOWS_RECOVERY`].
    fn shows_recovery(&self) -> bool;

    /// Answers the caller: its result once the batch committed
    /// (`failure: None`), or `Unavailable` when the batch did not.
    fn settle(self: Box<Self>, failure: Option<&StoreError>);
}

pub(crate) struct Job<C, Op: Operation<C>>
where
    C: Send,
{
    operation: Op,
    reply: oneshot::Sender<Result<Op::Output, StoreError>>,
    result: Option<Result<Op::Output, StoreError>>,
    context: std::marker::PhantomData<fn(&mut C)>,
}

impl<C: Send, Op: Operation<C>> Job<C, Op> {
    pub(crate) fn new(
        operation: Op,
        reply: oneshot::Sender<Result<Op::Output, StoreError>>,
    ) -> Self {
        Self {
            operation,
            reply,
            result: None,
            context: std::marker::PhantomData,
        }
    }
}

#[async_trait]
impl<C: Send, Op: Operation<C>> Pending<C> for Job<C, Op> {
    async fn run(&mut self, ctx: &mut C) -> Result<Outcome, StoreError> {
        match self.operation.run(ctx).await {
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

    fn complete(&mut self, ctx: &mut C) -> Result<(), StoreError> {
        match &mut self.result {
            Some(Ok(output)) => self.operation.complete(output, ctx),
            _ => Ok(()),
        }
    }

    fn shows_recovery(&self) -> bool {
        <Op as Operation<C>>::SHOWS_RECOVERY
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

/// The answer to a write sent to a closed store.
pub(crate) fn closed() -> StoreError {
    StoreError::Unavailable("the store is closed".into())
}
