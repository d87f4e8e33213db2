//! The bounded per-connection queue: where live publications meet replays,
//! where signals are coalesced, and where a slow consumer is cut.
//!
//! The hub pushes shared publications in without waiting; the connection's
//! writer takes everything waiting in one batch (one socket write for many
//! frames).
//!
//! Each subscribed channel has a [`Cursor`]: the last position (`seq`, or
//! `offset` on the feed) the client was sent. While a subscription
//! recovers, live publications are held aside; [`Outbox::resume`] queues the
//! replay, then the held publications past the replay's end. Live
//! publications at or below the cursor are duplicates and dropped; one past
//! a gap is held and a refill from the store is asked for
//! ([`Control::Refill`]). So every durable event reaches the client exactly
//! once, in order, whatever the race between replay and publishing.
//!
//! Durable events are never dropped: when more than `capacity` of them
//! wait, the outbox closes with [`Closed::SlowConsumer`], frees what it
//! held, and the client recovers by `seq` on reconnect. Signals are
//! latest-wins: a newer one with the same key replaces the waiting one.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use foldhash::HashMap;
use tokio::sync::Notify;
use trackwire_broker::{Channel, Class, Publication};

use crate::hub::Subscriber;
use crate::protocol::ServerFrame;

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
    /// Held until the subscription's recovery ends.
    Held,
    /// Replaced a waiting signal with the same key.
    Coalesced,
    /// Not for this connection (any more), a duplicate, or a signal
    /// dropped under pressure.
    Dropped,
    Closed(Closed),
}

/// What the outbox asks of the session that owns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Control {
    /// A gap after the cursor: read the store from the cursor and resume.
    Refill(Channel),
    /// The topic closed (its order is final): leave the hub.
    Ended(Channel),
}

/// One item to write.
#[derive(Debug, Clone)]
pub enum Outgoing {
    /// A live publication, shared with every subscriber.
    Publication(Arc<Publication>),
    /// A frame of this session's own (answers, errors).
    Frame(Bytes),
    /// A frame that moves its topic's position: a replayed event, a
    /// snapshot, `subscribed`.
    Marked(Bytes, Mark),
}

/// Where a frame leaves its topic: what a stream cursor (SSE `id:`,
/// long-poll `cursor`) records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub topic: Arc<str>,
    /// Set by replays, snapshots and `subscribed`; live events keep it.
    pub epoch: Option<Arc<str>>,
    /// `seq`, or `offset` on the `orders` feed.
    pub position: u64,
    /// An event or a snapshot (not a `subscribed` frame).
    pub content: bool,
}

impl Outgoing {
    pub fn bytes(&self) -> &Bytes {
        match self {
            Outgoing::Publication(p) => &p.payload,
            Outgoing::Frame(bytes) | Outgoing::Marked(bytes, _) => bytes,
        }
    }

    /// The position this item brings its topic to, if any.
    pub fn mark(&self) -> Option<Mark> {
        match self {
            Outgoing::Marked(_, mark) => Some(mark.clone()),
            Outgoing::Frame(_) => None,
            Outgoing::Publication(p) => {
                let by = if &*p.channel.topic == crate::publish::FEED_TOPIC {
                    Position::Offset
                } else {
                    Position::Seq
                };
                position(by, p).map(|position| Mark {
                    topic: p.channel.topic.clone(),
                    epoch: None,
                    position,
                    content: true,
                })
            }
        }
    }

    /// Worth answering a long-poll for: an event, a signal, a snapshot, an
    /// `unsubscribed` or an error (not a bare `subscribed`).
    pub fn is_content(&self) -> bool {
        match self {
            Outgoing::Publication(_) | Outgoing::Frame(_) => true,
            Outgoing::Marked(_, mark) => mark.content,
        }
    }
}

/// Which number orders a channel's durable publications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    Seq,
    Offset,
}

#[derive(Debug)]
struct Cursor {
    by: Position,
    last: u64,
    /// Some while recovering: live publications wait here.
    held: Option<Vec<Arc<Publication>>>,
}

impl Cursor {
    fn position(&self, publication: &Publication) -> Option<u64> {
        position(self.by, publication)
    }
}

/// A durable publication's place on its channel; `None` for signals.
fn position(by: Position, publication: &Publication) -> Option<u64> {
    match (&publication.class, by) {
        (Class::Durable { seq, .. }, Position::Seq) => Some(*seq),
        (Class::Durable { offset, .. }, Position::Offset) => *offset,
        (Class::Ephemeral { .. }, _) => None,
    }
}

pub struct Outbox {
    state: Mutex<State>,
    ready: Notify,
    closing: Notify,
    capacity: usize,
    /// Wakes [`Asks::recv`] when an ask is queued.
    asked: Notify,
}

#[derive(Default)]
struct State {
    queue: VecDeque<Outgoing>,
    durable: usize,
    /// Looked up once per delivery: foldhash, not SipHash (the keys are a
    /// connection's own few subscriptions, so flooding one only slows it).
    cursors: HashMap<Channel, Cursor>,
    closed: Option<Closed>,
    /// Asks for the session, oldest first. Small: at most one refill and
    /// one end per channel.
    asks: VecDeque<Control>,
}

/// The receiving end of the outbox's asks ([`Control`]), in order.
///
/// A queue inside the outbox rather than a channel: a tokio channel
/// allocates a 2 KiB block when it is made, on every connection, for asks
/// that most connections never make.
pub struct Asks {
    outbox: Arc<Outbox>,
}

impl Asks {
    /// Waits for the next ask (cancel-safe: an ask is taken only when
    /// returned).
    pub async fn recv(&mut self) -> Control {
        loop {
            // Registered before the check, so an ask queued in between
            // still wakes us (notify_one keeps a permit).
            let asked = self.outbox.asked.notified();
            if let Some(ask) = self.outbox.state().asks.pop_front() {
                return ask;
            }
            asked.await;
        }
    }

    /// The next ask, if one waits.
    pub fn try_recv(&mut self) -> Option<Control> {
        self.outbox.state().asks.pop_front()
    }
}

impl Outbox {
    /// An outbox that holds at most `capacity` durable events before its
    /// consumer counts as slow, and the receiver of its [`Control`] asks.
    pub fn new(capacity: usize) -> (Arc<Self>, Asks) {
        let outbox = Arc::new(Self {
            state: Mutex::default(),
            ready: Notify::new(),
            closing: Notify::new(),
            capacity: capacity.max(1),
            asked: Notify::new(),
        });
        let asks = Asks {
            outbox: outbox.clone(),
        };
        (outbox, asks)
    }

    fn ask(&self, state: &mut State, control: Control) {
        state.asks.push_back(control);
        self.asked.notify_one();
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Plain data, consistent between statements: a poisoned lock is
        // still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts a subscription: from now on its live publications are held
    /// until [`Outbox::resume`]. False if the channel is already subscribed.
    pub fn begin(&self, channel: &Channel, by: Position) -> bool {
        let mut state = self.state();
        if state.cursors.contains_key(channel) {
            return false;
        }
        state.cursors.insert(
            channel.clone(),
            Cursor {
                by,
                last: 0,
                held: Some(Vec::new()),
            },
        );
        true
    }

    /// Ends a subscription; its waiting publications still go out.
    pub fn end(&self, channel: &Channel) {
        self.state().cursors.remove(channel);
    }

    /// The position last sent on a channel.
    pub fn cursor(&self, channel: &Channel) -> Option<u64> {
        self.state().cursors.get(channel).map(|c| c.last)
    }

    /// Queues a recovery's frames (replay or snapshot, then `subscribed`),
    /// sets the cursor to `last`, and releases what was held past it.
    pub fn resume(&self, channel: &Channel, frames: Vec<Outgoing>, last: u64) -> Pushed {
        let mut state = self.state();
        if let Some(closed) = state.closed {
            return Pushed::Closed(closed);
        }
        let Some(cursor) = state.cursors.get_mut(channel) else {
            return Pushed::Dropped;
        };
        cursor.last = cursor.last.max(last);
        let mut held = cursor.held.take().unwrap_or_default();
        let by = cursor.by;
        if state.queue.len() + frames.len() > self.max_queued() {
            return self.cut(&mut state);
        }
        state.queue.extend(frames);
        held.sort_by_key(|p| position(by, p));
        for publication in held {
            if let Pushed::Closed(closed) = self.place(&mut state, &publication) {
                return Pushed::Closed(closed);
            }
        }
        drop(state);
        self.ready.notify_one();
        Pushed::Queued
    }

    /// Queues a frame that answers the client (ack, error, pong …).
    pub fn send_frame(&self, frame: &ServerFrame) {
        self.send_bytes(frame.to_bytes());
    }

    pub fn send_bytes(&self, bytes: Bytes) {
        let mut state = self.state();
        if state.closed.is_some() {
            return;
        }
        if state.queue.len() >= self.max_queued() {
            // A client that asks and never reads: cut it like any other.
            self.cut(&mut state);
            return;
        }
        state.queue.push_back(Outgoing::Frame(bytes));
        drop(state);
        self.ready.notify_one();
    }

    /// Offers a live publication.
    pub fn push(&self, publication: &Arc<Publication>) -> Pushed {
        let mut state = self.state();
        let pushed = self.place(&mut state, publication);
        drop(state);
        if matches!(pushed, Pushed::Queued | Pushed::Closed(_)) {
            self.ready.notify_one();
        }
        pushed
    }

    /// The one rule for a publication meeting a cursor.
    fn place(&self, state: &mut State, publication: &Arc<Publication>) -> Pushed {
        if let Some(closed) = state.closed {
            return Pushed::Closed(closed);
        }
        let capacity = self.capacity;
        let Some(cursor) = state.cursors.get_mut(&publication.channel) else {
            return Pushed::Dropped;
        };
        let Some(position) = cursor.position(publication) else {
            // A signal.
            return match &mut cursor.held {
                Some(held) => hold_signal(held, publication, capacity),
                None => queue_signal(state, publication, capacity),
            };
        };
        if let Some(held) = &mut cursor.held {
            if held.len() >= capacity {
                return self.cut(state);
            }
            held.push(publication.clone());
            return Pushed::Held;
        }
        if position <= cursor.last {
            return Pushed::Dropped;
        }
        if position > cursor.last + 1 {
            // Missed or reordered on the way: hold it and refill from the store.
            cursor.held = Some(vec![publication.clone()]);
            let refill = Control::Refill(publication.channel.clone());
            self.ask(state, refill);
            return Pushed::Held;
        }
        cursor.last = position;
        let closes = matches!(
            publication.class,
            Class::Durable {
                closes_topic: true,
                ..
            }
        );
        if state.durable >= capacity {
            return self.cut(state);
        }
        state.durable += 1;
        state
            .queue
            .push_back(Outgoing::Publication(publication.clone()));
        if closes {
            state.cursors.remove(&publication.channel);
            state.queue.push_back(Outgoing::Frame(
                ServerFrame::Unsubscribed {
                    topic: publication.channel.topic.to_string(),
                    reason: "final".into(),
                }
                .to_bytes(),
            ));
            let ended = Control::Ended(publication.channel.clone());
            self.ask(state, ended);
        }
        Pushed::Queued
    }

    /// Everything one client may have waiting (answers and replays
    /// included) before it counts as a slow consumer.
    fn max_queued(&self) -> usize {
        self.capacity * 4
    }

    /// True while a channel's live publications are held (recovering, or a
    /// gap waiting for its refill).
    pub fn is_holding(&self, channel: &Channel) -> bool {
        self.state()
            .cursors
            .get(channel)
            .is_some_and(|c| c.held.is_some())
    }

    fn cut(&self, state: &mut State) -> Pushed {
        crate::metrics::slow_consumer_cut();
        state.closed = Some(Closed::SlowConsumer);
        state.queue = VecDeque::new();
        state.cursors = HashMap::default();
        state.durable = 0;
        self.ready.notify_one();
        self.closing.notify_waiters();
        Pushed::Closed(Closed::SlowConsumer)
    }

    /// Why the outbox closed, if it has.
    pub fn closed(&self) -> Option<Closed> {
        self.state().closed
    }

    /// Resolves once the outbox is closed: a writer blocked on a stalled
    /// socket races its write against this and gives up on a cut.
    pub async fn wait_closed(&self) -> Closed {
        loop {
            let notified = self.closing.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(closed) = self.state().closed {
                return closed;
            }
            notified.await;
        }
    }

    /// Waits until something is queued, then moves all of it into `batch`.
    /// Returns why the outbox closed once it is closed.
    pub async fn next_batch(&self, batch: &mut Vec<Outgoing>) -> Result<(), Closed> {
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

    /// Takes whatever waits now, without waiting (long-poll).
    pub fn take_now(&self, batch: &mut Vec<Outgoing>) -> Result<(), Closed> {
        let mut state = self.state();
        if let Some(closed) = state.closed {
            return Err(closed);
        }
        batch.extend(state.queue.drain(..));
        state.durable = 0;
        Ok(())
    }

    /// Stops the outbox; a waiting `next_batch` returns `reason`.
    pub fn close(&self, reason: Closed) {
        let mut state = self.state();
        if state.closed.is_none() && reason == Closed::SlowConsumer {
            crate::metrics::slow_consumer_cut();
        }
        state.closed.get_or_insert(reason);
        state.queue = VecDeque::new();
        state.cursors = HashMap::default();
        drop(state);
        self.ready.notify_one();
        self.closing.notify_waiters();
    }

    /// Items waiting now.
    pub fn len(&self) -> usize {
        self.state().queue.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn same_signal(a: &Publication, b: &Publication) -> bool {
    a.channel == b.channel
        && matches!((&a.class, &b.class), (Class::Ephemeral { key: x }, Class::Ephemeral { key: y }) if x == y)
}

fn hold_signal(
    held: &mut Vec<Arc<Publication>>,
    publication: &Arc<Publication>,
    capacity: usize,
) -> Pushed {
    if let Some(slot) = held.iter_mut().find(|p| same_signal(p, publication)) {
        *slot = publication.clone();
        return Pushed::Coalesced;
    }
    if held.len() >= capacity {
        return Pushed::Dropped;
    }
    held.push(publication.clone());
    Pushed::Held
}

fn queue_signal(state: &mut State, publication: &Arc<Publication>, capacity: usize) -> Pushed {
    let waiting = state
        .queue
        .iter_mut()
        .find(|queued| matches!(queued, Outgoing::Publication(p) if same_signal(p, publication)));
    if let Some(slot) = waiting {
        *slot = Outgoing::Publication(publication.clone());
        return Pushed::Coalesced;
    }
    if state.queue.len() >= capacity * 2 {
        return Pushed::Dropped;
    }
    state
        .queue
        .push_back(Outgoing::Publication(publication.clone()));
    Pushed::Queued
}

impl Subscriber for Outbox {
    fn deliver(&self, publication: &Arc<Publication>) {
        // The connection learns of a close from next_batch.
        let _ = self.push(publication);
    }
}

#[cfg(test)]
mod tests;
