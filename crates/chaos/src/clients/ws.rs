//! A WebSocket client on `/v1/ws`: subscribes each topic from where it
//! is (`since`+`epoch`, or the feed's `offset`), applies frames, and on a
//! close, an error or [`super::SILENCE`] reconnects and subscribes again.

use std::collections::HashSet;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

use super::{apply, backoff, finished, Bases, Targets, SILENCE};
use crate::history::ClientLog;

/// `sabotage`: drop the second replayed event (one that comes between a
/// `subscribe` and its `subscribed`), once: a deliberately broken client,
/// for the test that shows the checker catching it.
pub async fn run(
    bases: Bases,
    mut log: ClientLog,
    mut targets: Targets,
    sabotage: bool,
) -> ClientLog {
    let mut sabotage = Sabotage {
        armed: sabotage,
        replayed: 0,
    };
    let mut told = None;
    // Failed attempts in a row (for the backoff), connections made, and
    // attempts in all (each on the next of `bases`).
    let (mut attempt, mut sessions, mut tries) = (0, 0, 0);
    loop {
        if finished(&log, &targets, &mut told) {
            return log;
        }
        if attempt > 0 {
            backoff(attempt).await;
        }
        attempt += 1;
        let url = bases.at(tries).replace("http://", "ws://") + "/v1/ws";
        tries += 1;
        if session(&url, &mut log, &mut targets, &mut told, &mut sabotage).await {
            attempt = 0;
            sessions += 1;
            log.reconnects = sessions - 1;
        }
    }
}

/// One connection; whether it got as far as subscribing.
async fn session(
    url: &str,
    log: &mut ClientLog,
    targets: &mut Targets,
    told: &mut Option<tokio::time::Instant>,
    sabotage: &mut Sabotage,
) -> bool {
    let Ok(mut request) = url.into_client_request() else {
        return false;
    };
    if let Ok(protocol) = "trackwire.v1.json".parse() {
        request
            .headers_mut()
            .insert("sec-websocket-protocol", protocol);
    }
    // A small read buffer: the storm holds thousands of these.
    let config = WebSocketConfig::default().read_buffer_size(4096);
    let connect = tokio::time::timeout(
        SILENCE,
        tokio_tungstenite::connect_async_with_config(request, Some(config), false),
    );
    let Ok(Ok((mut socket, _))) = connect.await else {
        return false;
    };
    let mut replaying: HashSet<String> = log.topics.keys().cloned().collect();
    for (topic, view) in &log.topics {
        let mut frame = json!({"type": "subscribe", "topic": topic});
        if view.pos > 0 {
            if topic == "orders" {
                frame["offset"] = json!(view.pos);
            } else {
                frame["since"] = json!(view.pos);
                frame["epoch"] = json!(view.epoch);
            }
        }
        if socket.send(Message::text(frame.to_string())).await.is_err() {
            return false;
        }
    }
    loop {
        if finished(log, targets, told) {
            let _ = socket.close(None).await;
            return true;
        }
        let next = tokio::select! {
            next = tokio::time::timeout(SILENCE, socket.next()) => next,
            _ = targets.changed() => continue,
        };
        match next {
            Ok(Some(Ok(Message::Text(text)))) => {
                if let Ok(frame) = serde_json::from_str::<Value>(&text) {
                    if !sabotage.drops(&frame, &mut replaying) {
                        apply(log, &frame);
                    }
                }
            }
            Ok(Some(Ok(Message::Close(_)))) | Ok(Some(Err(_))) | Ok(None) | Err(_) => return true,
            Ok(Some(Ok(_))) => {} // pings: the link is alive
        }
    }
}

/// The deliberate bug: armed, it drops the second replayed event, once
/// (the second: a client that lost the first would ask for it again).
struct Sabotage {
    armed: bool,
    replayed: u64,
}

impl Sabotage {
    /// Whether to drop `frame`; `replaying` holds the topics whose
    /// `subscribed` has not come yet on this connection.
    fn drops(&mut self, frame: &Value, replaying: &mut HashSet<String>) -> bool {
        if frame["type"] == "subscribed" {
            if let Some(topic) = frame["topic"].as_str() {
                replaying.remove(topic);
            }
            return false;
        }
        let topic = frame["event"]["topic"].as_str().unwrap_or_default();
        let replayed =
            frame["type"] == "event" && frame["event"]["seq"].is_u64() && replaying.contains(topic);
        if self.armed && replayed {
            self.replayed += 1;
            if self.replayed == 2 {
                self.armed = false;
                return true;
            }
        }
        false
    }
}
