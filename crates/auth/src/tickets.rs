//! Single-use stream tickets.
//!
//! Browsers cannot put an `Authorization` header on an EventSource, and
//! long-lived tokens must never travel in URLs. So a client that holds a
//! token asks `POST /v1/stream-tickets` for a ticket: a random string, good
//! for one SSE or long-poll request within about 30 seconds. Tickets live in
//! this process's memory.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rand::distr::{Alphanumeric, SampleString};

use crate::identity::Authenticated;

/// Most tickets outstanding at once; issuing beyond it first drops the
/// expired ones, then refuses.
const MAX_OUTSTANDING: usize = 100_000;

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
}

impl TicketBook {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            tickets: Mutex::default(),
        }
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// A fresh ticket for `who`. It carries their credentials' expiry, so
    /// a stream opened with it ends when the token would have.
    pub fn issue(&self, who: Authenticated) -> Result<String, TicketError> {
        let ticket = Alphanumeric.sample_string(&mut rand::rng(), 32);
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

    /// The caller a ticket stands for, once: a second use is refused.
    pub fn redeem(&self, ticket: &str) -> Result<Authenticated, TicketError> {
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

    #[test]
    fn a_ticket_works_once_and_not_after_it_expires() {
        let dev = Authenticated {
            identity: Identity::development(),
            expires: None,
        };
        let book = TicketBook::new(Duration::from_secs(30));
        let ticket = book.issue(dev.clone()).expect("issued");
        assert_eq!(ticket.len(), 32);
        assert_eq!(book.redeem(&ticket), Ok(dev.clone()));
        assert_eq!(
            book.redeem(&ticket),
            Err(TicketError::Invalid),
            "single use"
        );
        assert_eq!(book.redeem("made-up"), Err(TicketError::Invalid));
        let expired = TicketBook::new(Duration::ZERO);
        let ticket = expired.issue(dev).expect("issued");
        assert_eq!(expired.redeem(&ticket), Err(TicketError::Invalid));
    }
}
