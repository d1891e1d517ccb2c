//! Cross-cutting headers: `x-request-id` and CORS.

use reqwest::header::HeaderName;
use reqwest::{StatusCode, header};

use super::{client, get_with, send};
use crate::server::{start, start_with, test_config};

#[tokio::test]
async fn x_request_id_is_echoed_or_made() {
    let server = start().await;
    let x_request_id = HeaderName::from_static("x-request-id");
    let given = get_with(&server, "/health", x_request_id.clone(), "trace-42").await;
    assert_eq!(given.headers()["x-request-id"], "trace-42");
    let unusable = "x".repeat(200);
    let mut made = Vec::new();
    for id in [None, Some(unusable.as_str())] {
        let mut request = client().get(server.url("/nope"));
        if let Some(id) = id {
            request = request.header(&x_request_id, id);
        }
        let response = send(request).await;
        let echoed = response.headers()["x-request-id"].to_str().expect("ascii");
        made.push(echoed.to_owned());
    }
    assert!(
        made.iter().all(|id| !id.is_empty() && id.len() <= 128),
        "{made:?}"
    );
    assert_ne!(made[0], made[1], "each request gets its own id");
}

#[tokio::test]
async fn cors_headers_appear_only_when_configured() {
    let origin = "https://app.example";
    let mut config = test_config();
    config.cors_allowed_origins = vec![origin.to_owned()];
    let server = start_with(config).await;
    let response = get_with(&server, "/health", header::ORIGIN, origin).await;
    assert_eq!(
        response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        origin
    );
    let preflight = client()
        .request(
            reqwest::Method::OPTIONS,
            server.url("/actions/store-message"),
        )
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST");
    let preflight = send(preflight).await;
    assert_eq!(preflight.status(), StatusCode::OK);
    assert_eq!(
        preflight.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        origin
    );
    let plain = start().await;
    let response = get_with(&plain, "/health", header::ORIGIN, origin).await;
    assert!(
        !response
            .headers()
            .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN)
    );
}
