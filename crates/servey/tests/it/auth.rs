//! Authentication: the JWT bearer under another scheme name, tokens issued by actions, a custom
//! authenticator, rejected tokens on open actions, and the opt-in debug login.

use reqwest::header::{AUTHORIZATION, HeaderMap};
use serde_json::json;
use servey::{
    Action, ActionError, Authenticator, Authorization, Context, Credentials, ErrorCode, JwtBearer,
    Method, Scope, SecurityScheme,
};

use crate::support::{JWT_SECRET, Server, builder, config, header, json_parts, send, start, web};

/// `GET /me`: the caller's subject; needs the `user` scope.
pub(crate) fn whoami() -> Action {
    Action::builder("whoami", |_, context: Context| async move {
        let subject = context.authorization().and_then(|a| a.subject.clone());
        Ok(json!({ "subject": subject }))
    })
    .trigger(web(Method::Get, "/me"))
    .access_control(Scope("user".into()))
    .build()
}

/// `GET /hello`: open to anyone.
fn hello() -> Action {
    Action::builder("hello", |_, _| async { Ok(json!("hi")) })
        .trigger(web(Method::Get, "/hello"))
        .build()
}

/// `POST /sessions`: logs `ann` in with the app's authenticator.
fn log_in() -> Action {
    Action::builder("log_in", |_, context: Context| async move {
        let token = context.issue_token(&Authorization::new("ann", ["user"]))?;
        Ok(json!({ "token": token }))
    })
    .trigger(web(Method::Post, "/sessions"))
    .build()
}

/// A JWT for `ann` with the `user` scope, signed with the test key.
pub(crate) fn ann_jwt() -> String {
    JwtBearer::new(JWT_SECRET)
        .issue(&Authorization::new("ann", ["user"]))
        .expect("issued")
}

/// `GET path` with `Authorization: value`, when given.
async fn get_as(server: &Server, path: &str, authorization: Option<&str>) -> reqwest::Response {
    let mut request = server.request(reqwest::Method::GET, path);
    if let Some(value) = authorization {
        request = request.header(AUTHORIZATION, value);
    }
    send(request).await
}

/// The status and `WWW-Authenticate` challenge of a refused call.
fn refusal(response: &reqwest::Response) -> (u16, &str) {
    (
        response.status().as_u16(),
        header(response, "www-authenticate"),
    )
}

#[tokio::test]
async fn a_token_scheme_reads_token_and_refuses_bearer() {
    let server = start(builder([whoami()]).bearer_schemes(["Token"])).await;
    let jwt = ann_jwt();
    let accepted = get_as(&server, "/me", Some(&format!("Token {jwt}"))).await;
    assert_eq!(
        json_parts(accepted).await,
        (200, "application/json".into(), json!({ "subject": "ann" }))
    );
    let bearer = get_as(&server, "/me", Some(&format!("Bearer {jwt}"))).await;
    assert_eq!(refusal(&bearer), (401, r#"Token error="invalid_token""#));
    let (_, _, problem) = json_parts(bearer).await;
    assert_eq!(
        problem["detail"],
        "The credentials were rejected: the Authorization header is not `Token <token>`."
    );
    let anonymous = get_as(&server, "/me", None).await;
    assert_eq!(refusal(&anonymous), (401, "Token"));
}

#[tokio::test]
async fn a_token_scheme_is_documented_as_an_api_key_in_authorization() {
    let server = start(builder([whoami(), hello()]).bearer_schemes(["Token"])).await;
    let document = server.openapi().await;
    assert_eq!(
        document["components"]["securitySchemes"],
        json!({ "token": {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A JWT, sent as `Authorization: Token <token>`."
        } })
    );
    assert_eq!(
        document["paths"]["/me"]["get"]["security"],
        json!([{ "token": [] }])
    );
    // Public: no credentials, or the token when one is held (it is read, and checked, when sent).
    assert_eq!(
        document["paths"]["/hello"]["get"]["security"],
        json!([{}, { "token": [] }])
    );
}

#[tokio::test]
async fn an_issued_token_opens_a_protected_action() {
    let server = start(builder([log_in(), whoami()]).bearer_schemes(["Token"])).await;
    let (status, _, body) = json_parts(server.post("/sessions", &json!({})).await).await;
    assert_eq!(status, 200);
    let token = body["token"].as_str().expect("a token");
    let me = get_as(&server, "/me", Some(&format!("Token {token}"))).await;
    assert_eq!(
        json_parts(me).await,
        (200, "application/json".into(), json!({ "subject": "ann" }))
    );
}

/// Callers named by an `X-Api-Key` header; `ann-key` is the only key.
struct ApiKeys;

impl Authenticator for ApiKeys {
    fn authenticate(&self, headers: &HeaderMap) -> Credentials {
        match headers.get("x-api-key") {
            None => Credentials::Anonymous,
            Some(key) => self.verify_token(key.to_str().unwrap_or_default()),
        }
    }

    fn verify_token(&self, token: &str) -> Credentials {
        match token {
            "ann-key" => Credentials::Valid(Authorization::new("ann", ["user"])),
            _ => Credentials::Rejected("unknown key".into()),
        }
    }

    fn issue(&self, _: &Authorization) -> Result<String, ActionError> {
        Err(ActionError::new(
            ErrorCode::Forbidden,
            "keys are not issued",
        ))
    }

    fn challenge(&self, token_rejected: bool) -> String {
        if token_rejected {
            r#"ApiKey error="invalid_key""#
        } else {
            "ApiKey"
        }
        .to_owned()
    }

    fn security_scheme(&self) -> SecurityScheme {
        SecurityScheme::ApiKeyHeader {
            name: "apiKey".into(),
            header: "X-Api-Key".into(),
            description: "An API key.".into(),
        }
    }
}

#[tokio::test]
async fn a_custom_authenticator_reads_the_credentials() {
    let server = start(builder([whoami()]).authenticator(ApiKeys)).await;
    let with_key = |key: &'static str| {
        send(
            server
                .request(reqwest::Method::GET, "/me")
                .header("x-api-key", key),
        )
    };
    assert_eq!(
        json_parts(with_key("ann-key").await).await,
        (200, "application/json".into(), json!({ "subject": "ann" }))
    );
    assert_eq!(
        refusal(&with_key("bob-key").await),
        (401, r#"ApiKey error="invalid_key""#)
    );
    // The JWT bearer is replaced, not kept beside it.
    let jwt = get_as(&server, "/me", Some(&format!("Bearer {}", ann_jwt()))).await;
    assert_eq!(refusal(&jwt), (401, "ApiKey"));
    let document = server.openapi().await;
    assert_eq!(
        document["components"]["securitySchemes"],
        json!({ "apiKey": {
            "type": "apiKey", "in": "header", "name": "X-Api-Key", "description": "An API key."
        } })
    );
    assert_eq!(
        document["paths"]["/me"]["get"]["security"],
        json!([{ "apiKey": [] }])
    );
}

#[tokio::test]
async fn a_bad_token_on_an_optional_auth_action_is_401() {
    let server = start(builder([hello()])).await;
    let open = get_as(&server, "/hello", None).await;
    assert_eq!(
        json_parts(open).await,
        (200, "application/json".into(), json!("hi"))
    );
    let malformed = get_as(&server, "/hello", Some("Bearer not-a-jwt")).await;
    assert_eq!(
        refusal(&malformed),
        (401, r#"Bearer error="invalid_token""#)
    );
    assert_eq!(
        json_parts(malformed).await,
        (
            401,
            "application/problem+json".into(),
            json!({
                "type": "about:blank",
                "title": "Unauthenticated",
                "status": 401,
                "code": "unauthenticated",
                "detail": "The credentials were rejected: the token is malformed."
            })
        )
    );
}

/// `POST /login` with the debug password form.
async fn debug_log_in(server: &Server, password: &str) -> reqwest::Response {
    let form = [
        ("grant_type", "password"),
        ("username", "root"),
        ("password", password),
    ];
    send(server.request(reqwest::Method::POST, "/login").form(&form)).await
}

#[tokio::test]
async fn debug_login_is_absent_unless_switched_on() {
    let server = start(builder([hello()])).await;
    assert_eq!(debug_log_in(&server, "secret").await.status(), 404);
    let document = server.openapi().await;
    assert_eq!(document["paths"].get("/login"), None);
    assert_eq!(
        document["components"]["securitySchemes"].get("oauth2"),
        None
    );
}

#[tokio::test]
async fn debug_login_switched_on_issues_root_tokens() {
    let root_only = Action::builder("root_only", |_, _| async { Ok(json!("root")) })
        .trigger(web(Method::Get, "/root"))
        .access_control(Scope("root".into()))
        .build();
    let app = builder([root_only])
        .config(config(&[("SERVEY_DEBUG_AUTHENTICATOR_PASSWORD", "secret")]))
        .debug_login(true);
    let server = start(app).await;
    assert_eq!(debug_log_in(&server, "wrong").await.status(), 400);
    let (status, _, body) = json_parts(debug_log_in(&server, "secret").await).await;
    assert_eq!((status, &body["token_type"]), (200, &json!("bearer")));
    let token = body["access_token"].as_str().expect("a token");
    let root = get_as(&server, "/root", Some(&format!("Bearer {token}"))).await;
    assert_eq!(
        json_parts(root).await,
        (200, "application/json".into(), json!("root"))
    );
    let document = server.openapi().await;
    assert!(
        document["paths"]["/login"]["post"].is_object(),
        "{document}"
    );
    assert_eq!(
        document["paths"]["/root"]["get"]["security"],
        json!([{ "bearer": [] }, { "oauth2": ["root"] }])
    );
    let flow = &document["components"]["securitySchemes"]["oauth2"]["flows"]["password"];
    assert_eq!(flow["tokenUrl"], "/login");
}

/// `POST /sign-in`: refuses every password with its own 401, as a login does.
fn sign_in() -> Action {
    Action::builder("sign_in", |_, _| async {
        Err::<serde_json::Value, _>(ActionError::custom(
            401,
            "wrong_password",
            "The email or password is wrong.",
        ))
    })
    .trigger(web(Method::Post, "/sign-in"))
    .build()
}

#[tokio::test]
async fn an_actions_own_401_has_no_challenge_while_missing_credentials_do() {
    let server = start(builder([sign_in(), whoami()])).await;
    let refused = server.post("/sign-in", &json!({})).await;
    assert_eq!(refused.status(), 401);
    assert_eq!(refused.headers().get("www-authenticate"), None);
    let (_, _, problem) = json_parts(refused).await;
    assert_eq!(
        (&problem["code"], &problem["detail"]),
        (
            &json!("wrong_password"),
            &json!("The email or password is wrong.")
        )
    );
    let anonymous = get_as(&server, "/me", None).await;
    assert_eq!(refusal(&anonymous), (401, "Bearer"));
    let rejected = get_as(&server, "/me", Some("Bearer nonsense")).await;
    assert_eq!(refusal(&rejected), (401, r#"Bearer error="invalid_token""#));
}
