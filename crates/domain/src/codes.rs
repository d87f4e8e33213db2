//! [`Code`]: every stable code a client can be given, in one catalogue:
//! REST error bodies (`{"error": {"code"}}`), `error` and `reject` frames,
//! and WebSocket close reasons. Clients switch on them, so they are never
//! renamed; docs/api.md and docs/protocol.md explain each, and the browser
//! SDK's codes are checked against [`Code::ALL`] (`docs/codes.json`, which a
//! test keeps equal to it).
//!
//! Field-level codes inside `validation_failed` (`required`, `too_long` …)
//! are [`crate::ValidationErrors`]'s, not these.

use std::fmt;

macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident => $text:literal,)*) => {
        /// A stable code; see the module's doc.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $($(#[$doc])* $variant,)*
        }

        impl Code {
            /// Every code, in catalogue order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $text,)*
                }
            }
        }
    };
}

codes! {
    // Requests and frames that cannot be read.
    /// A WebSocket frame that is not JSON.
    Malformed => "malformed",
    /// A request body that is not JSON.
    MalformedJson => "malformed_json",
    UnreadableBody => "unreadable_body",
    UnsupportedMediaType => "unsupported_media_type",
    /// A frame's `type` is not a client frame.
    UnknownFrame => "unknown_frame",
    /// A known frame with missing or wrong fields.
    InvalidFrame => "invalid_frame",
    InvalidQuery => "invalid_query",
    InvalidPath => "invalid_path",
    InvalidOrderId => "invalid_order_id",
    InvalidIdempotencyKey => "invalid_idempotency_key",
    InvalidCursor => "invalid_cursor",
    InvalidTopic => "invalid_topic",
    InvalidTopics => "invalid_topics",
    UnknownTopic => "unknown_topic",
    /// A frame over the size limit (also the close reason over the hard one).
    TooLarge => "too_large",
    PayloadTooLarge => "payload_too_large",
    /// A text frame that is not UTF-8 (close 1007).
    InvalidUtf8 => "invalid_utf8",
    /// A plain request to a WebSocket path.
    WebsocketRequired => "websocket_required",
    WebsocketDisabled => "websocket_disabled",
    MethodNotAllowed => "method_not_allowed",
    NotFound => "not_found",

    // Who is asking.
    Unauthorized => "unauthorized",
    TokenMalformed => "token_malformed",
    TokenAlgorithm => "token_algorithm",
    TokenSignature => "token_signature",
    TokenUnknownKey => "token_unknown_key",
    TokenExpired => "token_expired",
    TokenNotYetValid => "token_not_yet_valid",
    TokenIssuer => "token_issuer",
    TokenAudience => "token_audience",
    TokenClaims => "token_claims",
    /// A token presented to a server without keys.
    TokenUnverifiable => "token_unverifiable",
    InvalidTicket => "invalid_ticket",
    TicketsExhausted => "tickets_exhausted",
    Forbidden => "forbidden",
    OriginForbidden => "origin_forbidden",
    RateLimited => "rate_limited",

    // What the request asks of orders.
    OrderNotFound => "order_not_found",
    OrderExists => "order_exists",
    InvalidTransition => "invalid_transition",
    OrderFinal => "order_final",
    NotAllowedInStatus => "not_allowed_in_status",
    EpochMismatch => "epoch_mismatch",
    ValidationFailed => "validation_failed",
    UnknownEventType => "unknown_event_type",
    UnknownAction => "unknown_action",
    IdempotencyKeyReused => "idempotency_key_reused",
    TooManySubscriptions => "too_many_subscriptions",
    AlreadySubscribed => "already_subscribed",
    NotSubscribed => "not_subscribed",

    // The server's side.
    Internal => "internal",
    StoreUnavailable => "store_unavailable",
    ServerFull => "server_full",
    Draining => "draining",

    // Close reasons only.
    /// Close 1000.
    Normal => "normal",
    /// Close 4009: resubscribe with `since`.
    SlowConsumer => "slow_consumer",
    /// Close 4010.
    HeartbeatTimeout => "heartbeat_timeout",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Compares with the wire text (tests check what clients receive).
impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_code_is_distinct_and_snake_case() {
        let mut seen = HashSet::new();
        for code in Code::ALL {
            let text = code.as_str();
            assert!(seen.insert(text), "{text} twice");
            assert!(
                text.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{text}"
            );
        }
    }
}
