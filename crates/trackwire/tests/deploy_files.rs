//! The Docker files, checked without a Docker engine: the compose file
//! parsed as YAML (Python's PyYAML, turned into JSON), three nodes on
//! PostgreSQL and Redis behind nginx, whose config lists them; the
//! Dockerfile's stages, user, volume and health check.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `path` parsed by PyYAML, as JSON.
fn yaml(path: &str) -> Value {
    let script = "import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)";
    let output = Command::new("python3")
        .args(["-c", script])
        .arg(root().join(path))
        .output()
        .expect("python3 (with PyYAML: Debian's python3-yaml) parses the compose file");
    assert!(
        output.status.success(),
        "{path} is not YAML: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("json")
}

/// The value after `flag` in a command list.
fn after<'a>(command: &'a [Value], flag: &str) -> &'a str {
    let at = command
        .iter()
        .position(|arg| arg == flag)
        .unwrap_or_else(|| panic!("no {flag} in {command:?}"));
    command[at + 1].as_str().expect("a string")
}

#[test]
fn compose_runs_three_nodes_on_postgres_and_redis_behind_nginx() {
    let compose = yaml("deploy/docker-compose.yml");
    let services = compose["services"].as_object().expect("services");
    let nodes: Vec<&String> = services
        .keys()
        .filter(|name| name.starts_with("trackwire-"))
        .collect();
    assert_eq!(nodes.len(), 3, "{nodes:?}");
    let mut ids = Vec::new();
    for name in &nodes {
        let node = &services[name.as_str()];
        let command = node["command"].as_array().expect("command list");
        assert_eq!(command[0], "serve", "{name}");
        let store = after(command, "--store");
        assert!(
            store.starts_with("postgres://postgres:")
                && store.ends_with("@postgres:5432/trackwire"),
            "{name}: {store}"
        );
        assert_eq!(after(command, "--broker"), "redis://redis:6379", "{name}");
        ids.push(after(command, "--node-id").to_owned());
        assert_eq!(node["build"]["dockerfile"], "deploy/Dockerfile", "{name}");
        assert!(node["environment"]["TRACKWIRE_JWT_SECRET"].is_string());
        for backend in ["postgres", "redis"] {
            assert_eq!(
                node["depends_on"][backend]["condition"], "service_healthy",
                "{name}"
            );
        }
    }
    ids.sort();
    assert_eq!(ids, ["node-1", "node-2", "node-3"]);
    assert!(services["postgres"]["image"]
        .as_str()
        .expect("image")
        .starts_with("postgres:"));
    assert!(services["redis"]["image"]
        .as_str()
        .expect("image")
        .starts_with("redis:"));

    let nginx = &services["nginx"];
    let mounts = nginx["volumes"].as_array().expect("volumes");
    assert!(
        mounts
            .iter()
            .any(|m| m == "./nginx/compose.conf:/etc/nginx/conf.d/default.conf:ro"),
        "{mounts:?}"
    );
    let conf = read("deploy/nginx/compose.conf");
    for name in &nodes {
        assert!(
            conf.contains(&format!("server {name}:7311")),
            "{name} upstream"
        );
    }
    for line in [
        "proxy_set_header Upgrade $http_upgrade;",
        "proxy_set_header Connection $connection_upgrade;",
        "proxy_http_version 1.1;",
        "proxy_buffering off;",
        "proxy_read_timeout 75s;",
    ] {
        assert!(conf.contains(line), "compose.conf lacks {line}");
    }
    // Round-robin: no directive pins a client to a node.
    let pinned = conf
        .lines()
        .map(|line| line.split('#').next().unwrap_or_default())
        .any(|line| {
            ["ip_hash", "hash ", "sticky"]
                .iter()
                .any(|d| line.contains(d))
        });
    assert!(!pinned, "compose.conf pins clients to nodes");
}

#[test]
fn the_dockerfile_builds_on_rust_and_runs_slim_unprivileged() {
    let file = read("deploy/Dockerfile");
    assert!(file.contains("FROM rust:1-bookworm AS build"));
    assert!(file.contains("FROM debian:bookworm-slim"));
    assert!(file.contains("USER trackwire"));
    assert!(file.contains("VOLUME [\"/var/lib/trackwire\"]"));
    assert!(file.contains("/v1/health/ready"));
    assert!(file.lines().any(|line| line.starts_with("HEALTHCHECK")));
    let ignore = read(".dockerignore");
    assert!(ignore.lines().any(|line| line == "target"));
}

/// The Dockerfile's instructions, continuation lines joined, comments out.
fn instructions(file: &str) -> Vec<String> {
    let mut joined = Vec::new();
    let mut current = String::new();
    for line in file.lines() {
        let line = line.trim();
        if line.starts_with('#') || (line.is_empty() && current.is_empty()) {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(head) => current.push_str(head),
            None => {
                current.push_str(line);
                joined.push(std::mem::take(&mut current));
            }
        }
    }
    joined
}

/// `KEY=value` pairs of the ENV instructions of the image's last stage.
fn runtime_env(stage: &[String]) -> Vec<(String, String)> {
    stage
        .iter()
        .filter_map(|line| line.strip_prefix("ENV "))
        .flat_map(|pairs| pairs.split_whitespace().map(str::to_owned))
        .filter_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            Some((key.to_owned(), value.to_owned()))
        })
        .collect()
}

/// Without a Docker engine the image cannot be built here, but its
/// runtime contract can be run: the binary started as the image starts it
/// (its CMD, its ENV, an unprivileged uid, when the test runs as root),
/// and the image's own HEALTHCHECK command passes against it.
#[test]
fn the_images_command_environment_and_health_check_work_together() {
    let file = read("deploy/Dockerfile");
    let all = instructions(&file);
    let last_from = all
        .iter()
        .rposition(|line| line.starts_with("FROM "))
        .expect("a FROM");
    let stage = &all[last_from..];
    let find = |prefix: &str| {
        stage
            .iter()
            .find_map(|line| line.strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no {prefix}in the runtime stage"))
            .trim()
            .to_owned()
    };
    let entrypoint: Vec<String> = serde_json::from_str(&find("ENTRYPOINT ")).expect("exec form");
    let cmd: Vec<String> = serde_json::from_str(&find("CMD ")).expect("exec form");
    assert_eq!(entrypoint, ["trackwire"]);
    let healthcheck = find("HEALTHCHECK ");
    let (_, probe) = healthcheck.split_once("CMD ").expect("HEALTHCHECK … CMD");
    let env = runtime_env(stage);
    let listen = &env
        .iter()
        .find(|(key, _)| key == "TRACKWIRE_LISTEN")
        .expect("TRACKWIRE_LISTEN")
        .1;
    let (host, port) = listen.rsplit_once(':').expect("host:port");

    let data = std::env::temp_dir().join(format!("trackwire-image-{}", std::process::id()));
    std::fs::create_dir_all(&data).expect("data dir");
    let root = Command::new("id").arg("-u").output().expect("id -u").stdout == b"0\n";
    let mut command = if root {
        // The image's user: a uid of its own that owns only the volume.
        let chown = Command::new("chown")
            .args(["10001:10001"])
            .arg(&data)
            .status()
            .expect("chown");
        assert!(chown.success());
        let mut setpriv = Command::new("setpriv");
        setpriv
            .args(["--reuid=10001", "--regid=10001", "--clear-groups", "--"])
            .arg(common::BIN);
        setpriv
    } else {
        Command::new(common::BIN)
    };
    command.args(&cmd).envs(env.iter().cloned());
    // Here, not in a container: a free port and a scratch volume.
    command
        .env("TRACKWIRE_LISTEN", format!("{host}:0"))
        .env("TRACKWIRE_DATA_DIR", &data)
        .env("TRACKWIRE_JWT_SECRET", "an image test secret of 32 bytes!")
        .env("TRACKWIRE_LOG", "info");
    let server = common::Server::spawn(command);
    let bound = server.base.rsplit_once(':').expect("port").1.to_owned();
    let probe = probe.replace(&format!(":{port}/"), &format!(":{bound}/"));

    // Docker runs the probe until it passes or the start period ends.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let healthy = loop {
        let ran = Command::new("sh")
            .args(["-c", &probe])
            .status()
            .expect("sh");
        if ran.success() || std::time::Instant::now() > deadline {
            break ran.success();
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    let (status, log) = server.stop();
    let _ = std::fs::remove_dir_all(&data);
    assert!(
        healthy,
        "the image's HEALTHCHECK never passed: {probe}\n{log}"
    );
    assert!(
        status.success(),
        "STOPSIGNAL SIGTERM did not end it well: {log}"
    );
    // TRACKWIRE_LOG_FORMAT=json from the image: every log line is JSON.
    let first = log.lines().next().expect("a log line");
    serde_json::from_str::<Value>(first).unwrap_or_else(|e| panic!("{e}: {first}"));
}
