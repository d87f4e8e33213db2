//! Durable ingestion over REST: many writers record `instructions_changed`
//! events, each acknowledged (201) only after its commit.
//!
//! [`record_many`] is the writers' loop, shared with `cluster`;
//! `trackwire-bench ingest` runs it on one embedded (SQLite) server, fresh
//! for each case: one tenant's orders with no subscriber, the same with
//! subscribers watching, and the orders spread over several tenants.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::client::{Clock, Fleet, Target};
use crate::publish::Publisher;
use crate::report::{percentile_ms, sorted};
use crate::server::Server;

/// Where one event goes: a publisher (node, tenant) and an order of its.
pub(crate) type Destination = (Publisher, String);

/// What the writers achieved.
pub(crate) struct Ingested {
    pub(crate) per_s: f64,
    pub(crate) failed: usize,
    /// Acknowledgement round trips, µs, sorted.
    pub(crate) acks_us: Vec<u32>,
}

/// `writers` concurrent writers record `total` events, event `i` to
/// `destinations[i % len]`; every order must exist.
pub(crate) async fn record_many(
    destinations: Arc<Vec<Destination>>,
    writers: usize,
    total: usize,
) -> Result<Ingested> {
    let next = Arc::new(AtomicUsize::new(0));
    let began = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..writers.max(1) {
        let (next, destinations) = (next.clone(), destinations.clone());
        tasks.push(tokio::spawn(async move {
            let (mut acks, mut failed) = (Vec::new(), 0);
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let (publisher, order) = &destinations[i % destinations.len()];
                match publisher.note(order).await {
                    Ok(us) => acks.push(us),
                    Err(_) => failed += 1,
                }
            }
            (acks, failed)
        }));
    }
    let (mut acks, mut failed) = (Vec::new(), 0);
    for task in tasks {
        let (part, part_failed) = task.await.context("a writer panicked")?;
        acks.extend(part);
        failed += part_failed;
    }
    let seconds = began.elapsed().as_secs_f64();
    Ok(Ingested {
        per_s: acks.len() as f64 / seconds,
        failed,
        acks_us: sorted(&acks),
    })
}

#[derive(clap::Args, Clone)]
pub(crate) struct IngestArgs {
    /// Concurrent REST writers.
    #[arg(long, default_value_t = 256)]
    writers: usize,
    /// Events recorded per case.
    #[arg(long, default_value_t = 40_000)]
    events: usize,
    /// Orders written to (in every case; spread over the tenants in the
    /// last).
    #[arg(long, default_value_t = 500)]
    orders: usize,
    /// Subscribers in the second case, spread over the first orders.
    #[arg(long, default_value_t = 1000)]
    subscribers: usize,
    /// Tenants of the last case.
    #[arg(long, default_value_t = 10)]
    tenants: usize,
}

/// The HS256 secret of the spawned servers (the tenants' tokens).
const SECRET: &str = "trackwire-bench-ingest-secret-0123456789";

/// Orders with subscribers in the second case: each gets an equal share.
const WATCHED_ORDERS: usize = 20;

struct Case {
    name: String,
    ingested: Ingested,
    deliveries: usize,
}

pub(crate) async fn run(args: IngestArgs, binary: &Path) -> Result<()> {
    let started = Instant::now();
    let clock = Clock::new();
    let mut next_slot = 0;
    let extra = vec!["--jwt-secret".to_string(), SECRET.to_string()];
    let mut cases = Vec::new();
    for case in ["one tenant", "one tenant, watched", "tenants"] {
        eprintln!("[bench] ingestion: {case}");
        let mut server = Server::spawn_with(binary, None, &extra).await?;
        let outcome = run_case(&args, binary, &server, case, clock, &mut next_slot).await;
        server.stop().await;
        cases.push(outcome?);
    }
    print(&args, &cases);
    println!("\nTotal run time: {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

async fn run_case(
    args: &IngestArgs,
    binary: &Path,
    server: &Server,
    case: &str,
    clock: Clock,
    next_slot: &mut usize,
) -> Result<Case> {
    let dev = Publisher::new(&server.url, clock)?;
    let publishers: Vec<Publisher> = if case == "tenants" {
        (0..args.tenants.max(1))
            .map(|t| Ok(dev.with_token(&token(binary, &format!("bench-{t}"))?)))
            .collect::<Result<_>>()?
    } else {
        vec![dev]
    };
    let destinations: Vec<Destination> = (0..args.orders.max(1))
        .map(|i| (publishers[i % publishers.len()].clone(), format!("ING-{i}")))
        .collect();
    for (publisher, order) in &destinations {
        publisher.create_order(order).await?;
    }
    let mut fleets = Vec::new();
    if case == "one tenant, watched" {
        let target = Target::trackwire(server.addr);
        let watched = WATCHED_ORDERS.min(destinations.len());
        for (i, (_, order)) in destinations.iter().take(watched).enumerate() {
            let share = args.subscribers / watched + usize::from(i < args.subscribers % watched);
            let topic = format!("order:{order}");
            fleets.push((
                Fleet::open(&target, next_slot, share, &topic, clock).await?,
                share,
            ));
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let ingested = record_many(Arc::new(destinations), args.writers, args.events).await?;
    // Every watched order's events reach each of its subscribers.
    let watched_events = |order: usize| {
        args.events / args.orders.max(1) + usize::from(order < args.events % args.orders.max(1))
    };
    let expected: usize = fleets
        .iter()
        .enumerate()
        .map(|(i, (_, share))| share * watched_events(i))
        .sum();
    let deadline = Instant::now() + Duration::from_secs(60);
    let seen = || -> usize {
        fleets
            .iter()
            .map(|(f, _)| f.counters.flood.load(Ordering::Relaxed))
            .sum()
    };
    while seen() < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let deliveries = seen();
    for (fleet, _) in fleets {
        let report = fleet.close().await;
        if report.lost > 0 {
            bail!(
                "{} subscribers lost an event; first: {:?}",
                report.lost,
                report.first_loss
            );
        }
    }
    if ingested.failed == 0 && deliveries < expected {
        bail!("{deliveries} of {expected} deliveries arrived within 60 s");
    }
    let name = match case {
        "tenants" => format!("{} orders over {} tenants", args.orders, args.tenants),
        "one tenant, watched" => format!(
            "{} orders of one tenant, {} subscribers on {} of them",
            args.orders,
            args.subscribers,
            WATCHED_ORDERS.min(args.orders)
        ),
        _ => format!("{} orders of one tenant, no subscriber", args.orders),
    };
    Ok(Case {
        name,
        ingested,
        deliveries,
    })
}

/// A service token of `tenant`, signed by the server binary itself.
fn token(binary: &Path, tenant: &str) -> Result<String> {
    let output = Command::new(binary)
        .args(["token", "--sub", "bench", "--role", "service"])
        .args(["--tenant", tenant, "--ttl", "7200", "--jwt-secret", SECRET])
        .output()
        .with_context(|| format!("running {} token", binary.display()))?;
    if !output.status.success() {
        bail!(
            "trackwire token: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

fn print(args: &IngestArgs, cases: &[Case]) {
    println!(
        "\nIngestion (embedded SQLite store; {} events per case by {} REST writers, \
         each answered 201 after its commit; server and benchmark share the machine)",
        args.events, args.writers
    );
    println!("\n| case | events/s | ack p50 / p99 ms | deliveries | failed |");
    println!("|---|---|---|---|---|");
    for case in cases {
        let ms =
            |p| percentile_ms(&case.ingested.acks_us, p).map_or("-".into(), |v| format!("{v:.1}"));
        println!(
            "| {} | {:.0} | {} / {} | {} | {} |",
            case.name,
            case.ingested.per_s,
            ms(50.0),
            ms(99.0),
            case.deliveries,
            case.ingested.failed
        );
    }
}
