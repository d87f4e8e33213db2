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
