//! How long a connection's credentials hold: `auth_expiring` before the
//! token expires, the token-expired close when it lapses, and a fresh
//! lease whenever an `auth` frame refreshes it.

use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use crate::realtime::admission::lapse_instant;

pub(super) struct Lease {
    /// None: the development identity, which never lapses.
    expires: Option<Instant>,
    lead: Duration,
    warned: bool,
}

/// What the lease's timer asks for when it fires.
pub(super) enum Due {
    /// Tell the client to refresh: its token has this many seconds left.
    Warn(u64),
    /// The token lapsed.
    Lapsed,
}

impl Lease {
    pub(super) fn new(expires: Option<SystemTime>, lead: Duration) -> Self {
        Self {
            expires: expires.map(|at| lapse_instant(Some(at))),
            lead,
            warned: false,
        }
    }

    /// Seconds the token has left, for the `authenticated` frame.
    pub(super) fn seconds_left(&self) -> Option<u64> {
        self.expires
            .map(|at| at.saturating_duration_since(Instant::now()).as_secs())
    }

    /// When the timer should fire next (None: never).
    pub(super) fn deadline(&self) -> Option<Instant> {
        let expires = self.expires?;
        Some(if self.warned {
            expires
        } else {
            expires.checked_sub(self.lead).unwrap_or(expires)
        })
    }

    /// Called when the deadline passed.
    pub(super) fn fire(&mut self) -> Due {
        match self.expires {
            Some(expires) if !self.warned && Instant::now() < expires => {
                self.warned = true;
                Due::Warn(expires.saturating_duration_since(Instant::now()).as_secs())
            }
            _ => Due::Lapsed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warns_first_then_lapses() {
        let mut lease = Lease::new(
            Some(SystemTime::now() + Duration::from_secs(100)),
            Duration::from_secs(30),
        );
        let deadline = lease.deadline().expect("expires");
        let warn_in = deadline.saturating_duration_since(Instant::now());
        assert!(warn_in > Duration::from_secs(60) && warn_in <= Duration::from_secs(70));
        assert!(matches!(lease.fire(), Due::Warn(left) if (90..=100).contains(&left)));
        assert!(lease.deadline().expect("expires") > deadline);
        assert!(Lease::new(None, Duration::from_secs(30))
            .deadline()
            .is_none());
        let mut lapsed = Lease::new(Some(SystemTime::now()), Duration::from_secs(30));
        assert!(matches!(lapsed.fire(), Due::Lapsed));
    }
}
