//! The node's instruments, through the `metrics` facade: counters, gauges
//! and histograms that any recorder may collect (the binary installs the
//! Prometheus one, `trackwire_server::metrics`). Without a recorder every
//! call here is a no-op.
//!
//! - [`names`]: every metric name, with its type, labels and help text.
//! - [`timed`]: [`TimedStore`] and [`TimedBroker`], decorators that time
//!   every store operation and every publish without touching a backend.
//! - The functions below: what the gateway itself counts (subscriptions,
//!   recovery outcomes, slow consumers cut).
//!
//! Handles are made once, the first time they are used (label lookup is
//! costly), so a recorder must be installed before the first connection.

pub mod names;
pub mod timed;

use std::sync::LazyLock;

use metrics::{counter, gauge, Counter, Gauge};

pub use timed::{TimedBroker, TimedStore};

static SUBSCRIPTIONS: LazyLock<Gauge> = LazyLock::new(|| gauge!(names::SUBSCRIPTIONS));
static SLOW_CONSUMER_CUTS: LazyLock<Counter> =
    LazyLock::new(|| counter!(names::SLOW_CONSUMER_CUTS));
static REPLAYS: LazyLock<[Counter; 3]> = LazyLock::new(|| {
    Replay::ALL.map(|outcome| counter!(names::REPLAYS, "outcome" => outcome.as_str()))
});

/// How a subscription's recovery ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replay {
    /// Events replayed from the client's position (`recovered: true`).
    Recovered,
    /// A snapshot instead: a first subscription, too far behind, or the
    /// epoch changed.
    Snapshot,
    /// The subscription was refused (forbidden, not found, unavailable …).
    Refused,
}

impl Replay {
    pub const ALL: [Replay; 3] = [Replay::Recovered, Replay::Snapshot, Replay::Refused];

    pub fn as_str(self) -> &'static str {
        match self {
            Replay::Recovered => "recovered",
            Replay::Snapshot => "snapshot",
            Replay::Refused => "refused",
        }
    }
}

pub(crate) fn replayed(outcome: Replay) {
    REPLAYS[outcome as usize].increment(1);
}

/// `count` subscriptions opened (positive) or ended (negative).
pub(crate) fn subscriptions(count: isize) {
    if count != 0 {
        SUBSCRIPTIONS.increment(count as f64);
    }
}

pub(crate) fn slow_consumer_cut() {
    SLOW_CONSUMER_CUTS.increment(1);
    crate::ops::counters::slow_consumer_cut();
}
