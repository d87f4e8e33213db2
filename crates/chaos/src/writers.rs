//! Writers: each records notes and chat messages on the run's orders for
//! as long as it is told, every write with an idempotency key (its unique
//! text) retried with the same key until the server answers it, as a
//! client that lost an answer must. What they were told goes to the
//! checker.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::clients::Bases;
use crate::history::Ack;
use crate::rest::{attempt, Outcome, Write};

/// How long one write may keep failing before the writer gives it up
/// (the run then reports it: an unanswered write is not a lost one).
const RETRY_FOR: Duration = Duration::from_secs(60);

#[derive(Debug, Default)]
pub struct WriterCounters {
    pub writes: AtomicU64,
    pub attempts: AtomicU64,
    pub retries: AtomicU64,
    pub given_up: AtomicU64,
    pub refused: AtomicU64,
}

impl WriterCounters {
    pub fn summary(&self) -> String {
        let n = |c: &AtomicU64| c.load(Ordering::Relaxed);
        format!(
            "writers: {} writes acknowledged, {} attempts, {} retries with the same key, {} given up, {} refused for good",
            n(&self.writes),
            n(&self.attempts),
            n(&self.retries),
            n(&self.given_up),
            n(&self.refused)
        )
    }
}

/// Writer `number` writes to `orders` at `bases` until `stop`, pausing
/// `pace` between writes; returns every acknowledgement it got. With
/// several nodes each attempt goes to the next one, so a retry (with the
/// same key) usually reaches another node than the attempt it repeats.
pub async fn run(
    number: usize,
    seed: u64,
    bases: Bases,
    orders: Vec<String>,
    pace: Duration,
    stop: Arc<AtomicBool>,
    counters: Arc<WriterCounters>,
) -> Vec<Ack> {
    // A fresh connection per write: each meets a fate of its own at the
    // proxy, so answers get lost and retried.
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .pool_max_idle_per_host(0)
        .build()
        .unwrap_or_default();
    let mut rng = StdRng::seed_from_u64(seed.wrapping_add(number as u64 * 7919));
    let mut acks = Vec::new();
    let mut n = 0u64;
    while !stop.load(Ordering::SeqCst) {
        n += 1;
        let order = orders[rng.random_range(0..orders.len())].clone();
        let text = format!("w{number}-{n}");
        let write = if rng.random_bool(0.7) {
            Write::Note { order, text }
        } else {
            Write::Chat { order, text }
        };
        acks.extend(until_answered_on(&client, &bases, &write, &counters).await);
        if !pace.is_zero() {
            tokio::time::sleep(pace).await;
        }
    }
    acks
}

/// Tries `write` at `base` until it is acknowledged, refused for good, or
/// [`RETRY_FOR`] has passed.
pub async fn until_answered(
    client: &reqwest::Client,
    base: &str,
    write: &Write,
    counters: &WriterCounters,
) -> Vec<Ack> {
    until_answered_on(client, &Bases::from(base), write, counters).await
}

/// [`until_answered`], each attempt on the next of `bases`.
pub async fn until_answered_on(
    client: &reqwest::Client,
    bases: &Bases,
    write: &Write,
    counters: &WriterCounters,
) -> Vec<Ack> {
    let started = tokio::time::Instant::now();
    let mut tries = 0u64;
    loop {
        counters.attempts.fetch_add(1, Ordering::Relaxed);
        match attempt(client, bases.at(tries), write).await {
            Outcome::Acked(acks) => {
                counters.writes.fetch_add(1, Ordering::Relaxed);
                return acks;
            }
            Outcome::Refused(why) => {
                eprintln!("write {} refused: {why}", write.mark());
                counters.refused.fetch_add(1, Ordering::Relaxed);
                return Vec::new();
            }
            Outcome::Retry(_) if started.elapsed() > RETRY_FOR => {
                counters.given_up.fetch_add(1, Ordering::Relaxed);
                return Vec::new();
            }
            Outcome::Retry(_) => {
                tries += 1;
                counters.retries.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(20 * tries.min(25))).await;
            }
        }
    }
}
