//! How many refused frames a connection may send before it counts as
//! abusive.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

pub(super) struct ErrorBudget {
    allowed: usize,
    window: Duration,
    spent: VecDeque<Instant>,
}

impl ErrorBudget {
    pub(super) fn new(allowed: usize, window: Duration) -> Self {
        Self {
            allowed,
            window,
            spent: VecDeque::new(),
        }
    }

    /// Counts one refused frame; true once more than `allowed` fell within
    /// the window.
    pub(super) fn spend(&mut self) -> bool {
        let now = Instant::now();
        while self
            .spent
            .front()
            .is_some_and(|t| now.duration_since(*t) > self.window)
        {
            self.spent.pop_front();
        }
        self.spent.push_back(now);
        self.spent.len() > self.allowed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_over_the_budget_is_abuse() {
        let mut budget = ErrorBudget::new(3, Duration::from_secs(10));
        assert!(!budget.spend());
        assert!(!budget.spend());
        assert!(!budget.spend());
        assert!(budget.spend());
    }
}
