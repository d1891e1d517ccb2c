//! How JSON Schemas become GraphQL types, checked on the SDL (and by graphql-core) and by round trips.

use serde_json::{Value, json};
use servey_core::{Action, Trigger};

use crate::support::{Server, action_schema, app, graphql_core_errors};

/// `catalog` echoes its input back: it uses every mapping rule on both sides.
fn catalog() -> Action {
    let filter = json!({
        "type": "object", "description": "What to look for.", "required": ["kind"],
        "properties": {
            "kind": {"$ref": "#/components/schemas/Kind"},
            "max_items": {"type": ["integer", "null"], "format": "int64", "minimum": 0,
                          "description": "At most this many.", "examples": [10]},
            "extra": {"type": "object", "additionalProperties": true}
        }
    });
    let input = json!({
        "type": "object", "required": ["filter"],
        "properties": {
            "min_price": {"type": ["integer", "null"], "format": "int32"},
            "filter": {"$ref": "#/components/schemas/Filter"},
            "tags": {"type": ["array", "null"], "items": {"type": "string"}},
            "ratio": {"type": ["number", "null"], "format": "double"}
        }
    });
    let output = json!({
        "type": "object", "required": ["filter"],
        "properties": {
            "min_price": {"type": ["integer", "null"], "format": "int32"},
            "filter": {"$ref": "#/components/schemas/Filter"},
            "tags": {"type": ["array", "null"], "items": {"type": "string"}},
            "ratio": {"type": ["number", "null"], "format": "double"},
            "mood": {"oneOf": [{"type": "null"}, {"type": "string", "enum": ["happy", "sad"]}]}
        }
    });
    let kind =
        json!({"type": "string", "enum": ["BOOK", "MUSIC"], "description": "A kind of item."});
    Action::builder("catalog", |input: Value, _| async move { Ok(input) })
        .doc("Look things up.\n\nEchoes the input.")
        .trigger(Trigger::web_get())
        .schema(action_schema(
            input,
            output,
            &[("Filter", filter), ("Kind", kind)],
        ))
        .build()
}

#[tokio::test]
async fn types_follow_the_mapping_rules_and_graphql_core_accepts_them() {
    let app = app(vec![catalog()]);
    let sdl = servey_graphql::sdl(&app).expect("the SDL builds");
    for line in [
        "catalog(filter: FilterInput!, minPrice: Int, ratio: Float, tags: [String!]): CatalogOutput",
        "type CatalogOutput {",
        "\tmood: CatalogOutputMood",
        "enum CatalogOutputMood {",
        "type Filter {",
        "input FilterInput {",
        "\tkind: Kind!",
        // serde_json sorts this test's keys; real utoipa schemas keep declaration order.
        "\tmaxItems: BigInt",
        "\textra: JSON",
        "enum Kind {",
        "scalar BigInt",
        "scalar JSON",
        "\tAt most this many.\n\t\n\tExample: `10`",
        "\tLook things up.\n\t\n\tEchoes the input.",
    ] {
        assert!(sdl.contains(line), "the SDL lacks {line:?}:\n{sdl}");
    }
    assert_eq!(graphql_core_errors(&sdl).await, Vec::<String>::new());
}

#[tokio::test]
async fn arguments_map_back_to_json_keys_and_results_to_fields() {
    let server = Server::start(&app(vec![catalog()])).await;
    let query = r#"{ catalog(minPrice: 5, tags: "solo", ratio: 1,
        filter: {kind: BOOK, maxItems: 9007199254740993, extra: {a: [1, "x"]}}) {
        minPrice tags ratio mood filter { kind maxItems extra } } }"#;
    assert_eq!(
        server.post(query, &[]).await,
        json!({"data": {"catalog": {
            "minPrice": 5, "tags": ["solo"], "ratio": 1.0, "mood": null,
            "filter": {"kind": "BOOK", "maxItems": 9_007_199_254_740_993_u64, "extra": {"a": [1, "x"]}}
        }}})
    );
}

#[tokio::test]
async fn an_app_without_queries_still_has_a_valid_schema() {
    let post = Action::builder("only_post", |_, _| async { Ok(json!(1)) })
        .trigger(Trigger::web_post())
        .schema(action_schema(
            json!({"type": "object"}),
            json!({"type": "integer", "format": "int32"}),
            &[],
        ))
        .build();
    let job = Action::builder("only_job", |_, _| async { Ok(json!(1)) })
        .trigger(Trigger::FixedRate { seconds: 60 })
        .build();
    let app = app(vec![post, job]);
    let sdl = servey_graphql::sdl(&app).expect("the SDL builds");
    assert!(
        sdl.contains("type Query {\n\t\"\"\"\n\tAlways null"),
        "{sdl}"
    );
    assert!(sdl.contains("\t_empty: Boolean\n"), "{sdl}");
    assert!(sdl.contains("onlyPost: Int"), "{sdl}");
    assert!(!sdl.contains("onlyJob"), "jobs are not served: {sdl}");
    assert_eq!(graphql_core_errors(&sdl).await, Vec::<String>::new());
    let server = Server::start(&app).await;
    assert_eq!(
        server.post("{ _empty }", &[]).await,
        json!({"data": {"_empty": null}})
    );
    assert_eq!(
        server.post("mutation { onlyPost }", &[]).await,
        json!({"data": {"onlyPost": 1}})
    );
}

#[test]
fn colliding_names_are_a_start_up_error() {
    let action = |name: &str| {
        Action::builder(name, |_, _| async { Ok(Value::Null) })
            .trigger(Trigger::web_get())
            .build()
    };
    let error = servey_graphql::router(&app(vec![action("say_hello"), action("sayHello")]))
        .expect_err("two actions become `sayHello`");
    assert_eq!(
        error.to_string(),
        "Query fields `sayHello` and `say_hello` both become the GraphQL name `sayHello`; rename one of them"
    );
}

#[tokio::test]
async fn free_form_actions_take_their_input_as_json() {
    let echo = Action::builder("echo", |input: Value, _| async move { Ok(input) })
        .trigger(Trigger::web_get())
        .build();
    let server = Server::start(&app(vec![echo])).await;
    assert_eq!(
        server
            .post(r#"{ echo(input: {a: 1, b: ["x"]}) }"#, &[])
            .await,
        json!({"data": {"echo": {"a": 1, "b": ["x"]}}})
    );
    assert_eq!(
        server.post("{ echo }", &[]).await,
        json!({"data": {"echo": {}}})
    );
}
