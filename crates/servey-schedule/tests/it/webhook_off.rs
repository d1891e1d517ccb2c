//! Without the `http-client` feature a declared webhook channel is a start error naming the feature.

use servey_core::Registry;
use servey_schedule::{Channels, ScheduleError, WebhookChannel};

use crate::common::Note;

/// Added by hand, not declared: a declared one would stop every other app in this binary.
static HOOK: WebhookChannel<Note> =
    WebhookChannel::new("off_hook", "A hook.", || "http://127.0.0.1:9/".to_owned());

#[test]
fn a_webhook_channel_without_the_http_client_feature_is_a_start_error() {
    let refused = Channels::builder(&Registry::default())
        .channel(&HOOK)
        .build()
        .map(|_| ())
        .expect_err("no HTTP client");
    assert!(matches!(&refused, ScheduleError::HttpClientOff { channel } if channel == "off_hook"));
    assert_eq!(
        refused.to_string(),
        "webhook channel `off_hook`: delivering webhooks needs servey's `http-client` cargo feature, which is off in this build; turn it on in Cargo.toml (`servey = { features = [\"http-client\"] }`)"
    );
}
