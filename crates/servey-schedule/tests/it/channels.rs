//! Each app owns its channels: built once from the declarations (names checked unique there, for the
//! routes and the scheduler alike), and required by both.

use servey_core::{App, ServeyConfig};
use servey_schedule::{Channels, ScheduleError, WebsocketChannel};

use crate::common::{Note, app_with};

/// Shares `test_chat`'s name and is not submitted to the link-time list: only this test adds it.
static CHAT_TWIN: WebsocketChannel<Note> = WebsocketChannel::new("test_chat", "");

#[test]
fn duplicate_channel_names_fail_the_build() {
    let app = app_with(vec![]);
    let error = Channels::builder(app.registry())
        .channel(&CHAT_TWIN)
        .build()
        .expect_err("two channels named test_chat");
    assert!(
        matches!(&error, ScheduleError::DuplicateChannel { name } if name == "test_chat"),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "two event channels are named `test_chat`; channel names must be unique"
    );
}

#[tokio::test]
async fn router_and_start_refuse_an_app_without_channels() {
    let bare = App::new(app_with(vec![]).registry().clone(), ServeyConfig::default());
    let refused = servey_schedule::router(&bare).expect_err("no channels");
    assert!(matches!(refused, ScheduleError::NoChannels), "{refused:?}");
    let refused = servey_schedule::start(&bare)
        .await
        .expect_err("no channels");
    assert!(matches!(refused, ScheduleError::NoChannels), "{refused:?}");
    assert!(servey_schedule::asyncapi(&bare).is_err());
}
