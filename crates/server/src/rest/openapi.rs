//! The OpenAPI document, generated from the handlers' `#[utoipa::path]`
//! annotations and the types' `ToSchema` derives, then completed by two
//! passes so that it says what the server really checks:
//!
//! - [`ErrorAnswers`] adds the error answers an operation gives because of
//!   what it takes (an order id, a query, a body, `Idempotency-Key`, a
//!   caller), so no route repeats them and none forgets one.
//! - [`BodyLimits`] adds the limits request validation enforces on body
//!   fields: most bodies are trackwire-domain types, whose derived schemas
//!   give only their shape.
//!
//! Parameters shared by many routes are here too: [`OrderIdPath`] and
//! [`WireU64`].

use std::collections::BTreeMap;

use trackwire_domain::event::{MAX_CHAT_TEXT, MAX_ITEMS, MAX_TEXT};
use trackwire_domain::ids::MAX_ORDER_ID_LEN;
use trackwire_domain::Code;
use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{Object, ObjectBuilder, OneOf, Schema, SchemaType, Type};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Required, ResponseBuilder};
use utoipa::{IntoParams, Modify, OpenApi, PartialSchema, ToSchema};

use crate::http::error::ErrorBody;
use crate::rest::routes;

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
        routes::events::cancel,
        routes::events::change_instructions,
        routes::feed::feed,
        routes::tickets::issue,
        routes::telemetry::report,
        routes::ops::stats,
        routes::chat::send,
        routes::chat::history,
        routes::chat::read,
        routes::chat::typing,
        routes::demo::list,
        routes::health::live,
        routes::health::ready,
    ),
    // ErrorAnswers refers to it by name.
    components(schemas(ErrorBody)),
    modifiers(&ErrorAnswers, &BodyLimits),
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

/// What [`trackwire_domain::OrderId::parse`] accepts, besides its length.
const ORDER_ID_PATTERN: &str = "^[A-Za-z0-9._-]+$";

/// Unicode `White_Space`, which Rust's `str::trim` strips: text of only
/// these is blank to the domain's validation. Spelled out because `\s`
/// means something else in each regex dialect.
const WHITE_SPACE: [(char, char); 10] = [
    ('\t', '\r'),
    (' ', ' '),
    ('\u{85}', '\u{85}'),
    ('\u{a0}', '\u{a0}'),
    ('\u{1680}', '\u{1680}'),
    ('\u{2000}', '\u{200a}'),
    ('\u{2028}', '\u{2029}'),
    ('\u{202f}', '\u{202f}'),
    ('\u{205f}', '\u{205f}'),
    ('\u{3000}', '\u{3000}'),
];

/// A pattern for text that is not blank: it holds a character outside
/// [`WHITE_SPACE`].
fn not_blank() -> String {
    let escape = |c: char| format!("\\u{:04x}", u32::from(c));
    let class: String = WHITE_SPACE
        .iter()
        .map(|&(first, last)| {
            if first == last {
                escape(first)
            } else {
                format!("{}-{}", escape(first), escape(last))
            }
        })
        .collect();
    format!("[^{class}]")
}

/// The `{id}` of every `/v1/orders/{id}/…` route, as the server parses it.
pub struct OrderIdPath;

impl IntoParams for OrderIdPath {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![ParameterBuilder::new()
            .name("id")
            .parameter_in(ParameterIn::Path)
            .required(Required::True)
            .description(Some("Order id"))
            .schema(Some(order_id(Type::String)))
            .build()]
    }
}

/// An order id: 1 to 64 letters, digits, `-`, `_` and `.`.
fn order_id(schema_type: impl Into<SchemaType>) -> Object {
    ObjectBuilder::new()
        .schema_type(schema_type)
        .description(Some(format!(
            "1 to {MAX_ORDER_ID_LEN} letters, digits, '-', '_' and '.'"
        )))
        .min_length(Some(1))
        .max_length(Some(MAX_ORDER_ID_LEN))
        .pattern(Some(ORDER_ID_PATTERN))
        .examples(["ZX-1001"])
        .build()
}

/// The optional `id` of a new order (`null` is as good as absent).
pub fn optional_order_id() -> Object {
    order_id(
        [Type::String, Type::Null]
            .into_iter()
            .collect::<SchemaType>(),
    )
}

/// The schema of a `u64` the client sends (`since`, a seq), for
/// `value_type = WireU64, inline`: its whole range, which the derived
/// `format: int64` would cut at 2^63 - 1.
pub struct WireU64;

impl PartialSchema for WireU64 {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(0u64))
            .maximum(Some(u64::MAX))
            .into()
    }
}

impl ToSchema for WireU64 {}

/// Operations that take no caller, so never answer 401 or 429.
const PUBLIC: [&str; 3] = ["/v1/health/live", "/v1/health/ready", "/v1/demo/personas"];

/// Adds the error answers every operation gives because of what it takes;
/// a status the route documents itself is left as the route says.
struct ErrorAnswers;

impl Modify for ErrorAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let public = PUBLIC.contains(&path.as_str());
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                for (status, codes) in error_codes(operation, public) {
                    let response = ResponseBuilder::new()
                        .description(codes.join(", "))
                        .content(
                            "application/json",
                            ContentBuilder::new()
                                .schema(Some(Ref::from_schema_name("ErrorBody")))
                                .build(),
                        )
                        .build();
                    operation
                        .responses
                        .responses
                        .entry(status.to_string())
                        .or_insert(RefOr::T(response));
                }
            }
        }
    }
}

/// The error codes an operation may answer, by status, from what it takes.
fn error_codes(operation: &Operation, public: bool) -> BTreeMap<u16, Vec<&'static str>> {
    let mut codes: BTreeMap<u16, Vec<&'static str>> = BTreeMap::new();
    let mut add = |status, list: &[Code]| {
        codes
            .entry(status)
            .or_default()
            .extend(list.iter().map(|code| code.as_str()));
    };
    let params = operation.parameters.as_deref().unwrap_or_default();
    let has = |place: ParameterIn, name: Option<&str>| {
        params
            .iter()
            .any(|p| p.parameter_in == place && name.is_none_or(|name| p.name == name))
    };
    if has(ParameterIn::Path, Some("id")) {
        add(400, &[Code::InvalidOrderId, Code::InvalidPath]);
        add(403, &[Code::Forbidden]);
        add(404, &[Code::OrderNotFound]);
    }
    if has(ParameterIn::Query, None) {
        add(400, &[Code::InvalidQuery]);
    }
    if operation.request_body.is_some() {
        add(400, &[Code::MalformedJson, Code::UnreadableBody]);
        add(413, &[Code::PayloadTooLarge]);
        add(415, &[Code::UnsupportedMediaType]);
        add(422, &[Code::ValidationFailed]);
    }
    if has(ParameterIn::Header, Some("Idempotency-Key")) {
        add(400, &[Code::InvalidIdempotencyKey]);
        add(422, &[Code::IdempotencyKeyReused]);
    }
    if !public {
        let tokens: Vec<Code> = Code::ALL
            .iter()
            .copied()
            .filter(|code| code.as_str().starts_with("token_"))
            .collect();
        add(401, &[Code::Unauthorized]);
        add(401, &tokens);
        add(429, &[Code::RateLimited]);
        // Every caller's request reads or writes the store.
        add(503, &[Code::StoreUnavailable]);
    }
    codes
}

/// A limit request validation puts on a body field.
enum Limit {
    /// Text that must not be blank, of at most this many characters.
    Text(usize),
    /// Text of at most this many characters; blank is fine.
    UpTo(usize),
    /// A number from, and up to, these (inclusive).
    Range(i64, Option<i64>),
    /// A list of this many entries, at least and at most.
    Items(usize, usize),
    /// A person (`Party`), which a request may also give as a bare id.
    Party,
}

/// Every body field's limit, as trackwire-domain validates it (and the
/// chat and action bodies, which the domain parses). Bare numbers are the
/// domain's own literals (event.rs), which it names no constant for.
const BODY_LIMITS: &[(&str, &str, Limit)] = {
    use Limit::*;
    &[
        ("Party", "id", Text(PARTY_ID)),
        ("Party", "name", UpTo(200)),
        ("Party", "phone", UpTo(40)),
        ("Item", "name", Text(200)),
        ("Item", "quantity", Range(1, Some(10_000))),
        ("OrderCreated", "customer", Party),
        ("OrderCreated", "courier", Party),
        ("OrderCreated", "items", Items(1, MAX_ITEMS)),
        ("OrderCreated", "address", Text(MAX_TEXT)),
        ("OrderCreated", "instructions", UpTo(MAX_TEXT)),
        ("OrderCreated", "internalNote", UpTo(MAX_TEXT)),
        ("StatusChanged", "reason", UpTo(MAX_TEXT)),
        ("StatusChanged", "internalNote", UpTo(MAX_TEXT)),
        ("Delayed", "reason", Text(MAX_TEXT)),
        ("Delayed", "internalNote", UpTo(MAX_TEXT)),
        ("DeliveryFailed", "reason", Text(MAX_TEXT)),
        ("DeliveryFailed", "internalNote", UpTo(MAX_TEXT)),
        ("CourierAssigned", "courier", Party),
        ("CourierAssigned", "internalNote", UpTo(MAX_TEXT)),
        ("InstructionsChanged", "text", UpTo(MAX_TEXT)),
        ("ChatMessage", "text", Text(MAX_CHAT_TEXT)),
        ("ChatMessage", "clientMessageId", Text(MESSAGE_ID)),
        ("ChatInput", "text", Text(MAX_CHAT_TEXT)),
        ("ChatInput", "clientMessageId", Text(MESSAGE_ID)),
        ("Location", "lat", Range(-90, Some(90))),
        ("Location", "lng", Range(-180, Some(180))),
        ("Location", "heading", Range(0, Some(360))),
        ("Location", "ts", Range(1, None)),
        ("CancelInput", "reason", UpTo(MAX_TEXT)),
        ("InstructionsInput", "text", UpTo(MAX_TEXT)),
    ]
};

/// Longest person id and chat message id.
const PARTY_ID: usize = 128;
const MESSAGE_ID: usize = 128;

/// Puts [`BODY_LIMITS`] into the schemas, and the id rules into `OrderId`.
struct BodyLimits;

impl Modify for BodyLimits {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        // A miss means a type or field was renamed; the unit test below
        // catches it, and the document stays valid without the limit.
        let _missed = apply_limits(&mut components.schemas);
        if let Some(schema) = components.schemas.get_mut("OrderId") {
            *schema = RefOr::T(Schema::Object(order_id(Type::String)));
        }
    }
}

/// Applies every limit it finds a field for; returns the ones it did not.
fn apply_limits(schemas: &mut BTreeMap<String, RefOr<Schema>>) -> Vec<String> {
    let mut missed = Vec::new();
    for (schema, field, limit) in BODY_LIMITS {
        let property = match schemas.get_mut(*schema) {
            Some(RefOr::T(Schema::Object(object))) => object.properties.get_mut(*field),
            _ => None,
        };
        if !property.is_some_and(|property| limit.apply(property)) {
            missed.push(format!("{schema}.{field}"));
        }
    }
    missed
}

impl Limit {
    /// Puts the limit on a property's schema; false if it does not fit.
    fn apply(&self, property: &mut RefOr<Schema>) -> bool {
        match (self, property) {
            (Limit::Text(max), RefOr::T(Schema::Object(text))) => {
                text.min_length = Some(1);
                text.max_length = Some(*max);
                text.pattern = Some(not_blank());
            }
            (Limit::UpTo(max), RefOr::T(Schema::Object(text))) => {
                text.max_length = Some(*max);
            }
            (Limit::Range(min, max), RefOr::T(Schema::Object(number))) => {
                number.minimum = Some((*min).into());
                number.maximum = max.map(Into::into);
            }
            (Limit::Items(min, max), RefOr::T(Schema::Array(list))) => {
                list.min_items = Some(*min);
                list.max_items = Some(*max);
            }
            (Limit::Party, property) => {
                let bare_id = ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some("The person's id alone"))
                    .min_length(Some(1))
                    .max_length(Some(PARTY_ID))
                    .pattern(Some(not_blank()))
                    .build();
                match property {
                    // Optional: `null` or a person.
                    RefOr::T(Schema::OneOf(one_of)) => {
                        one_of.items.push(RefOr::T(Schema::Object(bare_id)))
                    }
                    person => {
                        let mut one_of = OneOf::new();
                        one_of.items = vec![RefOr::T(Schema::Object(bare_id)), person.clone()];
                        *person = RefOr::T(Schema::OneOf(one_of));
                    }
                }
            }
            _ => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_body_limit_finds_its_field() {
        // The document has them already; applying them again finds the
        // same fields, or names the ones that were renamed.
        let mut doc = ApiDoc::openapi();
        let components = doc.components.as_mut().expect("components");
        assert_eq!(apply_limits(&mut components.schemas), Vec::<String>::new());
    }

    #[test]
    fn white_space_is_what_trim_strips() {
        let listed = |c: char| WHITE_SPACE.iter().any(|&(a, b)| (a..=b).contains(&c));
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            assert_eq!(listed(c), c.is_whitespace(), "{c:?}");
        }
        assert_eq!(
            not_blank(),
            r"[^\u0009-\u000d\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028-\u2029\u202f\u205f\u3000]"
        );
    }
}
