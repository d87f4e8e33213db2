//! The keys of a configuration file and their types. An unknown key, or a
//! value of the wrong type, is an error that names the key and its line.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::cli::{CommonArgs, LogFormat, SecurityArgs};

/// Every key is optional; a missing one falls back to the flag's default.
/// Field names are the flags' names (kebab-case in the file).
#[derive(Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct FileConfig {
    pub(crate) listen: Option<SocketAddr>,
    pub(crate) tls_cert: Option<PathBuf>,
    pub(crate) tls_key: Option<PathBuf>,
    pub(crate) data_dir: Option<PathBuf>,
    pub(crate) store: Option<String>,
    pub(crate) broker: Option<String>,
    pub(crate) node_id: Option<String>,
    pub(crate) redis_prefix: Option<String>,
    pub(crate) heartbeat: Option<Seconds>,
    pub(crate) drain_window: Option<Seconds>,
    pub(crate) drain_delay: Option<Seconds>,
    pub(crate) poll_wait: Option<Seconds>,
    pub(crate) log: Option<String>,
    pub(crate) log_format: Option<LogFormat>,
    pub(crate) metrics_listen: Option<SocketAddr>,
    pub(crate) jwt_secret: Option<String>,
    pub(crate) jwks_file: Option<PathBuf>,
    pub(crate) jwt_issuer: Option<String>,
    pub(crate) jwt_audience: Option<String>,
    pub(crate) insecure_dev: Option<bool>,
    pub(crate) allowed_origins: Option<Vec<String>>,
    pub(crate) max_connections_per_ip: Option<usize>,
    pub(crate) max_connections_per_subject: Option<usize>,
    pub(crate) frames_per_second: Option<u32>,
    pub(crate) max_subscriptions: Option<usize>,
    pub(crate) auth_failures_per_minute: Option<u32>,
    pub(crate) max_body_bytes: Option<usize>,
    pub(crate) max_frame_bytes: Option<usize>,
    pub(crate) disable_websocket: Option<bool>,
    pub(crate) auth_timeout: Option<Seconds>,
    pub(crate) header_timeout: Option<Seconds>,
    pub(crate) max_http_connections_per_ip: Option<usize>,
}

/// A number of seconds: finite and not negative (an integer or a float in
/// the file). Whether zero is allowed is the flag's rule, checked later.
#[derive(Clone, Copy, Serialize)]
#[serde(transparent)]
pub(crate) struct Seconds(pub(crate) f64);

impl<'de> Deserialize<'de> for Seconds {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = f64::deserialize(deserializer)?;
        if value.is_finite() && value >= 0.0 {
            Ok(Self(value))
        } else {
            Err(serde::de::Error::custom(format!(
                "expected a number of seconds, 0 or more (got {value})"
            )))
        }
    }
}

impl FileConfig {
    /// Reads and checks the file at `path`.
    pub(crate) fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the config file {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("config file {}", path.display()))
    }

    pub(crate) fn parse(text: &str) -> Result<Self> {
        let config: Self =
            toml::from_str(text).map_err(|error| anyhow::anyhow!(describe(&error, text)))?;
        if config.jwt_secret.is_some() && config.jwks_file.is_some() {
            bail!("keys `jwt-secret` and `jwks-file` exclude each other: give one");
        }
        Ok(config)
    }

    /// The keys that are set, with their values, in the file's types.
    pub(crate) fn table(&self) -> Result<toml::Table> {
        toml::Table::try_from(self).context("cannot list the configuration")
    }

    /// The configuration that `args` describe, as the file would say it.
    pub(crate) fn from_args(args: &CommonArgs) -> Self {
        let SecurityArgs {
            jwt_secret,
            jwks_file,
            jwt_issuer,
            jwt_audience,
            insecure_dev,
            allowed_origins,
            max_connections_per_ip,
            max_connections_per_subject,
            frames_per_second,
            max_subscriptions,
            auth_failures_per_minute,
            max_body_bytes,
            max_frame_bytes,
            disable_websocket,
            auth_timeout,
            header_timeout,
            max_http_connections_per_ip,
        } = &args.security;
        Self {
            listen: Some(args.listen),
            tls_cert: args.tls_cert.clone(),
            tls_key: args.tls_key.clone(),
            data_dir: args.data_dir.clone(),
            store: args.store.clone(),
            broker: Some(args.broker.clone()),
            node_id: args.node_id.clone(),
            redis_prefix: Some(args.redis_prefix.clone()),
            heartbeat: Some(Seconds(args.heartbeat)),
            drain_window: Some(Seconds(args.drain_window)),
            drain_delay: Some(Seconds(args.drain_delay)),
            poll_wait: Some(Seconds(args.poll_wait)),
            log: Some(args.log.clone()),
            log_format: Some(args.log_format),
            metrics_listen: args.metrics_listen,
            jwt_secret: jwt_secret.clone(),
            jwks_file: jwks_file.clone(),
            jwt_issuer: jwt_issuer.clone(),
            jwt_audience: jwt_audience.clone(),
            insecure_dev: Some(*insecure_dev),
            allowed_origins: Some(allowed_origins.clone()),
            max_connections_per_ip: Some(*max_connections_per_ip),
            max_connections_per_subject: Some(*max_connections_per_subject),
            frames_per_second: Some(*frames_per_second),
            max_subscriptions: Some(*max_subscriptions),
            auth_failures_per_minute: Some(*auth_failures_per_minute),
            max_body_bytes: Some(*max_body_bytes),
            max_frame_bytes: Some(*max_frame_bytes),
            disable_websocket: Some(*disable_websocket),
            auth_timeout: Some(Seconds(*auth_timeout)),
            header_timeout: Some(Seconds(*header_timeout)),
            max_http_connections_per_ip: Some(*max_http_connections_per_ip),
        }
    }
}

/// toml's error on one line, with a stable shape: `line N, key `K`: what`
/// (toml's own text spans several lines, with a drawing of the span).
fn describe(error: &toml::de::Error, text: &str) -> String {
    let message = error.message();
    let Some(span) = error.span() else {
        return message.to_owned();
    };
    let start = span.start.min(text.len());
    let line = text[..start].matches('\n').count() + 1;
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let key = rest.split(',').next().unwrap_or(rest);
        return format!("line {line}: unknown key {key} (deploy/trackwire.toml lists the keys)");
    }
    // The key of a value is before the `=` of its line, or of the line
    // that opened it (a list over several lines).
    let key = text[..start]
        .lines()
        .rev()
        .chain(text[start..].lines().take(1))
        .find_map(|l| l.split_once('=').map(|(key, _)| key.trim()))
        .filter(|key| !key.is_empty() && !key.starts_with('#'));
    let what = message
        .replace("expected f64", "expected a number")
        .replace("expected usize", "expected a whole number, 0 or more")
        .replace("expected u32", "expected a whole number, 0 or more");
    match key {
        Some(key) => format!("line {line}, key `{key}`: {what}"),
        None => format!("line {line}: {what}"),
    }
}
