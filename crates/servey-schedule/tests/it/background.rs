//! Background channels: each published event runs the channel's action exactly once, off the caller's
//! path, in the app whose context published it.

use serde_json::json;
use servey_core::{App, Context, Registry, ServeyConfig};
use servey_schedule::{Channels, EventChannel, PublishError, ScheduleError};

use crate::common::{Note, channels, context, metric, recording_app};

servey_schedule::background_channel!(
    /// Notes recorded by the `record_note` action.
    pub(crate) RECORD, "test_record", Note, action = "record_note"
);

#[tokio::test]
async fn each_background_event_runs_its_action_once() {
    let (app, recorded) = recording_app(vec![]);
    let context = context(&app);
    for n in 0..20 {
        RECORD
            .publish(&context, &Note::new(&format!("note {n}")))
            .expect("published");
    }
    RECORD
        .publish_json(&context, json!({"to": "ann", "text": "as json"}))
        .expect("published");
    // Every event has run once flush returns: a duplicate would already be recorded.
    channels(&app).flush().await;
    let mut expected: Vec<String> = (0..20).map(|n| format!("note {n}")).collect();
    expected.push("as json".to_owned());
    expected.sort();
    assert_eq!(recorded.sorted_texts(), expected);
    assert!(
        recorded
            .all()
            .contains(&json!({"to": "ann", "text": "as json"}))
    );
    assert_eq!(
        metric(
            &app,
            r#"servey_action_calls_total{action="record_note",transport="channel",outcome="ok"}"#
        ),
        Some(21.0)
    );
}

#[tokio::test]
async fn background_events_run_in_the_app_that_published_them() {
    let (first, first_recorded) = recording_app(vec![]);
    let (second, second_recorded) = recording_app(vec![]);
    RECORD
        .publish(&context(&first), &Note::new("for the first"))
        .expect("published");
    RECORD
        .publish(&context(&second), &Note::new("for the second"))
        .expect("published");
    channels(&first).flush().await;
    channels(&second).flush().await;
    assert_eq!(first_recorded.sorted_texts(), ["for the first"]);
    assert_eq!(second_recorded.sorted_texts(), ["for the second"]);
}

#[test]
fn a_context_of_no_app_cannot_publish() {
    let error = RECORD
        .publish(&Context::new(), &Note::new("lost"))
        .expect_err("no app");
    assert!(
        matches!(
            error,
            PublishError::NoChannels {
                channel: "test_record"
            }
        ),
        "{error:?}"
    );
    let bare = App::new(
        Registry::builder().build().expect("empty"),
        ServeyConfig::default(),
    );
    assert!(matches!(
        RECORD.publish(&bare.context(), &Note::new("lost")),
        Err(PublishError::NoChannels { .. })
    ));
}

#[test]
fn background_channel_with_unknown_action_fails_the_build() {
    let error = Channels::new(&Registry::builder().build().expect("empty"))
        .expect_err("record_note is missing");
    assert!(
        matches!(&error, ScheduleError::UnknownAction { channel, action } if channel == "test_record" && action == "record_note"),
        "{error:?}"
    );
}
