//! The real `trackwire serve` in a child process, on a port and a data
//! directory that stay the same across kills and restarts (the proxy in
//! front keeps pointing at it), and what `/proc` says about it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot run {bin}: {source}")]
    Spawn {
        bin: PathBuf,
        source: std::io::Error,
    },
    #[error("the server exited before listening; its log: {log}")]
    Exited { log: String },
    #[error("the server did not listen within 20 s; its log: {log}")]
    Slow { log: String },
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}

/// How to start the server.
#[derive(Debug, Clone)]
pub struct ServerSpec {
    pub bin: PathBuf,
    pub data_dir: PathBuf,
    pub addr: SocketAddr,
    /// Flags after the defaults (`--insecure-dev`, short heartbeats).
    pub extra: Vec<String>,
    /// Where its stderr goes, off the data's disk (which a scenario may
    /// fill or make read-only): `<log>.<start>.log`, removed with the
    /// [`Server`].
    pub log: PathBuf,
}

impl ServerSpec {
    /// A free loopback port, and `data_dir` (created).
    pub fn new(bin: &Path, data_dir: &Path) -> Result<Self, ServerError> {
        std::fs::create_dir_all(data_dir)?;
        let addr = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
        Ok(Self {
            bin: bin.to_owned(),
            data_dir: data_dir.to_owned(),
            addr,
            extra: Vec::new(),
            log: std::env::temp_dir().join(format!("trackwire-chaos-{}", addr.port())),
        })
    }
}

pub struct Server {
    pub spec: ServerSpec,
    child: Child,
    log: PathBuf,
}

impl Server {
    /// Starts it and waits for its `listening` line.
    pub async fn start(spec: ServerSpec) -> Result<Self, ServerError> {
        // A log per start: a restart's must not be the old handle's to remove.
        static STARTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let start = STARTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let log = spec.log.with_extension(format!("{start}.log"));
        // The log of this start only: a refused start's lines are its own.
        let log_file = std::fs::File::create(&log)?;
        let mut child = Command::new(&spec.bin)
            .arg("serve")
            .arg("--insecure-dev")
            .args(["--listen", &spec.addr.to_string()])
            .arg("--data-dir")
            .arg(&spec.data_dir)
            // Short heartbeats and polls: a half-open link is found in
            // seconds, not in the default 50.
            .args(["--heartbeat", "1", "--poll-wait", "2"])
            .args(["--max-connections-per-ip", "1000000"])
            .args(["--max-connections-per-subject", "1000000"])
            .args(&spec.extra)
            .env("TRACKWIRE_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file))
            .kill_on_drop(true)
            .spawn()
            .map_err(|source| ServerError::Spawn {
                bin: spec.bin.clone(),
                source,
            })?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| ServerError::Exited { log: String::new() })?;
        let mut lines = BufReader::new(stdout).lines();
        let listening = tokio::time::timeout(Duration::from_secs(20), async {
            while let Ok(Some(line)) = lines.next_line().await {
                if line.starts_with("trackwire listening on ") {
                    return true;
                }
            }
            false
        })
        .await;
        match listening {
            Ok(true) => {}
            Ok(false) => {
                let _ = child.wait().await;
                return Err(ServerError::Exited {
                    log: read_log(&log),
                });
            }
            Err(_) => {
                return Err(ServerError::Slow {
                    log: read_log(&log),
                })
            }
        }
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Self { spec, child, log })
    }

    /// Runs the server to its exit and returns its status and log tail,
    /// for a start that must be refused.
    pub async fn refused(spec: &ServerSpec) -> Result<(bool, String), ServerError> {
        match Self::start(spec.clone()).await {
            Ok(mut server) => {
                server.kill_9().await;
                Ok((false, String::new()))
            }
            Err(ServerError::Exited { log }) => Ok((true, log)),
            Err(other) => Err(other),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.spec.addr)
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// SIGKILL and reap.
    pub async fn kill_9(&mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }

    /// SIGTERM (a graceful stop) and reap.
    pub async fn stop(&mut self) {
        if let Some(pid) = self.child.id() {
            let _ = Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status()
                .await;
        }
        let _ = self.child.wait().await;
    }

    /// The log so far.
    pub fn log(&self) -> String {
        read_log(&self.log)
    }

    /// Resident memory in KiB.
    pub fn rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()?)).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// Open file descriptors.
    pub fn open_files(&self) -> Option<usize> {
        Some(
            std::fs::read_dir(format!("/proc/{}/fd", self.pid()?))
                .ok()?
                .count(),
        )
    }
}

impl Drop for Server {
    /// The child dies with its handle (`kill_on_drop`); its log goes too
    /// (errors carry its tail).
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.log);
    }
}

fn read_log(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let tail: Vec<&str> = text.lines().rev().take(20).collect();
    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
}
