//! What both backends' writers share: group commit. Each backend has one
//! or more writer tasks that take the writes waiting in their queue and
//! commit them in one transaction; a write is answered only once its
//! batch's fate is known.
//!
//! - [`job`]: a queued write ([`Operation`] plus where its answer goes);
//! - [`health`]: what the writers have seen lately, for readiness;
//! - [`queue`]: the callers' side of a writer task.

mod health;
mod job;
mod queue;

pub(crate) use health::WriteHealth;
pub(crate) use job::{Operation, Outcome, Pending};
pub(crate) use queue::{Queued, WriteQueue};
