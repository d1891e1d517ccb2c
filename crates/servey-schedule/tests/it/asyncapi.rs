//! The AsyncAPI document: checked against the official AsyncAPI 2.6.0 JSON Schema (and the WebSockets
//! binding schema) with Python's jsonschema, and served identically at `/asyncapi.json`.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::common::{app_configured, app_with, serve};

fn python() -> PathBuf {
    if let Some(python) = std::env::var_os("SERVEY_TEST_PYTHON") {
        return python.into();
    }
    let fallback =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/servey-tools/venv/bin/python");
    assert!(
        fallback.exists(),
        "no Python with jsonschema: run `cargo xtask setup` (or set SERVEY_TEST_PYTHON)"
    );
    fallback
}

#[test]
fn asyncapi_document_is_valid_against_the_official_schema() {
    let document = servey_schedule::asyncapi_json(&app_with(vec![])).expect("the document builds");
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/asyncapi/validate.py");
    let mut child = Command::new(python())
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(document.as_bytes())
        .expect("writes the document");
    let output = child.wait_with_output().expect("python finishes");
    assert!(
        output.status.success(),
        "the AsyncAPI document is invalid:\n{}{}\n{document}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn asyncapi_document_describes_channels_and_protocol() {
    let document = servey_schedule::asyncapi(&app_with(vec![])).expect("the document builds");
    let chat = &document["channels"]["/subscription/test_chat/{subscriber_id}"];
    assert_eq!(
        chat["subscribe"]["message"],
        json!({"$ref": "#/components/messages/test_chat"})
    );
    assert_eq!(chat["bindings"]["ws"]["method"], "GET");
    assert_eq!(chat["subscribe"].get("security"), None);
    assert_eq!(chat["description"], "Open to everyone.");
    let secret = &document["channels"]["/subscription/test_secret/{subscriber_id}"];
    assert_eq!(
        secret["subscribe"]["security"],
        json!([{"bearer": []}, {"query_token": []}])
    );
    assert_eq!(
        document["components"]["messages"]["test_chat"]["payload"],
        json!({"$ref": "#/components/schemas/Note"})
    );
    assert_eq!(
        document["components"]["schemas"]["Note"]["required"],
        json!(["text"])
    );
    assert_eq!(
        document["components"]["messages"]["Subscribe"]["payload"],
        json!({"$ref": "#/components/schemas/servey-subscribe"})
    );
    let subscribe = &document["components"]["schemas"]["servey-subscribe"];
    assert_eq!(subscribe["properties"]["type"]["const"], "Subscribe");
    let names = subscribe["properties"]["payload"]["anyOf"][0]["enum"]
        .as_array()
        .expect("channel names");
    assert!(names.contains(&json!("test_chat")) && !names.contains(&json!("test_record")));
    let commands = &document["channels"]["/subscription"]["publish"]["message"]["oneOf"];
    assert_eq!(
        commands,
        &json!([{"$ref": "#/components/messages/Subscribe"}, {"$ref": "#/components/messages/Unsubscribe"}])
    );
    assert_eq!(
        document["channels"]["test_flaky_hook"]["bindings"]["http"]["method"],
        "POST"
    );
    let events = &document["channels"]["/subscription"]["subscribe"]["message"]["oneOf"];
    assert!(
        events
            .as_array()
            .expect("one message per websocket channel")
            .contains(&json!({"$ref": "#/components/messages/Event.test_chat"})),
        "{events}"
    );
    assert_eq!(
        document["components"]["messages"]["Event.test_chat"]["payload"],
        json!({"$ref": "#/components/schemas/servey-event-test_chat"})
    );
    assert_eq!(
        document["components"]["schemas"]["servey-event-test_chat"]["properties"],
        json!({
            "type": {"type": "string", "const": "Event"},
            "channel": {"type": "string", "const": "test_chat"},
            "id": {"type": "integer", "format": "int64", "minimum": 0, "description": "The event's id: one more than the channel's previous event's. Resume after it with `since`."},
            "payload": {"$ref": "#/components/schemas/Note"},
        })
    );
    let bids = &document["channels"]["/subscription/test_bids/{subscriber_id}"];
    let query = &bids["bindings"]["ws"]["query"]["properties"];
    assert_eq!(query["auction_id"]["minimum"], 1, "{query}");
    assert_eq!(query["since"]["type"], "integer", "{query}");
    let protocol = &document["channels"]["/subscription"]["subscribe"]["message"]["oneOf"];
    assert_eq!(
        (&protocol[0], &protocol[1]),
        (
            &json!({"$ref": "#/components/messages/Subscribed"}),
            &json!({"$ref": "#/components/messages/Gap"})
        )
    );
    let forms =
        &document["components"]["schemas"]["servey-subscribe"]["properties"]["payload"]["anyOf"];
    assert!(
        forms.as_array().expect("forms").iter().any(|form| {
            form["properties"]["channel"]["const"] == "test_bids"
                && form["properties"]["params"]
                    == json!({"$ref": "#/components/schemas/AuctionParams"})
        }),
        "{forms}"
    );
    assert_eq!(
        document["channels"].get("test_record"),
        None,
        "background channels are internal"
    );
}

#[test]
fn every_message_has_its_id_and_a_named_payload_and_the_security_schemes_are_referenced() {
    let document = servey_schedule::asyncapi(&app_with(vec![])).expect("the document builds");
    let messages = document["components"]["messages"]
        .as_object()
        .expect("messages");
    for (key, message) in messages {
        assert_eq!(message["messageId"], json!(key), "{key}");
        // Named, so that generators need not invent `AnonymousSchema_N`.
        let reference = message["payload"]["$ref"].as_str().expect("a $ref");
        let name = reference
            .strip_prefix("#/components/schemas/")
            .expect("a schema");
        assert!(
            document["components"]["schemas"].get(name).is_some(),
            "{key}"
        );
    }
    let schemes: Vec<&String> = document["components"]["securitySchemes"]
        .as_object()
        .expect("schemes")
        .keys()
        .collect();
    assert_eq!(schemes, ["bearer", "query_token"]);
    assert_eq!(
        document["servers"]["servey"]["security"],
        json!([{"bearer": []}, {"query_token": []}])
    );
    assert_eq!(document["id"], "urn:servey");
    assert_eq!(document["info"].get("license"), None);
    let description = document["info"]["description"].as_str().expect("text");
    assert!(
        description.contains("4404 unknown channel (on connect"),
        "{description}"
    );
}

#[test]
fn contact_and_license_come_from_the_config() {
    let app = app_configured(|key| match key {
        "SERVEY_API_TITLE" => Some("Tour: the API".to_owned()),
        "SERVEY_API_CONTACT" => {
            Some("Tour Team <api@example.com> (https://example.com/tour)".to_owned())
        }
        "SERVEY_API_LICENSE" => Some("MIT OR Apache-2.0".to_owned()),
        _ => None,
    });
    let document = servey_schedule::asyncapi(&app).expect("the document builds");
    assert_eq!(document["id"], "urn:tour-the-api");
    assert_eq!(
        (&document["info"]["contact"], &document["info"]["license"]),
        (
            &json!({"name": "Tour Team", "url": "https://example.com/tour", "email": "api@example.com"}),
            &json!({"name": "MIT OR Apache-2.0"})
        )
    );
}

#[tokio::test]
async fn asyncapi_json_is_served() {
    let app = app_with(vec![]);
    let address = serve(&app).await;
    let response = reqwest::get(format!("http://{address}/asyncapi.json"))
        .await
        .expect("answers");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let served: Value = response.json().await.expect("json");
    assert_eq!(
        served,
        servey_schedule::asyncapi(&app).expect("the document builds")
    );
}
