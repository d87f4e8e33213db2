//! Cluster mode, as separate `trackwire serve` processes on one PostgreSQL
//! database and one Redis: any node serves any client, and a client that
//! moves between nodes (on every reconnect, or because its node died)
//! still gets every durable event once, in order.
//!
//! Needs PostgreSQL and Redis (`scripts/services` starts them); fails
//! without them unless `TRACKWIRE_ALLOW_SKIP=1`. Tests that restart Redis
//! or PostgreSQL start their own on a free port.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::clients::{create_order, history, note, read_sse, Position, Watcher, PATIENCE};
use common::cluster::{
    redis_url, services_answer, token, Cluster, ClusterSetup, Database, OwnPostgres, OwnRedis,
};
use serde_json::{json, Value};
use trackwire_auth::Role;

fn setup(store: &str, redis: String) -> ClusterSetup<'_> {
    ClusterSetup {
        nodes: 3,
        store,
        redis,
        extra: Vec::new(),
    }
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(PATIENCE)
        .build()
        .expect("client")
}

/// Records `count` notes on `order`, one node after the other; returns the
/// seqs acknowledged.
async fn notes_round_robin(cluster: &Cluster, order: &str, count: usize) -> Vec<u64> {
    let http = http();
    let mut seqs = Vec::new();
    for i in 0..count {
        let base = cluster.base(i % cluster.nodes.len());
        seqs.push(
            note(&http, base, order, &format!("n{i}"))
                .await
                .expect("201"),
        );
    }
    seqs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_event_recorded_on_one_node_is_delivered_on_the_others() {
    if !services_answer() {
        return;
    }
    let db = Database::fresh().expect("create the test database");
    let cluster = Cluster::start(setup(&db.url, redis_url()));
    let http = http();
    create_order(&http, cluster.base(0), "CL-1").await;
    let mut watchers = Vec::new();
    for node in [1, 2] {
        let mut watcher = Watcher::connect(&cluster.ws_url(node, "/v1/ws")).await;
        let mut position = Position::default();
        watcher.subscribe("order:CL-1", &mut position).await;
        watchers.push((watcher, position));
    }
    for i in 0..20 {
        note(&http, cluster.base(0), "CL-1", &format!("n{i}"))
            .await
            .expect("201");
    }
    for (watcher, position) in &mut watchers {
        watcher.until(position, 21).await;
        assert_eq!(position.applied, (1..=21).collect::<Vec<u64>>());
    }
}

/// A WebSocket client that reconnects to the next node after every few
/// events, while the events are recorded on every node.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_websocket_client_on_another_node_at_every_reconnect_gets_every_event_once() {
    if !services_answer() {
        return;
    }
    let db = Database::fresh().expect("create the test database");
    let cluster = Cluster::start(setup(&db.url, redis_url()));
    create_order(&http(), cluster.base(0), "RW-1").await;
    let total = 61;
    let mut position = Position::default();
    let reader = async {
        let mut node = 0;
        while position.seq < total {
            let mut watcher = Watcher::connect(&cluster.ws_url(node % 3, "/v1/ws")).await;
            watcher.subscribe("order:RW-1", &mut position).await;
            let goal = (position.seq + 5).min(total);
            watcher.until(&mut position, goal).await;
            node += 1;
        }
        node
    };
    let (reconnects, acknowledged) = tokio::join!(reader, notes_round_robin(&cluster, "RW-1", 60));
    assert!(reconnects >= 3, "moved between nodes {reconnects} times");
    assert_eq!(acknowledged, (2..=total).collect::<Vec<u64>>());
    assert_eq!(position.applied, (1..=total).collect::<Vec<u64>>());
}

/// SSE resumed with `Last-Event-ID` on another node each time.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_sse_client_resuming_on_another_node_gets_every_event_once() {
    if !services_answer() {
        return;
    }
    let db = Database::fresh().expect("create the test database");
    let cluster = Cluster::start(setup(&db.url, redis_url()));
    let http = http();
    create_order(&http, cluster.base(0), "RS-1").await;
    let total = 46;
    let mut position = Position::default();
    let reader = async {
        let (mut node, mut last_id) = (0, None::<String>);
        while position.seq < total {
            let mut request = http
                .get(format!(
                    "{}/v1/sse?topics=order:RS-1",
                    cluster.base(node % 3)
                ))
                .timeout(Duration::from_secs(120));
            if let Some(id) = &last_id {
                request = request.header("last-event-id", id);
            }
            let response = request.send().await.expect("sse");
            assert_eq!(response.status(), 200);
            let wanted = ((total - position.seq) as usize).min(4);
            if let Some(id) = read_sse(response, &mut position, wanted).await {
                last_id = Some(id);
            }
            node += 1;
        }
        node
    };
    let (reconnects, _) = tokio::join!(reader, notes_round_robin(&cluster, "RS-1", 45));
    assert!(reconnects >= 3, "moved between nodes {reconnects} times");
    assert_eq!(position.applied, (1..=total).collect::<Vec<u64>>());
}

/// Long-poll with every poll on another node.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_long_poller_with_every_poll_on_another_node_gets_every_event_once() {
    if !services_answer() {
        return;
    }
    let db = Database::fresh().expect("create the test database");
    let cluster = Cluster::start(setup(&db.url, redis_url()));
    let http = http();
    create_order(&http, cluster.base(0), "RP-1").await;
    let total = 46;
    let mut position = Position::default();
    let reader = async {
        let (mut node, mut cursor) = (0, None::<String>);
        while position.seq < total {
            let mut url = format!(
                "{}/v1/poll?topics=order:RP-1&wait=2",
                cluster.base(node % 3)
            );
            if let Some(cursor) = &cursor {
                url.push_str(&format!("&cursor={cursor}"));
            }
            let answer: Value = http
                .get(url)
                .send()
                .await
                .expect("poll")
                .json()
                .await
                .expect("json");
            for frame in answer["events"].as_array().expect("events") {
                position.apply(frame);
            }
            cursor = answer["cursor"].as_str().map(str::to_owned);
            node += 1;
        }
        node
    };
    let (polls, _) = tokio::join!(reader, notes_round_robin(&cluster, "RP-1", 45));
    assert!(polls >= 3, "{polls} polls");
    assert_eq!(position.applied, (1..=total).collect::<Vec<u64>>());
}

/// 64 writers spread over the three nodes, on one order and on one tenant
/// (16 orders): every seq and every feed offset once, no gap.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_writers_over_three_nodes_leave_seq_and_offset_gap_free() {
    if !services_answer() {
        return;
    }
    let db = Database::fresh().expect("create the test database");
    let cluster = Cluster::start(setup(&db.url, redis_url()));
    let http = http();
    create_order(&http, cluster.base(0), "HOT-1").await;
    for i in 0..16 {
        create_order(&http, cluster.base(i % 3), &format!("T-{i}")).await;
    }
    let mut writers = Vec::new();
    for w in 0..64usize {
        let (http, base) = (http.clone(), cluster.base(w % 3).to_owned());
        writers.push(tokio::spawn(async move {
            for n in 0..4 {
                let order = if n % 2 == 0 {
                    "HOT-1".to_owned()
                } else {
                    format!("T-{}", (w + n) % 16)
                };
                note(&http, &base, &order, &format!("w{w} n{n}"))
                    .await
                    .expect("201");
            }
        }));
    }
    for writer in writers {
        writer.await.expect("writer");
    }
    let hot: Vec<u64> = history(&http, cluster.base(1), "HOT-1")
        .await
        .iter()
        .map(|e| e["seq"].as_u64().expect("seq"))
        .collect();
    assert_eq!(hot, (1..=129).collect::<Vec<u64>>());
    let feed: Value = http
        .get(format!("{}/v1/feed?since=0&limit=1000", cluster.base(2)))
        .send()
        .await
        .expect("feed")
        .json()
        .await
        .expect("json");
    let offsets: Vec<u64> = feed["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["offset"].as_u64().expect("offset"))
        .collect();
    let total = 1 + 16 + 64 * 4;
    assert_eq!(offsets, (1..=total).collect::<Vec<u64>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stream_ticket_issued_on_one_node_works_once_on_another() {
    if !services_answer() {
        return;
    }
    let db = Database::fresh().expect("create the test database");
    let cluster = Cluster::start(setup(&db.url, redis_url()));
    let http = http();
    create_order(&http, cluster.base(0), "TK-1").await;
    let issued: Value = http
        .post(format!("{}/v1/stream-tickets", cluster.base(0)))
        .bearer_auth(token("disp-1", Role::Dispatcher))
        .send()
        .await
        .expect("issue")
        .json()
        .await
        .expect("json");
    let ticket = issued["ticket"].as_str().expect("ticket");
    let poll = |node: usize| {
        http.get(format!(
            "{}/v1/poll?topics=order:TK-1&wait=0&ticket={ticket}",
            cluster.base(node)
        ))
        .send()
    };
    let first = poll(2).await.expect("poll");
    assert_eq!(first.status(), 200, "the ticket works on another node");
    let again = poll(1).await.expect("poll");
    assert_eq!(again.status(), 401, "and only once");
    let body: Value = again.json().await.expect("json");
    assert_eq!(body["error"]["code"], "invalid_ticket", "{body}");
}

/// SIGTERM on a node: its readiness fails first, then its clients are
/// told to reconnect after delays spread over the drain window; they
/// resume on the other nodes.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_draining_node_fails_readiness_first_then_moves_its_clients() {
    if !services_answer() {
        return;
    }
    let db = Database::fresh().expect("create the test database");
    let mut setup = setup(&db.url, redis_url());
    setup.extra = ["--drain-delay", "1", "--drain-window", "2"]
        .map(String::from)
        .to_vec();
    let mut cluster = Cluster::start(setup);
    let http = http();
    create_order(&http, cluster.base(1), "DR-1").await;
    let mut clients = Vec::new();
    for _ in 0..20 {
        let mut watcher = Watcher::connect(&cluster.ws_url(0, "/v1/ws")).await;
        let mut position = Position::default();
        watcher.subscribe("order:DR-1", &mut position).await;
        clients.push((watcher, position));
    }
    let draining = cluster.nodes.remove(0);
    let base = draining.base.clone();
    let pid = draining.child.id().to_string();
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(sent.success());
    // Readiness fails at once, while every client is still connected.
    let mut ready = 200;
    for _ in 0..50 {
        ready = http
            .get(format!("{base}/v1/health/ready"))
            .send()
            .await
            .map_or(0, |r| r.status().as_u16());
        if ready == 503 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(ready, 503, "readiness fails first");
    let mut delays = Vec::new();
    for (watcher, position) in &mut clients {
        let frame = watcher.frames_until(|f| f["type"] == "reconnect").await;
        let after = frame["afterMs"].as_u64().expect("afterMs");
        assert!(after <= 2000, "within the drain window: {after}");
        delays.push(after);
        let _ = position;
    }
    let distinct: HashSet<u64> = delays.iter().copied().collect();
    assert!(distinct.len() > 5, "spread over the window: {delays:?}");
    // Everyone resumes on the others and sees what comes next.
    let acknowledged = notes_round_robin(&cluster, "DR-1", 4).await;
    for (i, (_, position)) in clients.iter_mut().enumerate() {
        let mut watcher = Watcher::connect(&cluster.ws_url(i % 2, "/v1/ws")).await;
        watcher.subscribe("order:DR-1", position).await;
        watcher.until(position, 5).await;
        assert_eq!(position.applied, (1..=5).collect::<Vec<u64>>());
    }
    assert_eq!(acknowledged, [2, 3, 4, 5]);
    drop(draining);
}

/// kill -9 of a node with 1,000 WebSocket clients: all of them resume on
/// the other two, exactly; the presence entries of the dead node expire
/// within its lease (two heartbeats).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_node_killed_with_a_thousand_clients_loses_none_and_leaves_no_ghost() {
    if !services_answer() {
        return;
    }
    let db = Database::fresh().expect("create the test database");
    let mut cluster = Cluster::start(setup(&db.url, redis_url()));
    let http = http();
    let orders: Vec<String> = (0..10).map(|i| format!("K-{i}")).collect();
    for order in &orders {
        create_order(&http, cluster.base(1), order).await;
    }
    // Three people on the doomed node who will not come back.
    let mut ghosts = Vec::new();
    for g in 0..3 {
        let mut ghost = Watcher::connect_as(
            &cluster.ws_url(0, "/v1/ws"),
            &token(&format!("ghost-{g}"), Role::Dispatcher),
        )
        .await;
        let mut position = Position::default();
        ghost.subscribe("order:K-0", &mut position).await;
        ghosts.push(ghost);
    }
    let mut observer = Watcher::connect_as(
        &cluster.ws_url(2, "/v1/ws"),
        &token("observer", Role::Dispatcher),
    )
    .await;
    let mut observed = Position::default();
    observer.subscribe("order:K-0", &mut observed).await;
    let present = observer.frames_until(|f| f["type"] == "presence").await;
    let members: Vec<&str> = present["members"]
        .as_array()
        .expect("members")
        .iter()
        .filter_map(|m| m["subject"].as_str())
        .collect();
    for g in 0..3 {
        assert!(
            members.contains(&format!("ghost-{g}").as_str()),
            "{present}"
        );
    }

    // A thousand clients on node 0, a hundred per order.
    let mut clients = Vec::new();
    for i in 0..1000 {
        let url = cluster.ws_url(0, "/v1/ws");
        let topic = format!("order:{}", orders[i % orders.len()]);
        clients.push(tokio::spawn(async move {
            let mut watcher = Watcher::connect(&url).await;
            let mut position = Position::default();
            watcher.subscribe(&topic, &mut position).await;
            (watcher, position, topic)
        }));
    }
    let mut connected = Vec::new();
    for client in clients {
        connected.push(client.await.expect("client"));
    }
    let before = notes_round_robin(&cluster, "K-0", 2).await;
    assert_eq!(before, [2, 3]);

    let killed_at = std::time::Instant::now();
    cluster.nodes.remove(0).kill_9();
    drop(ghosts);
    // Events go on while the clients move.
    let writes = async {
        let mut acked = 0;
        for round in 0..5 {
            for (i, order) in orders.iter().enumerate() {
                let base = cluster.base((i + round) % 2);
                note(&http, base, order, &format!("after {round}"))
                    .await
                    .expect("201");
                acked += 1;
            }
        }
        acked
    };
    let resumed = async {
        let mut tasks = Vec::new();
        for (i, (mut watcher, mut position, topic)) in connected.into_iter().enumerate() {
            let url = cluster.ws_url(i % 2, "/v1/ws");
            tasks.push(tokio::spawn(async move {
                // The dead node's socket ends; resume elsewhere.
                while watcher.next().await.is_some() {}
                let mut watcher = Watcher::connect(&url).await;
                watcher.subscribe(&topic, &mut position).await;
                let goal = if topic == "order:K-0" { 8 } else { 6 };
                watcher.until(&mut position, goal).await;
                position
            }));
        }
        let mut positions = Vec::new();
        for task in tasks {
            positions.push(task.await.expect("resumed"));
        }
        positions
    };
    let (acked, positions) = tokio::join!(writes, resumed);
    assert_eq!(acked, 50);
    assert_eq!(positions.len(), 1000);
    for (i, position) in positions.iter().enumerate() {
        let last = if i % orders.len() == 0 { 8 } else { 6 };
        assert_eq!(
            position.applied,
            (1..=last).collect::<Vec<u64>>(),
            "client {i}"
        );
    }
    // The ghosts leave the observer's presence, within the lease.
    let mut gone = HashSet::new();
    while gone.len() < 3 {
        let frame = observer.next().await.expect("presence events");
        observed.apply(&frame);
        if frame["type"] == "event" && frame["event"]["type"] == "presence" {
            let payload = &frame["event"]["payload"];
            if payload["state"] == "leave" {
                if let Some(subject) = payload["subject"].as_str() {
                    if subject.starts_with("ghost-") {
                        gone.insert(subject.to_owned());
                    }
                }
            }
        }
    }
    let took = killed_at.elapsed();
    assert!(
        took < Duration::from_secs(8),
        "the dead node's presence expired after {took:?}"
    );
}

/// Redis restarted while 100 events/s are recorded: no client misses an
/// event. Then Redis down for 10 s: writes keep succeeding, readiness says
/// the broker is down, and the clients catch up once it is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn redis_restarts_and_outages_cost_clients_nothing() {
    if !services_answer() {
        return;
    }
    let db = Database::fresh().expect("create the test database");
    let mut redis = OwnRedis::start().await;
    let cluster = Cluster::start(setup(&db.url, redis.url()));
    let http = http();
    create_order(&http, cluster.base(0), "RD-1").await;
    let mut watchers = Vec::new();
    for node in 0..3 {
        let mut watcher = Watcher::connect(&cluster.ws_url(node, "/v1/ws")).await;
        let mut position = Position::default();
        watcher.subscribe("order:RD-1", &mut position).await;
        watchers.push((watcher, position));
    }
    // 100 events/s from three nodes; Redis restarts in the middle.
    let record = |count: usize, from: usize| {
        let (http, cluster) = (&http, &cluster);
        async move {
            let mut ticker = tokio::time::interval(Duration::from_millis(10));
            let mut seqs = Vec::new();
            for i in from..from + count {
                ticker.tick().await;
                let base = cluster.base(i % 3);
                seqs.push(
                    note(http, base, "RD-1", &format!("e{i}"))
                        .await
                        .expect("201"),
                );
            }
            seqs
        }
    };
    let restart = async {
        tokio::time::sleep(Duration::from_millis(1000)).await;
        redis.down();
        redis.up().await;
    };
    let (first, ()) = tokio::join!(record(300, 0), restart);
    assert_eq!(first.len(), 300);
    for (watcher, position) in &mut watchers {
        watcher.until(position, 301).await;
        assert_eq!(position.applied, (1..=301).collect::<Vec<u64>>());
    }

    // Ten seconds without Redis.
    redis.down();
    let outage = async {
        let seqs = record(100, 300).await;
        let status = http
            .get(format!("{}/v1/health/ready", cluster.base(1)))
            .send()
            .await
            .expect("ready");
        let code = status.status();
        let body: Value = status.json().await.expect("json");
        (seqs, code, body)
    };
    let (seqs, code, body) = outage.await;
    assert_eq!(
        seqs,
        (302..=401).collect::<Vec<u64>>(),
        "writes kept succeeding"
    );
    assert_eq!(code, 503, "readiness says the broker is down: {body}");
    assert_eq!(body["checks"]["broker"], "disconnected", "{body}");
    tokio::time::sleep(Duration::from_secs(9)).await;
    redis.up().await;
    for (watcher, position) in &mut watchers {
        watcher.until(position, 401).await;
        assert_eq!(position.applied, (1..=401).collect::<Vec<u64>>());
    }
}

/// PostgreSQL restarted under writes: meanwhile writes answer 503
/// `store_unavailable`, then resume gap-free; nothing acknowledged is lost
/// and the clients see every event once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_postgres_restart_answers_store_unavailable_then_resumes_gap_free() {
    if !services_answer() {
        return;
    }
    let mut postgres = OwnPostgres::start();
    let db = Database::on(&postgres.admin_url()).expect("create the test database");
    let cluster = Cluster::start(setup(&db.url, redis_url()));
    let http = http();
    create_order(&http, cluster.base(0), "PG-1").await;
    let mut watcher = Watcher::connect(&cluster.ws_url(2, "/v1/ws")).await;
    let mut position = Position::default();
    watcher.subscribe("order:PG-1", &mut position).await;

    let mut acknowledged = Vec::new();
    let mut refused = 0;
    let mut i = 0;
    let mut restarted = false;
    // Write until PostgreSQL has been down and back and 20 more writes
    // went through.
    let mut after_restart = 0;
    while after_restart < 20 {
        let base = cluster.base(i % 2);
        i += 1;
        let reply = http
            .post(format!("{base}/v1/orders/PG-1/events"))
            .json(&json!({"type": "instructions_changed", "text": format!("p{i}")}))
            .send()
            .await
            .expect("reply");
        match reply.status().as_u16() {
            201 => {
                let body: Value = reply.json().await.expect("json");
                acknowledged.push(body["event"]["seq"].as_u64().expect("seq"));
                if restarted {
                    after_restart += 1;
                }
            }
            503 => {
                let body: Value = reply.json().await.expect("json");
                assert_eq!(body["error"]["code"], "store_unavailable", "{body}");
                refused += 1;
            }
            other => panic!("a write answered {other}"),
        }
        if acknowledged.len() == 10 && !restarted {
            postgres.stop();
            // While it is down, every write is refused with the code.
            for _ in 0..5 {
                let reply = http
                    .post(format!("{}/v1/orders/PG-1/events", cluster.base(1)))
                    .json(&json!({"type": "instructions_changed", "text": "down"}))
                    .send()
                    .await
                    .expect("reply");
                assert_eq!(reply.status(), 503);
                refused += 1;
            }
            postgres.start_again();
            restarted = true;
        }
    }
    assert!(refused >= 5);
    let stored: Vec<u64> = history(&http, cluster.base(0), "PG-1")
        .await
        .iter()
        .map(|e| e["seq"].as_u64().expect("seq"))
        .collect();
    let last = *stored.last().expect("events");
    assert_eq!(stored, (1..=last).collect::<Vec<u64>>(), "gap-free");
    for seq in &acknowledged {
        assert!(stored.contains(seq), "acknowledged {seq} is stored");
    }
    watcher.until(&mut position, last).await;
    assert_eq!(position.applied, stored);
}
