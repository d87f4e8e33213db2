//! Presence on this node's side: announcing joins and leaves, and keeping
//! this node's entries alive (and a dead node's from lingering).

use std::sync::Weak;
use std::time::Duration;

use trackwire_domain::Topic;

use super::Hub;
use crate::orders::send;
use crate::presence::{Member, PresenceKey};
use crate::publish;

impl Hub {
    /// Tells a topic's watchers that `member` joined or left (`state`),
    /// if that is still true once the order is read: a leave and a join of
    /// the same person (a page reload) race, and the stale one of the two
    /// must not be the last word. Best effort otherwise: presence is
    /// ephemeral, and the next snapshot corrects a lost announcement.
    pub async fn announce_presence(
        &self,
        key: &PresenceKey,
        topic: &Topic,
        member: &Member,
        state: &str,
    ) {
        let Some(id) = topic.order_id() else { return };
        let Ok(Some(order)) = self.store.order(&key.tenant, id).await else {
            return;
        };
        let here = self
            .presence
            .members(key)
            .await
            .iter()
            .any(|m| m.subject == member.subject);
        if here != (state == "join") {
            return;
        }
        let courier = order.courier.as_ref().map(|c| c.id.as_str());
        send(
            &*self.broker,
            publish::presence(&key.tenant, topic, member, state, courier),
        )
        .await;
    }

    /// Refreshes this node's entries and announces the leave of members
    /// whose every entry expired (their node stopped refreshing).
    async fn keep_presence(&self) {
        self.presence.refresh().await;
        for (key, member) in self.presence.expire().await {
            let Ok(topic) = key.topic.parse::<Topic>() else {
                continue;
            };
            tracing::info!(topic = %key.topic, subject = %member.subject, "presence lease expired");
            self.announce_presence(&key, &topic, &member, "leave").await;
        }
    }
}

/// Every third of a lease, until the hub is gone.
pub(super) async fn keep_presence_every(hub: Weak<Hub>, lease: Duration) {
    let mut ticker = tokio::time::interval(lease / 3);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticker.tick().await;
    loop {
        ticker.tick().await;
        let Some(hub) = hub.upgrade() else { return };
        hub.keep_presence().await;
    }
}
