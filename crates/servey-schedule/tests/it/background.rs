//! Background channels: each published event runs the channel's action exactly once, off the caller's path.

use std::time::Duration;

use serde_json::{Value, json};
use servey_schedule::{EventChannel, ScheduleError};

use crate::common::{Note, RECORDED, app_with, eventually, exclusive_start};

servey_schedule::background_channel!(
    /// Notes recorded by the `record_note` action.
    pub(crate) RECORD, "test_record", Note, action = "record_note"
);

fn recorded_texts() -> Vec<String> {
    let recorded = RECORDED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    recorded
        .iter()
        .filter_map(|value| value.get("text").and_then(Value::as_str))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn each_background_event_runs_its_action_once() {
    let _lock = exclusive_start().await;
    // One published before `start`: it waits for the app instead of being lost.
    RECORD.publish(&Note::new("early")).expect("queued");
    let scheduler = servey_schedule::start(&app_with(vec![]))
        .await
        .expect("starts");
    for n in 0..20 {
        RECORD
            .publish(&Note::new(&format!("note {n}")))
            .expect("published");
    }
    RECORD
        .publish_json(json!({"to": "ann", "text": "as json"}))
        .expect("published");
    eventually("22 notes were recorded", || recorded_texts().len() >= 22).await;
    // Give a duplicate the chance to show up before counting.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut texts = recorded_texts();
    texts.sort();
    let mut expected: Vec<String> = (0..20).map(|n| format!("note {n}")).collect();
    expected.extend(["early".to_owned(), "as json".to_owned()]);
    expected.sort();
    assert_eq!(texts, expected);
    assert!(
        RECORDED
            .lock()
            .expect("not poisoned")
            .contains(&json!({"to": "ann", "text": "as json"}))
    );
    scheduler.shutdown().await.expect("stops");
}

#[tokio::test]
async fn background_channel_with_unknown_action_fails_start() {
    let _lock = exclusive_start().await;
    let app = servey_core::App::new(
        servey_core::Registry::builder().build().expect("empty"),
        servey_core::ServeyConfig::default(),
    );
    let error = servey_schedule::start(&app)
        .await
        .expect_err("record_note is missing");
    assert!(
        matches!(&error, ScheduleError::UnknownAction { channel, action } if channel == "test_record" && action == "record_note"),
        "{error:?}"
    );
}
