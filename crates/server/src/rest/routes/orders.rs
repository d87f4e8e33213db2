//! `/v1/orders`: create, list, and the snapshot with `ETag`/304.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use trackwire_domain::records::{OrderFilter, PageRequest};
use trackwire_domain::validate::{parse_body, Validate};
use trackwire_domain::{Order, OrderCreated, OrderId, OrderStatus, ValidationErrors};
use trackwire_gateway::{audience, CreateOrder};
use utoipa::{IntoParams, ToSchema};

use super::{etag, not_modified};
use crate::http::error::ErrorBody;
use crate::http::extract::{order_id, ApiPath, ApiQuery, Caller, IdempotencyKeyHeader, JsonBody};
use crate::http::ApiError;
use crate::rest::openapi::OrderIdPath;
use crate::rest::AppState;
use trackwire_domain::Code;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/orders", post(create).get(list))
        .route("/v1/orders/{id}", get(snapshot))
}

/// A new order. Without `id` the server makes one.
#[derive(Deserialize, ToSchema)]
pub struct NewOrder {
    #[serde(default)]
    #[schema(schema_with = crate::rest::openapi::optional_order_id)]
    pub id: Option<String>,
    #[serde(flatten)]
    pub order: OrderCreated,
}

impl Validate for NewOrder {
    fn validate(&self, path: &str, errors: &mut ValidationErrors) {
        if let Some(id) = &self.id {
            OrderId::parse_field(id, "id", errors);
        }
        self.order.validate(path, errors);
    }
}

/// Creates an order with its `order_created` event (seq 1).
#[utoipa::path(
    post, path = "/v1/orders", tag = "orders",
    request_body = NewOrder,
    params(IdempotencyKeyHeader),
    responses(
        (status = 201, description = "Created; `Location` names it", body = Order, headers(
            ("Location" = String, description = "`/v1/orders/{id}`"),
            ("ETag" = String),
            ("Idempotent-Replayed" = String, description = "`true` on the first answer repeated for a retried key"),
        )),
        (status = 409, description = "order_exists", body = ErrorBody),
    )
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    Caller(who): Caller,
    idempotency: IdempotencyKeyHeader,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let input: NewOrder = parse_body(&body)?;
    let id = input.id.as_deref().map(order_id).transpose()?;
    let key = idempotency.scoped(&who, "POST", "/v1/orders", &body);
    let recorded = state
        .orders
        .create(
            &who,
            CreateOrder {
                id,
                created: input.order,
            },
            key,
        )
        .await?;
    let order = recorded.order;
    Ok((
        StatusCode::CREATED,
        [
            (header::LOCATION, format!("/v1/orders/{}", order.id)),
            (header::ETAG, etag(&order, audience::of(&who))),
        ],
        replayed_header(recorded.replayed),
        Json(order),
    )
        .into_response())
}

/// `Idempotent-Replayed: true` on an answer repeated for a retried key.
pub(crate) fn replayed_header(replayed: bool) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if replayed {
        headers.insert(
            "idempotent-replayed",
            header::HeaderValue::from_static("true"),
        );
    }
    headers
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only orders in this status.
    #[param(value_type = Option<OrderStatus>)]
    status: Option<String>,
    /// Only this customer's orders (their subject id).
    customer: Option<String>,
    /// Only orders assigned to this courier.
    courier: Option<String>,
    /// The `next` value of the previous page.
    cursor: Option<String>,
    /// Page size, 1 to 100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct OrderList {
    pub items: Vec<Order>,
    /// Cursor of the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// Lists orders, newest first. Customers and couriers see only their own.
#[utoipa::path(
    get, path = "/v1/orders", tag = "orders", params(ListQuery),
    responses((status = 200, body = OrderList))
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<OrderList>, ApiError> {
    let status = query
        .status
        .as_deref()
        .map(|raw| {
            OrderStatus::parse(raw).ok_or_else(|| {
                let known: Vec<_> = OrderStatus::ALL.iter().map(|s| s.as_str()).collect();
                ApiError::bad_request(
                    Code::InvalidQuery,
                    format!("unknown status '{raw}'; known: {}", known.join(", ")),
                )
            })
        })
        .transpose()?;
    let limit = page_limit(query.limit, 50, 100)?;
    let page = state
        .orders
        .list(
            &who,
            OrderFilter {
                status,
                customer: query.customer,
                courier: query.courier,
            },
            PageRequest {
                after: query.cursor,
                limit,
            },
        )
        .await?;
    Ok(Json(OrderList {
        items: page.items,
        next: page.next,
    }))
}

/// Checks a `limit` parameter.
pub(crate) fn page_limit(limit: Option<u32>, default: u32, max: u32) -> Result<u32, ApiError> {
    match limit {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(n) => Err(ApiError::bad_request(
            Code::InvalidQuery,
            format!("limit must be from 1 to {max} (got {n})"),
        )),
    }
}

/// The order's snapshot. `ETag` comes from (epoch, seq, location ts,
/// audience):
/// send it back in `If-None-Match` to get `304 Not Modified` while nothing
/// changed.
#[utoipa::path(
    get, path = "/v1/orders/{id}", tag = "orders",
    params(OrderIdPath),
    responses(
        (status = 200, body = Order, headers(("ETag" = String))),
        (status = 304, description = "Not modified since the ETag in If-None-Match"),
    )
)]
pub(crate) async fn snapshot(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let order = state.orders.order(&who, &order_id(&id)?).await?;
    let tag = etag(&order, audience::of(&who));
    // Private: the body is this caller's projection, not for shared caches.
    let cache = (header::CACHE_CONTROL, "private, no-cache".to_owned());
    if not_modified(&headers, &tag) {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, tag), cache]).into_response());
    }
    Ok(([(header::ETAG, tag), cache], Json(order)).into_response())
}
