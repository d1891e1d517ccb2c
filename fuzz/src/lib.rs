//! What the fuzz targets share: the tour app built once ([`Harness`]), the arbitrary request model
//! ([`request`]) and the properties every response must have ([`check`]).
//!
//! Run them with `cargo xtask fuzz` (bounded), or one by hand from the repository root:
//! `cargo +nightly fuzz run requests -s none -- -max_total_time=60`.

pub mod check;
pub mod graphql;
pub mod json;
pub mod known;
pub mod request;

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use servey::axum::Router;
use servey::{Action, App, Authorization, ServeyConfig, Trigger};

/// The action of the tour that fails on purpose: the only one allowed a 500 (and a panic).
pub const FAILING_ACTION: &str = "fail_on_purpose";

/// The message of the tour's deliberate panic (`fail_on_purpose?panic=true`).
const DELIBERATE_PANIC: &str = "this action panics on purpose";

/// The JWT secret of the fuzzed app.
const JWT_SECRET: &str = "fuzz-secret";

/// The tour app, its router and what the generators pick from, built once per process.
pub struct Harness {
    /// The paused current-thread runtime every request runs on.
    pub runtime: tokio::runtime::Runtime,
    /// The tour app.
    pub app: App,
    /// Every route of the app, as `servey::router` builds it.
    pub router: Router,
    /// The routes requests are sent to.
    pub routes: Vec<Route>,
    /// Names the generators use for keys, GraphQL fields and arguments (from the OpenAPI and SDL documents).
    pub names: Vec<String>,
    /// Bearer tokens of each kind.
    pub tokens: Tokens,
    /// The bytes of `static/hello.css`, the only file `/static/` may serve.
    pub static_file: Vec<u8>,
}

/// A route requests go to: a path template (`{name}` segments are filled by the input) and who answers it.
#[derive(Debug, Clone)]
pub struct Route {
    /// The path template, e.g. `/items/{id}`.
    pub template: String,
    /// The action behind it, for action routes and pages.
    pub action: Option<Arc<Action>>,
    /// Whether the action renders a page (HTML) rather than JSON.
    pub is_page: bool,
}

impl Route {
    fn builtin(template: &str) -> Self {
        Self {
            template: template.to_owned(),
            action: None,
            is_page: false,
        }
    }

    /// Whether this route is `/graphql`.
    pub fn is_graphql(&self) -> bool {
        self.template == "/graphql"
    }

    /// Whether this route may answer 500: only the deliberately failing action's.
    pub fn may_fail(&self) -> bool {
        self.action
            .as_ref()
            .is_some_and(|action| action.name == FAILING_ACTION)
    }
}

/// Signed tokens of each kind a caller may present.
#[derive(Debug, Clone)]
pub struct Tokens {
    /// Valid, with scope `root`.
    pub root: String,
    /// Valid, without scopes.
    pub plain: String,
    /// Expired an hour ago.
    pub expired: String,
    /// Valid only from an hour from now.
    pub not_yet: String,
    /// Signed with another key.
    pub foreign: String,
}

impl Harness {
    /// The process's harness, built on first use.
    pub fn get() -> &'static Self {
        static HARNESS: OnceLock<Harness> = OnceLock::new();
        HARNESS.get_or_init(Self::build)
    }

    fn build() -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .expect("the runtime builds");
        let (app, router, tokens) = {
            // Whatever servey starts while building (caches, channels) belongs to this runtime.
            let _entered = runtime.enter();
            let app = runtime.block_on(tour_app(Some(JWT_SECRET)));
            let router = servey::router(&app).expect("the tour app's routes build");
            let tokens = tokens(&app);
            (app, router, tokens)
        };
        let routes = routes(&app);
        let names = names(&app);
        let static_file =
            std::fs::read(repo_root().join("static/hello.css")).expect("static/hello.css exists");
        allow_expected_panics();
        Self {
            runtime,
            app,
            router,
            routes,
            names,
            tokens,
            static_file,
        }
    }

    /// The name at `index` (modulo the list).
    pub fn name(&self, index: u8) -> &str {
        &self.names[usize::from(index) % self.names.len()]
    }
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The tour app with the tests' layout: templates and static files from the repository, no static site.
async fn tour_app(secret: Option<&str>) -> App {
    let root = repo_root();
    let mut config = ServeyConfig::from_lookup(|key| match key {
        "JWT_SECRET_KEY" => secret.map(str::to_owned),
        "SERVEY_DEBUG_AUTHENTICATOR_PASSWORD" => Some("fuzz-password".to_owned()),
        _ => None,
    });
    config.templates_dir = root.join("templates");
    config.static_dir = root.join("static");
    config.static_site_dir = root.join("fuzz/no-static-site");
    let registry = hello::registry_builder()
        .build()
        .expect("the tour app's registry builds");
    servey::app(registry, config)
        .await
        .expect("the tour app builds")
}

/// Every web trigger and page of the registry, then servey's own routes (and one no route matches).
fn routes(app: &App) -> Vec<Route> {
    let mut routes = Vec::new();
    for action in app.registry().iter() {
        for trigger in &action.triggers {
            let (path, is_page) = match trigger {
                Trigger::Web {
                    path: Some(path), ..
                } => (path, false),
                Trigger::WebPage {
                    path: Some(path), ..
                } => (path, true),
                _ => continue,
            };
            routes.push(Route {
                template: path.to_string(),
                action: Some(action.clone()),
                is_page,
            });
        }
    }
    for builtin in [
        "/graphql",
        "/health",
        "/actions",
        "/actions/x",
        "/openapi.json",
        "/asyncapi.json",
        "/login",
        "/docs/",
        "/docs/{file}",
        "/graphiql",
        "/static/{file}",
        "/subscription",
        "/subscription/{channel}/{subscriber}",
        "/{anything}",
    ] {
        routes.push(Route::builtin(builtin));
    }
    routes
}

/// The identifiers of the OpenAPI document and the GraphQL SDL: parameter, property, field and type names.
fn names(app: &App) -> Vec<String> {
    let sdl = servey::graphql_sdl(app).expect("the tour app's SDL builds");
    let openapi = servey::openapi_json(app);
    let mut names: Vec<String> = [sdl, openapi]
        .iter()
        .flat_map(|text| {
            text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .filter(|word| word.len() > 1 && word.len() <= 32)
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

fn tokens(app: &App) -> Tokens {
    let issue = |app: &App, authorization: Authorization| {
        app.authenticator()
            .issue(&authorization)
            .expect("a token is issued")
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs();
    let other = tour_app(Some("another-secret"));
    Tokens {
        root: issue(app, Authorization::new("root", ["root"])),
        plain: issue(app, Authorization::new("ann", Vec::<String>::new())),
        expired: issue(
            app,
            Authorization {
                expire_at: Some(now - 3600),
                ..Authorization::new("root", ["root"])
            },
        ),
        not_yet: issue(
            app,
            Authorization {
                not_before: Some(now + 3600),
                ..Authorization::new("root", ["root"])
            },
        ),
        foreign: issue(&other, Authorization::new("root", ["root"])),
    }
}

/// libFuzzer's panic hook aborts on any panic, even one servey catches. The tour's deliberate panic and
/// those of known bugs ([`known`]) are let through (servey answers them 500); any other panic still aborts
/// and is reported as a crash.
fn allow_expected_panics() {
    let fuzzer_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str));
        let is_expected = message == Some(DELIBERATE_PANIC) || known::is_known_panic(info, message);
        if !is_expected {
            fuzzer_hook(info);
        }
    }));
}
