//! Single-use stream tickets.
//!
//! Browsers cannot put an `Authorization` header on an EventSource, and
//! long-lived tokens must never travel in URLs. So a client that holds a
//! token asks `POST /v1/stream-tickets` for a ticket: a random string, good
//! for one SSE or long-poll request within about 30 seconds.
//!
//! [`Tickets`] is the seam: [`TicketBook`] keeps them in this process
//! (embedded mode); in a cluster they live where every node sees them, so
//! a ticket issued on one node is redeemed once, on any node.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use rand::distr::{Alphanumeric, SampleString};

use crate::identity::Authenticated;

/// Most tickets outstanding at once; issuing beyond it first drops the
/// expired ones, then refuses.
const MAX_OUTSTANDING: usize = 100_000;

/// Where tickets are kept.
///
/// Guarantees every backend gives: a ticket is 32 random alphanumeric
/// characters; `redeem` answers the caller it was issued for at most once,
/// on whichever node asks, and only within `ttl` of its issue; later, or a
/// second time, it is [`TicketError::Invalid`].
#[async_trait]
pub trait Tickets: Send + Sync + 'static {
    /// A fresh ticket for `who`; it carries their credentials' expiry, so
    /// a stream opened with it ends when the token would have.
    async fn issue(&self, who: Authenticated) -> Result<String, TicketError>;
    /// The caller a ticket stands for, once.
    async fn redeem(&self, ticket: &str) -> Result<Authenticated, TicketError>;
    /// How long a ticket is good for.
    fn ttl(&self) -> Duration;
}

/// A new ticket's text.
pub fn new_ticket() -> String {
    Alphanumeric.sample_string(&mut rand::rng(), 32)
}

/// Tickets in this process's memory.
pub struct TicketBook {
    ttl: Duration,
    tickets: Mutex<HashMap<String, (Authenticated, Instant)>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    #[error("the ticket is unknown, used or expired; ask POST /v1/stream-tickets for a new one")]
    Invalid,
    #[error("too many tickets outstanding; try again shortly")]
    Full,
    /// Where tickets are kept cannot be reached now (a cluster's Redis).
    #[error("tickets cannot be issued now; try again shortly")]
    Unavailable,
}

impl TicketBook {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            tickets: Mutex::default(),
        }
    }
}

#[async_trait]
impl Tickets for TicketBook {
    fn ttl(&self) -> Duration {
        self.ttl
    }

    async fn issue(&self, who: Authenticated) -> Result<String, TicketError> {
        let ticket = new_ticket();
        let now = Instant::now();
        let mut tickets = self.tickets.lock().unwrap_or_else(|e| e.into_inner());
        if tickets.len() >= MAX_OUTSTANDING {
            tickets.retain(|_, (_, expires)| *expires > now);
            if tickets.len() >= MAX_OUTSTANDING {
                return Err(TicketError::Full);
            }
        }
        tickets.insert(ticket.clone(), (who, now + self.ttl));
        Ok(ticket)
    }

    async fn redeem(&self, ticket: &str) -> Result<Authenticated, TicketError> {
        let mut tickets = self.tickets.lock().unwrap_or_else(|e| e.into_inner());
        match tickets.remove(ticket) {
            Some((who, expires)) if expires > Instant::now() => Ok(who),
            _ => Err(TicketError::Invalid),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Identity;

    #[tokio::test]
    async fn a_ticket_works_once_and_not_after_it_expires() {
        let dev = Authenticated {
            identity: Identity::development(),
            expires: None,
        };
        let book = TicketBook::new(Duration::from_secs(30));
        let ticket = book.issue(dev.clone()).await.expect("issued");
        assert_eq!(ticket.len(), 32);
        assert_eq!(book.redeem(&ticket).await, Ok(dev.clone()));
        assert_eq!(
            book.redeem(&ticket).await,
            Err(TicketError::Invalid),
            "single use"
        );
        assert_eq!(book.redeem("made-up").await, Err(TicketError::Invalid));
        let expired = TicketBook::new(Duration::ZERO);
        let ticket = expired.issue(dev).await.expect("issued");
        assert_eq!(expired.redeem(&ticket).await, Err(TicketError::Invalid));
    }
}
