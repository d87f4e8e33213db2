//! What travels through a broker.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use trackwire_domain::Audience;

/// One audience's view of a tenant's topic. Topics never cross tenants, so
/// the tenant is part of the channel's identity; each audience (customer,
/// courier, staff) gets the topic's events projected for it, serialized
/// once, on a channel of its own, so the broker still only moves bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Channel {
    pub tenant: Arc<str>,
    /// The topic as clients name it (`order:ZX-1001`).
    pub topic: Arc<str>,
    pub audience: Audience,
    /// One member's own channel within the audience (couriers: the order's
    /// assigned courier), or None for the whole audience.
    pub member: Option<Arc<str>>,
}

impl Channel {
    pub fn new(tenant: &str, topic: &str, audience: Audience) -> Self {
        Self {
            tenant: tenant.into(),
            topic: topic.into(),
            audience,
            member: None,
        }
    }

    /// The channel of one member of the audience.
    pub fn for_member(tenant: &str, topic: &str, audience: Audience, member: &str) -> Self {
        Self {
            member: Some(member.into()),
            ..Self::new(tenant, topic, audience)
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.tenant, self.topic, self.audience)?;
        match &self.member {
            Some(member) => write!(f, "/{member}"),
            None => Ok(()),
        }
    }
}

/// How a publication may be treated on the way to a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Class {
    /// Stored and numbered: never dropped, never reordered. `offset` is the
    /// tenant feed position of order events; `closes_topic` marks the last
    /// event a topic will ever have (its order became final).
    Durable {
        seq: u64,
        offset: Option<u64>,
        closes_topic: bool,
    },
    /// Latest-wins: a newer one with the same `key` on the same channel may
    /// replace it while it waits (e.g. `location:order:ZX-1001`).
    Ephemeral { key: Arc<str> },
}

/// One message for one channel: its class and the client-ready frame,
/// serialized once and shared by every subscriber.
#[derive(Debug, Clone)]
pub struct Publication {
    pub channel: Channel,
    pub class: Class,
    /// The frame every client receives, as JSON.
    pub payload: Bytes,
}

impl Publication {
    pub fn seq(&self) -> Option<u64> {
        match self.class {
            Class::Durable { seq, .. } => Some(seq),
            Class::Ephemeral { .. } => None,
        }
    }

    pub fn is_durable(&self) -> bool {
        matches!(self.class, Class::Durable { .. })
    }
}
