//! The Broker conformance suite against Redis (nodes are RedisBrokers on
//! one Redis), and what only a networked broker shows: a Redis that goes
//! away and comes back is reconnected, resubscribed, and said to have
//! lost publications.

#[path = "../../broker/tests/conformance/mod.rs"]
mod conformance;
mod support;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use conformance::{channel, durable, Backplane, Collect};
use trackwire_broker::{Broker, Lost};
use trackwire_redis::RedisBroker;

struct OnRedis {
    client: redis::Client,
    prefix: String,
}

#[async_trait]
impl Backplane for OnRedis {
    async fn node(&self) -> Arc<dyn Broker> {
        Arc::new(
            RedisBroker::connect(self.client.clone(), &self.prefix)
                .await
                .expect("connect"),
        )
    }

    fn networked(&self) -> bool {
        true
    }
}

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let Some(client) = support::shared_redis().await else { return };
            let backplane = OnRedis { client, prefix: support::prefix() };
            conformance::$name(&backplane).await;
        }
    )*};
}

conformance!(
    subscribe_is_a_barrier_and_order_holds,
    channels_stay_apart,
    two_publishers_interleave_but_each_stays_in_order,
);

/// Waits (polling, with a deadline) until `done` holds.
async fn until(what: &str, done: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while !done() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what} did not happen"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_restart_is_reconnected_resubscribed_and_said_to_lose() {
    let mut redis = support::OwnRedis::start().await;
    let prefix = support::prefix();
    let node = RedisBroker::connect(redis.client(), &prefix)
        .await
        .expect("node");
    let sink = Arc::new(Collect::default());
    node.start(sink.clone()).await.expect("start");
    let ch = channel("order:R-1");
    node.subscribe(&ch).await.expect("subscribe");
    assert!(node.is_connected());

    redis.down();
    until("the node to see Redis gone", || !node.is_connected()).await;
    // Publishing while Redis is away fails, and says so.
    assert!(node.publish(durable(&ch, 1, "a")).await.is_err());
    // A subscribe meanwhile is kept for the reconnect.
    let later = channel("order:R-2");
    node.subscribe(&later).await.expect("kept");

    redis.up().await;
    until("the node to reconnect", || node.is_connected()).await;
    assert!(
        sink.losses().contains(&Lost::All),
        "the reconnect says what may be lost"
    );

    // Both channels work again, published from another node.
    let other = RedisBroker::connect(redis.client(), &prefix)
        .await
        .expect("other");
    other
        .start(Arc::new(Collect::default()))
        .await
        .expect("start");
    other.publish(durable(&ch, 2, "b")).await.expect("publish");
    other
        .publish(durable(&later, 1, "b"))
        .await
        .expect("publish");
    let got = sink.until(|got| got.len() >= 2).await;
    let mut channels: Vec<String> = got.iter().map(|p| p.channel.topic.to_string()).collect();
    channels.sort();
    assert_eq!(channels, ["order:R-1", "order:R-2"]);
    node.close().await;
    other.close().await;
}

/// A TCP path to Redis that can go silent, as a partition does: frozen,
/// it forwards nothing either way and keeps both sockets open (no FIN, no
/// RST); thawed, it forwards again what it held.
struct Path {
    port: u16,
    frozen: tokio::sync::watch::Sender<bool>,
}

impl Path {
    async fn to(redis_port: u16) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let (frozen, _) = tokio::sync::watch::channel(false);
        let watch = frozen.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = tokio::net::TcpStream::connect(("127.0.0.1", redis_port)).await
                else {
                    continue;
                };
                let (client_read, client_write) = client.into_split();
                let (server_read, server_write) = server.into_split();
                tokio::spawn(forward(client_read, server_write, watch.subscribe()));
                tokio::spawn(forward(server_read, client_write, watch.subscribe()));
            }
        });
        Self { port, frozen }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn freeze(&self, frozen: bool) {
        self.frozen.send_replace(frozen);
    }
}

async fn forward(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut frozen: tokio::sync::watch::Receiver<bool>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        if frozen.wait_for(|f| !f).await.is_err() {
            return;
        }
        let n = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        // Bytes read as the path froze wait for the thaw.
        if frozen.wait_for(|f| !f).await.is_err() || to.write_all(&buffer[..n]).await.is_err() {
            return;
        }
    }
}

/// A partition between a node and Redis (the socket open and silent, not
/// closed): the node sees within seconds that it cannot vouch for its
/// channels (disconnected, so readiness fails), a subscribe meanwhile
/// does not hang, and once the path is back it reconnects and says what
/// may have been lost, and delivery works again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_partition_is_noticed_and_recovered_with_a_loss_signal() {
    let redis = support::OwnRedis::start().await;
    let path = Path::to(redis.port).await;
    let prefix = support::prefix();
    let node = RedisBroker::connect(redis::Client::open(path.url()).expect("url"), &prefix)
        .await
        .expect("node");
    let sink = Arc::new(Collect::default());
    node.start(sink.clone()).await.expect("start");
    let ch = channel("order:P-1");
    node.subscribe(&ch).await.expect("subscribe");
    assert!(node.is_connected());
    // A healthy link answers its pings: over three of them it is neither
    // taken as broken nor said to lose anything.
    tokio::time::sleep(trackwire_redis::PING_EVERY * 3).await;
    assert!(node.is_connected() && sink.losses().is_empty());

    path.freeze(true);
    let frozen_at = tokio::time::Instant::now();
    until("the node to see the link dead", || !node.is_connected()).await;
    let noticed = frozen_at.elapsed();
    assert!(
        noticed <= trackwire_redis::PING_EVERY + trackwire_redis::COMMAND_TIMEOUT * 2,
        "noticed after {noticed:?}"
    );
    // A subscribe meanwhile answers (it is made on the reconnect).
    let later = channel("order:P-2");
    tokio::time::timeout(Duration::from_secs(5), node.subscribe(&later))
        .await
        .expect("a subscribe does not hang on a silent link")
        .expect("kept");
    assert!(
        sink.losses().is_empty(),
        "no loss said before the reconnect"
    );

    path.freeze(false);
    until("the node to reconnect", || node.is_connected()).await;
    assert!(
        sink.losses().contains(&Lost::All),
        "the reconnect says what may be lost"
    );
    let other = RedisBroker::connect(redis.client(), &prefix)
        .await
        .expect("other");
    other
        .start(Arc::new(Collect::default()))
        .await
        .expect("start");
    other.publish(durable(&ch, 1, "a")).await.expect("publish");
    other
        .publish(durable(&later, 1, "a"))
        .await
        .expect("publish");
    let got = sink.until(|got| got.len() >= 2).await;
    let mut channels: Vec<String> = got.iter().map(|p| p.channel.topic.to_string()).collect();
    channels.sort();
    assert_eq!(channels, ["order:P-1", "order:P-2"]);
    node.close().await;
    other.close().await;
}
