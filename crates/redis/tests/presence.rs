//! The Presence conformance suite against Redis: several nodes over one
//! Redis, with a short lease.

#[path = "../../gateway/tests/presence_conformance/mod.rs"]
mod presence_conformance;
mod support;

use std::sync::Arc;

use presence_conformance::{Nodes, TEST_LEASE};
use trackwire_gateway::presence::Presence;
use trackwire_redis::RedisPresence;

struct OnRedis {
    nodes: std::collections::HashMap<String, Arc<RedisPresence>>,
}

impl Nodes for OnRedis {
    fn node(&self, name: &str) -> Arc<dyn Presence> {
        self.nodes[name].clone()
    }
}

async fn nodes(client: &redis::Client) -> OnRedis {
    let prefix = support::prefix();
    let mut nodes = std::collections::HashMap::new();
    for name in ["a", "b", "dead", "alive"] {
        let presence = RedisPresence::connect(client, &prefix, name, TEST_LEASE)
            .await
            .expect("connect");
        nodes.insert(name.to_owned(), Arc::new(presence));
    }
    OnRedis { nodes }
}

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $name() {
            let Some(client) = support::shared_redis().await else { return };
            presence_conformance::$name(&nodes(&client).await).await;
        }
    )*};
}

conformance!(
    join_leave_and_two_connections_of_one_person,
    one_person_on_two_nodes_is_one_member,
    a_dead_nodes_members_expire_after_one_lease,
);
