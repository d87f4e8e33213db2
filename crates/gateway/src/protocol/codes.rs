//! Stable error codes (in `error` and `reject` frames) and close codes.
//! Documented in docs/protocol.md; never renumbered.

use std::fmt;

/// Error codes of `error {code, message}` and `reject {code, message}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// The frame is not JSON.
    Malformed,
    /// The frame's `type` is not a client frame.
    UnknownFrame,
    /// A known frame with missing or wrong fields.
    InvalidFrame,
    /// The frame is larger than the server accepts.
    TooLarge,
    /// The topic name is not `order:{id}`, `chat:{id}` or `orders`.
    UnknownTopic,
    /// The order does not exist (in the caller's tenant).
    NotFound,
    /// The caller may not do this.
    Forbidden,
    /// Not authenticated.
    Unauthorized,
    /// Too many subscriptions on one connection.
    TooManySubscriptions,
    AlreadySubscribed,
    NotSubscribed,
    /// Too many frames too fast.
    RateLimited,
    /// The server failed; retry.
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Malformed => "malformed",
            Self::UnknownFrame => "unknown_frame",
            Self::InvalidFrame => "invalid_frame",
            Self::TooLarge => "too_large",
            Self::UnknownTopic => "unknown_topic",
            Self::NotFound => "not_found",
            Self::Forbidden => "forbidden",
            Self::Unauthorized => "unauthorized",
            Self::TooManySubscriptions => "too_many_subscriptions",
            Self::AlreadySubscribed => "already_subscribed",
            Self::NotSubscribed => "not_subscribed",
            Self::RateLimited => "rate_limited",
            Self::Internal => "internal",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why the server closes a connection, with its WebSocket close code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseCode {
    /// 1000: done (the client asked, or nothing is left to watch).
    Normal,
    /// 1007: a text frame that is not UTF-8 (RFC 6455).
    InvalidUtf8,
    /// 1009: a frame above the hard size limit.
    TooLarge,
    /// 1011: the server failed.
    Internal,
    /// 1012: the server is draining; a `reconnect {afterMs}` came first.
    Draining,
    /// 4000: sustained malformed or invalid input.
    Malformed,
    /// 4001: no valid credentials.
    Unauthorized,
    /// 4003: not allowed.
    Forbidden,
    /// 4004: the token expired and was not refreshed.
    TokenExpired,
    /// 4008: too many frames too fast, for too long.
    RateLimited,
    /// 4009: the client fell too far behind; resubscribe with `since`.
    SlowConsumer,
    /// 4010: no frame heard for two heartbeat intervals.
    HeartbeatTimeout,
}

impl CloseCode {
    pub fn code(self) -> u16 {
        match self {
            Self::Normal => 1000,
            Self::InvalidUtf8 => 1007,
            Self::TooLarge => 1009,
            Self::Internal => 1011,
            Self::Draining => 1012,
            Self::Malformed => 4000,
            Self::Unauthorized => 4001,
            Self::Forbidden => 4003,
            Self::TokenExpired => 4004,
            Self::RateLimited => 4008,
            Self::SlowConsumer => 4009,
            Self::HeartbeatTimeout => 4010,
        }
    }

    /// The close reason sent with the code.
    pub fn reason(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::InvalidUtf8 => "invalid_utf8",
            Self::TooLarge => "too_large",
            Self::Internal => "internal",
            Self::Draining => "draining",
            Self::Malformed => "malformed",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::TokenExpired => "token_expired",
            Self::RateLimited => "rate_limited",
            Self::SlowConsumer => "slow_consumer",
            Self::HeartbeatTimeout => "heartbeat_timeout",
        }
    }
}
