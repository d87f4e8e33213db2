//! `docs/codes.json` is the machine-readable catalogue of every stable
//! code (`trackwire_domain::Code`) and WebSocket close code: the browser
//! SDK's own constants are checked against it (clients/js/test/unit/
//! codes.test.js), so neither side can drift. This test keeps the file
//! equal to the code; `TRACKWIRE_WRITE_CODES=1 cargo test -p
//! trackwire-gateway --test codes_catalogue` rewrites it.

use serde_json::{json, Value};
use trackwire_domain::Code;
use trackwire_gateway::protocol::CloseCode;

fn catalogue() -> Value {
    json!({
        "comment": "Generated from trackwire_domain::Code and trackwire_gateway::protocol::CloseCode by crates/gateway/tests/codes_catalogue.rs; do not edit by hand.",
        "codes": Code::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        "close": CloseCode::ALL
            .iter()
            .map(|c| json!({"code": c.code(), "reason": c.reason().as_str()}))
            .collect::<Vec<_>>(),
    })
}

#[test]
fn docs_codes_json_is_the_catalogue() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/codes.json");
    let want = serde_json::to_string_pretty(&catalogue()).expect("json") + "\n";
    if std::env::var_os("TRACKWIRE_WRITE_CODES").is_some() {
        std::fs::write(path, &want).expect("write docs/codes.json");
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "docs/codes.json is stale: run TRACKWIRE_WRITE_CODES=1 cargo test -p trackwire-gateway --test codes_catalogue"
    );
}

#[test]
fn every_close_reason_is_a_code() {
    for close in CloseCode::ALL {
        assert!(Code::ALL.contains(&close.reason()), "{close:?}");
    }
}
