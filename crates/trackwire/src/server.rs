//! Builds the node (store, broker, hub, router) and runs it until shutdown.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing_subscriber::EnvFilter;
use trackwire_api::{AppState, IdentitySource};
use trackwire_broker::{Broker, MemoryBroker};
use trackwire_gateway::{Hub, OrderService};
use trackwire_store::sqlite::SqliteStore;
use trackwire_store::Store;
use trackwire_transports::{Realtime, RealtimeConfig};

use crate::cli::{CommonArgs, LogFormat, DEFAULT_DATA_DIR};

pub(crate) fn init_logging(filter: &str, format: LogFormat) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    // Logs go to stderr; stdout carries only what a person or script reads.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// A running node's parts that the demo also drives.
pub(crate) struct Node {
    pub(crate) orders: Arc<OrderService>,
    pub(crate) store: Arc<SqliteStore>,
    pub(crate) hub: Arc<Hub>,
    pub(crate) realtime: RealtimeConfig,
}

/// Opens the store and broker named by the flags.
pub(crate) async fn build(common: &CommonArgs, data_dir: &Path) -> Result<Node> {
    let store = match common.store.as_deref() {
        None => SqliteStore::open(data_dir).await,
        Some(url) if url.starts_with("sqlite:") => SqliteStore::connect(url).await,
        Some(url) if url.starts_with("postgres") => {
            bail!("the PostgreSQL store (cluster mode) is not available in this build yet: {url}")
        }
        Some(url) => bail!("unknown store URL '{url}': expected sqlite://PATH"),
    }
    .context("cannot open the store")?;
    let store = Arc::new(store);
    let broker: Arc<dyn Broker> = match common.broker.as_str() {
        "memory" => Arc::new(MemoryBroker::new()),
        url if url.starts_with("redis") => {
            bail!("the Redis broker (cluster mode) is not available in this build yet: {url}")
        }
        url => bail!("unknown broker '{url}': expected memory"),
    };
    let hub = Hub::start(broker.clone())
        .await
        .context("cannot start the broker")?;
    let orders = Arc::new(OrderService::new(store.clone() as Arc<dyn Store>, broker));
    let realtime = RealtimeConfig {
        heartbeat: seconds(common.heartbeat, "--heartbeat")?,
        drain_window: seconds(common.drain_window, "--drain-window")?,
        poll_wait: seconds(common.poll_wait, "--poll-wait")?,
        ..RealtimeConfig::default()
    };
    Ok(Node {
        orders,
        store,
        hub,
        realtime,
    })
}

fn seconds(value: f64, flag: &str) -> Result<Duration> {
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero() || flag == "--drain-window")
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
    let node = build(common, &data_dir).await?;
    let listener = bind(common).await?;
    run(listener, &node, shutdown).await
}

pub(crate) async fn bind(common: &CommonArgs) -> Result<TcpListener> {
    let listener = TcpListener::bind(common.listen)
        .await
        .with_context(|| format!("cannot listen on {}", common.listen))?;
    let addr = listener.local_addr()?;
    // Scripts and tests read this line to find the port.
    println!("trackwire listening on http://{addr}");
    tracing::info!(%addr, "listening");
    Ok(listener)
}

/// Serves the API and the real-time transports on `listener` until
/// `shutdown`; then every real-time client is told to reconnect, and the
/// store closes once they are gone.
pub(crate) async fn run(
    listener: TcpListener,
    node: &Node,
    shutdown: CancellationToken,
) -> Result<()> {
    tracing::warn!(
        "no authentication configured: every request runs as the development identity \
         (tenant 'demo', subject 'dev', role 'admin')"
    );
    let identity = IdentitySource::Development;
    let state = AppState::new(node.orders.clone(), identity.clone());
    let realtime = Realtime {
        orders: node.orders.clone(),
        hub: node.hub.clone(),
        identity,
        tickets: state.tickets.clone(),
        config: Arc::new(node.realtime.clone()),
        shutdown: shutdown.clone(),
        tracker: TaskTracker::new(),
    };
    let app = trackwire_api::app(state).merge(trackwire_transports::router(realtime.clone()));
    let serve =
        axum::serve(listener, app).with_graceful_shutdown(shutdown.clone().cancelled_owned());
    // Graceful, but not forever: a client that never reads must not keep
    // the process alive.
    let deadline = node.realtime.drain_window + Duration::from_secs(10);
    tokio::select! {
        served = std::future::IntoFuture::into_future(serve) => served.context("server failed")?,
        _ = async { shutdown.cancelled().await; tokio::time::sleep(deadline).await } => {
            tracing::warn!("open requests did not finish in time; stopping anyway");
        }
    }
    realtime.tracker.close();
    let drained = tokio::time::timeout(Duration::from_secs(10), realtime.tracker.wait()).await;
    if drained.is_err() {
        tracing::warn!("some connections did not close in time");
    }
    node.store.close().await;
    tracing::info!("stopped");
    Ok(())
}
