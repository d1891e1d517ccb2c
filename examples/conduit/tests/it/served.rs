//! The Conduit app served on a real socket: RealWorld's `Token` scheme, statuses, `Location`, its error
//! body, and an OpenAPI document that says so and passes openapi-spec-validator.

use std::path::PathBuf;

use serde_json::{Value, json};
use servey::{Authenticator, Authorization, JwtBearer, ServeyConfig};

/// A served Conduit app on a fresh in-memory database: its base URL.
pub(crate) async fn serve() -> String {
    let config = ServeyConfig::from_lookup(|key| {
        (key == "JWT_SECRET_KEY").then(|| "conduit-test-secret".to_owned())
    });
    let app = conduit::builder("sqlite::memory:".to_owned())
        .config(config)
        .build()
        .await
        .expect("the Conduit app builds");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds a free port");
    let base = format!("http://{}", listener.local_addr().expect("an address"));
    tokio::spawn(servey::serve_with_shutdown(
        listener,
        app,
        std::future::pending(),
    ));
    base
}

async fn send(request: reqwest::RequestBuilder) -> (u16, reqwest::header::HeaderMap, String) {
    let response = request.send().await.expect("the request is answered");
    let (status, headers) = (response.status().as_u16(), response.headers().clone());
    (status, headers, response.text().await.expect("a body"))
}

fn json_of(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body}"))
}

/// Registers `name` and returns their token.
pub(crate) async fn register(base: &str, name: &str) -> String {
    let (status, _, body) = send(reqwest::Client::new().post(format!("{base}/api/users")).json(
        &json!({"user": {"username": name, "email": format!("{name}@example.com"), "password": "pw-12345"}}),
    ))
    .await;
    assert_eq!(status, 201, "{body}");
    let user = json_of(&body);
    assert_eq!(user["user"]["username"], name);
    user["user"]["token"].as_str().expect("a token").to_owned()
}

/// Blank and missing fields are refused by servey from the wire types' constraints, before any action
/// runs, and read in RealWorld's words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blank_fields_are_refused_before_the_action_runs() {
    let base = serve().await;
    let token = register(&base, "cat").await;
    let client = reqwest::Client::new();
    let authorized = |request: reqwest::RequestBuilder| {
        request.header("authorization", format!("Token {token}"))
    };
    let cases = [
        (
            client.post(format!("{base}/api/users")),
            json!({"user": {"username": " ", "password": ""}}),
            json!({"username": ["can't be blank"], "email": ["can't be blank"], "password": ["can't be blank"]}),
        ),
        (
            client.post(format!("{base}/api/users/login")),
            json!({"user": {"email": "cat@example.com", "password": "  "}}),
            json!({"password": ["can't be blank"]}),
        ),
        (
            authorized(client.put(format!("{base}/api/user"))),
            json!({"user": {"username": "\t"}}),
            json!({"username": ["can't be blank"]}),
        ),
        (
            authorized(client.post(format!("{base}/api/articles"))),
            json!({"article": {"title": " ", "description": "d", "body": ""}}),
            json!({"title": ["can't be blank"], "body": ["can't be blank"]}),
        ),
        (
            authorized(client.post(format!("{base}/api/articles/no-such-slug/comments"))),
            json!({"comment": {"body": " "}}),
            json!({"body": ["can't be blank"]}),
        ),
    ];
    for (request, body, errors) in cases {
        let (status, _, answer) = send(request.json(&body)).await;
        assert_eq!(
            (status, json_of(&answer)),
            (422, json!({"errors": errors})),
            "{body}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_are_read_under_the_token_scheme_only() {
    let base = serve().await;
    let token = register(&base, "ann").await;
    let client = reqwest::Client::new();
    let url = format!("{base}/api/user");
    let (status, _, body) = send(
        client
            .get(&url)
            .header("Authorization", format!("Token {token}")),
    )
    .await;
    assert_eq!(
        (status, json_of(&body)["user"]["email"].clone()),
        (200, json!("ann@example.com"))
    );
    // `GET /user` echoes the token as sent, not one issued anew: this one (with a scope Conduit never
    // grants) differs from any Conduit would issue.
    let presented = JwtBearer::new("conduit-test-secret")
        .issue(&Authorization::new("1", ["presented"]))
        .expect("issued");
    let (status, _, body) = send(
        client
            .get(&url)
            .header("Authorization", format!("Token {presented}")),
    )
    .await;
    let user = json_of(&body)["user"].clone();
    assert_eq!(
        (status, user["email"].as_str(), user["token"].as_str()),
        (200, Some("ann@example.com"), Some(presented.as_str()))
    );
    let (status, headers, body) = send(
        client
            .get(&url)
            .header("Authorization", format!("Bearer {token}")),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(
        headers["www-authenticate"],
        r#"Token error="invalid_token""#
    );
    assert_eq!(
        json_of(&body),
        json!({"errors": {"body": ["The credentials were rejected: the Authorization header is not `Token <token>`."]}})
    );
    let (status, headers, _) = send(client.get(&url)).await;
    assert_eq!(
        (status, &headers["www-authenticate"]),
        (
            401,
            &"Token"
                .parse::<reqwest::header::HeaderValue>()
                .expect("a value")
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_have_realworlds_body_and_status() {
    let base = serve().await;
    register(&base, "bob").await;
    let client = reqwest::Client::new();
    let (status, headers, body) = send(client.post(format!("{base}/api/users")).json(
        &json!({"user": {"username": "bob2", "email": "bob@example.com", "password": "pw"}}),
    ))
    .await;
    assert_eq!(status, 422);
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(
        json_of(&body),
        json!({"errors": {"email": ["has already been taken"]}})
    );
    let (status, _, body) = send(client.get(format!("{base}/api/articles/no-such-slug"))).await;
    assert_eq!(
        (status, json_of(&body)),
        (404, json!({"errors": {"article": ["not found"]}}))
    );
    let (status, headers, body) = send(
        client
            .post(format!("{base}/api/users/login"))
            .json(&json!({"user": {"email": "bob@example.com", "password": "wrong"}})),
    )
    .await;
    // A wrong password is no auth-scheme problem: no challenge.
    assert!(!headers.contains_key("www-authenticate"), "{headers:?}");
    assert_eq!(
        (status, json_of(&body)),
        (
            401,
            json!({"errors": {"email or password": ["is invalid"]}})
        )
    );
    let (status, _, body) = send(client.get(format!("{base}/nowhere"))).await;
    assert_eq!(
        (status, json_of(&body)),
        (
            404,
            json!({"errors": {"body": ["No route matches GET /nowhere."]}})
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_answers_201_with_location_and_deleting_204_with_no_body() {
    let base = serve().await;
    let token = format!("Token {}", register(&base, "cat").await);
    let client = reqwest::Client::new();
    let (status, headers, body) = send(
        client
            .post(format!("{base}/api/articles"))
            .header("Authorization", &token)
            .json(&json!({"article": {"title": "Hello There", "description": "d", "body": "b"}})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(headers["location"], "/api/articles/hello-there");
    assert_eq!(json_of(&body)["article"]["tagList"], json!([]));
    let (status, headers, body) = send(
        client
            .delete(format!("{base}/api/articles/hello-there"))
            .header("Authorization", &token),
    )
    .await;
    assert_eq!((status, body.as_str()), (204, ""));
    assert!(headers.get("content-type").is_none());
    let (status, _, _) = send(client.get(format!("{base}/api/articles/hello-there"))).await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_describes_what_is_served_and_is_valid() {
    let base = serve().await;
    let (status, _, body) = send(reqwest::Client::new().get(format!("{base}/openapi.json"))).await;
    assert_eq!(status, 200);
    let document = json_of(&body);
    let paths = &document["paths"];
    assert!(paths.get("/login").is_none(), "the debug login is off");
    assert!(paths["/api/users"]["post"]["responses"]["201"].is_object());
    assert!(
        paths["/api/users"]["post"]["responses"]
            .get("200")
            .is_none()
    );
    let create = &paths["/api/articles"]["post"];
    assert!(create["responses"]["201"]["headers"]["Location"].is_object());
    assert_eq!(create["security"], json!([{"token": []}]));
    let delete = &paths["/api/articles/{slug}"]["delete"]["responses"]["204"];
    assert!(delete.is_object() && delete.get("content").is_none());
    assert_eq!(
        create["responses"]["422"]["content"]["application/json"]["schema"],
        json!({"$ref": "#/components/schemas/GenericErrorModel"})
    );
    assert_eq!(
        paths["/api/articles/{slug}"]["get"]["responses"]["404"]["content"]["application/json"]["schema"],
        json!({"$ref": "#/components/schemas/GenericErrorModel"})
    );
    let schemes = &document["components"]["securitySchemes"];
    assert_eq!(
        (
            &schemes["token"]["type"],
            &schemes["token"]["in"],
            &schemes["token"]["name"]
        ),
        (&json!("apiKey"), &json!("header"), &json!("Authorization"))
    );
    assert!(schemes.get("oauth2").is_none());
    // Only the outcomes of `POST /jobs` are problem details (clients read their status and code).
    let mut routes = paths.clone();
    routes.as_object_mut().expect("paths").remove("/jobs");
    assert!(!routes.to_string().contains("#/components/schemas/Problem"));
    assert_eq!(
        document["components"]["schemas"]["JobOutcome"]["oneOf"][0]["properties"]["error"]["$ref"],
        "#/components/schemas/Problem"
    );
    validate_with_openapi_spec_validator(&body);
}

/// openapi-spec-validator (installed by `cargo xtask setup`) accepts `document`.
fn validate_with_openapi_spec_validator(document: &str) {
    let dir = std::env::temp_dir().join(format!("conduit-openapi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let file = dir.join("openapi.json");
    std::fs::write(&file, document).expect("written");
    let output = std::process::Command::new(python())
        .args(["-m", "openapi_spec_validator", "--schema", "3.1"])
        .arg(&file)
        .output()
        .expect("openapi-spec-validator runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success() && text.contains("OK"), "{text}");
    let _ = std::fs::remove_dir_all(dir);
}

/// The Python with the external checkers: `SERVEY_TEST_PYTHON` (set by `cargo xtask ci`), else the venv
/// `cargo xtask setup` makes.
pub(crate) fn python() -> PathBuf {
    std::env::var_os("SERVEY_TEST_PYTHON")
        .map(PathBuf::from)
        .filter(|python| python.exists())
        .unwrap_or_else(|| {
            let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../target/servey-tools/venv/bin/python");
            assert!(
                venv.exists(),
                "the external checkers are missing: run `cargo xtask setup`, or set SERVEY_TEST_PYTHON"
            );
            venv
        })
}
