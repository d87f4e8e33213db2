use bytes::Bytes;
use trackwire_broker::Channel;
use trackwire_domain::Audience;

use super::*;

fn channel() -> Channel {
    Channel::new("t", "order:A", Audience::Staff)
}

fn durable(seq: u64) -> Arc<Publication> {
    durable_on(channel(), seq, false)
}

fn durable_on(channel: Channel, seq: u64, closes_topic: bool) -> Arc<Publication> {
    Arc::new(Publication {
        channel,
        class: Class::Durable {
            seq,
            offset: None,
            closes_topic,
        },
        payload: Bytes::from(format!("e{seq}")),
    })
}

fn signal(key: &str, body: &str) -> Arc<Publication> {
    Arc::new(Publication {
        channel: channel(),
        class: Class::Ephemeral { key: key.into() },
        payload: Bytes::from(body.to_owned()),
    })
}

fn frames(texts: &[&str]) -> Vec<Outgoing> {
    texts
        .iter()
        .map(|t| Outgoing::Frame(Bytes::from(t.to_string())))
        .collect()
}

/// An outbox already live on `order:A` at seq 0.
fn live(capacity: usize) -> (Arc<Outbox>, Asks) {
    let (outbox, control) = Outbox::new(capacity);
    assert!(outbox.begin(&channel(), Position::Seq));
    outbox.resume(&channel(), Vec::new(), 0);
    (outbox, control)
}

async fn drain(outbox: &Outbox) -> Vec<Bytes> {
    let mut batch = Vec::new();
    if !outbox.is_empty() {
        outbox.next_batch(&mut batch).await.expect("open");
    }
    batch.iter().map(|o| o.bytes().clone()).collect()
}

#[tokio::test]
async fn batches_everything_waiting() {
    let (outbox, _control) = live(8);
    for seq in 1..=3 {
        assert_eq!(outbox.push(&durable(seq)), Pushed::Queued);
    }
    assert_eq!(drain(&outbox).await, ["e1", "e2", "e3"]);
    assert!(outbox.is_empty());
}

#[tokio::test]
async fn live_events_wait_for_the_replay_and_are_not_repeated() {
    let (outbox, _control) = Outbox::new(8);
    assert!(outbox.begin(&channel(), Position::Seq));
    assert!(
        !outbox.begin(&channel(), Position::Seq),
        "already subscribed"
    );
    // Published while the replay is read: 3 is also in the replay.
    assert_eq!(outbox.push(&durable(3)), Pushed::Held);
    assert_eq!(outbox.push(&durable(4)), Pushed::Held);
    let replay = frames(&["r2", "r3", "subscribed"]);
    outbox.resume(&channel(), replay, 3);
    assert_eq!(drain(&outbox).await, ["r2", "r3", "subscribed", "e4"]);
    assert_eq!(outbox.push(&durable(4)), Pushed::Dropped, "duplicate");
    assert_eq!(outbox.push(&durable(5)), Pushed::Queued);
    assert_eq!(outbox.cursor(&channel()), Some(5));
}

#[tokio::test]
async fn a_gap_holds_and_asks_for_a_refill() {
    let (outbox, mut control) = live(8);
    outbox.push(&durable(1));
    assert_eq!(outbox.push(&durable(3)), Pushed::Held);
    assert_eq!(control.try_recv(), Some(Control::Refill(channel())));
    assert_eq!(outbox.push(&durable(4)), Pushed::Held);
    // The session reads 2..=3 from the store and resumes.
    outbox.resume(&channel(), frames(&["r2", "r3"]), 3);
    assert_eq!(drain(&outbox).await, ["e1", "r2", "r3", "e4"]);
}

#[tokio::test]
async fn the_last_event_of_a_final_order_ends_the_subscription() {
    let (outbox, mut control) = live(8);
    outbox.push(&durable_on(channel(), 1, true));
    let frames = drain(&outbox).await;
    assert_eq!(frames[0], "e1");
    let unsubscribed: serde_json::Value = serde_json::from_slice(&frames[1]).expect("json");
    assert_eq!(unsubscribed["type"], "unsubscribed");
    assert_eq!(unsubscribed["reason"], "final");
    assert_eq!(control.try_recv(), Some(Control::Ended(channel())));
    assert_eq!(outbox.cursor(&channel()), None);
}

#[tokio::test]
async fn other_channels_are_dropped() {
    let (outbox, _control) = live(8);
    let elsewhere = durable_on(Channel::new("t", "order:B", Audience::Staff), 1, false);
    assert_eq!(outbox.push(&elsewhere), Pushed::Dropped);
    outbox.end(&channel());
    assert_eq!(outbox.push(&durable(1)), Pushed::Dropped);
}

#[tokio::test]
async fn signals_are_latest_wins_per_key_and_keep_their_place() {
    let (outbox, _control) = live(8);
    outbox.push(&signal("location:order:A", "old"));
    outbox.push(&durable(1));
    outbox.push(&signal("typing", "t"));
    assert_eq!(
        outbox.push(&signal("location:order:A", "new")),
        Pushed::Coalesced
    );
    assert_eq!(drain(&outbox).await, ["new", "e1", "t"]);
}

#[tokio::test]
async fn an_overflowing_durable_backlog_closes_as_slow_consumer() {
    let (outbox, _control) = live(2);
    outbox.push(&durable(1));
    outbox.push(&durable(2));
    assert_eq!(
        outbox.push(&durable(3)),
        Pushed::Closed(Closed::SlowConsumer)
    );
    assert!(outbox.is_empty(), "the backlog is freed at once");
    assert_eq!(
        outbox.push(&durable(4)),
        Pushed::Closed(Closed::SlowConsumer)
    );
    let mut batch = Vec::new();
    assert_eq!(
        outbox.next_batch(&mut batch).await,
        Err(Closed::SlowConsumer)
    );
}

#[tokio::test]
async fn a_waiting_writer_wakes_on_push_and_on_close() {
    let (outbox, _control) = live(4);
    let writer = {
        let outbox = outbox.clone();
        tokio::spawn(async move {
            let mut batch = Vec::new();
            outbox.next_batch(&mut batch).await.map(|()| batch.len())
        })
    };
    outbox.push(&durable(1));
    assert_eq!(writer.await.expect("join"), Ok(1));
    let writer = {
        let outbox = outbox.clone();
        tokio::spawn(async move { outbox.next_batch(&mut Vec::new()).await })
    };
    outbox.close(Closed::Gone);
    assert_eq!(writer.await.expect("join"), Err(Closed::Gone));
}
