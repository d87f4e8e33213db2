//! Crashes: writers record with idempotency keys (retrying lost answers
//! with the same key) and clients of every transport watch, while the
//! server is killed with SIGKILL at random moments (seeded) and restarted
//! on the same data directory and port, `kills` times. The checker then
//! wants every acknowledged event, none stored twice, gap-free seq and
//! offsets, and every client (resuming its old cursor) at the heads.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::{collect, spawn_writers, Env, ScenarioError};
use crate::clients::Transport;
use crate::report::Report;
use crate::server::{Server, ServerSpec};
use crate::world::World;
use crate::writers::WriterCounters;

#[derive(Debug, Clone)]
pub struct CrashPlan {
    pub kills: usize,
    pub orders: usize,
    pub writers: usize,
    /// The longest the server runs between two kills.
    pub up_for: Duration,
}

impl Default for CrashPlan {
    fn default() -> Self {
        Self {
            kills: 5,
            orders: 2,
            writers: 4,
            up_for: Duration::from_millis(1500),
        }
    }
}

pub async fn run(env: &Env, plan: &CrashPlan) -> Result<Report, ScenarioError> {
    let mut report = Report::new("crash", env.seed);
    let data = tempfile::tempdir()?;
    let spec = ServerSpec::new(&env.bin, &data.path().join("data"))?;
    let mut server = Server::start(spec.clone()).await?;
    let base = server.url();
    let mut world = World::create(&base, plan.orders).await?;
    world.spawn_every_transport(
        &base,
        &[Transport::WebSocket, Transport::Sse, Transport::LongPoll],
    );
    let stop = Arc::new(AtomicBool::new(false));
    let counters = Arc::new(WriterCounters::default());
    let writers = spawn_writers(
        env,
        plan.writers,
        &base,
        &world.orders,
        Duration::ZERO,
        &stop,
        &counters,
    );
    let mut rng = StdRng::seed_from_u64(env.seed);
    let up_ms = plan.up_for.as_millis().max(100) as u64;
    for _ in 0..plan.kills {
        tokio::time::sleep(Duration::from_millis(rng.random_range(50..up_ms))).await;
        server.kill_9().await;
        server = Server::start(spec.clone()).await?;
    }
    // A last stretch up, then the writers stop and the clients converge.
    tokio::time::sleep(plan.up_for).await;
    stop.store(true, Ordering::SeqCst);
    let acks = collect(writers).await;
    let (verdict, reconnects, failed) = world.finish(&base, &acks).await?;
    report.line(format!(
        "{} kills with SIGKILL, each restarted on the same data",
        plan.kills
    ));
    report.line(counters.summary());
    report.line(format!(
        "clients: {} topic views, {reconnects} reconnects",
        verdict.clients
    ));
    for why in failed {
        report.expect(false, format!("a client ran to its end: {why}"));
    }
    report.verdict = verdict;
    server.stop().await;
    Ok(report)
}
