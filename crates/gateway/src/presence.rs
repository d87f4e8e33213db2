//! Presence: who is watching an order or its chat right now.
//!
//! [`Presence`] is the seam the cluster work will back with Redis; today
//! [`LocalPresence`] keeps it in this process. A person with several
//! connections (two tabs, a phone and a laptop) counts once: they join with
//! their first connection and leave with their last. Entries live exactly
//! as long as the connections behind them: a session joins after it
//! subscribed and leaves when it unsubscribes or closes (a dead link is
//! closed within the heartbeat window), so nothing outlives its connection.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use dashmap::DashMap;
use serde::Serialize;

/// One person present on a topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    pub subject: String,
    pub role: String,
    /// When their first connection joined.
    pub since: DateTime<Utc>,
}

/// A tenant's topic, for presence (every audience shares it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PresenceKey {
    pub tenant: String,
    pub topic: String,
}

/// Who is present where. Implementations count connections per subject:
/// `join` says whether it was the subject's first, `leave` whether it was
/// their last.
#[async_trait]
pub trait Presence: Send + Sync + 'static {
    /// Adds one connection of `subject`; `Some(member)` when they were not
    /// present before (announce the join).
    async fn join(&self, key: &PresenceKey, subject: &str, role: &str) -> Option<Member>;
    /// Removes one connection; `Some(member)` when it was their last
    /// (announce the leave).
    async fn leave(&self, key: &PresenceKey, subject: &str) -> Option<Member>;
    /// Everyone present, oldest first.
    async fn members(&self, key: &PresenceKey) -> Vec<Member>;
}

/// Presence in this process's memory.
#[derive(Default)]
pub struct LocalPresence {
    topics: DashMap<PresenceKey, HashMap<String, (Member, usize)>>,
}

#[async_trait]
impl Presence for LocalPresence {
    async fn join(&self, key: &PresenceKey, subject: &str, role: &str) -> Option<Member> {
        let mut topic = self.topics.entry(key.clone()).or_default();
        match topic.get_mut(subject) {
            Some((_, connections)) => {
                *connections += 1;
                None
            }
            None => {
                let member = Member {
                    subject: subject.to_owned(),
                    role: role.to_owned(),
                    since: Utc::now(),
                };
                topic.insert(subject.to_owned(), (member.clone(), 1));
                Some(member)
            }
        }
    }

    async fn leave(&self, key: &PresenceKey, subject: &str) -> Option<Member> {
        let mut topic = self.topics.get_mut(key)?;
        let (_, connections) = topic.get_mut(subject)?;
        *connections -= 1;
        let left = if *connections == 0 {
            topic.remove(subject).map(|(member, _)| member)
        } else {
            None
        };
        let empty = topic.is_empty();
        drop(topic);
        if empty {
            self.topics.remove_if(key, |_, members| members.is_empty());
        }
        left
    }

    async fn members(&self, key: &PresenceKey) -> Vec<Member> {
        let mut members: Vec<Member> = self
            .topics
            .get(key)
            .map(|topic| topic.values().map(|(member, _)| member.clone()).collect())
            .unwrap_or_default();
        members.sort_by(|a, b| a.since.cmp(&b.since).then(a.subject.cmp(&b.subject)));
        members
    }
}

impl LocalPresence {
    /// Topics with anyone present (for tests: nothing outlives its
    /// connection).
    pub fn topic_count(&self) -> usize {
        self.topics.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_person_with_two_connections_counts_once() {
        let presence = LocalPresence::default();
        let key = PresenceKey {
            tenant: "t".into(),
            topic: "chat:A".into(),
        };
        assert!(
            presence.join(&key, "ada", "customer").await.is_some(),
            "first tab joins"
        );
        assert!(
            presence.join(&key, "ada", "customer").await.is_none(),
            "second tab: already here"
        );
        assert!(presence.join(&key, "max", "courier").await.is_some());
        let subjects: Vec<_> = presence
            .members(&key)
            .await
            .into_iter()
            .map(|m| m.subject)
            .collect();
        assert_eq!(subjects, ["ada", "max"]);
        assert!(
            presence.leave(&key, "ada").await.is_none(),
            "one tab left, one stays"
        );
        assert!(
            presence.leave(&key, "ada").await.is_some(),
            "the last tab leaves"
        );
        assert!(presence.leave(&key, "max").await.is_some());
        assert!(presence.leave(&key, "nobody").await.is_none());
        assert_eq!(
            presence.topic_count(),
            0,
            "nothing outlives its connections"
        );
    }
}
