//! The invariant checker: from the server's durable history, what every
//! client applied and what every writer was told, the first violation of
//!
//! 1. the history is gap-free: positions 1, 2, 3 … on each topic;
//! 2. nothing is stored twice: a writer's mark appears once per topic;
//! 3. every acknowledged event is in the history, at its position;
//! 4. every client applied each event of a topic it watched once, in
//!    order, the very event the store holds there (a snapshot may skip
//!    ahead, never back), and ended exactly at the history's head.
//!
//! Clients from several nodes check the same way: the history is one.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use crate::history::{Ack, Applied, ClientLog, Durable, Stored};

/// One broken promise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    HistoryGap {
        topic: String,
        expected: u64,
        found: u64,
    },
    StoredTwice {
        topic: String,
        mark: String,
        first: u64,
        second: u64,
    },
    AckLost {
        ack: Ack,
        stored: Option<Stored>,
    },
    AppliedTwice {
        client: String,
        topic: String,
        pos: u64,
    },
    Skipped {
        client: String,
        topic: String,
        expected: u64,
        got: u64,
    },
    WrongEvent {
        client: String,
        topic: String,
        pos: u64,
        applied: String,
        stored: String,
    },
    SnapshotBack {
        client: String,
        topic: String,
        from: u64,
        to: u64,
    },
    EndedElsewhere {
        client: String,
        topic: String,
        at: u64,
        head: u64,
    },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::HistoryGap { topic, expected, found } => write!(
                f,
                "history of {topic} has a gap: position {expected} expected, {found} stored"
            ),
            Self::StoredTwice { topic, mark, first, second } => write!(
                f,
                "{topic} stores {mark:?} twice, at {first} and {second}"
            ),
            Self::AckLost { ack, stored } => match stored {
                Some(s) => write!(
                    f,
                    "acknowledged {:?} at {}:{} (id {}), but the store holds {} there",
                    ack.mark, ack.topic, ack.pos, ack.id, s.id
                ),
                None => write!(
                    f,
                    "acknowledged {:?} at {}:{} (id {}) is not in the history",
                    ack.mark, ack.topic, ack.pos, ack.id
                ),
            },
            Self::AppliedTwice { client, topic, pos } => {
                write!(f, "client {client} applied {topic}:{pos} twice")
            }
            Self::Skipped { client, topic, expected, got } => write!(
                f,
                "client {client} on {topic} applied {got} when {expected} was next (an event skipped)"
            ),
            Self::WrongEvent { client, topic, pos, applied, stored } => write!(
                f,
                "client {client} applied {applied} at {topic}:{pos}; the store holds {stored}"
            ),
            Self::SnapshotBack { client, topic, from, to } => write!(
                f,
                "client {client} on {topic} moved back from {from} to {to} on a snapshot"
            ),
            Self::EndedElsewhere { client, topic, at, head } => write!(
                f,
                "client {client} ended {topic} at {at}; the history's head is {head}"
            ),
        }
    }
}

/// What was checked, and what broke (in the order found: topics, acks,
/// then clients by name).
#[derive(Debug, Clone, Default)]
pub struct Verdict {
    pub topics: usize,
    pub stored: usize,
    pub acks: usize,
    pub clients: usize,
    pub applied: usize,
    pub violations: Vec<Violation>,
}

impl Verdict {
    pub fn ok(&self) -> bool {
        self.violations.is_empty()
    }

    /// Adds another run's figures and violations (after this one's).
    pub fn merge(&mut self, other: Verdict) {
        self.topics += other.topics;
        self.stored += other.stored;
        self.acks += other.acks;
        self.clients += other.clients;
        self.applied += other.applied;
        self.violations.extend(other.violations);
    }

    pub fn first(&self) -> Option<&Violation> {
        self.violations.first()
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let checked = format!(
            "{} topics, {} stored events, {} acks, {} client views, {} applied",
            self.topics, self.stored, self.acks, self.clients, self.applied
        );
        match self.first() {
            None => write!(f, "verdict: OK ({checked}), 0 violations"),
            Some(first) => write!(
                f,
                "verdict: FAILED ({checked}), {} violations; first: {first}",
                self.violations.len()
            ),
        }
    }
}

/// Checks a run. `durable` must hold every topic a client watched or a
/// writer wrote to (a topic missing from it has an empty history).
pub fn check(durable: &Durable, clients: &[ClientLog], acks: &[Ack]) -> Verdict {
    let mut verdict = Verdict {
        topics: durable.len(),
        stored: durable.values().map(Vec::len).sum(),
        acks: acks.len(),
        ..Verdict::default()
    };
    let mut by_pos: HashMap<&str, BTreeMap<u64, &Stored>> = HashMap::new();
    for (topic, events) in durable {
        check_history(topic, events, &mut verdict.violations);
        by_pos.insert(topic, events.iter().map(|e| (e.pos, e)).collect());
    }
    let empty = BTreeMap::new();
    for ack in acks {
        let stored = by_pos.get(ack.topic.as_str()).unwrap_or(&empty);
        let held = stored.get(&ack.pos).copied();
        if held.is_none_or(|s| s.id != ack.id) {
            verdict.violations.push(Violation::AckLost {
                ack: ack.clone(),
                stored: held.cloned(),
            });
        }
    }
    for client in clients {
        for (topic, log) in &client.topics {
            verdict.clients += 1;
            verdict.applied += log.applied.len();
            let stored = by_pos.get(topic.as_str()).unwrap_or(&empty);
            check_client(
                &client.name,
                topic,
                &log.applied,
                stored,
                &mut verdict.violations,
            );
        }
    }
    verdict
}

fn check_history(topic: &str, events: &[Stored], out: &mut Vec<Violation>) {
    let mut marks: HashMap<&str, u64> = HashMap::new();
    for (i, event) in events.iter().enumerate() {
        let expected = i as u64 + 1;
        if event.pos != expected {
            out.push(Violation::HistoryGap {
                topic: topic.to_owned(),
                expected,
                found: event.pos,
            });
            return;
        }
        if let Some(mark) = &event.mark {
            if let Some(first) = marks.insert(mark, event.pos) {
                out.push(Violation::StoredTwice {
                    topic: topic.to_owned(),
                    mark: mark.clone(),
                    first,
                    second: event.pos,
                });
            }
        }
    }
}

/// What is wrong with one step of a client's view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    #[error("a snapshot moved the view back")]
    Back,
    #[error("an event applied twice")]
    Twice,
    #[error("an event skipped")]
    Skipped,
}

/// The ordering rule for one step from position `at`: the position after
/// it, or what is wrong. [`check`] uses it, and so do tests that judge
/// as they read (crates/trackwire/tests/common/clients.rs).
pub fn step(at: u64, applied: &Applied) -> Result<u64, StepError> {
    match *applied {
        Applied::Snapshot { pos } if pos < at => Err(StepError::Back),
        Applied::Snapshot { pos } => Ok(pos),
        Applied::Event { pos, .. } if pos <= at => Err(StepError::Twice),
        Applied::Event { pos, .. } if pos != at + 1 => Err(StepError::Skipped),
        Applied::Event { pos, .. } => Ok(pos),
    }
}

fn check_client(
    client: &str,
    topic: &str,
    applied: &[Applied],
    stored: &BTreeMap<u64, &Stored>,
    out: &mut Vec<Violation>,
) {
    let head = stored.keys().next_back().copied().unwrap_or(0);
    let mut at = 0;
    let (client, topic) = (client.to_owned(), topic.to_owned());
    for applied in applied {
        let pos = applied.pos();
        let next = match step(at, applied) {
            Ok(next) => next,
            Err(error) => {
                out.push(match error {
                    StepError::Back => Violation::SnapshotBack {
                        client,
                        topic,
                        from: at,
                        to: pos,
                    },
                    StepError::Twice => Violation::AppliedTwice { client, topic, pos },
                    StepError::Skipped => Violation::Skipped {
                        client,
                        topic,
                        expected: at + 1,
                        got: pos,
                    },
                });
                return;
            }
        };
        if let Applied::Event { id, mark, .. } = applied {
            let held = stored.get(&pos);
            let same = held.is_some_and(|s| {
                id.as_ref().is_none_or(|id| *id == s.id)
                    && mark.as_ref().is_none_or(|m| s.mark.as_ref() == Some(m))
            });
            if !same {
                out.push(Violation::WrongEvent {
                    client,
                    topic,
                    pos,
                    applied: id.clone().or(mark.clone()).unwrap_or_default(),
                    stored: held.map_or("nothing".to_owned(), |s| s.id.clone()),
                });
                return;
            }
        }
        at = next;
    }
    if at != head {
        out.push(Violation::EndedElsewhere {
            client,
            topic,
            at,
            head,
        });
    }
}
