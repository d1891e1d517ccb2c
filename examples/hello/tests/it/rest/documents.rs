//! Self-description and files: `/health`, `/actions`, `/openapi.json`, web pages, static files.

use reqwest::{StatusCode, header};
use serde_json::{Value, json};

use super::{client, get, json_body, problem, problem_body};
use crate::server::{start, start_with, test_config, workspace_root};

#[tokio::test]
async fn health_is_ok() {
    let server = start().await;
    assert_eq!(
        json_body(get(&server, "/health").await, StatusCode::OK).await,
        json!({"status": "ok"})
    );
}

#[tokio::test]
async fn actions_lists_every_action_with_triggers_and_links() {
    let server = start().await;
    let listed = json_body(get(&server, "/actions").await, StatusCode::OK).await;
    let entries = listed.as_array().expect("a list");
    assert_eq!(entries.len(), server.app.registry().len());
    let hello = entries
        .iter()
        .find(|entry| entry["name"] == "say_hello")
        .expect("say_hello is listed");
    assert_eq!(
        hello,
        &json!({
            "name": "say_hello", "summary": "Greet a user!",
            "triggers": ["GET /actions/say-hello"],
            "links": [{"method": "GET", "href": "/actions/say-hello", "rel": "action"}]
        })
    );
    let page = entries
        .iter()
        .find(|entry| entry["name"] == "current_time_page")
        .expect("the page is listed");
    assert_eq!(
        page["links"],
        json!([{"method": "GET", "href": "/current-time-page", "rel": "page"}])
    );
}

#[tokio::test]
async fn openapi_json_is_what_openapi_json_prints() {
    let server = start().await;
    let response = get(&server, "/openapi.json").await;
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    let served = response.text().await.expect("text");
    assert_eq!(served, servey::openapi_json(&server.app));
    let document: Value = serde_json::from_str(&served).expect("JSON");
    assert_eq!(document["openapi"], "3.1.0");
    let get_hello = &document["paths"]["/actions/say-hello"]["get"];
    assert_eq!(get_hello["operationId"], "say_hello");
    assert_eq!(
        get_hello["parameters"],
        json!([{"name": "name", "in": "query", "required": true, "schema": {"type": "string"},
                "example": "Developer"}])
    );
    let root = &document["paths"]["/actions/only-for-root"]["get"];
    // Either the bearer token (any way it was issued) or the debug login's OAuth2 flow.
    assert_eq!(
        root["security"],
        json!([{"bearer": []}, {"oauth2": ["root"]}])
    );
    assert_eq!(
        root["responses"]["403"]["content"]["application/problem+json"]["schema"],
        json!({"$ref": "#/components/schemas/Problem"})
    );
    assert_eq!(
        document["components"]["securitySchemes"]["oauth2"]["flows"]["password"]["tokenUrl"],
        "/login"
    );
}

#[tokio::test]
async fn a_web_page_renders_its_template_with_the_result() {
    let server = start().await;
    let response = get(&server, "/current-time-page").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/html; charset=utf-8"
    );
    let html = response.text().await.expect("text");
    let now = html
        .split("<time datetime=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page shows model.now");
    assert!(
        chrono::DateTime::parse_from_rfc3339(now).is_ok(),
        "{now} is the result's RFC 3339 time"
    );
}

#[tokio::test]
async fn a_missing_template_is_a_500_naming_it() {
    let mut config = test_config();
    config.templates_dir = workspace_root().join("templates/does-not-exist");
    let server = start_with(config).await;
    let response = get(&server, "/current-time-page").await;
    assert_eq!(
        problem_body(response, StatusCode::INTERNAL_SERVER_ERROR).await,
        problem(
            500,
            "Internal Server Error",
            "internal_error",
            "The page template `current_time_page.j2` was not found in the templates directory."
        )
    );
}

#[tokio::test]
async fn static_files_are_served_under_static() {
    let server = start().await;
    let response = get(&server, "/static/hello.css").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "text/css");
    let expected = std::fs::read_to_string(workspace_root().join("static/hello.css"))
        .expect("the stylesheet exists");
    assert_eq!(response.text().await.expect("text"), expected);
    assert_eq!(
        problem_body(
            get(&server, "/static/missing.css").await,
            StatusCode::NOT_FOUND
        )
        .await["detail"],
        "No route matches GET /static/missing.css.",
        "the detail names the path as sent"
    );
}

#[tokio::test]
async fn the_static_directory_itself_is_404_not_a_redirect_out_of_static() {
    let server = start().await;
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    for path in ["/static/.", "/static/", "/static"] {
        let response = no_redirects
            .get(server.url(path))
            .send()
            .await
            .expect("answers");
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/problem+json",
            "{path}"
        );
    }
}

#[tokio::test]
async fn static_names_no_file_can_have_are_404_not_500() {
    let server = start().await;
    let long = format!("/static/{}", "a".repeat(300));
    for (method, path) in [
        (reqwest::Method::GET, long.as_str()),
        (reqwest::Method::HEAD, long.as_str()),
        (reqwest::Method::GET, "/static/a%00b.css"),
        (reqwest::Method::HEAD, "/static/a%00b.css"),
    ] {
        let response = client()
            .request(method.clone(), server.url(path))
            .send()
            .await
            .expect("answers");
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{method} {path}");
    }
}

#[tokio::test]
async fn a_static_path_longer_than_the_file_system_takes_is_a_404_problem() {
    let server = start().await;
    let deep = format!("/static/{}x.css", "ab/".repeat(1500));
    for path in [deep.clone(), deep.replacen("/static", "", 1)] {
        let response = client()
            .get(server.url(&path))
            .send()
            .await
            .expect("answers");
        let problem = problem_body(response, StatusCode::NOT_FOUND).await;
        assert_eq!(
            problem["detail"],
            format!("No route matches GET {path}."),
            "{}",
            &path[..20]
        );
    }
}
