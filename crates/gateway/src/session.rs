//! [`Session`]: one client's state, whatever carries its frames.
//!
//! A transport reads frames, hands them to [`Session::handle`], and writes
//! whatever the session's [`Outbox`] holds. The session never touches bytes
//! on a socket; subscriptions, recovery, mutations and publishing all happen
//! here, once, for WebSocket, SSE and long-poll alike.

use std::collections::HashMap;
use std::sync::Arc;

use trackwire_auth::policy::{check, Access};
use trackwire_auth::Identity;
use trackwire_broker::Channel;
use trackwire_domain::validate::{from_value, Validate};
use trackwire_domain::{Action, Classified, Code, DurableEvent, EphemeralSignal, Location, Topic};

use crate::audience;
use crate::hub::{Hub, SubscriberId};
use crate::idempotency::scoped_key;
use crate::metrics::{self, Replay};
use crate::ops;
use crate::orders::{OrderService, RecordOutcome};
use crate::outbox::Position;
use crate::outbox::{Asks, Control, Outbox, Outgoing};
use crate::presence::PresenceKey;
use crate::protocol::client::{Mutate, Publish, Subscribe};
use crate::protocol::{ClientFrame, ServerFrame};
use crate::recovery::{recover, refill, Resume};
use crate::{GatewayError, Kind, Problem};

fn already_subscribed() -> Problem {
    refusal(
        Kind::Conflict,
        Code::AlreadySubscribed,
        "already subscribed",
    )
}

fn refusal(kind: Kind, code: Code, message: impl Into<String>) -> Problem {
    Problem::new(kind, code, message)
}

/// Limits of one session.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// Durable events that may wait for one client before it is cut as a
    /// slow consumer.
    pub outbox_capacity: usize,
    pub max_subscriptions: usize,
    /// Most events replayed on subscribe; further behind gets a snapshot.
    pub max_replay: u32,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            outbox_capacity: 1024,
            max_subscriptions: 100,
            max_replay: 1000,
        }
    }
}

/// The topics a session may use: all of them, or one order's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    /// `/v1/orders/{id}/ws`: only `order:{id}` and `chat:{id}`.
    Order(trackwire_domain::OrderId),
}

struct Subscription {
    topic: Topic,
    id: SubscriberId,
}

pub struct Session {
    who: Identity,
    orders: Arc<OrderService>,
    hub: Arc<Hub>,
    outbox: Arc<Outbox>,
    control: Asks,
    subscriptions: HashMap<Channel, Subscription>,
    config: SessionConfig,
    scope: Scope,
    /// Whether this session counts as someone watching (not a long-poll
    /// request, which lives for one answer).
    presence: bool,
    /// The operators' `ops` topic, when subscribed: the installation's,
    /// apart from the tenant's topics.
    ops: Option<SubscriberId>,
}

impl Session {
    pub fn new(
        who: Identity,
        orders: Arc<OrderService>,
        hub: Arc<Hub>,
        config: SessionConfig,
        scope: Scope,
    ) -> Self {
        let (outbox, control) = Outbox::new(config.outbox_capacity);
        Self {
            who,
            orders,
            hub,
            outbox,
            control,
            subscriptions: HashMap::new(),
            config,
            scope,
            presence: true,
            ops: None,
        }
    }

    /// A session that does not show up in presence (long-poll).
    pub fn without_presence(mut self) -> Self {
        self.presence = false;
        self
    }

    /// What the transport writes.
    pub fn outbox(&self) -> &Arc<Outbox> {
        &self.outbox
    }

    pub fn identity(&self) -> &Identity {
        &self.who
    }

    /// Acts as `who` from now on. A connection that subscribed already can
    /// only refresh its credentials, not become someone else: what it was
    /// allowed to see was decided for the old identity.
    pub fn reauthenticate(&mut self, who: Identity) -> Result<(), Problem> {
        if who != self.who && (!self.subscriptions.is_empty() || self.ops.is_some()) {
            return Err(refusal(
                Kind::Forbidden,
                Code::Forbidden,
                "a refreshed token must be for the same tenant, subject and role",
            ));
        }
        self.who = who;
        Ok(())
    }

    pub fn subscription_count(&self) -> usize {
        self.subscriptions.len()
    }

    /// Handles one client frame; answers go to the outbox. Returns false
    /// when the frame was refused (the transport counts those).
    pub async fn handle(&mut self, frame: ClientFrame) -> bool {
        match frame {
            ClientFrame::Auth(_) => true,
            ClientFrame::Ping(ping) => {
                self.outbox.send_frame(&ServerFrame::Pong { id: ping.id });
                true
            }
            ClientFrame::Subscribe(subscribe) => self.subscribe(subscribe).await,
            ClientFrame::Unsubscribe(unsubscribe) => self.unsubscribe(&unsubscribe.topic).await,
            ClientFrame::Mutate(mutate) => self.mutate(mutate).await,
            ClientFrame::Publish(publish) => self.publish(publish).await,
        }
    }

    /// Sends an `error` frame.
    pub fn error(&self, code: Code, message: impl Into<String>, reference: Option<String>) {
        crate::ops::counters::refused(code);
        self.outbox
            .send_frame(&ServerFrame::error(code, message, reference));
    }

    fn problem(&self, problem: Problem, reference: &str) {
        crate::ops::counters::refused(problem.code);
        self.outbox.send_frame(&ServerFrame::Error {
            code: problem.code.to_owned(),
            message: problem.message,
            reference: Some(reference.to_owned()),
        });
    }

    fn topic(&self, raw: &str) -> Result<Topic, Problem> {
        let topic: Topic = raw
            .parse()
            .map_err(|message: String| refusal(Kind::BadRequest, Code::UnknownTopic, message))?;
        if let Scope::Order(id) = &self.scope {
            if topic.order_id() != Some(id) {
                return Err(refusal(
                    Kind::Forbidden,
                    Code::Forbidden,
                    format!("this connection is scoped to order {id}"),
                ));
            }
        }
        Ok(topic)
    }

    /// Subscribes, answering a refusal with an `error` frame.
    pub async fn subscribe(&mut self, request: Subscribe) -> bool {
        let topic = request.topic.clone();
        match self.try_subscribe(request).await {
            Ok(()) => true,
            Err(problem) => {
                self.problem(problem, &topic);
                false
            }
        }
    }

    /// Subscribes with recovery: live publications are held from the
    /// moment the hub has us, the store is read after, and the outbox
    /// joins the two exactly once. A refusal leaves nothing behind.
    pub async fn try_subscribe(&mut self, request: Subscribe) -> Result<(), Problem> {
        let outcome = self.subscribe_and_recover(request).await;
        if outcome.is_err() {
            metrics::replayed(Replay::Refused);
        }
        outcome.map(|_recovered| ())
    }

    /// [`Session::try_subscribe`]; true when the recovery replayed events
    /// from the client's position.
    async fn subscribe_and_recover(&mut self, request: Subscribe) -> Result<bool, Problem> {
        if request.topic == ops::OPS_TOPIC && self.scope == Scope::All {
            return self.subscribe_ops().await.map(|()| false);
        }
        let topic = self.topic(&request.topic)?;
        let name = topic.to_string();
        // The channel of our own audience: we only ever get our projection.
        let channel = audience::channel(&self.who, &name);
        if self.subscriptions.len() >= self.config.max_subscriptions {
            return Err(refusal(
                Kind::BadRequest,
                Code::TooManySubscriptions,
                format!(
                    "at most {} subscriptions per connection",
                    self.config.max_subscriptions
                ),
            ));
        }
        // Authorized first, before the hub has us: the recovery's store
        // read checks again, and a refusal leaves nothing behind.
        self.orders
            .authorize_subscribe(&self.who, &topic)
            .await
            .map_err(Problem::from)?;
        let by = match topic {
            Topic::Orders => Position::Offset,
            _ => Position::Seq,
        };
        let id = self.join(&channel, by).await?;
        let resume = Resume {
            since: request.since,
            epoch: request.epoch,
            offset: request.offset,
        };
        match recover(
            &self.orders,
            &self.who,
            &topic,
            &resume,
            self.config.max_replay,
        )
        .await
        {
            Ok(recovery) => {
                // Counted before the client can see `subscribed`: a scrape
                // that follows it finds the subscription counted.
                metrics::replayed(if recovery.recovered {
                    Replay::Recovered
                } else {
                    Replay::Snapshot
                });
                if !recovery.ended {
                    metrics::subscriptions(1);
                }
                self.hub.observe(&channel, recovery.last);
                self.outbox.resume(&channel, recovery.frames, recovery.last);
                if recovery.ended {
                    self.outbox.end(&channel);
                    self.hub.unsubscribe(&channel, id).await;
                } else {
                    self.subscriptions.insert(
                        channel,
                        Subscription {
                            topic: topic.clone(),
                            id,
                        },
                    );
                    self.join_presence(&topic).await;
                }
                Ok(recovery.recovered)
            }
            Err(error) => {
                self.outbox.end(&channel);
                self.hub.unsubscribe(&channel, id).await;
                Err(error.into())
            }
        }
    }

    /// Opens the channel in this connection's outbox and puts it in the
    /// hub: a second subscription to it is refused, and a hub that cannot
    /// take it leaves the outbox as it was.
    async fn join(&mut self, channel: &Channel, by: Position) -> Result<SubscriberId, Problem> {
        if !self.outbox.begin(channel, by) {
            return Err(already_subscribed());
        }
        match self.hub.subscribe(channel, self.outbox.clone()).await {
            Ok(id) => Ok(id),
            Err(error) => {
                self.outbox.end(channel);
                Err(refusal(Kind::Internal, Code::Internal, error.to_string()))
            }
        }
    }

    /// The `ops` topic, operators only: every node's latest figures as a
    /// snapshot, then each node's signals as they come (nothing to
    /// recover: they are latest-wins).
    async fn subscribe_ops(&mut self) -> Result<(), Problem> {
        check(&self.who, Access::Operate, None)
            .map_err(|denied| Problem::from(GatewayError::from(denied)))?;
        let Some(board) = self.hub.ops().cloned() else {
            return Err(refusal(
                Kind::Internal,
                Code::Internal,
                "this node does not publish its figures",
            ));
        };
        let channel = ops::channel();
        if self.ops.is_some() {
            return Err(already_subscribed());
        }
        let id = self.join(&channel, Position::Seq).await?;
        let snapshot = serde_json::json!({
            "type": "snapshot",
            "topic": ops::OPS_TOPIC,
            "nodes": board.nodes(),
        });
        let subscribed = ServerFrame::Subscribed {
            topic: ops::OPS_TOPIC.into(),
            seq: None,
            epoch: None,
            offset: None,
            recovered: false,
            is_final: false,
        };
        let frames = vec![
            Outgoing::Frame(bytes::Bytes::from(snapshot.to_string())),
            Outgoing::Frame(subscribed.to_bytes()),
        ];
        self.outbox.resume(&channel, frames, 0);
        metrics::replayed(Replay::Snapshot);
        metrics::subscriptions(1);
        self.ops = Some(id);
        Ok(())
    }

    async fn unsubscribe(&mut self, raw: &str) -> bool {
        if raw == ops::OPS_TOPIC {
            if let Some(id) = self.ops.take() {
                let channel = ops::channel();
                metrics::subscriptions(-1);
                self.outbox.end(&channel);
                self.hub.unsubscribe(&channel, id).await;
                self.outbox.send_frame(&ServerFrame::Unsubscribed {
                    topic: raw.to_owned(),
                    reason: "requested".into(),
                });
                return true;
            }
        }
        let channel = audience::channel(&self.who, raw);
        let Some(subscription) = self.subscriptions.remove(&channel) else {
            self.error(Code::NotSubscribed, "not subscribed", Some(raw.to_owned()));
            return false;
        };
        metrics::subscriptions(-1);
        self.outbox.end(&channel);
        self.hub.unsubscribe(&channel, subscription.id).await;
        self.leave_presence(&subscription.topic).await;
        self.outbox.send_frame(&ServerFrame::Unsubscribed {
            topic: raw.to_owned(),
            reason: "requested".into(),
        });
        true
    }

    /// After a subscription to an order or its chat: count this connection
    /// as its person being here, announce them if they just arrived, and
    /// tell this client who is here.
    async fn join_presence(&self, topic: &Topic) {
        if !self.presence || !tracks_presence(topic) {
            return;
        }
        let presence = self.hub.presence();
        let key = presence_key(&self.who, topic);
        let joined = presence
            .join(&key, &self.who.subject, self.who.role.as_str())
            .await;
        // The snapshot first: the announcement reaches this client too.
        self.outbox.send_frame(&ServerFrame::Presence {
            topic: topic.to_string(),
            members: presence.members(&key).await,
        });
        if let Some(member) = joined {
            self.hub
                .announce_presence(&key, topic, &member, "join")
                .await;
        }
    }

    async fn leave_presence(&self, topic: &Topic) {
        if self.presence {
            leave_presence(&self.hub, &self.who, topic).await;
        }
    }

    /// A customer action: the same validation, authorization and store
    /// path as REST, keyed by `clientMutationId` so a retry applies once.
    async fn mutate(&mut self, mutate: Mutate) -> bool {
        let id = mutate.client_mutation_id.clone();
        let reject = |problem: Problem| ServerFrame::Reject {
            client_mutation_id: id.clone(),
            code: problem.code.to_owned(),
            message: problem.message,
        };
        let Ok(Topic::Order(order)) = mutate.topic.parse::<Topic>() else {
            let problem = Problem::new(
                Kind::BadRequest,
                Code::UnknownTopic,
                "mutations go to order:{id}",
            );
            self.outbox.send_frame(&reject(problem));
            return false;
        };
        let args = serde_json::to_vec(&mutate.args).unwrap_or_default();
        let key = scoped_key(
            &self.who,
            &format!("mutation:{id}"),
            &[mutate.topic.as_bytes(), mutate.action.as_bytes(), &args],
        );
        let action = match Action::parse(&mutate.action, mutate.args) {
            Ok(action) => action,
            Err(errors) => {
                self.outbox.send_frame(&reject(errors.into()));
                return false;
            }
        };
        match self.orders.act(&self.who, &order, action, Some(key)).await {
            Ok(recorded) => {
                let seq = recorded
                    .events
                    .first()
                    .map_or(recorded.order.seq, |e| e.seq);
                self.outbox.send_frame(&ServerFrame::Ack {
                    client_mutation_id: id,
                    seq,
                });
                true
            }
            Err(error) => {
                self.outbox.send_frame(&reject(error.into()));
                false
            }
        }
    }

    /// A signal or a chat message from the client.
    async fn publish(&mut self, publish: Publish) -> bool {
        let topic = match self.topic(&publish.topic) {
            Ok(topic) => topic,
            Err(problem) => {
                self.problem(problem, &publish.topic);
                return false;
            }
        };
        let mut payload = publish.payload;
        let result = match publish.event.as_str() {
            "location" => match from_value::<Location>(payload).and_then(Validate::validated) {
                Ok(location) => self
                    .orders
                    .signal(&self.who, &topic, EphemeralSignal::Location(location))
                    .await
                    .map(|_| ()),
                Err(errors) => Err(GatewayError::Invalid(errors)),
            },
            "typing" => match from_value(payload) {
                Ok(typing) => self
                    .orders
                    .signal(&self.who, &topic, EphemeralSignal::Typing(typing))
                    .await
                    .map(|_| ()),
                Err(errors) => Err(GatewayError::Invalid(errors)),
            },
            "chat_message" => {
                if let Some(fields) = payload.as_object_mut() {
                    fields.insert("type".into(), "chat_message".into());
                }
                match trackwire_domain::RecordedInput::parse(payload) {
                    Ok(input) => match (input.classify(), topic.order_id()) {
                        (Classified::Durable(event @ DurableEvent::ChatMessage(_)), Some(id)) => {
                            self.orders
                                .record(&self.who, id, Classified::Durable(event), None)
                                .await
                                .map(|_: RecordOutcome| ())
                        }
                        _ => Err(GatewayError::Invalid(
                            trackwire_domain::ValidationErrors::single(
                                "topic",
                                "not_on_topic",
                                "chat messages go to chat:{id}",
                            ),
                        )),
                    },
                    Err(errors) => Err(GatewayError::Invalid(errors)),
                }
            }
            "chat_read" => match (payload.get("seq").and_then(|v| v.as_u64()), &topic) {
                (Some(seq), Topic::Chat(id)) => {
                    self.orders.mark_read(&self.who, id, seq).await.map(|_| ())
                }
                _ => Err(GatewayError::Invalid(
                    trackwire_domain::ValidationErrors::single(
                        "payload.seq",
                        "required",
                        "chat_read goes to chat:{id} with the last seq read",
                    ),
                )),
            },
            other => Err(GatewayError::Invalid(
                trackwire_domain::ValidationErrors::single(
                    "event",
                    "unknown_value",
                    format!("cannot publish '{other}'; publish location, typing, chat_message or chat_read"),
                ),
            )),
        };
        match result {
            Ok(()) => true,
            Err(error) => {
                self.problem(error.into(), &publish.topic);
                false
            }
        }
    }

    /// Waits for the outbox's next ask (cancel-safe).
    pub async fn next_control(&mut self) -> Control {
        self.control.recv().await
    }

    /// Acts on an outbox ask: refill a gap from the store, or drop a
    /// subscription whose order became final.
    pub async fn on_control(&mut self, control: Control) {
        match control {
            Control::Ended(channel) => {
                if let Some(subscription) = self.subscriptions.remove(&channel) {
                    metrics::subscriptions(-1);
                    self.hub.unsubscribe(&channel, subscription.id).await;
                    self.leave_presence(&subscription.topic).await;
                }
            }
            Control::Refill(channel) => {
                let (Some(subscription), Some(last)) = (
                    self.subscriptions.get(&channel),
                    self.outbox.cursor(&channel),
                ) else {
                    return;
                };
                let topic = subscription.topic.clone();
                let max = self.config.max_replay;
                match refill(&self.orders, &self.who, &topic, last, max).await {
                    Ok((frames, end)) => {
                        self.outbox.resume(&channel, frames, end);
                        self.end_if_final(&channel, &topic, end).await;
                    }
                    Err(error) => {
                        tracing::warn!(%channel, %error, "refill failed; cutting the client to resync");
                        self.outbox.close(crate::outbox::Closed::SlowConsumer);
                    }
                }
            }
        }
    }

    /// After a refill: if the order became final within it, the live copy
    /// of the final event was a duplicate, so end the subscription here.
    async fn end_if_final(&mut self, channel: &Channel, topic: &Topic, end: u64) {
        let Topic::Order(id) = topic else { return };
        let Ok(order) = self.orders.order(&self.who, id).await else {
            return;
        };
        if order.is_final && order.seq <= end {
            self.outbox.end(channel);
            self.outbox.send_frame(&ServerFrame::Unsubscribed {
                topic: topic.to_string(),
                reason: "final".into(),
            });
            if let Some(subscription) = self.subscriptions.remove(channel) {
                metrics::subscriptions(-1);
                self.hub.unsubscribe(channel, subscription.id).await;
                self.leave_presence(&subscription.topic).await;
            }
        }
    }

    /// Leaves every channel and closes the outbox: one place that frees
    /// everything the session held.
    pub async fn close(mut self) {
        let released = self.release();
        for channel in released.emptied {
            self.hub.leave(&channel).await;
        }
        for topic in released.present {
            leave_presence(&self.hub, &self.who, &topic).await;
        }
    }

    /// Closes the outbox and takes every subscription out of the hub at
    /// once.
    fn release(&mut self) -> Released {
        self.outbox.close(crate::outbox::Closed::Gone);
        let mut released = Released::default();
        if let Some(id) = self.ops.take() {
            metrics::subscriptions(-1);
            let channel = ops::channel();
            if self.hub.remove(&channel, id) {
                released.emptied.push(channel);
            }
        }
        metrics::subscriptions(-(self.subscriptions.len() as isize));
        for (channel, subscription) in self.subscriptions.drain() {
            if self.hub.remove(&channel, subscription.id) {
                released.emptied.push(channel);
            }
            if self.presence && tracks_presence(&subscription.topic) {
                released.present.push(subscription.topic);
            }
        }
        released
    }
}

/// What a closing session let go of.
#[derive(Default)]
struct Released {
    /// Channels this node no longer watches at all.
    emptied: Vec<Channel>,
    /// Topics where this connection counted as its person being here.
    present: Vec<Topic>,
}

/// Presence is kept for an order and its chat, not the feed.
fn tracks_presence(topic: &Topic) -> bool {
    matches!(topic, Topic::Order(_) | Topic::Chat(_))
}

fn presence_key(who: &Identity, topic: &Topic) -> PresenceKey {
    PresenceKey {
        tenant: who.tenant.clone(),
        topic: topic.to_string(),
    }
}

/// One connection of `who` leaves `topic`; announced if it was their last.
async fn leave_presence(hub: &Hub, who: &Identity, topic: &Topic) {
    let key = presence_key(who, topic);
    let presence = hub.presence();
    if let Some(member) = presence.leave(&key, &who.subject).await {
        hub.announce_presence(&key, topic, &member, "leave").await;
    }
}

/// A session dropped without `close` (an HTTP request whose client went
/// away mid-wait) still frees everything: the hub forgets it at once.
impl Drop for Session {
    fn drop(&mut self) {
        let released = self.release();
        if released.emptied.is_empty() && released.present.is_empty() {
            return;
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let (hub, who) = (self.hub.clone(), self.who.clone());
            runtime.spawn(async move {
                for channel in released.emptied {
                    hub.leave(&channel).await;
                }
                for topic in released.present {
                    leave_presence(&hub, &who, &topic).await;
                }
            });
        }
    }
}
