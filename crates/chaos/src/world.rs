//! A run's setup and ending, shared by the scenarios: the orders and
//! their topics, clients started on them, and the end (heads fetched from
//! the store, told to the clients, their logs collected, checked).

use std::collections::BTreeMap;
use std::path::PathBuf;

use tokio::sync::watch;

use crate::checker::{check, Verdict};
use crate::clients::{self, node, Bases, Transport};
use crate::history::{Ack, ClientLog};
use crate::rest::{self, RestError};

/// The orders of a run, `C-1` … and their topics.
pub struct World {
    pub orders: Vec<String>,
    targets: watch::Sender<Option<BTreeMap<String, u64>>>,
    clients: Vec<tokio::task::JoinHandle<Result<ClientLog, String>>>,
}

impl World {
    /// Creates `count` orders at `base` (directly, not through faults),
    /// each with a first note and chat message, so that a chat
    /// subscription starts with a replay.
    pub async fn create(base: &str, count: usize) -> Result<Self, RestError> {
        let http = rest::http();
        let orders: Vec<String> = (1..=count).map(|n| format!("C-{n}")).collect();
        for order in &orders {
            rest::create_order(&http, base, order).await?;
            for write in [
                rest::Write::Note {
                    order: order.clone(),
                    text: format!("first note of {order}"),
                },
                rest::Write::Chat {
                    order: order.clone(),
                    text: format!("first chat of {order}"),
                },
            ] {
                if let rest::Outcome::Refused(why) | rest::Outcome::Retry(why) =
                    rest::attempt(&http, base, &write).await
                {
                    return Err(RestError::Shape {
                        what: write.mark().to_owned(),
                        body: why,
                    });
                }
            }
        }
        let (targets, _) = watch::channel(None);
        Ok(Self {
            orders,
            targets,
            clients: Vec::new(),
        })
    }

    /// Every topic: each order's and chat's, and the feed.
    pub fn topics(&self) -> Vec<String> {
        let mut topics: Vec<String> = self
            .orders
            .iter()
            .flat_map(|o| [format!("order:{o}"), format!("chat:{o}")])
            .collect();
        topics.push("orders".into());
        topics
    }

    /// A Rust client on `topics`, through `bases` (one server, or the
    /// nodes of a cluster: each client starts one node further on than
    /// the one before, and each reconnect goes to the next node).
    pub fn spawn(&mut self, transport: Transport, bases: impl Into<Bases>, topics: Vec<String>) {
        let name = format!("{}-{}", transport.name(), self.clients.len() + 1);
        let log = ClientLog::new(name, &topics);
        let targets = self.targets.subscribe();
        let bases = bases.into().rotated(self.clients.len());
        self.clients.push(tokio::spawn(async move {
            Ok(clients::run(transport, bases, log, targets).await)
        }));
    }

    /// Rust clients of every transport: for each, one per order (its order
    /// and chat topics) and one on the feed.
    pub fn spawn_every_transport(&mut self, bases: impl Into<Bases>, transports: &[Transport]) {
        let bases = bases.into();
        for &transport in transports {
            for order in self.orders.clone() {
                self.spawn(
                    transport,
                    &bases,
                    vec![format!("order:{order}"), format!("chat:{order}")],
                );
            }
            self.spawn(transport, &bases, vec!["orders".into()]);
        }
    }

    /// The JS SDK in Node on every order, over `transport`.
    pub fn spawn_node(&mut self, js_dir: PathBuf, base: &str, transport: &'static str) {
        let name = format!("node-{transport}-{}", self.clients.len() + 1);
        let targets = self.targets.subscribe();
        let base = base.to_owned();
        let orders = self.orders.clone();
        self.clients.push(tokio::spawn(async move {
            node::run(&js_dir, &base, transport, &orders, name, targets)
                .await
                .map_err(|e| e.to_string())
        }));
    }

    /// Ends the run: the durable history from `base` (the server itself),
    /// the heads told to the clients, their logs awaited, all checked.
    /// Returns the verdict, the reconnects, and the clients that failed
    /// to run at all.
    pub async fn finish(
        self,
        base: &str,
        acks: &[Ack],
    ) -> Result<(Verdict, u64, Vec<String>), RestError> {
        let topics = self.topics();
        let durable = rest::durable(&rest::http(), base, &topics).await?;
        let heads = durable
            .iter()
            .map(|(t, events)| (t.clone(), events.last().map_or(0, |e| e.pos)))
            .collect();
        let _ = self.targets.send(Some(heads));
        let mut logs = Vec::new();
        let mut failed = Vec::new();
        for client in self.clients {
            match client.await {
                Ok(Ok(log)) => logs.push(log),
                Ok(Err(why)) => failed.push(why),
                Err(panic) => failed.push(panic.to_string()),
            }
        }
        let reconnects = logs.iter().map(|l| l.reconnects).sum();
        Ok((check(&durable, &logs, acks), reconnects, failed))
    }
}
