//! GraphiQL at `/graphiql`, served from the binary with no CDN: our small page plus the vendored
//! React 18 and GraphiQL 4 UMD bundles (see `assets/LICENSES.md`).

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

const PAGE: &str = include_str!("../assets/graphiql.html");

/// The vendored files: name under `/graphiql/assets/`, content type, bytes.
const ASSETS: [(&str, &str, &[u8]); 4] = [
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/react-dom.production.min.js"),
    ),
    (
        "graphiql.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/graphiql.min.js"),
    ),
    (
        "graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/graphiql.min.css"),
    ),
];

/// Where the page's settings go: a JSON object the page's script reads.
const SETTINGS_SLOT: &str = "{\"defaultQuery\": null}";

/// `GET /graphiql` (opening on `default_query`, the app's sample operations) and
/// `GET /graphiql/assets/{file}`.
pub(crate) fn routes(default_query: &str) -> Router {
    let settings = serde_json::json!({
        "defaultQuery": (!default_query.is_empty()).then_some(default_query),
    });
    // `<` escaped, so that no string in the settings can end the script element.
    let settings = settings.to_string().replace('<', "\\u003c");
    let page = PAGE.replacen(SETTINGS_SLOT, &settings, 1);
    Router::new()
        .route("/graphiql", get(move || page_response(page.clone())))
        .route("/graphiql/assets/{file}", get(asset))
}

async fn page_response(page: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        page,
    )
        .into_response()
}

async fn asset(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        // The files change only with a servey release; a day keeps upgrades visible soon enough.
        Some((_, content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            *bytes,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such GraphiQL asset").into_response(),
    }
}
