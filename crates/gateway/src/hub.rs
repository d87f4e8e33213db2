//! This node's fan-out: broker channel -> local subscribers.
//!
//! The map is sharded (DashMap), so publications on different channels never
//! contend, and delivering to a subscriber never blocks: it only puts the
//! shared publication in that subscriber's bounded queue.
//!
//! The node's broker subscription follows its local subscribers: one
//! async lock per channel ([`Hub::sync_broker`]) puts the broker calls of
//! a channel in order, and each call decides from the subscribers as they
//! are when it holds the lock. So a last unsubscribe racing a first
//! subscribe can never leave a watched channel unsubscribed at the broker.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use dashmap::DashMap;
use trackwire_broker::{Broker, BrokerError, Channel, Publication, PublicationSink};

use crate::presence::{LocalPresence, Presence};

/// Identifies one subscription in the hub.
pub type SubscriberId = u64;

/// Something that receives publications: a connection's queue.
/// `deliver` must not block or wait.
pub trait Subscriber: Send + Sync + 'static {
    fn deliver(&self, publication: &Arc<Publication>);
}

pub struct Hub {
    broker: Arc<dyn Broker>,
    presence: Arc<dyn Presence>,
    channels: DashMap<Channel, HashMap<SubscriberId, Arc<dyn Subscriber>>>,
    /// Per channel with broker traffic in flight or a broker subscription:
    /// whether this node is subscribed at the broker.
    links: DashMap<Channel, Arc<tokio::sync::Mutex<bool>>>,
    next_id: AtomicU64,
}

impl Hub {
    /// Creates the hub and starts the broker with it as the sink.
    pub async fn start(broker: Arc<dyn Broker>) -> Result<Arc<Self>, BrokerError> {
        Self::start_with(broker, Arc::new(LocalPresence::default())).await
    }

    /// The same, with who-is-here kept by `presence`.
    pub async fn start_with(
        broker: Arc<dyn Broker>,
        presence: Arc<dyn Presence>,
    ) -> Result<Arc<Self>, BrokerError> {
        let hub = Arc::new(Self {
            broker: broker.clone(),
            presence,
            channels: DashMap::new(),
            links: DashMap::new(),
            next_id: AtomicU64::new(1),
        });
        broker.start(hub.clone()).await?;
        Ok(hub)
    }

    pub fn broker(&self) -> &Arc<dyn Broker> {
        &self.broker
    }

    pub fn presence(&self) -> &Arc<dyn Presence> {
        &self.presence
    }

    /// Adds a subscriber to a channel; returns once this node is
    /// subscribed at the broker (the first subscriber makes it subscribe).
    /// Cancel-safe: dropped half way (a client gone while its request
    /// waited for the broker), it leaves no subscriber behind.
    pub async fn subscribe(
        self: &Arc<Self>,
        channel: &Channel,
        subscriber: Arc<dyn Subscriber>,
    ) -> Result<SubscriberId, BrokerError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.channels
            .entry(channel.clone())
            .or_default()
            .insert(id, subscriber);
        let mut pending = Pending {
            hub: self,
            channel,
            id: Some(id),
        };
        // On failure `pending` takes the subscriber out again: none is left
        // behind that the broker never feeds.
        self.sync_broker(channel).await?;
        pending.id = None;
        Ok(id)
    }

    /// Removes a subscriber; the last one makes this node unsubscribe.
    pub async fn unsubscribe(&self, channel: &Channel, id: SubscriberId) {
        if self.remove(channel, id) {
            self.leave(channel).await;
        }
    }

    /// Removes a subscriber at once, without waiting; true when it was the
    /// channel's last, and the node should [`Hub::leave`] the broker.
    pub fn remove(&self, channel: &Channel, id: SubscriberId) -> bool {
        self.channels
            .remove_if_mut(channel, |_, subscribers| {
                subscribers.remove(&id);
                subscribers.is_empty()
            })
            .is_some()
    }

    /// Stops this node's broker subscription to a channel nobody here
    /// watches any more (if somebody subscribed again meanwhile, it stays).
    pub async fn leave(&self, channel: &Channel) {
        if let Err(error) = self.sync_broker(channel).await {
            tracing::warn!(%channel, %error, "broker unsubscribe failed");
        }
    }

    /// Brings the broker subscription of `channel` in line with its local
    /// subscribers, one caller per channel at a time.
    async fn sync_broker(&self, channel: &Channel) -> Result<(), BrokerError> {
        let link = self.links.entry(channel.clone()).or_default().clone();
        let mut linked = link.lock().await;
        let wanted = self.subscriber_count(channel) > 0;
        let result = match (wanted, *linked) {
            (true, false) => {
                let subscribed = self.broker.subscribe(channel).await;
                *linked = subscribed.is_ok();
                subscribed
            }
            (false, true) => {
                // Even when the broker call fails, nobody here listens: a
                // publication that still arrives finds no subscriber.
                *linked = false;
                self.broker.unsubscribe(channel).await
            }
            _ => Ok(()),
        };
        if !*linked {
            // Forget the channel unless another caller waits for its lock
            // (the map's Arc and ours are then the only two). Still under
            // the lock: nobody can link it in between.
            self.links
                .remove_if(channel, |_, held| Arc::strong_count(held) == 2);
        }
        drop(linked);
        result
    }

    /// How many local subscribers a channel has.
    pub fn subscriber_count(&self, channel: &Channel) -> usize {
        self.channels.get(channel).map_or(0, |s| s.len())
    }
}

/// A subscriber added to the hub whose subscribe has not returned yet.
struct Pending<'a> {
    hub: &'a Arc<Hub>,
    channel: &'a Channel,
    /// Some until the subscribe succeeds.
    id: Option<SubscriberId>,
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        let Some(id) = self.id.take() else {
            return;
        };
        if self.hub.remove(self.channel, id) {
            // It was the last: bring the broker in line, off this thread.
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                let (hub, channel) = (self.hub.clone(), self.channel.clone());
                runtime.spawn(async move { hub.leave(&channel).await });
            }
        }
    }
}

impl PublicationSink for Hub {
    fn deliver(&self, publication: Arc<Publication>) {
        if let Some(subscribers) = self.channels.get(&publication.channel) {
            for subscriber in subscribers.values() {
                subscriber.deliver(&publication);
            }
        }
    }
}
