//! Failed authentication attempts per client IP.
//!
//! Guessing tokens is hopeless against a good key, but every refused token
//! still costs a signature check, and a client that keeps presenting bad
//! tokens is either broken or hostile. After `burst` failures from one IP
//! (refilled at `per_minute`), further failures from it are answered
//! `rate_limited` instead of saying what was wrong with the token.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};

use std::time::Instant;

use dashmap::DashMap;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Every this many failures, IPs that have been quiet are forgotten, so the
/// table cannot grow without bound.
const SWEEP_EVERY: u32 = 1024;

pub struct FailedAttempts {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    /// IPs over the limit, until when: checked before a token is verified,
    /// so a flood of bad tokens does not cost a signature check each.
    blocked: DashMap<IpAddr, Instant>,
    since_sweep: AtomicU32,
}

impl FailedAttempts {
    /// Allows `burst` failures at once per IP, refilled at `per_minute`.
    pub fn new(per_minute: NonZeroU32, burst: NonZeroU32) -> Self {
        Self {
            limiter: RateLimiter::keyed(Quota::per_minute(per_minute).allow_burst(burst)),
            blocked: DashMap::new(),
            since_sweep: AtomicU32::new(0),
        }
    }

    /// True while `ip` is over the limit: refuse before verifying.
    pub fn is_blocked(&self, ip: IpAddr) -> bool {
        let Some(until) = self.blocked.get(&ip).map(|until| *until) else {
            return false;
        };
        if until > Instant::now() {
            return true;
        }
        self.blocked
            .remove_if(&ip, |_, until| *until <= Instant::now());
        false
    }

    /// Counts one failure from `ip`; false once it has failed too often
    /// (and then it is blocked until its next failure would be allowed).
    pub fn record_failure(&self, ip: IpAddr) -> bool {
        if self.since_sweep.fetch_add(1, Ordering::Relaxed) >= SWEEP_EVERY {
            self.since_sweep.store(0, Ordering::Relaxed);
            self.limiter.retain_recent();
            let now = Instant::now();
            self.blocked.retain(|_, until| *until > now);
        }
        match self.limiter.check_key(&ip) {
            Ok(()) => true,
            Err(not_until) => {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                self.blocked.insert(ip, Instant::now() + wait);
                false
            }
        }
    }
}

impl Default for FailedAttempts {
    /// 20 failures at once, then one more every 6 s.
    fn default() -> Self {
        Self::new(
            NonZeroU32::MIN.saturating_add(9),
            NonZeroU32::MIN.saturating_add(19),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ip_that_keeps_failing_is_limited_and_others_are_not() {
        let attempts = FailedAttempts::new(NonZeroU32::MIN, NonZeroU32::new(3).expect("3"));
        let bad: IpAddr = "10.0.0.1".parse().expect("ip");
        let other: IpAddr = "10.0.0.2".parse().expect("ip");
        assert!((0..3).all(|_| attempts.record_failure(bad)));
        assert!(!attempts.is_blocked(bad));
        assert!(
            !attempts.record_failure(bad),
            "the fourth failure is limited"
        );
        assert!(
            attempts.is_blocked(bad),
            "and refused before the next verify"
        );
        assert!(attempts.record_failure(other), "another IP is not");
        assert!(!attempts.is_blocked(other));
    }
}
