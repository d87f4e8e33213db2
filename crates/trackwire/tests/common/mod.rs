//! The real binary in a child process, for the process tests.
#![allow(dead_code)]

pub(crate) mod clients;
pub(crate) mod cluster;
pub(crate) mod tls;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The binary under test.
pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_trackwire");

pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) base: String,
    /// What the process prints after its `listening` line, line by line.
    stdout: std::sync::mpsc::Receiver<String>,
    /// Everything it wrote to stderr (its log) so far.
    stderr: Arc<Mutex<String>>,
    stderr_reader: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    pub(crate) fn start(args: &[&str]) -> Self {
        let mut command = Command::new(BIN);
        command.args(args).env("TRACKWIRE_LOG", "warn");
        Self::spawn(command)
    }

    /// Runs `command` (the binary, or a shell that execs it).
    pub(crate) fn spawn(mut command: Command) -> Self {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn trackwire");
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err = BufReader::new(child.stderr.take().expect("stderr"));
        let log = stderr.clone();
        let stderr_reader = std::thread::spawn(move || {
            let mut line = String::new();
            while err.read_line(&mut line).is_ok_and(|n| n > 0) {
                if let Ok(mut log) = log.lock() {
                    log.push_str(&line);
                }
                line.clear();
            }
        });
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let base = loop {
            let line = lines
                .next()
                .expect("trackwire exited before listening")
                .expect("read stdout");
            if let Some(url) = line.strip_prefix("trackwire listening on ") {
                break url.trim().to_owned();
            }
        };
        // Keep draining stdout so the child never blocks on a full pipe.
        let (tx, stdout) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Self {
            child,
            base,
            stdout,
            stderr,
            stderr_reader: Some(stderr_reader),
        }
    }

    /// SIGTERM, then the exit status and the whole log.
    pub(crate) fn stop(mut self) -> (std::process::ExitStatus, String) {
        let status = self.sigterm();
        if let Some(reader) = self.stderr_reader.take() {
            let _ = reader.join();
        }
        (status, self.log())
    }

    fn sigterm(&mut self) -> std::process::ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill -TERM");
        assert!(status.success());
        self.child.wait().expect("wait")
    }

    /// The log so far.
    pub(crate) fn log(&self) -> String {
        self.stderr
            .lock()
            .map(|log| log.clone())
            .unwrap_or_default()
    }

    /// The printed lines up to and including the first that contains `last`.
    pub(crate) fn lines_until(&self, last: &str) -> Vec<String> {
        let mut seen = Vec::new();
        loop {
            let line = self
                .stdout
                .recv_timeout(Duration::from_secs(10))
                .unwrap_or_else(|_| panic!("no line with {last:?}; saw {seen:#?}"));
            let done = line.contains(last);
            seen.push(line);
            if done {
                return seen;
            }
        }
    }

    pub(crate) fn serve(data_dir: &Path) -> Self {
        Self::serve_with(data_dir, &[])
    }

    /// `serve` as [`Server::serve`] starts it, with `extra` flags.
    pub(crate) fn serve_with(data_dir: &Path, extra: &[&str]) -> Self {
        let dir = data_dir.to_str().expect("utf-8 path");
        let mut args = vec![
            "serve",
            "--insecure-dev",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            dir,
        ];
        args.extend_from_slice(extra);
        Self::start(&args)
    }

    pub(crate) fn kill_9(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reap");
    }

    pub(crate) fn terminate(mut self) -> std::process::ExitStatus {
        self.sigterm()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The binary run by `sh` after `ulimit -n open_files`: a process that may
/// hold that many files.
pub(crate) fn with_open_files(open_files: usize) -> Command {
    let mut sh = Command::new("sh");
    sh.arg("-c")
        .arg(format!("ulimit -n {open_files} && exec \"$0\" \"$@\""))
        .arg(BIN);
    sh
}

/// `serve --insecure-dev` on a free loopback port with its data in `data`,
/// as the arguments of `command`.
pub(crate) fn insecure_serve<'c>(command: &'c mut Command, data: &Path) -> &'c mut Command {
    command
        .args(["serve", "--insecure-dev", "--listen", "127.0.0.1:0"])
        .arg("--data-dir")
        .arg(data)
}

/// Stops `server` and checks that it exited well and never met `EMFILE`.
pub(crate) fn stop_without_emfile(server: Server) {
    let (status, log) = server.stop();
    assert!(status.success(), "{log}");
    assert!(
        !log.contains("Too many open files"),
        "accept met EMFILE: {log}"
    );
}

/// A client address, 127.0.0.`octet` (all of 127/8 is loopback).
pub(crate) fn from(octet: u8) -> std::net::IpAddr {
    std::net::IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, octet))
}

/// A token of tenant `acme` from `trackwire token`, signed with `secret`.
pub(crate) fn token(secret: &str, sub: &str, role: &str) -> String {
    let minted = Command::new(BIN)
        .args(["token", "--sub", sub, "--tenant", "acme", "--role", role])
        .args(["--jwt-secret", secret])
        .output()
        .expect("trackwire token");
    assert!(minted.status.success());
    String::from_utf8(minted.stdout)
        .expect("utf-8")
        .trim()
        .to_owned()
}
