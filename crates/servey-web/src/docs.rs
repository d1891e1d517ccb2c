//! `/openapi.json` (the document [`openapi_json`](crate::openapi_json) prints, made once, when first asked
//! for: a server nobody asks pays neither the time nor the memory of the code that writes it) and
//! `/docs`: Swagger UI served from the binary, reading `/openapi.json`.

use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::routing::get;
use bytes::Bytes;
use servey_core::App;
#[cfg(feature = "docs")]
use utoipa_swagger_ui::{Config, SwaggerUi};

/// `/openapi.json` and `/docs`, each unless switched off.
pub(crate) fn router(app: &App) -> Router {
    let mut router = Router::new();
    if app.serves("/openapi.json") {
        let document = Arc::new(OnceLock::<Bytes>::new());
        let app = app.clone();
        router = router.route(
            "/openapi.json",
            get(move || {
                let document = document
                    .get_or_init(|| Bytes::from(crate::openapi::openapi_json(&app)))
                    .clone();
                async move {
                    (
                        [(
                            header::CONTENT_TYPE,
                            HeaderValue::from_static("application/json"),
                        )],
                        document,
                    )
                }
            }),
        );
    }
    if app.serves("/docs") {
        router = router.merge(swagger_ui(app));
    }
    router
}

/// Swagger UI at `/docs`, its assets in the binary.
#[cfg(feature = "docs")]
fn swagger_ui(_app: &App) -> Router {
    let swagger = SwaggerUi::new("/docs").config(
        Config::new(["/openapi.json"])
            .persist_authorization(true)
            .display_operation_id(true),
    );
    Router::from(swagger)
}

/// `/docs` in a binary built without the docs page: a `501` naming the feature.
#[cfg(not(feature = "docs"))]
fn swagger_ui(app: &App) -> Router {
    crate::absent::absent_routes(
        app,
        &["/docs", "/docs/", "/docs/{*rest}"],
        "The docs page needs servey's `web` feature, which this binary was built without: \
         servey = { features = [\"web\"] }",
    )
}
