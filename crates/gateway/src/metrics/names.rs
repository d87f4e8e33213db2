//! Every metric a node exports: the one list that docs/operations.md and
//! deploy/grafana/trackwire.json follow. Histograms are in seconds
//! (`_seconds`) or in frames; counters end in `_total`.

/// Gauge, `transport` = `ws` | `sse` | `longpoll`: open real-time
/// connections (long-poll: requests being held).
pub const CONNECTIONS: &str = "trackwire_connections";
/// Gauge: subscriptions of open sessions (a connection with three topics
/// counts three).
pub const SUBSCRIPTIONS: &str = "trackwire_subscriptions";
/// Counter, `transport`: live events written to clients.
pub const DELIVERIES: &str = "trackwire_deliveries_total";
/// Counter, `transport`: bytes of frames written to clients (payloads, not
/// framing).
pub const BYTES_OUT: &str = "trackwire_bytes_out_total";
/// Histogram, `transport`: frames waiting in a connection's outbox when
/// its writer took them (one batch), sampled once every 64 batches.
pub const QUEUE_DEPTH: &str = "trackwire_outbound_queue_depth";
/// Counter: connections cut because their outbox overflowed.
pub const SLOW_CONSUMER_CUTS: &str = "trackwire_slow_consumer_cuts_total";
/// Counter, `outcome` = `recovered` | `snapshot` | `refused`: how each
/// subscription's recovery ended.
pub const REPLAYS: &str = "trackwire_replays_total";
/// Counter, `transport`, `code`: connections ended, by the reason code of
/// their close (`draining` means the client was told to reconnect;
/// `client_gone` that the client left).
pub const CLOSES: &str = "trackwire_closes_total";
/// Counter, `code`: credentials refused (REST, real-time admission, the
/// `auth` frame), by the code the client was given.
pub const AUTH_REFUSALS: &str = "trackwire_auth_refusals_total";
/// Counter, `limit` = `connections` | `frames` | `auth_attempts`: requests
/// or frames refused by a rate or connection limit.
pub const RATE_LIMITED: &str = "trackwire_rate_limited_total";
/// Histogram, `op` (the `Store` method) and `outcome` = `ok` | `error`:
/// seconds per store operation.
pub const STORE_SECONDS: &str = "trackwire_store_seconds";
/// Histogram, `outcome`: seconds per broker publish.
pub const PUBLISH_SECONDS: &str = "trackwire_broker_publish_seconds";
/// Histogram, `transport`: seconds from an event's `occurredAt` (set when
/// it is stored) to its write to the client's socket, sampled once every 64
/// batches per connection.
pub const EVENT_LAG_SECONDS: &str = "trackwire_event_lag_seconds";
/// Histogram, `tenant`: seconds from `occurredAt` to applied in a client's
/// UI, as its SDK reported them (`POST /v1/telemetry`, sampled).
pub const CLIENT_LAG_SECONDS: &str = "trackwire_client_lag_seconds";
/// Histogram, `tenant`: seconds of each spell a client's connection spent
/// degraded, as its SDK reported them.
pub const CLIENT_DEGRADED_SECONDS: &str = "trackwire_client_degraded_seconds";

/// Every metric with its type and help text, for the recorder's
/// descriptions.
pub const ALL: &[(&str, Kind, &str)] = &[
    (
        CONNECTIONS,
        Kind::Gauge,
        "Open real-time connections, by transport.",
    ),
    (
        SUBSCRIPTIONS,
        Kind::Gauge,
        "Subscriptions of open sessions.",
    ),
    (
        DELIVERIES,
        Kind::Counter,
        "Live events written to clients, by transport.",
    ),
    (
        BYTES_OUT,
        Kind::Counter,
        "Bytes of frames written to clients, by transport.",
    ),
    (
        QUEUE_DEPTH,
        Kind::Histogram,
        "Frames waiting when a connection's writer took them (sampled).",
    ),
    (
        SLOW_CONSUMER_CUTS,
        Kind::Counter,
        "Connections cut because their outbox overflowed.",
    ),
    (
        REPLAYS,
        Kind::Counter,
        "Subscription recoveries, by outcome.",
    ),
    (
        CLOSES,
        Kind::Counter,
        "Connections ended, by transport and reason code.",
    ),
    (
        AUTH_REFUSALS,
        Kind::Counter,
        "Credentials refused, by code.",
    ),
    (
        RATE_LIMITED,
        Kind::Counter,
        "Requests or frames refused by a limit, by limit.",
    ),
    (
        STORE_SECONDS,
        Kind::Histogram,
        "Seconds per store operation, by operation and outcome.",
    ),
    (
        PUBLISH_SECONDS,
        Kind::Histogram,
        "Seconds per broker publish, by outcome.",
    ),
    (
        EVENT_LAG_SECONDS,
        Kind::Histogram,
        "Seconds from an event's occurredAt to its write to a socket (sampled).",
    ),
    (
        CLIENT_LAG_SECONDS,
        Kind::Histogram,
        "Seconds from occurredAt to applied in clients, by tenant (reported, sampled).",
    ),
    (
        CLIENT_DEGRADED_SECONDS,
        Kind::Histogram,
        "Seconds of each degraded spell of clients, by tenant (reported).",
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Counter,
    Gauge,
    Histogram,
}
