//! The caller's identity.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Watches and acts on their own orders.
    Customer,
    /// Delivers the orders assigned to them and pushes their location.
    Courier,
    /// Watches and manages every order of the tenant.
    Dispatcher,
    /// Everything within the tenant.
    Admin,
    /// The shop's backend: creates orders and records events.
    Service,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Courier => "courier",
            Role::Dispatcher => "dispatcher",
            Role::Admin => "admin",
            Role::Service => "service",
        }
    }

    /// Roles that see every order of their tenant.
    pub fn sees_whole_tenant(self) -> bool {
        matches!(self, Role::Dispatcher | Role::Admin | Role::Service)
    }
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        [
            Role::Customer,
            Role::Courier,
            Role::Dispatcher,
            Role::Admin,
            Role::Service,
        ]
        .into_iter()
        .find(|role| role.as_str() == raw)
        .ok_or_else(|| {
            format!("unknown role '{raw}': customer, courier, dispatcher, admin or service")
        })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who is calling: every handler, REST or real-time, takes one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Identity {
    pub tenant: String,
    pub subject: String,
    pub role: Role,
}

impl Identity {
    /// The tenant every development request runs in.
    pub const DEV_TENANT: &'static str = "demo";

    /// The identity used when no authentication is configured: subject
    /// `dev`, role `admin`, tenant `demo`. Documented in docs/api.md; the
    /// server logs a warning whenever it runs this way.
    pub fn development() -> Self {
        Self {
            tenant: Self::DEV_TENANT.into(),
            subject: "dev".into(),
            role: Role::Admin,
        }
    }
}

/// How the server learns who is calling; every transport asks it.
#[derive(Debug, Clone)]
pub enum IdentitySource {
    /// No authentication configured: every request and connection runs as
    /// [`Identity::development`]. Only for development and the demo.
    Development,
}

impl IdentitySource {
    /// The identity of a caller that presented nothing.
    pub fn anonymous(&self) -> Option<Identity> {
        match self {
            IdentitySource::Development => Some(Identity::development()),
        }
    }
}
