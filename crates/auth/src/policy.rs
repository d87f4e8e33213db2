//! Authorization: who may do what to which order.
//!
//! Tenancy is not checked here: every store and hub lookup is keyed by the
//! caller's own tenant, so another tenant's order simply does not exist for
//! them (404, never 403, so ids do not leak across tenants).

use crate::identity::{Identity, Role};

/// What the caller wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read an order's snapshot and its `order:` history.
    ReadOrder,
    /// A customer action (cancel, change instructions).
    ActOnOrder,
    /// Record a durable event on the order.
    RecordEvent,
    /// Push the courier's location.
    PublishLocation,
    /// Create orders.
    CreateOrder,
    /// Read the tenant-wide `orders` feed and the unfiltered order list.
    ReadFeed,
    /// Write in the order's chat (its customer, its courier, staff).
    Chat,
    /// Read the nodes' operational figures (the ops console): every
    /// tenant's, so operators only.
    Operate,
}

/// The people an order belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderParties<'a> {
    pub customer: &'a str,
    pub courier: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{role} '{subject}' may not {what}")]
pub struct Denied {
    pub role: Role,
    pub subject: String,
    pub what: &'static str,
}

impl Access {
    fn describe(self) -> &'static str {
        match self {
            Access::ReadOrder => "read this order",
            Access::ActOnOrder => "act on this order",
            Access::RecordEvent => "record events on this order",
            Access::PublishLocation => "publish a location for this order",
            Access::CreateOrder => "create orders",
            Access::ReadFeed => "read the tenant's order feed",
            Access::Chat => "write in this order's chat",
            Access::Operate => "read the ops console (operators only)",
        }
    }
}

/// Allows or refuses `access` for `who`, given the order's parties when the
/// access concerns one order.
pub fn check(
    who: &Identity,
    access: Access,
    order: Option<OrderParties<'_>>,
) -> Result<(), Denied> {
    let is_customer = order.is_some_and(|o| o.customer == who.subject);
    let is_courier = order.is_some_and(|o| o.courier == Some(who.subject.as_str()));
    let allowed = match who.role {
        // Staff and the shop's backend (which may relay its own courier
        // app's positions) act on the whole tenant.
        Role::Admin | Role::Dispatcher | Role::Service => access != Access::Operate,
        // The installation's, not a tenant's: no order of any tenant.
        Role::Operator => access == Access::Operate,
        Role::Customer => {
            matches!(
                access,
                Access::ReadOrder | Access::ActOnOrder | Access::Chat
            ) && is_customer
        }
        Role::Courier => {
            matches!(
                access,
                Access::ReadOrder | Access::RecordEvent | Access::PublishLocation | Access::Chat
            ) && is_courier
        }
    };
    if allowed {
        Ok(())
    } else {
        Err(Denied {
            role: who.role,
            subject: who.subject.clone(),
            what: access.describe(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(role: Role, subject: &str) -> Identity {
        Identity {
            tenant: "t".into(),
            subject: subject.into(),
            role,
        }
    }

    const ORDER: OrderParties<'static> = OrderParties {
        customer: "cust-1",
        courier: Some("courier-1"),
    };

    #[test]
    fn customers_see_and_act_on_their_own_orders_only() {
        let me = who(Role::Customer, "cust-1");
        assert!(check(&me, Access::ReadOrder, Some(ORDER)).is_ok());
        assert!(check(&me, Access::ActOnOrder, Some(ORDER)).is_ok());
        assert!(check(&me, Access::Chat, Some(ORDER)).is_ok());
        assert!(check(&me, Access::RecordEvent, Some(ORDER)).is_err());
        assert!(check(&me, Access::ReadFeed, None).is_err());
        let other = who(Role::Customer, "cust-2");
        let err = check(&other, Access::ReadOrder, Some(ORDER)).expect_err("not theirs");
        assert_eq!(err.to_string(), "customer 'cust-2' may not read this order");
    }

    #[test]
    fn couriers_work_on_assigned_orders() {
        let me = who(Role::Courier, "courier-1");
        assert!(check(&me, Access::PublishLocation, Some(ORDER)).is_ok());
        assert!(check(&me, Access::RecordEvent, Some(ORDER)).is_ok());
        assert!(check(&me, Access::ActOnOrder, Some(ORDER)).is_err());
        assert!(check(&me, Access::Chat, Some(ORDER)).is_ok());
        let other = who(Role::Courier, "courier-2");
        assert!(check(&other, Access::ReadOrder, Some(ORDER)).is_err());
        assert!(check(&other, Access::Chat, Some(ORDER)).is_err());
    }

    #[test]
    fn only_operators_read_the_ops_console_and_they_read_no_order() {
        for role in [
            Role::Admin,
            Role::Dispatcher,
            Role::Service,
            Role::Customer,
            Role::Courier,
        ] {
            let err = check(&who(role, "x"), Access::Operate, None).expect_err("not an operator");
            assert!(err.to_string().ends_with("(operators only)"), "{err}");
        }
        let operator = who(Role::Operator, "ops");
        assert!(check(&operator, Access::Operate, None).is_ok());
        assert!(check(&operator, Access::ReadOrder, Some(ORDER)).is_err());
        assert!(check(&operator, Access::ReadFeed, None).is_err());
        assert!(check(&operator, Access::CreateOrder, None).is_err());
    }

    #[test]
    fn staff_and_services_see_the_tenant() {
        for role in [Role::Admin, Role::Dispatcher, Role::Service] {
            let me = who(role, "x");
            assert!(check(&me, Access::ReadFeed, None).is_ok());
            assert!(check(&me, Access::CreateOrder, None).is_ok());
            assert!(check(&me, Access::RecordEvent, Some(ORDER)).is_ok());
        }
    }
}
