//! REST: orders, the writers (each write with an idempotency key, retried
//! with the same key until it is answered), and the durable history the
//! checker compares with.

use std::time::Duration;

use serde_json::{json, Value};

use crate::history::{pos_field, Ack, Durable, Stored};

#[derive(Debug, thiserror::Error)]
pub enum RestError {
    #[error("{what}: {source}")]
    Http {
        what: String,
        source: reqwest::Error,
    },
    #[error("{what}: status {status}: {body}")]
    Status {
        what: String,
        status: u16,
        body: String,
    },
    #[error("{what}: unexpected answer {body}")]
    Shape { what: String, body: String },
}

/// A client for the REST API with a per-request deadline (a half-open
/// link through the proxy must not hang a writer).
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .pool_max_idle_per_host(4)
        .build()
        .unwrap_or_default()
}

async fn json_of(
    what: &str,
    request: reqwest::RequestBuilder,
    expect: u16,
) -> Result<Value, RestError> {
    let http = |source| RestError::Http {
        what: what.to_owned(),
        source,
    };
    let reply = request.send().await.map_err(http)?;
    let status = reply.status().as_u16();
    let body = reply.text().await.map_err(http)?;
    if status != expect {
        return Err(RestError::Status {
            what: what.to_owned(),
            status,
            body,
        });
    }
    serde_json::from_str(&body).map_err(|_| RestError::Shape {
        what: what.to_owned(),
        body,
    })
}

/// Creates order `id` (201), or accepts that it exists (409).
pub async fn create_order(client: &reqwest::Client, base: &str, id: &str) -> Result<(), RestError> {
    let body = json!({"id": id, "customer": "cust-chaos", "items": [{"name": "Tea"}], "address": "1 Main St"});
    let request = client.post(format!("{base}/v1/orders")).json(&body);
    match json_of(&format!("create {id}"), request, 201).await {
        Ok(_) | Err(RestError::Status { status: 409, .. }) => Ok(()),
        Err(other) => Err(other),
    }
}

/// One write: a note on the order, or a chat message.
#[derive(Debug, Clone)]
pub enum Write {
    Note { order: String, text: String },
    Chat { order: String, text: String },
}

impl Write {
    pub fn mark(&self) -> &str {
        match self {
            Self::Note { text, .. } | Self::Chat { text, .. } => text,
        }
    }

    /// The write's idempotency key: its mark as visible ASCII, at most 64
    /// characters (marks are unique in their first 64).
    pub fn key(&self) -> String {
        self.mark()
            .chars()
            .take(64)
            .map(|c| if c.is_ascii_graphic() { c } else { '_' })
            .collect()
    }
}

/// What a write's attempt ended with.
#[derive(Debug)]
pub enum Outcome {
    /// Stored: the acknowledgements (its topic, and the feed for a note).
    Acked(Vec<Ack>),
    /// Refused for now (503, a cut answer): retry with the same key.
    Retry(String),
    /// Refused for good: the run is broken.
    Refused(String),
}

/// One attempt of `write`, its idempotency key being its mark.
pub async fn attempt(client: &reqwest::Client, base: &str, write: &Write) -> Outcome {
    let (request, topic, field) = match write {
        Write::Note { order, text } => (
            client
                .post(format!("{base}/v1/orders/{order}/events"))
                .header("idempotency-key", write.key())
                .json(&json!({"type": "instructions_changed", "text": text})),
            format!("order:{order}"),
            "event",
        ),
        Write::Chat { order, text } => (
            client
                .post(format!("{base}/v1/orders/{order}/chat"))
                .json(&json!({"text": text, "clientMessageId": write.key()})),
            format!("chat:{order}"),
            "message",
        ),
    };
    let value = match json_of(write.mark(), request, 201).await {
        Ok(value) => value,
        Err(RestError::Status { status, body, .. }) if status >= 500 || status == 429 => {
            return Outcome::Retry(format!("{status} {body}"))
        }
        Err(RestError::Status { status, body, .. }) => {
            return Outcome::Refused(format!("{status} {body}"))
        }
        Err(other) => return Outcome::Retry(other.to_string()),
    };
    let envelope = &value[field];
    let mut acks = Vec::new();
    let id = envelope["id"].as_str().unwrap_or_default().to_owned();
    let mark = write.mark().to_owned();
    if let Some(seq) = envelope["seq"].as_u64() {
        acks.push(Ack {
            topic,
            pos: seq,
            id: id.clone(),
            mark: mark.clone(),
        });
    }
    if let Some(offset) = envelope["offset"].as_u64() {
        acks.push(Ack {
            topic: "orders".into(),
            pos: offset,
            id,
            mark,
        });
    }
    if acks.is_empty() {
        return Outcome::Refused(format!("201 without a position: {value}"));
    }
    Outcome::Acked(acks)
}

/// Every stored event of `topic`, page by page.
pub async fn history(
    client: &reqwest::Client,
    base: &str,
    topic: &str,
) -> Result<Vec<Stored>, RestError> {
    let field = pos_field(topic);
    let mut events = Vec::new();
    let mut since = 0;
    loop {
        let (url, list) = if topic == "orders" {
            (format!("{base}/v1/feed?since={since}&limit=1000"), "events")
        } else if let Some(order) = topic.strip_prefix("chat:") {
            (
                format!("{base}/v1/orders/{order}/chat?since={since}&limit=500"),
                "messages",
            )
        } else {
            let order = topic.trim_start_matches("order:");
            (
                format!("{base}/v1/orders/{order}/events?since={since}&limit=1000"),
                "events",
            )
        };
        let page = json_of(&format!("history of {topic}"), client.get(url), 200).await?;
        let Some(batch) = page[list].as_array() else {
            return Err(RestError::Shape {
                what: topic.to_owned(),
                body: page.to_string(),
            });
        };
        if batch.is_empty() {
            return Ok(events);
        }
        for envelope in batch {
            let stored =
                Stored::from_envelope(envelope, field).ok_or_else(|| RestError::Shape {
                    what: topic.to_owned(),
                    body: envelope.to_string(),
                })?;
            since = stored.pos;
            events.push(stored);
        }
    }
}

/// The durable history of every topic in `topics`.
pub async fn durable(
    client: &reqwest::Client,
    base: &str,
    topics: &[String],
) -> Result<Durable, RestError> {
    let mut out = Durable::new();
    for topic in topics {
        out.insert(topic.clone(), history(client, base, topic).await?);
    }
    Ok(out)
}
