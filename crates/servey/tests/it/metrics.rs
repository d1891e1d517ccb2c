//! `/metrics` after calls over REST, GraphQL and the command line, on one app: the calls counted per
//! transport, latency histograms carrying the action label, a rejected call under its error code, a
//! cache hit; Python's prometheus_client parser (nobody here wrote it) reads the whole scrape.

use std::process::ExitCode;
use std::time::Duration;

use serde_json::{Value, json};
use servey::{Action, Method, Metrics, Scope, Ttl};

use crate::openapi::checker_python;
use crate::support::{builder, header, start, web};

/// `GET /greet`: greets `name`, its results kept a minute server-side.
fn greet() -> Action {
    Action::builder("greet", |input: Value, _| async move {
        Ok(json!(format!(
            "hello {}",
            input["name"].as_str().unwrap_or("you")
        )))
    })
    .trigger(web(Method::Get, "/greet"))
    .cache_control(Ttl {
        seconds: 60,
        server_cache: true,
    })
    .build()
}

/// `GET /admin`: only for the `admin` scope.
fn admin_only() -> Action {
    Action::builder("admin_only", |_, _| async { Ok(Value::Null) })
        .trigger(web(Method::Get, "/admin"))
        .access_control(Scope("admin".into()))
        .build()
}

/// Prints every sample of the scrape on stdin as JSON: `[family, type, sample, labels, value]`.
const PARSE: &str = r#"
import json, sys
from prometheus_client.parser import text_string_to_metric_families
rows = [[family.name, family.type, sample.name, sample.labels, sample.value]
        for family in text_string_to_metric_families(sys.stdin.read())
        for sample in family.samples]
print(json.dumps(rows))
"#;

/// The scrape as prometheus_client parses it: one row per sample.
async fn parsed(text: &str) -> Vec<(String, String, String, Value, f64)> {
    let mut child = tokio::process::Command::new(checker_python())
        .args(["-c", PARSE])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the parser starts");
    let mut stdin = child.stdin.take().expect("piped");
    tokio::io::AsyncWriteExt::write_all(&mut stdin, text.as_bytes())
        .await
        .expect("the scrape is written");
    drop(stdin);
    let output = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("the parser finishes within a minute")
        .expect("the parser runs");
    assert!(
        output.status.success(),
        "prometheus_client rejects the scrape: {}\n{text}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the parser prints JSON rows")
}

#[tokio::test]
async fn one_scrape_counts_rest_graphql_and_cli_calls_and_parses() {
    let server = start(builder([greet(), admin_only()])).await;
    for _ in 0..2 {
        assert_eq!(server.get("/greet?name=ann").await.status(), 200);
    }
    let answer = server
        .post(
            "/graphql",
            &json!({ "query": r#"{ greet(input: {name: "bob"}) }"# }),
        )
        .await;
    assert_eq!(answer.status(), 200);
    let body: Value = answer.json().await.expect("a GraphQL response");
    assert_eq!(body, json!({ "data": { "greet": "hello bob" } }));
    assert_eq!(server.get("/admin").await.status(), 401);
    let cli = [
        "app",
        "--run=action",
        "--action=greet",
        r#"--event={"name": "cli"}"#,
    ];
    let exit = servey::run(server.app.clone(), cli.map(Into::into)).await;
    assert_eq!(exit, ExitCode::SUCCESS);

    let response = server.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        header(&response, "content-type"),
        "text/plain; version=0.0.4; charset=utf-8"
    );
    assert_eq!(
        Metrics::CONTENT_TYPE,
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let text = response.text().await.expect("the scrape is text");
    let rows = parsed(&text).await;
    let value = |sample: &str, labels: Value| {
        let found: Vec<f64> = rows
            .iter()
            .filter(|row| row.2 == sample && row.3 == labels)
            .map(|row| row.4)
            .collect();
        assert_eq!(found.len(), 1, "one {sample} {labels} in\n{text}");
        found[0]
    };
    let calls = |action: &str, transport: &str, outcome: &str| {
        value(
            "servey_action_calls_total",
            json!({ "action": action, "transport": transport, "outcome": outcome }),
        )
    };
    assert_eq!(calls("greet", "rest", "ok"), 2.0);
    assert_eq!(calls("greet", "graphql", "ok"), 1.0);
    assert_eq!(calls("greet", "cli", "ok"), 1.0);
    assert_eq!(calls("admin_only", "rest", "unauthenticated"), 1.0);
    let greet = json!({ "action": "greet" });
    assert_eq!(value("servey_cache_hits_total", greet.clone()), 1.0);
    assert_eq!(value("servey_cache_misses_total", greet.clone()), 3.0);
    assert_eq!(value("servey_action_in_flight", greet), 0.0);
    for (transport, count) in [("rest", 2.0), ("graphql", 1.0), ("cli", 1.0)] {
        let labels = json!({ "action": "greet", "transport": transport });
        assert_eq!(value("servey_action_duration_seconds_count", labels), count);
        let all = json!({ "action": "greet", "transport": transport, "le": "+Inf" });
        assert_eq!(value("servey_action_duration_seconds_bucket", all), count);
        let buckets = rows
            .iter()
            .filter(|row| {
                row.2 == "servey_action_duration_seconds_bucket"
                    && row.3["action"] == "greet"
                    && row.3["transport"] == transport
            })
            .count();
        assert_eq!(
            buckets,
            Metrics::LATENCY_BUCKETS.len() + 1,
            "{transport}: every bound and +Inf"
        );
    }
    let family_type = |family: &str| {
        rows.iter()
            .find(|row| row.0 == family)
            .map(|row| row.1.clone())
            .unwrap_or_else(|| panic!("no family {family} in\n{text}"))
    };
    assert_eq!(family_type("servey_action_calls"), "counter");
    assert_eq!(family_type("servey_action_duration_seconds"), "histogram");
    assert_eq!(family_type("servey_action_in_flight"), "gauge");
}

#[tokio::test]
async fn switched_off_metrics_are_not_served() {
    let server = start(builder([greet()]).without_route("/metrics")).await;
    assert_eq!(server.get("/greet").await.status(), 200);
    assert_eq!(server.get("/metrics").await.status(), 404);
    assert!(server.app.metrics().is_none());
}
