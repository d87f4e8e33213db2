//! The caller's side of a writer task: its bounded queue, the stop signal
//! it listens to, and its handle.

use std::future::Future;
use std::sync::Mutex;

use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::job::{closed, Job, Operation, Pending};
use crate::StoreError;

/// Writes waiting for a writer; callers wait for room beyond it.
const QUEUE: usize = 4096;

/// What a writer task receives.
pub(crate) type Queued<C> = Box<dyn Pending<C>>;

/// Sends writes to one writer task (on context `C`) and stops it.
pub(crate) struct WriteQueue<C: Send + 'static> {
    queue: mpsc::Sender<Queued<C>>,
    stop: CancellationToken,
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl<C: Send + 'static> WriteQueue<C> {
    /// Spawns the writer task `run(queue, stop)`: it takes the writes from
    /// the queue, and once `stop` is cancelled finishes what is queued.
    pub(crate) fn start<F, Fut>(run: F) -> Self
    where
        F: FnOnce(mpsc::Receiver<Queued<C>>, CancellationToken) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let (queue, rx) = mpsc::channel(QUEUE);
        let stop = CancellationToken::new();
        let task = tokio::spawn(run(rx, stop.clone()));
        Self {
            queue,
            stop,
            task: Mutex::new(Some(task)),
        }
    }

    /// Queues `operation` and waits for its answer, which comes once its
    /// batch committed (or failed).
    pub(crate) async fn submit<Op: Operation<C>>(
        &self,
        operation: Op,
    ) -> Result<Op::Output, StoreError> {
        let (reply, answer) = oneshot::channel();
        let job = Job::new(operation, reply);
        self.queue.send(Box::new(job)).await.map_err(|_| closed())?;
        answer.await.map_err(|_| closed())?
    }

    /// Stops the writer once it has finished the queued writes; later
    /// writes are refused.
    pub(crate) async fn close(&self) {
        self.stop.cancel();
        let task = self.task.lock().ok().and_then(|mut task| task.take());
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}
