//! Presence in this process's memory. One process is one node in embedded
//! mode; [`LocalPresence::node`] makes more nodes over the same memory, so
//! the conformance suite can show what a node that stops refreshing (a
//! dead one) leaves behind.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use dashmap::DashMap;
use tokio::time::Instant;

use super::{Member, Presence, PresenceKey};

/// The lease of [`LocalPresence::default`]: two default heartbeats.
const DEFAULT_LEASE: Duration = Duration::from_secs(50);

pub struct LocalPresence {
    node: Arc<str>,
    lease: Duration,
    topics: Arc<DashMap<PresenceKey, HashMap<String, Entry>>>,
}

/// One person on one topic: their connections, per node.
#[derive(Debug, Clone)]
struct Entry {
    member: Member,
    nodes: HashMap<Arc<str>, Holding>,
}

#[derive(Debug, Clone, Copy)]
struct Holding {
    connections: usize,
    expires: Instant,
}

impl Entry {
    fn live(&self, now: Instant) -> bool {
        self.nodes.values().any(|h| h.expires > now)
    }
}

impl Default for LocalPresence {
    fn default() -> Self {
        Self::with_lease(DEFAULT_LEASE)
    }
}

impl LocalPresence {
    pub fn with_lease(lease: Duration) -> Self {
        Self {
            node: "local".into(),
            lease,
            topics: Arc::default(),
        }
    }

    /// Another node over the same memory (for tests of several nodes).
    pub fn node(&self, name: &str) -> Self {
        Self {
            node: name.into(),
            lease: self.lease,
            topics: self.topics.clone(),
        }
    }

    /// Topics with anyone present (for tests: nothing outlives its
    /// connection).
    pub fn topic_count(&self) -> usize {
        self.topics.len()
    }
}

#[async_trait]
impl Presence for LocalPresence {
    async fn join(&self, key: &PresenceKey, subject: &str, role: &str) -> Option<Member> {
        let now = Instant::now();
        let mut topic = self.topics.entry(key.clone()).or_default();
        let expires = now + self.lease;
        if let Some(entry) = topic.get_mut(subject).filter(|e| e.live(now)) {
            let holding = entry.nodes.entry(self.node.clone()).or_insert(Holding {
                connections: 0,
                expires,
            });
            holding.connections += 1;
            holding.expires = expires;
            return None;
        }
        let member = Member {
            subject: subject.to_owned(),
            role: role.to_owned(),
            since: Utc::now(),
        };
        let holding = Holding {
            connections: 1,
            expires,
        };
        let entry = Entry {
            member: member.clone(),
            nodes: HashMap::from([(self.node.clone(), holding)]),
        };
        topic.insert(subject.to_owned(), entry);
        Some(member)
    }

    async fn leave(&self, key: &PresenceKey, subject: &str) -> Option<Member> {
        let now = Instant::now();
        let mut topic = self.topics.get_mut(key)?;
        let entry = topic.get_mut(subject)?;
        let holding = entry.nodes.get_mut(&self.node)?;
        holding.connections = holding.connections.saturating_sub(1);
        if holding.connections == 0 {
            entry.nodes.remove(&self.node);
        }
        let left = if entry.live(now) {
            None
        } else {
            topic.remove(subject).map(|entry| entry.member)
        };
        let empty = topic.is_empty();
        drop(topic);
        if empty {
            self.topics.remove_if(key, |_, members| members.is_empty());
        }
        left
    }

    async fn members(&self, key: &PresenceKey) -> Vec<Member> {
        let now = Instant::now();
        let mut members: Vec<Member> = self
            .topics
            .get(key)
            .map(|topic| {
                topic
                    .values()
                    .filter(|e| e.live(now))
                    .map(|e| e.member.clone())
                    .collect()
            })
            .unwrap_or_default();
        members.sort_by(|a, b| a.since.cmp(&b.since).then(a.subject.cmp(&b.subject)));
        members
    }

    async fn refresh(&self) {
        let expires = Instant::now() + self.lease;
        for mut topic in self.topics.iter_mut() {
            for entry in topic.values_mut() {
                if let Some(holding) = entry.nodes.get_mut(&self.node) {
                    holding.expires = expires;
                }
            }
        }
    }

    async fn expire(&self) -> Vec<(PresenceKey, Member)> {
        let now = Instant::now();
        let mut gone = Vec::new();
        for mut topic in self.topics.iter_mut() {
            let key = topic.key().clone();
            topic.retain(|_, entry| {
                entry.nodes.retain(|_, holding| holding.expires > now);
                if entry.nodes.is_empty() {
                    gone.push((key.clone(), entry.member.clone()));
                    false
                } else {
                    true
                }
            });
        }
        self.topics.retain(|_, topic| !topic.is_empty());
        gone
    }

    fn lease(&self) -> Duration {
        self.lease
    }
}
