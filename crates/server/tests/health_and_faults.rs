//! Health that tells the truth, and a store that cannot write: writes
//! answer `503 store_unavailable` with `Retry-After`, readiness fails
//! meanwhile, nothing acknowledged is lost, and writes resume gap-free.

mod rest_support;

use reqwest::StatusCode;
use rest_support::TestServer;
use serde_json::{json, Value};

fn note(i: usize) -> Value {
    json!({"type": "instructions_changed", "text": format!("{i}:{}", "x".repeat(480))})
}

async fn wait_ready(server: &TestServer, want: StatusCode) -> Value {
    let deadline = tokio::time::Instant::now() + rest_support::PATIENCE;
    loop {
        let ready = server.get("/v1/health/ready").await;
        if ready.status == want {
            return ready.body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "readiness stayed {} {}",
            ready.status,
            ready.body
        );
        // Readiness is polled, as a load balancer does.
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_store_that_cannot_write_answers_503_and_fails_readiness_until_it_can() {
    let server = TestServer::start().await;
    server.create("H-1").await;
    let ready = server.get("/v1/health/ready").await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
    assert_eq!(
        ready.body,
        json!({"status": "ready", "checks": {"store": "ok", "broker": "ok", "draining": false}})
    );

    server.store.limit_pages(Some(1));
    let mut acknowledged = 1;
    let refused = loop {
        let reply = server.event("H-1", note(acknowledged as usize)).await;
        if reply.status != StatusCode::CREATED {
            break reply;
        }
        acknowledged += 1;
        assert_eq!(reply.body["event"]["seq"], acknowledged);
        assert!(acknowledged < 5_000, "the capped store never filled");
    };
    refused.assert_error(503, "store_unavailable");
    assert_eq!(refused.header("retry-after"), Some("2"));
    // Not once, but every time until space returns.
    for i in 0..5 {
        server
            .event("H-1", note(i))
            .await
            .assert_error(503, "store_unavailable");
    }

    let not_ready = server.get("/v1/health/ready").await;
    assert_eq!(not_ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(not_ready.body["status"], "not_ready");
    let reason = not_ready.body["checks"]["store"].as_str().expect("reason");
    assert!(reason.contains("full"), "{reason}");
    assert_eq!(server.get("/v1/health/live").await.status, StatusCode::OK);
    assert_eq!(server.get("/v1/health").await.status, StatusCode::OK);

    // Reads still work, and show exactly what was acknowledged.
    let snapshot = server.get("/v1/orders/H-1").await;
    assert_eq!(snapshot.body["seq"], acknowledged);
    let history = server.get("/v1/orders/H-1/events?since=0").await;
    assert_eq!(
        rest_support::seqs(&history.body["events"]),
        (1..=acknowledged).collect::<Vec<_>>()
    );

    server.store.limit_pages(None);
    let resumed = server.event("H-1", note(0)).await;
    assert_eq!(resumed.status, StatusCode::CREATED, "{}", resumed.body);
    assert_eq!(resumed.body["event"]["seq"], acknowledged + 1);
    wait_ready(&server, StatusCode::OK).await;
}

#[tokio::test]
async fn readiness_fails_once_the_drain_begins() {
    let server = TestServer::start().await;
    wait_ready(&server, StatusCode::OK).await;
    server.draining.cancel();
    let body = wait_ready(&server, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(body["checks"]["draining"], true);
    assert_eq!(body["checks"]["store"], "ok");
    assert_eq!(server.get("/v1/health/live").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_list_cursor_the_server_never_handed_out_is_refused() {
    let server = TestServer::start().await;
    server.create("C-1").await;
    for cursor in ["junk", "-", "1e3", "%20"] {
        let reply = server.get(&format!("/v1/orders?cursor={cursor}")).await;
        reply.assert_error(400, "invalid_cursor");
    }
    let first = server.get("/v1/orders?limit=1").await;
    assert_eq!(first.status, StatusCode::OK);
}
