//! Limits and intervals of the real-time transports, with their defaults.

use std::time::Duration;

use trackwire_gateway::SessionConfig;

#[derive(Debug, Clone)]
pub struct RealtimeConfig {
    /// The server pings every interval; a peer silent for two intervals is
    /// dropped. Clients should ping at the same interval.
    pub heartbeat: Duration,
    pub session: SessionConfig,
    /// A text frame above this gets an `error {code: too_large}`; the
    /// connection stays.
    pub max_frame_bytes: usize,
    /// A frame above this closes the connection (1009): it is not even read.
    pub hard_frame_bytes: usize,
    /// Refused frames allowed per `error_window` before the connection is
    /// closed as abusive (4000).
    pub error_budget: usize,
    pub error_window: Duration,
    /// On drain, clients are told to reconnect after a delay drawn at random
    /// from zero to this, so they do not all come back at once.
    pub drain_window: Duration,
    /// WebSocket read buffer per connection (memory per idle connection).
    /// Client frames are small (an `auth` with its token is under 1 KiB);
    /// a larger one is read in several reads, not refused.
    pub read_buffer_bytes: usize,
    /// Frames are gathered up to this before a socket write.
    pub write_buffer_bytes: usize,
    /// Longest a long-poll request is held when nothing is new.
    pub poll_wait: Duration,
    /// Base of the SSE `retry:` hint; each stream adds up to as much again
    /// at random, so reconnects spread out.
    pub sse_retry: Duration,
    /// A WebSocket that must authenticate and sends no `auth` frame within
    /// this is closed (4001).
    pub auth_timeout: Duration,
    /// `auth_expiring` is sent this long before the token expires.
    pub auth_expiring_lead: Duration,
    /// Client frames per second per connection, sustained; `frame_burst`
    /// may come at once. Beyond it frames are refused `rate_limited`, and a
    /// client that keeps going past its error budget is closed (4008).
    pub frames_per_second: u32,
    pub frame_burst: u32,
    /// Open real-time connections (WebSocket, SSE, held long-polls) per
    /// client IP and per authenticated subject.
    pub max_connections_per_ip: usize,
    pub max_connections_per_subject: usize,
    /// How long a cut slow consumer's socket gets to take its close frame
    /// (4009) behind what it still holds; then the connection is dropped.
    pub slow_consumer_grace: Duration,
    /// False: WebSocket upgrades are refused (403 `websocket_disabled`),
    /// as behind a proxy that cannot pass them.
    pub websocket_enabled: bool,
}

impl Default for RealtimeConfig {
    fn default() -> Self {
        Self {
            heartbeat: Duration::from_secs(25),
            session: SessionConfig::default(),
            max_frame_bytes: 64 * 1024,
            hard_frame_bytes: 1024 * 1024,
            error_budget: 20,
            error_window: Duration::from_secs(10),
            drain_window: Duration::from_secs(5),
            read_buffer_bytes: 1024,
            write_buffer_bytes: 16 * 1024,
            poll_wait: Duration::from_secs(25),
            sse_retry: Duration::from_secs(2),
            auth_timeout: Duration::from_secs(10),
            auth_expiring_lead: Duration::from_secs(60),
            frames_per_second: 50,
            frame_burst: 100,
            max_connections_per_ip: 1000,
            max_connections_per_subject: 50,
            slow_consumer_grace: Duration::from_secs(5),
            websocket_enabled: true,
        }
    }
}
