//! A minimal EventSource for tests.

use futures::StreamExt;
use serde_json::Value;

use super::{TestServer, PATIENCE};

/// A minimal EventSource: reads `id:`/`data:` events off a streaming body.
pub(crate) struct SseClient {
    body: std::pin::Pin<Box<dyn futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    buffer: String,
    pub(crate) last_id: Option<String>,
    pub(crate) retry: Option<u64>,
}

impl SseClient {
    pub(crate) async fn open(
        server: &TestServer,
        query: &str,
        last_event_id: Option<&str>,
    ) -> (Self, reqwest::header::HeaderMap) {
        let mut request = reqwest::Client::new().get(server.url(&format!("/v1/sse?{query}")));
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id);
        }
        let response = request.send().await.expect("sse");
        assert_eq!(response.status(), 200);
        let headers = response.headers().clone();
        (Self::reading(response), headers)
    }

    /// Reads the events of a response that is already open.
    pub(crate) fn reading(response: reqwest::Response) -> Self {
        Self {
            body: Box::pin(response.bytes_stream()),
            buffer: String::new(),
            last_id: None,
            retry: None,
        }
    }

    /// The next frame (comments and retry lines are taken in passing).
    pub(crate) async fn next(&mut self) -> Option<Value> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut data = None;
                for line in block.lines() {
                    if let Some(id) = line.strip_prefix("id: ") {
                        self.last_id = Some(id.to_owned());
                    } else if let Some(json) = line.strip_prefix("data: ") {
                        data = Some(serde_json::from_str(json).expect("JSON frame"));
                    } else if let Some(ms) = line.strip_prefix("retry: ") {
                        self.retry = ms.parse().ok();
                    }
                }
                match data {
                    Some(frame) if !super::is_presence(&frame) => return Some(frame),
                    _ => {}
                }
                continue;
            }
            let chunk = tokio::time::timeout(PATIENCE, self.body.next())
                .await
                .expect("data in time")?;
            self.buffer
                .push_str(std::str::from_utf8(&chunk.expect("chunk")).expect("utf-8"));
        }
    }

    pub(crate) async fn until(&mut self, kind: &str) -> Vec<Value> {
        let mut frames = Vec::new();
        loop {
            let frame = self.next().await.expect("stream open");
            let done = frame["type"] == kind;
            frames.push(frame);
            if done {
                return frames;
            }
        }
    }
}
