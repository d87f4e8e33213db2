//! A real server on an ephemeral port and real WebSocket clients.
#![allow(dead_code)]

pub(crate) mod auth;
pub(crate) mod sse;

use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use tokio_util::sync::CancellationToken;
use trackwire_auth::{Identity, IdentitySource};
use trackwire_broker::{Channel, MemoryBroker};
use trackwire_domain::{
    Audience, Classified, DurableEvent, InstructionsChanged, Item, OrderCreated, OrderId,
    OrderStatus, Party, StatusChanged,
};
use trackwire_gateway::{CreateOrder, Hub, OrderService};
use trackwire_server::http::listener::{self, ListenerConfig};
use trackwire_server::realtime::{OriginPolicy, Realtime, RealtimeConfig};
use trackwire_store::sqlite::SqliteStore;

/// Most a test waits for a frame before it fails (a guard, not a clock).
pub(crate) const PATIENCE: Duration = Duration::from_secs(10);

pub(crate) struct TestServer {
    pub(crate) addr: std::net::SocketAddr,
    pub(crate) hub: Arc<Hub>,
    pub(crate) orders: Arc<OrderService>,
    pub(crate) shutdown: CancellationToken,
    pub(crate) stopped: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

/// How a test server is set up: the development identity and any origin,
/// unless a test says otherwise.
pub(crate) struct Setup {
    pub(crate) config: RealtimeConfig,
    pub(crate) identity: IdentitySource,
    pub(crate) origins: OriginPolicy,
    /// Every accepted socket gets this SO_SNDBUF, so a client that stops
    /// reading stalls the server's writes quickly.
    pub(crate) send_buffer: Option<usize>,
    pub(crate) max_body_bytes: usize,
    pub(crate) ticket_ttl: Duration,
    /// The HTTP listener's limits (its `send_buffer_bytes` is taken from
    /// `send_buffer`).
    pub(crate) listener: ListenerConfig,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            config: RealtimeConfig::default(),
            identity: IdentitySource::development(),
            origins: OriginPolicy::any(),
            send_buffer: None,
            max_body_bytes: trackwire_server::rest::DEFAULT_MAX_BODY_BYTES,
            ticket_ttl: trackwire_server::rest::TICKET_TTL,
            listener: ListenerConfig::default(),
        }
    }
}

impl TestServer {
    pub(crate) async fn start(config: RealtimeConfig) -> Self {
        Self::launch(Setup {
            config,
            ..Setup::default()
        })
        .await
    }

    pub(crate) async fn start_with(config: RealtimeConfig, send_buffer: Option<usize>) -> Self {
        Self::launch(Setup {
            config,
            send_buffer,
            ..Setup::default()
        })
        .await
    }

    /// The same assembly as `trackwire serve`: REST and real-time on one
    /// listener, with the peer's address for the per-IP limits.
    pub(crate) async fn launch(setup: Setup) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Arc::new(SqliteStore::open(dir.path()).await.expect("store"));
        let broker = Arc::new(MemoryBroker::new());
        let hub = Hub::start(broker.clone(), store.clone())
            .await
            .expect("hub");
        let orders = Arc::new(OrderService::new(store, broker));
        let mut state =
            trackwire_server::rest::AppState::new(orders.clone(), setup.identity.clone());
        state.max_body_bytes = setup.max_body_bytes;
        state.tickets = Arc::new(trackwire_auth::TicketBook::new(setup.ticket_ttl));
        let realtime = Realtime::new(
            orders.clone(),
            hub.clone(),
            setup.identity,
            state.tickets.clone(),
            setup.config,
            setup.origins,
        );
        let shutdown = realtime.shutdown.clone();
        let app = trackwire_server::rest::app(state)
            .merge(trackwire_server::realtime::router(realtime.clone()));
        let app = trackwire_server::http::trace::layer(app);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let token = shutdown.clone();
        let config = ListenerConfig {
            send_buffer_bytes: setup.send_buffer,
            ..setup.listener
        };
        let stopped = tokio::spawn(async move {
            listener::serve(listener, app, config, token).await;
            realtime.tracker.close();
            realtime.tracker.wait().await;
        });
        Self {
            addr,
            hub,
            orders,
            shutdown,
            stopped,
            _dir: dir,
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub(crate) fn ws_url(&self, path: &str) -> String {
        format!("ws://{}{path}", self.addr)
    }

    pub(crate) async fn connect(&self) -> Client {
        Client::connect(&self.ws_url("/v1/ws")).await
    }

    pub(crate) async fn create(&self, id: &str) {
        self.orders
            .create(&Identity::development(), new_order(id), None)
            .await
            .expect("create");
    }

    /// Records a durable event; returns its seq.
    pub(crate) async fn record(&self, id: &str, event: DurableEvent) -> u64 {
        self.record_as(&Identity::development(), id, event).await
    }

    /// Records a durable event as `who` (in their tenant).
    pub(crate) async fn record_as(&self, who: &Identity, id: &str, event: DurableEvent) -> u64 {
        let outcome = self
            .orders
            .record(
                who,
                &OrderId::parse(id).expect("id"),
                Classified::Durable(event),
                None,
            )
            .await
            .expect("record");
        match outcome {
            trackwire_gateway::RecordOutcome::Durable(recorded) => recorded.events[0].seq,
            trackwire_gateway::RecordOutcome::Signal { .. } => panic!("not durable"),
        }
    }

    /// Records a note (always allowed while the order is open).
    pub(crate) async fn note(&self, id: &str, text: &str) -> u64 {
        self.record(
            id,
            DurableEvent::InstructionsChanged(InstructionsChanged { text: text.into() }),
        )
        .await
    }

    /// Records `count` notes on `id` from a task of its own: a publisher
    /// racing whatever the test does meanwhile.
    pub(crate) fn publish_notes(&self, id: &str, count: u64) -> tokio::task::JoinHandle<()> {
        let orders = self.orders.clone();
        let id = OrderId::parse(id).expect("id");
        tokio::spawn(async move {
            let who = Identity::development();
            for n in 0..count {
                let event = DurableEvent::InstructionsChanged(InstructionsChanged {
                    text: format!("{n}"),
                });
                orders
                    .record(&who, &id, Classified::Durable(event), None)
                    .await
                    .expect("record");
                if n % 16 == 0 {
                    tokio::task::yield_now().await;
                }
            }
        })
    }

    pub(crate) async fn status(&self, id: &str, status: OrderStatus) -> u64 {
        self.record(
            id,
            DurableEvent::StatusChanged(StatusChanged {
                status,
                reason: None,
                internal_note: None,
            }),
        )
        .await
    }

    /// Subscribers of the development identity (an admin: the staff
    /// audience's channel).
    pub(crate) fn subscribers(&self, topic: &str) -> usize {
        self.hub
            .subscriber_count(&Channel::new(Identity::DEV_TENANT, topic, Audience::Staff))
    }

    /// Waits (polling, with a deadline) until the hub has `n` subscribers.
    pub(crate) async fn await_subscribers(&self, topic: &str, n: usize) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while self.subscribers(topic) != n {
            assert!(
                tokio::time::Instant::now() < deadline,
                "{topic} has {} subscribers, expected {n}",
                self.subscribers(topic)
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

pub(crate) fn new_order(id: &str) -> CreateOrder {
    CreateOrder {
        id: Some(OrderId::parse(id).expect("id")),
        created: OrderCreated {
            customer: Party {
                id: "cust-1".into(),
                name: None,
                phone: None,
            },
            items: vec![Item {
                name: "Tea".into(),
                quantity: 1,
            }],
            address: "2 High St".into(),
            courier: None,
            instructions: None,
            eta: None,
            internal_note: None,
        },
    }
}

pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub(crate) struct Client {
    pub(crate) socket: Socket,
    /// Whether `recv` returns presence frames and events (only the presence
    /// tests want them; everywhere else they are noise).
    pub(crate) show_presence: bool,
}

/// A presence snapshot or a presence event (join, leave).
pub(crate) fn is_presence(frame: &Value) -> bool {
    frame["type"] == "presence"
        || (frame["type"] == "event" && frame["event"]["type"] == "presence")
}

fn request(url: &str) -> tokio_tungstenite::tungstenite::handshake::client::Request {
    let mut request = url.into_client_request().expect("request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "trackwire.v1.json".parse().expect("header"),
    );
    request
}

/// How a connection ended.
#[derive(Debug, PartialEq)]
pub(crate) enum Ended {
    Closed(u16, String),
    Dropped,
}

impl Client {
    /// Connects with extra upgrade headers; a refused upgrade is its HTTP
    /// status and JSON body.
    pub(crate) async fn try_connect(
        url: &str,
        headers: &[(&str, &str)],
    ) -> Result<Self, (u16, Value)> {
        let mut request = request(url);
        for (name, value) in headers {
            request.headers_mut().insert(
                tokio_tungstenite::tungstenite::http::HeaderName::from_bytes(name.as_bytes())
                    .expect("name"),
                value.parse().expect("header value"),
            );
        }
        match tokio_tungstenite::connect_async(request).await {
            Ok((socket, response)) => Ok(Self::checked(socket, response)),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                let status = response.status().as_u16();
                let body = response
                    .body()
                    .as_deref()
                    .and_then(|b| serde_json::from_slice(b).ok())
                    .unwrap_or(Value::Null);
                Err((status, body))
            }
            Err(error) => panic!("connect: {error}"),
        }
    }

    pub(crate) async fn connect(url: &str) -> Self {
        let (socket, response) = tokio_tungstenite::connect_async(request(url))
            .await
            .expect("connect");
        Self::checked(socket, response)
    }

    /// A client whose socket receive buffer is `size` bytes.
    pub(crate) async fn connect_small(addr: std::net::SocketAddr, path: &str, size: u32) -> Self {
        let tcp = tokio::net::TcpSocket::new_v4().expect("socket");
        tcp.set_recv_buffer_size(size).expect("SO_RCVBUF");
        let stream = tcp.connect(addr).await.expect("connect");
        let (socket, response) = tokio_tungstenite::client_async(
            request(&format!("ws://{addr}{path}")),
            MaybeTlsStream::Plain(stream),
        )
        .await
        .expect("handshake");
        Self::checked(socket, response)
    }

    fn checked(
        socket: Socket,
        response: tokio_tungstenite::tungstenite::handshake::client::Response,
    ) -> Self {
        assert_eq!(
            response.headers()["sec-websocket-protocol"],
            "trackwire.v1.json"
        );
        Self {
            socket,
            show_presence: false,
        }
    }

    pub(crate) async fn send(&mut self, frame: Value) {
        self.socket
            .send(Message::Text(frame.to_string().into()))
            .await
            .expect("send");
    }

    pub(crate) async fn send_text(&mut self, text: String) {
        self.socket
            .send(Message::Text(text.into()))
            .await
            .expect("send");
    }

    /// The next JSON frame (pings are answered and skipped).
    pub(crate) async fn recv(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(PATIENCE, self.socket.next())
                .await
                .expect("a frame in time")
                .expect("open")
                .expect("readable");
            match message {
                Message::Text(text) => {
                    let frame: Value = serde_json::from_str(&text).expect("JSON frame");
                    if self.show_presence || !is_presence(&frame) {
                        return frame;
                    }
                }
                Message::Close(frame) => panic!("closed: {frame:?}"),
                _ => continue,
            }
        }
    }

    /// The next JSON frame, or how the connection ended.
    pub(crate) async fn next_or_end(&mut self) -> Result<Value, Ended> {
        loop {
            let message = tokio::time::timeout(PATIENCE, self.socket.next())
                .await
                .expect("a frame or the end in time");
            match message {
                Some(Ok(Message::Text(text))) => {
                    return Ok(serde_json::from_str(&text).expect("JSON frame"))
                }
                Some(Ok(Message::Close(Some(frame)))) => {
                    return Err(Ended::Closed(
                        u16::from(frame.code),
                        frame.reason.to_string(),
                    ))
                }
                Some(Ok(Message::Close(None))) => {
                    return Err(Ended::Closed(u16::from(CloseCode::Status), String::new()))
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Err(Ended::Dropped),
            }
        }
    }

    /// Frames until one of `kind` (inclusive).
    pub(crate) async fn recv_until(&mut self, kind: &str) -> Vec<Value> {
        let mut frames = Vec::new();
        loop {
            let frame = self.recv().await;
            let done = frame["type"] == kind;
            frames.push(frame);
            if done {
                return frames;
            }
        }
    }

    pub(crate) async fn subscribe(&mut self, frame: Value) -> Vec<Value> {
        let mut frame = frame;
        frame["type"] = json!("subscribe");
        self.send(frame).await;
        self.recv_until("subscribed").await
    }

    /// Reads until the server closes; returns the close code.
    pub(crate) async fn ended(&mut self) -> Ended {
        tokio::time::timeout(PATIENCE, self.read_to_end())
            .await
            .expect("the server ends the connection in time")
    }

    async fn read_to_end(&mut self) -> Ended {
        loop {
            match self.socket.next().await {
                Some(Ok(Message::Close(Some(frame)))) => {
                    return Ended::Closed(u16::from(frame.code), frame.reason.to_string())
                }
                Some(Ok(Message::Close(None))) => {
                    return Ended::Closed(u16::from(CloseCode::Status), String::new())
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Ended::Dropped,
            }
        }
    }
}

/// The seqs of the `event` frames among `frames`.
pub(crate) fn event_seqs(frames: &[Value]) -> Vec<u64> {
    frames
        .iter()
        .filter(|f| f["type"] == "event" && !is_presence(f))
        .map(|f| f["event"]["seq"].as_u64().expect("seq"))
        .collect()
}

/// A stream cursor at `seq` of `topic` in `epoch`, as the server encodes it.
pub(crate) fn cursor_for(topic: &str, epoch: &str, seq: u64) -> String {
    use base64::Engine;
    let json = json!({ topic: { "e": epoch, "p": seq } });
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json.to_string())
}
