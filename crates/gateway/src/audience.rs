//! Who receives what: a caller's role decides their audience, and what an
//! audience may see of orders and stored events is decided by the domain's
//! projections (`trackwire_domain::projection`). [`crate::OrderService`]
//! projects everything it hands out with these, so REST, replay, snapshots
//! and live events cannot disagree.

use std::borrow::Cow;

use trackwire_auth::{Identity, Role};
use trackwire_broker::Channel;
use trackwire_domain::projection::{project_order, project_payload_json};
use trackwire_domain::{Audience, Order};
use trackwire_store::{Recorded, StoredEvent};

/// The audience of a role: customers and couriers see their own view,
/// dispatchers, admins and services see everything of the tenant.
pub fn of_role(role: Role) -> Audience {
    match role {
        Role::Customer => Audience::Customer,
        Role::Courier => Audience::Courier,
        Role::Dispatcher | Role::Admin | Role::Service => Audience::Staff,
        // Operators read no order (the policy refuses them every one):
        // should anything reach them, the narrowest projection.
        Role::Operator => Audience::Customer,
    }
}

pub fn of(who: &Identity) -> Audience {
    of_role(who.role)
}

/// The channel that carries `topic` projected for `who`: a session
/// subscribes here and receives only its own audience's bytes.
pub fn channel(who: &Identity, topic: &str) -> Channel {
    let audience = of(who);
    match audience {
        Audience::Courier => Channel::for_member(&who.tenant, topic, audience, &who.subject),
        _ => Channel::new(&who.tenant, topic, audience),
    }
}

/// Where `audience` receives `topic` of an order whose assigned courier is
/// `courier`; None when nobody of that audience may (no courier assigned).
///
/// Couriers are the one audience whose members change on an order: each
/// courier has a channel of their own, and only the assigned courier's
/// receives, so a reassigned courier hears nothing more (not even the new
/// courier's phone).
pub fn publication_channel(
    tenant: &str,
    topic: &str,
    audience: Audience,
    courier: Option<&str>,
) -> Option<Channel> {
    match audience {
        Audience::Courier => {
            courier.map(|courier| Channel::for_member(tenant, topic, audience, courier))
        }
        _ => Some(Channel::new(tenant, topic, audience)),
    }
}

/// `event` as `audience` sees it, or `None` when nothing in it is hidden
/// from them (then the stored event is sent as it is, without a copy).
pub fn redacted(event: &StoredEvent, audience: Audience) -> Option<StoredEvent> {
    match project_payload_json(&event.payload, audience) {
        Cow::Borrowed(_) => None,
        Cow::Owned(payload) => Some(StoredEvent {
            payload,
            ..event.clone()
        }),
    }
}

/// Stored events as `audience` sees them.
pub fn events(events: Vec<StoredEvent>, audience: Audience) -> Vec<StoredEvent> {
    events
        .into_iter()
        .map(|event| redacted(&event, audience).unwrap_or(event))
        .collect()
}

/// Orders as `audience` sees them.
pub fn orders(orders: Vec<Order>, audience: Audience) -> Vec<Order> {
    orders
        .into_iter()
        .map(|order| project_order(order, audience))
        .collect()
}

/// A write's result as `audience` sees it.
pub fn recorded(recorded: Recorded, audience: Audience) -> Recorded {
    Recorded {
        order: project_order(recorded.order, audience),
        events: events(recorded.events, audience),
        replayed: recorded.replayed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_has_an_audience() {
        assert_eq!(of_role(Role::Customer), Audience::Customer);
        assert_eq!(of_role(Role::Courier), Audience::Courier);
        for staff in [Role::Dispatcher, Role::Admin, Role::Service] {
            assert_eq!(of_role(staff), Audience::Staff);
        }
    }
}
