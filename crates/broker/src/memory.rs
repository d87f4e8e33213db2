//! The in-process broker of embedded mode: one node, so a publication goes
//! straight to this node's sink. Subscribing is free: the hub already drops
//! publications nobody listens to.

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;

use crate::{Broker, BrokerError, Channel, Publication, PublicationSink};

#[derive(Default)]
pub struct MemoryBroker {
    sink: OnceLock<Arc<dyn PublicationSink>>,
}

impl MemoryBroker {
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl Broker for MemoryBroker {
    async fn start(&self, sink: Arc<dyn PublicationSink>) -> Result<(), BrokerError> {
        // A second start keeps the first sink: one node, one hub.
        let _ = self.sink.set(sink);
        Ok(())
    }

    async fn publish(&self, publication: Publication) -> Result<(), BrokerError> {
        let sink = self.sink.get().ok_or(BrokerError::NotStarted)?;
        sink.deliver(Arc::new(publication));
        Ok(())
    }

    async fn subscribe(&self, _channel: &Channel) -> Result<(), BrokerError> {
        Ok(())
    }

    async fn unsubscribe(&self, _channel: &Channel) -> Result<(), BrokerError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use bytes::Bytes;

    use super::*;
    use crate::Class;

    #[derive(Default)]
    struct Collect(Mutex<Vec<Arc<Publication>>>);

    impl PublicationSink for Collect {
        fn deliver(&self, publication: Arc<Publication>) {
            self.0.lock().expect("lock").push(publication);
        }

        fn lost(&self, _scope: crate::Lost) {}
    }

    #[tokio::test]
    async fn publishes_in_order_with_the_same_bytes() {
        let broker = MemoryBroker::new();
        let payload = Bytes::from_static(b"{}");
        let publication = |seq| Publication {
            channel: Channel::new("t", "order:A", trackwire_domain::Audience::Staff),
            class: Class::Durable {
                seq,
                offset: None,
                closes_topic: false,
            },
            payload: payload.clone(),
        };
        assert!(matches!(
            broker.publish(publication(1)).await,
            Err(BrokerError::NotStarted)
        ));
        let sink = Arc::new(Collect::default());
        broker.start(sink.clone()).await.expect("start");
        for seq in 1..=3 {
            broker.publish(publication(seq)).await.expect("publish");
        }
        let got = sink.0.lock().expect("lock");
        assert_eq!(
            got.iter().map(|p| p.seq()).collect::<Vec<_>>(),
            [Some(1), Some(2), Some(3)]
        );
        assert_eq!(
            got[0].payload.as_ptr(),
            payload.as_ptr(),
            "bytes shared, not copied"
        );
    }
}
