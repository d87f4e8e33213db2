//! Client frames per second per connection (governor's GCRA), so one
//! flooding client costs the server little and nobody else anything.

use std::num::NonZeroU32;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

pub(super) struct FrameRate {
    limiter: DefaultDirectRateLimiter,
}

impl FrameRate {
    pub(super) fn new(per_second: u32, burst: u32) -> Self {
        let per_second = NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(burst).unwrap_or(per_second);
        Self {
            limiter: RateLimiter::direct(Quota::per_second(per_second).allow_burst(burst)),
        }
    }

    /// True when one more frame may be handled now.
    pub(super) fn admit(&self) -> bool {
        self.limiter.check().is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_and_then_frames_are_refused() {
        let rate = FrameRate::new(1, 5);
        assert!((0..5).all(|_| rate.admit()));
        assert!(!rate.admit());
    }
}
