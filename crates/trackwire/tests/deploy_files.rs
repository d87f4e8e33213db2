//! The Docker files, checked without a Docker engine: the compose file
//! parsed as YAML (Python's PyYAML, turned into JSON), three nodes on
//! PostgreSQL and Redis behind nginx, whose config lists them; the
//! Dockerfile's stages, user, volume and health check.

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
