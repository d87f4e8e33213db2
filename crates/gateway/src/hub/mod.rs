//! This node's fan-out: broker channel -> local subscribers.
//!
//! The map is sharded (DashMap), so publications on different channels never
//! contend, and delivering to a subscriber never blocks: it only puts the
//! shared publication in that subscriber's bounded queue.
//!
//! Each channel's durable publications pass its [`sequencer`] first: one
//! that comes early (another node's, overtaking) waits a short reorder
//! window for the missing ones, and a gap that stays is refilled from the
//! store once for the channel ([`refill`]), not once per subscriber. A
//! periodic position check compares every watched channel with the store's
//! head, so a lost *last* publication (no later one reveals the gap) is
//! refilled too; and when the broker says publications may have been lost
//! ([`PublicationSink::lost`]), the affected channels are refilled at once.
//!
//! The node's broker subscription follows its local subscribers: one
//! async lock per channel ([`Hub::sync_broker`]) puts the broker calls of
//! a channel in order, and each call decides from the subscribers as they
//! are when it holds the lock. So a last unsubscribe racing a first
//! subscribe can never leave a watched channel unsubscribed at the broker.

mod presence;
mod refill;
mod sequencer;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use dashmap::DashMap;
use trackwire_broker::{Broker, BrokerError, Channel, Class, Lost, Publication, PublicationSink};
use trackwire_domain::Topic;
use trackwire_store::Store;

use crate::ops::Board;
use crate::presence::{LocalPresence, Presence};
use crate::publish::FEED_TOPIC;
use sequencer::{Offer, Sequencer};

/// Identifies one subscription in the hub.
pub type SubscriberId = u64;

/// Something that receives publications: a connection's queue.
/// `deliver` must not block or wait.
pub trait Subscriber: Send + Sync + 'static {
    fn deliver(&self, publication: &Arc<Publication>);
}

/// The hub's timings.
#[derive(Debug, Clone)]
pub struct HubConfig {
    /// How long a durable publication that came early waits for the ones
    /// before it before the channel is refilled from the store.
    pub reorder_window: Duration,
    /// How often every watched channel is compared with the store's head.
    /// A lost last publication is refilled within two of these.
    pub position_interval: Duration,
}

impl Default for HubConfig {
    fn default() -> Self {
        Self {
            reorder_window: Duration::from_millis(50),
            position_interval: Duration::from_secs(2),
        }
    }
}

/// One channel on this node: its subscribers, and the order of its
/// durable publications.
#[derive(Default)]
struct ChannelEntry {
    subscribers: HashMap<SubscriberId, Arc<dyn Subscriber>>,
    order: Mutex<Sequencer>,
    /// Publications fanned out here (one relaxed add per publication, not
    /// per subscriber): the ops console's busiest topics.
    published: AtomicU64,
}

impl ChannelEntry {
    fn sequencer(&self) -> std::sync::MutexGuard<'_, Sequencer> {
        self.order.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn fan_out(&self, publication: &Arc<Publication>) {
        self.published.fetch_add(1, Ordering::Relaxed);
        for subscriber in self.subscribers.values() {
            subscriber.deliver(publication);
        }
    }
}

pub struct Hub {
    broker: Arc<dyn Broker>,
    presence: Arc<dyn Presence>,
    /// Where refills read from.
    store: Arc<dyn Store>,
    channels: DashMap<Channel, ChannelEntry>,
    /// Per channel with broker traffic in flight or a broker subscription:
    /// whether this node is subscribed at the broker.
    links: DashMap<Channel, Arc<tokio::sync::Mutex<bool>>>,
    next_id: AtomicU64,
    config: HubConfig,
    /// The hub itself, for the refills that `deliver` and `lost` start.
    me: Weak<Hub>,
    /// The ops console's board, once [`crate::ops::start`] made it.
    ops: OnceLock<Arc<Board>>,
}

/// One watched channel's load, for the ops console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelLoad {
    pub channel: Channel,
    pub subscribers: usize,
    /// Publications fanned out on this node since the channel was watched.
    pub published: u64,
}

impl Hub {
    /// Creates the hub, starts the broker with it as the sink, and starts
    /// the position check (it stops when the hub is dropped).
    pub async fn start(
        broker: Arc<dyn Broker>,
        store: Arc<dyn Store>,
    ) -> Result<Arc<Self>, BrokerError> {
        Self::start_with(
            broker,
            store,
            Arc::new(LocalPresence::default()),
            HubConfig::default(),
        )
        .await
    }

    /// The same, with who-is-here kept by `presence`, and `config`.
    pub async fn start_with(
        broker: Arc<dyn Broker>,
        store: Arc<dyn Store>,
        presence: Arc<dyn Presence>,
        config: HubConfig,
    ) -> Result<Arc<Self>, BrokerError> {
        let hub = Arc::new_cyclic(|me| Self {
            broker: broker.clone(),
            presence,
            store,
            channels: DashMap::new(),
            links: DashMap::new(),
            next_id: AtomicU64::new(1),
            config,
            me: me.clone(),
            ops: OnceLock::new(),
        });
        broker.start(hub.clone()).await?;
        tokio::spawn(check_positions_every(
            Arc::downgrade(&hub),
            hub.config.position_interval,
        ));
        tokio::spawn(presence::keep_presence_every(
            Arc::downgrade(&hub),
            hub.presence.lease(),
        ));
        Ok(hub)
    }

    pub fn presence(&self) -> &Arc<dyn Presence> {
        &self.presence
    }

    pub(crate) fn broker(&self) -> &Arc<dyn Broker> {
        &self.broker
    }

    /// The ops console's board, when this node publishes its figures.
    pub fn ops(&self) -> Option<&Arc<Board>> {
        self.ops.get()
    }

    pub(crate) fn set_ops(&self, board: Arc<Board>) {
        let _ = self.ops.set(board);
    }

    /// Every channel watched on this node with its load (read once per
    /// ops tick, off the delivery path: one shard read lock at a time).
    pub fn loads(&self) -> Vec<ChannelLoad> {
        self.channels
            .iter()
            .map(|entry| ChannelLoad {
                channel: entry.key().clone(),
                subscribers: entry.subscribers.len(),
                published: entry.published.load(Ordering::Relaxed),
            })
            .collect()
    }

    /// Whether the broker can deliver now (readiness asks).
    pub fn broker_connected(&self) -> bool {
        self.broker.is_connected()
    }

    /// Closes the broker (at shutdown).
    pub async fn close(&self) {
        self.broker.close().await;
    }

    /// A subscriber's recovery read the store up to `position` on
    /// `channel`: the channel's order starts there if nothing came yet.
    pub fn observe(&self, channel: &Channel, position: u64) {
        if let Some(entry) = self.channels.get(channel) {
            entry.sequencer().observe(position);
        }
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
            .subscribers
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
            .remove_if_mut(channel, |_, entry| {
                entry.subscribers.remove(&id);
                entry.subscribers.is_empty()
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
        self.channels
            .get(channel)
            .map_or(0, |e| e.subscribers.len())
    }

    /// Starts a refill of `channel` from `after`, off the caller's task.
    fn spawn_refill(&self, channel: Channel, after: u64) {
        let Some(hub) = self.me.upgrade() else { return };
        tokio::spawn(async move { hub.refill(&channel, after).await });
    }

    /// Reads `channel` after `after` from the store and delivers it, with
    /// whatever the sequencer held, in order.
    async fn refill(&self, channel: &Channel, after: u64) {
        let read = refill::since(&*self.store, channel, after).await;
        let Some(entry) = self.channels.get(channel) else {
            return;
        };
        let out = match read {
            Ok(refilled) => entry.sequencer().refilled(refilled),
            Err(error) => {
                tracing::warn!(%channel, %error, "refill from the store failed; subscribers resync by themselves");
                entry.sequencer().refill_failed()
            }
        };
        for publication in &out {
            entry.fan_out(publication);
        }
    }

    /// The reorder window of a gap passed: refill it if it is still open.
    fn arm_reorder_window(&self, channel: Channel) {
        let Some(hub) = self.me.upgrade() else { return };
        let window = self.config.reorder_window;
        tokio::spawn(async move {
            tokio::time::sleep(window).await;
            let after = hub
                .channels
                .get(&channel)
                .and_then(|entry| entry.sequencer().gap_to_refill());
            if let Some(after) = after {
                hub.refill(&channel, after).await;
            }
        });
    }

    /// Compares every watched channel with the store's head and refills
    /// those that stay behind it (see [`Sequencer::behind`]).
    pub async fn check_positions(&self) {
        let mut by_tenant: HashMap<Arc<str>, Vec<(Channel, Topic)>> = HashMap::new();
        for entry in self.channels.iter() {
            let channel = entry.key();
            let Ok(topic) = channel.topic.parse::<Topic>() else {
                continue;
            };
            by_tenant
                .entry(channel.tenant.clone())
                .or_default()
                .push((channel.clone(), topic));
        }
        for (tenant, watched) in by_tenant {
            let topics: Vec<Topic> = watched.iter().map(|(_, topic)| topic.clone()).collect();
            let heads = match self.store.heads(&tenant, &topics).await {
                Ok(heads) => heads,
                Err(error) => {
                    tracing::warn!(%tenant, %error, "position check: the store did not answer");
                    continue;
                }
            };
            for ((channel, _), head) in watched.into_iter().zip(heads) {
                let Some(head) = head else { continue };
                let after = self
                    .channels
                    .get(&channel)
                    .and_then(|entry| entry.sequencer().behind(head));
                if let Some(after) = after {
                    tracing::info!(%channel, after, head, "a channel fell behind the store; refilling it");
                    self.refill(&channel, after).await;
                }
            }
        }
    }
}

/// The position check, every `interval`, until the hub is gone.
async fn check_positions_every(hub: Weak<Hub>, interval: Duration) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticker.tick().await;
    loop {
        ticker.tick().await;
        let Some(hub) = hub.upgrade() else { return };
        hub.check_positions().await;
    }
}

/// A durable publication's place on its channel: its `offset` on the
/// tenant feed, its `seq` elsewhere; `None` for signals.
fn position(publication: &Publication) -> Option<u64> {
    match &publication.class {
        Class::Durable { offset, .. } if &*publication.channel.topic == FEED_TOPIC => *offset,
        Class::Durable { seq, .. } => Some(*seq),
        Class::Ephemeral { .. } => None,
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
        let Some(entry) = self.channels.get(&publication.channel) else {
            return;
        };
        let Some(position) = position(&publication) else {
            entry.fan_out(&publication);
            return;
        };
        let offer = entry.sequencer().offer(position, &publication);
        match offer {
            Offer::Deliver(out) => {
                for publication in &out {
                    entry.fan_out(publication);
                }
            }
            Offer::Held { gap_opened: true } => {
                drop(entry);
                self.arm_reorder_window(publication.channel.clone());
            }
            Offer::Held { gap_opened: false } => {}
        }
    }

    fn lost(&self, scope: Lost) {
        let channels: Vec<Channel> = match scope {
            Lost::All => self.channels.iter().map(|e| e.key().clone()).collect(),
            Lost::Channel(channel) => vec![channel],
        };
        tracing::warn!(
            channels = channels.len(),
            "the broker may have lost publications; refilling from the store"
        );
        for channel in channels {
            let after = self
                .channels
                .get(&channel)
                .and_then(|entry| entry.sequencer().lost());
            if let Some(after) = after {
                self.spawn_refill(channel, after);
            }
        }
    }
}
