//! The HTTP edge both the REST API and the real-time transports stand on:
//! one error envelope, one set of extractors, one listener.
//!
//! - [`error`]: [`ApiError`], `{"error": {code, message, details}}` with
//!   the right status; codes are `trackwire_domain::Code`s.
//! - [`extract`]: the caller ([`extract::Caller`]), the peer's address
//!   ([`extract::ClientIp`]), JSON bodies, path and query parameters that
//!   refuse with the error envelope, `Idempotency-Key`.
//! - [`listener`]: accepting connections: header timeout, plain
//!   connections per IP, the total below the open-files limit.
//! - [`tls`]: HTTPS on the listener itself, and the certificate reloaded
//!   when its files change.
//! - [`trace`]: request ids and the request span, over every route.

pub mod error;
pub mod extract;
pub mod listener;
pub mod tls;
pub mod trace;

pub use error::ApiError;
