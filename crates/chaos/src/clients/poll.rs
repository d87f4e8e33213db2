//! A long-poll client on `/v1/poll`: each answer's frames applied, its
//! cursor sent with the next poll; a failed poll is asked again with the
//! same cursor. Each poll goes to the next of its servers (the cursor is
//! any node's).

use std::time::Duration;

use serde_json::Value;

use super::{apply, backoff, finished, Bases, Targets};
use crate::history::ClientLog;

pub async fn run(bases: Bases, mut log: ClientLog, targets: Targets) -> ClientLog {
    let topics: Vec<&str> = log.topics.keys().map(String::as_str).collect();
    let path = format!("/v1/poll?topics={}&wait=1", topics.join(","));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(4))
        .build()
        .unwrap_or_default();
    let mut told = None;
    let mut cursor: Option<String> = None;
    let (mut failures, mut polls) = (0, 0);
    while !finished(&log, &targets, &mut told) {
        let mut request = client.get(format!("{}{path}", bases.at(polls)));
        polls += 1;
        if let Some(cursor) = &cursor {
            request = request.query(&[("cursor", cursor)]);
        }
        let answer = match request.send().await {
            Ok(reply) if reply.status().is_success() => reply.json::<Value>().await.ok(),
            _ => None,
        };
        let Some(answer) = answer else {
            failures += 1;
            log.reconnects += 1;
            backoff(failures).await;
            continue;
        };
        failures = 0;
        for frame in answer["events"].as_array().into_iter().flatten() {
            apply(&mut log, frame);
        }
        if let Some(next) = answer["cursor"].as_str() {
            cursor = Some(next.to_owned());
        }
    }
    log
}
