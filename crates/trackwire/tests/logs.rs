//! The log, through the real binary: `--log-format json` lines carry the
//! request id (the client's `x-request-id`, echoed in the response) and a
//! WebSocket's connection id; a log that is not a terminal has no colour.

mod common;

use std::time::{Duration, Instant};

use common::Server;
use serde_json::Value;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

fn serve(dir: &std::path::Path, format: &str) -> Server {
    let filter = "info,tower_http=debug,trackwire_server=debug";
    Server::serve_with(dir, &["--log-format", format, "--log", filter])
}

/// The first JSON line of the log that `found` accepts, waiting for it.
fn wait_for_line(server: &Server, found: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let log = server.log();
        let line = log
            .lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .find(|line| found(line));
        if let Some(line) = line {
            return line;
        }
        assert!(Instant::now() < deadline, "no such line in:\n{log}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whether one of the line's spans has `field` equal to `value`.
fn in_span(line: &Value, field: &str, value: &str) -> bool {
    line["spans"]
        .as_array()
        .is_some_and(|spans| spans.iter().any(|span| span[field] == value))
}

#[tokio::test]
async fn json_lines_carry_the_request_id_and_the_connection_id() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = serve(dir.path(), "json");

    let response = reqwest::Client::new()
        .get(format!("{}/v1/health/ready", server.base))
        .header("x-request-id", "abc")
        .send()
        .await
        .expect("ready");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-request-id"], "abc");
    let line = wait_for_line(&server, |line| in_span(line, "request_id", "abc"));
    assert_eq!(line["span"]["path"], "/v1/health/ready", "{line}");
    assert_eq!(line["fields"]["status"], 200, "{line}");

    // Without one, the server makes one up and says which.
    let response = reqwest::get(format!("{}/v1/health/live", server.base))
        .await
        .expect("live");
    let made = response.headers()["x-request-id"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_eq!(made.len(), 36, "a UUID: {made}");
    wait_for_line(&server, |line| in_span(line, "request_id", &made));

    // A WebSocket's lines: its connection id, under its upgrade request.
    let url = format!("{}/v1/ws", server.base.replace("http://", "ws://"));
    let mut request = url.into_client_request().expect("request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "trackwire.v1.json".parse().expect("header"),
    );
    request
        .headers_mut()
        .insert("x-request-id", "upgrade-1".parse().expect("header"));
    let (socket, _) = tokio_tungstenite::connect_async(request).await.expect("ws");
    let open = wait_for_line(&server, |line| {
        line["fields"]["message"] == "websocket open"
    });
    assert!(in_span(&open, "request_id", "upgrade-1"), "{open}");
    assert_eq!(open["span"]["transport"], "ws", "{open}");
    let id = open["span"]["connection_id"].as_str().unwrap_or_default();
    assert_eq!(id.len(), 12, "{open}");
    drop(socket);
    // Long after its upgrade was answered, its last line still has both.
    let closed = wait_for_line(&server, |line| {
        line["fields"]["message"] == "websocket closed"
    });
    assert_eq!(closed["span"]["connection_id"], id, "{closed}");
    assert!(in_span(&closed, "request_id", "upgrade-1"), "{closed}");
    let (status, _) = server.stop();
    assert!(status.success());
}

#[test]
fn a_log_that_is_not_a_terminal_has_no_colour() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = serve(dir.path(), "text");
    let (status, log) = server.stop();
    assert!(status.success());
    assert!(log.contains("listening"), "{log}");
    assert!(!log.contains('\u{1b}'), "escape codes in: {log:?}");
}
