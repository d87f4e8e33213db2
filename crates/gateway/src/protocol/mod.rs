//! Protocol v1 (`trackwire.v1.json`): the frames, apart from any socket.
//!
//! - [`client`]: frames a client sends, and [`parse`](client::parse).
//! - [`server`]: frames the server sends, serialized to shared bytes.
//! - [`codes`]: stable error codes and close codes.
//!
//! One frame is one JSON object with a `type`. The same frames travel over
//! WebSocket, SSE and long-poll.

pub mod client;
pub mod codes;
pub mod server;

pub use client::{parse, ClientFrame, FrameError};
pub use codes::CloseCode;
pub use server::ServerFrame;

/// The WebSocket subprotocol.
pub const SUBPROTOCOL: &str = "trackwire.v1.json";
