//! `trackwire-bench`: fan-out figures of a trackwire server, printed.
//!
//! Not a test: it measures, on the machine at hand, deliveries per second,
//! publish-to-receive latency, server memory per idle connection and server
//! CPU per million deliveries, with every WebSocket client in this process
//! and the server in another (spawned here, or given with `--server`).
//! `trackwire-bench cluster` compares one node with several
//! (cluster.rs); `trackwire-bench peers` compares Trackwire with other
//! servers of the same shape (peers/). See docs/benchmarks.md.

mod client;
mod cluster;
mod ingest;
mod peers;
mod publish;
mod report;
mod server;
mod wire;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use clap::Parser;

use client::{Clock, Fleet, Target};
use publish::{Published, Publisher};
use report::{Idle, Phase, Run};
use server::Server;

#[derive(Parser)]
#[command(
    name = "trackwire-bench",
    about = "Fan-out benchmark of a trackwire server (prints figures)"
)]
struct Args {
    /// URL of a running server (`http://IP:PORT`); by default the release
    /// server is spawned in a temporary data dir.
    #[arg(long)]
    server: Option<String>,
    /// Process id of the `--server`, for its memory and CPU figures.
    #[arg(long, requires = "server")]
    server_pid: Option<u32>,
    /// The server binary to spawn (default: `trackwire` beside this binary,
    /// i.e. target/release/trackwire).
    #[arg(long)]
    trackwire: Option<PathBuf>,
    /// Subscriber counts, one delivery phase each.
    #[arg(long, value_delimiter = ',', default_value = "1,100,1000,10000")]
    subscribers: Vec<usize>,
    /// Events per phase published as fast as the server takes them.
    #[arg(long, default_value_t = 200)]
    events: usize,
    /// POSTs in flight at once while flooding.
    #[arg(long, default_value_t = 4)]
    publishers: usize,
    /// Events per phase published at the moderate `--paced-rate`.
    #[arg(long, default_value_t = 40)]
    paced_events: usize,
    /// Events per second of the paced part, at most.
    #[arg(long, default_value_t = 20.0)]
    paced_rate: f64,
    /// "Moderate": the paced part offers at most this share of the
    /// deliveries/s the flood reached with as many subscribers (the rate is
    /// lowered to fit; 0 keeps `--paced-rate` whatever the load).
    #[arg(long, default_value_t = 0.5)]
    paced_share: f64,
    /// Idle subscribed connections for the memory figure (0 skips it).
    #[arg(long, default_value_t = 10_000)]
    idle: usize,
    /// Connections per loopback source address (127.0.0.2, .3, …).
    #[arg(long, default_value_t = 5_000)]
    per_address: usize,
    /// Do not pin the spawned server to core 0 and the benchmark to core 1.
    #[arg(long)]
    no_pin: bool,
    /// WebSocket handshakes in flight at once.
    #[arg(long, default_value_t = 256)]
    connect_concurrency: usize,
    /// A shell command run (and waited for) just before each flood, e.g.
    /// `callgrind_control -i on PID` to count only the deliveries.
    #[arg(long)]
    before_flood: Option<String>,
    /// A shell command run once each flood has been delivered.
    #[arg(long)]
    after_flood: Option<String>,
}

/// `trackwire-bench cluster …`: one node against several (cluster.rs).
#[derive(Parser)]
#[command(
    name = "trackwire-bench cluster",
    about = "One node against N on PostgreSQL and Redis: ingestion and fan-out across nodes"
)]
struct ClusterCli {
    #[command(flatten)]
    args: cluster::ClusterArgs,
}

/// `trackwire-bench ingest …`: durable ingestion on one embedded server
/// (ingest.rs).
#[derive(Parser)]
#[command(
    name = "trackwire-bench ingest",
    about = "Durable events/s over REST on one SQLite server: one tenant, watched, many tenants"
)]
struct IngestCli {
    #[command(flatten)]
    args: ingest::IngestArgs,
}

/// `trackwire-bench peers …`: Trackwire against its peers (peers/).
#[derive(Parser)]
#[command(
    name = "trackwire-bench peers",
    about = "Trackwire against a Node ws, a Socket.IO and a Sockudo server: the same scenarios, \
             one run (install the peers with scripts/bench --peers)"
)]
struct PeersCli {
    #[command(flatten)]
    args: peers::PeersArgs,
    /// Do not pin the servers to core 0 and the benchmark to core 1.
    #[arg(long)]
    no_pin: bool,
}

fn main() -> Result<()> {
    if std::env::args().nth(1).as_deref() == Some("peers") {
        let cli = PeersCli::parse_from(std::env::args().skip(1));
        let machine = server::machine();
        let binary = server_beside_us()?;
        let limit = rlimit::increase_nofile_limit(u64::MAX).context("raising RLIMIT_NOFILE")?;
        let cores = core_affinity::get_core_ids().unwrap_or_default();
        let pinned = !cli.no_pin && cores.len() >= 2;
        if pinned && !core_affinity::set_for_current(cores[1]) {
            anyhow::bail!("could not pin the benchmark to core {}", cores[1].id);
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        let placement = pinned.then(|| (cores[0].id, cores[1].id));
        return runtime.block_on(peers::run(cli.args, binary, machine, placement, limit));
    }
    let sub_command = std::env::args().nth(1);
    if matches!(sub_command.as_deref(), Some("cluster" | "ingest")) {
        let binary = server_beside_us()?;
        let limit = rlimit::increase_nofile_limit(u64::MAX).context("raising RLIMIT_NOFILE")?;
        eprintln!("[bench] open files limit {limit}");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        return if sub_command.as_deref() == Some("cluster") {
            let cli = ClusterCli::parse_from(std::env::args().skip(1));
            runtime.block_on(cluster::run(cli.args, &binary))
        } else {
            let cli = IngestCli::parse_from(std::env::args().skip(1));
            runtime.block_on(ingest::run(cli.args, &binary))
        };
    }
    let args = Args::parse();
    let machine = server::machine();
    // Built (under cargo) before pinning, so that the build has every core.
    let binary = match (&args.server, &args.trackwire) {
        (Some(_), _) => None,
        (None, Some(path)) => Some(path.clone()),
        (None, None) => Some(server_beside_us()?),
    };
    // Server on core 0, this process (every client and the publisher) on
    // core 1, so neither steals the other's core: the server's figures are
    // those of one core. Threads inherit the mask, so pin before the
    // runtime starts its workers.
    let cores = core_affinity::get_core_ids().unwrap_or_default();
    let pinned = !args.no_pin && args.server.is_none() && cores.len() >= 2;
    if pinned && !core_affinity::set_for_current(cores[1]) {
        anyhow::bail!("could not pin the benchmark to core {}", cores[1].id);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let placement = pinned.then(|| (cores[0].id, cores[1].id));
    runtime.block_on(bench(args, binary, machine, placement))
}

async fn bench(
    args: Args,
    binary: Option<PathBuf>,
    machine: String,
    pinned: Option<(usize, usize)>,
) -> Result<()> {
    let server_cpus = pinned.map(|(server, _)| server.to_string());
    let started = Instant::now();
    let limit = rlimit::increase_nofile_limit(u64::MAX).context("raising RLIMIT_NOFILE")?;
    let most = args
        .subscribers
        .iter()
        .copied()
        .chain([args.idle])
        .max()
        .unwrap_or(0);
    if (limit as usize) < most + 64 {
        eprintln!(
            "warning: open files are limited to {limit}; {most} connections need more \
             (raise the hard limit: ulimit -Hn)"
        );
    }

    let mut server = match (&args.server, binary) {
        (Some(url), _) => Server::external(url, args.server_pid)?,
        (None, Some(binary)) => Server::spawn(&binary, server_cpus.as_deref()).await?,
        (None, None) => anyhow::bail!("no server: give --server URL or --trackwire PATH"),
    };
    let placement = match pinned {
        Some((server, bench)) => {
            format!("server pinned to CPU {server}, benchmark (clients, publisher) to CPU {bench}")
        }
        None => "not pinned: server and benchmark share every core".into(),
    };
    let outcome = run(&args, &server, limit, machine, placement).await;
    let log = server.log_lines();
    server.stop().await;
    let run = outcome?;
    report::print(&run);
    if !log.is_empty() {
        println!(
            "\nThe server logged {} warning/error lines; the first ones:",
            log.len()
        );
        for line in log.iter().take(5) {
            println!("  {line}");
        }
    }
    println!("\nTotal run time: {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// `trackwire` beside this binary. Under `cargo run` it is (re)built first
/// with the same profile, so the figures are never those of a stale server.
fn server_beside_us() -> Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let release = exe
        .parent()
        .and_then(|dir| dir.file_name())
        .is_some_and(|name| name == "release");
    if !release {
        eprintln!(
            "warning: not a release build; run with `cargo run --release -p trackwire-bench`"
        );
    }
    if let Some(cargo) = std::env::var_os("CARGO") {
        eprintln!("[bench] building the server (cargo build -p trackwire)");
        let mut build = std::process::Command::new(cargo);
        build.args(["build", "--quiet", "-p", "trackwire"]);
        if release {
            build.arg("--release");
        }
        if let Some(dir) = std::env::var_os("CARGO_MANIFEST_DIR") {
            build.current_dir(dir);
        }
        let status = build.status().context("running cargo build -p trackwire")?;
        anyhow::ensure!(status.success(), "cargo build -p trackwire failed");
    }
    Ok(exe.with_file_name("trackwire"))
}

async fn run(
    args: &Args,
    server: &Server,
    limit: u64,
    machine: String,
    placement: String,
) -> Result<Run> {
    let clock = Clock::new();
    let publisher = Publisher::new(&server.url, clock)?;
    let target = Target {
        server: server.addr,
        wire: wire::Wire::Trackwire,
        first_host: 2,
        per_address: args.per_address,
        connect_concurrency: args.connect_concurrency,
    };
    // Order ids unique per run, so that a running server can be reused.
    let run_id = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|since| since.as_secs())
        .unwrap_or(0);
    let mut next_slot = 0;
    let mut run = Run {
        machine,
        server: format!(
            "{} ({})",
            server.url,
            match (server.spawned(), server.pid) {
                (true, Some(pid)) => format!("spawned, pid {pid}"),
                (false, Some(pid)) => format!("external, pid {pid}"),
                _ => "external, pid unknown: no memory or CPU figures".into(),
            }
        ),
        open_files_limit: limit,
        placement,
        args: args.describe(),
        idle: None,
        phases: Vec::new(),
    };

    // Memory first, on a server that has not carried traffic yet: memory the
    // allocator kept from earlier phases would hide the cost of new
    // connections.
    if args.idle > 0 {
        eprintln!("[bench] idle memory: opening {} connections", args.idle);
        let idle = idle_phase(
            server,
            &publisher,
            &target,
            &mut next_slot,
            args.idle,
            run_id,
            clock,
        )
        .await?;
        run.idle = Some(idle);
        settle(server).await;
    }

    for &subscribers in &args.subscribers {
        eprintln!("[bench] {subscribers} subscribers");
        let phase = delivery_phase(
            args,
            server,
            &publisher,
            &target,
            &mut next_slot,
            subscribers,
            run_id,
            clock,
        )
        .await
        .with_context(|| format!("the phase with {subscribers} subscribers"))?;
        run.phases.push(phase);
        settle(server).await;
    }
    Ok(run)
}

impl Args {
    fn describe(&self) -> String {
        format!(
            "flood {} events ({} POSTs in flight), then {} events at {}/s or less \
             (offering at most {:.0}% of the flood's deliveries/s); idle {}",
            self.events,
            self.publishers,
            self.paced_events,
            self.paced_rate,
            self.paced_share * 100.0,
            self.idle
        )
    }
}

/// Runs `--before-flood` / `--after-flood`; a failing command fails the run.
async fn run_hook(command: Option<&str>) -> Result<()> {
    let Some(command) = command else {
        return Ok(());
    };
    let status = tokio::process::Command::new("sh")
        .args(["-c", command])
        .status()
        .await
        .with_context(|| format!("running `{command}`"))?;
    anyhow::ensure!(status.success(), "`{command}` failed: {status}");
    Ok(())
}

async fn idle_phase(
    server: &Server,
    publisher: &Publisher,
    target: &Target,
    next_slot: &mut usize,
    count: usize,
    run_id: u64,
    clock: Clock,
) -> Result<Idle> {
    let order = format!("BENCH-{run_id}-IDLE");
    publisher.create_order(&order).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = server.rss_kib();
    let opened = Instant::now();
    let fleet = Fleet::open(target, next_slot, count, &format!("order:{order}"), clock).await?;
    let connect_s = opened.elapsed().as_secs_f64();
    // Let the handshakes' transient buffers go back before reading.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = server.rss_kib();
    let open_files = server.open_files();
    let seen = fleet.close().await;
    Ok(Idle {
        connections: count,
        connect_s,
        rss_before_kib: before,
        rss_after_kib: after,
        server_open_files: open_files,
        lost: seen.lost,
    })
}

#[allow(clippy::too_many_arguments)]
async fn delivery_phase(
    args: &Args,
    server: &Server,
    publisher: &Publisher,
    target: &Target,
    next_slot: &mut usize,
    subscribers: usize,
    run_id: u64,
    clock: Clock,
) -> Result<Phase> {
    let order = format!("BENCH-{run_id}-{subscribers}");
    publisher.create_order(&order).await?;
    let fleet = Fleet::open(
        target,
        next_slot,
        subscribers,
        &format!("order:{order}"),
        clock,
    )
    .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Flood: throughput and CPU.
    run_hook(args.before_flood.as_deref()).await?;
    let ticks = server::clock_ticks();
    let machine0 = server::machine_ticks();
    let server_cpu0 = server.cpu_ticks();
    let own_cpu0 = server::own_cpu_ticks();
    let flood = {
        let publisher = publisher.clone();
        let order = order.clone();
        let (events, in_flight) = (args.events, args.publishers);
        tokio::spawn(async move { publisher.flood(&order, events, in_flight).await })
    };
    let (flood, flood_complete) =
        wait_for(&fleet.counters.flood, subscribers * args.events, flood).await?;
    let server_cpu1 = server.cpu_ticks();
    let machine1 = server::machine_ticks();
    let own_cpu1 = server::own_cpu_ticks();
    run_hook(args.after_flood.as_deref()).await?;

    // Paced: latency at a moderate rate, below what the flood reached.
    let reached = fleet.counters.flood.load(Ordering::Relaxed) as f64
        / (clock.now_ns().saturating_sub(flood.first_ns) as f64 / 1e9).max(1e-9);
    let mut paced_rate = args.paced_rate;
    if args.paced_share > 0.0 {
        paced_rate = paced_rate.min(args.paced_share * reached / subscribers.max(1) as f64);
    }
    let paced_rate = (paced_rate * 10.0).floor().max(1.0) / 10.0;
    // At most 20 s of pacing, however low the rate had to be (0 skips it).
    let paced_events = args
        .paced_events
        .min((paced_rate * 20.0).ceil().max(1.0) as usize);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let paced = {
        let publisher = publisher.clone();
        let order = order.clone();
        let (events, rate) = (paced_events, paced_rate);
        tokio::spawn(async move { publisher.paced(&order, events, rate).await })
    };
    let (paced, paced_complete) =
        wait_for(&fleet.counters.paced, subscribers * paced_events, paced).await?;

    let seen = fleet.close().await;
    let cpu = |a: Option<server::Ticks>, b: Option<server::Ticks>| {
        let (a, b) = (a?, b?);
        Some(report::Cpu {
            user_s: b.user.saturating_sub(a.user) as f64 / ticks,
            system_s: b.system.saturating_sub(a.system) as f64 / ticks,
        })
    };
    Ok(Phase {
        subscribers,
        flood_events: args.events,
        paced_events,
        paced_rate,
        flood_wall_s: seen.last_flood_ns.saturating_sub(flood.first_ns) as f64 / 1e9,
        flood_complete,
        paced_complete,
        server_cpu_s: cpu(server_cpu0, server_cpu1),
        machine_busy_s: machine1
            .zip(machine0)
            .map(|(after, before)| after.busy.saturating_sub(before.busy) as f64 / ticks),
        steal_s: machine1
            .zip(machine0)
            .map(|(after, before)| after.steal.saturating_sub(before.steal) as f64 / ticks),
        bench_cpu_s: cpu(own_cpu0, own_cpu1),
        flood,
        paced,
        seen,
    })
}

/// Waits until `target` deliveries were counted, or until 60 s after the
/// publishing ended; returns what was published and whether every delivery
/// arrived.
async fn wait_for(
    counter: &AtomicUsize,
    target: usize,
    mut publishing: tokio::task::JoinHandle<Published>,
) -> Result<(Published, bool)> {
    let mut published = None;
    let mut deadline = None;
    let complete = loop {
        if counter.load(Ordering::Relaxed) >= target {
            break true;
        }
        if published.is_none() && publishing.is_finished() {
            published = Some((&mut publishing).await.context("the publisher panicked")?);
            deadline = Some(Instant::now() + Duration::from_secs(60));
        }
        if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
            break false;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    };
    let published = match published {
        Some(published) => published,
        None => publishing.await.context("the publisher panicked")?,
    };
    Ok((published, complete))
}

/// Between phases: waits until the server has let go of the last phase's
/// connections (its open files are back near where they were), at most 20 s.
async fn settle(server: &Server) {
    let Some(mut last) = server.open_files() else {
        tokio::time::sleep(Duration::from_secs(2)).await;
        return;
    };
    let until = Instant::now() + Duration::from_secs(20);
    while Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let Some(now) = server.open_files() else {
            return;
        };
        if now < 64 || now == last {
            return;
        }
        last = now;
    }
}
