//! What third-party client generators read and send (issue 15): run-time actions with free-form input,
//! integers every client can hold, whole floats for integers, optional credentials declared, request
//! bodies as named components, and `/login` as an RFC 6749 token endpoint.

use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use servey::Authorization;

use super::{bearer, client, get, get_with_token, json_body, post, problem_body, send, token};
use crate::server::{PASSWORD, TestServer, start};

async fn document(server: &TestServer) -> Value {
    json_body(get(server, "/openapi.json").await, StatusCode::OK).await
}

#[tokio::test]
async fn a_free_form_get_is_one_exploded_object_not_named_params() {
    let server = start().await;
    let document = document(&server).await;
    let parameters = &document["paths"]["/actions/generated-1"]["get"]["parameters"];
    assert_eq!(
        parameters,
        &json!([{
            "name": "input", "in": "query", "required": false,
            "description": "Any keys and values: each becomes one input field.",
            "schema": {"type": "object", "additionalProperties": true},
            "example": {"a": 1}, "style": "form", "explode": true
        }])
    );
    // `style: form` + `explode` puts the object's own keys in the query: what generators send.
    let response = get(&server, "/actions/generated-1?a=1&b=x").await;
    assert_eq!(
        json_body(response, StatusCode::OK).await,
        json!({"generated": 1, "input": {"a": 1, "b": "x"}})
    );
}

#[tokio::test]
async fn unsigned_integers_are_documented_in_a_format_that_holds_them() {
    let server = start().await;
    let document = document(&server).await;
    let item = &document["components"]["schemas"]["Item"]["properties"];
    assert_eq!(
        item["id"],
        json!({"type": "integer", "format": "int64", "description": "Its id, from the path.",
               "minimum": 0, "maximum": 4294967295_u32})
    );
    assert_eq!(
        item["price_cents"],
        json!({"type": "integer", "format": "int64", "description": "Its price in cents.",
               "minimum": 0, "maximum": i64::MAX})
    );
}

#[tokio::test]
async fn integers_beyond_the_documented_range_are_422_on_every_transport() {
    let server = start().await;
    let response = get(&server, "/actions/number-stats?value=9223372036854775808").await;
    assert_eq!(
        problem_body(response, StatusCode::UNPROCESSABLE_ENTITY).await["errors"],
        json!([{"path": "value", "code": "range",
                "message": "must be an integer from 0 to 9223372036854775807"}])
    );
    let body = r#"{"message": {"sender": "a", "text": "b"}, "id": 18446744073709551615}"#;
    let response = post(&server, "/actions/store-message", body).await;
    assert_eq!(
        problem_body(response, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["path"],
        "id"
    );
    let response = post(
        &server,
        "/graphql",
        r#"{"query": "{ numberStats(value: 9223372036854775808) { value } }"}"#,
    )
    .await;
    let answer: Value = response.json().await.expect("JSON");
    assert_eq!(answer["data"]["numberStats"], Value::Null, "{answer}");
    assert_eq!(
        answer["errors"][0]["extensions"]["errors"][0]["path"],
        "value"
    );
    // The largest documented value is served.
    let response = get(&server, "/actions/number-stats?value=9223372036854775807").await;
    assert_eq!(
        json_body(response, StatusCode::OK).await["value"],
        json!(i64::MAX)
    );
}

#[tokio::test]
async fn whole_floats_are_integers_as_json_schema_says() {
    let server = start().await;
    let response = send(
        client()
            .put(server.url("/items/7"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(r#"{"name": "lamp", "price_cents": 1999.0}"#),
    )
    .await;
    assert_eq!(
        json_body(response, StatusCode::OK).await,
        json!({"id": 7, "name": "lamp", "price_cents": 1999})
    );
    let response = send(
        client()
            .put(server.url("/items/7"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(r#"{"name": "lamp", "price_cents": 1999.5}"#),
    )
    .await;
    assert_eq!(
        problem_body(response, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["path"],
        "price_cents"
    );
}

#[tokio::test]
async fn optional_credentials_are_declared_with_the_empty_alternative() {
    let server = start().await;
    let document = document(&server).await;
    let paths = &document["paths"];
    assert_eq!(
        paths["/actions/echo-authorization"]["get"]["security"],
        json!([{}, {"bearer": []}, {"oauth2": []}])
    );
    assert_eq!(
        paths["/actions/only-for-root"]["get"]["security"],
        json!([{"bearer": []}, {"oauth2": ["root"]}])
    );
    // And the token a generated client then sends is read.
    let root = token(&server, &Authorization::new("root", ["root"]));
    let echoed = get_with_token(&server, "/actions/echo-authorization", &bearer(&root)).await;
    assert_eq!(
        json_body(echoed, StatusCode::OK).await["subject"],
        json!("root")
    );
}

#[tokio::test]
async fn request_bodies_are_named_components_without_the_path_parameters() {
    let server = start().await;
    let document = document(&server).await;
    let body = |path: &str, method: &str| {
        document["paths"][path][method]["requestBody"]["content"]["application/json"].clone()
    };
    let store = body("/actions/store-message", "post");
    assert_eq!(
        store["schema"],
        json!({"$ref": "#/components/schemas/StoreMessageInput"})
    );
    let schemas = &document["components"]["schemas"];
    assert_eq!(
        schemas["StoreMessageInput"]["properties"]["message"],
        json!({"$ref": "#/components/schemas/Message"})
    );
    let update = body("/items/{id}", "put");
    assert_eq!(
        update["schema"],
        json!({"$ref": "#/components/schemas/UpdateItemBody"})
    );
    assert_eq!(
        schemas["UpdateItemBody"]["required"],
        json!(["name", "price_cents"])
    );
    // The path's `id` is in the URL, not in the body's example.
    assert_eq!(
        update["examples"]["lamp"]["value"],
        json!({"name": "lamp", "price_cents": 1999})
    );
    assert_eq!(
        body("/actions/broadcast-message", "post")["schema"],
        json!({"$ref": "#/components/schemas/BroadcastMessageInput"})
    );
}

async fn login(server: &TestServer, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = send(client().post(server.url("/login")).form(form)).await;
    let status = response.status();
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    (status, response.json().await.expect("JSON"))
}

#[tokio::test]
async fn login_is_an_rfc_6749_token_endpoint() {
    let server = start().await;
    let (status, answer) = login(
        &server,
        &[
            ("grant_type", "password"),
            ("username", "root"),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (&answer["token_type"], &answer["scope"]),
        (&json!("bearer"), &json!("root"))
    );
    let expires_in = answer["expires_in"].as_u64().expect("expires_in");
    assert!((3500..=3600).contains(&expires_in), "{answer}");
    let refused = [
        (
            vec![
                ("grant_type", "password"),
                ("username", "root"),
                ("password", "guess"),
            ],
            "invalid_grant",
        ),
        (
            vec![
                ("grant_type", "password"),
                ("username", "ann"),
                ("password", PASSWORD),
            ],
            "invalid_grant",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("username", "root"),
                ("password", PASSWORD),
            ],
            "unsupported_grant_type",
        ),
        (
            vec![("username", "root"), ("password", PASSWORD)],
            "invalid_request",
        ),
        (
            vec![("grant_type", "password"), ("username", "root")],
            "invalid_request",
        ),
        (
            vec![
                ("grant_type", "password"),
                ("username", "root"),
                ("password", PASSWORD),
                ("scope", "admin"),
            ],
            "invalid_scope",
        ),
    ];
    for (form, error) in refused {
        let (status, answer) = login(&server, &form).await;
        assert_eq!(
            (status, &answer["error"]),
            (StatusCode::BAD_REQUEST, &json!(error)),
            "{form:?}"
        );
        assert!(answer["error_description"].is_string());
    }
    let response = send(
        client()
            .post(server.url("/login"))
            .header(header::CONTENT_TYPE, "application/json")
            .body("{}"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let document = document(&server).await;
    let operation = &document["paths"]["/login"]["post"];
    assert_eq!(
        operation["responses"]["400"]["content"]["application/json"]["schema"]["properties"]["error"]
            ["enum"],
        json!([
            "invalid_request",
            "invalid_grant",
            "unsupported_grant_type",
            "invalid_scope"
        ])
    );
    assert_eq!(
        operation["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]["required"],
        json!(["grant_type", "username", "password"])
    );
}

#[tokio::test]
async fn operations_are_grouped_by_declared_tags_else_by_module() {
    let server = start().await;
    let document = document(&server).await;
    let tags = |path: &str, method: &str| document["paths"][path][method]["tags"].clone();
    assert_eq!(tags("/actions/say-hello", "get"), json!(["greetings"]));
    assert_eq!(tags("/items/{id}", "put"), json!(["shop"]));
    assert_eq!(tags("/actions/only-for-root", "get"), json!(["auth"]));
    // No `tags` key: the module's name (`hello::actions`).
    assert_eq!(tags("/actions/number-stats", "get"), json!(["actions"]));
    // A run-time action's `ActionBuilder::tag`.
    assert_eq!(tags("/actions/generated-2", "get"), json!(["generated"]));
}
