//! Presence on order and chat topics against a real server: a snapshot on
//! subscribe, join and leave events, one person with two connections
//! counts once, and a client that goes silent is gone within the heartbeat
//! window.

mod common;

use std::time::Duration;

use common::auth::{secured, seed, token};
use common::{Client, TestServer};
use serde_json::{json, Value};
use trackwire_auth::Role;
use trackwire_server::realtime::RealtimeConfig;

async fn start(config: RealtimeConfig) -> TestServer {
    let server = TestServer::launch(secured(config)).await;
    seed(&server).await;
    server
}

/// A client that sees presence frames, authenticated as `who`.
async fn watcher(server: &TestServer, who: &str, role: Role) -> Client {
    let mut client = Client::connect(&server.ws_url("/v1/ws")).await;
    client.show_presence = true;
    client
        .send(json!({"type": "auth", "token": token(who, role)}))
        .await;
    assert_eq!(client.recv().await["type"], "authenticated");
    client
}

/// Subscribes and returns the subjects of the presence snapshot.
async fn join(client: &mut Client, topic: &str) -> Vec<String> {
    let frames = client.subscribe(json!({"topic": topic})).await;
    assert_eq!(frames.last().expect("subscribed")["type"], "subscribed");
    let snapshot = client.recv().await;
    assert_eq!(snapshot["type"], "presence", "{snapshot}");
    subjects(&snapshot["members"])
}

fn subjects(members: &Value) -> Vec<String> {
    members
        .as_array()
        .expect("members")
        .iter()
        .map(|m| m["subject"].as_str().expect("subject").to_owned())
        .collect()
}

/// The next presence event: (subject, state).
async fn presence_event(client: &mut Client) -> (String, String) {
    loop {
        let frame = client.recv().await;
        if frame["type"] == "event" && frame["event"]["type"] == "presence" {
            let payload = &frame["event"]["payload"];
            return (
                payload["subject"].as_str().expect("subject").to_owned(),
                payload["state"].as_str().expect("state").to_owned(),
            );
        }
    }
}

fn event(subject: &str, state: &str) -> (String, String) {
    (subject.to_owned(), state.to_owned())
}

#[tokio::test]
async fn a_snapshot_on_subscribe_then_joins_and_leaves() {
    let server = start(RealtimeConfig::default()).await;
    let mut ada = watcher(&server, "cust-a", Role::Customer).await;
    assert_eq!(join(&mut ada, "chat:A-1").await, ["cust-a"]);
    assert_eq!(
        presence_event(&mut ada).await,
        event("cust-a", "join"),
        "her own arrival"
    );

    let mut max = watcher(&server, "courier-a", Role::Courier).await;
    assert_eq!(join(&mut max, "chat:A-1").await, ["cust-a", "courier-a"]);
    assert_eq!(presence_event(&mut ada).await, event("courier-a", "join"));

    max.send(json!({"type": "unsubscribe", "topic": "chat:A-1"}))
        .await;
    assert_eq!(presence_event(&mut ada).await, event("courier-a", "leave"));
    // Presence is per topic: the order topic has its own.
    assert_eq!(join(&mut max, "order:A-1").await, ["courier-a"]);
}

#[tokio::test]
async fn one_person_with_two_connections_counts_once() {
    let server = start(RealtimeConfig::default()).await;
    let mut dana = watcher(&server, "dana", Role::Dispatcher).await;
    join(&mut dana, "order:A-1").await;
    assert_eq!(presence_event(&mut dana).await, event("dana", "join"));

    let mut first_tab = watcher(&server, "cust-a", Role::Customer).await;
    join(&mut first_tab, "order:A-1").await;
    assert_eq!(presence_event(&mut dana).await, event("cust-a", "join"));
    let mut second_tab = watcher(&server, "cust-a", Role::Customer).await;
    assert_eq!(
        join(&mut second_tab, "order:A-1").await,
        ["dana", "cust-a"],
        "listed once"
    );

    // The first tab closes: she is still here. Then the second: she left.
    first_tab.socket.close(None).await.expect("close");
    drop(first_tab);
    second_tab.socket.close(None).await.expect("close");
    assert_eq!(
        presence_event(&mut dana).await,
        event("cust-a", "leave"),
        "one leave, after the last tab"
    );

    // Nothing outlives its connection: a newcomer sees only who is here.
    let mut max = watcher(&server, "courier-a", Role::Courier).await;
    assert_eq!(join(&mut max, "order:A-1").await, ["dana", "courier-a"]);
}

#[tokio::test]
async fn a_client_that_goes_silent_leaves_within_the_heartbeat_window() {
    let config = RealtimeConfig {
        heartbeat: Duration::from_millis(200),
        ..RealtimeConfig::default()
    };
    let server = start(config).await;
    let mut dana = watcher(&server, "dana", Role::Dispatcher).await;
    join(&mut dana, "chat:A-1").await;
    presence_event(&mut dana).await;
    let mut ada = watcher(&server, "cust-a", Role::Customer).await;
    join(&mut ada, "chat:A-1").await;
    assert_eq!(presence_event(&mut dana).await, event("cust-a", "join"));
    // Ada's app freezes: it neither reads nor answers pings from now on.
    // Dana keeps reading, which answers the server's pings.
    let frozen = ada;
    let left = tokio::time::timeout(common::PATIENCE, async {
        loop {
            let frame = dana.recv().await;
            if frame["type"] == "event" && frame["event"]["payload"]["state"] == "leave" {
                return frame["event"]["payload"]["subject"].clone();
            }
        }
    })
    .await
    .expect("she left within the heartbeat window");
    assert_eq!(left, "cust-a");
    drop(frozen);
}
