//! What a connection writes, counted where it writes: plain fields per
//! batch, added to the global counters once per write batch (one atomic add
//! each, no lock, no allocation, no label lookup: the handles are made once
//! per transport). The queue depth and the event lag are sampled, once
//! every [`SAMPLE_EVERY`] batches of a connection.

use std::sync::LazyLock;

use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use metrics::{counter, gauge, histogram, Counter, Gauge, Histogram};
use trackwire_gateway::metrics::names;
use trackwire_gateway::ops::counters;
use trackwire_gateway::Outgoing;

/// Batches between two samples of a connection's queue depth or lag.
pub(crate) const SAMPLE_EVERY: u32 = 64;
/// How far into an envelope its `occurredAt` is looked for.
const HEAD_BYTES: usize = 512;

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
        counters::connections(transport as usize, 1);
        Self(transport)
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        self.0.handles().connections.decrement(1.0);
        counters::connections(self.0 as usize, -1);
    }
}

/// One connection's sampling clock (its counts are the writer's plain
/// fields, [`Counts`]).
pub(crate) struct Tally {
    handles: &'static Handles,
    /// The transport's index in the ops console's counters.
    transport: usize,
    /// Batches until the next depth sample.
    depth_in: u32,
    /// Batches until the next lag sample (counted from the last one).
    lag_in: u32,
}

/// What one batch brought: counted by the writer as it writes.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Counts {
    pub(crate) deliveries: u64,
    pub(crate) bytes: u64,
}

impl Counts {
    #[inline]
    pub(crate) fn add(&mut self, item: &Outgoing) {
        self.bytes += item.bytes().len() as u64;
        self.deliveries += u64::from(matches!(item, Outgoing::Publication(_)));
    }

    pub(crate) fn of(batch: &[Outgoing]) -> Self {
        let mut counts = Self::default();
        batch.iter().for_each(|item| counts.add(item));
        counts
    }
}

/// What a batch is sampled for, taken before it is written.
#[derive(Default)]
pub(crate) struct Sample {
    depth: Option<usize>,
    /// The first durable event's envelope.
    lag_of: Option<Bytes>,
}

impl Tally {
    pub(crate) fn new(transport: Transport) -> Self {
        Self {
            handles: transport.handles(),
            transport: transport as usize,
            depth_in: 0,
            lag_in: 0,
        }
    }

    /// Before `batch` is written: what to sample of it. Most batches only
    /// count down.
    pub(crate) fn sample(&mut self, batch: &[Outgoing]) -> Sample {
        let mut sample = Sample::default();
        if self.depth_in == 0 {
            sample.depth = Some(batch.len());
            self.depth_in = SAMPLE_EVERY - 1;
        } else {
            self.depth_in -= 1;
        }
        if self.lag_in == 0 {
            sample.lag_of = batch.iter().find_map(|item| match item {
                Outgoing::Publication(p) if p.is_durable() => Some(p.payload.clone()),
                _ => None,
            });
            if sample.lag_of.is_some() {
                self.lag_in = SAMPLE_EVERY - 1;
            }
        } else {
            self.lag_in -= 1;
        }
        sample
    }

    /// The batch reached the socket: its counts go to the global counters
    /// (an atomic add each), its sample to the histograms.
    pub(crate) fn written(&mut self, counts: Counts, sample: Sample) {
        if counts.deliveries > 0 {
            self.handles.deliveries.increment(counts.deliveries);
            counters::delivered(self.transport, counts.deliveries);
        }
        self.handles.bytes.increment(counts.bytes);
        if let Some(depth) = sample.depth {
            self.handles.depth.record(depth as f64);
        }
        if let Some(at) = sample.lag_of.as_deref().and_then(occurred_at) {
            self.handles.lag.record(lag_since(at));
        }
    }
}

/// Seconds from `at` (unix microseconds) to now; 0 for a clock behind.
fn lag_since(at: i64) -> f64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64);
    (now - at).max(0) as f64 / 1e6
}

/// The `occurredAt` of an envelope in unix microseconds, read off its
/// bytes (no JSON parse: a quote inside a string is escaped, so the key
/// cannot be matched there, and the envelope's comes before its payload's
/// keys).
fn occurred_at(envelope: &[u8]) -> Option<i64> {
    static KEY: LazyLock<memchr::memmem::Finder<'static>> =
        LazyLock::new(|| memchr::memmem::Finder::new(b"\"occurredAt\":\""));
    let head = &envelope[..envelope.len().min(HEAD_BYTES)];
    let start = KEY.find(head)? + KEY.needle().len();
    let rest = &envelope[start..];
    let end = rest.iter().position(|&b| b == b'"')?;
    let text = std::str::from_utf8(&rest[..end]).ok()?;
    utc_micros(text).or_else(|| {
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|at| at.with_timezone(&Utc).timestamp_micros())
    })
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, the form the server writes, without
/// chrono's general parser (ten times the instructions); `None` for any
/// other form.
fn utc_micros(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    if *b.last()? != b'Z' {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        b[range].iter().try_fold(0i64, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + i64::from(d - b'0'))
        })
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut micros = 0;
    let fraction = &b[19..b.len() - 1];
    if let Some((&b'.', digits)) = fraction.split_first() {
        let mut scale = 100_000;
        for &d in digits {
            if !d.is_ascii_digit() {
                return None;
            }
            micros += i64::from(d - b'0') * scale;
            scale /= 10;
        }
    } else if !fraction.is_empty() {
        return None;
    }
    let days = NaiveDate::from_ymd_opt(year as i32, month as u32, day as u32)?
        .signed_duration_since(NaiveDate::from_ymd_opt(1970, 1, 1)?)
        .num_days();
    Some(((days * 24 + hour) * 60 + minute) * 60_000_000 + second * 1_000_000 + micros)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn occurred_at_is_read_off_the_envelope() {
        let envelope = br#"{"type":"event","event":{"id":"1","type":"eta_changed","topic":"order:A","seq":2,"occurredAt":"2026-12-02T05:00:00.250Z","version":1,"payload":{"text":"\"occurredAt\":\"x"}}}"#;
        let expected = DateTime::parse_from_rfc3339("2026-12-02T05:00:00.250Z")
            .expect("time")
            .timestamp_micros();
        assert_eq!(occurred_at(envelope), Some(expected));
        assert_eq!(
            occurred_at(br#"{"payload":{"text":"\"occurredAt\":\"1\""}}"#),
            None
        );
    }

    #[test]
    fn the_fast_parse_agrees_with_chrono() {
        for text in [
            "2026-12-02T05:46:34.323330Z",
            "2026-12-02T05:46:34.319285332Z",
            "2024-02-29T23:59:59Z",
            "1970-01-01T00:00:00.000001Z",
        ] {
            let chrono = DateTime::parse_from_rfc3339(text)
                .expect(text)
                .timestamp_micros();
            assert_eq!(utc_micros(text), Some(chrono), "{text}");
        }
        assert_eq!(utc_micros("2026-12-02T05:46:34+01:00"), None);
        assert_eq!(utc_micros("2026-12-02T05:46:34.x1Z"), None);
    }
}
