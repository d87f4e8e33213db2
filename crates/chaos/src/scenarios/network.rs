//! Network faults: the server behind the fault proxy; writers and clients
//! of every transport (WebSocket, SSE with `Last-Event-ID`, long-poll, the
//! feed; Rust and the JS SDK in Node) through it for `duration`; then the
//! proxy calms down, the clients converge, and the checker judges.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::{collect, spawn_writers, Env, ScenarioError};
use crate::clients::{node, Transport};
use crate::proxy::{FaultMix, FaultProxy};
use crate::report::Report;
use crate::server::{Server, ServerSpec};
use crate::world::World;
use crate::writers::WriterCounters;

#[derive(Debug, Clone)]
pub struct NetworkPlan {
    pub duration: Duration,
    pub orders: usize,
    pub writers: usize,
    pub mix: FaultMix,
    /// JS SDK clients in Node too (when node is there).
    pub node: bool,
    /// Add the deliberately broken client (drops one replayed event).
    pub buggy_client: bool,
}

impl Default for NetworkPlan {
    fn default() -> Self {
        Self {
            duration: Duration::from_secs(10),
            orders: 2,
            writers: 3,
            mix: FaultMix::default(),
            node: true,
            buggy_client: false,
        }
    }
}

pub async fn run(env: &Env, plan: &NetworkPlan) -> Result<Report, ScenarioError> {
    let mut report = Report::new("network", env.seed);
    let data = tempfile::tempdir()?;
    let spec = ServerSpec::new(&env.bin, &data.path().join("data"))?;
    let server = Server::start(spec).await?;
    let proxy = FaultProxy::start(server.spec.addr, env.seed, plan.mix).await?;
    let through = proxy.url();
    let mut world = World::create(&server.url(), plan.orders).await?;
    world.spawn_every_transport(
        &through,
        &[Transport::WebSocket, Transport::Sse, Transport::LongPoll],
    );
    if plan.node {
        for transport in ["websocket", "sse", "long-poll"] {
            if node::available(&env.js_dir, transport) {
                world.spawn_node(env.js_dir.clone(), &through, transport);
            } else {
                report.line(format!("SKIPPED: the JS SDK over {transport} (no node, or no clients/js/node_modules/ws: run scripts/js-setup)"));
            }
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    let counters = Arc::new(WriterCounters::default());
    let writers = spawn_writers(
        env,
        plan.writers,
        &through,
        &world.orders,
        Duration::from_millis(20),
        &stop,
        &counters,
    );
    if plan.buggy_client {
        // Once the chat holds several messages, straight to the server
        // (the faults must not let it heal by asking again): its first
        // subscription replays the chat, and it drops the second event.
        tokio::time::sleep(plan.duration / 2).await;
        let order = world.orders[0].clone();
        world.spawn(
            Transport::BuggyWebSocket,
            &server.url(),
            vec![format!("chat:{order}")],
        );
        tokio::time::sleep(plan.duration / 2).await;
    } else {
        tokio::time::sleep(plan.duration).await;
    }
    stop.store(true, Ordering::SeqCst);
    // The last writes still retry under faults; then calm, for the clients.
    let acks = collect(writers).await;
    proxy.calm();
    let (verdict, reconnects, failed) = world.finish(&server.url(), &acks).await?;
    report.line(format!(
        "{} s under faults, {} orders",
        plan.duration.as_secs(),
        plan.orders
    ));
    report.line(counters.summary());
    report.line(proxy.counters.summary());
    report.line(format!(
        "clients: {} topic views, {reconnects} reconnects",
        verdict.clients
    ));
    for why in failed {
        report.expect(false, format!("a client ran to its end: {why}"));
    }
    report.verdict = verdict;
    Ok(report)
}
