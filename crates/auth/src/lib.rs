//! # trackwire-auth
//!
//! Who is calling, and what they may do.
//!
//! - [`identity`]: [`Identity`] (tenant, subject, role), and
//!   [`IdentitySource`], the one place every transport turns credentials
//!   (a bearer token, or nothing in development) into an identity.
//! - [`attempts`]: failed authentication attempts per IP, rate-limited.
//! - [`jwt`]: [`Verifier`], verifying bearer tokens (HS256 with a shared
//!   secret, or RS256/ES256 with a JWKS file) into identities, and signing
//!   development tokens.
//! - [`jwks`]: reading and reloading the JWKS file, and [`KeyError`].
//! - [`policy`]: the authorization rules, pure functions of an identity and
//!   the order's parties.
//! - [`tickets`]: single-use stream tickets for EventSource and long-poll.

pub mod attempts;
pub mod identity;
pub mod jwks;
pub mod jwt;
pub mod policy;
pub mod tickets;

pub use attempts::FailedAttempts;
pub use identity::{bearer_token, AuthError, Authenticated, Identity, IdentitySource, Role};
pub use jwks::KeyError;
pub use jwt::{TokenError, Verifier};
pub use policy::{Access, Denied, OrderParties};
pub use tickets::{TicketBook, Tickets};
