//! Each real-time connection's log lines carry its id: a WebSocket from
//! upgrade to close, an SSE stream, a long-poll request. The span is a
//! child of the request's (whose `request_id` the lines carry too), and
//! at INFO, so its fields are on every line logged inside it.

use rand::Rng;

/// A fresh span for one connection over `transport` (`ws`, `sse`, `poll`).
pub(crate) fn connection(transport: &'static str) -> tracing::Span {
    let id = rand::rng().random::<u64>() >> 16;
    tracing::info_span!(
        "connection",
        connection_id = %format_args!("{id:012x}"),
        transport
    )
}
