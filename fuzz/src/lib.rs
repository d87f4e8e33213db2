//! What the fuzz targets share: the documented rules they hold the code to,
//! read from the docs themselves so the two cannot drift apart unnoticed.
//!
//! - [`documented_field_codes`]: the field codes of `validation_failed`
//!   (docs/api.md).
//! - [`documented_next`]: the order state machine's table (docs/domain.md).
//! - [`check_field_errors`]: a refused body's errors, held to those codes.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use trackwire_domain::{OrderStatus, ValidationErrors};

const API_MD: &str = include_str!("../../docs/api.md");
const DOMAIN_MD: &str = include_str!("../../docs/domain.md");

/// The field codes docs/api.md lists after "Field codes inside
/// `validation_failed`:", plus the two that name their own top-level code
/// (`unknown_event_type`, `unknown_action`, listed in its table).
pub fn documented_field_codes() -> &'static BTreeSet<String> {
    static CODES: OnceLock<BTreeSet<String>> = OnceLock::new();
    CODES.get_or_init(|| {
        let start = API_MD
            .find("Field codes inside `validation_failed`:")
            .expect("docs/api.md lists the field codes");
        let rest = &API_MD[start..];
        let sentence = &rest[..rest.find('.').expect("the list ends with a full stop")];
        let mut codes: BTreeSet<String> = sentence
            .split('`')
            .skip(3) // the text before the list and `validation_failed`
            .step_by(2)
            .map(str::to_owned)
            .collect();
        assert!(codes.contains("required"), "parsed {codes:?}");
        codes.insert("unknown_event_type".into());
        codes.insert("unknown_action".into());
        codes
    })
}

/// The statuses each status may move to, per the table in docs/domain.md.
pub fn documented_next() -> &'static BTreeMap<OrderStatus, BTreeSet<OrderStatus>> {
    static TABLE: OnceLock<BTreeMap<OrderStatus, BTreeSet<OrderStatus>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let status = |name: &str| {
            OrderStatus::parse(name.trim())
                .unwrap_or_else(|| panic!("docs/domain.md names an unknown status '{name}'"))
        };
        let mut table = BTreeMap::new();
        let rows = DOMAIN_MD
            .lines()
            .skip_while(|line| !line.starts_with("| from | allowed next |"))
            .skip(2)
            .take_while(|line| line.starts_with('|'));
        for row in rows {
            let cells: Vec<&str> = row.trim_matches('|').split('|').collect();
            let [from, next] = cells[..] else {
                panic!("a row of two cells: {row}")
            };
            let next: BTreeSet<OrderStatus> = if next.trim().starts_with("nothing") {
                BTreeSet::new()
            } else {
                next.split(',').map(status).collect()
            };
            for from in from.split(',') {
                table.insert(status(from), next.clone());
            }
        }
        assert_eq!(
            table.len(),
            OrderStatus::ALL.len(),
            "every status has a row"
        );
        table
    })
}

/// A refused body's errors: at least one, each with a documented code and
/// a message.
pub fn check_field_errors(errors: &ValidationErrors) {
    assert!(!errors.fields.is_empty(), "a refusal says what is wrong");
    for error in &errors.fields {
        assert!(
            documented_field_codes().contains(&error.code),
            "field code '{}' (field '{}') is not in docs/api.md",
            error.code,
            error.field
        );
        assert!(!error.message.is_empty(), "{error:?} has no message");
    }
}

/// Input as text, the way a transport hands it over: WebSocket text frames
/// and HTTP bodies that reach the parsers are UTF-8.
pub fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}
