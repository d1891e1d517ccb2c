//! The AsyncAPI document: checked against the official AsyncAPI 2.6.0 JSON Schema (and the WebSockets
//! binding schema) with Python's jsonschema, and served identically at `/asyncapi.json`.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::common::{app_with, serve};

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
    let subscribe = &document["components"]["messages"]["Subscribe"]["payload"];
    assert_eq!(subscribe["properties"]["type"]["const"], "Subscribe");
    let names = subscribe["properties"]["payload"]["enum"]
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
    assert_eq!(
        document["channels"].get("test_record"),
        None,
        "background channels are internal"
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
