//! What the writers have seen lately, for readiness: the last commit and
//! the last failure no write has succeeded since.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::StoreError;

/// How long after a failed write readiness keeps saying so, when no write
/// has succeeded since.
const FAILURE_MEMORY: Duration = Duration::from_secs(5);

#[derive(Default)]
pub(crate) struct WriteHealth {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    last_failure: Option<(Instant, String)>,
    last_commit: Option<Instant>,
}

impl WriteHealth {
    pub(crate) fn failed(&self, error: &StoreError) {
        if let StoreError::Unavailable(reason) = error.to_unavailable() {
            if let Ok(mut state) = self.state.lock() {
                state.last_failure = Some((Instant::now(), reason));
            }
        }
    }

    /// A batch committed; `recovers`: it held a write that proves writes
    /// work again (not just a probe).
    pub(crate) fn committed(&self, recovers: bool) {
        if let Ok(mut state) = self.state.lock() {
            state.last_commit = Some(Instant::now());
            if recovers {
                state.last_failure = None;
            }
        }
    }

    /// True when a batch committed within `within` and nothing failed
    /// since: the store has just shown it can write.
    pub(crate) fn committed_within(&self, within: Duration) -> bool {
        self.state.lock().is_ok_and(|state| {
            state.last_failure.is_none()
                && state.last_commit.is_some_and(|at| at.elapsed() < within)
        })
    }

    /// The reason of a recent failure no write has succeeded since.
    pub(crate) fn recent_failure(&self) -> Option<String> {
        let state = self.state.lock().ok()?;
        state
            .last_failure
            .as_ref()
            .filter(|(at, _)| at.elapsed() < FAILURE_MEMORY)
            .map(|(_, reason)| reason.clone())
    }

    /// Readiness's answer: a recent failure, a commit a moment ago (proof
    /// enough: readiness is polled often), or else `probe` runs a write.
    pub(crate) async fn probe<F>(&self, probe: F) -> Result<(), StoreError>
    where
        F: std::future::Future<Output = Result<(), StoreError>>,
    {
        if let Some(reason) = self.recent_failure() {
            return Err(StoreError::Unavailable(reason));
        }
        if self.committed_within(Duration::from_secs(1)) {
            return Ok(());
        }
        probe.await
    }
}
