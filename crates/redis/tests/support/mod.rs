//! Finding Redis for the tests, and a Redis of a test's own.
//!
//! The shared one is `$TRACKWIRE_TEST_REDIS` (default
//! `redis://127.0.0.1:6379`; `scripts/services` starts it). Each test uses
//! its own key prefix, so runs never see each other's keys. A test that
//! must stop or restart Redis starts [`OwnRedis`] on a free port.
#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The shared Redis for tests, or `None` (with the reason printed) when it
/// does not answer and skipping was allowed; panics otherwise: a test that
/// cannot reach its service must not pass silently.
pub(crate) async fn shared_redis() -> Option<redis::Client> {
    let url =
        std::env::var("TRACKWIRE_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let client = redis::Client::open(url.as_str()).expect("a redis URL");
    if answers(&client).await {
        return Some(client);
    }
    let message = format!(
        "Redis does not answer at {url}: run scripts/services (or set TRACKWIRE_TEST_REDIS)"
    );
    if std::env::var_os("TRACKWIRE_ALLOW_SKIP").is_some() {
        eprintln!("SKIPPED: {message}");
        return None;
    }
    panic!("{message}; TRACKWIRE_ALLOW_SKIP=1 skips instead");
}

async fn answers(client: &redis::Client) -> bool {
    let ping = async {
        let mut conn = client.get_multiplexed_async_connection().await.ok()?;
        redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .ok()
    };
    tokio::time::timeout(Duration::from_secs(2), ping)
        .await
        .ok()
        .flatten()
        .is_some()
}

/// A key prefix no other test (or run) uses.
pub(crate) fn prefix() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "twtest-{}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        rand::random::<u32>()
    )
}

/// A redis-server of this test's own, on a free port, stopped on drop.
pub(crate) struct OwnRedis {
    pub(crate) port: u16,
    child: Option<Child>,
    dir: tempfile::TempDir,
}

impl OwnRedis {
    pub(crate) async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut own = Self {
            port,
            child: None,
            dir: tempfile::tempdir().expect("tempdir"),
        };
        own.up().await;
        own
    }

    pub(crate) fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub(crate) fn client(&self) -> redis::Client {
        redis::Client::open(self.url().as_str()).expect("url")
    }

    /// Starts it (again, on the same port) and waits until it answers.
    pub(crate) async fn up(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server (Debian's redis-server package)");
        self.child = Some(child);
        let client = self.client();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !answers(&client).await {
            assert!(
                tokio::time::Instant::now() < deadline,
                "own redis-server did not start"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Kills it (SIGKILL) and waits for it to be gone.
    pub(crate) fn down(&mut self) {
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
