//! WebSocket close codes; their reasons, like every error code in `error`
//! and `reject` frames, are [`Code`]s of the one catalogue
//! (`trackwire_domain::codes`). Documented in docs/protocol.md; never
//! renumbered.

use trackwire_domain::Code;

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
    /// Every close code, in order.
    pub const ALL: [CloseCode; 12] = [
        Self::Normal,
        Self::InvalidUtf8,
        Self::TooLarge,
        Self::Internal,
        Self::Draining,
        Self::Malformed,
        Self::Unauthorized,
        Self::Forbidden,
        Self::TokenExpired,
        Self::RateLimited,
        Self::SlowConsumer,
        Self::HeartbeatTimeout,
    ];

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
    pub fn reason(self) -> Code {
        match self {
            Self::Normal => Code::Normal,
            Self::InvalidUtf8 => Code::InvalidUtf8,
            Self::TooLarge => Code::TooLarge,
            Self::Internal => Code::Internal,
            Self::Draining => Code::Draining,
            Self::Malformed => Code::Malformed,
            Self::Unauthorized => Code::Unauthorized,
            Self::Forbidden => Code::Forbidden,
            Self::TokenExpired => Code::TokenExpired,
            Self::RateLimited => Code::RateLimited,
            Self::SlowConsumer => Code::SlowConsumer,
            Self::HeartbeatTimeout => Code::HeartbeatTimeout,
        }
    }
}
