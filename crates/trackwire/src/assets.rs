//! Files the binary serves itself, embedded at build time so a fresh
//! machine needs no build step: the browser SDK at `/sdk/` (the ES modules
//! of `clients/js/src`, importable as they are) and the web pages of `web/`
//! (`/`, `/login`, `/track/{orderId}`, `/dispatch`, `/ops`, and `/assets/`).

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use rust_embed::RustEmbed;
use serde_json::json;

#[derive(RustEmbed)]
#[folder = "../../clients/js/src/"]
struct Sdk;

#[derive(RustEmbed)]
#[folder = "../../web/"]
struct Web;

pub(crate) fn router() -> Router {
    /// A page: one HTML file; its script reads the rest from the URL.
    fn page(file: &'static str) -> axum::routing::MethodRouter {
        get(move |headers: HeaderMap| async move { serve::<Web>(file, &headers) })
    }
    Router::new()
        .route(
            "/sdk/{*path}",
            get(|Path(path): Path<String>, headers: HeaderMap| async move {
                serve::<Sdk>(&path, &headers)
            }),
        )
        .route(
            "/assets/{*path}",
            get(|Path(path): Path<String>, headers: HeaderMap| async move {
                serve::<Web>(&format!("assets/{path}"), &headers)
            }),
        )
        .route("/", page("index.html"))
        .route("/login", page("login.html"))
        .route("/track/{id}", page("track.html"))
        .route("/dispatch", page("dispatch.html"))
        .route("/ops", page("ops.html"))
}

/// One embedded file, with an ETag so browsers revalidate cheaply.
fn serve<Files: RustEmbed>(path: &str, headers: &HeaderMap) -> Response {
    let Some(file) = Files::get(path) else {
        let body =
            json!({"error": {"code": "not_found", "message": "no such file", "details": {}}});
        return (StatusCode::NOT_FOUND, Json(body)).into_response();
    };
    let hash = file.metadata.sha256_hash();
    let etag = format!(
        "\"{}\"",
        hash[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        file.data.into_owned().into_response()
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(path)),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    for (name, value) in SECURITY_HEADERS {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// The pages' policy: every script and style from this origin's files (no
/// inline script, no `style=` attributes, no eval), connections only back
/// to this origin (REST, WebSocket, SSE), never framed by another site,
/// never sniffed into another type, and no URL (a stream ticket) leaked in
/// a Referer. Sent with every embedded file; the pages pass it
/// (clients/js/test/browser/csp.test.js).
const SECURITY_HEADERS: [(header::HeaderName, &str); 4] = [
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'",
    ),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "no-referrer"),
    (header::X_FRAME_OPTIONS, "DENY"),
];

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or_default() {
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        // `.d.ts` and anything else: readable, never executed.
        _ => "text/plain; charset=utf-8",
    }
}
