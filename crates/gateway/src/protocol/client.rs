//! Frames a client sends, and their parsing.

use serde::Deserialize;
use serde_json::Value;

use trackwire_domain::Code;

/// Every frame a client may send.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientFrame {
    /// Credentials (the first frame, once authentication is on; a fresh
    /// token later refreshes the session).
    Auth(Auth),
    /// Watch a topic, from `since`/`epoch` (or the feed's `offset`) when
    /// the client already has state.
    Subscribe(Subscribe),
    Unsubscribe(Unsubscribe),
    /// A customer action on an order topic, answered by `ack` or `reject`.
    Mutate(Mutate),
    /// A signal (`location`, `typing`) or a chat message on a topic.
    Publish(Publish),
    /// App-level heartbeat (browsers cannot see WebSocket pings).
    Ping(Ping),
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Auth {
    pub token: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Subscribe {
    pub topic: String,
    #[serde(default)]
    pub since: Option<u64>,
    #[serde(default)]
    pub epoch: Option<String>,
    #[serde(default)]
    pub offset: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Unsubscribe {
    pub topic: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Mutate {
    pub client_mutation_id: String,
    pub topic: String,
    pub action: String,
    #[serde(default)]
    pub args: Value,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Publish {
    pub topic: String,
    pub event: String,
    #[serde(default)]
    pub payload: Value,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Ping {
    #[serde(default)]
    pub id: Option<Value>,
}

const TYPES: [&str; 6] = [
    "auth",
    "subscribe",
    "unsubscribe",
    "mutate",
    "publish",
    "ping",
];

/// Why a frame could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FrameError {
    pub code: Code,
    pub message: String,
}

/// Parses one text frame.
pub fn parse(text: &str) -> Result<ClientFrame, FrameError> {
    let value: Value = serde_json::from_str(text).map_err(|e| FrameError {
        code: Code::Malformed,
        message: format!("not JSON: {e}"),
    })?;
    let kind = match value.get("type").and_then(Value::as_str) {
        Some(t) if TYPES.contains(&t) => t.to_owned(),
        Some(t) => {
            return Err(FrameError {
                code: Code::UnknownFrame,
                message: format!("unknown frame type '{t}'; known: {}", TYPES.join(", ")),
            })
        }
        None => {
            return Err(FrameError {
                code: Code::InvalidFrame,
                message: "a frame is a JSON object with a string `type`".into(),
            })
        }
    };
    Ok(match kind.as_str() {
        "auth" => ClientFrame::Auth(fields(value)?),
        "subscribe" => ClientFrame::Subscribe(fields(value)?),
        "unsubscribe" => ClientFrame::Unsubscribe(fields(value)?),
        "mutate" => ClientFrame::Mutate(fields(value)?),
        "publish" => ClientFrame::Publish(fields(value)?),
        _ => ClientFrame::Ping(fields(value)?),
    })
}

/// A frame's fields, with the path of the first one that does not fit.
fn fields<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, FrameError> {
    serde_path_to_error::deserialize(value).map_err(|e| FrameError {
        code: Code::InvalidFrame,
        message: format!("{}: {}", e.path(), e.inner()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_frame() {
        let frame = parse(r#"{"type":"subscribe","topic":"order:A","since":3,"epoch":"e"}"#)
            .expect("subscribe");
        assert_eq!(
            frame,
            ClientFrame::Subscribe(Subscribe {
                topic: "order:A".into(),
                since: Some(3),
                epoch: Some("e".into()),
                offset: None
            })
        );
        let frame = parse(
            r#"{"type":"mutate","clientMutationId":"m1","topic":"order:A","action":"cancel"}"#,
        )
        .expect("mutate");
        assert!(matches!(
            frame,
            ClientFrame::Mutate(Mutate {
                args: Value::Null,
                ..
            })
        ));
        assert!(matches!(
            parse(r#"{"type":"ping"}"#),
            Ok(ClientFrame::Ping(Ping { id: None }))
        ));
    }

    #[test]
    fn bad_frames_get_stable_codes() {
        assert_eq!(parse("{oops").expect_err("json").code, Code::Malformed);
        assert_eq!(
            parse(r#"{"type":"teleport"}"#).expect_err("type").code,
            Code::UnknownFrame
        );
        assert_eq!(parse("[1,2]").expect_err("array").code, Code::InvalidFrame);
        let err = parse(r#"{"type":"subscribe","since":"x"}"#).expect_err("fields");
        assert_eq!(err.code, Code::InvalidFrame);
        let err = parse(r#"{"type":"subscribe","topic":"order:A","since":-1}"#).expect_err("neg");
        assert!(err.message.contains("since"), "{}", err.message);
    }
}
