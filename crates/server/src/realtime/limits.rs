//! Connections per client IP and per authenticated subject.
//!
//! One person's runaway script or a single hostile address must not be able
//! to take every socket of the server. Each open connection (a WebSocket,
//! an SSE stream, a held long-poll) holds a [`Permit`] for its IP and one
//! for its subject; dropping the permit gives the slot back.

use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Arc;

use dashmap::mapref::entry::Entry;
use dashmap::DashMap;
use trackwire_auth::Identity;

/// `(tenant, subject)`: subjects are only unique within a tenant.
type Subject = (String, String);

pub struct ConnectionLimits {
    per_ip: usize,
    per_subject: usize,
    by_ip: DashMap<IpAddr, usize>,
    by_subject: DashMap<Subject, usize>,
}

/// A connection's slot; released on drop.
pub struct Permit {
    limits: Arc<ConnectionLimits>,
    key: Key,
}

enum Key {
    Ip(IpAddr),
    Subject(Subject),
}

impl ConnectionLimits {
    pub fn new(per_ip: usize, per_subject: usize) -> Arc<Self> {
        Arc::new(Self {
            per_ip,
            per_subject,
            by_ip: DashMap::new(),
            by_subject: DashMap::new(),
        })
    }

    /// A slot for one more connection from `ip`, or None when it has
    /// `per_ip` open already.
    pub fn admit_ip(self: &Arc<Self>, ip: IpAddr) -> Option<Permit> {
        take(&self.by_ip, ip, self.per_ip).then(|| Permit {
            limits: self.clone(),
            key: Key::Ip(ip),
        })
    }

    /// A slot for one more connection of `who`.
    pub fn admit_subject(self: &Arc<Self>, who: &Identity) -> Option<Permit> {
        let subject = (who.tenant.clone(), who.subject.clone());
        take(&self.by_subject, subject.clone(), self.per_subject).then(|| Permit {
            limits: self.clone(),
            key: Key::Subject(subject),
        })
    }

    /// Connections open from `ip` (for tests and metrics).
    pub fn open_from(&self, ip: IpAddr) -> usize {
        self.by_ip.get(&ip).map_or(0, |n| *n)
    }
}

/// Takes a slot under `max` (0: no limit, and nothing is counted).
fn take<K: Eq + Hash>(map: &DashMap<K, usize>, key: K, max: usize) -> bool {
    if max == 0 {
        return true;
    }
    if map.get(&key).is_some_and(|count| *count >= max) {
        return false;
    }
    let mut count = map.entry(key).or_insert(0);
    if *count >= max {
        return false;
    }
    *count += 1;
    true
}

fn give_back<K: Eq + Hash>(map: &DashMap<K, usize>, key: K) {
    if let Entry::Occupied(mut entry) = map.entry(key) {
        *entry.get_mut() -= 1;
        if *entry.get() == 0 {
            entry.remove();
        }
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        match &self.key {
            Key::Ip(ip) => give_back(&self.limits.by_ip, *ip),
            Key::Subject(subject) => give_back(&self.limits.by_subject, subject.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_counted_and_given_back() {
        let limits = ConnectionLimits::new(2, 1);
        let ip: IpAddr = "192.0.2.1".parse().expect("ip");
        let first = limits.admit_ip(ip).expect("first");
        let _second = limits.admit_ip(ip).expect("second");
        assert!(limits.admit_ip(ip).is_none(), "third from one IP");
        drop(first);
        assert!(limits.admit_ip(ip).is_some(), "a slot came back");

        let who = Identity::development();
        let held = limits.admit_subject(&who).expect("first");
        assert!(limits.admit_subject(&who).is_none());
        let other_tenant = Identity {
            tenant: "other".into(),
            ..who.clone()
        };
        assert!(limits.admit_subject(&other_tenant).is_some());
        drop(held);
        assert!(limits.admit_subject(&who).is_some());
        assert_eq!(limits.open_from("192.0.2.9".parse().expect("ip")), 0);

        let unlimited = ConnectionLimits::new(0, 0);
        let permits: Vec<_> = (0..3).filter_map(|_| unlimited.admit_ip(ip)).collect();
        assert_eq!(permits.len(), 3, "0 means no limit");
        assert_eq!(unlimited.open_from(ip), 0, "and nothing is counted");
    }
}
