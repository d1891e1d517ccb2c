//! Who may subscribe: refusals complete the handshake and close with the documented codes (a browser
//! sees nothing of a refused handshake but 1006), scopes and custom access policies decide, and a token
//! may come in the header or the query.

use futures_util::SinkExt;
use servey_core::Authorization;
use servey_schedule::{CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED, CLOSE_UNKNOWN_CHANNEL};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::common::{
    Client, Note, app_with, close_code, connect, context, next_json, serve, subscribers, token,
};
use crate::websocket::SECRET;

/// A websocket to `path`, with `Authorization: Bearer <token>` when given; the handshake must succeed.
async fn connect_with(address: &str, path: &str, token: Option<&str>) -> Client {
    let mut request = format!("ws://{address}{path}")
        .into_client_request()
        .expect("a request");
    if let Some(token) = token {
        request.headers_mut().insert(
            "authorization",
            format!("Bearer {token}").parse().expect("a header"),
        );
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((client, response)) => {
            assert_eq!(response.status(), 101);
            client
        }
        Err(error) => panic!("the handshake of {path} failed: {error}"),
    }
}

/// The code the server closes a fresh connection to `path` with.
async fn refusal(address: &str, path: &str, token: Option<&str>) -> u16 {
    close_code(&mut connect_with(address, path, token).await).await
}

#[tokio::test]
async fn refused_subscribers_are_closed_with_the_documented_codes() {
    let app = app_with(vec![]);
    let address = serve(&app).await;
    let user = token(&app, "eve", &["user"]);
    let path = "/subscription/test_secret/eve";
    assert_eq!(refusal(&address, path, None).await, CLOSE_UNAUTHENTICATED);
    assert_eq!(
        refusal(&address, path, Some("not-a-token")).await,
        CLOSE_UNAUTHENTICATED
    );
    assert_eq!(
        refusal(&address, &format!("{path}?token=not-a-token"), None).await,
        CLOSE_UNAUTHENTICATED
    );
    assert_eq!(refusal(&address, path, Some(&user)).await, CLOSE_FORBIDDEN);
    assert_eq!(
        refusal(&address, "/subscription/no_such_channel/eve", None).await,
        CLOSE_UNKNOWN_CHANNEL
    );
    assert_eq!(
        refusal(&address, "/subscription/test_record/eve", None).await,
        CLOSE_UNKNOWN_CHANNEL,
        "a background channel is no websocket channel"
    );
    // A rejected token on the shared connection: no command is needed to learn it.
    assert_eq!(
        refusal(&address, "/subscription", Some("not-a-token")).await,
        CLOSE_UNAUTHENTICATED
    );
    // An open channel lets in anyone with no token or a valid one, even when a token was rejected
    // elsewhere.
    let mut reader = connect_with(&address, "/subscription/test_chat/eve", Some(&user)).await;
    subscribers(&app, "test_chat", 1).await;
    crate::websocket::CHAT
        .publish(&context(&app), &Note::new("open"))
        .expect("published");
    assert_eq!(next_json(&mut reader).await["text"], "open");
}

#[tokio::test]
async fn a_refusal_carries_the_reason() {
    let app = app_with(vec![]);
    let address = serve(&app).await;
    let mut client = connect_with(&address, "/subscription/no_such_channel/eve", None).await;
    let frame = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        use futures_util::StreamExt;
        client.next().await
    })
    .await
    .expect("a frame within 10 s")
    .expect("a frame")
    .expect("a frame");
    match frame {
        Message::Close(Some(frame)) => assert_eq!(
            (u16::from(frame.code), frame.reason.as_str()),
            (
                CLOSE_UNKNOWN_CHANNEL,
                "There is no event channel named `no_such_channel`."
            )
        ),
        other => panic!("expected a close frame, got {other:?}"),
    }
}

#[tokio::test]
async fn unauthorized_subscribers_are_refused() {
    let app = app_with(vec![]);
    let address = serve(&app).await;
    let context = context(&app);
    let path = "/subscription/test_secret/eve";
    let user = token(&app, "eve", &["user"]);

    // By message: the same decisions arrive as close codes.
    let mut anonymous = connect(&address, "/subscription").await;
    anonymous
        .send(Message::text(
            r#"{"type": "Subscribe", "payload": "test_secret"}"#,
        ))
        .await
        .expect("sends");
    assert_eq!(close_code(&mut anonymous).await, CLOSE_UNAUTHENTICATED);
    let mut weak = connect(&address, &format!("/subscription?token={user}")).await;
    weak.send(Message::text(
        r#"{"type": "Subscribe", "payload": "test_secret"}"#,
    ))
    .await
    .expect("sends");
    assert_eq!(close_code(&mut weak).await, CLOSE_FORBIDDEN);
    let mut lost = connect(&address, "/subscription").await;
    lost.send(Message::text(r#"{"type": "Subscribe", "payload": "nope"}"#))
        .await
        .expect("sends");
    assert_eq!(close_code(&mut lost).await, CLOSE_UNKNOWN_CHANNEL);
    let mut garbled = connect(&address, "/subscription").await;
    garbled
        .send(Message::text("subscribe me"))
        .await
        .expect("sends");
    assert_eq!(
        close_code(&mut garbled).await,
        servey_schedule::CLOSE_BAD_MESSAGE
    );

    // With the scope, by query and by header: subscribed and receiving.
    let root = token(&app, "root", &["root"]);
    let mut by_query = connect(&address, &format!("{path}?token={root}")).await;
    let mut by_header = connect_with(&address, path, Some(&root)).await;
    subscribers(&app, "test_secret", 2).await;
    SECRET
        .publish(&context, &Note::new("classified"))
        .expect("published");
    assert_eq!(next_json(&mut by_query).await["text"], "classified");
    assert_eq!(next_json(&mut by_header).await["text"], "classified");
}

/// Lets in only subjects whose name ends in `-bot`.
#[derive(Default)]
struct OnlyBots;

impl servey_core::AccessControl for OnlyBots {
    fn check(&self, authorization: Option<&Authorization>) -> Result<(), servey_core::ActionError> {
        match authorization.and_then(|auth| auth.subject.as_deref()) {
            Some(subject) if subject.ends_with("-bot") => Ok(()),
            Some(_) => Err(servey_core::ActionError::new(
                servey_core::ErrorCode::Forbidden,
                "Bots only.",
            )),
            None => Err(servey_core::ActionError::new(
                servey_core::ErrorCode::Unauthenticated,
                "Who are you?",
            )),
        }
    }
}

servey_schedule::websocket_event_channel!(BOTS, "test_bots", Note, access_control = OnlyBots);

#[tokio::test]
async fn custom_access_control_decides_who_subscribes() {
    let app = app_with(vec![]);
    let address = serve(&app).await;
    let context = context(&app);
    let path = "/subscription/test_bots/b";
    assert_eq!(refusal(&address, path, None).await, CLOSE_UNAUTHENTICATED);
    assert_eq!(
        refusal(&address, path, Some(&token(&app, "ann", &[]))).await,
        CLOSE_FORBIDDEN
    );
    let mut bot = connect(
        &address,
        &format!("{path}?token={}", token(&app, "r2-bot", &[])),
    )
    .await;
    subscribers(&app, "test_bots", 1).await;
    BOTS.publish(&context, &Note::new("beep"))
        .expect("published");
    assert_eq!(next_json(&mut bot).await["text"], "beep");
}
