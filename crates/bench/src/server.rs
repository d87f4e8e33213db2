//! The server under test: a child process we spawn, or one already running,
//! and what `/proc` tells about it (resident memory, CPU time, open files).

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A server process to start: what to run and how to tell it is ready.
pub(crate) struct Launch {
    pub(crate) program: PathBuf,
    pub(crate) args: Vec<OsString>,
    pub(crate) env: Vec<(String, String)>,
    /// Working directory (default: the data dir).
    pub(crate) dir: Option<PathBuf>,
    pub(crate) ready: Ready,
}

/// How a spawned server tells that it listens.
#[derive(Clone, Copy)]
pub(crate) enum Ready {
    /// It prints `PREFIX http://IP:PORT` on stdout.
    Stdout(&'static str),
    /// It was told to listen here: ready once a TCP connect succeeds.
    Port(SocketAddr),
}

/// The server the benchmark talks to.
pub(crate) struct Server {
    /// `http://127.0.0.1:PORT`
    pub(crate) url: String,
    pub(crate) addr: SocketAddr,
    /// Known when we spawned it or were told with `--server-pid`.
    pub(crate) pid: Option<u32>,
    child: Option<Child>,
    /// Holds the data dir (and the server's log) until the end.
    _data: Option<tempfile::TempDir>,
    log: Option<PathBuf>,
}

impl Server {
    /// Spawns `binary serve` on a free loopback port in a fresh data dir,
    /// under `taskset -c CPUS` when `cpus` is given. The child inherits our
    /// (raised) open-file limit.
    pub(crate) async fn spawn(binary: &Path, cpus: Option<&str>) -> Result<Self> {
        Self::spawn_with(binary, cpus, &[]).await
    }

    /// [`Server::spawn`] with more `serve` flags (a cluster node's store,
    /// broker and node id).
    pub(crate) async fn spawn_with(
        binary: &Path,
        cpus: Option<&str>,
        extra: &[String],
    ) -> Result<Self> {
        if !binary.exists() {
            bail!(
                "{} not found: build it first with `cargo build --release -p trackwire`, \
                 or pass --trackwire PATH or --server URL",
                binary.display()
            );
        }
        let data = data_dir()?;
        let mut args: Vec<OsString> = [
            "serve",
            // Every benchmark client is the development identity on
            // loopback: the per-IP and per-user limits would refuse them.
            "--insecure-dev",
            "--max-connections-per-ip",
            "1000000",
            "--max-connections-per-subject",
            "1000000",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
        ]
        .map(OsString::from)
        .into();
        args.push(data.path().into());
        args.extend(extra.iter().map(OsString::from));
        let launch = Launch {
            program: binary.to_path_buf(),
            args,
            env: vec![("TRACKWIRE_LOG".into(), "warn".into())],
            dir: None,
            ready: Ready::Stdout("trackwire listening on "),
        };
        Self::launch(launch, cpus, data).await
    }

    /// Spawns any server (Trackwire or a peer) under `taskset -c CPUS`
    /// when `cpus` is given, its stderr in `data`/server.log, and waits
    /// (15 s at most) until it is ready. `data` lives as long as the server.
    pub(crate) async fn launch(
        launch: Launch,
        cpus: Option<&str>,
        data: tempfile::TempDir,
    ) -> Result<Self> {
        let log = data.path().join("server.log");
        let log_file = std::fs::File::create(&log)?;
        let mut command = match cpus {
            // taskset execs the server: the pid stays the server's.
            Some(cpus) => {
                let mut command = Command::new("taskset");
                command.arg("-c").arg(cpus).arg(&launch.program);
                command
            }
            None => Command::new(&launch.program),
        };
        // A server that tells nothing on stdout may still write there (its
        // log, say): into the log file with stderr, so that no full pipe
        // ever blocks it.
        let stdout = match launch.ready {
            Ready::Stdout(_) => Stdio::piped(),
            Ready::Port(_) => Stdio::from(log_file.try_clone()?),
        };
        let mut child = command
            .args(&launch.args)
            .envs(launch.env.iter().map(|(k, v)| (k, v)))
            .current_dir(launch.dir.as_deref().unwrap_or(data.path()))
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(Stdio::from(log_file))
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("spawning {}", launch.program.display()))?;
        let pid = child.id();
        let ready = match launch.ready {
            Ready::Stdout(prefix) => {
                let stdout = child.stdout.take().context("server stdout")?;
                let mut lines = BufReader::new(stdout).lines();
                let url = tokio::time::timeout(Duration::from_secs(15), async {
                    while let Some(line) = lines.next_line().await? {
                        if let Some(url) = line.strip_prefix(prefix) {
                            return Ok(url.trim().to_string());
                        }
                    }
                    bail!("it exited before listening")
                })
                .await
                .unwrap_or_else(|_| Err(anyhow::anyhow!("it printed no address within 15 s")));
                // Keep draining stdout so the child never blocks on a full
                // pipe.
                tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
                url
            }
            Ready::Port(addr) => wait_for_port(&mut child, addr).await,
        };
        let url = ready.with_context(|| {
            format!(
                "starting {}; its log ends: {}",
                launch.program.display(),
                log_tail(&log)
            )
        })?;
        let addr = socket_addr(&url)?;
        Ok(Self {
            url,
            addr,
            pid,
            child: Some(child),
            _data: Some(data),
            log: Some(log),
        })
    }

    /// A server that is already running at `url`.
    pub(crate) fn external(url: &str, pid: Option<u32>) -> Result<Self> {
        let url = url.trim_end_matches('/').to_string();
        let addr = socket_addr(&url)?;
        Ok(Self {
            url,
            addr,
            pid,
            child: None,
            _data: None,
            log: None,
        })
    }

    pub(crate) fn spawned(&self) -> bool {
        self.child.is_some()
    }

    /// Resident memory in KiB.
    pub(crate) fn rss_kib(&self) -> Option<u64> {
        rss_kib(self.pid?)
    }

    /// CPU ticks (user, system) spent so far.
    pub(crate) fn cpu_ticks(&self) -> Option<Ticks> {
        cpu_ticks(&format!("/proc/{}/stat", self.pid?))
    }

    /// Open file descriptors.
    pub(crate) fn open_files(&self) -> Option<usize> {
        let dir = std::fs::read_dir(format!("/proc/{}/fd", self.pid?)).ok()?;
        Some(dir.count())
    }

    /// Lines the server wrote to its log (warnings and errors only).
    pub(crate) fn log_lines(&self) -> Vec<String> {
        let Some(log) = &self.log else {
            return Vec::new();
        };
        std::fs::read_to_string(log)
            .map(|text| text.lines().map(strip_ansi).collect())
            .unwrap_or_default()
    }

    pub(crate) async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.start_kill();
            let _ = child.wait().await;
        }
    }
}

/// Waits (15 s at most) until `addr` takes a TCP connection.
async fn wait_for_port(child: &mut Child, addr: SocketAddr) -> Result<String> {
    let until = Instant::now() + Duration::from_secs(15);
    loop {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return Ok(format!("http://{addr}"));
        }
        if let Some(status) = child.try_wait()? {
            bail!("it exited ({status}) before listening on {addr}");
        }
        if Instant::now() >= until {
            bail!("it did not listen on {addr} within 15 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The last lines of a server's log, on one line.
fn log_tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<String> = text.lines().rev().take(5).map(strip_ansi).collect();
    if lines.is_empty() {
        return "(nothing)".into();
    }
    lines.into_iter().rev().collect::<Vec<_>>().join(" / ")
}

/// A fresh temporary directory for one server's data and log.
pub(crate) fn data_dir() -> Result<tempfile::TempDir> {
    Ok(tempfile::Builder::new()
        .prefix("trackwire-bench-")
        .tempdir()?)
}

/// A loopback port nobody listens on now (the kernel's pick, never one of
/// the machine's services: they live below the ephemeral range).
pub(crate) fn free_port() -> Result<SocketAddr> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?)
}

/// `http://HOST:PORT[/...]` → the socket address (an IP literal is needed:
/// the benchmark binds its own source addresses on loopback).
fn socket_addr(url: &str) -> Result<SocketAddr> {
    let rest = url
        .strip_prefix("http://")
        .with_context(|| format!("{url}: expected http://IP:PORT"))?;
    let authority = rest.split('/').next().unwrap_or(rest);
    let authority = authority.replace("localhost", "127.0.0.1");
    authority
        .parse()
        .with_context(|| format!("{url}: expected http://IP:PORT"))
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU time in clock ticks.
#[derive(Clone, Copy)]
pub(crate) struct Ticks {
    pub(crate) user: u64,
    pub(crate) system: u64,
}

/// utime and stime (fields 14 and 15 of `/proc/PID/stat`).
fn cpu_ticks(stat_path: &str) -> Option<Ticks> {
    let stat = std::fs::read_to_string(stat_path).ok()?;
    // The command name may hold spaces: count fields after its ')'.
    let after = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(Ticks {
        user: utime,
        system: stime,
    })
}

/// CPU ticks of this (the benchmark's) process.
pub(crate) fn own_cpu_ticks() -> Option<Ticks> {
    cpu_ticks("/proc/self/stat")
}

/// Clock ticks per second, from `getconf CLK_TCK` (100 if unknown).
pub(crate) fn clock_ticks() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(100.0)
}

/// `nproc` and the CPU model, for the report (before any pinning).
pub(crate) fn machine() -> String {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split(':').nth(1))
                .map(|model| model.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{cores} cores, {model}")
}

/// The line without its terminal colour sequences (`ESC [ … m`).
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Clock ticks of the whole machine (every CPU), from the first line of
/// `/proc/stat`.
#[derive(Clone, Copy)]
pub(crate) struct MachineTicks {
    /// user, nice, system, irq, softirq: what this machine's processes and
    /// kernel ran.
    pub(crate) busy: u64,
    /// Time the hypervisor gave our virtual CPUs to someone else.
    pub(crate) steal: u64,
}

pub(crate) fn machine_ticks() -> Option<MachineTicks> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().next()?.strip_prefix("cpu ")?;
    let fields: Vec<u64> = line
        .split_whitespace()
        .map(|field| field.parse().unwrap_or(0))
        .collect();
    // user nice system idle iowait irq softirq steal (guest time is in user).
    let field = |i: usize| fields.get(i).copied().unwrap_or(0);
    Some(MachineTicks {
        busy: field(0) + field(1) + field(2) + field(5) + field(6),
        steal: field(7),
    })
}
