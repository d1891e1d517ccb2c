//! Who may subscribe: refused handshakes are the same problem documents as REST's, scopes and custom
//! access policies decide, and a token may come in the header or the query.

use futures_util::SinkExt;
use serde_json::json;
use servey_core::Authorization;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::common::{
    Note, app_with, close_code, connect, context, next_json, serve, subscribers, token,
};
use crate::websocket::SECRET;

/// The refused handshake's response (status, headers, body), or `None` when the upgrade succeeded.
async fn handshake(
    address: &str,
    path: &str,
    token: Option<&str>,
) -> Option<tokio_tungstenite::tungstenite::http::Response<Option<Vec<u8>>>> {
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
        Ok(_) => None,
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Some(*response),
        Err(other) => panic!("unexpected handshake error: {other}"),
    }
}

async fn handshake_status(address: &str, path: &str, token: Option<&str>) -> u16 {
    handshake(address, path, token)
        .await
        .map_or(101, |response| response.status().as_u16())
}

#[tokio::test]
async fn refused_handshakes_are_problems_with_the_bearer_challenge() {
    let app = app_with(vec![]);
    let address = serve(&app).await;
    let rejected = handshake(&address, "/subscription/test_chat/eve", Some("not-a-token"))
        .await
        .expect("refused");
    assert_eq!(rejected.status(), 401);
    assert_eq!(
        rejected.headers()["www-authenticate"],
        r#"Bearer error="invalid_token""#
    );
    assert_eq!(
        rejected.headers()["content-type"],
        "application/problem+json"
    );
    let body: serde_json::Value =
        serde_json::from_slice(rejected.body().as_deref().unwrap_or_default()).expect("json");
    assert_eq!(
        (&body["code"], &body["status"], &body["title"]),
        (
            &json!("unauthenticated"),
            &json!(401),
            &json!("Unauthenticated")
        )
    );
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|detail| detail.starts_with("The credentials were rejected: ")),
        "{body}"
    );
    let anonymous = handshake(&address, "/subscription/test_secret/eve", None)
        .await
        .expect("refused");
    assert_eq!(
        (
            anonymous.status().as_u16(),
            &anonymous.headers()["www-authenticate"]
        ),
        (
            401,
            &"Bearer"
                .parse::<axum::http::HeaderValue>()
                .expect("a value")
        )
    );
}

#[tokio::test]
async fn unauthorized_subscribers_are_refused() {
    let app = app_with(vec![]);
    let address = serve(&app).await;
    let context = context(&app);
    let path = "/subscription/test_secret/eve";
    assert_eq!(handshake_status(&address, path, None).await, 401);
    assert_eq!(
        handshake_status(&address, path, Some("not-a-token")).await,
        401
    );
    let user = token(&app, "eve", &["user"]);
    assert_eq!(handshake_status(&address, path, Some(&user)).await, 403);
    assert_eq!(
        handshake_status(&address, "/subscription/no_such_channel/eve", None).await,
        404
    );
    assert_eq!(
        handshake_status(&address, "/subscription/test_record/eve", None).await,
        404
    );

    // By message: the same decisions arrive as close codes.
    let mut anonymous = connect(&address, "/subscription").await;
    anonymous
        .send(Message::text(
            r#"{"type": "Subscribe", "payload": "test_secret"}"#,
        ))
        .await
        .expect("sends");
    assert_eq!(
        close_code(&mut anonymous).await,
        servey_schedule::CLOSE_UNAUTHENTICATED
    );
    let mut weak = connect(&address, &format!("/subscription?token={user}")).await;
    weak.send(Message::text(
        r#"{"type": "Subscribe", "payload": "test_secret"}"#,
    ))
    .await
    .expect("sends");
    assert_eq!(
        close_code(&mut weak).await,
        servey_schedule::CLOSE_FORBIDDEN
    );
    let mut lost = connect(&address, "/subscription").await;
    lost.send(Message::text(r#"{"type": "Subscribe", "payload": "nope"}"#))
        .await
        .expect("sends");
    assert_eq!(
        close_code(&mut lost).await,
        servey_schedule::CLOSE_UNKNOWN_CHANNEL
    );
    let mut garbled = connect(&address, "/subscription").await;
    garbled
        .send(Message::text("subscribe me"))
        .await
        .expect("sends");
    assert_eq!(
        close_code(&mut garbled).await,
        servey_schedule::CLOSE_BAD_MESSAGE
    );

    // With the scope, by header and by query: subscribed and receiving.
    let root = token(&app, "root", &["root"]);
    let mut by_query = connect(&address, &format!("{path}?token={root}")).await;
    subscribers(&app, "test_secret", 1).await;
    SECRET
        .publish(&context, &Note::new("classified"))
        .expect("published");
    assert_eq!(next_json(&mut by_query).await["text"], "classified");
    assert_eq!(handshake_status(&address, path, Some(&root)).await, 101);
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
    assert_eq!(handshake_status(&address, path, None).await, 401);
    assert_eq!(
        handshake_status(&address, path, Some(&token(&app, "ann", &[]))).await,
        403
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
