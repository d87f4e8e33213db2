//! Topic names: `order:{orderId}`, `chat:{orderId}` and the tenant feed `orders`.

use std::fmt;
use std::str::FromStr;

use crate::ids::OrderId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TopicKind {
    Order,
    Chat,
}

/// A topic a client may subscribe to, always within one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Topic {
    /// The order's own durable events and its courier's location.
    Order(OrderId),
    /// The order's chat.
    Chat(OrderId),
    /// Every durable order event of the tenant, with `offset` as the cursor.
    Orders,
}

impl Topic {
    pub fn of(kind: TopicKind, order: &OrderId) -> Self {
        match kind {
            TopicKind::Order => Topic::Order(order.clone()),
            TopicKind::Chat => Topic::Chat(order.clone()),
        }
    }

    /// The order a per-order topic belongs to.
    pub fn order_id(&self) -> Option<&OrderId> {
        match self {
            Topic::Order(id) | Topic::Chat(id) => Some(id),
            Topic::Orders => None,
        }
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Topic::Order(id) => write!(f, "order:{id}"),
            Topic::Chat(id) => write!(f, "chat:{id}"),
            Topic::Orders => f.write_str("orders"),
        }
    }
}

impl FromStr for Topic {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        if raw == "orders" {
            return Ok(Topic::Orders);
        }
        match raw.split_once(':') {
            Some(("order", id)) => Ok(Topic::Order(OrderId::parse(id)?)),
            Some(("chat", id)) => Ok(Topic::Chat(OrderId::parse(id)?)),
            _ => Err(format!(
                "unknown topic '{raw}': expected order:{{id}}, chat:{{id}} or orders"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_round_trip() {
        for raw in ["order:ZX-1001", "chat:ZX-1001", "orders"] {
            let topic: Topic = raw.parse().expect("valid");
            assert_eq!(topic.to_string(), raw);
        }
        assert!("order:".parse::<Topic>().is_err());
        assert!("orders:1".parse::<Topic>().is_err());
        assert!("presence:x".parse::<Topic>().is_err());
    }
}
