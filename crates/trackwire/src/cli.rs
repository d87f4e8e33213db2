//! Flags, each with its environment variable; `serve` and `demo` also read
//! a configuration file (`--config`, see `config`). Precedence: flag, then
//! environment variable, then the file, then the default.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The default address: loopback, on a port no common service uses.
pub(crate) const DEFAULT_LISTEN: &str = "127.0.0.1:7311";

/// `trackwire --version`: the crate's version and the git revision it was
/// built from ("unknown" outside git; build.rs).
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("TRACKWIRE_GIT_REVISION"),
    ")"
);

#[derive(Parser)]
#[command(name = "trackwire", version = VERSION, about = "Real-time order tracking")]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Run the server.
    Serve(ServeArgs),
    /// Run the server with a simulator of demo orders (ZX-1001, ZX-1002, …).
    Demo(DemoArgs),
    /// Print a signed development token (HS256).
    Token(TokenArgs),
    /// Work with configuration files.
    #[command(subcommand)]
    Config(ConfigCommand),
}

#[derive(Subcommand)]
pub(crate) enum ConfigCommand {
    /// Check a configuration file and print the configuration `serve`
    /// would run with (file, environment and defaults), secrets redacted.
    Check {
        /// The TOML file (see deploy/trackwire.toml).
        path: PathBuf,
    },
}

#[derive(Args)]
pub(crate) struct TokenArgs {
    /// The subject (`sub`): a customer's or courier's id.
    #[arg(long)]
    pub(crate) sub: String,
    #[arg(long, default_value = "demo")]
    pub(crate) tenant: String,
    /// customer, courier, dispatcher, admin, service or operator.
    #[arg(long)]
    pub(crate) role: trackwire_auth::Role,
    /// Seconds until it expires.
    #[arg(long, default_value_t = 3600)]
    pub(crate) ttl: u64,
    /// The HS256 shared secret the server verifies with.
    #[arg(long, env = "TRACKWIRE_JWT_SECRET", hide_env_values = true)]
    pub(crate) jwt_secret: String,
    /// The `iss` claim, when the server requires one.
    #[arg(long, env = "TRACKWIRE_JWT_ISSUER")]
    pub(crate) jwt_issuer: Option<String>,
    /// The `aud` claim, when the server requires one.
    #[arg(long, env = "TRACKWIRE_JWT_AUDIENCE")]
    pub(crate) jwt_audience: Option<String>,
}

#[derive(Args)]
pub(crate) struct ServeArgs {
    #[command(flatten)]
    pub(crate) common: CommonArgs,
}

#[derive(Args)]
pub(crate) struct DemoArgs {
    #[command(flatten)]
    pub(crate) common: CommonArgs,
    /// Seconds between an order's steps, as MIN-MAX (fractions allowed).
    #[arg(long, default_value = "3-10", env = "TRACKWIRE_DEMO_PACE")]
    pub(crate) pace: String,
}

/// Who may call, and how much (docs/security.md).
#[derive(Args)]
pub(crate) struct SecurityArgs {
    /// HS256 shared secret for bearer tokens (at least 32 bytes).
    #[arg(long, env = "TRACKWIRE_JWT_SECRET", hide_env_values = true)]
    pub(crate) jwt_secret: Option<String>,
    /// JWKS file with the RS256/ES256 public keys of bearer tokens; re-read
    /// when it changes.
    #[arg(long, env = "TRACKWIRE_JWKS_FILE", conflicts_with = "jwt_secret")]
    pub(crate) jwks_file: Option<PathBuf>,
    /// Required `iss` claim of tokens.
    #[arg(long, env = "TRACKWIRE_JWT_ISSUER")]
    pub(crate) jwt_issuer: Option<String>,
    /// Required `aud` claim of tokens.
    #[arg(long, env = "TRACKWIRE_JWT_AUDIENCE")]
    pub(crate) jwt_audience: Option<String>,
    /// Run without keys: every caller that presents no token is the
    /// development identity (tenant demo, role admin). Never in production.
    #[arg(long, env = "TRACKWIRE_INSECURE_DEV")]
    pub(crate) insecure_dev: bool,
    /// Origins (scheme://host[:port]) whose pages may open WebSocket and
    /// SSE connections besides the server's own; `*` allows any.
    #[arg(
        long = "allowed-origin",
        env = "TRACKWIRE_ALLOWED_ORIGINS",
        value_delimiter = ','
    )]
    pub(crate) allowed_origins: Vec<String>,
    /// Open real-time connections per client IP (0: no limit).
    #[arg(long, env = "TRACKWIRE_MAX_CONNECTIONS_PER_IP", default_value_t = 1000)]
    pub(crate) max_connections_per_ip: usize,
    /// Open real-time connections per user (tenant and subject; 0: no limit).
    #[arg(
        long,
        env = "TRACKWIRE_MAX_CONNECTIONS_PER_SUBJECT",
        default_value_t = 50
    )]
    pub(crate) max_connections_per_subject: usize,
    /// Client frames per second per WebSocket, sustained (twice as many may
    /// come in a burst).
    #[arg(long, env = "TRACKWIRE_FRAMES_PER_SECOND", default_value_t = 50)]
    pub(crate) frames_per_second: u32,
    /// Subscriptions per connection.
    #[arg(long, env = "TRACKWIRE_MAX_SUBSCRIPTIONS", default_value_t = 100)]
    pub(crate) max_subscriptions: usize,
    /// Failed authentication attempts per client IP and minute (twice as
    /// many may come at once); beyond it, `rate_limited`.
    #[arg(long, env = "TRACKWIRE_AUTH_FAILURES_PER_MINUTE", default_value_t = 10)]
    pub(crate) auth_failures_per_minute: u32,
    /// Largest request body, in bytes.
    #[arg(long, env = "TRACKWIRE_MAX_BODY_BYTES", default_value_t = 64 * 1024)]
    pub(crate) max_body_bytes: usize,
    /// Largest WebSocket frame, in bytes; larger ones are refused
    /// `too_large`, and those over 16 times this close the connection.
    #[arg(long, env = "TRACKWIRE_MAX_FRAME_BYTES", default_value_t = 64 * 1024)]
    pub(crate) max_frame_bytes: usize,
    /// Refuse WebSocket upgrades (403 `websocket_disabled`), as a proxy
    /// that cannot pass them would: clients fall back to SSE or long-poll.
    #[arg(long, env = "TRACKWIRE_DISABLE_WEBSOCKET")]
    pub(crate) disable_websocket: bool,
    /// Seconds a WebSocket has to send its `auth` frame.
    #[arg(long, env = "TRACKWIRE_AUTH_TIMEOUT", default_value_t = 10.0)]
    pub(crate) auth_timeout: f64,
    /// Seconds a connection may take to send a complete request head; also
    /// how long a kept-alive connection may sit idle between requests.
    #[arg(long, env = "TRACKWIRE_HEADER_TIMEOUT", default_value_t = 10.0)]
    pub(crate) header_timeout: f64,
    /// Plain HTTP connections per client IP (waiting for a request, in
    /// one, or kept alive; real-time ones count under
    /// --max-connections-per-ip instead).
    #[arg(
        long,
        env = "TRACKWIRE_MAX_HTTP_CONNECTIONS_PER_IP",
        default_value_t = 512
    )]
    pub(crate) max_http_connections_per_ip: usize,
}

#[derive(Args)]
pub(crate) struct CommonArgs {
    /// TOML configuration file; flags and environment variables override
    /// its keys (deploy/trackwire.toml documents them).
    #[arg(long, env = "TRACKWIRE_CONFIG")]
    pub(crate) config: Option<PathBuf>,
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "TRACKWIRE_LISTEN", default_value = DEFAULT_LISTEN)]
    pub(crate) listen: SocketAddr,
    /// Serve HTTPS (and WSS) with this PEM certificate chain, the
    /// server's certificate first; needs --tls-key. Both files are re-read
    /// when they change. The metrics listener stays plain HTTP.
    #[arg(long, env = "TRACKWIRE_TLS_CERT")]
    pub(crate) tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert (PKCS#8, PKCS#1 or SEC1).
    #[arg(long, env = "TRACKWIRE_TLS_KEY")]
    pub(crate) tls_key: Option<PathBuf>,
    /// Where the embedded store keeps its file. `demo` uses a fresh
    /// temporary directory unless this is given.
    #[arg(long, env = "TRACKWIRE_DATA_DIR")]
    pub(crate) data_dir: Option<PathBuf>,
    /// Store URL: `sqlite://PATH` (default: trackwire.db in the data dir),
    /// or `postgres://…` (cluster mode: the store every node shares).
    #[arg(long, env = "TRACKWIRE_STORE")]
    pub(crate) store: Option<String>,
    /// Broker URL: `memory` (default: one process), or `redis://HOST:PORT`
    /// (cluster mode: fan-out, presence and stream tickets shared by every
    /// node).
    #[arg(long, env = "TRACKWIRE_BROKER", default_value = "memory")]
    pub(crate) broker: String,
    /// This node's name in the cluster (presence entries belong to it);
    /// default: host name, process id and a random suffix.
    #[arg(long, env = "TRACKWIRE_NODE_ID")]
    pub(crate) node_id: Option<String>,
    /// Prefix of every key and channel in Redis (clusters sharing one
    /// Redis need different ones).
    #[arg(long, env = "TRACKWIRE_REDIS_PREFIX", default_value = "tw")]
    pub(crate) redis_prefix: String,
    /// Seconds between heartbeats; a client silent for two is dropped.
    #[arg(long, env = "TRACKWIRE_HEARTBEAT", default_value_t = 25.0)]
    pub(crate) heartbeat: f64,
    /// On shutdown, clients are told to reconnect after a random delay of
    /// up to this many seconds.
    #[arg(long, env = "TRACKWIRE_DRAIN_WINDOW", default_value_t = 5.0)]
    pub(crate) drain_window: f64,
    /// On shutdown, readiness fails (and new connections are refused) this
    /// many seconds before the open ones are told to reconnect, so a load
    /// balancer that checks readiness stops sending clients here first.
    #[arg(long, env = "TRACKWIRE_DRAIN_DELAY", default_value_t = 1.0)]
    pub(crate) drain_delay: f64,
    /// Longest a long-poll request is held when nothing is new, in seconds.
    #[arg(long, env = "TRACKWIRE_POLL_WAIT", default_value_t = 25.0)]
    pub(crate) poll_wait: f64,
    /// Serve Prometheus metrics at `GET /metrics` on this address, a
    /// listener of its own without credentials (bind it to loopback or a
    /// private interface); none by default.
    #[arg(long, env = "TRACKWIRE_METRICS_LISTEN")]
    pub(crate) metrics_listen: Option<SocketAddr>,
    /// Log filter, e.g. `info` or `trackwire=debug,info`.
    #[arg(long, env = "TRACKWIRE_LOG", default_value = "info")]
    pub(crate) log: String,
    /// Log format.
    #[arg(long, env = "TRACKWIRE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub(crate) log_format: LogFormat,
    #[command(flatten)]
    pub(crate) security: SecurityArgs,
}

#[derive(Clone, Copy, ValueEnum, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum LogFormat {
    Text,
    Json,
}

/// The data directory of `serve` when none is given.
pub(crate) const DEFAULT_DATA_DIR: &str = "trackwire-data";
