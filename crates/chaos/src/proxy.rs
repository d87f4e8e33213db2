//! A fault-injecting TCP proxy in front of the server. Each connection it
//! accepts gets a fate drawn from a seeded RNG (the run's seed and the
//! connection's number, so a run replays with the same seed): clean, cut
//! after a while, stalled for a while, half-open (the proxy stops reading
//! the server's side and forwards nothing more, both sockets left open),
//! or slow (the server's bytes dribble out a few at a time). While faults
//! rage, every connection, whatever its fate, is cut at the end of a
//! random lifetime (`within` to three times it), so long streams keep
//! reconnecting and replaying.
//!
//! [`FaultProxy::calm`] stops drawing faults and cuts what is still
//! faulty, so clients can converge before the checker runs;
//! [`FaultProxy::cut_all`] drops every connection at once (a storm).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// How often each fault is drawn, per connection (the rest are clean).
#[derive(Debug, Clone, Copy)]
pub struct FaultMix {
    pub cut: f64,
    pub stall: f64,
    pub half_open: f64,
    pub slow: f64,
    /// Faults strike within this long after the connection opens.
    pub within: Duration,
}

impl Default for FaultMix {
    fn default() -> Self {
        Self {
            cut: 0.25,
            stall: 0.1,
            half_open: 0.1,
            slow: 0.1,
            within: Duration::from_millis(4000),
        }
    }
}

/// What happens to one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Clean,
    Cut { after: Duration },
    Stall { after: Duration, stall: Duration },
    HalfOpen { after: Duration },
    Slow { chunk: usize, pause: Duration },
}

/// Faults injected so far.
#[derive(Debug, Default)]
pub struct ProxyCounters {
    pub connections: AtomicU64,
    pub cuts: AtomicU64,
    pub stalls: AtomicU64,
    pub half_opens: AtomicU64,
    pub slow: AtomicU64,
    pub storm_cuts: AtomicU64,
    /// Connections cut at the end of their lifetime (on top of their fate).
    pub lifetime_cuts: AtomicU64,
    pub refused_upstream: AtomicU64,
}

impl ProxyCounters {
    /// Every fault of every kind.
    pub fn faults(&self) -> u64 {
        [
            &self.cuts,
            &self.stalls,
            &self.half_opens,
            &self.slow,
            &self.storm_cuts,
            &self.lifetime_cuts,
        ]
        .iter()
        .map(|c| c.load(Ordering::Relaxed))
        .sum()
    }

    pub fn summary(&self) -> String {
        let n = |c: &AtomicU64| c.load(Ordering::Relaxed);
        format!(
            "proxy: {} connections, {} faults ({} cuts, {} stalls, {} half-open, {} slow, {} storm cuts, {} cut at the end of their lifetime), {} upstream refusals",
            n(&self.connections),
            self.faults(),
            n(&self.cuts),
            n(&self.stalls),
            n(&self.half_opens),
            n(&self.slow),
            n(&self.storm_cuts),
            n(&self.lifetime_cuts),
            n(&self.refused_upstream),
        )
    }
}

pub struct FaultProxy {
    pub addr: SocketAddr,
    pub counters: Arc<ProxyCounters>,
    calm: Arc<AtomicBool>,
    /// Bumped to cut every connection: each one watches it.
    generation: watch::Sender<u64>,
    accept: tokio::task::JoinHandle<()>,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.generation.send_modify(|g| *g += 1);
    }
}

impl FaultProxy {
    /// Listens on a free loopback port and forwards to `upstream`.
    pub async fn start(upstream: SocketAddr, seed: u64, mix: FaultMix) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let counters = Arc::new(ProxyCounters::default());
        let calm = Arc::new(AtomicBool::new(false));
        let (generation, _) = watch::channel(0u64);
        let accept = tokio::spawn(accept_loop(
            listener,
            upstream,
            seed,
            mix,
            counters.clone(),
            calm.clone(),
            generation.clone(),
        ));
        Ok(Self {
            addr,
            counters,
            calm,
            generation,
            accept,
        })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// No more faults; the connections open now are cut so that clients
    /// reconnect on clean ones.
    pub fn calm(&self) {
        self.calm.store(true, Ordering::SeqCst);
        self.generation.send_modify(|g| *g += 1);
    }

    /// Faults again, after [`FaultProxy::calm`].
    pub fn rage(&self) {
        self.calm.store(false, Ordering::SeqCst);
    }

    /// Cuts every connection at once.
    pub fn cut_all(&self) {
        self.generation.send_modify(|g| *g += 1);
        self.counters.storm_cuts.fetch_add(1, Ordering::Relaxed);
    }
}

async fn accept_loop(
    listener: TcpListener,
    upstream: SocketAddr,
    seed: u64,
    mix: FaultMix,
    counters: Arc<ProxyCounters>,
    calm: Arc<AtomicBool>,
    generation: watch::Sender<u64>,
) {
    let mut number: u64 = 0;
    loop {
        let Ok((client, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        number += 1;
        counters.connections.fetch_add(1, Ordering::Relaxed);
        // One RNG per connection: its fate depends on the seed and its
        // number only, not on how the tasks interleave.
        let mut rng = StdRng::seed_from_u64(seed ^ number.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let (fate, lifetime) = if calm.load(Ordering::SeqCst) {
            (Fate::Clean, None)
        } else {
            // Whatever its fate, no connection outlives 4–12 s (by default)
            // while faults rage: long streams reconnect and replay again.
            let within = mix.within.as_millis().max(2) as u64;
            let lifetime = mix.within + Duration::from_millis(rng.random_range(0..2 * within));
            (draw(&mut rng, &mix), Some(lifetime))
        };
        count(&counters, fate);
        let cut = generation.subscribe();
        let counters = counters.clone();
        tokio::spawn(async move {
            let Ok(server) = TcpStream::connect(upstream).await else {
                counters.refused_upstream.fetch_add(1, Ordering::Relaxed);
                return;
            };
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            if relay(client, server, fate, lifetime, cut).await {
                counters.lifetime_cuts.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
}

fn draw(rng: &mut StdRng, mix: &FaultMix) -> Fate {
    let within = mix.within.as_millis().max(2) as u64;
    // Half the faults strike in the first 100 ms (mid-request, mid-replay:
    // where answers get lost), the rest any time within `within`.
    let early = rng.random_bool(0.5);
    let after =
        Duration::from_millis(rng.random_range(0..if early { within.min(100) } else { within }));
    let roll: f64 = rng.random();
    let mut edge = mix.cut;
    if roll < edge {
        return Fate::Cut { after };
    }
    edge += mix.stall;
    if roll < edge {
        let stall = Duration::from_millis(rng.random_range(200..3000));
        return Fate::Stall { after, stall };
    }
    edge += mix.half_open;
    if roll < edge {
        return Fate::HalfOpen { after };
    }
    edge += mix.slow;
    if roll < edge {
        return Fate::Slow {
            chunk: rng.random_range(64..1024),
            pause: Duration::from_millis(rng.random_range(1..10)),
        };
    }
    Fate::Clean
}

fn count(counters: &ProxyCounters, fate: Fate) {
    let counter = match fate {
        Fate::Clean => return,
        Fate::Cut { .. } => &counters.cuts,
        Fate::Stall { .. } => &counters.stalls,
        Fate::HalfOpen { .. } => &counters.half_opens,
        Fate::Slow { .. } => &counters.slow,
    };
    counter.fetch_add(1, Ordering::Relaxed);
}

/// Forwards both ways under `fate` until either side ends, the fate cuts
/// it, or the generation moves.
async fn relay(
    client: TcpStream,
    server: TcpStream,
    fate: Fate,
    lifetime: Option<Duration>,
    mut cut: watch::Receiver<u64>,
) -> bool {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let up = async {
        let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
        let _ = server_write.shutdown().await;
    };
    let down = downstream(&mut server_read, &mut client_write, fate);
    // Whether the relay ended at the end of its lifetime.
    let cut_timer = async {
        match (fate, lifetime) {
            (Fate::Cut { after }, _) => {
                tokio::time::sleep(after).await;
                false
            }
            (_, Some(lifetime)) => {
                tokio::time::sleep(lifetime).await;
                true
            }
            _ => std::future::pending().await,
        }
    };
    // Each side ending on its own closes that direction; the relay ends
    // when the server's side is done, or at a cut.
    // Dropping the halves closes both sockets (a RST when data is unread).
    tokio::select! {
        _ = async { tokio::join!(up, down) } => false,
        lifetime_over = cut_timer => lifetime_over,
        _ = cut.changed() => false,
    }
}

async fn downstream(
    from: &mut tokio::net::tcp::OwnedReadHalf,
    to: &mut tokio::net::tcp::OwnedWriteHalf,
    fate: Fate,
) {
    let opened = tokio::time::Instant::now();
    let mut stalled = false;
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        match fate {
            Fate::HalfOpen { after } if opened.elapsed() >= after => {
                // Stop reading the server; forward nothing; hold on.
                std::future::pending::<()>().await;
            }
            Fate::Stall { after, stall } if !stalled && opened.elapsed() >= after => {
                stalled = true;
                tokio::time::sleep(stall).await;
            }
            _ => {}
        }
        let n = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let written = match fate {
            Fate::Slow { chunk, pause } => dribble(to, &buffer[..n], chunk, pause).await,
            _ => to.write_all(&buffer[..n]).await,
        };
        if written.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}

async fn dribble(
    to: &mut tokio::net::tcp::OwnedWriteHalf,
    bytes: &[u8],
    chunk: usize,
    pause: Duration,
) -> std::io::Result<()> {
    for piece in bytes.chunks(chunk) {
        to.write_all(piece).await?;
        tokio::time::sleep(pause).await;
    }
    Ok(())
}
