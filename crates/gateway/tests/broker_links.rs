//! The node's broker subscription follows its local subscribers, even when
//! a last unsubscribe and a first subscribe of a channel race: a broker
//! that answers the unsubscribe only after the new subscribe was asked
//! must not leave the channel unsubscribed while someone here watches it.
//! And a subscribe dropped while it waits for the broker leaves nothing.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use trackwire_broker::{Broker, BrokerError, Channel, Publication, PublicationSink};
use trackwire_domain::Audience;
use trackwire_gateway::{Hub, Subscriber};
use trackwire_store::sqlite::SqliteStore;

/// A broker that keeps which channels this node is subscribed to, and
/// whose subscribe or unsubscribe (as chosen) waits until the test lets it
/// finish.
#[derive(Default)]
struct HeldBroker {
    hold_subscribe: bool,
    hold_unsubscribe: bool,
    subscribed: Mutex<HashSet<Channel>>,
    /// Told when a held call is asked.
    asked: tokio::sync::Notify,
    /// Lets the held call finish.
    may_finish: tokio::sync::Notify,
}

impl HeldBroker {
    async fn hold(&self, held: bool) {
        if held {
            self.asked.notify_one();
            self.may_finish.notified().await;
        }
    }
}

#[async_trait]
impl Broker for HeldBroker {
    async fn start(&self, _sink: Arc<dyn PublicationSink>) -> Result<(), BrokerError> {
        Ok(())
    }

    async fn publish(&self, _publication: Publication) -> Result<(), BrokerError> {
        Ok(())
    }

    async fn subscribe(&self, channel: &Channel) -> Result<(), BrokerError> {
        self.hold(self.hold_subscribe).await;
        self.subscribed
            .lock()
            .expect("lock")
            .insert(channel.clone());
        Ok(())
    }

    async fn unsubscribe(&self, channel: &Channel) -> Result<(), BrokerError> {
        self.hold(self.hold_unsubscribe).await;
        self.subscribed.lock().expect("lock").remove(channel);
        Ok(())
    }
}

struct Nobody;

impl Subscriber for Nobody {
    fn deliver(&self, _publication: &Arc<Publication>) {}
}

#[tokio::test]
async fn a_first_subscribe_racing_the_last_unsubscribe_stays_subscribed() {
    let broker = Arc::new(HeldBroker {
        hold_unsubscribe: true,
        ..HeldBroker::default()
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(SqliteStore::open(dir.path()).await.expect("store"));
    let hub = Hub::start(broker.clone(), store).await.expect("hub");
    let channel = Channel::new("t", "order:R-1", Audience::Staff);
    let is_subscribed = || broker.subscribed.lock().expect("lock").contains(&channel);

    let first = hub
        .subscribe(&channel, Arc::new(Nobody))
        .await
        .expect("subscribe");
    assert!(is_subscribed());

    // The last subscriber leaves; the broker holds the unsubscribe open.
    let leaving = {
        let (hub, channel) = (hub.clone(), channel.clone());
        tokio::spawn(async move { hub.unsubscribe(&channel, first).await })
    };
    broker.asked.notified().await;

    // Meanwhile someone here subscribes again.
    let joining = {
        let (hub, channel) = (hub.clone(), channel.clone());
        tokio::spawn(async move { hub.subscribe(&channel, Arc::new(Nobody)).await })
    };
    // The unsubscribe finishes only after the new subscriber is in the
    // hub (and, without the per-channel order, already at the broker).
    while hub.subscriber_count(&channel) == 0 {
        tokio::task::yield_now().await;
    }
    broker.may_finish.notify_one();
    leaving.await.expect("leave");
    joining.await.expect("join task").expect("subscribe");

    assert_eq!(hub.subscriber_count(&channel), 1);
    assert!(
        is_subscribed(),
        "a channel watched here must stay subscribed at the broker"
    );
}

#[tokio::test]
async fn a_subscribe_dropped_while_the_broker_answers_leaves_no_subscriber() {
    let broker = Arc::new(HeldBroker {
        hold_subscribe: true,
        ..HeldBroker::default()
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(SqliteStore::open(dir.path()).await.expect("store"));
    let hub = Hub::start(broker.clone(), store).await.expect("hub");
    let channel = Channel::new("t", "order:R-2", Audience::Staff);
    let subscribing = {
        let (hub, channel) = (hub.clone(), channel.clone());
        tokio::spawn(async move { hub.subscribe(&channel, Arc::new(Nobody)).await })
    };
    broker.asked.notified().await;
    assert_eq!(
        hub.subscriber_count(&channel),
        1,
        "added before the broker answers"
    );
    // The client goes away: its request, and the subscribe in it, is dropped.
    subscribing.abort();
    assert!(subscribing.await.expect_err("aborted").is_cancelled());
    assert_eq!(hub.subscriber_count(&channel), 0, "nothing left behind");
}
