//! Every request's log lines carry its id: `x-request-id` as the client
//! (or the proxy in front) sent it, or a fresh UUID; the response carries it
//! back. The span is at INFO, so its fields are on every line logged inside
//! the request at INFO and above; one line per request, with status and
//! latency, comes at DEBUG of target `tower_http` (`--log
//! info,tower_http=debug`).

use axum::http::{HeaderName, Request};
use axum::Router;
use tower_http::request_id::{
    MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::TraceLayer;

/// The header, as nginx's `$request_id` and most proxies name it.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest request id taken from a client; a longer or odd one is replaced.
const MAX_ID_LEN: usize = 128;

/// `router` with request ids and the request span, for every route.
pub fn layer(router: Router) -> Router {
    // The last layer added runs first.
    router
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(span_without_query)
                .on_request(()),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(axum::middleware::map_request(drop_unusable_id))
}

/// A client's id goes into logs: only short ids of plain characters are
/// kept, so none can forge a log line or bloat it.
async fn drop_unusable_id<B>(mut request: Request<B>) -> Request<B> {
    let usable = request.headers().get(&REQUEST_ID).map(|value| {
        let bytes = value.as_bytes();
        !bytes.is_empty()
            && bytes.len() <= MAX_ID_LEN
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(b))
    });
    if usable == Some(false) {
        request.headers_mut().remove(&REQUEST_ID);
    }
    request
}

/// The request span: its id, method and path, never the query string,
/// which may hold a stream ticket (tokens and tickets never reach the
/// logs).
fn span_without_query<B>(request: &Request<B>) -> tracing::Span {
    let id = request
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        request_id = %id,
        method = %request.method(),
        path = %request.uri().path(),
    )
}
