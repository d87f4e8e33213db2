//! Topic epochs: a short random string, new whenever a topic's history
//! starts (or would have to start) again.

use rand::distr::{Alphanumeric, SampleString};

pub(crate) fn new_epoch() -> String {
    Alphanumeric.sample_string(&mut rand::rng(), 8)
}
