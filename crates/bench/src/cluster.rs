//! `trackwire-bench cluster`: one node against N, on PostgreSQL and Redis.
//!
//! For each size (1, then `--nodes`), on a fresh database:
//! - **ingestion**: `--writers` concurrent REST writers, spread over the
//!   nodes, record `--ingest-events` events on `--orders` orders of one
//!   tenant; events/s acknowledged (each after its commit) and the
//!   acknowledgement p50/p99;
//! - **fan-out across nodes**: the publisher on the first node, the
//!   subscribers on the others (on the one node when alone): deliveries/s
//!   of a flood, then publish→receive p50/p99 at a moderate paced rate.
//!
//! No pinning: the nodes, PostgreSQL, Redis and this process share the
//! machine's cores, as a small cluster on one host would.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::client::{Clock, Fleet, Target};
use crate::ingest::{record_many, Destination};
use crate::publish::Publisher;
use crate::report::{percentile_ms, sorted};
use crate::server::Server;

#[derive(clap::Args, Clone)]
pub(crate) struct ClusterArgs {
    /// Nodes of the larger cluster (it is compared with one node).
    #[arg(long, default_value_t = 3)]
    nodes: usize,
    /// PostgreSQL to create the benchmark's databases on.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    postgres: String,
    /// Redis, the backplane.
    #[arg(long, default_value = "redis://127.0.0.1:6379")]
    redis: String,
    /// Concurrent writers in the ingestion part.
    #[arg(long, default_value_t = 96)]
    writers: usize,
    /// Events recorded in the ingestion part.
    #[arg(long, default_value_t = 20_000)]
    ingest_events: usize,
    /// Orders (of one tenant) the ingestion writes to.
    #[arg(long, default_value_t = 500)]
    orders: usize,
    /// Subscribers in the fan-out part.
    #[arg(long, default_value_t = 1000)]
    subscribers: usize,
    /// Events of the flood.
    #[arg(long, default_value_t = 200)]
    events: usize,
    /// Events of the paced part, at `--paced-rate` per second.
    #[arg(long, default_value_t = 100)]
    paced_events: usize,
    #[arg(long, default_value_t = 20.0)]
    paced_rate: f64,
}

struct Figures {
    nodes: usize,
    ingest_per_s: f64,
    ingest_failed: usize,
    ack_p50_ms: Option<f64>,
    ack_p99_ms: Option<f64>,
    deliveries_per_s: f64,
    paced_p50_ms: Option<f64>,
    paced_p99_ms: Option<f64>,
    complete: bool,
}

pub(crate) async fn run(args: ClusterArgs, binary: &Path) -> Result<()> {
    let started = Instant::now();
    let clock = Clock::new();
    let mut next_slot = 0;
    let mut figures = Vec::new();
    let mut sizes = vec![1];
    if args.nodes > 1 {
        sizes.push(args.nodes);
    }
    for nodes in sizes {
        eprintln!("[bench] cluster of {nodes}");
        let database = Database::create(&args.postgres, nodes)?;
        let servers = spawn_nodes(binary, nodes, &database.url, &args.redis).await?;
        let outcome = measure(&args, &servers, clock, &mut next_slot).await;
        for mut server in servers {
            server.stop().await;
        }
        drop(database);
        let mut measured = outcome?;
        measured.nodes = nodes;
        figures.push(measured);
    }
    print(&args, &figures);
    println!("\nTotal run time: {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

async fn spawn_nodes(binary: &Path, nodes: usize, store: &str, redis: &str) -> Result<Vec<Server>> {
    let prefix = format!("twbench-{}-{nodes}", std::process::id());
    let mut servers = Vec::new();
    for n in 0..nodes {
        let extra: Vec<String> = [
            "--store",
            store,
            "--broker",
            redis,
            "--redis-prefix",
            &prefix,
            "--node-id",
            &format!("bench-{n}"),
            "--max-http-connections-per-ip",
            "1000000",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        servers.push(Server::spawn_with(binary, None, &extra).await?);
    }
    Ok(servers)
}

async fn measure(
    args: &ClusterArgs,
    servers: &[Server],
    clock: Clock,
    next_slot: &mut usize,
) -> Result<Figures> {
    let publishers: Vec<Publisher> = servers
        .iter()
        .map(|server| Publisher::new(&server.url, clock))
        .collect::<Result<_>>()?;
    // Ingestion: many orders of one tenant, writers over every node.
    let orders: Vec<String> = (0..args.orders).map(|i| format!("ING-{i}")).collect();
    for (i, order) in orders.iter().enumerate() {
        publishers[i % publishers.len()].create_order(order).await?;
    }
    let destinations: Vec<Destination> = (0..orders.len() * publishers.len())
        .map(|i| {
            let publisher = publishers[i % publishers.len()].clone();
            (publisher, orders[i % orders.len()].clone())
        })
        .collect();
    let ingested = record_many(Arc::new(destinations), args.writers, args.ingest_events).await?;

    // Fan-out: publisher on node 0, subscribers on the others.
    let order = "FAN-1";
    publishers[0].create_order(order).await?;
    let watching: Vec<&Server> = if servers.len() == 1 {
        vec![&servers[0]]
    } else {
        servers[1..].iter().collect()
    };
    let mut fleets = Vec::new();
    for (i, server) in watching.iter().enumerate() {
        let share =
            args.subscribers / watching.len() + usize::from(i < args.subscribers % watching.len());
        let target = Target::trackwire(server.addr);
        fleets
            .push(Fleet::open(&target, next_slot, share, &format!("order:{order}"), clock).await?);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let flood_began = Instant::now();
    let flood = publishers[0].flood(order, args.events, 8).await;
    let flood_done = wait_until(
        &fleets,
        |f| &f.counters.flood,
        args.subscribers * args.events,
    )
    .await;
    let flood_s = flood_began.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let paced = publishers[0]
        .paced(order, args.paced_events, args.paced_rate)
        .await;
    let paced_done = wait_until(
        &fleets,
        |f| &f.counters.paced,
        args.subscribers * args.paced_events,
    )
    .await;
    let mut paced_us = Vec::new();
    for fleet in fleets {
        let report = fleet.close().await;
        if report.lost > 0 {
            bail!(
                "{} subscribers lost an event; first: {:?}",
                report.lost,
                report.first_loss
            );
        }
        paced_us.extend(report.paced_us);
    }
    let paced_us = sorted(&paced_us);
    Ok(Figures {
        nodes: servers.len(),
        ingest_per_s: ingested.per_s,
        ingest_failed: ingested.failed + flood.failed + paced.failed,
        ack_p50_ms: percentile_ms(&ingested.acks_us, 50.0),
        ack_p99_ms: percentile_ms(&ingested.acks_us, 99.0),
        deliveries_per_s: (args.subscribers * args.events) as f64 / flood_s,
        paced_p50_ms: percentile_ms(&paced_us, 50.0),
        paced_p99_ms: percentile_ms(&paced_us, 99.0),
        complete: flood_done && paced_done,
    })
}

/// Waits until the fleets counted `target` deliveries, at most 60 s.
async fn wait_until(
    fleets: &[Fleet],
    counter: impl Fn(&Fleet) -> &AtomicUsize,
    target: usize,
) -> bool {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let seen: usize = fleets
            .iter()
            .map(|f| counter(f).load(Ordering::Relaxed))
            .sum();
        if seen >= target {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    false
}

fn print(args: &ClusterArgs, figures: &[Figures]) {
    println!("\nCluster (PostgreSQL store, Redis backplane; nodes, PostgreSQL, Redis and the benchmark share the machine)");
    println!(
        "ingestion: {} events by {} writers over the nodes, {} orders of one tenant; \
         fan-out: {} subscribers on the nodes but the publisher's, {} events flooded, \
         then {} at {}/s",
        args.ingest_events,
        args.writers,
        args.orders,
        args.subscribers,
        args.events,
        args.paced_events,
        args.paced_rate
    );
    println!(
        "\n| nodes | ingested events/s | ack p50 / p99 ms | deliveries/s (flood) | paced publish→receive p50 / p99 ms | failed | complete |"
    );
    println!("|---|---|---|---|---|---|---|");
    for f in figures {
        println!(
            "| {} | {:.0} | {} / {} | {:.0} | {} / {} | {} | {} |",
            f.nodes,
            f.ingest_per_s,
            ms(f.ack_p50_ms),
            ms(f.ack_p99_ms),
            f.deliveries_per_s,
            ms(f.paced_p50_ms),
            ms(f.paced_p99_ms),
            f.ingest_failed,
            if f.complete { "yes" } else { "NO" }
        );
    }
}

fn ms(value: Option<f64>) -> String {
    value.map_or("-".into(), |v| format!("{v:.1}"))
}

/// A database of the benchmark's own, dropped after.
struct Database {
    admin: String,
    name: String,
    url: String,
}

impl Database {
    fn create(admin: &str, nodes: usize) -> Result<Self> {
        let name = format!("twbench_{}_{nodes}", std::process::id());
        psql(admin, &format!("DROP DATABASE IF EXISTS {name}"))?;
        psql(admin, &format!("CREATE DATABASE {name}"))?;
        let base = admin.rsplit_once('/').map_or(admin, |(base, _)| base);
        Ok(Self {
            admin: admin.to_owned(),
            url: format!("{base}/{name}"),
            name,
        })
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let _ = psql(
            &self.admin,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}

fn psql(url: &str, sql: &str) -> Result<()> {
    let output = Command::new("psql")
        .args([url, "-qc", sql])
        .output()
        .context("running psql (PostgreSQL's client; scripts/services)")?;
    if !output.status.success() {
        bail!("psql: {}", String::from_utf8_lossy(&output.stderr).trim());
    }
    Ok(())
}
