//! A background event stored in Redis runs with the switches that were on where it was published, as it
//! does in process.

use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{Value, json};
use servey_core::{Action, Registry};
use servey_redis::RedisBackend;

use crate::common::{Note, RECORD, app_over, bounded, eventually};
use crate::redis_server::RedisServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_background_event_runs_with_its_publishers_switches() {
    let server = RedisServer::start();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    // The background channel's target, recording which switches its call had on.
    let record = Action::builder("record_note", move |input: Value, context| {
        let sink = sink.clone();
        async move {
            let switches: Vec<String> = context.active_switches().map(str::to_owned).collect();
            sink.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push((input["text"].clone(), switches));
            Ok(json!(null))
        }
    })
    .build();
    let registry = Registry::builder()
        .action(record)
        .build()
        .expect("unique names");
    let backend = RedisBackend::connect(&server.url())
        .await
        .expect("the test's redis-server answers")
        .namespace(server.namespace());
    let backends = backend.backends(&registry).await.expect("subscribes");
    let app = app_over(registry, backends);
    let scheduler = servey_schedule::start(&app).await.expect("starts");

    let publisher = app.context().switches(["beta"]);
    RECORD
        .publish(&publisher, &Note::new("with beta"))
        .expect("published");
    RECORD
        .publish(&app.context(), &Note::new("without"))
        .expect("published");
    eventually("both jobs ran", || {
        seen.lock().unwrap_or_else(PoisonError::into_inner).len() == 2
    })
    .await;
    let mut runs = seen.lock().unwrap_or_else(PoisonError::into_inner).clone();
    runs.sort_by_key(|(text, _)| text.to_string());
    assert_eq!(
        runs,
        vec![
            (json!("with beta"), vec!["beta".to_owned()]),
            (json!("without"), Vec::new()),
        ]
    );
    bounded("the scheduler stops", scheduler.shutdown())
        .await
        .expect("stops cleanly");
}
