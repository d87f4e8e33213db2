//! The scenarios: each starts the real server, breaks something, and
//! returns a [`crate::report::Report`] with its figures and the verdict.

pub mod cluster;
pub mod crash;
pub mod load;
pub mod network;
pub mod storage;

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use crate::clients::Bases;
use crate::history::Ack;
use crate::server::ServerError;
use crate::writers::{self, WriterCounters};

/// Where the binary and the JS SDK are, and the run's seed.
#[derive(Debug, Clone)]
pub struct Env {
    pub bin: PathBuf,
    pub js_dir: PathBuf,
    pub seed: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error(transparent)]
    Server(#[from] ServerError),
    #[error(transparent)]
    Rest(#[from] crate::rest::RestError),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}

/// `count` writers on `orders` at `bases` until `stop` (writer `n` starts
/// on the `n`-th node).
pub(crate) fn spawn_writers(
    env: &Env,
    count: usize,
    bases: impl Into<Bases>,
    orders: &[String],
    pace: Duration,
    stop: &Arc<AtomicBool>,
    counters: &Arc<WriterCounters>,
) -> Vec<tokio::task::JoinHandle<Vec<Ack>>> {
    let bases = bases.into();
    (0..count)
        .map(|n| {
            tokio::spawn(writers::run(
                n,
                env.seed,
                bases.rotated(n),
                orders.to_vec(),
                pace,
                stop.clone(),
                counters.clone(),
            ))
        })
        .collect()
}

/// Every acknowledgement of the writers, once they have stopped.
pub(crate) async fn collect(writers: Vec<tokio::task::JoinHandle<Vec<Ack>>>) -> Vec<Ack> {
    let mut acks = Vec::new();
    for writer in writers {
        acks.extend(writer.await.unwrap_or_default());
    }
    acks
}
