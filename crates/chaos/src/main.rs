//! `trackwire-chaos`: the long runs of the reliability suite (scripts/chaos).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Result};
use clap::{Parser, ValueEnum};
use trackwire_chaos::proxy::FaultMix;
use trackwire_chaos::report::Report;
use trackwire_chaos::scenarios::{cluster, crash, load, network, storage, Env};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Scenario {
    Network,
    Crash,
    Storage,
    Load,
    Soak,
    /// Three nodes on PostgreSQL and Redis: node kills, Redis restarts,
    /// PostgreSQL cuts, a node-Redis partition (needs scripts/services).
    Cluster,
    /// Every scenario but the soak (the cluster's only when PostgreSQL
    /// answers).
    All,
}

/// Breaks a real trackwire server on purpose and checks its promises.
#[derive(Debug, Parser)]
struct Args {
    #[arg(long, value_enum, default_value = "all")]
    scenario: Scenario,
    /// Minutes for the network scenario, the cluster's faults and the soak.
    #[arg(long, default_value_t = 2.0)]
    minutes: f64,
    /// The seed of every random choice (printed; pass it to replay a run).
    #[arg(long)]
    seed: Option<u64>,
    /// SIGKILLs in the crash scenario.
    #[arg(long, default_value_t = 30)]
    kills: usize,
    /// Clients in the reconnect storm.
    #[arg(long, default_value_t = 15_000)]
    storm_clients: usize,
    /// The server binary.
    #[arg(long, default_value = "target/release/trackwire")]
    bin: PathBuf,
    /// The JS SDK (for the Node clients).
    #[arg(long, default_value = "clients/js")]
    js_dir: PathBuf,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let seed = args.seed.unwrap_or_else(rand::random);
    println!("trackwire-chaos: seed {seed} (replay with --seed {seed})");
    let env = Env {
        bin: std::fs::canonicalize(&args.bin)?,
        js_dir: std::fs::canonicalize(&args.js_dir)?,
        seed,
    };
    let minutes = Duration::from_secs_f64(args.minutes * 60.0);
    let all = args.scenario == Scenario::All;
    let mut reports: Vec<Report> = Vec::new();
    if all || args.scenario == Scenario::Network {
        let plan = network::NetworkPlan {
            duration: minutes,
            orders: 4,
            writers: 4,
            mix: FaultMix::default(),
            ..network::NetworkPlan::default()
        };
        reports.push(network::run(&env, &plan).await?);
    }
    if all || args.scenario == Scenario::Crash {
        let plan = crash::CrashPlan {
            kills: args.kills,
            orders: 4,
            writers: 6,
            ..crash::CrashPlan::default()
        };
        reports.push(crash::run(&env, &plan).await?);
    }
    if all || args.scenario == Scenario::Storage {
        reports.push(storage::run(&env).await?);
    }
    if all || args.scenario == Scenario::Load {
        let plan = load::LoadPlan {
            storm_clients: args.storm_clients,
            good: 100,
            stalled: 50,
            flooding: 20,
            phase: Duration::from_secs(20),
            judge_p99: true,
        };
        reports.push(load::run(&env, &plan).await?);
    }
    if args.scenario == Scenario::Cluster || all {
        match cluster::unavailable() {
            Some(why) if all => println!("trackwire-chaos: cluster SKIPPED: {why}"),
            Some(why) => bail!("the cluster scenario cannot run: {why}"),
            None => {
                let plan = cluster::ClusterPlan {
                    duration: minutes,
                    orders: 4,
                    writers: 6,
                    ..cluster::ClusterPlan::default()
                };
                reports.push(cluster::run(&env, &plan).await?);
            }
        }
    }
    if args.scenario == Scenario::Soak {
        reports.push(load::soak(&env, args.minutes, Duration::from_secs(30)).await?);
    }
    println!();
    for report in &reports {
        println!("{report}");
    }
    let failed = reports.iter().filter(|r| !r.ok()).count();
    println!(
        "trackwire-chaos: {} scenarios, {failed} failed (seed {seed})",
        reports.len()
    );
    if failed > 0 {
        bail!("{failed} scenarios failed");
    }
    Ok(())
}
