//! The Broker conformance suite: every backend must pass every check here
//! (the guarantees are in the `Broker` trait's doc comment). A backend's
//! test file gives a [`Backplane`] that makes nodes on one backplane.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use tokio::sync::Notify;
use trackwire_broker::{Broker, Channel, Class, Lost, Publication, PublicationSink};
use trackwire_domain::Audience;

/// Makes broker nodes that share one backplane.
#[async_trait]
pub(crate) trait Backplane: Send + Sync {
    /// A new node, not started yet.
    async fn node(&self) -> Arc<dyn Broker>;
    /// True when one node's publications reach the others (a networked
    /// broker); an in-process one serves a single node, so the suite
    /// publishes from the subscribing node itself.
    fn networked(&self) -> bool;
}

/// Longest a check waits for deliveries before it fails.
const PATIENCE: Duration = Duration::from_secs(10);

/// A sink that keeps what it is given.
#[derive(Default)]
pub(crate) struct Collect {
    got: Mutex<Vec<Arc<Publication>>>,
    losses: Mutex<Vec<Lost>>,
    changed: Notify,
}

impl PublicationSink for Collect {
    fn deliver(&self, publication: Arc<Publication>) {
        self.got.lock().expect("lock").push(publication);
        self.changed.notify_waiters();
    }

    fn lost(&self, scope: Lost) {
        self.losses.lock().expect("lock").push(scope);
        self.changed.notify_waiters();
    }
}

impl Collect {
    /// Waits until `done` holds for what arrived, and returns it.
    pub(crate) async fn until(
        &self,
        done: impl Fn(&[Arc<Publication>]) -> bool,
    ) -> Vec<Arc<Publication>> {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            {
                let got = self.got.lock().expect("lock");
                if done(&got) {
                    return got.clone();
                }
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                let got = self.got.lock().expect("lock");
                panic!("not delivered in time; got {} publications", got.len());
            }
        }
    }

    pub(crate) fn losses(&self) -> Vec<Lost> {
        self.losses.lock().expect("lock").clone()
    }
}

pub(crate) fn channel(topic: &str) -> Channel {
    Channel::new("t1", topic, Audience::Staff)
}

pub(crate) fn durable(channel: &Channel, seq: u64, from: &str) -> Publication {
    Publication {
        channel: channel.clone(),
        class: Class::Durable {
            seq,
            offset: None,
            closes_topic: false,
        },
        payload: Bytes::from(format!(r#"{{"type":"event","from":"{from}","seq":{seq}}}"#)),
    }
}

/// A started subscriber node with its sink, and a publisher: another node
/// of the backplane when it is networked, else the same one.
async fn pair(backplane: &dyn Backplane) -> (Arc<dyn Broker>, Arc<Collect>, Arc<dyn Broker>) {
    let subscriber = backplane.node().await;
    let sink = Arc::new(Collect::default());
    subscriber.start(sink.clone()).await.expect("start");
    let publisher = if backplane.networked() {
        let publisher = backplane.node().await;
        publisher
            .start(Arc::new(Collect::default()))
            .await
            .expect("start");
        publisher
    } else {
        subscriber.clone()
    };
    (subscriber, sink, publisher)
}

/// Once `subscribe` returned, the very next publication is delivered, and
/// one publisher's publications arrive in order with their bytes intact.
pub(crate) async fn subscribe_is_a_barrier_and_order_holds(backplane: &dyn Backplane) {
    let (subscriber, sink, publisher) = pair(backplane).await;
    let ch = channel("order:B-1");
    subscriber.subscribe(&ch).await.expect("subscribe");
    let sent: Vec<Publication> = (1..=200).map(|seq| durable(&ch, seq, "a")).collect();
    for publication in &sent {
        publisher
            .publish(publication.clone())
            .await
            .expect("publish");
    }
    let got = sink.until(|got| got.len() >= sent.len()).await;
    assert_eq!(got.len(), sent.len(), "each once");
    for (got, sent) in got.iter().zip(&sent) {
        assert_eq!(got.channel, sent.channel);
        assert_eq!(got.class, sent.class);
        assert_eq!(got.payload, sent.payload, "bytes unchanged");
    }
    subscriber.close().await;
    publisher.close().await;
}

/// Publications carry their own channel; a subscribed channel's arrive
/// whatever else is published beside them.
pub(crate) async fn channels_stay_apart(backplane: &dyn Backplane) {
    let (subscriber, sink, publisher) = pair(backplane).await;
    let (watched, other) = (channel("order:C-1"), channel("order:C-2"));
    subscriber.subscribe(&watched).await.expect("subscribe");
    for seq in 1..=50 {
        publisher
            .publish(durable(&other, seq, "a"))
            .await
            .expect("publish");
        publisher
            .publish(durable(&watched, seq, "a"))
            .await
            .expect("publish");
    }
    let got = sink
        .until(|got| got.iter().filter(|p| p.channel == watched).count() >= 50)
        .await;
    let seqs: Vec<u64> = got
        .iter()
        .filter(|p| p.channel == watched)
        .filter_map(|p| p.seq())
        .collect();
    assert_eq!(seqs, (1..=50).collect::<Vec<_>>());
    for publication in &got {
        let from_channel = publication.channel == watched || publication.channel == other;
        assert!(from_channel, "a publication on a channel nobody used");
    }
    subscriber.close().await;
    publisher.close().await;
}

/// Two publishers on one channel: everything arrives, each publisher's
/// own in its order (they may interleave).
pub(crate) async fn two_publishers_interleave_but_each_stays_in_order(backplane: &dyn Backplane) {
    let (subscriber, sink, first) = pair(backplane).await;
    let second = if backplane.networked() {
        let node = backplane.node().await;
        node.start(Arc::new(Collect::default()))
            .await
            .expect("start");
        node
    } else {
        first.clone()
    };
    let ch = channel("order:D-1");
    subscriber.subscribe(&ch).await.expect("subscribe");
    let publish = |broker: Arc<dyn Broker>, from: &'static str| {
        let ch = ch.clone();
        tokio::spawn(async move {
            for seq in 1..=100 {
                broker
                    .publish(durable(&ch, seq, from))
                    .await
                    .expect("publish");
            }
        })
    };
    let (a, b) = (publish(first.clone(), "a"), publish(second.clone(), "b"));
    a.await.expect("a");
    b.await.expect("b");
    let got = sink.until(|got| got.len() >= 200).await;
    for from in ["a", "b"] {
        let tag = format!(r#""from":"{from}""#);
        let seqs: Vec<u64> = got
            .iter()
            .filter(|p| String::from_utf8_lossy(&p.payload).contains(&tag))
            .filter_map(|p| p.seq())
            .collect();
        assert_eq!(seqs, (1..=100).collect::<Vec<_>>(), "publisher {from}");
    }
    assert!(sink.losses().is_empty(), "no loss without a fault");
    for node in [subscriber, first, second] {
        node.close().await;
    }
}
