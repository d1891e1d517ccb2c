//! The tour app's public surface as golden files (`examples/hello/golden/`): any change to the OpenAPI
//! document, the GraphQL SDL, the gRPC `.proto`, the AsyncAPI document, the SAM template or the typed client
//! (`--run=client`) shows in review. `cargo xtask schemas` re-blesses them.

use std::path::PathBuf;

use crate::server::{test_config, tour_app};

fn check(file: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("golden")
        .join(file);
    if std::env::var_os("SERVEY_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().expect("golden/ has a parent"))
            .expect("golden/ can be made");
        std::fs::write(&path, actual).expect("the golden file is writable");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected != actual {
        let first_difference = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .map_or_else(
                || "in length".to_owned(),
                |line| format!("at line {}", line + 1),
            );
        panic!(
            "{file} differs from the tour app's document {first_difference}; review and run `cargo xtask schemas`"
        );
    }
}

#[tokio::test]
async fn openapi_document_is_unchanged() {
    check(
        "openapi.json",
        &servey::openapi_json(&tour_app(test_config()).await),
    );
}

#[tokio::test]
async fn graphql_sdl_is_unchanged() {
    check(
        "schema.graphql",
        &servey::graphql_sdl(&tour_app(test_config()).await).expect("the schema builds"),
    );
}

#[tokio::test]
async fn proto_is_unchanged() {
    check(
        "servey.proto",
        &servey::proto(&tour_app(test_config()).await).expect("the proto is written"),
    );
}

#[tokio::test]
async fn asyncapi_document_is_unchanged() {
    check(
        "asyncapi.json",
        &servey::asyncapi_json(&tour_app(test_config()).await).expect("the document builds"),
    );
}

#[tokio::test]
async fn sam_template_is_unchanged() {
    check(
        "sam-template.json",
        &servey::sam::template_json(&tour_app(test_config()).await),
    );
}

#[tokio::test]
async fn typed_client_is_unchanged() {
    check(
        "client.rs",
        &servey::client_source(&tour_app(test_config()).await),
    );
}
