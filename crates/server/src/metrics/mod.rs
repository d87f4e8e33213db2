//! Prometheus metrics: the recorder behind the `metrics` facade, and
//! `GET /metrics` in the text format on a listener of its own.
//!
//! The names, types and labels are `trackwire_gateway::metrics::names`
//! (docs/operations.md lists them). What the transports count is in
//! [`tally`] (per connection, added to the global counters once per write
//! batch) and [`events`] (refusals, limits, closes: rare, labelled).
//!
//! `/metrics` is never on the public listener: `--metrics-listen ADDR`
//! opens a second one that serves only it, for the operator to bind to
//! loopback or a private interface that Prometheus reaches.

pub mod events;
pub(crate) mod tally;

use std::net::SocketAddr;
use std::time::Duration;

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{BuildError, Matcher, PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;
use trackwire_gateway::metrics::names::{self, Kind};

/// Seconds: half a millisecond to ten seconds.
const SECONDS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Frames waiting in one outbox (its capacity is 1024 durable events).
const FRAMES: &[f64] = &[
    1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 1024.0, 4096.0,
];

#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    #[error("cannot set up the Prometheus recorder: {0}")]
    Recorder(#[from] BuildError),
    #[error("cannot listen for metrics on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// The installed recorder: renders what it collected.
#[derive(Clone)]
pub struct Exporter {
    handle: PrometheusHandle,
}

impl Exporter {
    /// Everything collected so far, in the Prometheus text format.
    pub fn render(&self) -> String {
        self.handle.render()
    }
}

/// Installs the Prometheus recorder as the process's global one, before any
/// connection (handles made earlier stay no-ops). Histograms are real
/// Prometheus histograms (`_bucket`, `_sum`, `_count`), so a dashboard can
/// aggregate them across nodes.
pub fn install() -> Result<Exporter, MetricsError> {
    let mut builder = PrometheusBuilder::new();
    for &(name, kind, _) in names::ALL {
        if kind == Kind::Histogram {
            let buckets = if name.ends_with("_seconds") {
                SECONDS
            } else {
                FRAMES
            };
            builder = builder.set_buckets_for_metric(Matcher::Full(name.to_owned()), buckets)?;
        }
    }
    let handle = builder.install_recorder()?;
    for &(name, kind, help) in names::ALL {
        match kind {
            Kind::Counter => metrics::describe_counter!(name, help),
            Kind::Gauge => metrics::describe_gauge!(name, help),
            Kind::Histogram => metrics::describe_histogram!(name, help),
        }
    }
    // The recorder drains its histograms' buffers when rendered, and here
    // too, so that an unscraped node does not grow them.
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(5));
        loop {
            every.tick().await;
            upkeep.run_upkeep();
        }
    });
    Ok(Exporter { handle })
}

/// `GET /metrics`.
pub fn router(exporter: Exporter) -> Router {
    Router::new().route(
        "/metrics",
        get(move || {
            let exporter = exporter.clone();
            async move { scrape(&exporter) }
        }),
    )
}

fn scrape(exporter: &Exporter) -> Response {
    let mut response = exporter.render().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

/// `--metrics-listen ADDR`: installs the recorder and serves `/metrics` on
/// `addr` for the life of the process. Returns the bound address.
pub async fn serve(addr: SocketAddr) -> Result<SocketAddr, MetricsError> {
    let exporter = install()?;
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| MetricsError::Listen { addr, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| MetricsError::Listen { addr, source })?;
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, router(exporter)).await {
            tracing::warn!(%error, "the metrics listener stopped");
        }
    });
    Ok(bound)
}
