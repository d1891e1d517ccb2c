//! A gRPC call holds one of the app's request slots, as a REST request does: with every slot taken, the
//! next call is `UNAVAILABLE` at once instead of piling up.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use serde_json::json;
use servey_core::{Action, ActionSchema, App, Registry, ServeyConfig, Trigger};
use servey_grpc::GrpcService;
use tokio::sync::Notify;
use tower::ServiceExt;

fn call() -> axum::http::Request<Body> {
    // An empty `google.protobuf.Struct`, framed.
    axum::http::Request::post("/servey.Servey/Wait")
        .header("content-type", "application/grpc")
        .body(Body::from(vec![0, 0, 0, 0, 0]))
        .expect("a request")
}

#[tokio::test]
async fn a_call_past_the_request_slots_is_unavailable() {
    let started = Arc::new(Notify::new());
    let release = Arc::new(Notify::new());
    let (on_start, on_release) = (started.clone(), release.clone());
    let action = Action::builder("wait", move |_, _| {
        let (on_start, on_release) = (on_start.clone(), on_release.clone());
        async move {
            on_start.notify_one();
            on_release.notified().await;
            Ok(json!("done"))
        }
    })
    .trigger(Trigger::web_post())
    .schema(ActionSchema::untyped())
    .build();
    let registry = Registry::builder()
        .action(action)
        .build()
        .expect("a registry");
    let config = ServeyConfig::from_lookup(|key| {
        (key == "SERVEY_MAX_CONCURRENT_REQUESTS").then(|| "1".to_owned())
    });
    let app = App::new(registry, config);
    let service = GrpcService::new(&app).expect("the gRPC face builds");

    let first = tokio::spawn(service.clone().oneshot(call()));
    tokio::time::timeout(Duration::from_secs(10), started.notified())
        .await
        .expect("the first call runs");
    let refused = tokio::time::timeout(Duration::from_secs(10), service.clone().oneshot(call()))
        .await
        .expect("refused at once, not queued")
        .expect("infallible");
    assert_eq!(
        refused
            .headers()
            .get("grpc-status")
            .and_then(|v| v.to_str().ok()),
        Some("14"),
        "{:?}",
        refused.headers()
    );

    release.notify_one();
    let answered = first.await.expect("joined").expect("infallible");
    assert_eq!(answered.status(), 200);
    // Its slot given back, the next call runs.
    let again = tokio::spawn(service.oneshot(call()));
    tokio::time::timeout(Duration::from_secs(10), started.notified())
        .await
        .expect("the third call runs");
    release.notify_one();
    again.await.expect("joined").expect("infallible");
}
