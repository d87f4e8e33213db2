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
//!
//! A link can also die silently (a partition: no FIN, no RST, the socket
//! open and quiet). So the driver sends `PING` on the subscription
//! connection every [`PING_EVERY`], and every command on it (the pings,
//! `SUBSCRIBE`, `UNSUBSCRIBE`, the connect) has [`COMMAND_TIMEOUT`]: one
//! that is not answered in time breaks the link as a closed socket would
//! (disconnected, reconnect, loss signal). Without that a partitioned node
//! stayed `connected` (readiness `ok`) while nothing reached it, and a
//! subscribe waited on the dead socket forever, holding every other one.

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

use crate::{names, wire, COMMAND_TIMEOUT};

/// Longest wait between reconnect attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// How often the subscription connection is asked for a `PING`: a link
/// that died silently is noticed within this and [`COMMAND_TIMEOUT`].
pub const PING_EVERY: Duration = Duration::from_secs(1);

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
    /// The live subscription connection (None while Redis is away).
    /// Changes to `channels` happen under this lock too, so a subscribe
    /// never slips between a reconnect's snapshot of the channels and its
    /// new connection.
    link: Mutex<Option<Link>>,
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
        let link = self.shared.link.lock().await;
        self.shared.channels.insert(name.clone(), channel.clone());
        if let Some(link) = link.as_ref() {
            let mut sink = link.sink.clone();
            // On failure the link is broken: the driver reconnects,
            // resubscribes every channel (this one too) and says
            // publications may have been lost.
            let _ = link.run("subscribe", sink.subscribe(&name)).await;
        }
        Ok(())
    }

    async fn unsubscribe(&self, channel: &Channel) -> Result<(), BrokerError> {
        let name = names::channel(&self.shared.prefix, channel);
        let link = self.shared.link.lock().await;
        self.shared.channels.remove(&name);
        if let Some(link) = link.as_ref() {
            let mut sink = link.sink.clone();
            link.run("unsubscribe", sink.unsubscribe(&name)).await?;
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

/// The subscription connection's sink, and the token that breaks it: a
/// command on it that fails or is not answered in time cancels `broken`,
/// and the driver then drops the connection and reconnects.
struct Link {
    sink: PubSubSink,
    broken: CancellationToken,
}

impl Link {
    /// Runs `command` on the link within [`COMMAND_TIMEOUT`]; a failure or
    /// a timeout breaks the link.
    async fn run<T>(
        &self,
        what: &str,
        command: impl std::future::Future<Output = redis::RedisResult<T>>,
    ) -> Result<T, BrokerError> {
        on_link(&self.broken, what, command).await
    }
}

/// Runs `command` on the link that `broken` breaks, within
/// [`COMMAND_TIMEOUT`]; a failure or a timeout breaks it.
async fn on_link<T>(
    broken: &CancellationToken,
    what: &str,
    command: impl std::future::Future<Output = redis::RedisResult<T>>,
) -> Result<T, BrokerError> {
    let error = match tokio::time::timeout(COMMAND_TIMEOUT, command).await {
        Ok(Ok(value)) => return Ok(value),
        Ok(Err(error)) => error.to_string(),
        Err(_) => format!("no answer within {COMMAND_TIMEOUT:?}"),
    };
    tracing::warn!(%error, "redis {what} failed; the link is taken as broken");
    broken.cancel();
    Err(BrokerError::Unavailable(error))
}

impl Shared {
    /// A new subscription connection with every watched channel on it.
    /// Returns the messages and the token that says the link broke.
    async fn connect(&self) -> Option<(Messages, CancellationToken)> {
        let pubsub = match tokio::time::timeout(COMMAND_TIMEOUT, self.client.get_async_pubsub())
            .await
        {
            Ok(Ok(pubsub)) => pubsub,
            Ok(Err(error)) => {
                tracing::warn!(%error, "redis is unreachable; retrying");
                return None;
            }
            Err(_) => {
                tracing::warn!("redis did not answer a connect in {COMMAND_TIMEOUT:?}; retrying");
                return None;
            }
        };
        let (sink, stream) = pubsub.split();
        let link = Link {
            sink,
            broken: CancellationToken::new(),
        };
        let mut guard = self.link.lock().await;
        let names: Vec<String> = self.channels.iter().map(|e| e.key().clone()).collect();
        // Something answered, not only a socket opened: a half-dead
        // path may accept a connection and carry nothing.
        let mut sink = link.sink.clone();
        let answered = if names.is_empty() {
            link.run("ping", sink.ping::<redis::Value>())
                .await
                .map(|_| ())
        } else {
            link.run("resubscribe", sink.subscribe(&names)).await
        };
        if answered.is_err() {
            return None;
        }
        let broken = link.broken.clone();
        *guard = Some(link);
        self.connected.store(true, Ordering::Relaxed);
        Some((stream, broken))
    }

    /// Pings the subscription connection every [`PING_EVERY`] until the
    /// link is broken (by a ping without an answer, or anything else).
    async fn watch(&self, broken: CancellationToken) {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(PING_EVERY) => {}
                _ = broken.cancelled() => return,
            }
            // The sink cloned, not pinged under the lock: a subscribe may
            // go on meanwhile.
            let Some(mut sink) = self.link.lock().await.as_ref().map(|l| l.sink.clone()) else {
                return;
            };
            if on_link(&broken, "ping", sink.ping::<redis::Value>())
                .await
                .is_err()
            {
                return;
            }
        }
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
async fn drive(shared: Arc<Shared>, mut messages: Option<(Messages, CancellationToken)>) {
    let mut backoff = Duration::from_millis(100);
    loop {
        if let Some((mut stream, broken)) = messages.take() {
            backoff = Duration::from_millis(100);
            let watchdog = {
                let (shared, broken) = (shared.clone(), broken.clone());
                tokio::spawn(async move { shared.watch(broken).await })
            };
            loop {
                let message = tokio::select! {
                    message = stream.next() => message,
                    _ = broken.cancelled() => None,
                    _ = shared.stop.cancelled() => {
                        watchdog.abort();
                        return;
                    }
                };
                let Some(message) = message else { break };
                shared.deliver(&message);
            }
            broken.cancel();
            watchdog.abort();
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
