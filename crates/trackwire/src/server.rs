//! Builds the node (store, broker, hub, router) and runs it until shutdown.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::EnvFilter;
use trackwire_auth::Tickets;
use trackwire_gateway::metrics::{TimedBroker, TimedStore};
use trackwire_gateway::ops::Board;
use trackwire_gateway::{Hub, HubConfig, OrderService};
use trackwire_server::http::listener::{self, ListenerConfig};
use trackwire_server::http::tls::{self, Tls, TlsFiles};
use trackwire_server::realtime::{OriginPolicy, Realtime, RealtimeConfig};
use trackwire_server::rest::routes::demo::Personas;
use trackwire_server::rest::{AppState, IdentitySource};
use trackwire_store::Store;

use crate::cli::{CommonArgs, LogFormat, DEFAULT_DATA_DIR};
use crate::{backends, security};

pub(crate) fn init_logging(filter: &str, format: LogFormat) {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::Layer;

    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    // The most verbose level the filter lets through, said on the outer
    // filter too: `init` makes it the `log` crate's max level, so the
    // WebSocket library's per-frame `log::trace!` records (about ten per
    // delivery) stop at the macro instead of running through every filter
    // (without it, 39% of the server's instructions in a fan-out).
    let most_verbose = filter.max_level_hint().unwrap_or(LevelFilter::TRACE);
    // Logs go to stderr; stdout carries only what a person or script reads.
    // Colour only for a person at a terminal, never in files or journald.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    let layer = match format {
        LogFormat::Text => layer.boxed(),
        LogFormat::Json => layer.json().boxed(),
    };
    tracing_subscriber::registry()
        .with(
            layer
                .with_filter(filter)
                .with_filter(no_secrets().with_max_level_hint(most_verbose)),
        )
        .init();
}

/// Tokens never reach the logs, at any level: the WebSocket library logs
/// every frame it reads at trace, `auth` frames and their JWT included.
fn no_secrets() -> tracing_subscriber::filter::FilterFn {
    tracing_subscriber::filter::filter_fn(|meta| {
        let frames = meta.target().starts_with("tungstenite")
            || meta.target().starts_with("tokio_tungstenite");
        !(frames && *meta.level() == tracing::Level::TRACE)
    })
}

/// A running node's parts that the demo also drives.
pub(crate) struct Node {
    /// Every node's figures, for the ops console.
    pub(crate) ops: Arc<Board>,
    pub(crate) orders: Arc<OrderService>,
    pub(crate) store: Arc<dyn Store>,
    pub(crate) tickets: Arc<dyn Tickets>,
    pub(crate) hub: Arc<Hub>,
    pub(crate) realtime: RealtimeConfig,
    pub(crate) identity: IdentitySource,
    pub(crate) origins: OriginPolicy,
    pub(crate) max_body_bytes: usize,
    pub(crate) listener: ListenerConfig,
    /// How long readiness fails before clients are moved (`--drain-delay`).
    pub(crate) drain_delay: Duration,
}

/// What the flags say, checked, before anything is opened: who may call,
/// which origins, the transports' timings and limits.
pub(crate) struct Settings {
    pub(crate) identity: IdentitySource,
    pub(crate) origins: OriginPolicy,
    pub(crate) realtime: RealtimeConfig,
    pub(crate) header_timeout: Duration,
    pub(crate) drain_delay: Duration,
    pub(crate) tls: Option<Tls>,
}

/// Checks the flags that need no store or broker (`trackwire config check`
/// runs this too). `demo_secret` is the demo's own token secret.
pub(crate) fn settings(common: &CommonArgs, demo_secret: Option<&str>) -> Result<Settings> {
    let identity = security::identity_source(&common.security, demo_secret)?;
    let origins = security::origins(&common.security)?;
    let mut realtime = RealtimeConfig {
        heartbeat: seconds(common.heartbeat, "--heartbeat")?,
        drain_window: seconds(common.drain_window, "--drain-window")?,
        poll_wait: seconds(common.poll_wait, "--poll-wait")?,
        ..RealtimeConfig::default()
    };
    security::apply_limits(&common.security, &mut realtime)?;
    let header_timeout = seconds(common.security.header_timeout, "--header-timeout")?;
    let drain_delay = seconds(common.drain_delay, "--drain-delay")?;
    let tls = tls_settings(common)?;
    Ok(Settings {
        identity,
        origins,
        realtime,
        header_timeout,
        drain_delay,
        tls,
    })
}

/// The certificate and key of `--tls-cert` and `--tls-key`, read and
/// checked; both or neither. Checked here, not by clap: a key may come
/// from the file, which clap sees as a default.
fn tls_settings(common: &CommonArgs) -> Result<Option<Tls>> {
    let (cert, key) = match (&common.tls_cert, &common.tls_key) {
        (None, None) => return Ok(None),
        (Some(cert), Some(key)) => (cert.clone(), key.clone()),
        (Some(_), None) => bail!(
            "--tls-cert needs --tls-key (TRACKWIRE_TLS_KEY, key `tls-key`): give both, or neither for plain HTTP"
        ),
        (None, Some(_)) => bail!(
            "--tls-key needs --tls-cert (TRACKWIRE_TLS_CERT, key `tls-cert`): give both, or neither for plain HTTP"
        ),
    };
    let tls = Tls::load(TlsFiles { cert, key }).context("cannot serve TLS")?;
    Ok(Some(tls))
}

/// `https` when the listener serves TLS, else `http`.
pub(crate) fn scheme(common: &CommonArgs) -> &'static str {
    if common.tls_cert.is_some() {
        "https"
    } else {
        "http"
    }
}

/// Opens the store and broker named by the flags. `demo_secret` is the
/// demo's own token secret.
pub(crate) async fn build(
    common: &CommonArgs,
    data_dir: &Path,
    demo_secret: Option<&str>,
) -> Result<Node> {
    // Checked first: a server that would refuse to start should say so
    // before it touches the data directory.
    let Settings {
        identity,
        origins,
        realtime,
        header_timeout,
        drain_delay,
        tls,
    } = settings(common, demo_secret)?;
    // Before anything is counted: handles made earlier would stay no-ops.
    if let Some(addr) = common.metrics_listen {
        let bound = trackwire_server::metrics::serve(addr).await?;
        tracing::info!(%bound, "metrics on http://{bound}/metrics");
    }
    let store = TimedStore::wrap(backends::open_store(common, data_dir).await?);
    // A presence entry outlives its node by two heartbeats at most.
    let node_id = backends::node_id(common);
    let mut backplane = backends::open_backplane(common, &node_id, realtime.heartbeat * 2).await?;
    backplane.broker = TimedBroker::wrap(backplane.broker);
    let hub = Hub::start_with(
        backplane.broker.clone(),
        store.clone(),
        backplane.presence.clone(),
        HubConfig::default(),
    )
    .await
    .context("cannot start the broker")?;
    let ops =
        trackwire_gateway::ops::start(&hub, node_id, trackwire_gateway::ops::DEFAULT_INTERVAL)
            .await
            .context("cannot start the ops figures")?;
    let orders = Arc::new(OrderService::new(store.clone(), backplane.broker.clone()));
    let open_files = listener::raise_open_files_limit();
    let listener = ListenerConfig {
        max_connections: listener::max_connections_for(open_files),
        header_timeout,
        plain_per_ip: common.security.max_http_connections_per_ip,
        send_buffer_bytes: None,
        tls,
    };
    Ok(Node {
        ops,
        orders,
        store,
        hub,
        realtime,
        identity,
        origins,
        max_body_bytes: common.security.max_body_bytes,
        listener,
        tickets: backplane.tickets,
        drain_delay,
    })
}

fn seconds(value: f64, flag: &str) -> Result<Duration> {
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero() || matches!(flag, "--drain-window" | "--drain-delay"))
        .with_context(|| format!("{flag} takes a positive number of seconds (got {value})"))
}

/// `trackwire serve`: builds the node and serves until `shutdown`.
pub(crate) async fn serve(
    common: &CommonArgs,
    data_dir: Option<&Path>,
    shutdown: CancellationToken,
) -> Result<()> {
    let data_dir = data_dir
        .map(Path::to_path_buf)
        .or_else(|| common.data_dir.clone())
        .unwrap_or_else(|| DEFAULT_DATA_DIR.into());
    let node = build(common, &data_dir, None).await?;
    let listener = bind(common).await?;
    run(listener, &node, None, shutdown).await
}

pub(crate) async fn bind(common: &CommonArgs) -> Result<TcpListener> {
    let listener = TcpListener::bind(common.listen)
        .await
        .with_context(|| format!("cannot listen on {}", common.listen))?;
    let addr = listener.local_addr()?;
    // Scripts and tests read this line to find the port.
    let scheme = scheme(common);
    println!("trackwire listening on {scheme}://{addr}");
    tracing::info!(%addr, %scheme, "listening");
    Ok(listener)
}

/// Serves the API and the real-time transports on `listener` until
/// `shutdown`; then every real-time client is told to reconnect, and the
/// store closes once they are gone.
pub(crate) async fn run(
    listener: TcpListener,
    node: &Node,
    personas: Option<Arc<Personas>>,
    shutdown: CancellationToken,
) -> Result<()> {
    let mut state = AppState::new(node.orders.clone(), node.identity.clone());
    state.max_body_bytes = node.max_body_bytes;
    state.personas = personas;
    state.ops = Some(node.ops.clone());
    // Draining comes first (readiness fails, new clients go elsewhere),
    // then, after --drain-delay, the open connections are moved.
    let stop = CancellationToken::new();
    tokio::spawn({
        let (shutdown, stop, delay) = (shutdown.clone(), stop.clone(), node.drain_delay);
        async move {
            shutdown.cancelled().await;
            tracing::info!(
                ?delay,
                "draining: readiness fails; clients move after the delay"
            );
            tokio::time::sleep(delay).await;
            stop.cancel();
        }
    });
    state.draining = shutdown.clone();
    state.tickets = node.tickets.clone();
    let mut realtime = Realtime::new(
        node.orders.clone(),
        node.hub.clone(),
        node.identity.clone(),
        state.tickets.clone(),
        node.realtime.clone(),
        node.origins.clone(),
    );
    realtime.draining = shutdown.clone();
    realtime.shutdown = stop.clone();
    if let Some(tls) = &node.listener.tls {
        tracing::info!(
            cert = %tls.files().cert.display(),
            fingerprint = %tls.fingerprint(),
            "serving TLS; the certificate is re-read when its files change"
        );
        tokio::spawn(tls.clone().watch(tls::RELOAD_INTERVAL, shutdown.clone()));
    }
    if let Some(verifier) = node.identity.verifier() {
        tokio::spawn(security::report_key_reloads(
            verifier.clone(),
            shutdown.clone(),
        ));
    }
    let app = trackwire_server::rest::app(state)
        .merge(trackwire_server::realtime::router(realtime.clone()))
        .merge(crate::assets::router());
    let app = trackwire_server::http::trace::layer(app);
    let serve = listener::serve(listener, app, node.listener.clone(), stop.clone());
    // Graceful, but not forever: a client that never reads must not keep
    // the process alive.
    let deadline = node.realtime.drain_window + Duration::from_secs(10);
    tokio::select! {
        () = serve => {}
        _ = async { stop.cancelled().await; tokio::time::sleep(deadline).await } => {
            tracing::warn!("open requests did not finish in time; stopping anyway");
        }
    }
    realtime.tracker.close();
    let drained = tokio::time::timeout(Duration::from_secs(10), realtime.tracker.wait()).await;
    if drained.is_err() {
        tracing::warn!("some connections did not close in time");
    }
    node.hub.close().await;
    // Checkpoints the WAL: a graceful stop leaves only trackwire.db.
    node.store.close().await;
    tracing::info!("stopped");
    Ok(())
}
