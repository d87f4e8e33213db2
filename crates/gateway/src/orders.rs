//! [`OrderService`]: the one path for every read and write of orders, shared
//! by REST and the real-time transports: authorize, store, publish.
//!
//! Everything it hands back (snapshots, lists, histories, the feed, the
//! result of a write) is projected for the caller's audience
//! ([`crate::audience`]), so no transport has to remember to.

use std::sync::Arc;

use trackwire_auth::policy::{check, Access, OrderParties};
use trackwire_auth::{Identity, Role};
use trackwire_broker::{Broker, Publication};
use trackwire_domain::projection::project_order;
use trackwire_domain::{
    Action, ChatMessage, ChatSender, Classified, DurableEvent, EphemeralSignal, Order,
    OrderCreated, OrderId, Topic, ValidationErrors,
};
use trackwire_store::{
    FeedPage, History, IdempotencyKey, OrderFilter, OrderPage, PageRequest, ReadReceipt, Recorded,
    Store, StoreError,
};

use crate::idempotency::scoped_key;
use crate::{audience, publish, GatewayError};

/// A new order as asked for: the id is made when not given.
#[derive(Debug, Clone)]
pub struct CreateOrder {
    pub id: Option<OrderId>,
    pub created: OrderCreated,
}

/// What recording an input did.
#[derive(Debug, Clone)]
pub enum RecordOutcome {
    Durable(Box<Recorded>),
    /// A signal; `taken` is false when it was older than what is shown.
    Signal {
        taken: bool,
    },
}

pub struct OrderService {
    store: Arc<dyn Store>,
    broker: Arc<dyn Broker>,
}

impl OrderService {
    pub fn new(store: Arc<dyn Store>, broker: Arc<dyn Broker>) -> Self {
        Self { store, broker }
    }

    /// Whether the broker can deliver now (readiness asks).
    pub fn broker_connected(&self) -> bool {
        self.broker.is_connected()
    }

    /// Whether the store can commit a write now (readiness asks).
    pub async fn store_writable(&self) -> Result<(), StoreError> {
        self.store.probe_write().await
    }

    pub async fn create(
        &self,
        who: &Identity,
        input: CreateOrder,
        key: Option<IdempotencyKey>,
    ) -> Result<Recorded, GatewayError> {
        check(who, Access::CreateOrder, None)?;
        let id = input.id.unwrap_or_else(OrderId::generate);
        self.write(
            who,
            Write::Create {
                id,
                created: input.created,
                key,
            },
        )
        .await
    }

    /// Records a durable event or takes a signal for an order.
    pub async fn record(
        &self,
        who: &Identity,
        id: &OrderId,
        input: Classified,
        key: Option<IdempotencyKey>,
    ) -> Result<RecordOutcome, GatewayError> {
        match input {
            Classified::Durable(DurableEvent::ChatMessage(message)) => {
                let recorded = self.chat(who, id, message).await?;
                Ok(RecordOutcome::Durable(Box::new(recorded)))
            }
            Classified::Durable(event) => {
                // Staff and the shop's backend may record on any order of
                // the tenant: no read of the order before the write (an
                // unknown order is refused by the store). Only a courier's
                // right depends on the order.
                if check(who, Access::RecordEvent, None).is_err() {
                    let order = self.load(&who.tenant, id).await?;
                    check(who, Access::RecordEvent, Some(parties(&order)))?;
                }
                let write = Write::Record {
                    order: id.clone(),
                    event,
                    key,
                };
                let recorded = self.write(who, write).await?;
                Ok(RecordOutcome::Durable(Box::new(recorded)))
            }
            Classified::Ephemeral(signal) => {
                let taken = self.signal(who, &Topic::Order(id.clone()), signal).await?;
                Ok(RecordOutcome::Signal { taken })
            }
        }
    }

    /// Takes an ephemeral signal and publishes it, latest-wins: a courier's
    /// `location` on `order:{id}` (kept in the snapshot), `typing` on
    /// `chat:{id}`. Returns false when it was older than what is shown.
    pub async fn signal(
        &self,
        who: &Identity,
        topic: &Topic,
        mut signal: EphemeralSignal,
    ) -> Result<bool, GatewayError> {
        if let EphemeralSignal::Typing(typing) = &mut signal {
            // Who is typing is the server's to say, as for chat messages.
            typing.from = Some(ChatSender {
                subject: who.subject.clone(),
                role: who.role.as_str().to_owned(),
            });
        }
        let invalid = |message: &str| {
            GatewayError::Invalid(ValidationErrors::single("event", "not_on_topic", message))
        };
        let Some(id) = topic.order_id() else {
            return Err(invalid("signals go to order:{id} or chat:{id}"));
        };
        let order = self.load(&who.tenant, id).await?;
        // Who may see a position depends on the order's status; the
        // snapshot the store answers with the kept position is the newest.
        let (taken, status) = match (&signal, topic) {
            (EphemeralSignal::Location(location), Topic::Order(_)) => {
                check(who, Access::PublishLocation, Some(parties(&order)))?;
                let kept = self
                    .store
                    .observe_location(&who.tenant, id, location)
                    .await?;
                (kept.is_some(), kept.map_or(order.status, |o| o.status))
            }
            (EphemeralSignal::Typing(_), Topic::Chat(_)) => {
                check(who, Access::Chat, Some(parties(&order)))?;
                (true, order.status)
            }
            (EphemeralSignal::Location(_), _) => {
                return Err(invalid("location goes to order:{id}"))
            }
            (EphemeralSignal::Typing(_), _) => return Err(invalid("typing goes to chat:{id}")),
        };
        if taken {
            let courier = order.courier.as_ref().map(|c| c.id.as_str());
            let publications = publish::signal(&who.tenant, topic, &signal, status, courier);
            send(&*self.broker, publications).await;
        }
        Ok(taken)
    }

    /// A chat message on `chat:{id}`, from the order's customer, its
    /// courier or staff. The sender is set from `who`; the client's message
    /// id keys it, so a retried send (over any transport) is stored once.
    pub async fn chat(
        &self,
        who: &Identity,
        id: &OrderId,
        mut message: ChatMessage,
    ) -> Result<Recorded, GatewayError> {
        let order = self.load(&who.tenant, id).await?;
        check(who, Access::Chat, Some(parties(&order)))?;
        message.from = Some(ChatSender {
            subject: who.subject.clone(),
            role: who.role.as_str().to_owned(),
        });
        let key = scoped_key(
            who,
            &format!("chat:{id}:{}", message.client_message_id),
            &[message.text.as_bytes()],
        );
        let write = Write::Record {
            order: id.clone(),
            event: DurableEvent::ChatMessage(message),
            key: Some(key),
        };
        self.write(who, write).await
    }

    /// `who` has read the order's chat up to `seq`: kept (never moving
    /// back) and told to the chat's watchers. Returns the seq kept.
    pub async fn mark_read(
        &self,
        who: &Identity,
        id: &OrderId,
        seq: u64,
    ) -> Result<u64, GatewayError> {
        let order = self.load(&who.tenant, id).await?;
        check(who, Access::Chat, Some(parties(&order)))?;
        let kept = self
            .store
            .mark_read(&who.tenant, id, &who.subject, seq)
            .await?;
        let reader = ChatSender {
            subject: who.subject.clone(),
            role: who.role.as_str().to_owned(),
        };
        let courier = order.courier.as_ref().map(|c| c.id.as_str());
        let topic = Topic::Chat(id.clone());
        send(
            &*self.broker,
            publish::read_receipt(&who.tenant, &topic, &reader, kept, courier),
        )
        .await;
        Ok(kept)
    }

    /// How far each participant has read the order's chat.
    pub async fn read_receipts(
        &self,
        who: &Identity,
        id: &OrderId,
    ) -> Result<Vec<ReadReceipt>, GatewayError> {
        self.order(who, id).await?;
        Ok(self.store.read_receipts(&who.tenant, id).await?)
    }

    /// A customer action on their order (staff may act for them).
    pub async fn act(
        &self,
        who: &Identity,
        id: &OrderId,
        action: Action,
        key: Option<IdempotencyKey>,
    ) -> Result<Recorded, GatewayError> {
        let order = self.load(&who.tenant, id).await?;
        check(who, Access::ActOnOrder, Some(parties(&order)))?;
        let event = action.into_event();
        let write = Write::Record {
            order: id.clone(),
            event,
            key,
        };
        self.write(who, write).await
    }

    /// Whether `who` may subscribe to `topic`: an order's topics (its own
    /// and its chat) to whoever may read the order, the tenant feed to
    /// staff. The one place a subscription is authorized, before anything
    /// joins the hub; every transport's subscribe passes here.
    pub async fn authorize_subscribe(
        &self,
        who: &Identity,
        topic: &Topic,
    ) -> Result<(), GatewayError> {
        match topic.order_id() {
            Some(id) => {
                let order = self.load(&who.tenant, id).await?;
                check(who, Access::ReadOrder, Some(parties(&order)))?;
            }
            None => check(who, Access::ReadFeed, None)?,
        }
        Ok(())
    }

    /// The order's snapshot, as the caller may see it.
    pub async fn order(&self, who: &Identity, id: &OrderId) -> Result<Order, GatewayError> {
        let order = self.load(&who.tenant, id).await?;
        check(who, Access::ReadOrder, Some(parties(&order)))?;
        Ok(project_order(order, audience::of(who)))
    }

    /// Lists orders; customers and couriers see only their own.
    pub async fn list(
        &self,
        who: &Identity,
        mut filter: OrderFilter,
        page: PageRequest,
    ) -> Result<OrderPage, GatewayError> {
        match who.role {
            Role::Customer => filter.customer = Some(who.subject.clone()),
            Role::Courier => filter.courier = Some(who.subject.clone()),
            Role::Dispatcher | Role::Admin | Role::Service => {}
            // No tenant's orders: refused, as for the feed.
            Role::Operator => check(who, Access::ReadFeed, None)?,
        }
        let page = self.store.list_orders(&who.tenant, &filter, &page).await?;
        Ok(OrderPage {
            items: audience::orders(page.items, audience::of(who)),
            next: page.next,
        })
    }

    /// A topic's events after `since` (an order's own topic or its chat).
    pub async fn history(
        &self,
        who: &Identity,
        topic: &Topic,
        since: u64,
        limit: u32,
    ) -> Result<History, GatewayError> {
        if let Some(id) = topic.order_id() {
            self.order(who, id).await?;
        }
        let history = self
            .store
            .replay_since(&who.tenant, topic, since, limit)
            .await?;
        Ok(History {
            events: audience::events(history.events, audience::of(who)),
            ..history
        })
    }

    pub async fn feed(
        &self,
        who: &Identity,
        offset: u64,
        limit: u32,
    ) -> Result<FeedPage, GatewayError> {
        check(who, Access::ReadFeed, None)?;
        let page = self.store.feed_since(&who.tenant, offset, limit).await?;
        Ok(FeedPage {
            events: audience::events(page.events, audience::of(who)),
            ..page
        })
    }

    async fn load(&self, tenant: &str, id: &OrderId) -> Result<Order, GatewayError> {
        self.store
            .order(tenant, id)
            .await?
            .ok_or_else(|| StoreError::OrderNotFound(id.clone()).into())
    }

    /// Stores, then publishes what was stored (every audience its own
    /// projection), and answers with what the caller may see of it.
    ///
    /// Writes run concurrently, so the store can commit many in one
    /// transaction (group commit); their publications may reach the broker
    /// out of seq order, as those of several nodes do anyway, and the hub
    /// puts each channel back in order (`hub/sequencer.rs`).
    ///
    /// On a task of its own: a caller that goes away (an HTTP client that
    /// hangs up) cannot leave an event stored but unpublished. A replayed
    /// idempotent write is published again: if the first attempt's publish
    /// was lost, this one delivers it, and subscribers drop duplicates by
    /// seq.
    async fn write(&self, who: &Identity, write: Write) -> Result<Recorded, GatewayError> {
        let store = self.store.clone();
        let broker = self.broker.clone();
        let tenant = who.tenant.clone();
        let task = tokio::spawn(async move {
            let recorded = match write {
                Write::Create { id, created, key } => {
                    store.create_order(&tenant, id, created, key).await?
                }
                Write::Record { order, event, key } => {
                    store.record(&tenant, &order, event, key).await?
                }
            };
            // The order after the write names the courier who may hear it.
            let courier = recorded.order.courier.as_ref().map(|c| c.id.as_str());
            for event in &recorded.events {
                let publications =
                    publish::durable(&tenant, event, recorded.order.is_final, courier);
                send(&*broker, publications).await;
            }
            Ok::<_, GatewayError>(recorded)
        });
        let recorded = task
            .await
            .map_err(|error| GatewayError::Internal(format!("write task failed: {error}")))??;
        Ok(audience::recorded(recorded, audience::of(who)))
    }
}

/// What a write stores.
enum Write {
    Create {
        id: OrderId,
        created: OrderCreated,
        key: Option<IdempotencyKey>,
    },
    Record {
        order: OrderId,
        event: trackwire_domain::DurableEvent,
        key: Option<IdempotencyKey>,
    },
}

pub(crate) async fn send(broker: &dyn Broker, publications: Vec<Publication>) {
    for publication in publications {
        let channel = publication.channel.clone();
        // The event is stored: a client that misses it recovers it by
        // seq, so a broker failure is logged, not returned.
        if let Err(error) = broker.publish(publication).await {
            tracing::warn!(%channel, %error, "publish failed; subscribers will recover from the store");
        }
    }
}

fn parties(order: &Order) -> OrderParties<'_> {
    OrderParties {
        customer: &order.customer.id,
        courier: order.courier.as_ref().map(|c| c.id.as_str()),
    }
}
