//! The channels as core's `EventSource` (what GraphQL subscriptions read): only websocket channels,
//! the same access control, filter and targeted publishes as the websocket routes, a slow subscriber
//! ended with an error, every stream ended at shutdown, and a dropped stream unsubscribed.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;
use servey_core::Authorization;
use servey_core::event::{EventSource, EventStream, EventStreamError};
use servey_schedule::SUBSCRIBER_BUFFER;

use crate::common::{Note, app_with, channels, context, subscribers};
use crate::websocket::{CHAT, FILTERED, SECRET, TARGETED};

async fn next_event(stream: &mut EventStream) -> Value {
    let item = tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .expect("an event within 10 s")
        .expect("the stream goes on")
        .expect("an event");
    serde_json::from_str(&item.json).expect("JSON")
}

#[tokio::test]
async fn only_websocket_channels_are_offered_with_their_event_type() {
    let app = app_with(vec![]);
    let offered = channels(&app).channels();
    let names: Vec<&str> = offered.iter().map(|channel| channel.name).collect();
    assert!(names.contains(&"test_chat") && names.contains(&"test_secret"));
    assert!(!names.contains(&"test_record") && !names.contains(&"test_flaky_hook"));
    let chat = offered
        .iter()
        .find(|channel| channel.name == "test_chat")
        .expect("offered");
    assert_eq!(chat.description.as_deref(), Some("Open to everyone."));
    assert!(chat.schema.components().contains_key("Note"));
}

#[tokio::test]
async fn access_control_decides_as_on_the_websocket_route() {
    let app = app_with(vec![]);
    let source = channels(&app);
    let status = |channel: &str, authorization: Option<Authorization>| {
        source
            .subscribe(channel, "eve".to_owned(), authorization)
            .err()
            .map(|error| error.status())
    };
    assert_eq!(status("test_secret", None), Some(401));
    assert_eq!(
        status("test_secret", Some(Authorization::new("eve", ["user"]))),
        Some(403)
    );
    assert_eq!(status("no_such_channel", None), Some(404));
    assert_eq!(status("test_record", None), Some(404));
    assert_eq!(
        status("test_secret", Some(Authorization::new("root", ["root"]))),
        None
    );
    let mut secret = source
        .subscribe(
            "test_secret",
            "r".to_owned(),
            Some(Authorization::new("root", ["root"])),
        )
        .expect("allowed");
    SECRET
        .publish(&context(&app), &Note::new("classified"))
        .expect("published");
    assert_eq!(next_event(&mut secret).await["text"], "classified");
}

#[tokio::test]
async fn filters_and_targets_see_the_subscriber_id() {
    let app = app_with(vec![]);
    let source = channels(&app);
    let context = context(&app);
    let mut ann = source
        .subscribe("test_filtered", "ann".to_owned(), None)
        .expect("open");
    let mut bob = source
        .subscribe("test_targeted", "bob".to_owned(), None)
        .expect("open");
    let for_carol = Note {
        to: Some("carol".into()),
        text: "psst carol".into(),
    };
    FILTERED.publish(&context, &for_carol).expect("published");
    FILTERED
        .publish(&context, &Note::new("everyone"))
        .expect("published");
    assert_eq!(next_event(&mut ann).await["text"], "everyone");
    TARGETED
        .publish_to(&context, "someone else", &Note::new("not for bob"))
        .expect("published");
    TARGETED
        .publish_to(&context, "bob", &Note::new("for bob"))
        .expect("published");
    assert_eq!(next_event(&mut bob).await["text"], "for bob");
}

#[tokio::test]
async fn a_dropped_stream_unsubscribes_and_shutdown_ends_the_others() {
    let app = app_with(vec![]);
    let source = channels(&app);
    let first = source
        .subscribe("test_chat", "a".to_owned(), None)
        .expect("open");
    let mut second = source
        .subscribe("test_chat", "b".to_owned(), None)
        .expect("open");
    subscribers(&app, "test_chat", 2).await;
    drop(first);
    subscribers(&app, "test_chat", 1).await;
    let closing = source.closing();
    source.subscribers().close_all();
    tokio::time::timeout(Duration::from_secs(10), closing)
        .await
        .expect("closing resolves at shutdown");
    let ended = tokio::time::timeout(Duration::from_secs(10), second.next())
        .await
        .expect("the stream ends within 10 s");
    assert!(ended.is_none(), "{ended:?}");
}

#[tokio::test]
async fn a_subscriber_that_reads_too_slowly_gets_an_error_then_the_end() {
    let app = app_with(vec![]);
    let source = channels(&app);
    let context = context(&app);
    let mut slow = source
        .subscribe("test_chat", "slow".to_owned(), None)
        .expect("open");
    for n in 0..=SUBSCRIBER_BUFFER {
        CHAT.publish(&context, &Note::new(&n.to_string()))
            .expect("published");
    }
    let mut items = Vec::new();
    while let Some(item) = tokio::time::timeout(Duration::from_secs(10), slow.next())
        .await
        .expect("the stream moves within 10 s")
    {
        items.push(item);
    }
    assert_eq!(
        items.last(),
        Some(&Err(EventStreamError::TooSlow {
            buffered: SUBSCRIBER_BUFFER
        }))
    );
    assert_eq!(channels(&app).subscribers().count("test_chat"), 0);
}
