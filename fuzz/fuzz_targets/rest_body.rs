//! REST JSON bodies, parsed and validated as the handlers do
//! (`trackwire_domain::validate`): the first byte picks the endpoint, the
//! rest is the body.
//!
//! Holds: no panic; a refusal is `400 malformed_json` exactly when the body
//! is not JSON, else `422` with `validation_failed`, `unknown_event_type`
//! or `unknown_action` and field codes docs/api.md lists; an accepted
//! durable event survives the store's round trip (its type and payload
//! read back to the same event, which validates again); a new order's id
//! is one the path extractor takes, and its snapshot survives JSON.
#![no_main]

use http::StatusCode;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use trackwire_domain::validate::{from_value, parse_body, parse_value, ParseError, Validate};
use trackwire_domain::{Action, Classified, Code, DurableEvent, Order, OrderId, RecordedInput};
use trackwire_fuzz::check_field_errors;
use trackwire_server::rest::routes::chat::{ReadInput, TypingInput};
use trackwire_server::rest::routes::orders::NewOrder;
use trackwire_server::rest::routes::telemetry::FreshnessReport;
use trackwire_server::ApiError;

fuzz_target!(|data: &[u8]| {
    let Some((endpoint, body)) = data.split_first() else {
        return;
    };
    let outcome = match endpoint % 8 {
        0 => parse_body::<NewOrder>(body).map(new_order),
        1 => value(body)
            .and_then(|v| Ok(RecordedInput::parse(v)?))
            .map(recorded),
        2 => value(body)
            .and_then(|v| Ok(Action::parse("cancel", v)?))
            .map(action),
        3 => value(body)
            .and_then(|v| Ok(Action::parse("change_instructions", v)?))
            .map(action),
        4 => value(body).and_then(chat).map(recorded),
        5 => value(body)
            .and_then(|v| Ok(from_value::<TypingInput>(v)?))
            .map(drop),
        6 => value(body)
            .and_then(|v| Ok(from_value::<ReadInput>(v)?))
            .map(drop),
        _ => parse_body::<FreshnessReport>(body).map(drop),
    };
    if let Err(error) = outcome {
        refused(body, error);
    }
});

fn value(body: &[u8]) -> Result<Value, ParseError> {
    parse_value(body)
}

/// `POST /v1/orders/{id}/chat`: the body with its type filled in.
fn chat(mut value: Value) -> Result<RecordedInput, ParseError> {
    if let Some(fields) = value.as_object_mut() {
        fields.insert("type".into(), "chat_message".into());
    }
    let input = RecordedInput::parse(value)?;
    assert!(matches!(input, RecordedInput::ChatMessage(_)), "{input:?}");
    Ok(input)
}

/// The error answer: its status, code and field codes.
fn refused(body: &[u8], error: ParseError) {
    let is_json = serde_json::from_slice::<Value>(body).is_ok();
    let fields = match &error {
        ParseError::Malformed(_) => None,
        ParseError::Invalid(errors) => Some(errors.clone()),
    };
    let answer = ApiError::from(error);
    assert!(!answer.message.is_empty());
    match fields {
        None => {
            assert!(!is_json, "JSON refused as malformed");
            assert_eq!(
                (answer.status, answer.code),
                (StatusCode::BAD_REQUEST, Code::MalformedJson)
            );
        }
        Some(errors) => {
            assert!(is_json, "not JSON, yet refused as invalid");
            assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
            let first = errors.fields.first().map(|f| f.code.as_str());
            let expected = match first {
                Some("unknown_event_type") => Code::UnknownEventType,
                Some("unknown_action") => Code::UnknownAction,
                _ => Code::ValidationFailed,
            };
            assert_eq!(answer.code, expected);
            check_field_errors(&errors);
        }
    }
}

fn new_order(input: NewOrder) {
    let id = input
        .id
        .as_deref()
        .map(|id| OrderId::parse(id).expect("a validated id parses"));
    let id = id.unwrap_or_else(OrderId::generate);
    let event = DurableEvent::OrderCreated(input.order.clone());
    stored_round_trip(&event);
    let at = chrono::DateTime::UNIX_EPOCH;
    let order = Order::create(id, &input.order, at);
    let json = serde_json::to_string(&order).expect("a snapshot serializes");
    let back: Order = serde_json::from_str(&json).expect("a snapshot reads back");
    assert_eq!(back, order, "the snapshot survives JSON");
}

fn recorded(input: RecordedInput) {
    assert!(input.clone().validated().is_ok(), "validation is stable");
    match input.classify() {
        Classified::Durable(event) => stored_round_trip(&event),
        Classified::Ephemeral(signal) => {
            // f64s may come back one ulp away (serde_json's default float
            // parsing), so a signal is only checked to read back at all.
            let json = signal.payload_json();
            assert!(serde_json::from_str::<Value>(&json).is_ok(), "{json}");
        }
    }
}

fn action(action: Action) {
    let event = action.into_event();
    assert!(event.clone().validated().is_ok(), "{event:?}");
    stored_round_trip(&event);
}

/// What the store keeps (type and payload) reads back to the same event.
fn stored_round_trip(event: &DurableEvent) {
    let back = DurableEvent::from_stored(event.event_type(), &event.payload_json())
        .expect("a stored event reads back");
    assert_eq!(&back, event, "the stored event round-trips");
    assert!(back.validated().is_ok(), "a stored event validates again");
}
