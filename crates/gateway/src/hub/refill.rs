//! A channel's durable publications read back from the store, for the
//! hub's refills: the same bytes the live ones carried, in order.

use std::sync::Arc;

use trackwire_broker::{Channel, Publication};
use trackwire_domain::Topic;
use trackwire_store::{Store, StoreError};

use crate::publish::{self, FEED_TOPIC};

/// Most publications one refill reads; a channel further behind is left
/// to its subscribers' outboxes, which resync by themselves.
pub(crate) const MAX_REFILL: u32 = 1000;

/// `(position, publication)` of every durable event of `channel` after
/// position `after` (a `seq`, or an `offset` on the feed).
pub(crate) async fn since(
    store: &dyn Store,
    channel: &Channel,
    after: u64,
) -> Result<Vec<(u64, Arc<Publication>)>, StoreError> {
    let tenant = &*channel.tenant;
    if &*channel.topic == FEED_TOPIC {
        let page = store.feed_since(tenant, after, MAX_REFILL).await?;
        return Ok(page
            .events
            .iter()
            .filter_map(|event| {
                let offset = event.offset?;
                Some((
                    offset,
                    Arc::new(publish::for_channel(channel, event, false)),
                ))
            })
            .collect());
    }
    let topic: Topic = channel
        .topic
        .parse()
        .map_err(|_| StoreError::NoHistory(channel.topic.to_string()))?;
    let history = store
        .replay_since(tenant, &topic, after, MAX_REFILL)
        .await?;
    // An order's last event closes its topic once the order is final.
    let final_seq = match (&topic, history.events.is_empty()) {
        (Topic::Order(id), false) => store
            .order(tenant, id)
            .await?
            .filter(|order| order.is_final)
            .map(|order| order.seq),
        _ => None,
    };
    Ok(history
        .events
        .iter()
        .map(|event| {
            let closes = final_seq == Some(event.seq);
            (
                event.seq,
                Arc::new(publish::for_channel(channel, event, closes)),
            )
        })
        .collect())
}
