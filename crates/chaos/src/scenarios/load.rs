//! Load faults: a reconnect storm (every client drops at once when the
//! server is killed, and comes back with jittered backoff), stalled and
//! flooding clients next to well-behaved ones (their publish-to-receive
//! p99 before and beside the bad ones), and a soak with churn printing
//! the server's RSS and open files over time. Figures are printed; the
//! 20% comparison is the long run's verdict, never a timed test's.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use super::{collect, spawn_writers, Env, ScenarioError};
use crate::clients::Transport;
use crate::report::Report;
use crate::rest::{self, Write};
use crate::server::{Server, ServerSpec};
use crate::world::World;
use crate::writers::WriterCounters;

#[derive(Debug, Clone)]
pub struct LoadPlan {
    /// Clients in the reconnect storm.
    pub storm_clients: usize,
    /// Well-behaved, stalled and flooding clients.
    pub good: usize,
    pub stalled: usize,
    pub flooding: usize,
    /// How long each latency phase lasts.
    pub phase: Duration,
    /// Judge the p99 (moved by less than 20%) as a promise: long runs.
    pub judge_p99: bool,
}

impl Default for LoadPlan {
    fn default() -> Self {
        Self {
            storm_clients: 200,
            good: 20,
            stalled: 10,
            flooding: 5,
            phase: Duration::from_secs(3),
            judge_p99: false,
        }
    }
}

pub async fn run(env: &Env, plan: &LoadPlan) -> Result<Report, ScenarioError> {
    let mut report = Report::new("load", env.seed);
    // Each storm client holds one socket here and one in the server.
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    report.verdict = storm(env, plan, &mut report).await?;
    neighbours(env, plan, &mut report).await?;
    Ok(report)
}

async fn storm(
    env: &Env,
    plan: &LoadPlan,
    report: &mut Report,
) -> Result<crate::checker::Verdict, ScenarioError> {
    let data = tempfile::tempdir()?;
    let spec = ServerSpec::new(&env.bin, &data.path().join("data"))?;
    let mut server = Server::start(spec.clone()).await?;
    let base = server.url();
    let mut world = World::create(&base, 1).await?;
    let topic = format!("order:{}", world.orders[0]);
    for _ in 0..plan.storm_clients {
        world.spawn(Transport::WebSocket, &base, vec![topic.clone()]);
    }
    // Wait (bounded) until the server holds them all: its open files.
    let connected = wait_for_files(&server, plan.storm_clients).await;
    report.line(format!(
        "storm: {connected} of {} clients connected",
        plan.storm_clients
    ));
    server.kill_9().await;
    let started = tokio::time::Instant::now();
    server = Server::start(spec).await?;
    let restarted = started.elapsed();
    // Writes and health probes while they all come back.
    let http = rest::http();
    let mut acks = Vec::new();
    let counters = WriterCounters::default();
    let mut probes = Vec::new();
    for n in 0..20 {
        let probe = tokio::time::Instant::now();
        let live = http.get(format!("{base}/v1/health/live")).send().await;
        if live.is_ok_and(|r| r.status().is_success()) {
            probes.push(probe.elapsed());
        }
        let write = Write::Note {
            order: world.orders[0].clone(),
            text: format!("storm {n}"),
        };
        acks.extend(crate::writers::until_answered(&http, &base, &write, &counters).await);
    }
    let back = wait_for_files(&server, plan.storm_clients).await;
    let (verdict, reconnects, failed) = world.finish(&base, &acks).await?;
    probes.sort();
    report.line(format!(
        "storm: server back in {restarted:?}; {back} clients back; {reconnects} reconnects; health probes while they came back: p50 {:?}, max {:?}",
        percentile(&probes, 0.5),
        probes.last().copied().unwrap_or_default()
    ));
    report.expect(
        probes.len() == 20,
        format!(
            "storm: the server answered {} of 20 health probes",
            probes.len()
        ),
    );
    for why in failed {
        report.expect(false, format!("storm: a client ran to its end: {why}"));
    }
    report.line(format!("storm: {verdict}"));
    server.stop().await;
    Ok(verdict)
}

/// Polls the server's open files until they are at least `count` (or 60 s).
async fn wait_for_files(server: &Server, count: usize) -> usize {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let files = server.open_files().unwrap_or(0);
        if files >= count || tokio::time::Instant::now() > deadline {
            return files.min(count);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

async fn connect(
    base: &str,
) -> Option<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
> {
    let mut request = (base.replace("http://", "ws://") + "/v1/ws")
        .into_client_request()
        .ok()?;
    request
        .headers_mut()
        .insert("sec-websocket-protocol", "trackwire.v1.json".parse().ok()?);
    tokio_tungstenite::connect_async(request)
        .await
        .ok()
        .map(|(s, _)| s)
}

async fn neighbours(env: &Env, plan: &LoadPlan, report: &mut Report) -> Result<(), ScenarioError> {
    let data = tempfile::tempdir()?;
    let spec = ServerSpec::new(&env.bin, &data.path().join("data"))?;
    let mut server = Server::start(spec).await?;
    let base = server.url();
    let world = World::create(&base, 1).await?;
    let topic = format!("order:{}", world.orders[0]);
    let samples = Arc::new(std::sync::Mutex::new(Vec::<u64>::new()));
    let done = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for _ in 0..plan.good {
        tasks.push(tokio::spawn(good_client(
            base.clone(),
            topic.clone(),
            samples.clone(),
            done.clone(),
        )));
    }
    let order = world.orders[0].clone();
    let p99_alone = measure(&base, &order, plan.phase, &samples).await;
    // The bad neighbours arrive.
    let flooded = Arc::new(AtomicU64::new(0));
    for _ in 0..plan.stalled {
        tasks.push(tokio::spawn(stalled_client(
            base.clone(),
            topic.clone(),
            done.clone(),
        )));
    }
    for _ in 0..plan.flooding {
        tasks.push(tokio::spawn(flooding_client(
            base.clone(),
            flooded.clone(),
            done.clone(),
        )));
    }
    let p99_beside = measure(&base, &order, plan.phase, &samples).await;
    done.store(true, Ordering::SeqCst);
    for task in tasks {
        task.abort();
    }
    let moved = if p99_alone.is_zero() {
        0.0
    } else {
        (p99_beside.as_secs_f64() / p99_alone.as_secs_f64() - 1.0) * 100.0
    };
    report.line(format!(
        "neighbours: {} well-behaved clients' p99 publish-to-receive {p99_alone:?} alone, {p99_beside:?} beside {} stalled and {} flooding clients ({} flood frames sent): {moved:+.0}%",
        plan.good, plan.stalled, plan.flooding, flooded.load(Ordering::Relaxed)
    ));
    if plan.judge_p99 {
        report.expect(
            moved < 20.0,
            format!("neighbours: the well-behaved p99 moved by less than 20% ({moved:+.0}%)"),
        );
    }
    server.stop().await;
    Ok(())
}

/// Writes a timed note every 20 ms for `phase`; the good clients' p99 of
/// the notes of this phase.
async fn measure(
    base: &str,
    order: &str,
    phase: Duration,
    samples: &std::sync::Mutex<Vec<u64>>,
) -> Duration {
    if let Ok(mut s) = samples.lock() {
        s.clear();
    }
    let http = rest::http();
    let end = tokio::time::Instant::now() + phase;
    let counters = WriterCounters::default();
    let mut n = 0;
    while tokio::time::Instant::now() < end {
        n += 1;
        let write = Write::Note {
            order: order.to_owned(),
            text: format!("t{} {n}", now_us()),
        };
        crate::writers::until_answered(&http, base, &write, &counters).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The last deliveries land.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut taken: Vec<Duration> = samples
        .lock()
        .map(|s| s.iter().map(|us| Duration::from_micros(*us)).collect())
        .unwrap_or_default();
    taken.sort();
    percentile(&taken, 0.99)
}

/// The soak's promises, judged when it ran long enough to have a first
/// and a last third (six samples or more): RSS grew by less than 20% from
/// the second sample (the first still warms up), open files by at most
/// 20, and the last third's median window p99 is within 1.5× (+5 ms) of
/// the first third's.
fn judge_flat(report: &mut Report, rss: &[u64], files: &[usize], p99s: &[Duration]) {
    let (Some(first), Some(last)) = (rss.get(rss.len().min(1)), rss.last()) else {
        return;
    };
    report.line(format!(
        "soak: RSS from {first} KiB (second sample) to {last} KiB"
    ));
    let (Some(files_first), Some(files_last)) = (files.get(files.len().min(1)), files.last())
    else {
        return;
    };
    report.line(format!("soak: open files {files_first} to {files_last}"));
    if p99s.len() < 6 {
        return;
    }
    let third = p99s.len() / 3;
    let median = |window: &[Duration]| {
        let mut sorted = window.to_vec();
        sorted.sort();
        sorted.get(sorted.len() / 2).copied().unwrap_or_default()
    };
    let (early, late) = (median(&p99s[..third]), median(&p99s[p99s.len() - third..]));
    report.line(format!(
        "soak: window p99 median {:.1} ms in the first third, {:.1} ms in the last",
        early.as_secs_f64() * 1e3,
        late.as_secs_f64() * 1e3
    ));
    report.expect(
        (*last as f64) < (*first as f64) * 1.2,
        format!("soak: RSS flat (from {first} KiB to {last} KiB, under +20%)"),
    );
    report.expect(
        *files_last <= files_first + 20,
        format!("soak: open files flat ({files_first} to {files_last})"),
    );
    report.expect(
        late <= early.mul_f64(1.5) + Duration::from_millis(5),
        format!("soak: p99 stable ({early:?} in the first third, {late:?} in the last)"),
    );
}

async fn good_client(
    base: String,
    topic: String,
    samples: Arc<std::sync::Mutex<Vec<u64>>>,
    done: Arc<AtomicBool>,
) {
    let Some(mut socket) = connect(&base).await else {
        return;
    };
    let subscribe = json!({"type": "subscribe", "topic": topic}).to_string();
    if socket.send(Message::text(subscribe)).await.is_err() {
        return;
    }
    while let Some(Ok(message)) = socket.next().await {
        if done.load(Ordering::SeqCst) {
            return;
        }
        let Message::Text(text) = message else {
            continue;
        };
        let Ok(frame) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        let sent = frame["event"]["payload"]["text"]
            .as_str()
            .and_then(|t| t.strip_prefix('t'))
            .and_then(|t| t.split(' ').next())
            .and_then(|t| t.parse::<u64>().ok());
        if let (Some(sent), Ok(mut s)) = (sent, samples.lock()) {
            s.push(now_us().saturating_sub(sent));
        }
    }
}

/// Subscribes and never reads again: its queue fills, the server cuts it.
async fn stalled_client(base: String, topic: String, done: Arc<AtomicBool>) {
    while !done.load(Ordering::SeqCst) {
        let Some(mut socket) = connect(&base).await else {
            return;
        };
        let subscribe = json!({"type": "subscribe", "topic": topic}).to_string();
        let _ = socket.send(Message::text(subscribe)).await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    }
}

/// Sends pings at 1,000 a second, twenty times the per-connection limit,
/// reading what comes back only to keep its socket moving; when the rate
/// limit closes it, it comes back. (Paced rather than flat out: flat out,
/// the flooders in this process starve the measuring clients of CPU on a
/// small machine, and the p99 would measure the harness.)
async fn flooding_client(base: String, sent: Arc<AtomicU64>, done: Arc<AtomicBool>) {
    while !done.load(Ordering::SeqCst) {
        let Some(socket) = connect(&base).await else {
            return;
        };
        let (mut sink, mut stream) = socket.split();
        let reader = tokio::spawn(async move { while let Some(Ok(_)) = stream.next().await {} });
        let mut n: u64 = 0;
        while !reader.is_finished() && !done.load(Ordering::SeqCst) {
            n += 1;
            let ping = json!({"type": "ping", "id": n}).to_string();
            if sink.send(Message::text(ping)).await.is_err() {
                break;
            }
            sent.fetch_add(1, Ordering::Relaxed);
            if n.is_multiple_of(10) {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        reader.abort();
    }
}

/// A soak: steady clients of every transport watch while writers write at
/// a pace and churn clients come and go; every `sample` the server's RSS
/// and open files are printed; at the end the checker judges the steady
/// clients.
pub async fn soak(env: &Env, minutes: f64, sample: Duration) -> Result<Report, ScenarioError> {
    let mut report = Report::new("soak", env.seed);
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let data = tempfile::tempdir()?;
    let spec = ServerSpec::new(&env.bin, &data.path().join("data"))?;
    let mut server = Server::start(spec).await?;
    let base = server.url();
    let mut world = World::create(&base, 4).await?;
    world.spawn_every_transport(
        &base,
        &[Transport::WebSocket, Transport::Sse, Transport::LongPoll],
    );
    let stop = Arc::new(AtomicBool::new(false));
    let counters = Arc::new(WriterCounters::default());
    let writers = spawn_writers(
        env,
        4,
        &base,
        &world.orders,
        Duration::from_millis(10),
        &stop,
        &counters,
    );
    let churned = Arc::new(AtomicU64::new(0));
    let churn: Vec<_> = (0..200)
        .map(|n| {
            let (base, stop, churned) = (base.clone(), stop.clone(), churned.clone());
            let topic = format!("order:{}", world.orders[n % world.orders.len()]);
            tokio::spawn(async move {
                while !stop.load(Ordering::SeqCst) {
                    if let Some(mut socket) = connect(&base).await {
                        let _ = socket
                            .send(Message::text(
                                json!({"type": "subscribe", "topic": topic}).to_string(),
                            ))
                            .await;
                        let stay = Duration::from_millis(rand::random_range(200..3000));
                        let _ = tokio::time::timeout(stay, async {
                            while let Some(Ok(_)) = socket.next().await {}
                        })
                        .await;
                        churned.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    // The latency probe: a few WebSocket clients on an order of its own
    // (out of the checker's world), timed notes written every 20 ms; one
    // p99 per sample window.
    let probe = format!("{}-PROBE", world.orders[0]);
    rest::create_order(&rest::http(), &base, &probe).await?;
    let samples = Arc::new(std::sync::Mutex::new(Vec::<u64>::new()));
    let probing = Arc::new(AtomicBool::new(false));
    let probes: Vec<_> = (0..5)
        .map(|_| {
            tokio::spawn(good_client(
                base.clone(),
                format!("order:{probe}"),
                samples.clone(),
                probing.clone(),
            ))
        })
        .collect();
    let end = tokio::time::Instant::now() + Duration::from_secs_f64(minutes * 60.0);
    let started = tokio::time::Instant::now();
    let mut rss = Vec::new();
    let mut files_seen = Vec::new();
    let mut p99s = Vec::new();
    while tokio::time::Instant::now() < end {
        let window = sample.min(end - tokio::time::Instant::now());
        let p99 = measure(&base, &probe, window, &samples).await;
        let (kib, files) = (
            server.rss_kib().unwrap_or(0),
            server.open_files().unwrap_or(0),
        );
        rss.push(kib);
        files_seen.push(files);
        p99s.push(p99);
        report.line(format!(
            "soak t={:>5.0}s rss {kib} KiB, open files {files}, p99 {:.1} ms, writes {}, churned connections {}",
            started.elapsed().as_secs_f64(),
            p99.as_secs_f64() * 1e3,
            counters.writes.load(Ordering::Relaxed),
            churned.load(Ordering::Relaxed)
        ));
    }
    stop.store(true, Ordering::SeqCst);
    probing.store(true, Ordering::SeqCst);
    for task in probes {
        task.abort();
    }
    for task in churn {
        let _ = task.await;
    }
    let acks = collect(writers).await;
    let (verdict, reconnects, failed) = world.finish(&base, &acks).await?;
    judge_flat(&mut report, &rss, &files_seen, &p99s);
    report.line(counters.summary());
    report.line(format!(
        "soak: {reconnects} reconnects of the steady clients"
    ));
    for why in failed {
        report.expect(false, format!("soak: a client ran to its end: {why}"));
    }
    report.verdict = verdict;
    server.stop().await;
    Ok(report)
}
