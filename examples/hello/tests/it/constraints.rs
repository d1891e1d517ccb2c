//! A constraint declared in a type (`#[schema(maximum = 1000)] count: u32` on `number_range`) is
//! checked by servey before the action runs, on every transport, with the same code and path: REST
//! through the HTTP client, the local client, `/jobs`, GraphQL and the command line.

use serde_json::{Value, json};
use servey::Client;

use crate::cli::hello;
use crate::graphql::graphql;
use crate::server::{start_with, test_config_with};

/// `(path, code)` of each field error in a problem document's (or GraphQL extensions') `errors`.
fn codes(errors: &Value) -> Vec<(String, String)> {
    errors
        .as_array()
        .unwrap_or_else(|| panic!("a list of field errors: {errors}"))
        .iter()
        .map(|error| {
            let text = |key: &str| error[key].as_str().expect("a string").to_owned();
            (text("path"), text("code"))
        })
        .collect()
}

#[tokio::test]
async fn a_broken_constraint_gets_the_same_code_and_path_on_every_transport() {
    // A list of 1001 is over GraphQL's complexity limit too; raised here so the input check answers.
    let server = start_with(test_config_with(&[(
        "SERVEY_GRAPHQL_MAX_COMPLEXITY",
        "5000",
    )]))
    .await;
    let bad = json!({"start": 1, "count": 1001});
    let expected = vec![("count".to_owned(), "range".to_owned())];
    let mut answers = Vec::new();

    for (name, client) in [
        ("local client", Client::local(&server.app)),
        ("http client", Client::http(&server.base)),
    ] {
        let error = client
            .call::<Value>("number_range", bad.clone())
            .await
            .expect_err("1001 is over the declared maximum");
        let problem = error.problem().expect("a problem document");
        assert_eq!(problem.status, 422, "{name}");
        let fields = problem
            .errors
            .iter()
            .map(|field| (field.path.clone(), field.code.clone()))
            .collect::<Vec<_>>();
        answers.push((name, fields));
    }

    let jobs: Value = reqwest::Client::new()
        .post(server.url("/jobs"))
        .json(&json!({"actions": [{"action": "number_range", "body": bad}]}))
        .send()
        .await
        .expect("answers")
        .json()
        .await
        .expect("JSON");
    answers.push(("/jobs", codes(&jobs["results"][0]["error"]["errors"])));

    let graphql = graphql(
        &server,
        "{ numberRange(start: 1, count: 1001) { value } }",
        None,
    )
    .await;
    assert_eq!(
        graphql["errors"][0]["extensions"]["status"], 422,
        "{graphql}"
    );
    answers.push((
        "GraphQL",
        codes(&graphql["errors"][0]["extensions"]["errors"]),
    ));

    let event = format!("--event={bad}");
    let output = hello(&["--run=action", "--action=number_range", &event], None);
    assert_eq!(output.status.code(), Some(1));
    let problem: Value = serde_json::from_slice(&output.stderr).expect("problem JSON on stderr");
    answers.push(("command line", codes(&problem["errors"])));

    for (name, fields) in answers {
        assert_eq!(fields, expected, "{name}");
    }

    // At the bound, every transport runs the action.
    let listed: Vec<Value> = Client::http(&server.base)
        .call("number_range", json!({"start": 1, "count": 1000}))
        .await
        .expect("1000 is allowed");
    assert_eq!(listed.len(), 1000);
}
