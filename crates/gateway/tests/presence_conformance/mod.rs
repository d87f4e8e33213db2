//! The Presence conformance suite: every backend must pass every check
//! here (the guarantees are in the `Presence` trait's doc comment). A
//! backend's test file gives [`Nodes`], which makes nodes over one shared
//! presence with a short lease.

use std::sync::Arc;
use std::time::Duration;

use trackwire_gateway::presence::{Member, Presence, PresenceKey};

/// Nodes over one presence (one process's memory, one Redis …).
pub(crate) trait Nodes {
    /// The node called `name`; every node shares the same entries.
    fn node(&self, name: &str) -> Arc<dyn Presence>;
}

/// A topic key unique to one check, so backends that keep state between
/// runs (Redis) start each check clean.
pub(crate) fn key(topic: &str) -> PresenceKey {
    PresenceKey {
        tenant: format!("conformance-{}", uuid()),
        topic: topic.into(),
    }
}

fn uuid() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

async fn subjects(presence: &dyn Presence, key: &PresenceKey) -> Vec<String> {
    presence
        .members(key)
        .await
        .into_iter()
        .map(|m| m.subject)
        .collect()
}

/// Join and leave; two connections of one person are one member; the
/// list is oldest first.
pub(crate) async fn join_leave_and_two_connections_of_one_person(nodes: &dyn Nodes) {
    let node = nodes.node("a");
    let key = key("chat:P-1");
    let joined = node
        .join(&key, "ada", "customer")
        .await
        .expect("first tab joins");
    assert_eq!(
        (joined.subject.as_str(), joined.role.as_str()),
        ("ada", "customer")
    );
    assert!(
        node.join(&key, "ada", "customer").await.is_none(),
        "second tab: already here"
    );
    assert!(node.join(&key, "max", "courier").await.is_some());
    assert_eq!(subjects(&*node, &key).await, ["ada", "max"]);
    assert!(
        node.leave(&key, "ada").await.is_none(),
        "one tab left, one stays"
    );
    assert_eq!(subjects(&*node, &key).await, ["ada", "max"]);
    let left = node.leave(&key, "ada").await.expect("the last tab leaves");
    assert_eq!(left.subject, "ada");
    assert!(node.leave(&key, "max").await.is_some());
    assert!(node.leave(&key, "nobody").await.is_none());
    assert!(subjects(&*node, &key).await.is_empty());
}

/// One person on two nodes is one member until their last connection,
/// on whichever node, leaves.
pub(crate) async fn one_person_on_two_nodes_is_one_member(nodes: &dyn Nodes) {
    let (a, b) = (nodes.node("a"), nodes.node("b"));
    let key = key("order:P-2");
    assert!(a.join(&key, "dana", "dispatcher").await.is_some());
    assert!(
        b.join(&key, "dana", "dispatcher").await.is_none(),
        "already here, on a"
    );
    assert_eq!(subjects(&*b, &key).await, ["dana"]);
    assert!(a.leave(&key, "dana").await.is_none(), "still here on b");
    assert_eq!(subjects(&*a, &key).await, ["dana"]);
    assert!(b.leave(&key, "dana").await.is_some(), "gone everywhere");
    assert!(subjects(&*a, &key).await.is_empty());
}

/// A node that stops refreshing (a dead one) leaves no ghost past its
/// lease: another node's expire takes its members and says who left; a
/// node that keeps refreshing keeps its own.
pub(crate) async fn a_dead_nodes_members_expire_after_one_lease(nodes: &dyn Nodes) {
    let (dead, alive) = (nodes.node("dead"), nodes.node("alive"));
    let lease = alive.lease();
    let key = key("order:P-3");
    dead.join(&key, "ghost", "customer").await.expect("join");
    alive.join(&key, "max", "courier").await.expect("join");
    // The shared person: on both nodes, so the dead node's entry going
    // must not take them.
    dead.join(&key, "dana", "dispatcher").await.expect("join");
    alive.join(&key, "dana", "dispatcher").await;
    let deadline = tokio::time::Instant::now() + lease * 10;
    let mut expired: Vec<(PresenceKey, Member)> = Vec::new();
    while !expired.iter().any(|(_, m)| m.subject == "ghost") {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the dead node's member never expired"
        );
        alive.refresh().await;
        expired.extend(alive.expire().await.into_iter().filter(|(k, _)| *k == key));
        tokio::time::sleep(lease / 4).await;
    }
    let gone: Vec<String> = expired.iter().map(|(_, m)| m.subject.clone()).collect();
    assert_eq!(gone, ["ghost"], "only the member with no live entry left");
    assert_eq!(
        subjects(&*alive, &key).await,
        ["max", "dana"],
        "oldest first"
    );
    // What refreshes keeps living past several leases.
    let until = tokio::time::Instant::now() + lease * 2;
    while tokio::time::Instant::now() < until {
        alive.refresh().await;
        assert!(alive.expire().await.iter().all(|(k, _)| *k != key));
        tokio::time::sleep(lease / 4).await;
    }
    assert_eq!(
        subjects(&*alive, &key).await,
        ["max", "dana"],
        "oldest first"
    );
}

/// The lease a test backend should use: short, so expiry takes moments.
pub(crate) const TEST_LEASE: Duration = Duration::from_millis(300);
