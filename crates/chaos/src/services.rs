//! What cluster runs stand on: a fresh PostgreSQL database of the run's
//! own on the machine's PostgreSQL (dropped after), a redis-server of the
//! run's own on a free port (killed and restarted at will), and, as root,
//! a network namespace for that Redis with one link per node, so a node
//! can be cut off from Redis while everything else still sees it.
//!
//! PostgreSQL is `$TRACKWIRE_TEST_POSTGRES` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`); `scripts/services`
//! starts it. The shared server is never restarted: its faults are
//! terminated connections on the run's own database. The cluster tests
//! (`crates/trackwire/tests/common/cluster.rs`) use the same helpers.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The PostgreSQL server's admin URL (its `postgres` database).
pub fn admin_url() -> String {
    std::env::var("TRACKWIRE_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Runs one SQL statement with psql against `url`; its output, trimmed.
pub fn psql(url: &str, sql: &str) -> Result<String, String> {
    let output = Command::new("psql")
        .args([url, "-tAqc", sql])
        .env("PGCONNECT_TIMEOUT", "5")
        .output()
        .map_err(|e| format!("cannot run psql: {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_owned())
    }
}

/// A name no other run (or test) uses: `tw_{what}_{pid}_{n}_{random}`.
pub fn unique(what: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "tw_{what}_{}_{}_{:04x}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        rand::random::<u16>()
    )
}

/// Why a cluster run cannot happen here, if it cannot: PostgreSQL must
/// answer at [`admin_url`] and `redis-server` must be installed.
pub fn cluster_unavailable() -> Option<String> {
    if let Err(why) = psql(&admin_url(), "SELECT 1") {
        let why = why.lines().next().unwrap_or_default().to_owned();
        return Some(format!(
            "PostgreSQL does not answer at {} ({why}): run scripts/services",
            admin_url()
        ));
    }
    let redis = Command::new("redis-server")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !redis {
        return Some(
            "no redis-server (Debian's redis-server package): run scripts/services".into(),
        );
    }
    None
}

/// Whether this process runs as root.
pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A database of the run's own, dropped on drop.
pub struct Database {
    pub url: String,
    pub name: String,
    admin: String,
}

impl Database {
    /// A fresh database on the server of [`admin_url`].
    pub fn fresh() -> Result<Self, String> {
        Self::on(&admin_url())
    }

    /// A fresh database on the server of `admin`.
    pub fn on(admin: &str) -> Result<Self, String> {
        let name = unique("db");
        psql(admin, &format!("CREATE DATABASE {name}"))?;
        let base = admin.rsplit_once('/').map_or(admin, |(base, _)| base);
        Ok(Self {
            url: format!("{base}/{name}"),
            name,
            admin: admin.to_owned(),
        })
    }

    /// Cuts every connection to the database and refuses new ones, until
    /// [`Database::reopen`]: a PostgreSQL outage for the nodes, without
    /// touching the server others use. Returns how many were cut.
    pub fn cut(&self) -> Result<u64, String> {
        psql(
            &self.admin,
            &format!("ALTER DATABASE {} ALLOW_CONNECTIONS false", self.name),
        )?;
        let cut = psql(
            &self.admin,
            &format!(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
                 WHERE datname = '{}' AND pid <> pg_backend_pid()",
                self.name
            ),
        )?;
        Ok(cut.parse().unwrap_or(0))
    }

    /// Takes connections again after [`Database::cut`].
    pub fn reopen(&self) -> Result<(), String> {
        psql(
            &self.admin,
            &format!("ALTER DATABASE {} ALLOW_CONNECTIONS true", self.name),
        )
        .map(|_| ())
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let _ = psql(
            &self.admin,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}

/// A network namespace for the run's Redis, with one veth pair per node:
/// node `n` reaches Redis at `10.B.n.2` over its own link (the host's side
/// `10.B.n.1`), so taking that link down cuts that node alone off from
/// Redis, silently for the connections it has (no FIN, no RST: packets go
/// to a blackhole route), while a new connect fails. Deleted on drop.
pub struct Netns {
    pub name: String,
    block: u8,
    links: Vec<String>,
}

impl Netns {
    /// The namespace and `nodes` links, or why not (not root, no `ip`).
    pub fn create(nodes: usize) -> Result<Self, String> {
        if !is_root() {
            return Err("ip netns needs root".into());
        }
        // A block of addresses no other run holds: its blackhole route
        // is the claim (adding one that exists fails). With a node's link
        // down, packets to its Redis address end there, dropped, instead
        // of leaving by the default route.
        let first = rand::random::<u8>() % 50;
        let block = (0..50)
            .map(|i| 200 + (first + i) % 50)
            .find(|b| ip(&["route", "add", "blackhole", &format!("10.{b}.0.0/16")]).is_ok())
            .ok_or("no free 10.200-249.0.0/16 block for the namespace")?;
        let name = format!("twchaos-{}-{block}", std::process::id());
        let mut netns = Self {
            name,
            block,
            links: Vec::new(),
        };
        ip(&["netns", "add", &netns.name])?;
        let tag = format!("{:04x}", rand::random::<u16>());
        for n in 0..nodes {
            let (host, inside) = (format!("twh{tag}{n}"), format!("twr{tag}{n}"));
            ip(&[
                "link", "add", &host, "type", "veth", "peer", "name", &inside,
            ])?;
            netns.links.push(host.clone());
            ip(&["link", "set", &inside, "netns", &netns.name])?;
            ip(&[
                "addr",
                "add",
                &format!("10.{}.{n}.1/24", netns.block),
                "dev",
                &host,
            ])?;
            ip(&["link", "set", &host, "up"])?;
            netns.exec_ip(&[
                "addr",
                "add",
                &format!("10.{}.{n}.2/24", netns.block),
                "dev",
                &inside,
            ])?;
            netns.exec_ip(&["link", "set", &inside, "up"])?;
        }
        netns.exec_ip(&["link", "set", "lo", "up"])?;
        Ok(netns)
    }

    fn exec_ip(&self, args: &[&str]) -> Result<(), String> {
        let mut all = vec!["netns", "exec", self.name.as_str(), "ip"];
        all.extend_from_slice(args);
        ip(&all)
    }

    /// Where node `n` reaches Redis.
    pub fn redis_ip(&self, n: usize) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(10, self.block, n as u8, 2))
    }

    /// Takes node `n`'s link to Redis down (`up: false`) or up again.
    pub fn link(&self, n: usize, up: bool) -> Result<(), String> {
        let state = if up { "up" } else { "down" };
        ip(&["link", "set", &self.links[n], state])
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        // The namespace's ends go with it (once nothing runs in it), and
        // their host peers with them; deleted here in case that is later.
        let _ = ip(&["netns", "del", &self.name]);
        for link in &self.links {
            let _ = ip(&["link", "del", link]);
        }
        let _ = ip(&[
            "route",
            "del",
            "blackhole",
            &format!("10.{}.0.0/16", self.block),
        ]);
    }
}

fn ip(args: &[&str]) -> Result<(), String> {
    let output = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run ip: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// A redis-server of the run's own on a free port (in a [`Netns`] when
/// given one, listening on its every address), killed on drop.
pub struct OwnRedis {
    pub port: u16,
    /// Where the run's side reaches it to see it answer.
    probe: SocketAddr,
    netns: Option<String>,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl OwnRedis {
    pub async fn start(netns: Option<&Netns>) -> Result<Self, String> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let ip = netns.map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |ns| ns.redis_ip(0));
        let mut own = Self {
            port,
            probe: SocketAddr::new(ip, port),
            netns: netns.map(|ns| ns.name.clone()),
            dir: tempfile::tempdir().map_err(|e| e.to_string())?,
            child: None,
        };
        own.up().await?;
        Ok(own)
    }

    /// The URL for a node that reaches it at `ip`.
    pub fn url_at(&self, ip: IpAddr) -> String {
        format!("redis://{ip}:{}", self.port)
    }

    /// Starts it (again, on the same port) and waits until it answers.
    pub async fn up(&mut self) -> Result<(), String> {
        let mut command = match &self.netns {
            Some(ns) => {
                let mut c = Command::new("ip");
                c.args(["netns", "exec", ns, "redis-server"]);
                c.args(["--bind", "0.0.0.0", "--protected-mode", "no"]);
                c
            }
            None => {
                let mut c = Command::new("redis-server");
                c.args(["--bind", "127.0.0.1"]);
                c
            }
        };
        let dir: PathBuf = self.dir.path().to_owned();
        let child = command
            .args(["--port", &self.port.to_string()])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run redis-server: {e}"))?;
        self.child = Some(child);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !answers(self.probe).await {
            if tokio::time::Instant::now() > deadline {
                return Err(format!("redis-server did not answer at {}", self.probe));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(())
    }

    /// Kills it (SIGKILL) and reaps it.
    pub fn down(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.down();
    }
}

/// Whether a Redis at `addr` answers `PING`.
async fn answers(addr: SocketAddr) -> bool {
    let ping = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await.ok()?;
        stream.write_all(b"PING\r\n").await.ok()?;
        let mut reply = [0u8; 7];
        stream.read_exact(&mut reply).await.ok()?;
        (&reply == b"+PONG\r\n").then_some(())
    };
    tokio::time::timeout(Duration::from_secs(1), ping)
        .await
        .ok()
        .flatten()
        .is_some()
}
