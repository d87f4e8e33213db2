//! The REST API end to end: a real server on an ephemeral port, a real HTTP
//! client, a fresh SQLite store per test.

mod rest_support;

use std::collections::HashSet;
use std::sync::Arc;

use reqwest::header::{ETAG, IF_NONE_MATCH};
use reqwest::{Method, StatusCode};
use rest_support::{order_body, seqs, strings, Reply, TestServer};
use serde_json::{json, Value};

#[tokio::test]
async fn health_openapi_and_fallbacks() {
    let server = TestServer::start().await;

    let health = server.get("/v1/health").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.body, json!({"status": "ok"}));

    let doc = server.get("/v1/openapi.json").await;
    assert_eq!(doc.status, StatusCode::OK);
    assert!(
        doc.body["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "openapi version: {}",
        doc.body["openapi"]
    );
    let paths = doc.body["paths"].as_object().expect("paths");
    for path in [
        "/v1/orders",
        "/v1/orders/{id}",
        "/v1/orders/{id}/events",
        "/v1/orders/{id}/actions/cancel",
        "/v1/orders/{id}/actions/change_instructions",
        "/v1/feed",
    ] {
        assert!(paths.contains_key(path), "openapi lacks {path}");
    }

    server.get("/v1/nope").await.assert_error(404, "not_found");
    server
        .get("/nowhere/at/all")
        .await
        .assert_error(404, "not_found");
    let delete = TestServer::send(server.request(Method::DELETE, "/v1/orders")).await;
    delete.assert_error(405, "method_not_allowed");
}

/// The parameter `name` of `method path` in the served OpenAPI document.
fn doc_param<'a>(doc: &'a Value, method: &str, path: &str, name: &str) -> &'a Value {
    doc["paths"][path][method]["parameters"]
        .as_array()
        .unwrap_or_else(|| panic!("{method} {path} has no parameters"))
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{method} {path} has no parameter {name}"))
}

/// The documented limits and errors are the ones the server applies: each
/// `limit` maximum is accepted and one more is refused, and so on.
#[tokio::test]
async fn openapi_states_the_limits_the_server_applies() {
    let server = TestServer::start().await;
    server.create("DOC-1").await;
    let doc = server.get("/v1/openapi.json").await.body;

    for (path, max) in [
        ("/v1/orders", 100),
        ("/v1/feed", 1000),
        ("/v1/orders/{id}/events", 1000),
        ("/v1/orders/{id}/chat", 500),
    ] {
        let limit = &doc_param(&doc, "get", path, "limit")["schema"];
        assert_eq!(limit["minimum"], 1, "{path} limit: {limit}");
        assert_eq!(limit["maximum"], max, "{path} limit: {limit}");
        let url = path.replace("{id}", "DOC-1");
        let at_max = server.get(&format!("{url}?limit={max}")).await;
        assert_eq!(at_max.status, StatusCode::OK, "{url}: {}", at_max.body);
        for refused in [0, max + 1] {
            server
                .get(&format!("{url}?limit={refused}"))
                .await
                .assert_error(400, "invalid_query");
        }
    }

    // `since` is a u64: the whole range, not int64's.
    let since = &doc_param(&doc, "get", "/v1/feed", "since")["schema"];
    assert_eq!(since["minimum"], 0, "since: {since}");
    assert_eq!(since["maximum"].as_u64(), Some(u64::MAX), "since: {since}");
    let huge = server.get(&format!("/v1/feed?since={}", u64::MAX)).await;
    assert_eq!(huge.status, StatusCode::OK, "body: {}", huge.body);

    let id = &doc_param(&doc, "get", "/v1/orders/{id}/events", "id")["schema"];
    assert_eq!(id["pattern"], "^[A-Za-z0-9._-]+$", "id: {id}");
    assert_eq!(id["maxLength"], 64, "id: {id}");
    let longest = "x".repeat(64);
    server
        .get(&format!("/v1/orders/{longest}"))
        .await
        .assert_error(404, "order_not_found");
    server
        .get(&format!("/v1/orders/{longest}x"))
        .await
        .assert_error(400, "invalid_order_id");

    let events = &doc["paths"]["/v1/orders/{id}/events"]["get"]["responses"];
    let bad_request = events["400"]["description"].as_str().unwrap_or_default();
    for code in ["invalid_order_id", "invalid_query"] {
        assert!(
            bad_request.contains(code),
            "400 of GET events: {bad_request}"
        );
    }
    let create = &doc["paths"]["/v1/orders"]["post"]["responses"];
    for status in ["400", "401", "409", "413", "415", "422"] {
        assert!(create[status].is_object(), "POST /v1/orders lacks {status}");
    }
    let key = &doc_param(&doc, "post", "/v1/orders", "Idempotency-Key")["schema"];
    assert_eq!(key["maxLength"], 255, "Idempotency-Key: {key}");

    let text = &doc["components"]["schemas"]["ChatInput"]["properties"]["text"];
    assert_eq!(text["minLength"], 1, "chat text: {text}");
    assert_eq!(text["maxLength"], 2000, "chat text: {text}");
}

#[tokio::test]
async fn create_order_answers_the_snapshot_with_location_and_etag() {
    let server = TestServer::start().await;

    let reply = server
        .post(
            "/v1/orders",
            &json!({
                "id": "ZX-1001",
                "customer": {"id": "cust-42", "name": "Ada", "phone": "+15550100"},
                "items": [{"name": "Margherita", "quantity": 2}],
                "address": "1 Main St",
                "courier": "courier-7",
                "instructions": "ring twice",
                "eta": "2030-01-01T12:00:00Z",
            }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "body: {}", reply.body);
    assert_eq!(reply.header("location"), Some("/v1/orders/ZX-1001"));
    let etag = reply.header("etag").expect("ETag").to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "etag {etag}");
    let order = &reply.body;
    assert_eq!(order["id"], "ZX-1001");
    assert_eq!(order["customer"]["id"], "cust-42");
    assert_eq!(order["customer"]["name"], "Ada");
    assert_eq!(order["customer"]["phone"], "+15550100");
    assert_eq!(order["courier"]["id"], "courier-7");
    assert_eq!(order["status"], "placed");
    assert_eq!(order["instructions"], "ring twice");
    assert_eq!(order["items"][0]["quantity"], 2);
    assert_eq!(order["address"], "1 Main St");
    assert!(order["eta"]
        .as_str()
        .is_some_and(|eta| eta.starts_with("2030-01-01T12:00:00")));
    assert!(order["location"].is_null());
    assert_eq!(order["seq"], 1);
    assert!(order["epoch"].as_str().is_some_and(|e| !e.is_empty()));
    assert_eq!(order["final"], false);
    assert!(order["updatedAt"].is_string());
    assert!(order["createdAt"].is_string());

    // The snapshot read back is the same, with the same ETag.
    let read = server.get("/v1/orders/ZX-1001").await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.header("etag"), Some(etag.as_str()));
    assert_eq!(read.body, reply.body);

    // Without an id the server makes one; a bare customer string is an id.
    let mut body = order_body("unused");
    body.as_object_mut().expect("object").remove("id");
    let made = server.post("/v1/orders", &body).await;
    assert_eq!(made.status, StatusCode::CREATED, "body: {}", made.body);
    let id = made.body["id"].as_str().expect("id");
    assert!(id.starts_with("TW-"), "generated id {id}");
    assert_eq!(
        made.header("location"),
        Some(format!("/v1/orders/{id}").as_str())
    );
    assert_eq!(made.body["customer"]["id"], "cust-1");
    assert_eq!(made.body["items"][1]["quantity"], 1);
    assert_eq!(
        server.get(&format!("/v1/orders/{id}")).await.status,
        StatusCode::OK
    );

    // The same id again is a conflict.
    let duplicate = server.post("/v1/orders", &order_body("ZX-1001")).await;
    duplicate.assert_error(409, "order_exists");
}

#[tokio::test]
async fn create_order_rejects_bad_bodies() {
    let server = TestServer::start().await;

    let mut no_items = order_body("A-1");
    no_items["items"] = json!([]);
    let reply = server.post("/v1/orders", &no_items).await;
    reply.assert_error(422, "validation_failed");
    assert!(reply.has_field("items", "required"), "{:?}", reply.fields());

    let mut no_address = order_body("A-2");
    no_address
        .as_object_mut()
        .expect("object")
        .remove("address");
    let reply = server.post("/v1/orders", &no_address).await;
    reply.assert_error(422, "validation_failed");
    assert!(
        reply.has_field("address", "required"),
        "{:?}",
        reply.fields()
    );

    let mut blank_address = order_body("A-3");
    blank_address["address"] = json!("   ");
    let reply = server.post("/v1/orders", &blank_address).await;
    reply.assert_error(422, "validation_failed");
    assert!(
        reply.has_field("address", "required"),
        "{:?}",
        reply.fields()
    );

    let reply = server.post("/v1/orders", &order_body("bad id!")).await;
    reply.assert_error(422, "validation_failed");
    assert!(reply.has_field("id", "invalid_id"), "{:?}", reply.fields());
    for (field, _) in reply.fields() {
        assert!(!field.is_empty());
    }

    let reply = server
        .post_raw(
            "/v1/orders",
            Some("application/json"),
            b"{\"id\": ".to_vec(),
        )
        .await;
    reply.assert_error(400, "malformed_json");

    let body = serde_json::to_vec(&order_body("A-4")).expect("json");
    let reply = server
        .post_raw("/v1/orders", Some("text/plain"), body.clone())
        .await;
    reply.assert_error(415, "unsupported_media_type");
    let reply = server.post_raw("/v1/orders", None, body).await;
    reply.assert_error(415, "unsupported_media_type");

    let mut huge = order_body("A-5");
    huge["instructions"] = json!("x".repeat(70 * 1024));
    let reply = server
        .post_raw(
            "/v1/orders",
            Some("application/json"),
            serde_json::to_vec(&huge).expect("json"),
        )
        .await;
    reply.assert_error(413, "payload_too_large");

    // None of these created anything.
    let list = server.get("/v1/orders").await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.body["items"], json!([]));
}

#[tokio::test]
async fn create_order_with_idempotency_key_replays() {
    let server = TestServer::start().await;
    let mut body = order_body("unused");
    body.as_object_mut().expect("object").remove("id");

    let first = server.post_with_key("/v1/orders", "create-1", &body).await;
    assert_eq!(first.status, StatusCode::CREATED, "body: {}", first.body);
    assert_eq!(first.header("idempotent-replayed"), None);

    let again = server.post_with_key("/v1/orders", "create-1", &body).await;
    assert_eq!(again.status, StatusCode::CREATED, "body: {}", again.body);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body["id"], first.body["id"]);
    assert_eq!(again.header("location"), first.header("location"));

    let list = server.get("/v1/orders").await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1));

    // The same key with another body is refused.
    let mut other = body.clone();
    other["address"] = json!("2 Other St");
    let reused = server.post_with_key("/v1/orders", "create-1", &other).await;
    reused.assert_error(422, "idempotency_key_reused");
}

#[tokio::test]
async fn snapshot_etag_and_not_modified() {
    let server = TestServer::start().await;
    server.create("E-1").await;

    let first = server.get("/v1/orders/E-1").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.body["id"], "E-1");
    let etag = first.header("etag").expect("ETag").to_owned();

    let cached = TestServer::send(
        server
            .request(Method::GET, "/v1/orders/E-1")
            .header(IF_NONE_MATCH, &etag),
    )
    .await;
    assert_eq!(cached.status, StatusCode::NOT_MODIFIED);
    assert_eq!(cached.body, Value::Null);
    assert_eq!(cached.header("etag"), Some(etag.as_str()));

    server.set_status("E-1", "confirmed").await;
    let changed = TestServer::send(
        server
            .request(Method::GET, "/v1/orders/E-1")
            .header(IF_NONE_MATCH, &etag),
    )
    .await;
    assert_eq!(changed.status, StatusCode::OK);
    assert_eq!(changed.body["status"], "confirmed");
    assert_eq!(changed.body["seq"], 2);
    let new_etag = changed.headers.get(ETAG).expect("ETag");
    assert_ne!(new_etag.to_str().ok(), Some(etag.as_str()));

    server
        .get("/v1/orders/NOPE-1")
        .await
        .assert_error(404, "order_not_found");
    server
        .get("/v1/orders/bad%20id")
        .await
        .assert_error(400, "invalid_order_id");
}

#[tokio::test]
async fn list_orders_filters_and_pages() {
    let server = TestServer::start().await;
    let ids: Vec<String> = (1..=7).map(|i| format!("L-{i}")).collect();
    for (i, id) in ids.iter().enumerate() {
        let customer = if i % 2 == 0 { "alice" } else { "bob" };
        let courier = (i < 3).then_some("c-9");
        server.create_for(id, customer, courier).await;
    }
    server.set_status("L-2", "confirmed").await;
    server.set_status("L-5", "confirmed").await;

    // Newest first, all of them on one page.
    let all = server.get("/v1/orders").await;
    assert_eq!(all.status, StatusCode::OK);
    let listed: Vec<&str> = all.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|o| o["id"].as_str().expect("id"))
        .collect();
    let newest_first: Vec<&str> = ids.iter().rev().map(String::as_str).collect();
    assert_eq!(listed, newest_first);
    assert!(all.body.get("next").is_none(), "body: {}", all.body);

    // Walking pages visits every order once, in the same order.
    let mut seen = Vec::new();
    let mut path = "/v1/orders?limit=3".to_owned();
    let mut pages = 0;
    loop {
        let page = server.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "body: {}", page.body);
        let items = page.body["items"].as_array().expect("items");
        assert!(items.len() <= 3);
        seen.extend(
            items
                .iter()
                .map(|o| o["id"].as_str().expect("id").to_owned()),
        );
        pages += 1;
        match page.body.get("next").and_then(Value::as_str) {
            Some(next) => path = format!("/v1/orders?limit=3&cursor={next}"),
            None => break,
        }
        assert!(pages < 10, "paging does not end");
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, newest_first);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 7);

    let ids_of = |reply: &Reply| -> Vec<String> {
        reply.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|o| o["id"].as_str().expect("id").to_owned())
            .collect()
    };
    let confirmed = server.get("/v1/orders?status=confirmed").await;
    assert_eq!(ids_of(&confirmed), ["L-5", "L-2"]);
    let placed = server.get("/v1/orders?status=placed").await;
    assert_eq!(ids_of(&placed), ["L-7", "L-6", "L-4", "L-3", "L-1"]);
    let alice = server.get("/v1/orders?customer=alice").await;
    assert_eq!(ids_of(&alice), ["L-7", "L-5", "L-3", "L-1"]);
    let courier = server.get("/v1/orders?courier=c-9").await;
    assert_eq!(ids_of(&courier), ["L-3", "L-2", "L-1"]);
    let both = server.get("/v1/orders?customer=bob&status=confirmed").await;
    assert_eq!(ids_of(&both), ["L-2"]);
    let none = server.get("/v1/orders?customer=nobody").await;
    assert_eq!(ids_of(&none), Vec::<String>::new());

    for bad in [
        "/v1/orders?status=teleported",
        "/v1/orders?limit=0",
        "/v1/orders?limit=101",
        "/v1/orders?limit=ten",
    ] {
        let reply = server.get(bad).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{bad}: {}",
            reply.body
        );
        assert_eq!(reply.code(), "invalid_query", "{bad}");
    }
    let max = server.get("/v1/orders?limit=100").await;
    assert_eq!(max.status, StatusCode::OK);
}

#[tokio::test]
async fn record_durable_events() {
    let server = TestServer::start().await;
    server.create("D-1").await;

    let reply = server
        .event(
            "D-1",
            json!({"type": "status_changed", "status": "confirmed", "reason": "kitchen ok"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "body: {}", reply.body);
    let event = &reply.body["event"];
    assert!(event["id"].as_str().is_some_and(|id| !id.is_empty()));
    assert_eq!(event["type"], "status_changed");
    assert_eq!(event["topic"], "order:D-1");
    assert_eq!(event["seq"], 2);
    assert_eq!(event["epoch"], reply.body["order"]["epoch"]);
    assert_eq!(event["offset"], 2);
    assert!(event["occurredAt"].is_string());
    assert_eq!(event["version"], 1);
    assert_eq!(
        event["payload"],
        json!({"status": "confirmed", "reason": "kitchen ok"})
    );
    assert_eq!(reply.body["order"]["status"], "confirmed");
    assert_eq!(reply.body["order"]["seq"], 2);

    let cases = [
        json!({"type": "eta_changed", "eta": "2030-05-01T10:30:00Z"}),
        json!({"type": "delayed", "reason": "traffic", "eta": "2030-05-01T11:00:00Z"}),
        json!({"type": "courier_assigned", "courier": {"id": "courier-3", "name": "Bo"}}),
        json!({"type": "instructions_changed", "text": "leave at the door"}),
        json!({"type": "status_changed", "status": "shipped"}),
        json!({"type": "delivery_failed", "reason": "nobody home"}),
    ];
    for (i, body) in cases.iter().enumerate() {
        let reply = server.event("D-1", body.clone()).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{body}: {}", reply.body);
        assert_eq!(reply.body["event"]["type"], body["type"]);
        assert_eq!(reply.body["event"]["seq"], 3 + i as u64);
        assert_eq!(reply.body["order"]["seq"], 3 + i as u64);
    }

    let order = server.get("/v1/orders/D-1").await.body;
    assert_eq!(order["seq"], 8);
    assert_eq!(order["status"], "shipped");
    assert!(order["eta"]
        .as_str()
        .is_some_and(|eta| eta.starts_with("2030-05-01T11:00:00")));
    assert_eq!(order["courier"]["id"], "courier-3");
    assert_eq!(order["courier"]["name"], "Bo");
    assert_eq!(order["instructions"], "leave at the door");
    assert_eq!(order["lastFailure"], "nobody home");

    // A chat message goes to the order's chat topic, not the order's.
    let chat = server
        .event(
            "D-1",
            json!({"type": "chat_message", "text": "hi", "clientMessageId": "m-1"}),
        )
        .await;
    assert_eq!(chat.status, StatusCode::CREATED, "body: {}", chat.body);
    assert_eq!(chat.body["event"]["type"], "chat_message");
    assert_eq!(chat.body["event"]["topic"], "chat:D-1");
    assert_eq!(chat.body["event"]["seq"], 1);
    assert_eq!(
        chat.body["event"]["payload"],
        json!({"text": "hi", "clientMessageId": "m-1", "from": {"subject": "dev", "role": "admin"}})
    );
    assert_eq!(server.get("/v1/orders/D-1").await.body["seq"], 8);
}

/// REST runs as the development identity, an admin: the staff audience
/// sees internal notes and the courier's phone (docs/security.md); the
/// snapshot is a private, per-audience representation.
#[tokio::test]
async fn staff_see_internal_notes_and_courier_phones() {
    let server = TestServer::start().await;
    let mut body = order_body("N-1");
    body["courier"] = json!({"id": "courier-1", "phone": "+49 30 1234567"});
    body["internalNote"] = json!("fragile");
    let created = server.post("/v1/orders", &body).await;
    assert_eq!(
        created.status,
        StatusCode::CREATED,
        "body: {}",
        created.body
    );
    assert_eq!(created.body["internalNote"], "fragile");
    assert_eq!(created.body["courier"]["phone"], "+49 30 1234567");

    let reply = server
        .event(
            "N-1",
            json!({"type": "delayed", "reason": "rain", "internalNote": "call the shop"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "body: {}", reply.body);
    assert_eq!(
        reply.body["event"]["payload"]["internalNote"],
        "call the shop"
    );
    assert_eq!(reply.body["order"]["internalNote"], "call the shop");

    let history = server.get("/v1/orders/N-1/events").await.body;
    assert_eq!(history["events"][0]["payload"]["internalNote"], "fragile");
    assert_eq!(
        history["events"][1]["payload"]["internalNote"],
        "call the shop"
    );
    let snapshot = server.get("/v1/orders/N-1").await;
    assert_eq!(snapshot.body["internalNote"], "call the shop");
    assert_eq!(snapshot.header("cache-control"), Some("private, no-cache"));
    let etag = snapshot.header("etag").expect("ETag");
    assert!(
        etag.ends_with(".staff\""),
        "the audience is in the tag: {etag}"
    );

    let long = "x".repeat(501);
    let refused = server
        .event(
            "N-1",
            json!({"type": "status_changed", "status": "confirmed", "internalNote": long}),
        )
        .await;
    refused.assert_error(422, "validation_failed");
    assert!(refused.has_field("internalNote", "too_long"));
}

#[tokio::test]
async fn location_signals_are_latest_wins() {
    let server = TestServer::start().await;
    server.create("G-1").await;
    let before = server.get("/v1/orders/G-1").await;
    let etag = before.header("etag").expect("ETag").to_owned();

    let reply = server
        .event(
            "G-1",
            json!({"type": "location", "lat": 52.52, "lng": 13.405, "heading": 90.0, "ts": 2000}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "body: {}", reply.body);
    assert_eq!(reply.body, json!({"taken": true}));

    let older = server
        .event(
            "G-1",
            json!({"type": "location", "lat": 1.0, "lng": 1.0, "ts": 1000}),
        )
        .await;
    assert_eq!(older.status, StatusCode::ACCEPTED, "body: {}", older.body);
    assert_eq!(older.body, json!({"taken": false}));

    let after = server.get("/v1/orders/G-1").await;
    let location = &after.body["location"];
    assert_eq!(location["lat"], 52.52);
    assert_eq!(location["lng"], 13.405);
    assert_eq!(location["heading"], 90.0);
    assert_eq!(location["ts"], 2000);
    // A signal is not an event: seq stays, but the ETag moves.
    assert_eq!(after.body["seq"], 1);
    assert_ne!(after.header("etag"), Some(etag.as_str()));
    let history = server.get("/v1/orders/G-1/events").await;
    assert_eq!(history.body["seq"], 1);

    let bad = server
        .event(
            "G-1",
            json!({"type": "location", "lat": 91.0, "lng": 0.0, "ts": 3000}),
        )
        .await;
    bad.assert_error(422, "validation_failed");
    assert!(bad.has_field("lat", "out_of_range"), "{:?}", bad.fields());
}

#[tokio::test]
async fn status_machine_over_http() {
    let server = TestServer::start().await;
    server.create("S-1").await;

    // Skipping forward is allowed.
    let shipped = server.set_status("S-1", "shipped").await;
    assert_eq!(shipped["order"]["status"], "shipped");

    // Backwards is not, and the answer lists what is allowed.
    let back = server
        .event(
            "S-1",
            json!({"type": "status_changed", "status": "confirmed"}),
        )
        .await;
    back.assert_error(409, "invalid_transition");
    assert_eq!(
        strings(&back.body["error"]["details"]["allowed"]),
        ["out_for_delivery", "delivered", "returned"]
    );
    let cancel = server
        .event(
            "S-1",
            json!({"type": "status_changed", "status": "cancelled"}),
        )
        .await;
    cancel.assert_error(409, "invalid_transition");

    // Returned only once shipped: not from placed.
    server.create("S-2").await;
    let returned = server
        .event(
            "S-2",
            json!({"type": "status_changed", "status": "returned"}),
        )
        .await;
    returned.assert_error(409, "invalid_transition");
    assert_eq!(
        strings(&returned.body["error"]["details"]["allowed"]),
        [
            "confirmed",
            "preparing",
            "shipped",
            "out_for_delivery",
            "delivered",
            "cancelled"
        ]
    );
    // delivery_failed needs the order in transit.
    let failed = server
        .event("S-2", json!({"type": "delivery_failed", "reason": "x"}))
        .await;
    failed.assert_error(409, "not_allowed_in_status");

    // The whole path, then nothing more.
    server.set_status("S-1", "out_for_delivery").await;
    let delivered = server.set_status("S-1", "delivered").await;
    assert_eq!(delivered["order"]["final"], true);
    for body in [
        json!({"type": "status_changed", "status": "returned"}),
        json!({"type": "instructions_changed", "text": "too late"}),
        json!({"type": "delayed", "reason": "late"}),
    ] {
        let reply = server.event("S-1", body.clone()).await;
        reply.assert_error(409, "order_final");
    }

    // returned from out_for_delivery ends the order too.
    server.create("S-3").await;
    server.set_status("S-3", "out_for_delivery").await;
    let returned = server.set_status("S-3", "returned").await;
    assert_eq!(returned["order"]["status"], "returned");
    assert_eq!(returned["order"]["final"], true);
    let after = server
        .event(
            "S-3",
            json!({"type": "status_changed", "status": "delivered"}),
        )
        .await;
    after.assert_error(409, "order_final");

    // Nothing refused was stored.
    let history = server.get("/v1/orders/S-1/events").await;
    assert_eq!(seqs(&history.body["events"]), [1, 2, 3, 4]);
}

#[tokio::test]
async fn record_event_rejects_bad_input() {
    let server = TestServer::start().await;
    server.create("V-1").await;

    let reply = server.event("V-1", json!({"type": "teleport"})).await;
    reply.assert_error(422, "unknown_event_type");
    assert!(reply.has_field("type", "unknown_event_type"));

    let reply = server.event("V-1", json!({"type": "order_created"})).await;
    reply.assert_error(422, "unknown_event_type");

    let reply = server.event("V-1", json!({"status": "confirmed"})).await;
    reply.assert_error(422, "validation_failed");
    assert!(reply.has_field("type", "required"), "{:?}", reply.fields());

    let reply = server.event("V-1", json!({"type": "status_changed"})).await;
    reply.assert_error(422, "validation_failed");
    assert!(
        reply.has_field("status", "required"),
        "{:?}",
        reply.fields()
    );

    let reply = server
        .event(
            "V-1",
            json!({"type": "status_changed", "status": "teleported"}),
        )
        .await;
    reply.assert_error(422, "validation_failed");
    assert!(
        reply.has_field("status", "unknown_value"),
        "{:?}",
        reply.fields()
    );
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("teleported")),
        "body: {}",
        reply.body
    );

    let reply = server
        .event("V-1", json!({"type": "eta_changed", "eta": "tomorrow"}))
        .await;
    reply.assert_error(422, "validation_failed");
    assert!(
        reply.has_field("eta", "invalid_type"),
        "{:?}",
        reply.fields()
    );

    let reply = server
        .event("V-1", json!({"type": "delayed", "reason": ""}))
        .await;
    reply.assert_error(422, "validation_failed");
    assert!(
        reply.has_field("reason", "required"),
        "{:?}",
        reply.fields()
    );

    let reply = server
        .event(
            "NOPE-9",
            json!({"type": "status_changed", "status": "confirmed"}),
        )
        .await;
    reply.assert_error(404, "order_not_found");

    let reply = server
        .post_raw(
            "/v1/orders/V-1/events",
            Some("application/json"),
            b"{".to_vec(),
        )
        .await;
    reply.assert_error(400, "malformed_json");

    let reply = server
        .post_raw(
            "/v1/orders/V-1/events",
            Some("text/plain"),
            br#"{"type":"status_changed","status":"confirmed"}"#.to_vec(),
        )
        .await;
    reply.assert_error(415, "unsupported_media_type");

    // Nothing was recorded.
    assert_eq!(server.get("/v1/orders/V-1").await.body["seq"], 1);
}

#[tokio::test]
async fn events_since_with_epoch_and_limit() {
    let server = TestServer::start().await;
    let order = server.create("H-1").await;
    let epoch = order["epoch"].as_str().expect("epoch").to_owned();
    server.set_status("H-1", "confirmed").await;
    server.set_status("H-1", "preparing").await;
    server
        .event(
            "H-1",
            json!({"type": "instructions_changed", "text": "gate 4"}),
        )
        .await;

    let all = server.get("/v1/orders/H-1/events").await;
    assert_eq!(all.status, StatusCode::OK, "body: {}", all.body);
    assert_eq!(seqs(&all.body["events"]), [1, 2, 3, 4]);
    assert_eq!(all.body["seq"], 4);
    assert_eq!(all.body["epoch"], epoch.as_str());
    let first = &all.body["events"][0];
    assert_eq!(first["type"], "order_created");
    assert_eq!(first["topic"], "order:H-1");
    assert_eq!(first["epoch"], epoch.as_str());
    assert_eq!(first["payload"]["address"], "1 Main St");

    let since = server
        .get(&format!("/v1/orders/H-1/events?since=2&epoch={epoch}"))
        .await;
    assert_eq!(since.status, StatusCode::OK, "body: {}", since.body);
    assert_eq!(seqs(&since.body["events"]), [3, 4]);
    assert_eq!(since.body["events"][0]["payload"]["status"], "preparing");
    assert_eq!(since.body["seq"], 4);

    let limited = server.get("/v1/orders/H-1/events?since=1&limit=2").await;
    assert_eq!(seqs(&limited.body["events"]), [2, 3]);
    assert_eq!(limited.body["seq"], 4);

    let caught_up = server.get("/v1/orders/H-1/events?since=4").await;
    assert_eq!(caught_up.body["events"], json!([]));
    assert_eq!(caught_up.body["seq"], 4);

    let mismatch = server
        .get("/v1/orders/H-1/events?since=2&epoch=old-epoch")
        .await;
    mismatch.assert_error(409, "epoch_mismatch");
    assert_eq!(mismatch.body["error"]["details"]["epoch"], epoch.as_str());

    server
        .get("/v1/orders/H-1/events?since=abc")
        .await
        .assert_error(400, "invalid_query");
    server
        .get("/v1/orders/H-1/events?limit=0")
        .await
        .assert_error(400, "invalid_query");
    server
        .get("/v1/orders/NOPE-2/events")
        .await
        .assert_error(404, "order_not_found");
    server
        .get("/v1/orders/bad%20id/events")
        .await
        .assert_error(400, "invalid_order_id");
}

#[tokio::test]
async fn actions_cancel_and_change_instructions_are_idempotent() {
    let server = TestServer::start().await;
    server.create("A-1").await;

    let path = "/v1/orders/A-1/actions/change_instructions";
    let body = json!({"text": "call on arrival"});
    let first = server.post_with_key(path, "k1", &body).await;
    assert_eq!(first.status, StatusCode::OK, "body: {}", first.body);
    assert_eq!(first.header("idempotent-replayed"), None);
    assert_eq!(first.body["event"]["type"], "instructions_changed");
    assert_eq!(first.body["event"]["seq"], 2);
    assert_eq!(first.body["order"]["instructions"], "call on arrival");

    let retry = server.post_with_key(path, "k1", &body).await;
    assert_eq!(retry.status, StatusCode::OK, "body: {}", retry.body);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert_eq!(retry.body["event"]["id"], first.body["event"]["id"]);
    assert_eq!(retry.body["event"]["seq"], 2);

    let reused = server
        .post_with_key(path, "k1", &json!({"text": "something else"}))
        .await;
    reused.assert_error(422, "idempotency_key_reused");

    let history = server.get("/v1/orders/A-1/events").await;
    assert_eq!(seqs(&history.body["events"]), [1, 2]);

    // Cancel with a reason, then retry it; then an empty-bodied cancel.
    let cancel_path = "/v1/orders/A-1/actions/cancel";
    let cancel_body = json!({"reason": "changed my mind"});
    let cancelled = server.post_with_key(cancel_path, "k2", &cancel_body).await;
    assert_eq!(cancelled.status, StatusCode::OK, "body: {}", cancelled.body);
    assert_eq!(cancelled.body["event"]["type"], "status_changed");
    assert_eq!(
        cancelled.body["event"]["payload"],
        json!({"status": "cancelled", "reason": "changed my mind"})
    );
    assert_eq!(cancelled.body["order"]["status"], "cancelled");
    assert_eq!(cancelled.body["order"]["final"], true);
    let retried = server.post_with_key(cancel_path, "k2", &cancel_body).await;
    assert_eq!(retried.status, StatusCode::OK, "body: {}", retried.body);
    assert_eq!(retried.header("idempotent-replayed"), Some("true"));
    assert_eq!(retried.body["event"]["id"], cancelled.body["event"]["id"]);
    let history = server.get("/v1/orders/A-1/events").await;
    assert_eq!(seqs(&history.body["events"]), [1, 2, 3]);

    // An action on a final order without a key is refused.
    server
        .post_raw(cancel_path, None, Vec::new())
        .await
        .assert_error(409, "order_final");

    server.create("A-2").await;
    let empty = server
        .post_raw("/v1/orders/A-2/actions/cancel", None, Vec::new())
        .await;
    assert_eq!(empty.status, StatusCode::OK, "body: {}", empty.body);
    assert_eq!(empty.body["order"]["status"], "cancelled");
    assert!(empty.body["event"]["payload"]["reason"].is_string());
}

#[tokio::test]
async fn action_errors() {
    let server = TestServer::start().await;
    server.create("X-1").await;
    server.set_status("X-1", "shipped").await;

    let cancel = server
        .post("/v1/orders/X-1/actions/cancel", &json!({"reason": "late"}))
        .await;
    cancel.assert_error(409, "invalid_transition");
    assert_eq!(
        strings(&cancel.body["error"]["details"]["allowed"]),
        ["out_for_delivery", "delivered", "returned"]
    );

    let refund = server
        .post("/v1/orders/X-1/actions/refund", &json!({}))
        .await;
    refund.assert_error(422, "unknown_action");

    let missing = server
        .post("/v1/orders/X-1/actions/change_instructions", &json!({}))
        .await;
    missing.assert_error(422, "validation_failed");
    assert!(
        missing.has_field("text", "required"),
        "{:?}",
        missing.fields()
    );

    server
        .post("/v1/orders/NOPE-3/actions/cancel", &json!({}))
        .await
        .assert_error(404, "order_not_found");

    let history = server.get("/v1/orders/X-1/events").await;
    assert_eq!(seqs(&history.body["events"]), [1, 2]);
}

#[tokio::test]
async fn feed_lists_durable_order_events_by_offset() {
    let server = TestServer::start().await;
    let empty = server.get("/v1/feed").await;
    assert_eq!(empty.status, StatusCode::OK, "body: {}", empty.body);
    assert_eq!(empty.body, json!({"events": [], "offset": 0}));

    server.create("F-1").await;
    server.create("F-2").await;
    server.set_status("F-1", "confirmed").await;
    let chat = server
        .event(
            "F-2",
            json!({"type": "chat_message", "text": "hello", "clientMessageId": "c-1"}),
        )
        .await;
    assert_eq!(chat.status, StatusCode::CREATED, "body: {}", chat.body);
    server
        .event(
            "F-2",
            json!({"type": "location", "lat": 1.0, "lng": 2.0, "ts": 5}),
        )
        .await;
    server
        .event(
            "F-2",
            json!({"type": "eta_changed", "eta": "2030-01-01T00:00:00Z"}),
        )
        .await;

    let feed = server.get("/v1/feed").await;
    assert_eq!(feed.status, StatusCode::OK, "body: {}", feed.body);
    let events = feed.body["events"].as_array().expect("events");
    let summary: Vec<(u64, &str, &str)> = events
        .iter()
        .map(|e| {
            (
                e["offset"].as_u64().expect("offset"),
                e["type"].as_str().expect("type"),
                e["topic"].as_str().expect("topic"),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (1, "order_created", "order:F-1"),
            (2, "order_created", "order:F-2"),
            (3, "status_changed", "order:F-1"),
            (4, "eta_changed", "order:F-2"),
        ]
    );
    assert_eq!(feed.body["offset"], 4);

    let since = server.get("/v1/feed?since=2&limit=1").await;
    assert_eq!(since.status, StatusCode::OK, "body: {}", since.body);
    assert_eq!(since.body["events"].as_array().map(Vec::len), Some(1));
    assert_eq!(since.body["events"][0]["offset"], 3);
    assert_eq!(since.body["offset"], 4);

    server
        .get("/v1/feed?since=x")
        .await
        .assert_error(400, "invalid_query");
    server
        .get("/v1/feed?limit=0")
        .await
        .assert_error(400, "invalid_query");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_posts_get_distinct_consecutive_seqs() {
    let server = Arc::new(TestServer::start().await);
    server.create("C-1").await;

    let tasks: Vec<_> = (0..32)
        .map(|i| {
            let server = server.clone();
            tokio::spawn(async move {
                server
                    .event(
                        "C-1",
                        json!({"type": "instructions_changed", "text": format!("note {i}")}),
                    )
                    .await
            })
        })
        .collect();
    let mut seen = HashSet::new();
    for task in tasks {
        let reply = task.await.expect("task");
        assert_eq!(reply.status, StatusCode::CREATED, "body: {}", reply.body);
        let seq = reply.body["event"]["seq"].as_u64().expect("seq");
        assert!(seen.insert(seq), "seq {seq} handed out twice");
    }

    let history = server.get("/v1/orders/C-1/events?since=0").await;
    assert_eq!(history.status, StatusCode::OK, "body: {}", history.body);
    assert_eq!(
        seqs(&history.body["events"]),
        (1..=33).collect::<Vec<u64>>()
    );
    assert_eq!(history.body["seq"], 33);
    let ids: HashSet<&str> = history.body["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids.len(), 33);
    assert_eq!(server.get("/v1/orders/C-1").await.body["seq"], 33);
}
