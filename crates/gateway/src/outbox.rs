//! The bounded per-subscriber queue, and where a slow consumer is cut.
//!
//! The hub pushes shared publications in without waiting; the connection's
//! writer takes everything waiting in one batch (one socket write for many
//! frames). Durable events are never dropped: when more than `capacity` of
//! them wait, the outbox closes with [`Closed::SlowConsumer`], frees what it
//! held, and the client recovers by `seq` on reconnect. Ephemeral signals are
//! latest-wins: a newer one with the same key replaces the waiting one.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::Notify;
use trackwire_broker::{Class, Publication};

use crate::hub::Subscriber;

/// Why an outbox stopped taking publications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// More durable events waited than the capacity allows.
    SlowConsumer,
    /// The connection is going away.
    Gone,
}

/// What happened to a pushed publication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushed {
    Queued,
    /// Replaced a waiting signal with the same key.
    Coalesced,
    /// A signal dropped because the queue is full of other signals.
    Dropped,
    Closed(Closed),
}

pub struct Outbox {
    state: Mutex<State>,
    ready: Notify,
    capacity: usize,
}

#[derive(Default)]
struct State {
    queue: VecDeque<Arc<Publication>>,
    durable: usize,
    closed: Option<Closed>,
}

impl Outbox {
    /// An outbox that holds at most `capacity` durable events (and as many
    /// signals) before its consumer counts as slow.
    pub fn new(capacity: usize) -> Self {
        Self {
            state: Mutex::default(),
            ready: Notify::new(),
            capacity: capacity.max(1),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // The lock guards plain data and is never held across a panic
        // point that leaves it inconsistent, so a poisoned lock is usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn push(&self, publication: &Arc<Publication>) -> Pushed {
        let mut state = self.state();
        if let Some(closed) = state.closed {
            return Pushed::Closed(closed);
        }
        match &publication.class {
            Class::Ephemeral { key } => {
                let waiting = state.queue.iter_mut().find(|queued| {
                    queued.channel == publication.channel
                        && matches!(&queued.class, Class::Ephemeral { key: k } if k == key)
                });
                if let Some(slot) = waiting {
                    *slot = publication.clone();
                    return Pushed::Coalesced;
                }
                if state.queue.len() - state.durable >= self.capacity {
                    return Pushed::Dropped;
                }
            }
            Class::Durable { .. } => {
                if state.durable >= self.capacity {
                    state.closed = Some(Closed::SlowConsumer);
                    state.queue = VecDeque::new();
                    state.durable = 0;
                    drop(state);
                    self.ready.notify_one();
                    return Pushed::Closed(Closed::SlowConsumer);
                }
                state.durable += 1;
            }
        }
        state.queue.push_back(publication.clone());
        drop(state);
        self.ready.notify_one();
        Pushed::Queued
    }

    /// Waits until something is queued, then moves all of it into `batch`.
    /// Returns why the outbox closed once it is closed and empty.
    pub async fn next_batch(&self, batch: &mut Vec<Arc<Publication>>) -> Result<(), Closed> {
        loop {
            {
                let mut state = self.state();
                if let Some(closed) = state.closed {
                    return Err(closed);
                }
                if !state.queue.is_empty() {
                    batch.extend(state.queue.drain(..));
                    state.durable = 0;
                    return Ok(());
                }
            }
            self.ready.notified().await;
        }
    }

    /// Stops the outbox; a waiting `next_batch` returns `reason`.
    pub fn close(&self, reason: Closed) {
        let mut state = self.state();
        state.closed.get_or_insert(reason);
        state.queue = VecDeque::new();
        drop(state);
        self.ready.notify_one();
    }

    /// Publications waiting now.
    pub fn len(&self) -> usize {
        self.state().queue.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Subscriber for Outbox {
    fn deliver(&self, publication: &Arc<Publication>) {
        // The connection learns of a close from next_batch.
        let _ = self.push(publication);
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use trackwire_broker::Channel;

    use super::*;

    fn durable(seq: u64) -> Arc<Publication> {
        Arc::new(Publication {
            channel: Channel::new("t", "order:A"),
            class: Class::Durable { seq, offset: None },
            payload: Bytes::from(format!("{seq}")),
        })
    }

    fn signal(key: &str, body: &str) -> Arc<Publication> {
        Arc::new(Publication {
            channel: Channel::new("t", "order:A"),
            class: Class::Ephemeral { key: key.into() },
            payload: Bytes::from(body.to_owned()),
        })
    }

    #[tokio::test]
    async fn batches_everything_waiting() {
        let outbox = Outbox::new(8);
        for seq in 1..=3 {
            assert_eq!(outbox.push(&durable(seq)), Pushed::Queued);
        }
        let mut batch = Vec::new();
        outbox.next_batch(&mut batch).await.expect("open");
        assert_eq!(
            batch.iter().map(|p| p.seq()).collect::<Vec<_>>(),
            [Some(1), Some(2), Some(3)]
        );
        assert!(outbox.is_empty());
    }

    #[tokio::test]
    async fn signals_are_latest_wins_per_key_and_keep_their_place() {
        let outbox = Outbox::new(8);
        outbox.push(&signal("location:order:A", "old"));
        outbox.push(&durable(1));
        outbox.push(&signal("typing", "t"));
        assert_eq!(
            outbox.push(&signal("location:order:A", "new")),
            Pushed::Coalesced
        );
        let mut batch = Vec::new();
        outbox.next_batch(&mut batch).await.expect("open");
        let bodies: Vec<_> = batch.iter().map(|p| p.payload.clone()).collect();
        assert_eq!(bodies, ["new", "1", "t"]);
    }

    #[tokio::test]
    async fn an_overflowing_durable_backlog_closes_as_slow_consumer() {
        let outbox = Outbox::new(2);
        outbox.push(&durable(1));
        outbox.push(&durable(2));
        assert_eq!(
            outbox.push(&durable(3)),
            Pushed::Closed(Closed::SlowConsumer)
        );
        assert!(outbox.is_empty(), "the backlog is freed at once");
        assert_eq!(
            outbox.push(&durable(4)),
            Pushed::Closed(Closed::SlowConsumer)
        );
        let mut batch = Vec::new();
        assert_eq!(
            outbox.next_batch(&mut batch).await,
            Err(Closed::SlowConsumer)
        );
    }

    #[tokio::test]
    async fn a_waiting_writer_wakes_on_push_and_on_close() {
        let outbox = Arc::new(Outbox::new(4));
        let writer = {
            let outbox = outbox.clone();
            tokio::spawn(async move {
                let mut batch = Vec::new();
                outbox.next_batch(&mut batch).await.map(|()| batch.len())
            })
        };
        outbox.push(&durable(1));
        assert_eq!(writer.await.expect("join"), Ok(1));
        let writer = {
            let outbox = outbox.clone();
            tokio::spawn(async move { outbox.next_batch(&mut Vec::new()).await })
        };
        outbox.close(Closed::Gone);
        assert_eq!(writer.await.expect("join"), Err(Closed::Gone));
    }
}
