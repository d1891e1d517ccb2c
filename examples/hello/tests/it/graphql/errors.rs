//! Errors beside data: auth, invalid arguments, failures, and the depth and complexity limits.

use serde_json::{Value, json};

use super::{graphql, token};
use crate::server::{start, start_with, test_config};

#[tokio::test]
async fn only_for_root_without_token_is_unauthenticated_and_other_fields_resolve() {
    let server = start().await;
    let response = graphql(&server, r#"{ onlyForRoot sayHello(name: "A") }"#, None).await;
    assert_eq!(
        response,
        json!({
            "data": {"onlyForRoot": null, "sayHello": "Hello A!"},
            "errors": [{
                "message": "This action needs credentials.",
                "locations": [{"line": 1, "column": 3}],
                "path": ["onlyForRoot"],
                "extensions": {"code": "UNAUTHENTICATED", "status": 401}
            }]
        })
    );
}

#[tokio::test]
async fn a_rejected_token_is_unauthenticated_even_where_authorization_is_optional() {
    let server = start().await;
    let response = graphql(
        &server,
        "{ echoAuthorization { subject } }",
        Some("garbage"),
    )
    .await;
    assert_eq!(response["data"], json!({"echoAuthorization": null}));
    assert_eq!(
        response["errors"][0]["extensions"],
        json!({"code": "UNAUTHENTICATED", "status": 401})
    );
    assert_eq!(
        response["errors"][0]["message"],
        "The credentials were rejected: the token is malformed."
    );
}

#[tokio::test]
async fn only_for_root_with_a_token_lacking_the_scope_is_forbidden() {
    let server = start().await;
    let user = token(&server, &["user"]);
    let response = graphql(
        &server,
        r#"{ onlyForRoot sayHello(name: "B") }"#,
        Some(&user),
    )
    .await;
    assert_eq!(
        response["data"],
        json!({"onlyForRoot": null, "sayHello": "Hello B!"})
    );
    assert_eq!(
        response["errors"][0]["extensions"],
        json!({"code": "FORBIDDEN", "status": 403})
    );
    assert_eq!(response["errors"][0]["path"], json!(["onlyForRoot"]));

    let root = token(&server, &["root"]);
    assert_eq!(
        graphql(&server, "{ onlyForRoot }", Some(&root)).await,
        json!({"data": {"onlyForRoot": "Some Secret Data!"}})
    );
}

#[tokio::test]
async fn invalid_arguments_are_errors_with_their_path() {
    let server = start().await;
    // Type-correct GraphQL the action rejects: the field's path plus the bad argument's path.
    assert_eq!(
        graphql(&server, "{ numberStats(value: -1) { value } }", None).await,
        json!({
            "data": {"numberStats": null},
            "errors": [{
                "message": "1 invalid field",
                "locations": [{"line": 1, "column": 3}],
                "path": ["numberStats"],
                "extensions": {"code": "BAD_USER_INPUT", "status": 422, "errors": [
                    {"path": "value", "code": "range", "message": "must be an integer from 0 to 9223372036854775807"}
                ]}
            }]
        })
    );
    // Not GraphQL-valid: rejected before anything runs, pointing at the argument.
    let response = graphql(&server, "{ sayHello(name: 5) }", None).await;
    assert_eq!(response["data"], Value::Null);
    assert_eq!(
        response["errors"],
        json!([{
            "message": "Invalid value for argument \"name\", expected type \"String\"",
            "locations": [{"line": 1, "column": 12}]
        }])
    );
}

#[tokio::test]
async fn failures_are_internal_errors_with_a_generic_message() {
    let server = start().await;
    let response = graphql(&server, "{ failOnPurpose }", None).await;
    assert_eq!(response["data"], json!({"failOnPurpose": null}));
    assert_eq!(response["errors"][0]["message"], "The action failed.");
    assert_eq!(
        response["errors"][0]["extensions"],
        json!({"code": "INTERNAL_SERVER_ERROR", "status": 500})
    );
}

#[tokio::test]
async fn depth_and_complexity_limits_are_on_by_default() {
    let server = start().await;
    // 11 levels, and not introspection only (sayHello is selected too): over the default of 10.
    let deep = r#"{ sayHello(name: "x") __schema { types { fields { type { ofType { ofType {
        ofType { ofType { ofType { ofType { name } } } } } } } } } } }"#;
    assert_eq!(
        graphql(&server, deep, None).await,
        json!({"data": null, "errors": [{
            "message": "The query is nested 11 levels deep; the limit is 10.",
            "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}
        }]})
    );
    let many: String = (0..1001)
        .map(|i| format!("f{i}: sayHello(name: \"x\") "))
        .collect();
    assert_eq!(
        graphql(&server, &format!("{{ {many} }}"), None).await["errors"][0]["message"],
        "The query has a complexity of 1001; the limit is 1000."
    );
}

#[tokio::test]
async fn configured_depth_limit_rejects_deeper_queries() {
    let mut config = test_config();
    config.settings = config.settings.with("SERVEY_GRAPHQL_MAX_DEPTH", "2");
    let server = start_with(config).await;
    assert_eq!(
        graphql(&server, "{ numberStats(value: 2) { value } }", None).await,
        json!({"data": {"numberStats": {"value": 2}}})
    );
    let deeper =
        r#"mutation { storeMessage(message: {sender: "a", text: "b"}) { message { sender } } }"#;
    assert_eq!(
        graphql(&server, deeper, None).await["errors"][0]["message"],
        "The query is nested 3 levels deep; the limit is 2."
    );
}

#[tokio::test]
async fn a_variable_of_an_undefined_type_is_a_400_not_a_crash() {
    let server = start().await;
    // async-graphql 7.2 panics validating a list of an unknown type with a default (found by fuzzing).
    for query in [
        "query($v: [Nope] = 1) { __typename }",
        "query($v: Nope) { __typename }",
    ] {
        let response = reqwest::Client::new()
            .post(server.url("/graphql"))
            .json(&json!({ "query": query }))
            .send()
            .await
            .expect("answers");
        assert_eq!(response.status(), 400, "{query}");
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(
            body["errors"][0]["message"],
            "The variable `$v` has the type `Nope`, which the schema does not define.",
            "{query}"
        );
    }
}

/// Posts `body` to `/graphql`; the status and the JSON answer.
async fn post(server: &crate::server::TestServer, body: &Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(server.url("/graphql"))
        .json(body)
        .send()
        .await
        .expect("the request is sent");
    let status = response.status().as_u16();
    (status, response.json().await.expect("the response is JSON"))
}

#[tokio::test]
async fn the_amplification_batch_is_refused_before_anything_runs() {
    let server = start().await;
    // The attack: 32 operations of 250 aliases each, every one listing 1,000 numbers. Counted one per
    // field, each operation cost 1,000 and the batch ran for minutes into gigabytes.
    let aliases: String = (0..250)
        .map(|i| format!("r{i}: numberRange(start: 1, count: 1000) {{ value isEven factorial }} "))
        .collect();
    let operation = json!({ "query": format!("{{ {aliases} }}") });
    let batch = Value::Array(vec![operation; 32]);
    assert_eq!(
        post(&server, &batch).await,
        (
            400,
            json!({"errors": [{
                "message": "The batch has a complexity of 24008000 (its operations' added up); the limit is 1000.",
                "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}
            }]})
        )
    );
    // What the tour app shows still runs: a list of 100 with a batched nested field.
    let listed = graphql(
        &server,
        "{ numberRange(start: 1, count: 100) { value factorial } }",
        None,
    )
    .await;
    assert_eq!(listed["data"]["numberRange"][99]["value"], 100);
}

#[tokio::test]
async fn an_include_bomb_answers_a_bounded_error_list() {
    let server = start().await;
    let bomb = " @include(if: true)".repeat(5000);
    let answer = graphql(&server, &format!("{{ sayHello(name: \"x\"){bomb} }}"), None).await;
    let errors = answer["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 51, "{}", errors[0]);
    assert_eq!(
        errors[50],
        json!({"message": "... and 4949 more errors (only the first 50 are listed)."})
    );
    assert!(answer.to_string().len() < 20_000);
}
