//! The one recovery rule, for every transport and every kind of break.
//!
//! A client subscribes with the last `seq` and `epoch` it applied (or the
//! feed's `offset`). If the store still has every event after it, in the
//! same epoch, and not more than `max_replay` of them, the missed events
//! are replayed in order and the subscription says `recovered: true`.
//! Otherwise (no cursor, another epoch, a cursor ahead of the topic, too
//! far behind) the client gets a snapshot that carries the position it
//! reflects, and `recovered: false`.

use std::sync::Arc;

use bytes::Bytes;
use trackwire_auth::Identity;
use trackwire_domain::Topic;
use trackwire_store::{OrderFilter, PageRequest, StoredEvent};

use crate::orders::OrderService;
use crate::outbox::{Mark, Outgoing, Position};
use crate::protocol::ServerFrame;
use crate::publish::{frame, FEED_TOPIC};
use crate::GatewayError;

/// Where the client says it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resume {
    pub since: Option<u64>,
    pub epoch: Option<String>,
    /// The feed's cursor (the `orders` topic).
    pub offset: Option<u64>,
}

/// What to send to bring the client up to date, in order: replayed events
/// or a snapshot, then `subscribed` (and `unsubscribed` if the order is
/// already final).
#[derive(Debug, Clone)]
pub struct Recovery {
    pub frames: Vec<Outgoing>,
    /// The position the client is at after these frames.
    pub last: u64,
    pub by: Position,
    pub recovered: bool,
    /// The topic is closed (its order is final): no subscription stays.
    pub ended: bool,
}

/// How many newest orders an `orders` snapshot carries.
const FEED_SNAPSHOT_ORDERS: u32 = 100;

/// Applies the recovery rule to `topic` for `who` (authorizing the read).
pub async fn recover(
    orders: &OrderService,
    who: &Identity,
    topic: &Topic,
    resume: &Resume,
    max_replay: u32,
) -> Result<Recovery, GatewayError> {
    match topic {
        Topic::Orders => recover_feed(orders, who, resume, max_replay).await,
        Topic::Order(_) | Topic::Chat(_) => {
            recover_topic(orders, who, topic, resume, max_replay).await
        }
    }
}

async fn recover_topic(
    orders: &OrderService,
    who: &Identity,
    topic: &Topic,
    resume: &Resume,
    max_replay: u32,
) -> Result<Recovery, GatewayError> {
    let name = topic.to_string();
    let is_chat = matches!(topic, Topic::Chat(_));
    // A new chat watcher gets the conversation from its start.
    let since = resume.since.or(is_chat.then_some(0));
    let mut frames = Vec::new();
    let mut replayed = None;
    if let Some(since) = since {
        let history = orders.history(who, topic, since, max_replay + 1).await?;
        // A cursor is only meaningful in its epoch. A fresh chat watcher (no
        // cursor) and `since: 0` (the whole history, whatever the epoch)
        // need none.
        let same_epoch = match &resume.epoch {
            Some(epoch) => *epoch == history.epoch,
            None => matches!(resume.since, None | Some(0)),
        };
        let complete = since <= history.seq && history.seq - since <= u64::from(max_replay);
        if same_epoch && complete {
            frames.extend(history.events.iter().map(|e| replayed_frame(topic, e)));
            replayed = Some((history.seq, history.epoch));
        }
    }
    let recovered = replayed.is_some() && resume.since.is_some();
    let (last, epoch, is_final) = match replayed {
        Some((seq, epoch)) if is_chat => (seq, epoch, false),
        Some((seq, epoch)) => {
            // Read after the history: if the order is final at a seq the
            // replay covers, the final event is in the replay.
            let order = orders.order(who, order_id(topic)?).await?;
            (seq, epoch, order.is_final && order.seq <= seq)
        }
        None if is_chat => {
            // Too far behind for a replay: the client reloads the chat.
            let head = orders.history(who, topic, u64::MAX, 1).await?;
            let bytes = snapshot(&name, Some(head.seq), Some(head.epoch.clone()), None);
            frames.push(Outgoing::Marked(
                bytes,
                mark(&name, Some(&head.epoch), head.seq, true),
            ));
            (head.seq, head.epoch, false)
        }
        None => {
            let order = orders.order(who, order_id(topic)?).await?;
            let (seq, epoch, is_final) = (order.seq, order.epoch.clone(), order.is_final);
            let bytes = ServerFrame::Snapshot {
                topic: name.clone(),
                seq: Some(seq),
                epoch: Some(epoch.clone()),
                offset: None,
                order: Some(Box::new(order)),
                orders: None,
            }
            .to_bytes();
            frames.push(Outgoing::Marked(
                bytes,
                mark(&name, Some(&epoch), seq, true),
            ));
            (seq, epoch, is_final)
        }
    };
    let subscribed = ServerFrame::Subscribed {
        topic: name.clone(),
        seq: Some(last),
        epoch: Some(epoch.clone()),
        offset: None,
        recovered,
        is_final,
    }
    .to_bytes();
    frames.push(Outgoing::Marked(
        subscribed,
        mark(&name, Some(&epoch), last, false),
    ));
    if is_final {
        frames.push(Outgoing::Frame(
            ServerFrame::Unsubscribed {
                topic: name,
                reason: "final".into(),
            }
            .to_bytes(),
        ));
    }
    Ok(Recovery {
        frames,
        last,
        by: Position::Seq,
        recovered,
        ended: is_final,
    })
}

async fn recover_feed(
    orders: &OrderService,
    who: &Identity,
    resume: &Resume,
    max_replay: u32,
) -> Result<Recovery, GatewayError> {
    let mut frames = Vec::new();
    let mut replayed = None;
    if let Some(offset) = resume.offset {
        let page = orders.feed(who, offset, max_replay + 1).await?;
        if offset <= page.offset && page.offset - offset <= u64::from(max_replay) {
            frames.extend(
                page.events
                    .iter()
                    .map(|e| replayed_frame(&Topic::Orders, e)),
            );
            replayed = Some(page.offset);
        }
    }
    let recovered = replayed.is_some();
    let last = match replayed {
        Some(offset) => offset,
        None => {
            // The head first: changes after it arrive live, and the SDK
            // drops an order change older than the order it shows.
            let head = orders.feed(who, u64::MAX, 1).await?.offset;
            let newest = orders
                .list(
                    who,
                    OrderFilter::default(),
                    PageRequest {
                        after: None,
                        limit: FEED_SNAPSHOT_ORDERS,
                    },
                )
                .await?;
            let bytes = ServerFrame::Snapshot {
                topic: FEED_TOPIC.into(),
                seq: None,
                epoch: None,
                offset: Some(head),
                order: None,
                orders: Some(newest.items),
            }
            .to_bytes();
            frames.push(Outgoing::Marked(bytes, mark(FEED_TOPIC, None, head, true)));
            head
        }
    };
    let subscribed = ServerFrame::Subscribed {
        topic: FEED_TOPIC.into(),
        seq: None,
        epoch: None,
        offset: Some(last),
        recovered,
        is_final: false,
    }
    .to_bytes();
    frames.push(Outgoing::Marked(
        subscribed,
        mark(FEED_TOPIC, None, last, false),
    ));
    Ok(Recovery {
        frames,
        last,
        by: Position::Offset,
        recovered,
        ended: false,
    })
}

/// Fills a gap in a live subscription: the events of `topic` after `last`
/// (at most `max_replay`), as marked frames, and the position they reach.
pub async fn refill(
    orders: &OrderService,
    who: &Identity,
    topic: &Topic,
    last: u64,
    max_replay: u32,
) -> Result<(Vec<Outgoing>, u64), GatewayError> {
    let events = match topic {
        Topic::Orders => orders.feed(who, last, max_replay).await?.events,
        _ => orders.history(who, topic, last, max_replay).await?.events,
    };
    let frames: Vec<Outgoing> = events.iter().map(|e| replayed_frame(topic, e)).collect();
    let end = frames
        .last()
        .and_then(Outgoing::mark)
        .map_or(last, |m| m.position);
    Ok((frames, end))
}

/// A stored event replayed on `topic` (already projected for the caller
/// by [`OrderService`]): its frame, the same bytes the live event had,
/// marked with the position it brings the topic to (`seq`, or `offset` on
/// the feed).
fn replayed_frame(topic: &Topic, event: &StoredEvent) -> Outgoing {
    let bytes = frame(event);
    let mark = match topic {
        Topic::Orders => mark(FEED_TOPIC, None, event.offset.unwrap_or_default(), true),
        _ => mark(&topic.to_string(), Some(&event.epoch), event.seq, true),
    };
    Outgoing::Marked(bytes, mark)
}

fn mark(topic: &str, epoch: Option<&str>, position: u64, content: bool) -> Mark {
    Mark {
        topic: Arc::from(topic),
        epoch: epoch.map(Arc::from),
        position,
        content,
    }
}

fn snapshot(topic: &str, seq: Option<u64>, epoch: Option<String>, offset: Option<u64>) -> Bytes {
    ServerFrame::Snapshot {
        topic: topic.to_owned(),
        seq,
        epoch,
        offset,
        order: None,
        orders: None,
    }
    .to_bytes()
}

fn order_id(topic: &Topic) -> Result<&trackwire_domain::OrderId, GatewayError> {
    topic.order_id().ok_or_else(|| {
        GatewayError::Store(trackwire_store::StoreError::NoHistory(topic.to_string()))
    })
}
