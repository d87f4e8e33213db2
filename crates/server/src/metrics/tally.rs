//! What a connection writes, counted where it writes: plain fields per
//! batch, added to the global counters once per write batch (one atomic add
//! each, no lock, no allocation, no label lookup: the handles are made once
//! per transport). The queue depth and the event lag are sampled, once
//! every [`SAMPLE_EVERY`] batches of a connection.

use std::sync::LazyLock;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use metrics::{counter, gauge, histogram, Counter, Gauge, Histogram};
use trackwire_gateway::metrics::names;
use trackwire_gateway::Outgoing;

/// Batches between two samples of a connection's queue depth or lag.
pub(crate) const SAMPLE_EVERY: u32 = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transport {
    Ws,
    Sse,
    LongPoll,
}

impl Transport {
    const ALL: [Transport; 3] = [Transport::Ws, Transport::Sse, Transport::LongPoll];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Transport::Ws => "ws",
            Transport::Sse => "sse",
            Transport::LongPoll => "longpoll",
        }
    }

    fn handles(self) -> &'static Handles {
        &HANDLES[self as usize]
    }
}

struct Handles {
    connections: Gauge,
    deliveries: Counter,
    bytes: Counter,
    depth: Histogram,
    lag: Histogram,
}

static HANDLES: LazyLock<[Handles; 3]> = LazyLock::new(|| {
    Transport::ALL.map(|transport| {
        let label = transport.as_str();
        Handles {
            connections: gauge!(names::CONNECTIONS, "transport" => label),
            deliveries: counter!(names::DELIVERIES, "transport" => label),
            bytes: counter!(names::BYTES_OUT, "transport" => label),
            depth: histogram!(names::QUEUE_DEPTH, "transport" => label),
            lag: histogram!(names::EVENT_LAG_SECONDS, "transport" => label),
        }
    })
});

/// Counts one open connection while it lives.
pub(crate) struct Open(Transport);

impl Open {
    pub(crate) fn new(transport: Transport) -> Self {
        transport.handles().connections.increment(1.0);
        Self(transport)
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        self.0.handles().connections.decrement(1.0);
    }
}

/// One connection's counts.
pub(crate) struct Tally {
    handles: &'static Handles,
    /// Batches until the next depth sample.
    depth_in: u32,
    /// Batches until the next lag sample (counted from the last one).
    lag_in: u32,
}

/// One batch, counted before it is written.
pub(crate) struct Batch {
    deliveries: u64,
    bytes: u64,
    depth: Option<usize>,
    /// The first durable event, when the lag is due for a sample.
    lag_of: Option<Bytes>,
}

impl Tally {
    pub(crate) fn new(transport: Transport) -> Self {
        Self {
            handles: transport.handles(),
            depth_in: 0,
            lag_in: 0,
        }
    }

    /// Counts `batch` (before it is written and drained).
    pub(crate) fn count(&mut self, batch: &[Outgoing]) -> Batch {
        let mut counted = Batch {
            deliveries: 0,
            bytes: 0,
            depth: None,
            lag_of: None,
        };
        for item in batch {
            counted.bytes += item.bytes().len() as u64;
            if let Outgoing::Publication(publication) = item {
                counted.deliveries += 1;
                if self.lag_in == 0 && counted.lag_of.is_none() && publication.is_durable() {
                    counted.lag_of = Some(publication.payload.clone());
                }
            }
        }
        if counted.lag_of.is_some() {
            self.lag_in = SAMPLE_EVERY - 1;
        } else {
            self.lag_in = self.lag_in.saturating_sub(1);
        }
        if self.depth_in == 0 {
            counted.depth = Some(batch.len());
            self.depth_in = SAMPLE_EVERY - 1;
        } else {
            self.depth_in -= 1;
        }
        counted
    }

    /// The batch reached the socket.
    pub(crate) fn written(&mut self, batch: Batch) {
        if batch.deliveries > 0 {
            self.handles.deliveries.increment(batch.deliveries);
        }
        self.handles.bytes.increment(batch.bytes);
        if let Some(depth) = batch.depth {
            self.handles.depth.record(depth as f64);
        }
        if let Some(at) = batch.lag_of.as_deref().and_then(occurred_at) {
            let lag = (Utc::now() - at).to_std().unwrap_or_default();
            self.handles.lag.record(lag.as_secs_f64());
        }
    }
}

/// The `occurredAt` of an envelope, read off its bytes (no JSON parse: a
/// quote inside a string is escaped, so the key cannot be matched there).
fn occurred_at(envelope: &[u8]) -> Option<DateTime<Utc>> {
    const KEY: &[u8] = b"\"occurredAt\":\"";
    let start = envelope.windows(KEY.len()).position(|w| w == KEY)? + KEY.len();
    let rest = &envelope[start..];
    let end = rest.iter().position(|&b| b == b'"')?;
    let text = std::str::from_utf8(&rest[..end]).ok()?;
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|at| at.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn occurred_at_is_read_off_the_envelope() {
        let envelope = br#"{"id":"1","type":"eta_changed","topic":"order:A","seq":2,"occurredAt":"2026-12-02T05:00:00.250Z","version":1,"payload":{"text":"\"occurredAt\":\"x"}}"#;
        let at = occurred_at(envelope).expect("found");
        assert_eq!(at.to_rfc3339(), "2026-12-02T05:00:00.250+00:00");
        assert_eq!(
            occurred_at(br#"{"payload":{"text":"\"occurredAt\":\"1\""}}"#),
            None
        );
    }
}
