//! Presence: who is watching an order or its chat right now, on every node.
//!
//! [`Presence`] is the seam; [`LocalPresence`] keeps it in this process
//! (embedded mode), a cluster backend keeps it where every node sees it.
//! A person with several connections (two tabs, a phone and a laptop, on
//! one node or several) counts once: they join with their first connection
//! and leave with their last.
//!
//! Entries live on leases: each belongs to the node whose connection made
//! it, and lives one lease past that node's last refresh. A session joins
//! after it subscribed and leaves when it unsubscribes or closes; the hub
//! refreshes its node's entries every third of a lease and takes the
//! expired ones of nodes that stopped (killed, partitioned), announcing
//! their members' leave, so a dead node leaves no ghost beyond one lease.

mod local;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use local::LocalPresence;

/// One person present on a topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// Who is present where, across the cluster.
///
/// Guarantees (checked by `tests/presence_conformance`, against every
/// backend):
///
/// - `join` counts one more connection of `subject` on this node and says
///   `Some(member)` when the subject had none anywhere (announce the join);
///   `leave` counts one less and says `Some(member)` when that was their
///   last anywhere (announce the leave). Two connections of one person, on
///   one node or two, are one member.
/// - `members` lists everyone with a live entry, oldest first.
/// - An entry lives one [`lease`](Presence::lease) past its node's last
///   [`refresh`](Presence::refresh); then [`expire`](Presence::expire), on
///   any node, takes it and returns the members it was the last entry of.
/// - Failures of a networked backend are logged, not returned: presence is
///   ephemeral, and the next refresh or join puts it right.
#[async_trait]
pub trait Presence: Send + Sync + 'static {
    async fn join(&self, key: &PresenceKey, subject: &str, role: &str) -> Option<Member>;
    async fn leave(&self, key: &PresenceKey, subject: &str) -> Option<Member>;
    async fn members(&self, key: &PresenceKey) -> Vec<Member>;
    /// Keeps every entry of this node alive for another lease.
    async fn refresh(&self);
    /// Takes the entries whose lease ran out, and returns the members that
    /// left with them (to announce).
    async fn expire(&self) -> Vec<(PresenceKey, Member)>;
    /// How long an entry lives without a refresh of its node.
    fn lease(&self) -> std::time::Duration;
}
