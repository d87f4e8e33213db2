//! The OpenAPI document, generated from the handlers' `#[utoipa::path]`
//! annotations and the types' `ToSchema` derives.

use utoipa::OpenApi;

use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Trackwire",
        description = "Real-time order tracking. Errors are `{\"error\": {code, message, details}}`; codes are listed in docs/api.md."
    ),
    paths(
        routes::orders::create,
        routes::orders::list,
        routes::orders::snapshot,
        routes::events::record,
        routes::events::since,
        routes::events::act,
        routes::feed::feed,
        routes::tickets::issue,
        routes::chat::send,
        routes::chat::history,
        routes::chat::read,
        routes::chat::typing,
        routes::demo::list,
        routes::health,
    ),
    tags(
        (name = "orders", description = "Orders and their snapshots"),
        (name = "events", description = "Recording events, customer actions, history and the feed"),
        (name = "streams", description = "Tickets for SSE and long-poll (`/v1/sse`, `/v1/poll`; see docs/protocol.md)"),
        (name = "chat", description = "The order's conversation (customer, courier, support)"),
        (name = "demo", description = "The demo's personas (only under `trackwire demo`)"),
        (name = "meta", description = "Health and the API's own description"),
    )
)]
struct ApiDoc;

/// The document served at `/v1/openapi.json`.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
