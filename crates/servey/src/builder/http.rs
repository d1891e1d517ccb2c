//! How the app answers over HTTP: its authenticator, its error body, the path prefix of its action
//! routes, which built-in routes it serves, and the tower layers around them.

use std::convert::Infallible;
use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::response::IntoResponse;
use axum::routing::Route;
#[cfg(feature = "jwt")]
use servey_core::JwtBearer;
use servey_core::{Authenticator, ErrorRenderer, ErrorRendering};
use tower::{Layer, Service};

use super::Builder;

/// The tower layers an app's routes are wrapped in, kept in its shared values for [`router`](crate::router).
#[derive(Clone, Default)]
pub(crate) struct RouterLayers(Vec<Arc<dyn Fn(Router) -> Router + Send + Sync>>);

impl RouterLayers {
    /// Whether the app added no layer.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `router` wrapped in every layer, the first added innermost.
    pub(crate) fn apply(&self, router: Router) -> Router {
        self.0.iter().fold(router, |router, layer| layer(router))
    }
}

impl Builder {
    /// Reads credentials with `authenticator` instead of the JWT bearer built from the config.
    ///
    /// The authenticator also issues tokens (`Context::issue_token`), answers the `401` challenge and
    /// describes itself in the OpenAPI document.
    ///
    /// ```rust,no_run
    /// # use servey::prelude::*;
    /// # #[action(triggers = [get("/me")])]
    /// # fn me(authorization: Authorization) -> Option<String> { authorization.subject }
    /// use std::time::Duration;
    ///
    /// use servey::JwtBearer;
    ///
    /// fn main() {
    ///     let secret = std::env::var("APP_SIGNING_KEY").expect("a signing key");
    ///     let tokens = JwtBearer::new(&secret).lifetime(Duration::from_secs(15 * 60));
    ///     servey::builder().authenticator(tokens).main();
    /// }
    /// ```
    pub fn authenticator(mut self, authenticator: impl Authenticator) -> Self {
        let authenticator: Arc<dyn Authenticator> = Arc::new(authenticator);
        self.authenticator = Some(Box::new(move |_| Ok(authenticator)));
        self
    }

    /// Keeps the built-in JWT authenticator (its key from `JWT_SECRET_KEY`) but reads tokens under
    /// these scheme names: `["Token"]` for `Authorization: Token <jwt>`.
    ///
    /// Names match without regard to case; the first is the scheme of the `401` challenge and of the
    /// OpenAPI document. Without servey's `jwt` feature the app fails to start, naming it.
    ///
    /// ```rust,standalone_crate
    /// # use servey::prelude::*;
    /// # #[action(triggers = [get("/user")])]
    /// # fn current_user(authorization: Authorization) -> Option<String> { authorization.subject }
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), servey::StartError> {
    /// let app = servey::builder()
    ///     .config(servey::ServeyConfig::default())
    ///     .bearer_schemes(["Token"])
    ///     .build()
    ///     .await?;
    /// assert_eq!(app.authenticator().challenge(false), "Token");
    /// # Ok(())
    /// # }
    /// ```
    pub fn bearer_schemes(mut self, schemes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        let schemes: Vec<String> = schemes.into_iter().map(Into::into).collect();
        self.authenticator = Some(Box::new(move |config| {
            #[cfg(feature = "jwt")]
            return Ok(Arc::new(JwtBearer::from_config(config).schemes(schemes)));
            #[cfg(not(feature = "jwt"))]
            {
                let _ = (config, schemes);
                Err(servey_core::AppError::FeatureOff {
                    what: "`bearer_schemes` (the built-in JWT bearer)".to_owned(),
                    feature: "jwt",
                })
            }
        }));
        self
    }

    /// Renders errors with `renderer` (the API's own body) instead of problem details, on the wire
    /// and in the OpenAPI document.
    ///
    /// ```rust,no_run
    /// # use servey::prelude::*;
    /// # #[action(triggers = [web_get])]
    /// # fn ping() -> String { "pong".to_owned() }
    /// use servey::ErrorRenderer;
    ///
    /// /// `{"errors": ["..."]}`.
    /// #[derive(Serialize, ToSchema)]
    /// struct Errors {
    ///     errors: Vec<String>,
    /// }
    ///
    /// struct ListErrors;
    ///
    /// impl ErrorRenderer for ListErrors {
    ///     type Body = Errors;
    ///
    ///     fn body(&self, error: &ActionError) -> Errors {
    ///         Errors { errors: vec![error.detail().to_owned()] }
    ///     }
    /// }
    ///
    /// fn main() {
    ///     servey::builder().error_renderer(ListErrors).main();
    /// }
    /// ```
    pub fn error_renderer(mut self, renderer: impl ErrorRenderer) -> Self {
        self.errors = ErrorRendering::new(renderer);
        self
    }

    /// Serves every action route under `prefix` (`/api`); built-in routes stay where they are.
    ///
    /// The prefix starts with `/` and does not end with one; another stops the build.
    ///
    /// ```rust,standalone_crate
    /// # use servey::prelude::*;
    /// # #[action(triggers = [get("/articles")])]
    /// # fn list_articles() -> Vec<String> { Vec::new() }
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), servey::StartError> {
    /// let app = servey::builder()
    ///     .config(servey::ServeyConfig::default())
    ///     .path_prefix("/api")
    ///     .build()
    ///     .await?;
    /// assert_eq!(app.route_path("/articles"), "/api/articles");
    /// # Ok(())
    /// # }
    /// ```
    pub fn path_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.path_prefix = prefix.into();
        self
    }

    /// Does not serve the built-in route at `path` (`/graphiql`, `/docs`, `/subscription`, ...).
    ///
    /// The path stays reserved: no action may take it. A path that is not a built-in route stops
    /// the build.
    ///
    /// ```rust,standalone_crate
    /// # use servey::prelude::*;
    /// # #[action(triggers = [web_get])]
    /// # fn ping() -> String { "pong".to_owned() }
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), servey::StartError> {
    /// let app = servey::builder()
    ///     .config(servey::ServeyConfig::default())
    ///     .without_route("/graphiql")
    ///     .build()
    ///     .await?;
    /// assert!(!app.serves("/graphiql") && app.serves("/graphql"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn without_route(mut self, path: impl Into<String>) -> Self {
        self.without.push(path.into());
        self
    }

    /// Serves (or not) `POST /login`, the debug authenticator that issues `root` tokens; off unless
    /// switched on here or with `SERVEY_DEBUG_LOGIN=true`. What this says wins over the variable.
    ///
    /// ```rust,standalone_crate
    /// # use servey::prelude::*;
    /// # #[action(triggers = [web_get])]
    /// # fn ping() -> String { "pong".to_owned() }
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), servey::StartError> {
    /// let app = servey::builder()
    ///     .config(servey::ServeyConfig::default())
    ///     .debug_login(true)
    ///     .build()
    ///     .await?;
    /// assert!(app.serves("/login"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn debug_login(mut self, serve: bool) -> Self {
        self.debug_login = Some(serve);
        self
    }

    /// Wraps every route in a tower layer (inside servey's own envelope: request id, limits, errors).
    ///
    /// The first layer added is the innermost. Take axum from `servey::axum`, so that the
    /// versions match:
    ///
    /// ```rust,no_run
    /// # use servey::prelude::*;
    /// # #[action(triggers = [web_get])]
    /// # fn ping() -> String { "pong".to_owned() }
    /// use servey::axum::extract::Request;
    /// use servey::axum::middleware::{self, Next};
    /// use servey::axum::response::Response;
    ///
    /// /// Logs each request's path.
    /// async fn log_path(request: Request, next: Next) -> Response {
    ///     let path = request.uri().path().to_owned();
    ///     let response = next.run(request).await;
    ///     println!("{path}: {}", response.status());
    ///     response
    /// }
    ///
    /// fn main() {
    ///     servey::builder().layer(middleware::from_fn(log_path)).main();
    /// }
    /// ```
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: Layer<Route> + Clone + Send + Sync + 'static,
        L::Service: Service<Request> + Clone + Send + Sync + 'static,
        <L::Service as Service<Request>>::Response: IntoResponse + 'static,
        <L::Service as Service<Request>>::Error: Into<Infallible> + 'static,
        <L::Service as Service<Request>>::Future: Send + 'static,
    {
        self.layers
            .0
            .push(Arc::new(move |router: Router| router.layer(layer.clone())));
        self
    }
}
