//! Identifiers. Order ids are chosen by the shop (`ZX-1001`) or made here.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::validate::ValidationErrors;

/// Longest order id accepted; ids travel in URLs and topic names.
pub const MAX_ORDER_ID_LEN: usize = 64;

/// An order id: 1 to 64 characters of `A-Z a-z 0-9 - _ .`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "ZX-1001"))]
pub struct OrderId(String);

impl OrderId {
    /// Checks `raw` and wraps it; the error names what is wrong.
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.is_empty() || raw.len() > MAX_ORDER_ID_LEN {
            return Err(format!(
                "an order id has 1 to {MAX_ORDER_ID_LEN} characters"
            ));
        }
        if !raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        {
            return Err("an order id may hold only letters, digits, '-', '_' and '.'".into());
        }
        // HTTP clients resolve `.` and `..` in paths before sending, so such
        // an order could never be reached at /v1/orders/{id}.
        if raw == "." || raw == ".." {
            return Err("an order id cannot be '.' or '..'".into());
        }
        Ok(Self(raw.to_owned()))
    }

    /// Parses into a field error of `field`, for request validation.
    pub fn parse_field(raw: &str, field: &str, errors: &mut ValidationErrors) -> Option<Self> {
        match Self::parse(raw) {
            Ok(id) => Some(id),
            Err(message) => {
                errors.push(field, "invalid_id", message);
                None
            }
        }
    }

    /// A fresh server-made id such as `TW-5F3A9C0B21`.
    pub fn generate() -> Self {
        let hex = uuid::Uuid::new_v4().simple().to_string().to_uppercase();
        Self(format!("TW-{}", &hex[..10]))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A unique event id (UUID v7: unique and roughly time-ordered), the
/// clients' dedupe key.
pub fn new_event_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_shop_ids_and_refuses_odd_ones() {
        assert!(OrderId::parse("ZX-1001").is_ok());
        assert!(OrderId::parse("a.b_c-9").is_ok());
        assert!(OrderId::parse("").is_err());
        assert!(OrderId::parse("has space").is_err());
        assert!(OrderId::parse("order:1").is_err());
        assert!(OrderId::parse(&"x".repeat(65)).is_err());
        assert!(OrderId::parse(".").is_err(), "unreachable in a URL path");
        assert!(OrderId::parse("..").is_err());
        assert!(OrderId::parse("...").is_ok());
        assert!(OrderId::parse(&OrderId::generate().0).is_ok());
    }
}
