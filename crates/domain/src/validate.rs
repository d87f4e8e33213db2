//! Parsing JSON into typed input with field-level errors.
//!
//! Two stages: serde gives the shape (and the path of the first field that
//! does not fit), then [`Validate`] checks every field's content and reports
//! all problems at once.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// One problem with one field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// Dotted path of the field, e.g. `items[0].name`.
    pub field: String,
    /// Stable, machine-readable reason, e.g. `required`, `too_long`.
    pub code: String,
    pub message: String,
}

/// Every problem found in one request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("invalid input: {}", summary(.fields))]
pub struct ValidationErrors {
    pub fields: Vec<FieldError>,
}

fn summary(fields: &[FieldError]) -> String {
    fields
        .iter()
        .map(|f| format!("{}: {}", f.field, f.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl ValidationErrors {
    pub fn push(&mut self, field: impl Into<String>, code: &str, message: impl Into<String>) {
        self.fields.push(FieldError {
            field: field.into(),
            code: code.to_owned(),
            message: message.into(),
        });
    }

    pub fn single(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        let mut errors = Self::default();
        errors.push(field, code, message);
        errors
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    pub fn into_result(self) -> Result<(), Self> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }

    /// Checks a required free-text field: not blank, at most `max` chars.
    pub fn text(&mut self, field: &str, value: &str, max: usize) {
        if value.trim().is_empty() {
            self.push(field, "required", "must not be empty");
        } else {
            self.optional_text(field, Some(value), max);
        }
    }

    /// Checks an optional free-text field: at most `max` chars.
    pub fn optional_text(&mut self, field: &str, value: Option<&str>, max: usize) {
        if let Some(value) = value {
            let chars = value.chars().count();
            if chars > max {
                self.push(
                    field,
                    "too_long",
                    format!("at most {max} characters (got {chars})"),
                );
            }
        }
    }
}

/// Content checks that run after the shape has been parsed.
pub trait Validate {
    /// Adds every problem to `errors`; `path` prefixes field names.
    fn validate(&self, path: &str, errors: &mut ValidationErrors);

    /// Validates on its own, with no prefix.
    fn validated(self) -> Result<Self, ValidationErrors>
    where
        Self: Sized,
    {
        let mut errors = ValidationErrors::default();
        self.validate("", &mut errors);
        errors.into_result().map(|()| self)
    }
}

/// Joins a parent path and a field name.
pub fn field(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

/// Why a body could not become typed input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParseError {
    /// Not JSON at all (HTTP 400).
    #[error("malformed JSON: {0}")]
    Malformed(String),
    /// JSON of the wrong shape or content (HTTP 422).
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
}

/// Parses bytes into JSON, or says why they are not JSON.
pub fn parse_value(bytes: &[u8]) -> Result<serde_json::Value, ParseError> {
    serde_json::from_slice(bytes).map_err(|e| ParseError::Malformed(e.to_string()))
}

/// Deserializes a JSON value into `T`, naming the field that does not fit.
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ValidationErrors> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let parent = if path == "." { String::new() } else { path };
        let message = e.into_inner().to_string();
        // serde names a missing field in its message, at the parent's path.
        if let Some(name) = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next())
        {
            return ValidationErrors::single(field(&parent, name), "required", message);
        }
        let code = if message.starts_with("unknown variant") {
            "unknown_value"
        } else {
            "invalid_type"
        };
        ValidationErrors::single(parent, code, message)
    })
}

/// Bytes to validated `T`: the whole parse of a request body.
pub fn parse_body<T: DeserializeOwned + Validate>(bytes: &[u8]) -> Result<T, ParseError> {
    let value = parse_value(bytes)?;
    Ok(from_value::<T>(value)?.validated()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Probe {
        name: String,
        #[allow(dead_code)]
        count: u32,
    }

    impl Validate for Probe {
        fn validate(&self, path: &str, errors: &mut ValidationErrors) {
            errors.text(&field(path, "name"), &self.name, 5);
        }
    }

    #[test]
    fn syntax_errors_are_malformed_and_shape_errors_name_the_field() {
        assert!(matches!(
            parse_body::<Probe>(b"{nope"),
            Err(ParseError::Malformed(_))
        ));
        let Err(ParseError::Invalid(errors)) = parse_body::<Probe>(br#"{"name":"a","count":"x"}"#)
        else {
            panic!("expected a field error");
        };
        assert_eq!(errors.fields[0].field, "count");
        assert_eq!(errors.fields[0].code, "invalid_type");
        let Err(ParseError::Invalid(errors)) = parse_body::<Probe>(br#"{"count":1}"#) else {
            panic!("expected a field error");
        };
        assert_eq!(errors.fields[0].code, "required");
        let Err(ParseError::Invalid(errors)) =
            parse_body::<Probe>(br#"{"name":"toolong","count":1}"#)
        else {
            panic!("expected a field error");
        };
        assert_eq!(errors.fields[0].field, "name");
        assert_eq!(errors.fields[0].code, "too_long");
    }
}
