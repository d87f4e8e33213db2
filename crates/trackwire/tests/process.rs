//! The real binary in a child process: kill -9 during writes loses nothing
//! that was acknowledged; SIGTERM shuts down cleanly; the demo advances
//! its orders.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::Server;

use serde_json::{json, Value};

async fn all_events(client: &reqwest::Client, base: &str, order: &str) -> Vec<Value> {
    let mut events = Vec::new();
    let mut since = 0;
    loop {
        let page: Value = client
            .get(format!(
                "{base}/v1/orders/{order}/events?since={since}&limit=1000"
            ))
            .send()
            .await
            .expect("get events")
            .json()
            .await
            .expect("json");
        let batch = page["events"].as_array().expect("events").clone();
        if batch.is_empty() {
            return events;
        }
        since = batch.last().expect("last")["seq"].as_u64().expect("seq");
        events.extend(batch);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_during_writes_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::serve(dir.path());
    let client = reqwest::Client::new();
    let base = server.base.clone();
    let created = client
        .post(format!("{base}/v1/orders"))
        .json(&json!({"id": "K-1", "customer": "c", "items": [{"name": "x"}], "address": "a"}))
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), 201);

    // Eight writers post until the server dies under them; every 201 is
    // an acknowledgement the store must keep.
    let (acked_tx, mut acked_rx) = tokio::sync::mpsc::unbounded_channel::<(u64, String)>();
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let client = client.clone();
            let base = base.clone();
            let acked = acked_tx.clone();
            tokio::spawn(async move {
                for n in 0.. {
                    let sent = client
                        .post(format!("{base}/v1/orders/K-1/events"))
                        .json(
                            &json!({"type": "instructions_changed", "text": format!("w{w} n{n}")}),
                        )
                        .send()
                        .await;
                    let Ok(response) = sent else { return };
                    if response.status() != 201 {
                        return;
                    }
                    let Ok(body) = response.json::<Value>().await else {
                        return;
                    };
                    let seq = body["event"]["seq"].as_u64().expect("seq");
                    let id = body["event"]["id"].as_str().expect("id").to_owned();
                    if acked.send((seq, id)).is_err() {
                        return;
                    }
                }
            })
        })
        .collect();
    drop(acked_tx);

    let mut acked = Vec::new();
    while acked.len() < 150 {
        acked.push(acked_rx.recv().await.expect("writers alive"));
    }
    server.kill_9();
    for writer in writers {
        writer.await.expect("writer");
    }
    while let Ok(more) = acked_rx.try_recv() {
        acked.push(more);
    }

    let server = Server::serve(dir.path());
    let events = all_events(&client, &server.base, "K-1").await;
    let seqs: Vec<u64> = events
        .iter()
        .map(|e| e["seq"].as_u64().expect("seq"))
        .collect();
    assert_eq!(
        seqs,
        (1..=seqs.len() as u64).collect::<Vec<_>>(),
        "gap-free after restart"
    );
    for (seq, id) in &acked {
        let stored = &events[(*seq - 1) as usize];
        assert_eq!(
            stored["id"].as_str(),
            Some(id.as_str()),
            "acknowledged seq {seq} kept"
        );
    }
    assert!(
        events.len() > acked.len(),
        "order_created plus every acknowledged write"
    );
    let snapshot: Value = client
        .get(format!("{}/v1/orders/K-1", server.base))
        .send()
        .await
        .expect("snapshot")
        .json()
        .await
        .expect("json");
    assert_eq!(snapshot["seq"].as_u64(), Some(events.len() as u64));
    // The restarted server takes writes at the next seq.
    let next: Value = client
        .post(format!("{}/v1/orders/K-1/events", server.base))
        .json(&json!({"type": "status_changed", "status": "confirmed"}))
        .send()
        .await
        .expect("write")
        .json()
        .await
        .expect("json");
    assert_eq!(next["event"]["seq"].as_u64(), Some(events.len() as u64 + 1));
}

#[tokio::test]
async fn sigterm_shuts_down_cleanly_and_keeps_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::serve(dir.path());
    let client = reqwest::Client::new();
    let created = client
        .post(format!("{}/v1/orders", server.base))
        .json(&json!({"id": "T-1", "customer": "c", "items": [{"name": "x"}], "address": "a"}))
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), 201);
    let status = server.terminate();
    assert!(status.success(), "exit status {status}");
    let server = Server::serve(dir.path());
    let got = client
        .get(format!("{}/v1/orders/T-1", server.base))
        .send()
        .await
        .expect("get");
    assert_eq!(got.status(), 200);
}

/// Polls a snapshot (with ETag, so unchanged answers are 304) until `done`
/// holds or the deadline passes.
async fn wait_for(client: &reqwest::Client, url: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut etag = String::new();
    let mut last = Value::Null;
    while Instant::now() < deadline {
        let response = client
            .get(url)
            .header("if-none-match", &etag)
            .send()
            .await
            .expect("get");
        if response.status() == 200 {
            etag = response.headers()["etag"]
                .to_str()
                .expect("etag")
                .to_owned();
            last = response.json().await.expect("json");
            if done(&last) {
                return last;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{url} never reached the expected state; last: {last}");
}

#[tokio::test]
async fn the_demo_advances_its_orders() {
    let server = Server::start(&["demo", "--listen", "127.0.0.1:0", "--pace", "0.02-0.05"]);
    let client = reqwest::Client::new();
    let url = |id: &str| format!("{}/v1/orders/{id}", server.base);
    let delivered = wait_for(&client, &url("ZX-1001"), |o| o["final"] == true).await;
    assert_eq!(delivered["status"], "delivered");
    let delayed = wait_for(&client, &url("ZX-1002"), |o| o["final"] == true).await;
    assert_eq!(delayed["status"], "delivered");
    let events = all_events(&client, &server.base, "ZX-1002").await;
    assert!(
        events.iter().any(|e| e["type"] == "delayed"),
        "ZX-1002 was delayed"
    );
    let cancelled = wait_for(&client, &url("ZX-1003"), |o| o["final"] == true).await;
    assert_eq!(cancelled["status"], "cancelled");
    // More orders keep arriving.
    wait_for(&client, &url("ZX-1004"), |o| o["seq"].as_u64() >= Some(1)).await;
}

#[tokio::test]
async fn the_demo_offers_personas_whose_tokens_work() {
    let server = Server::start(&["demo", "--listen", "127.0.0.1:0", "--pace", "0.02-0.05"]);
    // The banner names the pages a new user opens, on the real address.
    let banner = server.lines_until("Press Ctrl+C").join("\n");
    for page in ["/", "/track/ZX-1001", "/dispatch", "/ops", "/login"] {
        let url = format!("{}{page}", server.base);
        assert!(
            banner
                .lines()
                .any(|l| l.trim_end().ends_with(&url) || l.contains(&format!("{url} "))),
            "{url} missing from the banner:\n{banner}"
        );
    }
    let client = reqwest::Client::new();
    let personas: Vec<Value> = client
        .get(format!("{}/v1/demo/personas", server.base))
        .send()
        .await
        .expect("personas")
        .json()
        .await
        .expect("json");
    let roles: Vec<_> = personas.iter().map(|p| p["role"].clone()).collect();
    assert_eq!(
        roles,
        [
            json!("customer"),
            json!("customer"),
            json!("courier"),
            json!("dispatcher"),
            json!("operator")
        ]
    );
    let ada = personas[0]["token"].as_str().expect("token");
    let order = |id: &str| {
        client
            .get(format!("{}/v1/orders/{id}", server.base))
            .bearer_auth(ada)
            .send()
    };
    // The simulator creates the orders right after start.
    wait_for(
        &client,
        &format!("{}/v1/orders/ZX-1002", server.base),
        |_| true,
    )
    .await;
    assert_eq!(
        order("ZX-1001").await.expect("get").status(),
        200,
        "her order"
    );
    assert_eq!(
        order("ZX-1002").await.expect("get").status(),
        403,
        "Grace's order"
    );

    // The SDK and the pages come from the binary itself.
    for (path, kind) in [
        ("/sdk/index.js", "text/javascript"),
        ("/sdk/client.js", "text/javascript"),
        ("/", "text/html"),
        ("/track/ZX-1001", "text/html"),
        ("/dispatch", "text/html"),
        ("/ops", "text/html"),
        ("/login", "text/html"),
    ] {
        let response = client
            .get(format!("{}{path}", server.base))
            .send()
            .await
            .expect("get");
        assert_eq!(response.status(), 200, "{path}");
        let content_type = response.headers()["content-type"].to_str().expect("ascii");
        assert!(content_type.starts_with(kind), "{path}: {content_type}");
    }
    let missing = client
        .get(format!("{}/sdk/nope.js", server.base))
        .send()
        .await
        .expect("get");
    assert_eq!(missing.status(), 404);
}

#[test]
fn serve_refuses_to_start_without_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = Command::new(env!("CARGO_BIN_EXE_trackwire"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env_remove("TRACKWIRE_JWT_SECRET")
        .env_remove("TRACKWIRE_JWKS_FILE")
        .env_remove("TRACKWIRE_INSECURE_DEV")
        .output()
        .expect("run trackwire");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--jwt-secret") && stderr.contains("--insecure-dev"),
        "{stderr}"
    );
    let short = Command::new(env!("CARGO_BIN_EXE_trackwire"))
        .args(["serve", "--jwt-secret", "short", "--data-dir"])
        .arg(dir.path())
        .output()
        .expect("run trackwire");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 32"));
}

#[tokio::test]
async fn serve_with_a_secret_takes_the_tokens_of_trackwire_token() {
    const SECRET: &str = "process-test-secret-0123456789abcdef";
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8");
    let server = Server::start(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--data-dir",
        data,
        "--jwt-secret",
        SECRET,
        "--jwt-issuer",
        "shop",
    ]);
    let minted = Command::new(env!("CARGO_BIN_EXE_trackwire"))
        .args([
            "token", "--sub", "backend", "--tenant", "acme", "--role", "service",
        ])
        .args(["--jwt-secret", SECRET, "--jwt-issuer", "shop"])
        .output()
        .expect("trackwire token");
    assert!(minted.status.success());
    let token = String::from_utf8(minted.stdout).expect("utf-8");
    let client = reqwest::Client::new();
    let list = format!("{}/v1/orders", server.base);
    let anonymous = client.get(&list).send().await.expect("get");
    assert_eq!(anonymous.status(), 401);
    let authorized = client
        .get(&list)
        .bearer_auth(token.trim())
        .send()
        .await
        .expect("get");
    assert_eq!(authorized.status(), 200);
}
