//! Trackwire's reliability suite: the real server broken on purpose, and
//! a checker that says whether its promises held.
//!
//! - [`checker`]: the invariants, over [`history`] (what the store holds,
//!   what clients applied, what writers were told); the first violation.
//! - [`proxy`]: a seeded fault-injecting TCP proxy (cuts, stalls,
//!   half-open links, slow reads).
//! - [`server`]: `trackwire serve` in a child process, killed and
//!   restarted on the same port and data.
//! - [`clients`]: WebSocket, SSE, long-poll and JS SDK (Node) clients
//!   that reconnect through anything and record what they applied;
//!   [`rest`] and [`writers`]: writes with idempotency keys, retried.
//! - [`scenarios`]: network, crash, storage, load, soak and cluster runs,
//!   each printing a [`report::Report`]; [`world`] is their shared setup,
//!   [`services`] what the cluster run stands on (a database of its own,
//!   its own redis-server, a network namespace).
//!
//! `scripts/chaos` runs them at length (src/main.rs); the smoke test in
//! `crates/trackwire/tests/chaos_smoke.rs` runs them short.

pub mod checker;
pub mod clients;
pub mod history;
pub mod proxy;
pub mod report;
pub mod rest;
pub mod scenarios;
pub mod server;
pub mod services;
pub mod world;
pub mod writers;
