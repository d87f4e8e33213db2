//! An SSE client on `/v1/sse`: resumes with `Last-Event-ID` (the last
//! `id:` it read in a whole record), and reconnects on an end, an error or
//! [`super::SILENCE`] (the server sends a heartbeat comment each second).

use futures::StreamExt;
use serde_json::Value;

use super::{apply, backoff, finished, Bases, Targets, SILENCE};
use crate::history::ClientLog;

pub async fn run(bases: Bases, mut log: ClientLog, mut targets: Targets) -> ClientLog {
    let topics: Vec<&str> = log.topics.keys().map(String::as_str).collect();
    let path = format!("/v1/sse?topics={}", topics.join(","));
    let client = reqwest::Client::builder()
        .connect_timeout(SILENCE)
        .build()
        .unwrap_or_default();
    let mut told = None;
    let mut last_id: Option<String> = None;
    // Failed attempts in a row (for the backoff), and attempts in all
    // (each on the next of `bases`).
    let (mut attempt, mut tries) = (0, 0);
    loop {
        if finished(&log, &targets, &mut told) {
            return log;
        }
        if attempt > 0 {
            log.reconnects += 1;
            backoff(attempt).await;
        }
        attempt += 1;
        let mut request = client.get(format!("{}{path}", bases.at(tries)));
        tries += 1;
        if let Some(id) = &last_id {
            request = request.header("last-event-id", id);
        }
        let Ok(Ok(response)) = tokio::time::timeout(SILENCE, request.send()).await else {
            continue;
        };
        if !response.status().is_success() {
            continue;
        }
        attempt = 1;
        let mut body = response.bytes_stream();
        let mut buffer = String::new();
        loop {
            if finished(&log, &targets, &mut told) {
                return log;
            }
            let chunk = tokio::select! {
                chunk = tokio::time::timeout(SILENCE, body.next()) => chunk,
                _ = targets.changed() => continue,
            };
            let Ok(Some(Ok(chunk))) = chunk else { break };
            buffer.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buffer.find("\n\n") {
                let record: String = buffer.drain(..end + 2).collect();
                let mut id = None;
                for line in record.lines() {
                    if let Some(value) = line.strip_prefix("id: ") {
                        id = Some(value.to_owned());
                    } else if let Some(data) = line.strip_prefix("data: ") {
                        if let Ok(frame) = serde_json::from_str::<Value>(data) {
                            apply(&mut log, &frame);
                        }
                    }
                }
                if id.is_some() {
                    last_id = id;
                }
            }
        }
    }
}
