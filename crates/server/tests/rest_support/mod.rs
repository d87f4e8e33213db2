//! The REST API's test server: a real server on an ephemeral port, a real
//! HTTP client, a fresh SQLite store per test.
#![allow(dead_code)]

use std::sync::Arc;

use reqwest::header::{HeaderMap, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tempfile::TempDir;
use trackwire_broker::MemoryBroker;
use trackwire_gateway::{Hub, OrderService};
use trackwire_server::rest::{AppState, IdentitySource};
use trackwire_store::sqlite::SqliteStore;

/// Most a test waits for a condition before it fails (a guard, not a clock).
pub(crate) const PATIENCE: std::time::Duration = std::time::Duration::from_secs(10);

/// One server per test: its base URL, a client, and what must outlive it.
pub(crate) struct TestServer {
    pub(crate) base: String,
    pub(crate) client: reqwest::Client,
    /// The store, for the tests that make it fail.
    pub(crate) store: Arc<SqliteStore>,
    /// Cancelling it starts the drain, as SIGTERM does.
    pub(crate) draining: tokio_util::sync::CancellationToken,
    _hub: Arc<Hub>,
    _dir: TempDir,
}

/// An answer: status, headers and the body as JSON (`Null` when empty).
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Value,
}

impl Reply {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `error.code` of an error body.
    pub(crate) fn code(&self) -> &str {
        self.body["error"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("expected an error body, got {} {}", self.status, self.body))
    }

    /// Asserts the status and the error code.
    pub(crate) fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(self.code(), code, "body: {}", self.body);
        assert!(
            self.body["error"]["message"].is_string(),
            "error without message: {}",
            self.body
        );
    }

    /// The `details.fields` entries as `(field, code)`.
    pub(crate) fn fields(&self) -> Vec<(String, String)> {
        self.body["error"]["details"]["fields"]
            .as_array()
            .unwrap_or_else(|| panic!("no details.fields in {}", self.body))
            .iter()
            .map(|f| {
                (
                    f["field"].as_str().unwrap_or_default().to_owned(),
                    f["code"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    }

    pub(crate) fn has_field(&self, field: &str, code: &str) -> bool {
        self.fields().iter().any(|(f, c)| f == field && c == code)
    }
}

impl TestServer {
    pub(crate) async fn start() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Arc::new(SqliteStore::open(dir.path()).await.expect("open store"));
        let broker = Arc::new(MemoryBroker::new());
        let hub = Hub::start(broker.clone(), store.clone())
            .await
            .expect("start hub");
        let orders = Arc::new(OrderService::new(store.clone(), broker));
        let state = AppState::new(orders, IdentitySource::development());
        let draining = state.draining.clone();
        let app = trackwire_server::rest::app(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("local addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            base: format!("http://{addr}"),
            client: reqwest::Client::new(),
            store,
            draining,
            _hub: hub,
            _dir: dir,
        }
    }

    pub(crate) fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, format!("{}{path}", self.base))
    }

    pub(crate) async fn send(request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("request sent");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("body read");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                panic!(
                    "{status}: body is not JSON ({e}): {}",
                    String::from_utf8_lossy(&bytes)
                )
            })
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    pub(crate) async fn get(&self, path: &str) -> Reply {
        Self::send(self.request(Method::GET, path)).await
    }

    pub(crate) async fn post(&self, path: &str, body: &Value) -> Reply {
        Self::send(self.request(Method::POST, path).json(body)).await
    }

    pub(crate) async fn post_with_key(&self, path: &str, key: &str, body: &Value) -> Reply {
        Self::send(
            self.request(Method::POST, path)
                .header("idempotency-key", key)
                .json(body),
        )
        .await
    }

    /// Posts raw bytes with an optional Content-Type.
    pub(crate) async fn post_raw(
        &self,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Reply {
        let mut request = self.request(Method::POST, path).body(body);
        if let Some(content_type) = content_type {
            request = request.header(CONTENT_TYPE, content_type);
        }
        Self::send(request).await
    }

    /// Creates an order and returns its snapshot.
    pub(crate) async fn create(&self, id: &str) -> Value {
        self.create_for(id, "cust-1", None).await
    }

    pub(crate) async fn create_for(
        &self,
        id: &str,
        customer: &str,
        courier: Option<&str>,
    ) -> Value {
        let mut body = order_body(id);
        body["customer"] = json!(customer);
        if let Some(courier) = courier {
            body["courier"] = json!(courier);
        }
        let reply = self.post("/v1/orders", &body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "body: {}", reply.body);
        reply.body
    }

    pub(crate) async fn event(&self, id: &str, body: Value) -> Reply {
        self.post(&format!("/v1/orders/{id}/events"), &body).await
    }

    /// Moves an order to `status`, expecting success.
    pub(crate) async fn set_status(&self, id: &str, status: &str) -> Value {
        let reply = self
            .event(id, json!({"type": "status_changed", "status": status}))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "body: {}", reply.body);
        reply.body
    }
}

pub(crate) fn order_body(id: &str) -> Value {
    json!({
        "id": id,
        "customer": "cust-1",
        "items": [{"name": "Margherita", "quantity": 2}, {"name": "Cola"}],
        "address": "1 Main St",
    })
}

pub(crate) fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("expected an array, got {value}"))
        .iter()
        .map(|v| v.as_str().expect("a string"))
        .collect()
}

pub(crate) fn seqs(events: &Value) -> Vec<u64> {
    events
        .as_array()
        .unwrap_or_else(|| panic!("expected an array, got {events}"))
        .iter()
        .map(|e| e["seq"].as_u64().expect("seq"))
        .collect()
}
