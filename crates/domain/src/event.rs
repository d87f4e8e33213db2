//! Durable events, ephemeral signals, and their payloads.
//!
//! Durable events are stored and numbered by `seq`; ephemeral signals are
//! latest-wins, carry a sender timestamp `ts`, and are never stored one by one.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::status::OrderStatus;
use crate::topic::TopicKind;
use crate::validate::{field, Validate, ValidationErrors};

/// Longest free text (reasons, instructions, names, addresses).
pub const MAX_TEXT: usize = 500;
/// Longest chat message.
pub const MAX_CHAT_TEXT: usize = 2000;
/// Most line items an order may list.
pub const MAX_ITEMS: usize = 100;

/// A person on an order: the customer or the courier. Accepts a bare id
/// string (`"cust-42"`) or an object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "PartyInput")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Party {
    /// The person's subject id; a customer's token carries it as `sub`.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum PartyInput {
    Id(String),
    Full {
        id: String,
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        phone: Option<String>,
    },
}

impl From<PartyInput> for Party {
    fn from(input: PartyInput) -> Self {
        match input {
            PartyInput::Id(id) => Party {
                id,
                name: None,
                phone: None,
            },
            PartyInput::Full { id, name, phone } => Party { id, name, phone },
        }
    }
}

impl Validate for Party {
    fn validate(&self, path: &str, errors: &mut ValidationErrors) {
        errors.text(&field(path, "id"), &self.id, 128);
        errors.optional_text(&field(path, "name"), self.name.as_deref(), 200);
        errors.optional_text(&field(path, "phone"), self.phone.as_deref(), 40);
    }
}

/// One line of the order's items summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Item {
    pub name: String,
    #[serde(default = "one")]
    pub quantity: u32,
}

fn one() -> u32 {
    1
}

impl Validate for Item {
    fn validate(&self, path: &str, errors: &mut ValidationErrors) {
        errors.text(&field(path, "name"), &self.name, 200);
        if self.quantity == 0 || self.quantity > 10_000 {
            errors.push(field(path, "quantity"), "out_of_range", "from 1 to 10000");
        }
    }
}

/// `order_created`: the first event of every order (seq 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderCreated {
    pub customer: Party,
    pub items: Vec<Item>,
    pub address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub courier: Option<Party>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eta: Option<DateTime<Utc>>,
    /// Staff only: never shown to customers or couriers (docs/security.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_note: Option<String>,
}

impl Validate for OrderCreated {
    fn validate(&self, path: &str, errors: &mut ValidationErrors) {
        self.customer.validate(&field(path, "customer"), errors);
        if self.items.is_empty() {
            errors.push(field(path, "items"), "required", "at least one item");
        } else if self.items.len() > MAX_ITEMS {
            errors.push(
                field(path, "items"),
                "too_many",
                format!("at most {MAX_ITEMS} items"),
            );
        }
        for (i, item) in self.items.iter().enumerate().take(MAX_ITEMS) {
            item.validate(&field(path, &format!("items[{i}]")), errors);
        }
        errors.text(&field(path, "address"), &self.address, MAX_TEXT);
        if let Some(courier) = &self.courier {
            courier.validate(&field(path, "courier"), errors);
        }
        errors.optional_text(
            &field(path, "instructions"),
            self.instructions.as_deref(),
            MAX_TEXT,
        );
        validate_note(path, self.internal_note.as_deref(), errors);
    }
}

/// A staff note is free text like any other.
fn validate_note(path: &str, note: Option<&str>, errors: &mut ValidationErrors) {
    errors.optional_text(&field(path, "internalNote"), note, MAX_TEXT);
}

/// `status_changed`: the order moves along the state machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusChanged {
    pub status: OrderStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Staff only: never shown to customers or couriers (docs/security.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_note: Option<String>,
}

/// `eta_changed`: a new estimated time of arrival.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EtaChanged {
    pub eta: DateTime<Utc>,
}

/// `delayed`: the order is late; it does not end the order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Delayed {
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eta: Option<DateTime<Utc>>,
    /// Staff only: never shown to customers or couriers (docs/security.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_note: Option<String>,
}

/// `delivery_failed`: an attempt failed; the order stays in transit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryFailed {
    pub reason: String,
    /// Staff only: never shown to customers or couriers (docs/security.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_note: Option<String>,
}

/// `courier_assigned`: who brings the order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CourierAssigned {
    pub courier: Party,
    /// Staff only: never shown to customers or couriers (docs/security.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_note: Option<String>,
}

/// `instructions_changed`: the customer's delivery instructions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InstructionsChanged {
    pub text: String,
}

/// `chat_message`: a durable message on `chat:{orderId}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatMessage {
    pub text: String,
    /// The sender's own id for the message, so a retried send appears once.
    pub client_message_id: String,
    /// Who wrote it: set by the server from the sender's identity (what a
    /// client sends here is replaced).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<ChatSender>,
}

/// The author of a chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatSender {
    pub subject: String,
    /// `customer`, `courier`, `dispatcher`, `admin` or `service`.
    pub role: String,
}

/// `location`: the courier's position; latest-wins by `ts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Location {
    pub lat: f64,
    pub lng: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading: Option<f64>,
    /// Sender's clock in milliseconds since the Unix epoch, monotonic per sender.
    pub ts: i64,
}

impl Validate for Location {
    fn validate(&self, path: &str, errors: &mut ValidationErrors) {
        if !(-90.0..=90.0).contains(&self.lat) {
            errors.push(field(path, "lat"), "out_of_range", "from -90 to 90");
        }
        if !(-180.0..=180.0).contains(&self.lng) {
            errors.push(field(path, "lng"), "out_of_range", "from -180 to 180");
        }
        if let Some(heading) = self.heading {
            if !(0.0..=360.0).contains(&heading) {
                errors.push(field(path, "heading"), "out_of_range", "from 0 to 360");
            }
        }
        if self.ts <= 0 {
            errors.push(field(path, "ts"), "out_of_range", "milliseconds since 1970");
        }
    }
}

/// `typing`: someone is typing in an order's chat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Typing {
    pub active: bool,
    #[serde(default)]
    pub ts: i64,
    /// Who is typing: set by the server from the sender's identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<ChatSender>,
}

/// A durable event: stored, then published, numbered by `seq` on its topic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "payload", rename_all = "snake_case")]
pub enum DurableEvent {
    OrderCreated(OrderCreated),
    StatusChanged(StatusChanged),
    EtaChanged(EtaChanged),
    Delayed(Delayed),
    DeliveryFailed(DeliveryFailed),
    CourierAssigned(CourierAssigned),
    InstructionsChanged(InstructionsChanged),
    ChatMessage(ChatMessage),
}

impl DurableEvent {
    /// Every durable event type name, as on the wire.
    pub const TYPES: [&'static str; 8] = [
        "order_created",
        "status_changed",
        "eta_changed",
        "delayed",
        "delivery_failed",
        "courier_assigned",
        "instructions_changed",
        "chat_message",
    ];

    pub fn event_type(&self) -> &'static str {
        match self {
            Self::OrderCreated(_) => "order_created",
            Self::StatusChanged(_) => "status_changed",
            Self::EtaChanged(_) => "eta_changed",
            Self::Delayed(_) => "delayed",
            Self::DeliveryFailed(_) => "delivery_failed",
            Self::CourierAssigned(_) => "courier_assigned",
            Self::InstructionsChanged(_) => "instructions_changed",
            Self::ChatMessage(_) => "chat_message",
        }
    }

    /// Which of the order's topics the event belongs to.
    pub fn topic_kind(&self) -> TopicKind {
        match self {
            Self::ChatMessage(_) => TopicKind::Chat,
            _ => TopicKind::Order,
        }
    }

    /// The staff-only note the event carries, if its type takes one.
    pub fn internal_note(&self) -> Option<&str> {
        match self {
            Self::OrderCreated(e) => e.internal_note.as_deref(),
            Self::StatusChanged(e) => e.internal_note.as_deref(),
            Self::Delayed(e) => e.internal_note.as_deref(),
            Self::DeliveryFailed(e) => e.internal_note.as_deref(),
            Self::CourierAssigned(e) => e.internal_note.as_deref(),
            Self::EtaChanged(_) | Self::InstructionsChanged(_) | Self::ChatMessage(_) => None,
        }
    }

    /// The payload alone (no `type`), as stored and sent in the envelope.
    pub fn payload_json(&self) -> String {
        // Serializing plain structs of strings and numbers cannot fail.
        let tagged = serde_json::to_value(self).unwrap_or_default();
        tagged
            .get("payload")
            .map(ToString::to_string)
            .unwrap_or_else(|| "{}".to_owned())
    }

    /// Rebuilds an event from its stored type and payload.
    pub fn from_stored(event_type: &str, payload: &str) -> Result<Self, serde_json::Error> {
        let payload: serde_json::Value = serde_json::from_str(payload)?;
        serde_json::from_value(serde_json::json!({ "type": event_type, "payload": payload }))
    }
}

impl Validate for DurableEvent {
    fn validate(&self, path: &str, errors: &mut ValidationErrors) {
        // order_created checks its own note: POST /v1/orders validates it
        // without this wrapper.
        if !matches!(self, Self::OrderCreated(_)) {
            validate_note(path, self.internal_note(), errors);
        }
        match self {
            Self::OrderCreated(e) => e.validate(path, errors),
            Self::StatusChanged(e) => {
                errors.optional_text(&field(path, "reason"), e.reason.as_deref(), MAX_TEXT)
            }
            Self::EtaChanged(_) => {}
            Self::Delayed(e) => errors.text(&field(path, "reason"), &e.reason, MAX_TEXT),
            Self::DeliveryFailed(e) => errors.text(&field(path, "reason"), &e.reason, MAX_TEXT),
            Self::CourierAssigned(e) => e.courier.validate(&field(path, "courier"), errors),
            Self::InstructionsChanged(e) => {
                errors.optional_text(&field(path, "text"), Some(&e.text), MAX_TEXT)
            }
            Self::ChatMessage(e) => {
                errors.text(&field(path, "text"), &e.text, MAX_CHAT_TEXT);
                errors.text(&field(path, "clientMessageId"), &e.client_message_id, 128);
            }
        }
    }
}

/// An ephemeral signal: latest-wins, never numbered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "payload", rename_all = "snake_case")]
pub enum EphemeralSignal {
    Location(Location),
    Typing(Typing),
}

impl EphemeralSignal {
    pub fn event_type(&self) -> &'static str {
        match self {
            Self::Location(_) => "location",
            Self::Typing(_) => "typing",
        }
    }

    pub fn payload_json(&self) -> String {
        let tagged = serde_json::to_value(self).unwrap_or_default();
        tagged
            .get("payload")
            .map(ToString::to_string)
            .unwrap_or_else(|| "{}".to_owned())
    }
}

/// The body of `POST /v1/orders/{id}/events`: `{"type": …, …payload}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RecordedInput {
    StatusChanged(StatusChanged),
    EtaChanged(EtaChanged),
    Delayed(Delayed),
    DeliveryFailed(DeliveryFailed),
    CourierAssigned(CourierAssigned),
    InstructionsChanged(InstructionsChanged),
    ChatMessage(ChatMessage),
    Location(Location),
}

/// A recorded input sorted into its class.
// Lives for one request and is moved, not stored: boxing the durable side
// would add an allocation per event to save stack space nobody keeps.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Classified {
    Durable(DurableEvent),
    Ephemeral(EphemeralSignal),
}

impl RecordedInput {
    /// Type names accepted by the record endpoint. `order_created` is not
    /// among them: orders are created with `POST /v1/orders`.
    pub const TYPES: [&'static str; 8] = [
        "status_changed",
        "eta_changed",
        "delayed",
        "delivery_failed",
        "courier_assigned",
        "instructions_changed",
        "chat_message",
        "location",
    ];

    pub fn classify(self) -> Classified {
        use DurableEvent as D;
        match self {
            Self::StatusChanged(e) => Classified::Durable(D::StatusChanged(e)),
            Self::EtaChanged(e) => Classified::Durable(D::EtaChanged(e)),
            Self::Delayed(e) => Classified::Durable(D::Delayed(e)),
            Self::DeliveryFailed(e) => Classified::Durable(D::DeliveryFailed(e)),
            Self::CourierAssigned(e) => Classified::Durable(D::CourierAssigned(e)),
            Self::InstructionsChanged(e) => Classified::Durable(D::InstructionsChanged(e)),
            Self::ChatMessage(e) => Classified::Durable(D::ChatMessage(e)),
            Self::Location(e) => Classified::Ephemeral(EphemeralSignal::Location(e)),
        }
    }
}

impl Validate for RecordedInput {
    fn validate(&self, path: &str, errors: &mut ValidationErrors) {
        match self.clone().classify() {
            Classified::Durable(e) => e.validate(path, errors),
            Classified::Ephemeral(EphemeralSignal::Location(l)) => l.validate(path, errors),
            Classified::Ephemeral(EphemeralSignal::Typing(_)) => {}
        }
    }
}

impl RecordedInput {
    /// Parses a record body: the `type` first (an unknown one gets its own
    /// error listing the known ones), then that type's payload, so a field
    /// error names its field.
    pub fn parse(body: serde_json::Value) -> Result<Self, ValidationErrors> {
        use crate::validate::from_value;
        check_recorded_type(&body)?;
        let input = match body
            .get("type")
            .and_then(|t| t.as_str())
            .unwrap_or_default()
        {
            "status_changed" => Self::StatusChanged(from_value(body)?),
            "eta_changed" => Self::EtaChanged(from_value(body)?),
            "delayed" => Self::Delayed(from_value(body)?),
            "delivery_failed" => Self::DeliveryFailed(from_value(body)?),
            "courier_assigned" => Self::CourierAssigned(from_value(body)?),
            "instructions_changed" => Self::InstructionsChanged(from_value(body)?),
            "chat_message" => Self::ChatMessage(from_value(body)?),
            _ => Self::Location(from_value(body)?),
        };
        input.validated()
    }
}

/// Checks the `type` of a record body before its shape, so an unknown type
/// gets its own error listing the known ones.
pub fn check_recorded_type(body: &serde_json::Value) -> Result<(), ValidationErrors> {
    let known = RecordedInput::TYPES.join(", ");
    match body.get("type").and_then(|t| t.as_str()) {
        Some(t) if RecordedInput::TYPES.contains(&t) => Ok(()),
        Some("order_created") => Err(ValidationErrors::single(
            "type",
            "unknown_event_type",
            "orders are created with POST /v1/orders",
        )),
        Some(t) => Err(ValidationErrors::single(
            "type",
            "unknown_event_type",
            format!("unknown event type '{t}'; known types: {known}"),
        )),
        None => Err(ValidationErrors::single(
            "type",
            "required",
            format!("a string naming the event type: {known}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::from_value;

    #[test]
    fn payload_round_trips_through_storage() {
        let event = DurableEvent::Delayed(Delayed {
            reason: "traffic".into(),
            eta: None,
            internal_note: None,
        });
        let payload = event.payload_json();
        assert_eq!(payload, r#"{"reason":"traffic"}"#);
        let back = DurableEvent::from_stored(event.event_type(), &payload).expect("parses");
        assert_eq!(back, event);
    }

    #[test]
    fn a_party_is_an_id_or_an_object() {
        let bare: Party = serde_json::from_str(r#""cust-1""#).expect("bare id");
        assert_eq!(bare.id, "cust-1");
        let full: Party =
            serde_json::from_str(r#"{"id":"c","name":"Ada","phone":"+1"}"#).expect("object");
        assert_eq!(full.name.as_deref(), Some("Ada"));
    }

    #[test]
    fn recorded_input_sorts_durable_from_ephemeral() {
        let v = serde_json::json!({"type": "location", "lat": 1.0, "lng": 2.0, "ts": 5});
        let input: RecordedInput = from_value(v).expect("location");
        assert!(matches!(input.classify(), Classified::Ephemeral(_)));
        let v = serde_json::json!({"type": "status_changed", "status": "confirmed"});
        let input: RecordedInput = from_value(v).expect("status");
        assert!(matches!(input.classify(), Classified::Durable(_)));
    }

    #[test]
    fn field_errors_name_the_field() {
        let body = serde_json::json!({"type": "status_changed", "status": "teleported"});
        let err = RecordedInput::parse(body).expect_err("unknown status");
        assert_eq!(err.fields[0].field, "status");
        let body = serde_json::json!({"type": "eta_changed", "eta": "tomorrow"});
        let err = RecordedInput::parse(body).expect_err("bad time");
        assert_eq!(err.fields[0].field, "eta");
    }

    #[test]
    fn notes_are_optional_and_checked_like_any_text() {
        let body = serde_json::json!({"type": "delayed", "reason": "rain"});
        let RecordedInput::Delayed(delayed) = RecordedInput::parse(body).expect("no note") else {
            panic!("expected delayed");
        };
        assert_eq!(delayed.internal_note, None);
        let body = serde_json::json!({"type": "status_changed", "status": "confirmed",
            "internalNote": "call the shop first"});
        let input = RecordedInput::parse(body).expect("note");
        let Classified::Durable(event) = input.classify() else {
            panic!("durable");
        };
        assert_eq!(event.internal_note(), Some("call the shop first"));
        assert!(event
            .payload_json()
            .contains(r#""internalNote":"call the shop first""#));
        let long = "x".repeat(MAX_TEXT + 1);
        for body in [
            serde_json::json!({"type": "delivery_failed", "reason": "r", "internalNote": long}),
            serde_json::json!({"type": "courier_assigned", "courier": "c-1", "internalNote": long}),
        ] {
            let err = RecordedInput::parse(body).expect_err("too long");
            assert_eq!(err.fields.len(), 1);
            assert_eq!(err.fields[0].field, "internalNote");
            assert_eq!(err.fields[0].code, "too_long");
        }
    }

    #[test]
    fn unknown_types_are_named() {
        let err =
            check_recorded_type(&serde_json::json!({"type": "teleported"})).expect_err("unknown");
        assert_eq!(err.fields[0].code, "unknown_event_type");
        assert!(err.fields[0].message.contains("status_changed"));
        let err = check_recorded_type(&serde_json::json!({})).expect_err("missing");
        assert_eq!(err.fields[0].code, "required");
    }

    #[test]
    fn locations_are_range_checked() {
        let mut errors = ValidationErrors::default();
        Location {
            lat: 91.0,
            lng: 0.0,
            heading: Some(400.0),
            ts: 0,
        }
        .validate("", &mut errors);
        let fields: Vec<_> = errors.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["lat", "heading", "ts"]);
    }
}
