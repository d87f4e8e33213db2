//! Customer actions: what a customer may do to their own order, named the
//! same over REST (`POST /v1/orders/{id}/actions/{action}`) and WebSocket
//! (`mutate {action, args}`).

use serde::Deserialize;

use crate::event::{DurableEvent, InstructionsChanged, StatusChanged, MAX_TEXT};
use crate::status::OrderStatus;
use crate::validate::{from_value, Validate, ValidationErrors};

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Cancel while the order is still cancellable (before it ships).
    Cancel { reason: Option<String> },
    /// Replace the delivery instructions (empty text clears them).
    ChangeInstructions { text: String },
}

#[derive(Deserialize)]
struct CancelArgs {
    #[serde(default)]
    reason: Option<String>,
}

#[derive(Deserialize)]
struct InstructionsArgs {
    text: String,
}

impl Action {
    pub const NAMES: [&'static str; 2] = ["cancel", "change_instructions"];

    /// Parses an action by name with its JSON arguments.
    pub fn parse(name: &str, args: serde_json::Value) -> Result<Action, ValidationErrors> {
        // A missing body means "no arguments".
        let args = if args.is_null() {
            serde_json::json!({})
        } else {
            args
        };
        let action = match name {
            "cancel" => {
                let CancelArgs { reason } = from_value(args)?;
                Action::Cancel { reason }
            }
            "change_instructions" => {
                let InstructionsArgs { text } = from_value(args)?;
                Action::ChangeInstructions { text }
            }
            other => {
                return Err(ValidationErrors::single(
                    "action",
                    "unknown_action",
                    format!(
                        "unknown action '{other}'; known actions: {}",
                        Self::NAMES.join(", ")
                    ),
                ))
            }
        };
        action.validated()
    }

    /// The durable event the action records.
    pub fn into_event(self) -> DurableEvent {
        match self {
            Action::Cancel { reason } => DurableEvent::StatusChanged(StatusChanged {
                status: OrderStatus::Cancelled,
                reason: Some(reason.unwrap_or_else(|| "cancelled by customer".into())),
                internal_note: None,
            }),
            Action::ChangeInstructions { text } => {
                DurableEvent::InstructionsChanged(InstructionsChanged { text })
            }
        }
    }
}

impl Validate for Action {
    fn validate(&self, _path: &str, errors: &mut ValidationErrors) {
        match self {
            Action::Cancel { reason } => {
                errors.optional_text("reason", reason.as_deref(), MAX_TEXT)
            }
            Action::ChangeInstructions { text } => {
                errors.optional_text("text", Some(text), MAX_TEXT)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_parse_and_map_to_events() {
        let cancel = Action::parse("cancel", serde_json::Value::Null).expect("no args");
        assert!(matches!(
            cancel.into_event(),
            DurableEvent::StatusChanged(StatusChanged {
                status: OrderStatus::Cancelled,
                ..
            })
        ));
        let edit = Action::parse("change_instructions", serde_json::json!({"text": "Gate B"}))
            .expect("text");
        assert_eq!(
            edit,
            Action::ChangeInstructions {
                text: "Gate B".into()
            }
        );
        let err = Action::parse("refund", serde_json::json!({})).expect_err("unknown");
        assert_eq!(err.fields[0].code, "unknown_action");
        let err = Action::parse("change_instructions", serde_json::json!({})).expect_err("text");
        assert_eq!(err.fields[0].field, "text");
        let long = "x".repeat(MAX_TEXT + 1);
        let err = Action::parse("change_instructions", serde_json::json!({ "text": long }))
            .expect_err("too long");
        assert_eq!(err.fields[0].code, "too_long");
    }
}
