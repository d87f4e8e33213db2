//! The two Node peers, `crates/bench/peers/ws-server.mjs` (a plain `ws`
//! server) and `socketio-server.mjs` (Socket.IO), run from the directory
//! where `scripts/bench --peers` installed them with their node_modules
//! (target/peers/node).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::server::{self, Launch, Ready, Server};

/// Which of the two.
#[derive(Clone, Copy)]
pub(crate) enum Script {
    Ws,
    SocketIo,
}

impl Script {
    fn file(self) -> &'static str {
        match self {
            Script::Ws => "ws-server.mjs",
            Script::SocketIo => "socketio-server.mjs",
        }
    }

    /// The npm package the script serves with.
    pub(crate) fn package(self) -> &'static str {
        match self {
            Script::Ws => "ws",
            Script::SocketIo => "socket.io",
        }
    }
}

/// Why the script cannot run from `dir`, or the versions it runs with
/// (`node v20…, ws 8…`).
pub(crate) fn check(dir: &Path, script: Script) -> Result<String> {
    let path = dir.join(script.file());
    anyhow::ensure!(path.exists(), "{} is missing", path.display());
    let package = dir
        .join("node_modules")
        .join(script.package())
        .join("package.json");
    let manifest = std::fs::read_to_string(&package)
        .with_context(|| format!("{} is missing: npm ci has not run", package.display()))?;
    let manifest: serde_json::Value = serde_json::from_str(&manifest)?;
    let node = std::process::Command::new("node")
        .arg("--version")
        .output()
        .context("node is not installed")?;
    Ok(format!(
        "node {}, {} {}",
        String::from_utf8_lossy(&node.stdout).trim(),
        script.package(),
        manifest["version"].as_str().unwrap_or("?")
    ))
}

/// Starts the script on a free loopback port (it prints `listening on
/// http://127.0.0.1:PORT`).
pub(crate) async fn spawn(dir: &Path, script: Script, cpus: Option<&str>) -> Result<Server> {
    let data = server::data_dir()?;
    let launch = Launch {
        program: PathBuf::from("node"),
        args: vec![dir.join(script.file()).into_os_string()],
        env: vec![
            ("HOST".into(), "127.0.0.1".into()),
            ("PORT".into(), "0".into()),
            ("NODE_ENV".into(), "production".into()),
        ],
        dir: Some(dir.to_path_buf()),
        ready: Ready::Stdout("listening on "),
    };
    Server::launch(launch, cpus, data).await
}
