//! `trackwire-bench peers` (`scripts/bench --peers`): Trackwire against
//! open-source servers of the same shape, in one run, by one harness.
//!
//! The peers: a plain Node `ws` server and a Socket.IO server
//! (`crates/bench/peers/*.mjs`, from npm), and Sockudo (a Pusher-protocol
//! server, from crates.io). Each is a topic with an HTTP publish that fans
//! one pre-serialized frame out to every subscriber; none stores anything,
//! while Trackwire stores every event in SQLite (durably) before the
//! fan-out, as the plain benchmark does.
//!
//! Scenarios, each on a fresh server, the server pinned to CPU 0 and this
//! process (clients and publisher) to CPU 1:
//! - **flood**: `--subscribers` on one topic, `--flood-events` published
//!   as fast as the server answers (`--publishers` requests in flight):
//!   server CPU seconds per million deliveries;
//! - **moderate**: the same subscribers, `--rate` events/s for
//!   `--seconds`: publish→receive p99 and server CPU per million;
//! - **idle**: `--idle` subscribed connections: server RSS per connection.
//!
//! `--rounds` repeats every scenario on every server (their order rotated
//! each round); the table shows medians. Figures only: nothing is judged.

pub(crate) mod node;
pub(crate) mod socketio;
pub(crate) mod sockudo;
mod table;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Result;

use crate::client::{Clock, Fleet, Target};
use crate::publish::Publisher;
use crate::report::{percentile_ms, sorted};
use crate::server::{self, Server};
use crate::wire::Wire;

use table::{Figure, Results, Sample};

#[derive(clap::Args, Clone)]
pub(crate) struct PeersArgs {
    /// Where the peers were installed (`node/` with node_modules and the
    /// two servers, `sockudo/bin/sockudo`); scripts/bench --peers installs
    /// them there.
    #[arg(long, default_value = "target/peers")]
    dir: PathBuf,
    /// The servers, in this order in the first round.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "trackwire,ws,socketio,sockudo"
    )]
    servers: Vec<Kind>,
    /// The scenarios, in this order.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "flood,moderate,idle"
    )]
    scenarios: Vec<Scenario>,
    /// Subscribers of the flood and moderate scenarios.
    #[arg(long, default_value_t = 1000)]
    subscribers: usize,
    /// Events of the flood.
    #[arg(long, default_value_t = 400)]
    flood_events: usize,
    /// Publish requests in flight at once while flooding.
    #[arg(long, default_value_t = 4)]
    publishers: usize,
    /// Events per second of the moderate scenario.
    #[arg(long, default_value_t = 50.0)]
    rate: f64,
    /// How long the moderate scenario publishes.
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// Subscribed connections of the idle scenario.
    #[arg(long, default_value_t = 10_000)]
    idle: usize,
    /// Times every scenario runs on every server (medians are shown).
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Connections per loopback source address (127.0.0.2, .3, …).
    #[arg(long, default_value_t = 5_000)]
    per_address: usize,
    /// WebSocket handshakes in flight at once.
    #[arg(long, default_value_t = 256)]
    connect_concurrency: usize,
}

/// A server under test.
#[derive(clap::ValueEnum, Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord)]
pub(crate) enum Kind {
    Trackwire,
    Ws,
    Socketio,
    Sockudo,
}

impl Kind {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Kind::Trackwire => "Trackwire (SQLite, durable)",
            Kind::Ws => "Node ws",
            Kind::Socketio => "Node Socket.IO",
            Kind::Sockudo => "Sockudo",
        }
    }

    pub(crate) fn short(self) -> &'static str {
        match self {
            Kind::Trackwire => "trackwire",
            Kind::Ws => "ws",
            Kind::Socketio => "socket.io",
            Kind::Sockudo => "sockudo",
        }
    }
}

#[derive(clap::ValueEnum, Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Scenario {
    Flood,
    Moderate,
    Idle,
}

impl Scenario {
    fn name(self) -> &'static str {
        match self {
            Scenario::Flood => "flood",
            Scenario::Moderate => "moderate",
            Scenario::Idle => "idle",
        }
    }
}

/// Where each server comes from, and whether it can run here.
struct Setup {
    trackwire: PathBuf,
    node_dir: PathBuf,
    sockudo: PathBuf,
    /// Per server: its versions, or why it is left out.
    available: Vec<(Kind, Result<String, String>)>,
}

impl Setup {
    fn find(dir: &Path, trackwire: PathBuf, kinds: &[Kind]) -> Self {
        // Absolute: the Node servers run from their own directory.
        let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
        let node_dir = dir.join("node");
        let sockudo = dir.join("sockudo").join("bin").join("sockudo");
        let available = kinds
            .iter()
            .map(|&kind| {
                let found = match kind {
                    Kind::Trackwire if trackwire.exists() => Ok(format!(
                        "trackwire {} ({})",
                        env!("CARGO_PKG_VERSION"),
                        trackwire.display()
                    )),
                    Kind::Trackwire => Err(format!("{} not found", trackwire.display())),
                    Kind::Ws => node::check(&node_dir, node::Script::Ws).map_err(|e| e.to_string()),
                    Kind::Socketio => {
                        node::check(&node_dir, node::Script::SocketIo).map_err(|e| e.to_string())
                    }
                    Kind::Sockudo => sockudo_version(&sockudo),
                };
                (kind, found)
            })
            .collect();
        Self {
            trackwire,
            node_dir,
            sockudo,
            available,
        }
    }

    fn runs(&self, kind: Kind) -> bool {
        self.available
            .iter()
            .any(|(k, found)| *k == kind && found.is_ok())
    }

    async fn spawn(&self, kind: Kind, cpus: Option<&str>) -> Result<(Server, Wire)> {
        Ok(match kind {
            Kind::Trackwire => (Server::spawn(&self.trackwire, cpus).await?, Wire::Trackwire),
            Kind::Ws => (
                node::spawn(&self.node_dir, node::Script::Ws, cpus).await?,
                Wire::Plain,
            ),
            Kind::Socketio => (
                node::spawn(&self.node_dir, node::Script::SocketIo, cpus).await?,
                Wire::SocketIo,
            ),
            Kind::Sockudo => {
                let (server, app) = sockudo::spawn(&self.sockudo, cpus).await?;
                (server, Wire::Pusher(Arc::new(app)))
            }
        })
    }
}

fn sockudo_version(binary: &Path) -> Result<String, String> {
    if !binary.exists() {
        return Err(format!(
            "{} not found (scripts/bench --peers installs it)",
            binary.display()
        ));
    }
    let out = std::process::Command::new(binary)
        .arg("--version")
        .output()
        .map_err(|e| format!("{}: {e}", binary.display()))?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// What one scenario on one server needs.
struct Bench<'a> {
    args: &'a PeersArgs,
    clock: Clock,
    next_slot: usize,
    run_id: u64,
}

pub(crate) async fn run(
    args: PeersArgs,
    trackwire: PathBuf,
    machine: String,
    pinned: Option<(usize, usize)>,
    open_files: u64,
) -> Result<()> {
    let started = Instant::now();
    let cpus = pinned.map(|(server, _)| server.to_string());
    let setup = Setup::find(&args.dir, trackwire, &args.servers);
    for (kind, found) in &setup.available {
        match found {
            Ok(version) => eprintln!("[peers] {}: {version}", kind.short()),
            Err(why) => eprintln!("[peers] {} left out: {why}", kind.short()),
        }
    }
    let kinds: Vec<Kind> = args
        .servers
        .iter()
        .copied()
        .filter(|&kind| setup.runs(kind))
        .collect();
    anyhow::ensure!(!kinds.is_empty(), "no server can run");
    let needed = args.idle.max(args.subscribers) as u64 + 64;
    if open_files < needed {
        eprintln!(
            "warning: open files are limited to {open_files}; {needed} are needed \
             (raise the hard limit: ulimit -Hn)"
        );
    }

    let mut bench = Bench {
        args: &args,
        clock: Clock::new(),
        next_slot: 0,
        run_id: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|since| since.as_secs())
            .unwrap_or(0),
    };
    let mut results = Results::default();
    for round in 0..args.rounds.max(1) {
        for &scenario in &args.scenarios {
            for i in 0..kinds.len() {
                let kind = kinds[(i + round) % kinds.len()];
                eprintln!(
                    "[peers] round {}/{}: {} on {}",
                    round + 1,
                    args.rounds.max(1),
                    scenario.name(),
                    kind.short()
                );
                let sample = bench
                    .one(&setup, kind, scenario, round, cpus.as_deref())
                    .await;
                if let Err(error) = &sample {
                    eprintln!("[peers]   failed: {error:#}");
                }
                results.add(kind, scenario, sample.map_err(|e| format!("{e:#}")));
            }
        }
    }

    let placement = match pinned {
        Some((server, bench)) => format!(
            "every server pinned to CPU {server}, the benchmark (clients, publisher) to CPU {bench}"
        ),
        None => "not pinned: servers and benchmark share every core".into(),
    };
    table::print(&table::Header {
        machine,
        placement,
        open_files,
        workload: format!(
            "flood: {} subscribers, {} events, {} publish requests in flight; \
             moderate: {} subscribers, {}/s for {} s; idle: {} connections; \
             {} round(s), a fresh server for every scenario",
            args.subscribers,
            args.flood_events,
            args.publishers,
            args.subscribers,
            args.rate,
            args.seconds,
            args.idle,
            args.rounds.max(1)
        ),
        servers: setup.available.clone(),
    });
    results.print(&kinds, &args.scenarios);
    println!("\nTotal run time: {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

impl Bench<'_> {
    /// One scenario on a fresh server of `kind`.
    async fn one(
        &mut self,
        setup: &Setup,
        kind: Kind,
        scenario: Scenario,
        round: usize,
        cpus: Option<&str>,
    ) -> Result<Sample> {
        let (mut server, wire) = setup.spawn(kind, cpus).await?;
        // Valid as an order id and as a Pusher channel name.
        let name = format!("BENCH-{}-{round}-{}", self.run_id, scenario.name());
        let outcome = match scenario {
            Scenario::Flood => self.flood(&server, wire, &name).await,
            Scenario::Moderate => self.moderate(&server, wire, &name).await,
            Scenario::Idle => self.idle(&server, wire, &name).await,
        };
        // Trackwire's warning that it runs with --insecure-dev is expected.
        let log: Vec<String> = server
            .log_lines()
            .into_iter()
            .filter(|line| !line.contains("INSECURE"))
            .collect();
        server.stop().await;
        // Let the kernel let go of the connections before the next server.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let mut sample = match (outcome, log.first()) {
            (Ok(sample), _) => sample,
            (Err(error), Some(line)) => {
                return Err(error.context(format!("the server logged: {line}")))
            }
            (Err(error), None) => return Err(error),
        };
        if !log.is_empty() {
            sample.notes.push(format!(
                "the server logged {} lines; the first: {}",
                log.len(),
                log[0]
            ));
        }
        Ok(sample)
    }

    fn target(&self, server: &Server, wire: &Wire) -> Target {
        Target {
            server: server.addr,
            wire: wire.clone(),
            first_host: 2,
            per_address: self.args.per_address,
            connect_concurrency: self.args.connect_concurrency,
        }
    }

    async fn flood(&mut self, server: &Server, wire: Wire, name: &str) -> Result<Sample> {
        let (n, events) = (self.args.subscribers, self.args.flood_events);
        let publisher = Publisher::with_wire(&server.url, self.clock, wire.clone())?;
        publisher.prepare(name).await?;
        let target = self.target(server, &wire);
        let fleet = Fleet::open(
            &target,
            &mut self.next_slot,
            n,
            &wire.topic(name),
            self.clock,
        )
        .await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let ticks = server::clock_ticks();
        let cpu0 = server.cpu_ticks();
        let own0 = server::own_cpu_ticks();
        let machine0 = server::machine_ticks();
        let flood = {
            let (publisher, name, in_flight) =
                (publisher.clone(), name.to_string(), self.args.publishers);
            tokio::spawn(async move { publisher.flood(&name, events, in_flight).await })
        };
        let (published, complete) =
            crate::wait_for(&fleet.counters.flood, n * events, flood).await?;
        let cpu1 = server.cpu_ticks();
        let own1 = server::own_cpu_ticks();
        let machine1 = server::machine_ticks();
        let seen = fleet.close().await;
        let deliveries = seen.flood_us.len();
        let wall_s = seen.last_flood_ns.saturating_sub(published.first_ns) as f64 / 1e9;
        let cpu_s = cpu_seconds(cpu0, cpu1, ticks);
        let mut sample = Sample::new(seen.frame_bytes);
        if let Some(cpu) = cpu_s.filter(|_| deliveries > 0) {
            sample.put(Figure::FloodCpu, cpu / (deliveries as f64 / 1e6));
            sample.put(Figure::FloodBusy, 100.0 * cpu / wall_s.max(1e-9));
        }
        let own = cpu_seconds(own0, own1, ticks);
        if let Some(own) = own {
            sample.put(Figure::FloodBenchBusy, 100.0 * own / wall_s.max(1e-9));
        }
        if let (Some(a), Some(b), Some(cpu), Some(own)) = (machine0, machine1, cpu_s, own) {
            let all = b.busy.saturating_sub(a.busy) as f64 / ticks;
            let others = (all - cpu - own).max(0.0);
            sample.put(Figure::FloodOthersBusy, 100.0 * others / wall_s.max(1e-9));
        }
        if deliveries > 0 {
            sample.put(Figure::FloodRate, deliveries as f64 / wall_s.max(1e-9));
        }
        if !complete {
            sample.notes.push(format!(
                "flood incomplete: {deliveries} of {} deliveries",
                n * events
            ));
        }
        sample.note_losses(&published, &seen);
        Ok(sample)
    }

    async fn moderate(&mut self, server: &Server, wire: Wire, name: &str) -> Result<Sample> {
        let n = self.args.subscribers;
        let rate = self.args.rate;
        let events = (rate * self.args.seconds).round().max(1.0) as usize;
        let publisher = Publisher::with_wire(&server.url, self.clock, wire.clone())?;
        publisher.prepare(name).await?;
        let target = self.target(server, &wire);
        let fleet = Fleet::open(
            &target,
            &mut self.next_slot,
            n,
            &wire.topic(name),
            self.clock,
        )
        .await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let ticks = server::clock_ticks();
        let cpu0 = server.cpu_ticks();
        let started = self.clock.now_ns();
        let paced = {
            let (publisher, name) = (publisher.clone(), name.to_string());
            tokio::spawn(async move { publisher.paced(&name, events, rate).await })
        };
        let (published, complete) =
            crate::wait_for(&fleet.counters.paced, n * events, paced).await?;
        let cpu1 = server.cpu_ticks();
        let wall_s = self.clock.now_ns().saturating_sub(started) as f64 / 1e9;
        let seen = fleet.close().await;
        let latencies = sorted(&seen.paced_us);
        let deliveries = latencies.len();
        let mut sample = Sample::new(seen.frame_bytes);
        if let Some(p99) = percentile_ms(&latencies, 99.0) {
            sample.put(Figure::ModerateP99, p99);
        }
        if let Some(p50) = percentile_ms(&latencies, 50.0) {
            sample.put(Figure::ModerateP50, p50);
        }
        if let Some(cpu) = cpu_seconds(cpu0, cpu1, ticks).filter(|_| deliveries > 0) {
            sample.put(Figure::ModerateCpu, cpu / (deliveries as f64 / 1e6));
            sample.put(Figure::ModerateBusy, 100.0 * cpu / wall_s.max(1e-9));
        }
        if !complete {
            sample.notes.push(format!(
                "moderate incomplete: {deliveries} of {} deliveries",
                n * events
            ));
        }
        sample.note_losses(&published, &seen);
        Ok(sample)
    }

    async fn idle(&mut self, server: &Server, wire: Wire, name: &str) -> Result<Sample> {
        let count = self.args.idle;
        let publisher = Publisher::with_wire(&server.url, self.clock, wire.clone())?;
        publisher.prepare(name).await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let before = server.rss_kib();
        let target = self.target(server, &wire);
        let fleet = Fleet::open(
            &target,
            &mut self.next_slot,
            count,
            &wire.topic(name),
            self.clock,
        )
        .await?;
        // Let the handshakes' transient buffers go back before reading.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let after = server.rss_kib();
        let seen = fleet.close().await;
        let mut sample = Sample::new(0);
        if let (Some(before), Some(after)) = (before, after) {
            sample.put(
                Figure::IdleKib,
                (after as f64 - before as f64) / count.max(1) as f64,
            );
            sample.put(Figure::IdleRss, after as f64 / 1024.0);
        }
        if seen.lost > 0 {
            sample.notes.push(format!(
                "{} idle connections ended early; first: {}",
                seen.lost,
                seen.first_loss.as_deref().unwrap_or("?")
            ));
        }
        Ok(sample)
    }
}

fn cpu_seconds(a: Option<server::Ticks>, b: Option<server::Ticks>, ticks: f64) -> Option<f64> {
    let (a, b) = (a?, b?);
    Some((b.user + b.system).saturating_sub(a.user + a.system) as f64 / ticks)
}
