//! The tour app over GraphQL: queries, mutations, subscriptions, nested actions, auth errors, limits, GET, the SDL
//! checked by graphql-core, and GraphiQL driven in headless Chromium.

pub(crate) mod browser;
mod errors;
mod graphiql;
mod queries;
mod schema;
pub(crate) mod subscriptions;

use serde_json::{Value, json};
use servey::Authorization;

use crate::server::TestServer;

/// Posts `query` to `/graphql` (with a bearer token if given) and returns the JSON response.
pub(crate) async fn graphql(server: &TestServer, query: &str, token: Option<&str>) -> Value {
    let mut request = reqwest::Client::new()
        .post(server.url("/graphql"))
        .json(&json!({ "query": query }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("the request is sent");
    assert_eq!(response.status(), 200);
    response.json().await.expect("the response is JSON")
}

fn token(server: &TestServer, scopes: &[&str]) -> String {
    server
        .app
        .authenticator()
        .issue(&Authorization::new("tester", scopes.iter().copied()))
        .expect("a token is issued")
}
