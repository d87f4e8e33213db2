//! HTTPS on the server's own listener, through the real binary, with
//! certificates made here (rcgen) and clients that trust only their
//! authority: REST, WebSocket (wss), SSE and long-poll over TLS; the
//! certificate files rewritten while a WebSocket stays open; a damaged or
//! mismatched replacement that keeps the old certificate; plain HTTP and
//! silent clients against the TLS port; the connection caps under TLS.

mod common;

use std::net::SocketAddr;
use std::process::Command;
use std::time::{Duration, Instant};

use common::clients::{create_order, note, Position, Watcher, PATIENCE};
use common::tls::{presented, Authority, CertFiles, Issued};
use common::{from, insecure_serve, stop_without_emfile, with_open_files, Server, BIN};
use futures::StreamExt;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The start of a TLS handshake record that never completes: a client
/// that began its hello and went quiet.
const HALF_A_HELLO: &[u8] = &[0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00];

/// A test's certificate authority, the server certificate it issued
/// (serial 1), where the files are, and `serve --insecure-dev` over TLS
/// with them, logging at info (the reload lines), with `extra` flags; at
/// most `open_files` open files when given.
struct Setup {
    authority: Authority,
    first: Issued,
    files: CertFiles,
    server: Server,
    _dir: tempfile::TempDir,
}

impl Setup {
    fn start(extra: &[&str]) -> Self {
        Self::start_under(None, extra)
    }

    fn start_under(open_files: Option<usize>, extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let authority = Authority::new("Trackwire test CA 1");
        let first = authority.issue(1);
        let files = CertFiles::new(dir.path());
        files.write(&first);
        let mut command = open_files.map_or_else(|| Command::new(BIN), with_open_files);
        insecure_serve(&mut command, &dir.path().join("data"))
            .args(files.flags())
            .args(extra)
            .env("TRACKWIRE_LOG", "info");
        let server = Server::spawn(command);
        assert!(server.base.starts_with("https://"), "{}", server.base);
        Self {
            authority,
            first,
            files,
            server,
            _dir: dir,
        }
    }
}

fn addr(server: &Server) -> SocketAddr {
    server
        .base
        .trim_start_matches("https://")
        .parse()
        .expect("addr")
}

/// Waits until the log holds more than `before` lines containing `text`.
fn wait_for_log(server: &Server, text: &str, before: usize) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let log = server.log();
        if log.matches(text).count() > before {
            return;
        }
        assert!(Instant::now() < deadline, "no new {text:?} in:\n{log}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The `data:` frames of an SSE response, one at a time.
struct Sse {
    body: futures::stream::BoxStream<'static, reqwest::Result<Vec<u8>>>,
    buffer: String,
}

impl Sse {
    fn new(response: reqwest::Response) -> Self {
        Self {
            body: response
                .bytes_stream()
                .map(|chunk| chunk.map(|bytes| bytes.to_vec()))
                .boxed(),
            buffer: String::new(),
        }
    }

    async fn until(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        loop {
            while let Some(end) = self.buffer.find('\n') {
                let line: String = self.buffer.drain(..=end).collect();
                if let Some(data) = line.trim_end().strip_prefix("data: ") {
                    let frame: Value = serde_json::from_str(data).expect("json");
                    if wanted(&frame) {
                        return frame;
                    }
                }
            }
            let chunk = tokio::time::timeout(PATIENCE, self.body.next())
                .await
                .expect("SSE bytes in time")
                .expect("the stream stays open")
                .expect("SSE bytes");
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

fn is_note(text: &'static str) -> impl Fn(&Value) -> bool {
    move |frame| frame["type"] == "event" && frame["event"]["payload"]["text"] == text
}

/// Reads until the peer closes; what it sent.
async fn until_closed(stream: &mut tokio::net::TcpStream) -> Vec<u8> {
    let mut seen = Vec::new();
    let read = tokio::time::timeout(PATIENCE, stream.read_to_end(&mut seen)).await;
    assert!(read.is_ok(), "the server never closed the connection");
    seen
}

#[tokio::test]
async fn rest_websocket_sse_and_long_poll_work_over_tls() {
    let Setup {
        authority,
        server,
        _dir,
        ..
    } = Setup::start(&[]);
    let base = server.base.clone();
    let client = authority.reqwest();

    create_order(&client, &base, "TLS-1").await;
    let snapshot = client
        .get(format!("{base}/v1/orders/TLS-1"))
        .send()
        .await
        .expect("snapshot");
    assert_eq!(snapshot.status(), 200);

    // WebSocket: subscribed, then a live event.
    let wss = format!("{}/v1/ws", base.replace("https://", "wss://"));
    let mut watcher = Watcher::connect_tls(&wss, authority.client_config()).await;
    watcher
        .subscribe("order:TLS-1", &mut Position::default())
        .await;
    note(&client, &base, "TLS-1", "over wss")
        .await
        .expect("note");
    watcher.frames_until(is_note("over wss")).await;

    // SSE: subscribed, then a live event.
    let response = client
        .get(format!("{base}/v1/sse?topics=order:TLS-1"))
        .send()
        .await
        .expect("sse");
    assert_eq!(response.status(), 200);
    let mut sse = Sse::new(response);
    sse.until(|frame| frame["type"] == "subscribed").await;
    note(&client, &base, "TLS-1", "over sse")
        .await
        .expect("note");
    sse.until(is_note("over sse")).await;

    // Long-poll: the snapshot and a cursor, then a held poll that answers
    // with the next event.
    let first: Value = client
        .get(format!("{base}/v1/poll?topics=order:TLS-1"))
        .send()
        .await
        .expect("poll")
        .json()
        .await
        .expect("json");
    assert_eq!(first["events"][0]["type"], "snapshot", "{first}");
    let cursor = first["cursor"].as_str().expect("cursor").to_owned();
    let held = client
        .get(format!("{base}/v1/poll?topics=order:TLS-1&cursor={cursor}"))
        .send();
    let (answer, written) = tokio::join!(held, note(&client, &base, "TLS-1", "over poll"));
    written.expect("note");
    let answer: Value = answer.expect("poll").json().await.expect("json");
    let events = answer["events"].as_array().expect("events");
    assert!(events.iter().any(is_note("over poll")), "{answer}");

    let (status, _) = server.stop();
    assert!(status.success());
}

#[tokio::test]
async fn a_new_certificate_serves_new_handshakes_and_open_sockets_stay() {
    let Setup {
        authority: first_ca,
        first,
        files,
        server,
        _dir,
    } = Setup::start(&[]);
    let (base, addr) = (server.base.clone(), addr(&server));
    assert_eq!(
        presented(addr, first_ca.client_config())
            .await
            .expect("handshake"),
        first.der
    );
    create_order(&first_ca.reqwest(), &base, "TLS-2").await;
    let wss = format!("{}/v1/ws", base.replace("https://", "wss://"));
    let mut open = Watcher::connect_tls(&wss, first_ca.client_config()).await;
    open.subscribe("order:TLS-2", &mut Position::default())
        .await;

    // Another authority, another serial: rewritten in place.
    let second_ca = Authority::new("Trackwire test CA 2");
    let second = second_ca.issue(2);
    files.write(&second);
    wait_for_log(&server, "TLS certificate reloaded", 0);
    assert_eq!(
        presented(addr, second_ca.client_config())
            .await
            .expect("handshake"),
        second.der,
        "a new handshake gets the new certificate"
    );
    assert!(
        presented(addr, first_ca.client_config()).await.is_err(),
        "a client that trusts only the old authority is refused the new certificate"
    );
    let client = second_ca.reqwest();
    note(&client, &base, "TLS-2", "after the reload")
        .await
        .expect("note");
    open.frames_until(is_note("after the reload")).await;

    // A damaged certificate file: logged, the old certificate stays.
    let failed = server
        .log()
        .matches("TLS certificate reload failed")
        .count();
    let third = Authority::new("Trackwire test CA 3").issue(3);
    let half = &third.cert_pem[..third.cert_pem.len() / 2];
    std::fs::write(&files.cert, half).expect("damage the certificate");
    wait_for_log(&server, "TLS certificate reload failed", failed);
    assert_eq!(
        presented(addr, second_ca.client_config())
            .await
            .expect("handshake"),
        second.der,
        "a damaged file keeps the previous certificate"
    );

    // A whole certificate with the key of another: the same.
    let failed = server
        .log()
        .matches("TLS certificate reload failed")
        .count();
    std::fs::write(&files.cert, &third.cert_pem).expect("a certificate without its key");
    wait_for_log(&server, "TLS certificate reload failed", failed);
    assert!(
        server.log().contains("does not belong to the certificate"),
        "{}",
        server.log()
    );
    assert_eq!(
        presented(addr, second_ca.client_config())
            .await
            .expect("handshake"),
        second.der
    );
    note(&client, &base, "TLS-2", "still open")
        .await
        .expect("note");
    open.frames_until(is_note("still open")).await;

    let (status, _) = server.stop();
    assert!(status.success());
}

#[tokio::test]
async fn plain_http_and_silent_clients_are_closed_on_the_tls_port() {
    let Setup {
        authority,
        server,
        _dir,
        ..
    } = Setup::start(&["--header-timeout", "1"]);
    let addr = addr(&server);

    // A plain HTTP request gets no HTTP answer, and the socket is closed.
    let mut plain = tokio::net::TcpStream::connect(addr).await.expect("connect");
    plain
        .write_all(b"GET /v1/health/live HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    let answer = until_closed(&mut plain).await;
    assert!(!answer.starts_with(b"HTTP/"), "{answer:?}");
    // reqwest with http:// fails instead of hanging.
    let url = format!("http://{addr}/v1/health/live");
    let plain_client = tokio::time::timeout(PATIENCE, reqwest::get(url)).await;
    assert!(plain_client.expect("an answer in time").is_err());

    // Silent, and half a hello: closed by the handshake timeout.
    let mut silent = tokio::net::TcpStream::connect(addr).await.expect("connect");
    assert!(until_closed(&mut silent).await.is_empty());
    let mut half = tokio::net::TcpStream::connect(addr).await.expect("connect");
    half.write_all(HALF_A_HELLO).await.expect("write");
    assert!(until_closed(&mut half).await.is_empty());

    // And the server still serves TLS.
    let live = authority
        .reqwest()
        .get(format!("{}/v1/health/live", server.base))
        .send()
        .await
        .expect("live");
    assert_eq!(live.status(), 200);
}

/// A half-begun TLS hello from `source`.
async fn half_open(addr: SocketAddr, source: std::net::IpAddr) -> tokio::net::TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.bind(SocketAddr::new(source, 0)).expect("bind");
    let mut stream = socket.connect(addr).await.expect("connect");
    let _ = stream.write_all(HALF_A_HELLO).await;
    stream
}

#[tokio::test]
async fn half_open_tls_clients_stop_at_the_per_ip_cap() {
    const CAP: usize = 5;
    let cap = CAP.to_string();
    let flags = [
        "--header-timeout",
        "60",
        "--max-http-connections-per-ip",
        &cap,
    ];
    let Setup {
        authority,
        server,
        _dir,
        ..
    } = Setup::start(&flags);
    let addr = addr(&server);
    let mut held = Vec::new();
    for _ in 0..CAP {
        held.push(half_open(addr, from(2)).await);
    }
    // One more from that address is closed at once, without an answer
    // (long before the 60 s handshake timeout, which PATIENCE is under).
    let mut refused = half_open(addr, from(2)).await;
    assert!(until_closed(&mut refused).await.is_empty());
    // Another address handshakes and is served.
    let client = reqwest::Client::builder()
        .local_address(from(3))
        .add_root_certificate(
            reqwest::Certificate::from_pem(authority.pem().as_bytes()).expect("root"),
        )
        .build()
        .expect("client");
    let live = client
        .get(format!("{}/v1/health/live", server.base))
        .send()
        .await
        .expect("live");
    assert_eq!(live.status(), 200);
    drop(held);
}

#[tokio::test]
async fn half_open_tls_clients_never_exhaust_the_open_files() {
    const OPEN_FILES: usize = 256;
    let Setup {
        authority,
        server,
        _dir,
        ..
    } = Setup::start_under(Some(OPEN_FILES), &["--header-timeout", "60"]);
    let addr = addr(&server);
    // More half-begun handshakes than the process may hold files, from
    // several addresses (no per-IP cap stops them): the longest waiting
    // are shed to make room.
    let mut held = Vec::new();
    for n in 0..OPEN_FILES + 100 {
        held.push(half_open(addr, from(2 + (n % 8) as u8)).await);
    }
    let mut first = held.remove(0);
    assert!(
        until_closed(&mut first).await.is_empty(),
        "the oldest was shed"
    );
    // A real client is still served, and the store still writes.
    let client = authority.reqwest();
    let ready = client
        .get(format!("{}/v1/health/ready", server.base))
        .send()
        .await
        .unwrap_or_else(|e| panic!("ready: {e}; log: {}", server.log()));
    assert_eq!(ready.status(), 200);
    create_order(&client, &server.base, "TLS-H").await;
    drop(held);
    stop_without_emfile(server);
}
