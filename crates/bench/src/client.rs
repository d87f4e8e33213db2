//! A fleet of WebSocket subscribers in this process, all on one topic.
//!
//! The fleet speaks whichever server's protocol [`Wire`] says (Trackwire's
//! or a peer's); everything else is the same for every server. Each client
//! binds its own loopback source address (127.0.0.2, .3, …, a
//! few thousand connections each) so that tens of thousands of connections
//! never run out of ephemeral ports, subscribes, and then records for every
//! event frame how long ago it was published. The publisher writes the
//! publish instant into the event's text as `bench KIND NANOS`, nanoseconds
//! since the benchmark's [`Clock`] origin, so no map is shared.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use futures::{SinkExt, StreamExt};
use tokio::net::TcpSocket;
use tokio::sync::{mpsc, watch, Semaphore};
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

use crate::wire::{Control, Wire};

/// The one clock of the benchmark: publish and receive instants are
/// nanoseconds since this origin.
#[derive(Clone, Copy)]
pub(crate) struct Clock(Instant);

impl Clock {
    pub(crate) fn new() -> Self {
        Self(Instant::now())
    }

    pub(crate) fn now_ns(self) -> u64 {
        self.0.elapsed().as_nanos() as u64
    }
}

/// Which part of a phase an event belongs to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    /// Published as fast as the server takes them.
    Flood,
    /// Published at a fixed, moderate rate.
    Paced,
}

impl Kind {
    pub(crate) fn tag(self) -> char {
        match self {
            Kind::Flood => 'f',
            Kind::Paced => 'p',
        }
    }
}

/// Where and how the clients connect.
#[derive(Clone)]
pub(crate) struct Target {
    pub(crate) server: SocketAddr,
    /// The server's protocol.
    pub(crate) wire: Wire,
    /// Source addresses 127.0.0.`first_host`, then the next, …
    pub(crate) first_host: u8,
    pub(crate) per_address: usize,
    /// Handshakes in flight at once (keeps the listen backlog from
    /// overflowing).
    pub(crate) connect_concurrency: usize,
}

impl Target {
    /// A Trackwire server with the defaults: sources from 127.0.0.2 on,
    /// 5,000 per address, 256 handshakes in flight.
    pub(crate) fn trackwire(server: SocketAddr) -> Self {
        Self {
            server,
            wire: Wire::Trackwire,
            first_host: 2,
            per_address: 5_000,
            connect_concurrency: 256,
        }
    }
}

/// Deliveries seen so far, by kind, across all clients.
#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) flood: AtomicUsize,
    pub(crate) paced: AtomicUsize,
}

/// What one client saw.
#[derive(Default)]
struct Report {
    flood_us: Vec<u32>,
    paced_us: Vec<u32>,
    /// Receive instant of the last flood event (ns since the origin).
    last_flood_ns: u64,
    /// Event frames that could not be read as a benchmark event.
    foreign: usize,
    /// The first of them (its start).
    first_foreign: Option<String>,
    /// Length of the last event frame read (bytes).
    frame_bytes: usize,
    /// Set when the connection ended before it was told to stop.
    lost: Option<String>,
}

/// What all clients saw, merged.
#[derive(Default)]
pub(crate) struct FleetReport {
    pub(crate) flood_us: Vec<u32>,
    pub(crate) paced_us: Vec<u32>,
    pub(crate) last_flood_ns: u64,
    pub(crate) foreign: usize,
    /// The start of the first event frame without a stamp.
    pub(crate) first_foreign: Option<String>,
    /// Length of an event frame as read (bytes; 0 if none arrived).
    pub(crate) frame_bytes: usize,
    pub(crate) lost: usize,
    pub(crate) first_loss: Option<String>,
}

/// `count` connected, subscribed clients.
pub(crate) struct Fleet {
    pub(crate) counters: Arc<Counters>,
    stop: watch::Sender<bool>,
    tasks: JoinSet<Report>,
}

impl Fleet {
    /// Connects `count` clients with source addresses from `next_slot`
    /// on (a slot is one connection; slots are not reused, so no new
    /// connection meets a port of an old one in TIME_WAIT), subscribes each
    /// to `topic`, and returns once every one of them is subscribed.
    pub(crate) async fn open(
        target: &Target,
        next_slot: &mut usize,
        count: usize,
        topic: &str,
        clock: Clock,
    ) -> Result<Self> {
        let counters = Arc::new(Counters::default());
        let (stop, stop_rx) = watch::channel(false);
        let (ready_tx, mut ready_rx) = mpsc::unbounded_channel();
        let gate = Arc::new(Semaphore::new(target.connect_concurrency.max(1)));
        let url = target.wire.ws_url(target.server, topic);
        let topic: Arc<str> = topic.into();
        let mut tasks = JoinSet::new();
        for _ in 0..count {
            let slot = *next_slot;
            *next_slot += 1;
            let host = usize::from(target.first_host) + slot / target.per_address.max(1);
            let host = u8::try_from(host)
                .ok()
                .filter(|host| *host < 255)
                .context("ran out of 127.0.0.X source addresses")?;
            let source = IpAddr::V4(Ipv4Addr::new(127, 0, 0, host));
            let setup = ClientSetup {
                source,
                server: target.server,
                url: url.clone(),
                wire: target.wire.clone(),
                topic: topic.clone(),
                clock,
                counters: counters.clone(),
            };
            let gate = gate.clone();
            let ready = ready_tx.clone();
            let stop = stop_rx.clone();
            tasks.spawn(async move {
                let connected = {
                    let _permit = gate.acquire_owned().await;
                    setup.connect().await
                };
                match connected {
                    Ok(socket) => {
                        let _ = ready.send(Ok(()));
                        setup.listen(socket, stop).await
                    }
                    Err(error) => {
                        let _ = ready.send(Err(format!("{source}: {error:#}")));
                        Report::default()
                    }
                }
            });
        }
        drop(ready_tx);
        let fleet = Self {
            counters,
            stop,
            tasks,
        };
        let mut ready = 0;
        let mut failed = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(120);
        while ready + failed.len() < count {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, ready_rx.recv()).await {
                Ok(Some(Ok(()))) => ready += 1,
                Ok(Some(Err(error))) => failed.push(error),
                Ok(None) => break,
                Err(_) => bail!("only {ready} of {count} clients subscribed within 120 s"),
            }
        }
        if let Some(first) = failed.first() {
            fleet.close().await;
            bail!(
                "{} of {count} clients failed to connect or subscribe; first: {first}",
                failed.len()
            );
        }
        Ok(fleet)
    }

    /// Tells every client to stop, closes the connections and merges what
    /// they saw.
    pub(crate) async fn close(mut self) -> FleetReport {
        let _ = self.stop.send(true);
        let mut merged = FleetReport::default();
        while let Some(joined) = self.tasks.join_next().await {
            let Ok(report) = joined else {
                merged.lost += 1;
                continue;
            };
            merged.flood_us.extend_from_slice(&report.flood_us);
            merged.paced_us.extend_from_slice(&report.paced_us);
            merged.last_flood_ns = merged.last_flood_ns.max(report.last_flood_ns);
            merged.foreign += report.foreign;
            if merged.first_foreign.is_none() {
                merged.first_foreign = report.first_foreign;
            }
            merged.frame_bytes = merged.frame_bytes.max(report.frame_bytes);
            if let Some(loss) = report.lost {
                merged.lost += 1;
                merged.first_loss.get_or_insert(loss);
            }
        }
        merged
    }
}

struct ClientSetup {
    source: IpAddr,
    server: SocketAddr,
    url: String,
    wire: Wire,
    topic: Arc<str>,
    clock: Clock,
    counters: Arc<Counters>,
}

type Socket = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

impl ClientSetup {
    /// TCP from our own source address, the WebSocket handshake, then the
    /// protocol's frames up to its `subscribed` (answering what it asks on
    /// the way, e.g. Engine.IO's open or Pusher's connection_established).
    async fn connect(&self) -> Result<Socket> {
        let tcp = TcpSocket::new_v4()?;
        tcp.set_reuseaddr(true)?;
        tcp.bind(SocketAddr::new(self.source, 0))
            .context("binding the source address")?;
        let stream = tcp.connect(self.server).await.context("TCP connect")?;
        stream.set_nodelay(true)?;
        let mut request = self.url.as_str().into_client_request()?;
        if let Some(protocol) = self.wire.subprotocol() {
            request
                .headers_mut()
                .insert("Sec-WebSocket-Protocol", HeaderValue::from_static(protocol));
        }
        // Small buffers: ten thousand clients with the 128 KiB default
        // would cost the benchmark process over a gigabyte.
        let config = WebSocketConfig::default()
            .read_buffer_size(4 * 1024)
            .write_buffer_size(0);
        let (mut socket, _) =
            tokio_tungstenite::client_async_with_config(request, stream, Some(config))
                .await
                .context("WebSocket handshake")?;
        if let Some(opening) = self.wire.opening(&self.topic) {
            socket.send(Message::Text(opening.into())).await?;
        }
        let subscribed = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(message) = socket.next().await {
                if let Message::Text(text) = message? {
                    match self.wire.control(text.as_str(), &self.topic) {
                        Control::Subscribed => return Ok(()),
                        Control::Refused(why) => return Err(anyhow!("server refused: {why}")),
                        Control::Reply(frame) => socket.send(Message::Text(frame.into())).await?,
                        Control::Ignore => {}
                    }
                }
            }
            Err(anyhow!("connection closed before `subscribed`"))
        });
        subscribed.await.context("no `subscribed` within 60 s")??;
        Ok(socket)
    }

    /// Reads until told to stop, timing every benchmark event. Sends the
    /// protocol's keepalive every 20 s and answers what the server asks
    /// (WebSocket pings are answered by tungstenite as the stream is
    /// polled).
    async fn listen(&self, mut socket: Socket, mut stop: watch::Receiver<bool>) -> Report {
        let mut report = Report::default();
        let every = Duration::from_secs(20);
        let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        loop {
            tokio::select! {
                message = socket.next() => match message {
                    Some(Ok(Message::Text(text))) => {
                        if let Some(reply) = self.on_text(text.as_str(), &mut report) {
                            if let Err(error) = socket.send(Message::Text(reply.into())).await {
                                report.lost = Some(format!("reply failed: {error}"));
                                break;
                            }
                        }
                    }
                    Some(Ok(Message::Close(frame))) => {
                        report.lost = Some(format!("closed by the server: {frame:?}"));
                        break;
                    }
                    Some(Ok(_)) => {}
                    Some(Err(error)) => {
                        report.lost = Some(format!("read error: {error}"));
                        break;
                    }
                    None => {
                        report.lost = Some("connection ended".into());
                        break;
                    }
                },
                _ = ping.tick() => {
                    let Some(keepalive) = self.wire.keepalive() else {
                        continue;
                    };
                    if let Err(error) = socket.send(Message::Text(keepalive.into())).await {
                        report.lost = Some(format!("ping failed: {error}"));
                        break;
                    }
                }
                _ = stop.changed() => break,
            }
        }
        // Dropping the socket closes the TCP connection; a close handshake
        // with ten thousand peers would only slow the phase change down.
        report
    }

    /// Times an event frame; for any other frame, what to answer.
    fn on_text(&self, text: &str, report: &mut Report) -> Option<String> {
        if !self.wire.is_event(text) {
            return match self.wire.control(text, &self.topic) {
                Control::Reply(frame) => Some(frame),
                _ => None,
            };
        }
        let now = self.clock.now_ns();
        report.frame_bytes = text.len();
        let Some((kind, sent)) = parse_stamp(text) else {
            report.foreign += 1;
            report
                .first_foreign
                .get_or_insert_with(|| text.chars().take(160).collect());
            return None;
        };
        let micros = (now.saturating_sub(sent) / 1000).min(u64::from(u32::MAX)) as u32;
        match kind {
            Kind::Flood => {
                report.flood_us.push(micros);
                report.last_flood_ns = now;
                self.counters.flood.fetch_add(1, Ordering::Relaxed);
            }
            Kind::Paced => {
                report.paced_us.push(micros);
                self.counters.paced.fetch_add(1, Ordering::Relaxed);
            }
        }
        None
    }
}

/// `… "text":"bench f 123456" …` → (Flood, 123456). The stamp is found
/// wherever it is in the frame, quoted as JSON text or as text within a
/// JSON string (`\"bench f 1\"`: Socket.IO's and Pusher's frames carry
/// the event as a string).
pub(crate) fn parse_stamp(frame: &str) -> Option<(Kind, u64)> {
    const MARK: &str = r#""bench "#;
    let rest = &frame[frame.find(MARK)? + MARK.len()..];
    let kind = match rest.as_bytes().first()? {
        b'f' => Kind::Flood,
        b'p' => Kind::Paced,
        _ => return None,
    };
    let digits = rest.get(2..)?;
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    Some((kind, digits[..end].parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_stamp_of_an_event_frame() {
        let frame = r#"{"type":"event","event":{"id":"x","type":"instructions_changed","topic":"order:B-1","seq":3,"payload":{"text":"bench p 987654321"}}}"#;
        assert_eq!(parse_stamp(frame), Some((Kind::Paced, 987_654_321)));
        assert_eq!(parse_stamp(r#"{"payload":{"text":"hello"}}"#), None);
    }

    #[test]
    fn reads_the_stamp_inside_a_json_string() {
        let socketio = r#"42["event","{\"payload\":{\"text\":\"bench f 12\"}}"]"#;
        assert_eq!(parse_stamp(socketio), Some((Kind::Flood, 12)));
        let pusher = r#"{"event":"bench-event","channel":"bench-1","data":"{\"payload\":{\"text\":\"bench p 34\"}}"}"#;
        assert_eq!(parse_stamp(pusher), Some((Kind::Paced, 34)));
    }
}
