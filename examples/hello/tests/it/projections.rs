//! One schema model, three projections: a property's required-ness, integer width and description read
//! the same in the OpenAPI document, the GraphQL SDL and `--run=list`.

use serde_json::{Value, json};

use crate::cli::hello;

fn stdout(args: &[&str]) -> String {
    let output = hello(args, None);
    assert_eq!(output.status.code(), Some(0), "{args:?}");
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// The `--run=list` line of the named type `name`, as JSON.
fn listed_type(list: &str, name: &str) -> Value {
    let prefix = format!("  type {name}: ");
    let line = list
        .lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("`{name}` is listed: {list}"));
    serde_json::from_str(line).expect("a listed type is JSON")
}

#[test]
fn a_property_reads_the_same_in_openapi_sdl_and_the_list() {
    let openapi: Value = serde_json::from_str(&stdout(&["--run=openapi"])).expect("JSON");
    let sdl = stdout(&["--run=graphql-schema"]);
    let list = stdout(&["--run=list"]);

    let item = &openapi["components"]["schemas"]["Item"];
    let price = &item["properties"]["price_cents"];
    assert_eq!(
        (&price["format"], &price["minimum"], &price["description"]),
        (&json!("int64"), &json!(0), &json!("Its price in cents."))
    );
    assert!(
        item["required"]
            .as_array()
            .expect("required")
            .contains(&json!("price_cents"))
    );

    assert!(
        sdl.contains("\t\"\"\"\n\tIts price in cents.\n\t\"\"\"\n\tpriceCents: BigInt!\n"),
        "{sdl}"
    );

    let listed = listed_type(&list, "Item");
    let price = listed["properties"]
        .as_array()
        .and_then(|properties| properties.iter().find(|p| p["name"] == "price_cents"))
        .expect("price_cents is listed");
    assert_eq!(
        price,
        &json!({"name": "price_cents", "required": true, "schema": {
            "type": "integer", "bits": 64, "signed": false, "minimum": 0.0,
            "maximum": i64::MAX as f64, "description": "Its price in cents."}})
    );
}

#[test]
fn an_optional_input_reads_optional_in_every_projection() {
    let openapi: Value = serde_json::from_str(&stdout(&["--run=openapi"])).expect("JSON");
    let sdl = stdout(&["--run=graphql-schema"]);
    let list = stdout(&["--run=list"]);

    let body = &openapi["paths"]["/actions/store-message"]["post"]["requestBody"]["content"]["application/json"]
        ["schema"];
    assert_eq!(body["$ref"], "#/components/schemas/StoreMessageInput");
    let body = &openapi["components"]["schemas"]["StoreMessageInput"];
    let required = body["required"].as_array().expect("required");
    assert!(
        required.contains(&json!("message")) && !required.contains(&json!("id")),
        "{body}"
    );

    assert!(
        sdl.contains("storeMessage(message: MessageInput!, id: BigInt): StoredMessage"),
        "{sdl}"
    );

    let input = list
        .lines()
        .skip_while(|line| *line != "store_message")
        .find_map(|line| line.strip_prefix("  input:    "))
        .expect("store_message's input is listed");
    let input: Value = serde_json::from_str(input).expect("JSON");
    assert_eq!(
        input["properties"][1],
        json!({"name": "id", "required": false, "schema": {
            "type": "integer", "bits": 64, "signed": false, "minimum": 0.0,
            "maximum": i64::MAX as f64, "nullable": true}})
    );
}
