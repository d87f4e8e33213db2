//! The reliability suite's smoke (crates/chaos; `scripts/chaos` runs it
//! at length): each scenario short, against this binary, failing when the
//! checker finds a violation or a promise breaks, and a deliberately
//! broken client to show the checker catching it. Each prints its figures
//! and its seed; `TRACKWIRE_CHAOS_SEED=N` replays one. The cluster's needs
//! PostgreSQL (`scripts/services`) and, for its partition, root: without
//! them it says SKIPPED and why.

use std::path::PathBuf;
use std::time::Duration;

use trackwire_chaos::checker::Violation;
use trackwire_chaos::proxy::FaultMix;
use trackwire_chaos::report::Report;
use trackwire_chaos::scenarios::{cluster, crash, load, network, storage, Env};

fn env() -> Env {
    let seed = std::env::var("TRACKWIRE_CHAOS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    Env {
        bin: PathBuf::from(env!("CARGO_BIN_EXE_trackwire")),
        js_dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../clients/js"),
        seed,
    }
}

fn judged(report: &Report) {
    eprintln!("{report}");
    assert!(report.ok(), "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn network_faults_on_every_transport_lose_nothing() {
    let plan = network::NetworkPlan {
        duration: Duration::from_secs(8),
        ..network::NetworkPlan::default()
    };
    let report = network::run(&env(), &plan)
        .await
        .expect("the scenario runs");
    judged(&report);
    assert!(
        report.lines.iter().any(|l| l.starts_with("proxy:")),
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checker_catches_a_client_that_drops_a_replayed_event() {
    let plan = network::NetworkPlan {
        duration: Duration::from_secs(3),
        orders: 1,
        writers: 1,
        mix: FaultMix::default(),
        node: false,
        buggy_client: true,
    };
    let report = network::run(&env(), &plan)
        .await
        .expect("the scenario runs");
    eprintln!("{report}");
    let verdict = &report.verdict;
    assert!(!verdict.ok(), "the dropped event went unseen: {report}");
    assert_eq!(
        verdict.violations.len(),
        1,
        "only the broken client: {report}"
    );
    match verdict.first() {
        Some(Violation::Skipped { client, topic, .. }) => {
            assert!(client.starts_with("buggy-ws"), "{report}");
            assert_eq!(topic, "chat:C-1");
        }
        other => panic!("expected a skipped event, got {other:?}"),
    }
    assert!(
        verdict.to_string().contains("first: client buggy-ws"),
        "{verdict}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_idempotent_writes_loses_nothing() {
    let plan = crash::CrashPlan {
        kills: 3,
        ..crash::CrashPlan::default()
    };
    judged(&crash::run(&env(), &plan).await.expect("the scenario runs"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storage_faults_are_refused_and_lose_nothing() {
    judged(&storage::run(&env()).await.expect("the scenario runs"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconnect_storm_and_bad_neighbours_lose_nothing() {
    let plan = load::LoadPlan {
        storm_clients: 200,
        good: 10,
        stalled: 5,
        flooding: 3,
        phase: Duration::from_secs(2),
        judge_p99: false,
    };
    judged(&load::run(&env(), &plan).await.expect("the scenario runs"));
}

/// Three nodes on PostgreSQL and Redis, each fault at least once: a node
/// killed and restarted, Redis restarted after seconds down, PostgreSQL
/// cut off, and (as root) one node partitioned from Redis, which must say
/// within seconds that it cannot vouch for its channels.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_under_node_kills_redis_and_postgres_faults_and_a_partition_loses_nothing() {
    if let Some(why) = cluster::unavailable() {
        eprintln!("SKIPPED: the cluster scenario: {why}");
        return;
    }
    if !trackwire_chaos::services::is_root() {
        eprintln!("SKIPPED (in part): not root, so no node-Redis partition (ip netns)");
    }
    let plan = cluster::ClusterPlan {
        duration: Duration::from_secs(25),
        ..cluster::ClusterPlan::default()
    };
    let report = cluster::run(&env(), &plan)
        .await
        .expect("the scenario runs");
    judged(&report);
    let faults = report
        .lines
        .iter()
        .find(|l| l.starts_with("faults:"))
        .expect("the faults line");
    let mut kinds = vec!["node kill -9", "redis restart", "postgres cut"];
    if trackwire_chaos::services::is_root() {
        kinds.push("node-redis partition");
    }
    for kind in kinds {
        assert!(faults.contains(kind), "{kind} injected: {report}");
    }
}
