//! The Presence conformance suite against the in-process presence, with
//! several nodes over one memory.

mod presence_conformance;

use std::sync::Arc;

use presence_conformance::{Nodes, TEST_LEASE};
use trackwire_gateway::presence::{LocalPresence, Presence};

struct InProcess(LocalPresence);

impl Nodes for InProcess {
    fn node(&self, name: &str) -> Arc<dyn Presence> {
        Arc::new(self.0.node(name))
    }
}

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $name() {
            let nodes = InProcess(LocalPresence::with_lease(TEST_LEASE));
            presence_conformance::$name(&nodes).await;
        }
    )*};
}

conformance!(
    join_leave_and_two_connections_of_one_person,
    one_person_on_two_nodes_is_one_member,
    a_dead_nodes_members_expire_after_one_lease,
);
