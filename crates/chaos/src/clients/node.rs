//! The JS SDK in Node as a client of the run: `clients/js/test/chaos/
//! watch.js` through the proxy, told the heads on stdin, its dump turned
//! into a [`ClientLog`]. The SDK's timeline keeps one entry per seq (it
//! dedupes by design), so for this client the checker sees the order it
//! applied, the events' texts and where it ended, not a repeat the SDK
//! already dropped.

use std::path::Path;
use std::process::Stdio;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use super::Targets;
use crate::history::{Applied, ClientLog, TopicLog};

#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    #[error("cannot run node: {0}")]
    Spawn(std::io::Error),
    #[error("the Node client printed no dump (exit {status}): {stderr}")]
    NoDump { status: String, stderr: String },
}

/// Whether the Node client can run `transport` here: node on PATH, and
/// the `ws` package for WebSocket (scripts/js-setup installs it).
pub fn available(js_dir: &Path, transport: &str) -> bool {
    let node = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    node && (transport != "websocket" || js_dir.join("node_modules/ws").exists())
}

/// Runs the SDK on `transport` ("websocket", "sse", "long-poll") for
/// `orders` until the run's targets are known and reached.
pub async fn run(
    js_dir: &Path,
    base: &str,
    transport: &str,
    orders: &[String],
    name: String,
    mut targets: Targets,
) -> Result<ClientLog, NodeError> {
    let mut child = tokio::process::Command::new("node")
        .arg(js_dir.join("test/chaos/watch.js"))
        .arg(base)
        .arg(transport)
        .args(orders)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(NodeError::Spawn)?;
    let heads = loop {
        if let Some(heads) = targets.borrow().clone() {
            break heads;
        }
        if targets.changed().await.is_err() {
            break Default::default();
        }
    };
    if let Some(mut stdin) = child.stdin.take() {
        let line = serde_json::to_string(&heads).unwrap_or_default() + "\n";
        let _ = stdin.write_all(line.as_bytes()).await;
    }
    let mut dump = None;
    if let Some(stdout) = child.stdout.take() {
        let mut lines = BufReader::new(stdout).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            dump = serde_json::from_str::<Value>(&line).ok().or(dump);
        }
    }
    let output = child.wait_with_output().await.map_err(NodeError::Spawn)?;
    let Some(dump) = dump else {
        return Err(NodeError::NoDump {
            status: output.status.to_string(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        });
    };
    Ok(to_log(name, &dump))
}

/// The dump as the checker's log: the timeline's entries as events, a
/// snapshot wherever the timeline skips seqs the view covers.
fn to_log(name: String, dump: &Value) -> ClientLog {
    let mut log = ClientLog {
        name,
        reconnects: dump["reconnects"].as_u64().unwrap_or(0),
        ..ClientLog::default()
    };
    for (topic, view) in dump["topics"].as_object().into_iter().flatten() {
        let mut topic_log = TopicLog::default();
        let mut at = 0;
        for entry in view["timeline"].as_array().into_iter().flatten() {
            let Some(seq) = entry["seq"].as_u64() else {
                continue;
            };
            if seq > at + 1 {
                topic_log.applied.push(Applied::Snapshot { pos: seq - 1 });
            }
            topic_log.applied.push(Applied::Event {
                pos: seq,
                id: None,
                mark: entry["text"].as_str().map(str::to_owned),
            });
            at = seq;
        }
        let seq = view["seq"].as_u64().unwrap_or(0);
        if seq > at {
            topic_log.applied.push(Applied::Snapshot { pos: seq });
        }
        topic_log.pos = seq.max(at);
        log.topics.insert(topic.clone(), topic_log);
    }
    log
}
