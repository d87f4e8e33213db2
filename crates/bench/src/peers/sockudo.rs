//! Sockudo, a Rust server of the Pusher protocol (`cargo install sockudo`):
//! how it is started here, and the client and publisher side of the
//! Pusher protocol as much as the benchmark needs.
//!
//! ```text
//! GET /app/{key}?protocol=7&client=trackwire-bench&version=0.1
//! < {"event":"pusher:connection_established","data":"{\"socket_id\":…}"}
//! > {"event":"pusher:subscribe","data":{"channel":"T"}}
//! < {"event":"pusher_internal:subscription_succeeded","channel":"T",…}
//! < {"event":"bench-event","channel":"T","data":"{…bench f 123…}"}
//! < {"event":"pusher:ping","data":{}}      > {"event":"pusher:pong","data":{}}
//! ```
//!
//! Publishing is `POST /apps/{id}/events?auth_key=…&auth_timestamp=…&
//! auth_version=1.0&body_md5=…&auth_signature=…`, the signature an
//! HMAC-SHA256 (hex) with the app secret of `POST\n{path}\n{sorted query}`
//! (Pusher's HTTP API reference, "Generating authentication signatures").

use std::net::SocketAddr;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Result;
use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use serde_json::json;
use sha2::Sha256;

use crate::server::{self, Launch, Ready, Server};
use crate::wire::Control;

/// The event name the benchmark publishes.
const EVENT: &str = "bench-event";

/// The keepalive a Pusher client sends (the server closes a connection
/// silent for `activity_timeout`, 120 s).
pub(crate) const PING: &str = r#"{"event":"pusher:ping","data":{}}"#;
const PONG: &str = r#"{"event":"pusher:pong","data":{}}"#;

/// A Pusher app: what a client connects with and a publisher signs with.
pub(crate) struct App {
    pub(crate) id: String,
    pub(crate) key: String,
    pub(crate) secret: String,
}

impl App {
    pub(crate) fn ws_url(&self, server: SocketAddr, _topic: &str) -> String {
        format!(
            "ws://{server}/app/{}?protocol=7&client=trackwire-bench&version=0.1&flash=false",
            self.key
        )
    }

    /// The signed `POST /apps/{id}/events` of one event on `channel` whose
    /// data is `data` (a string, as Pusher's events carry).
    pub(crate) fn publish(
        &self,
        http: &reqwest::Client,
        base: &str,
        channel: &str,
        data: &str,
    ) -> reqwest::RequestBuilder {
        let body = json!({ "name": EVENT, "channel": channel, "data": data }).to_string();
        let path = format!("/apps/{}/events", self.id);
        let timestamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|since| since.as_secs())
            .unwrap_or(0);
        let query = signed_query(&self.key, &self.secret, "POST", &path, &body, timestamp);
        http.post(format!("{base}{path}?{query}"))
            .header("content-type", "application/json")
            .body(body)
    }
}

/// The query string of a signed Pusher HTTP API request with a JSON body:
/// `auth_key`, `auth_timestamp`, `auth_version`, `body_md5` (in key order,
/// as signed) and then `auth_signature`.
pub(crate) fn signed_query(
    key: &str,
    secret: &str,
    method: &str,
    path: &str,
    body: &str,
    timestamp: u64,
) -> String {
    let body_md5 = hex(&Md5::digest(body.as_bytes()));
    let params =
        format!("auth_key={key}&auth_timestamp={timestamp}&auth_version=1.0&body_md5={body_md5}");
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(format!("{method}\n{path}\n{params}").as_bytes());
    let signature = hex(&mac.finalize().into_bytes());
    format!("{params}&auth_signature={signature}")
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

pub(crate) fn is_event(text: &str) -> bool {
    text.contains(r#""event":"bench-event""#)
}

pub(crate) fn control(text: &str, topic: &str) -> Control {
    let Ok(frame) = serde_json::from_str::<serde_json::Value>(text) else {
        return Control::Ignore;
    };
    match frame["event"].as_str() {
        Some("pusher:connection_established") => Control::Reply(
            json!({ "event": "pusher:subscribe", "data": { "channel": topic } }).to_string(),
        ),
        Some("pusher_internal:subscription_succeeded") => Control::Subscribed,
        Some("pusher:error" | "pusher:subscription_error") => Control::Refused(text.to_string()),
        Some("pusher:ping") => Control::Reply(PONG.into()),
        _ => Control::Ignore,
    }
}

/// Starts `binary` on a free loopback port with one app, configured from
/// the environment alone (sockudo-core's `options/env`): the memory app
/// manager, the local adapter, memory cache and queue, no rate limiter, no
/// metrics listener, and app limits (100 connections and 100 events/s by
/// default) far above what the benchmark asks.
pub(crate) async fn spawn(binary: &Path, cpus: Option<&str>) -> Result<(Server, App)> {
    anyhow::ensure!(
        binary.exists(),
        "{} not found (scripts/bench --peers installs it)",
        binary.display()
    );
    let app = App {
        id: "bench".into(),
        key: "bench-key".into(),
        secret: "bench-secret".into(),
    };
    let data = server::data_dir()?;
    let addr = server::free_port()?;
    let mut env: Vec<(String, String)> = [
        ("RUST_LOG", "warn"),
        ("ADAPTER_DRIVER", "local"),
        ("APP_MANAGER_DRIVER", "memory"),
        ("CACHE_DRIVER", "memory"),
        ("QUEUE_DRIVER", "memory"),
        ("RATE_LIMITER_ENABLED", "false"),
        ("RATE_LIMITER_DRIVER", "memory"),
        ("METRICS_ENABLED", "false"),
        ("SOCKUDO_DEFAULT_APP_MAX_CONNECTIONS", "1000000"),
        (
            "SOCKUDO_DEFAULT_APP_MAX_BACKEND_EVENTS_PER_SECOND",
            "1000000",
        ),
        (
            "SOCKUDO_DEFAULT_APP_MAX_CLIENT_EVENTS_PER_SECOND",
            "1000000",
        ),
        (
            "SOCKUDO_DEFAULT_APP_MAX_READ_REQUESTS_PER_SECOND",
            "1000000",
        ),
    ]
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .into();
    env.extend([
        ("HOST".into(), addr.ip().to_string()),
        ("PORT".into(), addr.port().to_string()),
        ("SOCKUDO_DEFAULT_APP_ID".into(), app.id.clone()),
        ("SOCKUDO_DEFAULT_APP_KEY".into(), app.key.clone()),
        ("SOCKUDO_DEFAULT_APP_SECRET".into(), app.secret.clone()),
    ]);
    let launch = Launch {
        program: binary.to_path_buf(),
        args: Vec::new(),
        env,
        // A fresh directory: no config/config.toml of anyone's is read.
        dir: None,
        ready: Ready::Port(addr),
    };
    let server = Server::launch(launch, cpus, data).await?;
    Ok((server, app))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of Pusher's HTTP API reference: app 3, key
    /// 278d425bdf160c739803, secret 7ad3773142a6692b25b8, timestamp
    /// 1353088179, this body.
    #[test]
    fn signs_as_the_pusher_reference_worked_example() {
        let body = r#"{"name":"foo","channels":["project-3"],"data":"{\"some\":\"data\"}"}"#;
        let query = signed_query(
            "278d425bdf160c739803",
            "7ad3773142a6692b25b8",
            "POST",
            "/apps/3/events",
            body,
            1353088179,
        );
        assert_eq!(
            query,
            "auth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_version=1.0\
             &body_md5=ec365a775a4cd0599faeb73354201b6f\
             &auth_signature=da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c"
        );
    }

    #[test]
    fn subscribes_once_connected_and_answers_pings() {
        let established = r#"{"event":"pusher:connection_established","data":"{\"socket_id\":\"123.456\",\"activity_timeout\":120}"}"#;
        let Control::Reply(subscribe) = control(established, "BENCH-1") else {
            panic!("no subscribe");
        };
        let subscribe: serde_json::Value = serde_json::from_str(&subscribe).expect("JSON");
        assert_eq!(subscribe["event"], "pusher:subscribe");
        assert_eq!(subscribe["data"]["channel"], "BENCH-1");
        assert_eq!(
            control(
                r#"{"event":"pusher_internal:subscription_succeeded","channel":"BENCH-1","data":"{}"}"#,
                "BENCH-1"
            ),
            Control::Subscribed
        );
        assert_eq!(
            control(r#"{"event":"pusher:ping","data":{}}"#, "BENCH-1"),
            Control::Reply(PONG.into())
        );
        assert!(matches!(
            control(
                r#"{"event":"pusher:error","data":{"code":4001,"message":"App key not found"}}"#,
                "x"
            ),
            Control::Refused(_)
        ));
    }

    #[test]
    fn knows_the_benchmark_event() {
        assert!(is_event(
            r#"{"event":"bench-event","channel":"B","data":"{\"payload\":{\"text\":\"bench f 1\"}}"}"#
        ));
        assert!(!is_event(r#"{"event":"pusher:ping","data":{}}"#));
    }
}
