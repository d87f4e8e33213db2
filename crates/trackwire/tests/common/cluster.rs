//! Several `trackwire serve` processes as one cluster: a fresh PostgreSQL
//! database for the test (dropped after), a Redis (the shared one, or one
//! of the test's own), a key prefix of the test's own.
//!
//! PostgreSQL is `$TRACKWIRE_TEST_POSTGRES` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`), Redis
//! `$TRACKWIRE_TEST_REDIS`; `scripts/services` starts both. A test that
//! cannot reach them fails, unless `TRACKWIRE_ALLOW_SKIP=1`.
#![allow(dead_code)]

use std::process::Command;

use super::{Server, BIN};

/// The secret every node of a test cluster shares.
pub(crate) const SECRET: &str = "cluster-test-secret-0123456789abcdef";

/// A token of the development tenant that every node of a test cluster
/// takes (signed with [`SECRET`]), valid for an hour.
pub(crate) fn token(subject: &str, role: trackwire_auth::Role) -> String {
    let who = trackwire_auth::Identity {
        tenant: trackwire_auth::Identity::DEV_TENANT.into(),
        subject: subject.into(),
        role,
    };
    trackwire_auth::jwt::sign_hs256(
        SECRET.as_bytes(),
        &who,
        std::time::Duration::from_secs(3600),
    )
    .expect("sign")
}

/// Whether the services answer; `false` (with the reason printed) only
/// when skipping is allowed.
pub(crate) fn services_answer() -> bool {
    let pg = psql(&admin_url(), "SELECT 1").is_ok();
    let redis = Command::new("redis-cli")
        .args(["-u", &redis_url(), "PING"])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("PONG"));
    if pg && redis {
        return true;
    }
    let message = format!(
        "PostgreSQL ({}) or Redis ({}) does not answer: run scripts/services",
        admin_url(),
        redis_url()
    );
    if std::env::var_os("TRACKWIRE_ALLOW_SKIP").is_some() {
        eprintln!("SKIPPED: {message}");
        return false;
    }
    panic!("{message}; TRACKWIRE_ALLOW_SKIP=1 skips instead");
}

pub(crate) use trackwire_chaos::services::{admin_url, psql, unique};

/// A database of this test's own, dropped on drop (the reliability
/// suite's cluster run uses the same).
#[allow(unused_imports)]
pub(crate) use trackwire_chaos::services::Database;

pub(crate) fn redis_url() -> String {
    std::env::var("TRACKWIRE_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// How a test cluster is started.
pub(crate) struct ClusterSetup<'a> {
    pub(crate) nodes: usize,
    pub(crate) store: &'a str,
    pub(crate) redis: String,
    /// More `serve` flags for every node.
    pub(crate) extra: Vec<String>,
}

/// The nodes of a cluster; each is killed on drop.
pub(crate) struct Cluster {
    pub(crate) nodes: Vec<Server>,
    pub(crate) prefix: String,
    args: Vec<Vec<String>>,
}

impl Cluster {
    pub(crate) fn start(setup: ClusterSetup<'_>) -> Self {
        let prefix = unique("redis");
        let mut nodes = Vec::new();
        let mut args = Vec::new();
        for n in 0..setup.nodes {
            let mut node_args: Vec<String> = [
                "serve",
                "--insecure-dev",
                "--jwt-secret",
                SECRET,
                "--listen",
                "127.0.0.1:0",
                "--store",
                setup.store,
                "--broker",
                &setup.redis,
                "--redis-prefix",
                &prefix,
                "--node-id",
                &format!("node-{n}"),
                "--heartbeat",
                "1",
                "--max-connections-per-ip",
                "100000",
                "--max-http-connections-per-ip",
                "100000",
                "--max-connections-per-subject",
                "100000",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            node_args.extend(setup.extra.iter().cloned());
            nodes.push(Self::spawn(&node_args));
            args.push(node_args);
        }
        Self {
            nodes,
            prefix,
            args,
        }
    }

    fn spawn(args: &[String]) -> Server {
        let mut command = Command::new(BIN);
        command.args(args).env("TRACKWIRE_LOG", "warn");
        Server::spawn(command)
    }

    pub(crate) fn base(&self, node: usize) -> &str {
        &self.nodes[node].base
    }

    pub(crate) fn ws_url(&self, node: usize, path: &str) -> String {
        format!("{}{path}", self.base(node).replace("http://", "ws://"))
    }
}

#[allow(unreachable_pub)]
#[path = "../../../redis/tests/support/mod.rs"]
mod redis_support;
#[allow(unused_imports)]
pub(crate) use redis_support::OwnRedis;

/// A PostgreSQL server of the test's own (initdb in a temporary
/// directory, a free port), for tests that stop and restart it. Run as
/// the `postgres` user when the tests run as root (initdb refuses root).
pub(crate) struct OwnPostgres {
    port: u16,
    dir: tempfile::TempDir,
    bin: std::path::PathBuf,
    running: bool,
}

impl OwnPostgres {
    pub(crate) fn start() -> Self {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL's server binaries (Debian's postgresql package)")
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .filter(|bin| bin.join("initdb").exists())
            .max()
            .expect("an initdb under /usr/lib/postgresql");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let dir = tempfile::tempdir().expect("tempdir");
        if is_root() {
            let owned = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(dir.path())
                .status()
                .expect("chown");
            assert!(owned.success(), "chown the data directory to postgres");
        }
        let own = Self {
            port,
            dir,
            bin,
            running: false,
        };
        let data = own.data();
        own.run(
            "initdb",
            &["-D", &data, "-A", "trust", "-U", "postgres", "--no-sync"],
        );
        let mut own = own;
        own.start_again();
        own
    }

    fn data(&self) -> String {
        self.dir.path().join("data").to_string_lossy().into_owned()
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let path = self.bin.join(tool);
        let mut command = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&path);
            c
        } else {
            Command::new(&path)
        };
        let output = command.args(args).output().expect("run a PostgreSQL tool");
        assert!(
            output.status.success(),
            "{tool} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Starts it (again, on the same port and data) and waits until it
    /// takes connections.
    pub(crate) fn start_again(&mut self) {
        let (data, socket) = (self.data(), self.dir.path().to_string_lossy().into_owned());
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {socket} -c fsync=off",
            self.port
        );
        let log = format!("{socket}/postgres.log");
        self.run(
            "pg_ctl",
            &["-D", &data, "-o", &options, "-l", &log, "-w", "start"],
        );
        self.running = true;
    }

    /// Stops it at once, as a crash would (`-m immediate`: no checkpoint;
    /// the restart recovers from its WAL).
    pub(crate) fn stop(&mut self) {
        self.run(
            "pg_ctl",
            &["-D", &self.data(), "-m", "immediate", "-w", "stop"],
        );
        self.running = false;
    }

    pub(crate) fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        if self.running {
            self.stop();
        }
    }
}

use trackwire_chaos::services::is_root;
