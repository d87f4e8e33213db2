//! Who may hold a connection: plain HTTP connections per IP, the total
//! below the open-files limit, and which connection to shed at the cap.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use dashmap::DashMap;
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;
use trackwire_domain::Code;

use super::counted::OpenSockets;

pub(super) struct Slots {
    shared: Arc<Shared>,
}

struct Shared {
    plain_per_ip: usize,
    max_connections: usize,
    /// Open sockets, kept by `Counted` (it follows the socket through an
    /// upgrade).
    open: Arc<OpenSockets>,
    plain_by_ip: DashMap<IpAddr, usize>,
    /// Connections that have not sent a request head yet, by accept order:
    /// the first (the longest waiting) is the first to shed.
    waiting: Mutex<BTreeMap<u64, CancellationToken>>,
    next_id: AtomicU64,
}

pub(super) enum Admission {
    Admitted(Admitted),
    Refused(Refusal),
}

pub(super) struct Admitted {
    pub(super) slot: PlainSlot,
    /// Cancelled when this connection is shed.
    pub(super) shed: CancellationToken,
    pub(super) open: Arc<OpenSockets>,
}

/// Why a connection was refused at accept.
pub(super) enum Refusal {
    /// Its IP holds `plain_per_ip` plain connections already.
    PerIp,
    /// The server holds `max_connections` and none is idle to shed.
    Full,
}

impl Slots {
    pub(super) fn new(plain_per_ip: usize, max_connections: usize) -> Self {
        Self {
            shared: Arc::new(Shared {
                plain_per_ip,
                max_connections,
                open: Arc::default(),
                plain_by_ip: DashMap::new(),
                waiting: Mutex::default(),
                next_id: AtomicU64::new(0),
            }),
        }
    }

    /// Before the next accept: at the cap, sheds the longest-waiting idle
    /// connection and waits for its socket to close, so the process never
    /// holds more than the cap (and never meets `EMFILE`). False when
    /// there is nothing to shed: the next connection is to be refused.
    pub(super) async fn make_room(&self) -> bool {
        let shared = &self.shared;
        while shared.open.count() >= shared.max_connections {
            if !shared.shed_longest_waiting() {
                return false;
            }
            // The shed connection's task drops its socket soon; a guard in
            // case it was closing anyway.
            let _ = tokio::time::timeout(
                std::time::Duration::from_millis(100),
                shared.open.one_closed(),
            )
            .await;
        }
        true
    }

    /// A slot for a connection from `ip`, or why not; `room` is what
    /// [`make_room`](Self::make_room) said.
    pub(super) fn admit(&self, ip: IpAddr, room: bool) -> Admission {
        let shared = &self.shared;
        if !room {
            return Admission::Refused(Refusal::Full);
        }
        {
            let mut plain = shared.plain_by_ip.entry(ip).or_insert(0);
            if *plain >= shared.plain_per_ip {
                return Admission::Refused(Refusal::PerIp);
            }
            *plain += 1;
        }
        let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
        let shed = CancellationToken::new();
        if let Ok(mut waiting) = shared.waiting.lock() {
            waiting.insert(id, shed.clone());
        }
        Admission::Admitted(Admitted {
            slot: PlainSlot(Arc::new(SlotState {
                id,
                ip,
                released: AtomicBool::new(false),
                shared: shared.clone(),
            })),
            shed,
            open: shared.open.clone(),
        })
    }
}

impl Shared {
    /// Sheds the connection that has waited longest for its first request
    /// head; false when there is none. The longest waiting, not the newest:
    /// a client that just connected is about to send its request, while one
    /// that sent nothing for long is what a slowloris flood is made of
    /// (shedding the newest would close every new client under a flood).
    fn shed_longest_waiting(&self) -> bool {
        let oldest = self.waiting.lock().ok().and_then(|mut w| w.pop_first());
        match oldest {
            Some((_, shed)) => {
                shed.cancel();
                true
            }
            None => false,
        }
    }

    fn release_plain(&self, ip: IpAddr) {
        let emptied = match self.plain_by_ip.get_mut(&ip) {
            Some(mut plain) => {
                *plain = plain.saturating_sub(1);
                *plain == 0
            }
            None => false,
        };
        if emptied {
            self.plain_by_ip.remove_if(&ip, |_, plain| *plain == 0);
        }
    }
}

/// A connection's plain-HTTP slot, in every request's extensions. The
/// real-time transports [`release`](Self::release) it when they admit the
/// request (their own per-IP limits count it from then on); otherwise it
/// goes when the connection closes.
#[derive(Clone)]
pub struct PlainSlot(Arc<SlotState>);

struct SlotState {
    id: u64,
    ip: IpAddr,
    released: AtomicBool,
    shared: Arc<Shared>,
}

impl PlainSlot {
    /// A request head arrived: the connection is no longer idle.
    pub(super) fn mark_active(&self) {
        if let Ok(mut waiting) = self.0.shared.waiting.lock() {
            waiting.remove(&self.0.id);
        }
    }

    /// The connection became real-time: its plain slot is free again.
    pub fn release(&self) {
        self.mark_active();
        if !self.0.released.swap(true, Ordering::Relaxed) {
            self.0.shared.release_plain(self.0.ip);
        }
    }
}

impl Drop for SlotState {
    fn drop(&mut self) {
        if let Ok(mut waiting) = self.shared.waiting.lock() {
            waiting.remove(&self.id);
        }
        if !self.released.swap(true, Ordering::Relaxed) {
            self.shared.release_plain(self.ip);
        }
    }
}

impl Refusal {
    /// Closes the socket without an answer (a TLS listener: nothing can be
    /// said before a handshake, and a refused connection gets none).
    pub(super) fn close(self, stream: TcpStream) {
        drop(stream);
        tracing::debug!(
            code = self.code().as_str(),
            "refused a TLS connection at accept"
        );
    }

    fn code(&self) -> Code {
        match self {
            Refusal::PerIp => Code::RateLimited,
            Refusal::Full => Code::ServerFull,
        }
    }

    /// Answers on the raw socket, without waiting, and closes it.
    pub(super) fn answer(self, stream: TcpStream) {
        let code = self.code();
        let (status, message) = match self {
            Refusal::PerIp => (
                "429 Too Many Requests",
                "too many open connections from this address",
            ),
            Refusal::Full => (
                "503 Service Unavailable",
                "the server holds all the connections it can; retry shortly",
            ),
        };
        let body =
            format!(r#"{{"error":{{"code":"{code}","message":"{message}","details":{{}}}}}}"#);
        let response = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\nretry-after: 1\r\n\
             connection: close\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        // Best effort: a fresh socket's send buffer takes this at once.
        let _ = stream.try_write(response.as_bytes());
        tracing::debug!(code = code.as_str(), "refused a connection at accept");
    }
}
