//! [`OrderService`]: the one path for every read and write of orders, shared
//! by REST and the real-time transports: authorize, store, publish.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use tokio::sync::Mutex;
use trackwire_auth::policy::{check, Access, OrderParties};
use trackwire_auth::{Identity, Role};
use trackwire_broker::{Broker, Publication};
use trackwire_domain::{
    Action, Classified, EphemeralSignal, Order, OrderCreated, OrderId, Topic, ValidationErrors,
};
use trackwire_store::{
    FeedPage, History, IdempotencyKey, OrderFilter, OrderPage, PageRequest, Recorded, Store,
    StoreError,
};

use crate::{publish, GatewayError};

/// Writes of one tenant are published in the order they were stored: each
/// write holds its tenant's stripe from the store call to the publish, so
/// this node's subscribers see seq and offset in order.
const STRIPES: usize = 64;

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
    stripes: Arc<Vec<Mutex<()>>>,
}

impl OrderService {
    pub fn new(store: Arc<dyn Store>, broker: Arc<dyn Broker>) -> Self {
        Self {
            store,
            broker,
            stripes: Arc::new((0..STRIPES).map(|_| Mutex::new(())).collect()),
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
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
            &who.tenant,
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
            Classified::Durable(event) => {
                let order = self.load(&who.tenant, id).await?;
                check(who, Access::RecordEvent, Some(parties(&order)))?;
                let write = Write::Record {
                    order: id.clone(),
                    event,
                    key,
                };
                let recorded = self.write(&who.tenant, write).await?;
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
        signal: EphemeralSignal,
    ) -> Result<bool, GatewayError> {
        let invalid = |message: &str| {
            GatewayError::Invalid(ValidationErrors::single("event", "not_on_topic", message))
        };
        let Some(id) = topic.order_id() else {
            return Err(invalid("signals go to order:{id} or chat:{id}"));
        };
        let order = self.load(&who.tenant, id).await?;
        let taken = match (&signal, topic) {
            (EphemeralSignal::Location(location), Topic::Order(_)) => {
                check(who, Access::PublishLocation, Some(parties(&order)))?;
                self.store
                    .observe_location(&who.tenant, id, location)
                    .await?
                    .is_some()
            }
            (EphemeralSignal::Typing(_), Topic::Chat(_)) => {
                check(who, Access::ReadOrder, Some(parties(&order)))?;
                true
            }
            (EphemeralSignal::Location(_), _) => {
                return Err(invalid("location goes to order:{id}"))
            }
            (EphemeralSignal::Typing(_), _) => return Err(invalid("typing goes to chat:{id}")),
        };
        if taken {
            send(&*self.broker, publish::signal(&who.tenant, topic, &signal)).await;
        }
        Ok(taken)
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
        self.write(&who.tenant, write).await
    }

    pub async fn order(&self, who: &Identity, id: &OrderId) -> Result<Order, GatewayError> {
        let order = self.load(&who.tenant, id).await?;
        check(who, Access::ReadOrder, Some(parties(&order)))?;
        Ok(order)
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
        }
        Ok(self.store.list_orders(&who.tenant, &filter, &page).await?)
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
        Ok(self
            .store
            .replay_since(&who.tenant, topic, since, limit)
            .await?)
    }

    pub async fn feed(
        &self,
        who: &Identity,
        offset: u64,
        limit: u32,
    ) -> Result<FeedPage, GatewayError> {
        check(who, Access::ReadFeed, None)?;
        Ok(self.store.feed_since(&who.tenant, offset, limit).await?)
    }

    async fn load(&self, tenant: &str, id: &OrderId) -> Result<Order, GatewayError> {
        self.store
            .order(tenant, id)
            .await?
            .ok_or_else(|| StoreError::OrderNotFound(id.clone()).into())
    }

    /// Stores under the tenant's stripe, then publishes what was stored.
    ///
    /// On a task of its own: a caller that goes away (an HTTP client that
    /// hangs up) cannot leave an event stored but unpublished. A replayed
    /// idempotent write is published again: if the first attempt's publish
    /// was lost, this one delivers it, and subscribers drop duplicates by
    /// seq.
    async fn write(&self, tenant: &str, write: Write) -> Result<Recorded, GatewayError> {
        let store = self.store.clone();
        let broker = self.broker.clone();
        let stripes = self.stripes.clone();
        let stripe = stripe_of(tenant, stripes.len());
        let tenant = tenant.to_owned();
        let task = tokio::spawn(async move {
            let _stripe = stripes[stripe].lock().await;
            let recorded = match write {
                Write::Create { id, created, key } => {
                    store.create_order(&tenant, id, created, key).await?
                }
                Write::Record { order, event, key } => {
                    store.record(&tenant, &order, event, key).await?
                }
            };
            for event in &recorded.events {
                send(
                    &*broker,
                    publish::durable(&tenant, event, recorded.order.is_final),
                )
                .await;
            }
            Ok::<_, GatewayError>(recorded)
        });
        task.await
            .map_err(|error| GatewayError::Internal(format!("write task failed: {error}")))?
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

async fn send(broker: &dyn Broker, publications: Vec<Publication>) {
    for publication in publications {
        let channel = publication.channel.clone();
        // The event is stored: a client that misses it recovers it by
        // seq, so a broker failure is logged, not returned.
        if let Err(error) = broker.publish(publication).await {
            tracing::warn!(%channel, %error, "publish failed; subscribers will recover from the store");
        }
    }
}

fn stripe_of(tenant: &str, stripes: usize) -> usize {
    let mut hasher = DefaultHasher::new();
    tenant.hash(&mut hasher);
    (hasher.finish() as usize) % stripes
}

fn parties(order: &Order) -> OrderParties<'_> {
    OrderParties {
        customer: &order.customer.id,
        courier: order.courier.as_ref().map(|c| c.id.as_str()),
    }
}
