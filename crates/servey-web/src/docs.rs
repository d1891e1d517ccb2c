//! `/openapi.json` (the document [`openapi_json`](crate::openapi_json) prints, made once at start) and
//! `/docs`: Swagger UI served from the binary, reading `/openapi.json`.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::routing::get;
use bytes::Bytes;
use servey_core::App;
use utoipa_swagger_ui::{Config, SwaggerUi};

/// `/openapi.json` and `/docs`, each unless switched off.
pub(crate) fn router(app: &App) -> Router {
    let document = Bytes::from(crate::openapi::openapi_json(app));
    let swagger = SwaggerUi::new("/docs").config(
        Config::new(["/openapi.json"])
            .persist_authorization(true)
            .display_operation_id(true),
    );
    let mut router = Router::new();
    if app.serves("/openapi.json") {
        router = router.route(
            "/openapi.json",
            get(move || {
                let document = document.clone();
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
        router = router.merge(Router::from(swagger));
    }
    router
}
