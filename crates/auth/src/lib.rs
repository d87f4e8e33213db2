//! # trackwire-auth
//!
//! Who is calling, and what they may do.
//!
//! - [`identity`]: [`Identity`] (tenant, subject, role), the one seam every
//!   handler takes, and the documented development identity.
//! - [`jwt`]: verifying bearer tokens (HS256 now) into identities, and
//!   signing development tokens.
//! - [`policy`]: the authorization rules, pure functions of an identity and
//!   the order's parties.
//! - [`tickets`]: single-use stream tickets for EventSource and long-poll.

pub mod identity;
pub mod jwt;
pub mod policy;
pub mod tickets;

pub use identity::{Identity, IdentitySource, Role};
pub use jwt::{TokenError, Verifier};
pub use policy::{Access, Denied, OrderParties};
pub use tickets::TicketBook;
