//! Subscriptions over graphql-transport-ws on a real socket, from an [`EventSource`] written here (the
//! channels adapter's is tested with the tour app): the token comes from `connection_init` or the
//! upgrade's `Authorization` header, the source's access control decides, and a refusal is that
//! subscription's one result, an error with the same `extensions.code` as a query's.

use std::time::Duration;

use futures_util::future::BoxFuture;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use servey_core::event::{EventSource, EventStream, StreamedEvent, SubscribableChannel};
use servey_core::{
    AccessControl, ActionError, App, Authorization, Backends, ErrorCode, EventSubscriptions,
    JwtBearer, Registry, Scope, ServeyConfig,
};
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::support::action_schema;

/// Two channels of `Alert`s: `alerts` for everyone, `vault` for the `root` scope; every subscriber gets
/// every event sent on `events` (channel name, event).
struct Alerts {
    events: broadcast::Sender<(&'static str, Value)>,
}

impl EventSource for Alerts {
    fn channels(&self) -> Vec<SubscribableChannel> {
        ["alerts", "vault"]
            .into_iter()
            .map(|name| SubscribableChannel {
                name,
                description: Some(format!("The `{name}` alerts.")),
                schema: action_schema(
                    json!({"type": "object"}),
                    json!({"$ref": "#/components/schemas/Alert"}),
                    &[(
                        "Alert",
                        json!({"type": "object", "required": ["level"], "properties": {"level": {"type": "string"}}}),
                    )],
                ),
            })
            .collect()
    }

    fn subscribe(
        &self,
        channel: &str,
        _subscriber_id: String,
        authorization: Option<Authorization>,
    ) -> Result<EventStream, ActionError> {
        let channel: &'static str = match channel {
            "alerts" => "alerts",
            "vault" => {
                Scope("root".to_owned()).check(authorization.as_ref())?;
                "vault"
            }
            _ => return Err(ActionError::new(ErrorCode::NotFound, "no such channel")),
        };
        let receiver = self.events.subscribe();
        Ok(
            futures_util::stream::unfold(receiver, move |mut receiver| async move {
                loop {
                    match receiver.recv().await {
                        Ok((name, event)) if name == channel => {
                            let event = StreamedEvent {
                                id: 0,
                                json: event.to_string(),
                            };
                            return Some((Ok(event), receiver));
                        }
                        Ok(_) => {}
                        Err(_) => return None,
                    }
                }
            })
            .boxed(),
        )
    }

    fn closing(&self) -> BoxFuture<'static, ()> {
        Box::pin(std::future::pending())
    }
}

type Client =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

struct Served {
    app: App,
    address: String,
    events: broadcast::Sender<(&'static str, Value)>,
}

async fn serve() -> Served {
    serve_with(JwtBearer::new("graphql-test-secret")).await
}

/// The alerts served to callers read by `authenticator`.
async fn serve_with(authenticator: JwtBearer) -> Served {
    let (events, _) = broadcast::channel(16);
    let source = EventSubscriptions::new(Alerts {
        events: events.clone(),
    });
    let registry = Registry::default();
    let backends = Backends::in_process(&registry).with_event_subscriptions(source);
    let app = App::builder(registry, ServeyConfig::default())
        .backends(backends)
        .authenticator(authenticator)
        .build()
        .expect("the app builds");
    let router = servey_graphql::router(&app).expect("the schema builds");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds a free port");
    let address = listener.local_addr().expect("an address").to_string();
    tokio::spawn(async move { axum::serve(listener, router).await });
    Served {
        app,
        address,
        events,
    }
}

impl Served {
    fn token(&self, scopes: &[&str]) -> String {
        self.app
            .authenticator()
            .issue(&Authorization::new("ann", scopes.iter().copied()))
            .expect("a token")
    }

    /// A graphql-transport-ws connection, acknowledged, with an optional upgrade `Authorization`.
    async fn connect(&self, init: Value, header: Option<&str>) -> Client {
        let mut request = format!("ws://{}/graphql", self.address)
            .into_client_request()
            .expect("a request");
        let headers = request.headers_mut();
        headers.insert(
            "sec-websocket-protocol",
            "graphql-transport-ws".parse().expect("a header"),
        );
        if let Some(header) = header {
            headers.insert("authorization", header.parse().expect("a header"));
        }
        let (mut client, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("connects");
        send(
            &mut client,
            json!({"type": "connection_init", "payload": init}),
        )
        .await;
        assert_eq!(next(&mut client).await, json!({"type": "connection_ack"}));
        client
    }

    /// Sends `event` on `channel` until a subscriber has it (a subscription starts asynchronously).
    async fn publish_until_received(&self, channel: &'static str, client: &mut Client) -> Value {
        let event = json!({"level": "high"});
        tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                let _ = self.events.send((channel, event.clone()));
                if let Ok(Some(Ok(Message::Text(text)))) =
                    tokio::time::timeout(Duration::from_millis(100), client.next()).await
                {
                    return serde_json::from_str(&text).expect("JSON");
                }
            }
        })
        .await
        .expect("an event within 10 s")
    }
}

async fn send(client: &mut Client, message: Value) {
    client
        .send(Message::text(message.to_string()))
        .await
        .expect("sends");
}

async fn next(client: &mut Client) -> Value {
    let frame = tokio::time::timeout(Duration::from_secs(10), client.next())
        .await
        .expect("a message within 10 s")
        .expect("open")
        .expect("a frame");
    match frame {
        Message::Text(text) => serde_json::from_str(&text).expect("JSON"),
        other => panic!("expected a protocol message, got {other:?}"),
    }
}

async fn subscribe(client: &mut Client, field: &str) {
    let query = format!("subscription {{ {field} {{ level }} }}");
    send(
        client,
        json!({"id": "1", "type": "subscribe", "payload": {"query": query}}),
    )
    .await;
}

/// The `extensions.code` of the one result a refused subscription gets (an execution error, so a `next`
/// with `errors`), checking that `complete` follows.
async fn refusal_code(client: &mut Client) -> Value {
    let message = next(client).await;
    assert_eq!(
        (&message["type"], &message["id"]),
        (&json!("next"), &json!("1")),
        "{message}"
    );
    assert_eq!(message["payload"]["data"], Value::Null, "{message}");
    assert_eq!(next(client).await, json!({"id": "1", "type": "complete"}));
    message["payload"]["errors"][0]["extensions"]["code"].clone()
}

#[tokio::test]
async fn channels_are_subscription_fields_in_the_sdl() {
    let served = serve().await;
    let sdl = servey_graphql::sdl(&served.app).expect("the SDL builds");
    assert!(sdl.contains("subscription: Subscription"), "{sdl}");
    assert!(
        sdl.contains("\tvault(\n") && sdl.contains("): Alert!"),
        "{sdl}"
    );
    assert_eq!(
        crate::support::graphql_core_errors(&sdl).await,
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn an_open_channel_delivers_to_anyone() {
    let served = serve().await;
    let mut client = served.connect(json!({}), None).await;
    subscribe(&mut client, "alerts").await;
    assert_eq!(
        served.publish_until_received("alerts", &mut client).await,
        json!({"id": "1", "type": "next", "payload": {"data": {"alerts": {"level": "high"}}}})
    );
}

#[tokio::test]
async fn the_token_comes_from_connection_init_or_the_upgrade_header() {
    let served = serve().await;
    let root = served.token(&["root"]);
    let bearer = format!("Bearer {root}");
    let mut by_init = served.connect(json!({"Authorization": bearer}), None).await;
    subscribe(&mut by_init, "vault").await;
    assert_eq!(
        served.publish_until_received("vault", &mut by_init).await["payload"],
        json!({"data": {"vault": {"level": "high"}}})
    );
    let mut by_header = served.connect(json!({}), Some(&bearer)).await;
    subscribe(&mut by_header, "vault").await;
    assert_eq!(
        served.publish_until_received("vault", &mut by_header).await["payload"],
        json!({"data": {"vault": {"level": "high"}}})
    );
}

#[tokio::test]
async fn refusals_carry_the_same_codes_as_queries() {
    let served = serve().await;
    let mut anonymous = served.connect(json!({}), None).await;
    subscribe(&mut anonymous, "vault").await;
    assert_eq!(refusal_code(&mut anonymous).await, "UNAUTHENTICATED");
    let weak = format!("Bearer {}", served.token(&["user"]));
    let mut weak = served.connect(json!({"authorization": weak}), None).await;
    subscribe(&mut weak, "vault").await;
    assert_eq!(refusal_code(&mut weak).await, "FORBIDDEN");
    let mut rejected = served
        .connect(json!({"Authorization": "Bearer not-a-token"}), None)
        .await;
    subscribe(&mut rejected, "alerts").await;
    assert_eq!(
        refusal_code(&mut rejected).await,
        "UNAUTHENTICATED",
        "a rejected token is refused even where none is needed, as on REST"
    );
}

#[tokio::test]
async fn connection_init_credentials_go_through_the_apps_authenticator() {
    let served = serve_with(JwtBearer::new("graphql-test-secret").schemes(["Token"])).await;
    let root = served.token(&["root"]);
    let mut by_token_scheme = served
        .connect(json!({"Authorization": format!("Token {root}")}), None)
        .await;
    subscribe(&mut by_token_scheme, "vault").await;
    assert_eq!(
        served
            .publish_until_received("vault", &mut by_token_scheme)
            .await["payload"],
        json!({"data": {"vault": {"level": "high"}}})
    );
    let mut other_scheme = served
        .connect(json!({"Authorization": format!("Bearer {root}")}), None)
        .await;
    subscribe(&mut other_scheme, "alerts").await;
    assert_eq!(
        refusal_code(&mut other_scheme).await,
        "UNAUTHENTICATED",
        "a scheme word the authenticator does not read is a rejected credential, as on the channel route"
    );
}
