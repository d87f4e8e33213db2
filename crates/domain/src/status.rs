//! Order statuses and the transitions between them.
//!
//! The main path is placed -> confirmed -> preparing -> shipped ->
//! out_for_delivery -> delivered. A status may skip forward along that path
//! (carriers do not always report every step) but never moves backwards.
//! `cancelled` is reachable until the order ships, `returned` once it has
//! shipped. delivered, cancelled and returned are terminal.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum OrderStatus {
    Placed,
    Confirmed,
    Preparing,
    Shipped,
    OutForDelivery,
    Delivered,
    Cancelled,
    Returned,
}

use OrderStatus::*;

impl OrderStatus {
    pub const ALL: [OrderStatus; 8] = [
        Placed,
        Confirmed,
        Preparing,
        Shipped,
        OutForDelivery,
        Delivered,
        Cancelled,
        Returned,
    ];

    /// The main path, in order.
    const PATH: [OrderStatus; 6] = [
        Placed,
        Confirmed,
        Preparing,
        Shipped,
        OutForDelivery,
        Delivered,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Placed => "placed",
            Confirmed => "confirmed",
            Preparing => "preparing",
            Shipped => "shipped",
            OutForDelivery => "out_for_delivery",
            Delivered => "delivered",
            Cancelled => "cancelled",
            Returned => "returned",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// True for delivered, cancelled and returned: nothing follows them.
    pub fn is_terminal(self) -> bool {
        matches!(self, Delivered | Cancelled | Returned)
    }

    /// How far along the order is; a transition never lowers it.
    pub fn progress(self) -> u8 {
        match self {
            Placed => 0,
            Confirmed => 1,
            Preparing => 2,
            Shipped => 3,
            OutForDelivery => 4,
            Delivered | Cancelled | Returned => 5,
        }
    }

    /// True while the customer may still cancel.
    pub fn is_cancellable(self) -> bool {
        matches!(self, Placed | Confirmed | Preparing)
    }

    /// True while the order is with a carrier or courier.
    pub fn is_in_transit(self) -> bool {
        matches!(self, Shipped | OutForDelivery)
    }

    /// Every status this one may move to, in path order.
    pub fn allowed_next(self) -> Vec<OrderStatus> {
        if self.is_terminal() {
            return Vec::new();
        }
        let mut next: Vec<OrderStatus> = Self::PATH
            .into_iter()
            .filter(|s| s.progress() > self.progress())
            .collect();
        if self.is_cancellable() {
            next.push(Cancelled);
        }
        if self.is_in_transit() {
            next.push(Returned);
        }
        next
    }

    pub fn can_become(self, next: OrderStatus) -> bool {
        self.allowed_next().contains(&next)
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for status in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(status.as_str()), Some(status));
            let json = serde_json::to_string(&status).expect("serializes");
            assert_eq!(json, format!("\"{}\"", status.as_str()));
        }
        assert_eq!(OrderStatus::parse("lost"), None);
    }

    #[test]
    fn terminal_states_allow_nothing() {
        for status in [Delivered, Cancelled, Returned] {
            assert!(status.is_terminal());
            assert!(status.allowed_next().is_empty());
        }
    }

    #[test]
    fn the_allowed_table() {
        assert_eq!(
            Placed.allowed_next(),
            vec![
                Confirmed,
                Preparing,
                Shipped,
                OutForDelivery,
                Delivered,
                Cancelled
            ]
        );
        assert_eq!(
            Preparing.allowed_next(),
            vec![Shipped, OutForDelivery, Delivered, Cancelled]
        );
        assert_eq!(
            Shipped.allowed_next(),
            vec![OutForDelivery, Delivered, Returned]
        );
        assert_eq!(OutForDelivery.allowed_next(), vec![Delivered, Returned]);
    }

    #[test]
    fn no_transition_goes_backwards_or_stays() {
        for from in OrderStatus::ALL {
            for to in from.allowed_next() {
                assert!(to.progress() > from.progress(), "{from} -> {to}");
            }
            assert!(!from.can_become(from));
        }
    }
}
