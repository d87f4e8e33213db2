//! Real clients for the process tests: a WebSocket watcher, an SSE reader
//! that resumes with `Last-Event-ID`, a long-poller with its cursor, and
//! REST writes. Each checks as it reads that durable events come exactly
//! once, in order.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_rustls::rustls;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::Connector;
use trackwire_chaos::checker::step;
use trackwire_chaos::history::{Applied, TopicLog};

/// Longest a client waits for a frame before the test fails.
pub(crate) const PATIENCE: Duration = Duration::from_secs(20);

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Where a client is on one topic: the last seq it applied, and its epoch.
#[derive(Debug, Clone, Default)]
pub(crate) struct Position {
    pub(crate) seq: u64,
    pub(crate) epoch: Option<String>,
    /// Every seq applied, in order (each once: `apply` checks).
    pub(crate) applied: Vec<u64>,
}

impl Position {
    /// Applies a frame: an event must be the next seq (a replay or live
    /// event never repeats or skips one); a snapshot moves the position,
    /// never back. The reliability suite's recorder and rule
    /// (trackwire_chaos::history, trackwire_chaos::checker::step), judged
    /// on the spot.
    pub(crate) fn apply(&mut self, frame: &Value) {
        let mut view = TopicLog {
            pos: self.seq,
            epoch: self.epoch.clone(),
            applied: Vec::new(),
        };
        view.apply(frame, "seq");
        for applied in &view.applied {
            let next = step(self.seq, applied).unwrap_or_else(|e| panic!("{e}: {frame}"));
            match applied {
                Applied::Event { pos, .. } => self.applied.push(*pos),
                // What the snapshot covers counts as applied.
                Applied::Snapshot { pos } => self
                    .applied
                    .extend((self.applied.last().copied().unwrap_or(0) + 1)..=*pos),
            }
            self.seq = next;
        }
        self.epoch = view.epoch;
    }
}

/// One WebSocket. A task of its own reads it all the time (so the
/// server's pings are answered while the test does other things) and
/// queues the frames for [`Watcher::next`].
pub(crate) struct Watcher {
    sink: futures::stream::SplitSink<Socket, Message>,
    frames: tokio::sync::mpsc::UnboundedReceiver<Value>,
    reader: tokio::task::JoinHandle<()>,
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

impl Watcher {
    pub(crate) async fn connect(url: &str) -> Self {
        Self::connect_with(url, None, None).await
    }

    /// Connects as the bearer of `token` (on the upgrade request).
    pub(crate) async fn connect_as(url: &str, token: &str) -> Self {
        Self::connect_with(url, Some(token), None).await
    }

    /// Connects to a `wss://` URL, trusting what `tls` trusts.
    pub(crate) async fn connect_tls(url: &str, tls: Arc<rustls::ClientConfig>) -> Self {
        Self::connect_with(url, None, Some(Connector::Rustls(tls))).await
    }

    async fn connect_with(url: &str, token: Option<&str>, tls: Option<Connector>) -> Self {
        let mut request = url.into_client_request().expect("request");
        request.headers_mut().insert(
            "sec-websocket-protocol",
            "trackwire.v1.json".parse().expect("header"),
        );
        if let Some(token) = token {
            request.headers_mut().insert(
                "authorization",
                format!("Bearer {token}").parse().expect("header"),
            );
        }
        let connect = tokio_tungstenite::connect_async_tls_with_config(request, None, false, tls);
        let (socket, _) = tokio::time::timeout(PATIENCE, connect)
            .await
            .expect("connect in time")
            .expect("connect");
        let (sink, mut stream) = socket.split();
        let (tx, frames) = tokio::sync::mpsc::unbounded_channel();
        let reader = tokio::spawn(async move {
            while let Some(message) = stream.next().await {
                match message {
                    Ok(Message::Text(text)) => {
                        let frame: Value = serde_json::from_str(&text).expect("json");
                        if tx.send(frame).is_err() {
                            return;
                        }
                    }
                    Ok(Message::Close(_)) | Err(_) => return,
                    Ok(_) => {}
                }
            }
        });
        Self {
            sink,
            frames,
            reader,
        }
    }

    /// Subscribes from `position` and applies what comes up to `subscribed`.
    pub(crate) async fn subscribe(&mut self, topic: &str, position: &mut Position) {
        let mut frame = json!({"type": "subscribe", "topic": topic});
        if position.seq > 0 {
            frame["since"] = json!(position.seq);
            frame["epoch"] = json!(position.epoch);
        }
        self.send(frame).await;
        loop {
            let frame = self.next().await.expect("frames until subscribed");
            position.apply(&frame);
            if frame["type"] == "subscribed" {
                assert_eq!(frame["seq"].as_u64(), Some(position.seq), "{frame}");
                position.epoch = frame["epoch"].as_str().map(str::to_owned);
                return;
            }
            assert_ne!(frame["type"], "error", "{frame}");
        }
    }

    pub(crate) async fn send(&mut self, frame: Value) {
        self.sink
            .send(Message::text(frame.to_string()))
            .await
            .expect("send");
    }

    /// The next frame, or `None` when the connection ended.
    pub(crate) async fn next(&mut self) -> Option<Value> {
        tokio::time::timeout(PATIENCE, self.frames.recv())
            .await
            .expect("a frame in time")
    }

    /// Reads frames until one matches `wanted`, and returns it.
    pub(crate) async fn frames_until(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        loop {
            let frame = self.next().await.expect("the connection stays");
            if wanted(&frame) {
                return frame;
            }
        }
    }

    /// Applies frames until the topic is at `seq`.
    pub(crate) async fn until(&mut self, position: &mut Position, seq: u64) {
        while position.seq < seq {
            let frame = self.next().await.expect("the connection stays");
            position.apply(&frame);
        }
    }
}

/// Creates order `id` on `base`, expecting 201.
pub(crate) async fn create_order(client: &reqwest::Client, base: &str, id: &str) {
    let created = client
        .post(format!("{base}/v1/orders"))
        .json(&json!({"id": id, "customer": "cust-1", "items": [{"name": "Tea"}], "address": "1 Main St"}))
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), 201, "create {id}");
}

/// Records a note on `id` at `base`; its seq, or the error status.
pub(crate) async fn note(
    client: &reqwest::Client,
    base: &str,
    id: &str,
    text: &str,
) -> Result<u64, u16> {
    let reply = client
        .post(format!("{base}/v1/orders/{id}/events"))
        .json(&json!({"type": "instructions_changed", "text": text}))
        .send()
        .await
        .map_err(|_| 0u16)?;
    if reply.status() != 201 {
        return Err(reply.status().as_u16());
    }
    let body: Value = reply.json().await.map_err(|_| 0u16)?;
    body["event"]["seq"].as_u64().ok_or(0)
}

/// Every event of `id`'s topic, from the store, through `base`.
pub(crate) async fn history(client: &reqwest::Client, base: &str, id: &str) -> Vec<Value> {
    let page: Value = client
        .get(format!("{base}/v1/orders/{id}/events?since=0&limit=1000"))
        .send()
        .await
        .expect("history")
        .json()
        .await
        .expect("json");
    page["events"].as_array().expect("events").clone()
}

/// Reads an SSE response until `events` durable events were applied (or
/// the stream ends); returns the last `id:` seen.
pub(crate) async fn read_sse(
    response: reqwest::Response,
    position: &mut Position,
    events: usize,
) -> Option<String> {
    let mut body = response.bytes_stream();
    let mut buffer = String::new();
    let mut last_id = None;
    let mut applied = 0;
    while applied < events {
        let chunk = tokio::time::timeout(PATIENCE, body.next())
            .await
            .expect("SSE bytes in time");
        let Some(Ok(chunk)) = chunk else { break };
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let record: String = buffer.drain(..end + 2).collect();
            for line in record.lines() {
                if let Some(id) = line.strip_prefix("id: ") {
                    last_id = Some(id.to_owned());
                } else if let Some(data) = line.strip_prefix("data: ") {
                    let frame: Value = serde_json::from_str(data).expect("json");
                    let before = position.seq;
                    position.apply(&frame);
                    if position.seq > before && frame["type"] == "event" {
                        applied += 1;
                    }
                }
            }
        }
    }
    last_id
}
