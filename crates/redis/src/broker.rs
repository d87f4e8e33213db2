//! [`RedisBroker`]: Redis pub/sub as the backplane between nodes.
//!
//! One pub/sub connection per node carries every channel the node
//! watches; a driver task reads it and hands each publication to the hub.
//! When the connection breaks the node is `disconnected` (readiness says
//! so), the driver reconnects with backoff and jitter, subscribes to every
//! watched channel again, and calls [`PublicationSink::lost`] for all of
//! them: whatever was published meanwhile is refilled from the store.
//! Publishing uses a separate connection that reconnects by itself; a
//! publish that fails is logged by the caller (the event is stored, and
//! subscribers recover it by position).
//!
//! The subscribe barrier holds: `SUBSCRIBE` returns once Redis registered
//! the channel on this node's connection, and Redis delivers every later
//! `PUBLISH` to it. A subscribe while Redis is away is kept and made on
//! reconnect, which the loss signal covers.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use dashmap::DashMap;
use futures::StreamExt;
use rand::Rng;
use redis::aio::{ConnectionManager, PubSubSink};
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;
use trackwire_broker::{Broker, BrokerError, Channel, Lost, Publication, PublicationSink};

use crate::{names, wire};

/// Longest wait between reconnect attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

pub struct RedisBroker {
    shared: Arc<Shared>,
}

struct Shared {
    client: redis::Client,
    prefix: String,
    publisher: ConnectionManager,
    sink: OnceLock<Arc<dyn PublicationSink>>,
    /// The channels this node watches, by pub/sub name: what delivery
    /// looks a message's channel up in, without a lock.
    channels: DashMap<String, Channel>,
    /// The live subscription connection's sink (None while Redis is away).
    /// Changes to `channels` happen under this lock too, so a subscribe
    /// never slips between a reconnect's snapshot of the channels and its
    /// new connection.
    link: Mutex<Option<PubSubSink>>,
    connected: AtomicBool,
    stop: CancellationToken,
}

impl RedisBroker {
    /// A broker over the Redis at `client`, its names under `prefix`.
    /// Fails when Redis cannot be reached now (the node should not start
    /// against a Redis it cannot see).
    pub async fn connect(client: redis::Client, prefix: &str) -> Result<Self, BrokerError> {
        let publisher = crate::commands(&client)
            .await
            .map_err(|e| BrokerError::Unavailable(e.to_string()))?;
        Ok(Self {
            shared: Arc::new(Shared {
                client,
                prefix: prefix.to_owned(),
                publisher,
                sink: OnceLock::new(),
                channels: DashMap::new(),
                link: Mutex::default(),
                connected: AtomicBool::new(false),
                stop: CancellationToken::new(),
            }),
        })
    }
}

#[async_trait]
impl Broker for RedisBroker {
    async fn start(&self, sink: Arc<dyn PublicationSink>) -> Result<(), BrokerError> {
        if self.shared.sink.set(sink).is_err() {
            return Ok(());
        }
        // The first connection before returning, so a node starts ready.
        let first = self.shared.connect().await;
        tokio::spawn(drive(self.shared.clone(), first));
        Ok(())
    }

    async fn publish(&self, publication: Publication) -> Result<(), BrokerError> {
        let name = names::channel(&self.shared.prefix, &publication.channel);
        let body = wire::encode(&publication);
        let mut publisher = self.shared.publisher.clone();
        redis::cmd("PUBLISH")
            .arg(name)
            .arg(body.as_ref())
            .query_async::<i64>(&mut publisher)
            .await
            .map(|_| ())
            .map_err(|e| BrokerError::Unavailable(e.to_string()))
    }

    async fn subscribe(&self, channel: &Channel) -> Result<(), BrokerError> {
        let name = names::channel(&self.shared.prefix, channel);
        let mut link = self.shared.link.lock().await;
        self.shared.channels.insert(name.clone(), channel.clone());
        if let Some(pubsub) = link.as_mut() {
            if let Err(error) = pubsub.subscribe(&name).await {
                // The driver notices the broken link, resubscribes and
                // says publications may have been lost.
                tracing::warn!(%channel, %error, "redis subscribe failed; it is made on reconnect");
            }
        }
        Ok(())
    }

    async fn unsubscribe(&self, channel: &Channel) -> Result<(), BrokerError> {
        let name = names::channel(&self.shared.prefix, channel);
        let mut link = self.shared.link.lock().await;
        self.shared.channels.remove(&name);
        if let Some(pubsub) = link.as_mut() {
            pubsub
                .unsubscribe(&name)
                .await
                .map_err(|e| BrokerError::Unavailable(e.to_string()))?;
        }
        Ok(())
    }

    fn is_connected(&self) -> bool {
        self.shared.connected.load(Ordering::Relaxed)
    }

    async fn close(&self) {
        self.shared.stop.cancel();
        *self.shared.link.lock().await = None;
    }
}

type Messages = redis::aio::PubSubStream;

impl Shared {
    /// A new subscription connection with every watched channel on it.
    async fn connect(&self) -> Option<Messages> {
        let pubsub = match self.client.get_async_pubsub().await {
            Ok(pubsub) => pubsub,
            Err(error) => {
                tracing::warn!(%error, "redis is unreachable; retrying");
                return None;
            }
        };
        let (mut sink, stream) = pubsub.split();
        let mut link = self.link.lock().await;
        let names: Vec<String> = self.channels.iter().map(|e| e.key().clone()).collect();
        if !names.is_empty() {
            if let Err(error) = sink.subscribe(&names).await {
                tracing::warn!(%error, "redis resubscribe failed; retrying");
                return None;
            }
        }
        *link = Some(sink);
        self.connected.store(true, Ordering::Relaxed);
        Some(stream)
    }

    fn deliver(&self, message: &redis::Msg) {
        let Some(channel) = self
            .channels
            .get(message.get_channel_name())
            .map(|c| c.clone())
        else {
            return;
        };
        let body = Bytes::copy_from_slice(message.get_payload_bytes());
        match wire::decode(channel.clone(), body) {
            Some(publication) => {
                if let Some(sink) = self.sink.get() {
                    sink.deliver(Arc::new(publication));
                }
            }
            None => tracing::warn!(%channel, "a message on our channel that is not a publication"),
        }
    }
}

/// Reads the subscription connection until the broker closes; reconnects
/// with backoff when it breaks, and says what may have been lost.
async fn drive(shared: Arc<Shared>, mut messages: Option<Messages>) {
    let mut backoff = Duration::from_millis(100);
    loop {
        if let Some(mut stream) = messages.take() {
            backoff = Duration::from_millis(100);
            loop {
                let message = tokio::select! {
                    message = stream.next() => message,
                    _ = shared.stop.cancelled() => return,
                };
                let Some(message) = message else { break };
                shared.deliver(&message);
            }
            shared.connected.store(false, Ordering::Relaxed);
            *shared.link.lock().await = None;
            tracing::warn!(
                "the redis link broke; live events wait for the reconnect, the store still serves"
            );
        }
        let jitter = rand::rng().random_range(0..=backoff.as_millis() as u64 / 2);
        tokio::select! {
            _ = tokio::time::sleep(backoff + Duration::from_millis(jitter)) => {}
            _ = shared.stop.cancelled() => return,
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
        messages = shared.connect().await;
        if messages.is_some() {
            tracing::info!(
                "the redis link is back; refilling every watched channel from the store"
            );
            if let Some(sink) = shared.sink.get() {
                sink.lost(Lost::All);
            }
        }
    }
}
