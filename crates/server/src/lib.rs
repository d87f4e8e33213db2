//! # trackwire-server
//!
//! Trackwire's HTTP server: everything a client talks to, over one
//! listener. What is where:
//!
//! - [`http`]: the edge both sides share: the error envelope
//!   ([`ApiError`]), the extractors, the listener (timeouts, caps,
//!   shedding).
//! - [`rest`]: the REST API under `/v1` ([`rest::app`]), its routes and its
//!   OpenAPI document.
//! - [`realtime`]: the WebSocket, SSE and long-poll transports
//!   ([`realtime::router`]), each a reader and writer over the gateway's
//!   session.
//! - [`metrics`]: the Prometheus recorder and `GET /metrics` on a listener
//!   of its own.
//!
//! Decisions are the gateway's (`trackwire_gateway`); this crate parses,
//! authenticates and answers.

pub mod http;
pub mod metrics;
pub mod realtime;
pub mod rest;

pub use http::ApiError;
