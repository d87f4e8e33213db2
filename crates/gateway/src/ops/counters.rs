//! The few figures the ops console shows, kept in plain atomics beside the
//! Prometheus instruments (which are no-ops when no recorder is installed,
//! and cannot be read back cheaply when one is). Each is one relaxed atomic
//! add where the Prometheus counter is incremented: no lock, no allocation,
//! no label lookup. The delivery path adds once per written batch, as it
//! does for Prometheus.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};

use trackwire_domain::Code;

/// The real-time transports, in the order the server's tally numbers them.
pub const TRANSPORTS: [&str; 3] = ["ws", "sse", "longpoll"];

/// Upper bounds (ms) of the client freshness histogram's buckets; one more
/// bucket counts everything above the last.
pub const LAG_BUCKETS_MS: [f64; 9] = [
    50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0, 10_000.0, 30_000.0,
];

const CODES: usize = Code::ALL.len();

static CONNECTIONS: [AtomicI64; 3] = [const { AtomicI64::new(0) }; 3];
static DELIVERIES: [AtomicU64; 3] = [const { AtomicU64::new(0) }; 3];
static SLOW_CONSUMER_CUTS: AtomicU64 = AtomicU64::new(0);
static REFUSALS: [AtomicU64; CODES] = [const { AtomicU64::new(0) }; CODES];
static CLIENT_LAG: [AtomicU64; LAG_BUCKETS_MS.len() + 1] =
    [const { AtomicU64::new(0) }; LAG_BUCKETS_MS.len() + 1];

/// A connection of transport `transport` (an index of [`TRANSPORTS`])
/// opened (`+1`) or closed (`-1`).
#[inline]
pub fn connections(transport: usize, change: i64) {
    CONNECTIONS[transport].fetch_add(change, Relaxed);
}

/// `count` live events written on `transport` (once per batch).
#[inline]
pub fn delivered(transport: usize, count: u64) {
    DELIVERIES[transport].fetch_add(count, Relaxed);
}

pub fn slow_consumer_cut() {
    SLOW_CONSUMER_CUTS.fetch_add(1, Relaxed);
}

/// A client was refused with `code` (credentials, a limit, a subscribe,
/// a mutation or a publish).
pub fn refused(code: Code) {
    REFUSALS[code as usize].fetch_add(1, Relaxed);
}

/// One client-reported lag sample, in milliseconds.
pub fn client_lag(ms: f64) {
    let bucket = LAG_BUCKETS_MS
        .iter()
        .position(|&bound| ms <= bound)
        .unwrap_or(LAG_BUCKETS_MS.len());
    CLIENT_LAG[bucket].fetch_add(1, Relaxed);
}

/// Everything counted since the process started, read at one moment (each
/// figure on its own: the set is not one atomic snapshot, which a console
/// refreshed every second does not need).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub connections: [i64; 3],
    pub deliveries: [u64; 3],
    pub slow_consumer_cuts: u64,
    pub refusals: Vec<u64>,
    pub client_lag: Vec<u64>,
}

pub fn totals() -> Totals {
    Totals {
        connections: CONNECTIONS.each_ref().map(|c| c.load(Relaxed).max(0)),
        deliveries: DELIVERIES.each_ref().map(|c| c.load(Relaxed)),
        slow_consumer_cuts: SLOW_CONSUMER_CUTS.load(Relaxed),
        refusals: REFUSALS.iter().map(|c| c.load(Relaxed)).collect(),
        client_lag: CLIENT_LAG.iter().map(|c| c.load(Relaxed)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lag_lands_in_the_first_bucket_that_holds_it() {
        let before = totals().client_lag;
        for ms in [0.0, 50.0, 50.5, 30_000.0, 99_999.0] {
            client_lag(ms);
        }
        let after = totals().client_lag;
        let added: Vec<u64> = after.iter().zip(&before).map(|(a, b)| a - b).collect();
        assert_eq!(added, [2, 1, 0, 0, 0, 0, 0, 0, 1, 1]);
    }

    #[test]
    fn refusals_are_counted_by_code() {
        let at = Code::Forbidden as usize;
        let before = totals().refusals[at];
        refused(Code::Forbidden);
        // Other tests of this binary may refuse at the same time.
        assert!(totals().refusals[at] > before);
    }
}
