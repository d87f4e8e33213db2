//! The Broker conformance suite against the in-process broker.

mod conformance;

use std::sync::Arc;

use async_trait::async_trait;
use conformance::Backplane;
use trackwire_broker::{Broker, MemoryBroker};

struct InProcess;

#[async_trait]
impl Backplane for InProcess {
    async fn node(&self) -> Arc<dyn Broker> {
        Arc::new(MemoryBroker::new())
    }

    fn networked(&self) -> bool {
        false
    }
}

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $name() {
            conformance::$name(&InProcess).await;
        }
    )*};
}

conformance!(
    subscribe_is_a_barrier_and_order_holds,
    channels_stay_apart,
    two_publishers_interleave_but_each_stays_in_order,
);
