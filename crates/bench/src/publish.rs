//! Publishing over REST: one order per phase, then `instructions_changed`
//! events whose text carries the publish instant. Against a peer, the
//! same loops publish the same stamp with the peer's request ([`Wire`]).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::json;

use crate::client::{Clock, Kind};
use crate::wire::Wire;

#[derive(Clone)]
pub(crate) struct Publisher {
    http: reqwest::Client,
    base: String,
    clock: Clock,
    wire: Wire,
    /// Numbers the peers' frames.
    seq: Arc<AtomicU64>,
    /// A bearer token (another tenant than the development identity's).
    token: Option<Arc<str>>,
}

/// How the publishing went.
#[derive(Default)]
pub(crate) struct Published {
    /// Instant of the first POST (ns since the origin).
    pub(crate) first_ns: u64,
    /// POST round trips (request sent → 201 read), in µs.
    pub(crate) round_trips_us: Vec<u32>,
    pub(crate) failed: usize,
    pub(crate) first_error: Option<String>,
}

impl Published {
    fn merge(&mut self, other: Published) {
        self.round_trips_us.extend(other.round_trips_us);
        self.failed += other.failed;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }
}

impl Publisher {
    /// A publisher to a Trackwire server.
    pub(crate) fn new(base: &str, clock: Clock) -> Result<Self> {
        Self::with_wire(base, clock, Wire::Trackwire)
    }

    pub(crate) fn with_wire(base: &str, clock: Clock, wire: Wire) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()?;
        Ok(Self {
            http,
            base: base.to_string(),
            clock,
            wire,
            seq: Arc::new(AtomicU64::new(1)),
            token: None,
        })
    }

    /// The same publisher, sending `token` as its bearer (Trackwire only).
    pub(crate) fn with_token(&self, token: &str) -> Self {
        Self {
            token: Some(token.into()),
            ..self.clone()
        }
    }

    fn authorized(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.authorized(self.http.post(format!("{}{path}", self.base)))
    }

    /// What a subject needs before anyone subscribes: an order on
    /// Trackwire, nothing on a peer (a topic exists once subscribed to).
    pub(crate) async fn prepare(&self, name: &str) -> Result<()> {
        match self.wire {
            Wire::Trackwire => self.create_order(name).await,
            _ => Ok(()),
        }
    }

    pub(crate) async fn create_order(&self, id: &str) -> Result<()> {
        let body = json!({
            "id": id,
            "customer": "bench",
            "items": [{ "name": "benchmark" }],
            "address": "1 Loopback Road",
        });
        let response = self
            .post("/v1/orders")
            .json(&body)
            .send()
            .await
            .context("POST /v1/orders")?;
        let status = response.status();
        if !status.is_success() {
            let text = response.text().await.unwrap_or_default();
            bail!("POST /v1/orders: {status}: {text}");
        }
        Ok(())
    }

    /// One event (no subscriber counts it); its round trip in µs.
    pub(crate) async fn note(&self, order: &str) -> Result<u32> {
        self.record(order, Kind::Flood).await
    }

    /// One event (to the order, or a peer's topic, `order`); returns its
    /// round trip in µs.
    async fn record(&self, order: &str, kind: Kind) -> Result<u32> {
        let started = Instant::now();
        let seq = self.seq.fetch_add(1, Ordering::Relaxed);
        let text = format!("bench {} {}", kind.tag(), self.clock.now_ns());
        let response = self
            .authorized(self.wire.publish(&self.http, &self.base, order, &text, seq))
            .send()
            .await?;
        let status = response.status();
        let body = response.bytes().await?;
        if !status.is_success() {
            bail!("{status}: {}", String::from_utf8_lossy(&body));
        }
        Ok(started.elapsed().as_micros().min(u128::from(u32::MAX)) as u32)
    }

    /// `count` events, `in_flight` requests at a time, as fast as the
    /// server answers.
    pub(crate) async fn flood(&self, order: &str, count: usize, in_flight: usize) -> Published {
        let next = Arc::new(AtomicUsize::new(0));
        let mut total = Published {
            first_ns: self.clock.now_ns(),
            ..Published::default()
        };
        let mut workers = Vec::new();
        for _ in 0..in_flight.max(1) {
            let this = self.clone();
            let next = next.clone();
            let order = order.to_string();
            workers.push(tokio::spawn(async move {
                let mut part = Published::default();
                while next.fetch_add(1, Ordering::Relaxed) < count {
                    this.outcome(this.record(&order, Kind::Flood).await, &mut part);
                }
                part
            }));
        }
        for worker in workers {
            if let Ok(part) = worker.await {
                total.merge(part);
            }
        }
        total
    }

    /// `count` events at `rate` per second, each sent on time whether or not
    /// the previous one was answered.
    pub(crate) async fn paced(&self, order: &str, count: usize, rate: f64) -> Published {
        let period = Duration::from_secs_f64(1.0 / rate.max(0.001));
        let mut ticker = tokio::time::interval(period);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        let mut total = Published {
            first_ns: self.clock.now_ns(),
            ..Published::default()
        };
        let mut sends = Vec::with_capacity(count);
        for _ in 0..count {
            ticker.tick().await;
            let this = self.clone();
            let order = order.to_string();
            sends.push(tokio::spawn(async move {
                this.record(&order, Kind::Paced).await
            }));
        }
        for send in sends {
            match send.await {
                Ok(result) => self.outcome(result, &mut total),
                Err(error) => self.outcome(Err(error.into()), &mut total),
            }
        }
        total
    }

    fn outcome(&self, result: Result<u32>, into: &mut Published) {
        match result {
            Ok(micros) => into.round_trips_us.push(micros),
            Err(error) => {
                into.failed += 1;
                into.first_error.get_or_insert_with(|| format!("{error:#}"));
            }
        }
    }
}
