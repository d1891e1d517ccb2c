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
                    {"path": "value", "message": "invalid value: integer `-1`, expected an integer from 0 to 9223372036854775807"}
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
    config.limits.graphql_max_depth = 2;
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
