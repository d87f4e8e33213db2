//! The HTTP listener under half-open connections (slowloris): a header
//! timeout, a cap per IP, a total that sheds the newest idle connection,
//! and a normal client that keeps being served meanwhile. Clients from
//! another address bind 127.0.0.2 (all of 127/8 is loopback).

mod common;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use common::{Setup, TestServer, PATIENCE};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use trackwire_server::http::listener::ListenerConfig;

const HALF_A_REQUEST: &[u8] = b"GET /v1/health/live HTTP/1.1\r\nHost: test\r\nX-Slow: ";

async fn server(listener: ListenerConfig) -> TestServer {
    TestServer::launch(Setup {
        listener,
        ..Setup::default()
    })
    .await
}

fn from(last_octet: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, last_octet))
}

/// A TCP connection from `source` that sends half a request head.
async fn half_open(addr: SocketAddr, source: IpAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind(SocketAddr::new(source, 0))
        .expect("bind source");
    let mut stream = socket.connect(addr).await.expect("connect");
    stream.write_all(HALF_A_REQUEST).await.expect("write");
    stream
}

/// Reads until the server closes; returns what it sent.
async fn until_closed(stream: &mut TcpStream) -> String {
    let mut seen = Vec::new();
    let read = tokio::time::timeout(PATIENCE, stream.read_to_end(&mut seen)).await;
    assert!(read.is_ok(), "the server never closed the connection");
    String::from_utf8_lossy(&seen).into_owned()
}

/// A health answer for a client of another address, and how long it took.
async fn health_from(server: &TestServer, source: IpAddr) -> Duration {
    let client = reqwest::Client::builder()
        .local_address(source)
        .build()
        .expect("client");
    let started = Instant::now();
    let answer = tokio::time::timeout(
        Duration::from_secs(1),
        client.get(server.url("/v1/health/live")).send(),
    )
    .await
    .expect("a health answer within 1 s")
    .expect("health request");
    assert_eq!(answer.status(), 200);
    started.elapsed()
}

#[tokio::test]
async fn a_request_head_that_never_completes_is_closed_after_the_header_timeout() {
    let server = server(ListenerConfig {
        header_timeout: Duration::from_millis(300),
        ..ListenerConfig::default()
    })
    .await;
    let mut slow = half_open(server.addr, from(1)).await;
    until_closed(&mut slow).await;
    // A silent connection (not even a byte) the same.
    let mut silent = TcpStream::connect(server.addr).await.expect("connect");
    until_closed(&mut silent).await;
}

#[tokio::test]
async fn half_open_requests_from_one_address_stop_at_its_cap_and_others_are_served() {
    const CAP: usize = 40;
    let server = server(ListenerConfig {
        header_timeout: Duration::from_secs(60),
        plain_per_ip: CAP,
        ..ListenerConfig::default()
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..CAP {
        held.push(half_open(server.addr, from(1)).await);
    }
    // One more from the same address is refused at once, with the error body.
    let mut refused = half_open(server.addr, from(1)).await;
    let answer = until_closed(&mut refused).await;
    assert!(answer.starts_with("HTTP/1.1 429"), "{answer}");
    assert!(answer.contains(r#""code":"rate_limited""#), "{answer}");
    // Another address is served as if nothing happened.
    let took = health_from(&server, from(2)).await;
    eprintln!("health from another address next to {CAP} half-open requests: {took:?}");
    // The held ones are still open (they hold their slots, not more).
    drop(held);
}

#[tokio::test]
async fn at_the_connection_cap_the_longest_waiting_idle_connection_is_shed() {
    const TOTAL: usize = 30;
    let server = server(ListenerConfig {
        header_timeout: Duration::from_secs(60),
        max_connections: TOTAL,
        ..ListenerConfig::default()
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..TOTAL {
        held.push(half_open(server.addr, from(1)).await);
    }
    // The cap is reached: a new client is still served, and the half-open
    // connection that waited longest made room for it.
    let took = health_from(&server, from(2)).await;
    eprintln!("health at the connection cap: {took:?}");
    until_closed(&mut held[0]).await;
}

#[tokio::test]
async fn real_time_streams_do_not_count_as_plain_connections() {
    let server = server(ListenerConfig {
        plain_per_ip: 3,
        ..ListenerConfig::default()
    })
    .await;
    server.create("L-1").await;
    let mut streams = Vec::new();
    for _ in 0..6 {
        let (mut stream, _) = common::sse::SseClient::open(&server, "topics=order:L-1", None).await;
        assert!(stream.next().await.is_some(), "the stream is live");
        streams.push(stream);
    }
    let mut sockets = Vec::new();
    for _ in 0..6 {
        sockets.push(server.connect().await);
    }
    // Plain requests still have their slots.
    let reply = reqwest::Client::new()
        .get(server.url("/v1/orders/L-1"))
        .send()
        .await
        .expect("snapshot");
    assert_eq!(reply.status(), 200);
}
