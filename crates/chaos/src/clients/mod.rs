//! Clients that watch topics through the proxy, reconnect through every
//! fault with their cursor, and record what they applied
//! ([`crate::history::ClientLog`]): WebSocket, SSE resumed with
//! `Last-Event-ID`, long-poll with its cursor, and the JS SDK in Node.
//!
//! Each runs until the run tells it the history's heads ([`Targets`]) and
//! it has reached them, or until [`PATIENCE`] after that: a client that
//! never gets there ends where it is, and the checker says so.

pub mod node;
pub mod poll;
pub mod sse;
pub mod ws;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::watch;

use crate::history::{pos_field, ClientLog};

/// How long a client may take to reach the heads once told them.
pub const PATIENCE: Duration = Duration::from_secs(45);

/// Silence after which a link counts as dead: two 1 s heartbeats and a
/// half (the server runs with `--heartbeat 1`).
pub const SILENCE: Duration = Duration::from_millis(2500);

/// The heads each topic must reach; `None` while the run still writes.
pub type Targets = watch::Receiver<Option<BTreeMap<String, u64>>>;

/// The servers a client (or a writer) may reach: one, or every node of a
/// cluster. Its `n`-th connection goes to [`Bases::at`]`(n)`, so each
/// reconnect lands on the next node.
#[derive(Debug, Clone)]
pub struct Bases(Arc<[String]>);

impl Bases {
    /// The base URL for the `n`-th connection.
    pub fn at(&self, n: u64) -> &str {
        &self.0[(n % self.0.len() as u64) as usize]
    }

    /// The same nodes, starting `by` further on (to spread clients).
    pub fn rotated(&self, by: usize) -> Self {
        let mut all = self.0.to_vec();
        let by = by % all.len();
        all.rotate_left(by);
        Self(all.into())
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Vec<String>> for Bases {
    /// Panics on an empty list: a client needs somewhere to go.
    fn from(all: Vec<String>) -> Self {
        assert!(!all.is_empty(), "a client needs at least one server");
        Self(all.into())
    }
}

impl From<&str> for Bases {
    fn from(base: &str) -> Self {
        Self(vec![base.to_owned()].into())
    }
}

impl From<&String> for Bases {
    fn from(base: &String) -> Self {
        Self::from(base.as_str())
    }
}

impl From<&Bases> for Bases {
    fn from(bases: &Bases) -> Self {
        bases.clone()
    }
}

/// Which transport a Rust client uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    WebSocket,
    /// A WebSocket client that drops one replayed event: the deliberate
    /// bug the checker must catch.
    BuggyWebSocket,
    Sse,
    LongPoll,
}

impl Transport {
    pub fn name(self) -> &'static str {
        match self {
            Self::WebSocket => "ws",
            Self::BuggyWebSocket => "buggy-ws",
            Self::Sse => "sse",
            Self::LongPoll => "poll",
        }
    }
}

/// Runs one client to its end.
pub async fn run(
    transport: Transport,
    bases: Bases,
    log: ClientLog,
    targets: Targets,
) -> ClientLog {
    match transport {
        Transport::WebSocket => ws::run(bases, log, targets, false).await,
        Transport::BuggyWebSocket => ws::run(bases, log, targets, true).await,
        Transport::Sse => sse::run(bases, log, targets).await,
        Transport::LongPoll => poll::run(bases, log, targets).await,
    }
}

/// Whether every topic of `log` is at its target.
pub fn reached(log: &ClientLog, targets: &Targets) -> bool {
    let targets = targets.borrow();
    let Some(targets) = targets.as_ref() else {
        return false;
    };
    log.topics
        .iter()
        .all(|(topic, view)| view.pos >= targets.get(topic).copied().unwrap_or(0))
}

/// Whether the client should stop: at the heads, or out of patience.
pub fn finished(
    log: &ClientLog,
    targets: &Targets,
    told: &mut Option<tokio::time::Instant>,
) -> bool {
    if targets.borrow().is_some() && told.is_none() {
        *told = Some(tokio::time::Instant::now());
    }
    reached(log, targets) || told.is_some_and(|t| t.elapsed() > PATIENCE)
}

/// Applies a server frame to the topic it names, if the client watches
/// it. Feed events name their order's topic: a client of the feed
/// (which watches `orders` alone) applies every event frame by `offset`.
pub fn apply(log: &mut ClientLog, frame: &Value) {
    if let Some(feed) = log.topics.get_mut("orders") {
        if frame["type"] == "event" || frame["topic"] == "orders" {
            feed.apply(frame, "offset");
        }
        return;
    }
    let topic = frame["topic"]
        .as_str()
        .or_else(|| frame["event"]["topic"].as_str());
    if let Some(view) = topic.and_then(|t| log.topics.get_mut(t)) {
        view.apply(frame, pos_field(topic.unwrap_or_default()));
    }
}

/// A pause between reconnects: full jitter under a cap that grows with
/// the attempts (so a storm of clients does not come back in one step).
pub async fn backoff(attempt: u64) {
    let cap = 100 * (1 + attempt.min(10));
    let ms = rand::random_range(10..=cap);
    tokio::time::sleep(Duration::from_millis(ms)).await;
}
