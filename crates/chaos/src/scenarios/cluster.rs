//! The cluster: three `trackwire serve` nodes on a fresh PostgreSQL
//! database and a redis-server of the run's own; Rust clients of every
//! transport (WebSocket, SSE resumed with `Last-Event-ID`, long-poll, the
//! feed) spread over the nodes, each reconnect going to the next node;
//! idempotent writers spread over the nodes, each retry on another one.
//! Meanwhile, one after the other, seeded:
//!
//! - a node killed with SIGKILL, down a moment, restarted on its port;
//! - the run's redis-server killed, down for seconds, started again;
//! - PostgreSQL cut off: every connection to the run's database
//!   terminated and new ones refused for a moment (the shared server is
//!   never restarted);
//! - a partition (as root, with `ip netns`): Redis runs in a namespace
//!   with a link per node, and one node's link goes down, silently. The
//!   node must notice that it cannot vouch for its channels (readiness
//!   503 `broker: disconnected`) within seconds, and be ready again
//!   once the link is back.
//!
//! Then the checker: every client exactly at the durable history, each
//! event once and in order, every acknowledged write stored once.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

use super::{collect, spawn_writers, Env, ScenarioError};
use crate::clients::{Bases, Transport};
use crate::report::Report;
use crate::server::{Server, ServerSpec};
use crate::services::{self, Database, Netns, OwnRedis};
use crate::world::World;
use crate::writers::WriterCounters;

/// The secret every node shares (tokens and tickets of one node hold on
/// the others).
const SECRET: &str = "chaos-cluster-secret-0123456789abcdef";

/// How long a node may take to say it cannot vouch for its channels once
/// its link to Redis is down: a ping every second, unanswered for two
/// (crates/redis), and slack for two busy cores.
pub const NOTICE_WITHIN: Duration = Duration::from_secs(8);

#[derive(Debug, Clone)]
pub struct ClusterPlan {
    /// How long faults go on.
    pub duration: Duration,
    pub nodes: usize,
    pub orders: usize,
    pub writers: usize,
    /// The longest stretch with every service up between two faults.
    pub calm_for: Duration,
    /// The partition needs root and `ip netns`; without, it is skipped
    /// (and said so) unless this asks for it.
    pub require_partition: bool,
}

impl Default for ClusterPlan {
    fn default() -> Self {
        Self {
            duration: Duration::from_secs(30),
            nodes: 3,
            orders: 2,
            writers: 3,
            calm_for: Duration::from_millis(1500),
            require_partition: false,
        }
    }
}

/// The kinds of fault, in the order the run cycles through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fault {
    NodeKill,
    RedisRestart,
    PostgresCut,
    Partition,
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NodeKill => "node kill -9",
            Self::RedisRestart => "redis restart",
            Self::PostgresCut => "postgres cut",
            Self::Partition => "node-redis partition",
        })
    }
}

/// Why the cluster scenario cannot run here (PostgreSQL or redis-server
/// missing), if it cannot.
pub fn unavailable() -> Option<String> {
    services::cluster_unavailable()
}

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("the cluster cannot run: {0}")]
    Services(String),
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
}

impl From<crate::server::ServerError> for ClusterError {
    fn from(error: crate::server::ServerError) -> Self {
        Self::Scenario(error.into())
    }
}

impl From<crate::rest::RestError> for ClusterError {
    fn from(error: crate::rest::RestError) -> Self {
        Self::Scenario(error.into())
    }
}

impl From<std::io::Error> for ClusterError {
    fn from(error: std::io::Error) -> Self {
        Self::Scenario(error.into())
    }
}

/// What the run stands on, and its nodes.
struct Cluster {
    nodes: Vec<Server>,
    specs: Vec<ServerSpec>,
    redis: OwnRedis,
    db: Database,
    netns: Option<Netns>,
    _data: tempfile::TempDir,
}

impl Cluster {
    async fn start(env: &Env, nodes: usize, netns: Option<Netns>) -> Result<Self, ClusterError> {
        let db = Database::fresh().map_err(ClusterError::Services)?;
        let redis = OwnRedis::start(netns.as_ref())
            .await
            .map_err(ClusterError::Services)?;
        let data = tempfile::tempdir()?;
        let prefix = services::unique("chaos");
        let mut specs = Vec::new();
        for n in 0..nodes {
            let mut spec = ServerSpec::new(&env.bin, &data.path().join(format!("node-{n}")))?;
            let redis_ip = netns
                .as_ref()
                .map_or(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), |ns| {
                    ns.redis_ip(n)
                });
            spec.extra = [
                "--jwt-secret",
                SECRET,
                "--store",
                &db.url,
                "--broker",
                &redis.url_at(redis_ip),
                "--redis-prefix",
                &prefix,
                "--node-id",
                &format!("node-{n}"),
                "--max-http-connections-per-ip",
                "1000000",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            specs.push(spec);
        }
        let mut servers = Vec::new();
        for spec in &specs {
            servers.push(Server::start(spec.clone()).await?);
        }
        Ok(Self {
            nodes: servers,
            specs,
            redis,
            db,
            netns,
            _data: data,
        })
    }

    fn bases(&self) -> Bases {
        Bases::from(
            self.specs
                .iter()
                .map(|s| format!("http://{}", s.addr))
                .collect::<Vec<_>>(),
        )
    }

    fn url(&self, n: usize) -> String {
        format!("http://{}", self.specs[n].addr)
    }

    /// Waits until every node says it is ready (store and broker), or
    /// `within` has passed; returns the nodes still not ready.
    async fn ready(&self, within: Duration) -> Vec<usize> {
        let http = crate::rest::http();
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let mut waiting = Vec::new();
            for n in 0..self.specs.len() {
                if readiness(&http, &self.url(n)).await.0 != 200 {
                    waiting.push(n);
                }
            }
            if waiting.is_empty() || tokio::time::Instant::now() > deadline {
                return waiting;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// A node's readiness: its status code and body (`0` when it does not
/// answer).
async fn readiness(http: &reqwest::Client, base: &str) -> (u16, Value) {
    match http.get(format!("{base}/v1/health/ready")).send().await {
        Ok(reply) => {
            let status = reply.status().as_u16();
            (status, reply.json().await.unwrap_or(Value::Null))
        }
        Err(_) => (0, Value::Null),
    }
}

pub async fn run(env: &Env, plan: &ClusterPlan) -> Result<Report, ClusterError> {
    if let Some(why) = unavailable() {
        return Err(ClusterError::Services(why));
    }
    let mut report = Report::new("cluster", env.seed);
    let netns = match Netns::create(plan.nodes) {
        Ok(netns) => Some(netns),
        Err(why) if plan.require_partition => {
            return Err(ClusterError::Services(format!(
                "the partition needs ip netns: {why}"
            )))
        }
        Err(why) => {
            report.line(format!(
                "SKIPPED: the node-redis partition ({why}); Redis on 127.0.0.1"
            ));
            None
        }
    };
    let mut cluster = Cluster::start(env, plan.nodes, netns).await?;
    let bases = cluster.bases();
    let mut world = World::create(&cluster.url(0), plan.orders).await?;
    world.spawn_every_transport(
        &bases,
        &[Transport::WebSocket, Transport::Sse, Transport::LongPoll],
    );
    let stop = Arc::new(AtomicBool::new(false));
    let counters = Arc::new(WriterCounters::default());
    let writers = spawn_writers(
        env,
        plan.writers,
        &bases,
        &world.orders,
        Duration::from_millis(10),
        &stop,
        &counters,
    );

    let mut kinds = vec![Fault::NodeKill, Fault::RedisRestart, Fault::PostgresCut];
    if cluster.netns.is_some() {
        kinds.push(Fault::Partition);
    }
    let mut faults: BTreeMap<Fault, u64> = BTreeMap::new();
    let mut cut_connections = 0;
    let mut noticed: Vec<Duration> = Vec::new();
    let mut rng = StdRng::seed_from_u64(env.seed);
    let http = crate::rest::http();
    let calm_ms = plan.calm_for.as_millis().max(200) as u64;
    let started = tokio::time::Instant::now();
    let mut next = 0;
    // For `duration`, and each kind at least once.
    while started.elapsed() < plan.duration || next < kinds.len() {
        // Every service up and every node ready, then a calm stretch.
        let waiting = cluster.ready(Duration::from_secs(30)).await;
        if !waiting.is_empty() {
            report.expect(
                false,
                format!("every node ready again within 30 s of a fault (not: {waiting:?})"),
            );
        }
        tokio::time::sleep(Duration::from_millis(rng.random_range(100..calm_ms))).await;
        let fault = kinds[next % kinds.len()];
        next += 1;
        let node = rng.random_range(0..plan.nodes);
        // How long the fault lasts: the moment a thing is down is the
        // fault itself, not a wait for anything.
        let hold = Duration::from_millis(rng.random_range(1000..4000));
        match fault {
            Fault::NodeKill => {
                cluster.nodes[node].kill_9().await;
                tokio::time::sleep(hold / 2).await;
                cluster.nodes[node] = Server::start(cluster.specs[node].clone()).await?;
            }
            Fault::RedisRestart => {
                cluster.redis.down();
                tokio::time::sleep(hold).await;
                cluster.redis.up().await.map_err(ClusterError::Services)?;
            }
            Fault::PostgresCut => {
                let cut = cluster.db.cut();
                tokio::time::sleep(hold).await;
                let reopened = cluster.db.reopen();
                match (cut, reopened) {
                    (Ok(n), Ok(())) => cut_connections += n,
                    (cut, reopened) => report.expect(
                        false,
                        format!("cut and reopen the database: {cut:?}, {reopened:?}"),
                    ),
                }
            }
            Fault::Partition => {
                let Some(netns) = cluster.netns.as_ref() else {
                    continue;
                };
                netns.link(node, false).map_err(ClusterError::Services)?;
                let cut_at = tokio::time::Instant::now();
                // The promise: the node says, within seconds, that it
                // cannot vouch for its channels.
                let mut said = None;
                while cut_at.elapsed() < NOTICE_WITHIN.max(hold) {
                    let (status, body) = readiness(&http, &cluster.url(node)).await;
                    if status == 503 && body["checks"]["broker"] == "disconnected" {
                        said = Some(cut_at.elapsed());
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                match said {
                    Some(after) => noticed.push(after),
                    None => report.expect(
                        false,
                        format!(
                            "node-{node}, cut off from Redis, says broker: disconnected within {} s",
                            NOTICE_WITHIN.as_secs()
                        ),
                    ),
                }
                let rest = hold.saturating_sub(cut_at.elapsed());
                tokio::time::sleep(rest).await;
                netns.link(node, true).map_err(ClusterError::Services)?;
            }
        }
        *faults.entry(fault).or_default() += 1;
    }
    let waiting = cluster.ready(Duration::from_secs(30)).await;
    report.expect(
        waiting.is_empty(),
        format!("every node ready again within 30 s of each fault (not at the end: {waiting:?})"),
    );
    // A last calm stretch with writes, then the writers stop and the
    // clients converge.
    tokio::time::sleep(plan.calm_for).await;
    stop.store(true, Ordering::SeqCst);
    let acks = collect(writers).await;
    let (verdict, reconnects, failed) = world.finish(&cluster.url(0), &acks).await?;

    let total: u64 = faults.values().sum();
    let by_kind: Vec<String> = faults.iter().map(|(k, n)| format!("{n} {k}")).collect();
    report.line(format!(
        "{} nodes on PostgreSQL (a fresh database) and their own redis-server, {} s of faults, {} orders",
        plan.nodes,
        plan.duration.as_secs(),
        plan.orders
    ));
    report.line(format!(
        "faults: {total} injected ({}); {cut_connections} PostgreSQL connections terminated",
        by_kind.join(", ")
    ));
    if !noticed.is_empty() {
        let slowest = noticed.iter().max().copied().unwrap_or_default();
        report.line(format!(
            "partitions: {} noticed by the cut-off node (readiness 503, broker: disconnected), the slowest after {:.1} s",
            noticed.len(),
            slowest.as_secs_f64()
        ));
    }
    report.line(counters.summary());
    report.line(format!(
        "clients: {} topic views over {} nodes, {reconnects} reconnects",
        verdict.clients, plan.nodes
    ));
    for why in failed {
        report.expect(false, format!("a client ran to its end: {why}"));
    }
    report.verdict = verdict;
    // The nodes die with `cluster` (SIGKILL), then the database and Redis.
    Ok(report)
}
