//! The serverless example as Lambda runs it: the real binary, started with `AWS_LAMBDA_RUNTIME_API`
//! pointing at a stand-in of Lambda's runtime API (`runtime.rs`), which feeds it what API Gateway and
//! SQS would send; DynamoDB and SQS are moto's (`SERVEY_TEST_MOTO_URL`, started by `cargo xtask ci`),
//! the websocket API's Management API a stand-in that records each post (`management.rs`), the webhook's
//! receiver one that is down for the first receipt (`receiver.rs`).

mod aws;
mod management;
mod receiver;
mod runtime;

use serde_json::{Value, json};

use aws::Moto;
use management::Management;
use receiver::Receiver;
use runtime::Lambda;

/// A websocket event of API Gateway for `connection`.
fn websocket(event_type: &str, connection: &str, body: Option<Value>, query: Value) -> Value {
    let route = match event_type {
        "CONNECT" => "$connect",
        "DISCONNECT" => "$disconnect",
        _ => "$default",
    };
    json!({
        "requestContext": {
            "routeKey": route,
            "eventType": event_type,
            "connectionId": connection,
            "domainName": "abc.execute-api.us-east-1.amazonaws.com",
            "stage": "live",
            "apiId": "abc",
            "requestId": "r",
        },
        "queryStringParameters": query,
        "body": body.map(|body| body.to_string()),
        "isBase64Encoded": false,
    })
}

/// An API Gateway HTTP API (payload 2.0) request.
fn http(method: &str, path: &str, query: &str, body: Option<Value>) -> Value {
    let mut event: Value =
        serde_json::from_str(include_str!("apigw-http.json")).expect("the recorded event");
    event["rawPath"] = json!(path);
    event["rawQueryString"] = json!(query);
    event["requestContext"]["http"]["path"] = json!(path);
    event["requestContext"]["http"]["method"] = json!(method);
    if let Some(body) = body {
        event["headers"]["content-type"] = json!("application/json");
        event["body"] = json!(body.to_string());
    }
    event
}

#[tokio::test]
async fn websocket_channels_background_events_and_pages_on_lambda() {
    let moto = Moto::from_env().await;
    let resources = moto.resources().await;
    let management = Management::start().await;
    let receiver = Receiver::start().await;
    let mut lambda =
        Lambda::start(&moto, &resources, &management.endpoint(), &receiver.url()).await;

    // Two subscribers of auction 7's bids (one of them will be gone), one that sends bad parameters.
    for connection in ["ann", "gone-bo", "cy"] {
        let connected = lambda
            .call(websocket(
                "CONNECT",
                connection,
                None,
                json!({"subscriber_id": connection}),
            ))
            .await;
        assert_eq!(connected, json!({"statusCode": 200}));
    }
    // A token that does not verify is refused at the handshake, and nothing is kept of it.
    let refused = lambda
        .call(websocket(
            "CONNECT",
            "dee",
            None,
            json!({"token": "not-a-token"}),
        ))
        .await;
    assert_eq!(refused["statusCode"], 401, "{refused}");
    assert!(
        !resources
            .items()
            .await
            .iter()
            .any(|(pk, _)| pk == "connection#dee"),
        "a refused connection is not stored"
    );
    for (connection, channel) in [("ann", "bids"), ("ann", "settled"), ("gone-bo", "bids")] {
        let subscribe = json!({"type": "Subscribe", "payload": {"channel": channel, "params": {"auction_id": 7}}});
        let answered = lambda
            .call(websocket(
                "MESSAGE",
                connection,
                Some(subscribe),
                Value::Null,
            ))
            .await;
        assert_eq!(answered, json!({"statusCode": 200}));
        assert_eq!(
            management.posted(connection),
            vec![json!({"type": "Subscribed", "channel": channel})]
        );
    }
    let bad = json!({"type": "Subscribe", "payload": {"channel": "bids", "params": {"auction_id": "seven"}}});
    lambda
        .call(websocket("MESSAGE", "cy", Some(bad), Value::Null))
        .await;
    let refused = management.posted("cy");
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0]["type"], "Error");
    assert_eq!(refused[0]["code"], 4422);
    assert!(
        refused[0]["reason"]
            .as_str()
            .is_some_and(|reason| reason.contains("auction_id")),
        "{refused:?}"
    );
    assert_eq!(management.closed(), vec!["cy".to_owned()]);

    // A bid on auction 8 reaches no one; one on auction 7 reaches both, and the gone one is forgotten.
    for (auction_id, amount) in [(8, 100), (7, 500)] {
        let answer = lambda
            .call(http(
                "POST",
                "/actions/place-bid",
                "",
                Some(json!({"auction_id": auction_id, "amount": amount})),
            ))
            .await;
        assert_eq!(answer["statusCode"], 200, "{answer}");
    }
    assert_eq!(
        management.posted("ann"),
        vec![
            json!({"type": "Event", "channel": "bids", "id": 2, "payload": {"auction_id": 7, "amount": 500}})
        ]
    );
    assert_eq!(management.posted("gone-bo").len(), 1);
    let items = resources.items().await;
    assert!(
        !items
            .iter()
            .any(|(pk, sk)| pk == "connection#gone-bo" || sk == "gone-bo"),
        "the gone connection is forgotten: {items:?}"
    );

    // One that resumes after event 1 is told that event 2 is not kept here.
    lambda
        .call(websocket("CONNECT", "eve", None, json!({})))
        .await;
    let resume = json!({"type": "Subscribe", "payload": {"channel": "bids", "params": {"auction_id": 7}, "since": 1}});
    lambda
        .call(websocket("MESSAGE", "eve", Some(resume), Value::Null))
        .await;
    assert_eq!(
        management.posted("eve"),
        vec![
            json!({"type": "Subscribed", "channel": "bids"}),
            json!({"type": "Gap", "channel": "bids", "since": 1, "first_id": 3}),
        ]
    );

    // Both bids were sent to SQS; each settles in the background, its `settled` event reaching ann, its
    // receipt sent to SQS in turn and POSTed from there: the first POST fails, SQS hands it out again.
    assert!(receiver.received().is_empty(), "receipts go through SQS");
    let mut settled = Vec::new();
    let mut failed = 0;
    while let Some(answer) = lambda.sqs_batch(&resources).await {
        failed += answer["batchItemFailures"].as_array().map_or(0, Vec::len);
        settled.extend(management.posted("ann"));
    }
    assert_eq!(failed, 1, "the receipt the receiver refused once");
    let received = receiver.received();
    assert_eq!(received.len(), 3, "{received:?}");
    let mut delivered: Vec<i64> = received
        .iter()
        .filter(|(status, _)| status.is_success())
        .map(|(_, receipt)| receipt["amount"].as_i64().expect("an amount"))
        .collect();
    delivered.sort_unstable();
    assert_eq!(delivered, [100, 500]);
    assert!(
        received[1..]
            .iter()
            .any(|(_, receipt)| *receipt == received[0].1),
        "the refused receipt is delivered again: {received:?}"
    );
    let mut amounts: Vec<i64> = settled
        .iter()
        .map(|event| {
            assert_eq!(event["channel"], "settled", "{event}");
            event["payload"]["amount"].as_i64().expect("an amount")
        })
        .collect();
    amounts.sort_unstable();
    assert_eq!(amounts, [100, 500]);

    // A bid of nothing fails to settle: delivered again, then parked in the dead-letter queue.
    let answer = lambda
        .call(http(
            "POST",
            "/actions/place-bid",
            "",
            Some(json!({"auction_id": 7, "amount": 0})),
        ))
        .await;
    assert_eq!(answer["statusCode"], 200, "{answer}");
    management.posted("ann");
    for _ in 0..aws::MAX_RECEIVES {
        let failures = lambda
            .sqs_batch(&resources)
            .await
            .expect("the event is handed out");
        assert_eq!(
            failures["batchItemFailures"].as_array().map(Vec::len),
            Some(1),
            "{failures}"
        );
    }
    let parked = resources.dead_letters().await;
    assert_eq!(parked.len(), 1, "{parked:?}");
    assert_eq!(parked[0]["event"], json!({"auction_id": 7, "amount": 0}));
    assert_eq!(parked[0]["action"], "settle");

    // The page is built into the binary.
    let page = lambda
        .call(http("GET", "/auction-page", "auction_id=7", None))
        .await;
    assert_eq!(page["statusCode"], 200, "{page}");
    assert!(
        page["body"]
            .as_str()
            .is_some_and(|body| body.contains("<h1>Auction 7</h1>")),
        "{page}"
    );

    // Leaving forgets the connection and its subscriptions.
    lambda
        .call(websocket("DISCONNECT", "ann", None, Value::Null))
        .await;
    let items = resources.items().await;
    assert!(
        !items
            .iter()
            .any(|(pk, sk)| pk == "connection#ann" || sk == "ann"),
        "{items:?}"
    );
    lambda.stop().await;
}
