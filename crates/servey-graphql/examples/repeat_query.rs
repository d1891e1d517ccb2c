//! Sends one GraphQL query many times through the `/graphql` router, in process, to count the
//! instructions a repeated query costs with and without the document cache:
//!
//! ```text
//! cargo build --release -p servey-graphql --example repeat_query
//! valgrind --tool=callgrind target/release/examples/repeat_query 1000 1000   # cache of 1000
//! valgrind --tool=callgrind target/release/examples/repeat_query 0 1000      # no cache
//! ```
//!
//! The arguments are the cache size (`SERVEY_GRAPHQL_DOCUMENT_CACHE`) and the number of requests;
//! a cache size of `static` sends the same query to a static async-graphql schema of the same shape
//! behind a plain axum handler instead (the anchor servey is compared with).

use axum::body::Body;
use axum::http::Request;
use serde_json::{Value, json};
use servey_core::{Action, ActionSchema, App, Registry, ServeyConfig, Trigger};
use tower::ServiceExt;

const QUERY: &str = r#"{"query": "{ numberStats(value: 4) { value isEven square label } }"}"#;

fn schema(json: Value) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    serde_json::from_value(json).expect("a valid schema")
}

fn app(cache: usize) -> App {
    let stats = Action::builder("number_stats", |input: Value, _| async move {
        let value = input["value"].as_i64().unwrap_or_default();
        Ok(json!({
            "value": value,
            "isEven": value % 2 == 0,
            "square": value * value,
            "label": format!("number {value}"),
        }))
    })
    .trigger(Trigger::web_get())
    .schema(ActionSchema::new(
        schema(json!({"type": "object", "required": ["value"],
                      "properties": {"value": {"type": "integer", "format": "int32"}}})),
        schema(json!({"$ref": "#/components/schemas/NumberStats"})),
        [(
            "NumberStats".to_owned(),
            schema(json!({"type": "object",
                "required": ["value", "isEven", "square", "label"],
                "properties": {
                    "value": {"type": "integer", "format": "int32"},
                    "isEven": {"type": "boolean"},
                    "square": {"type": "integer", "format": "int32"},
                    "label": {"type": "string"}}})),
        )]
        .into_iter()
        .collect(),
    ))
    .build();
    let registry = Registry::builder()
        .action(stats)
        .build()
        .expect("one action");
    let config = ServeyConfig::from_lookup(move |key| {
        (key == "SERVEY_GRAPHQL_DOCUMENT_CACHE").then(|| cache.to_string())
    });
    App::new(registry, config)
}

/// The same facts from a static schema.
#[derive(async_graphql::SimpleObject)]
struct NumberStats {
    value: i32,
    is_even: bool,
    square: i32,
    label: String,
}

struct QueryRoot;

#[async_graphql::Object]
impl QueryRoot {
    async fn number_stats(&self, value: i32) -> NumberStats {
        NumberStats {
            value,
            is_even: value % 2 == 0,
            square: value * value,
            label: format!("number {value}"),
        }
    }
}

type StaticSchema = async_graphql::Schema<
    QueryRoot,
    async_graphql::EmptyMutation,
    async_graphql::EmptySubscription,
>;

fn static_router() -> axum::Router {
    let schema = StaticSchema::build(
        QueryRoot,
        async_graphql::EmptyMutation,
        async_graphql::EmptySubscription,
    )
    .finish();
    axum::Router::new().route(
        "/graphql",
        axum::routing::post(
            |axum::extract::State(schema): axum::extract::State<StaticSchema>,
             axum::Json(request): axum::Json<async_graphql::Request>| async move {
                axum::Json(schema.execute(request).await)
            },
        )
        .with_state(schema),
    )
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let cache = args.next().unwrap_or_default();
    let requests: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let router = match cache.parse() {
        Ok(cache) => servey_graphql::router(&app(cache)).expect("the schema builds"),
        Err(_) => static_router(),
    };
    let mut last = Vec::new();
    for _ in 0..requests {
        let request = Request::post("/graphql")
            .header("content-type", "application/json")
            .body(Body::from(QUERY))
            .expect("a request");
        let response = router.clone().oneshot(request).await.expect("infallible");
        last = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("a body")
            .to_vec();
    }
    println!("{}", String::from_utf8_lossy(&last));
}
