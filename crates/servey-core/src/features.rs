//! Which optional subsystems this build of servey has (its cargo features), and the one start check that
//! an app's actions ask for none that is off: the app fails to build, naming the feature, instead of
//! quietly serving without it.

use crate::app::AppError;
use crate::config::ServeyConfig;
use crate::registry::Registry;

/// Whether the built-in JWT bearer and the debug login are compiled in (the `jwt` feature).
pub const HAS_JWT: bool = cfg!(feature = "jwt");
/// Whether rate limits are enforced (the `rate-limit` feature).
pub const HAS_RATE_LIMIT: bool = cfg!(feature = "rate-limit");
/// Whether `ttl(N)` results can be kept in process (the `cache` feature).
pub const HAS_CACHE: bool = cfg!(feature = "cache");
/// Whether bodies can be MessagePack (the `msgpack` feature).
pub const HAS_MSGPACK: bool = cfg!(feature = "msgpack");

/// What an app built over `registry` uses and this build leaves out: the first such use, as the error
/// that names its feature. `has_own_authenticator` when the app plugs in its own.
pub(crate) fn check(
    registry: &Registry,
    config: &ServeyConfig,
    has_shared_results: bool,
    has_own_authenticator: bool,
) -> Result<(), AppError> {
    let off = |what: String, feature: &'static str| Err(AppError::FeatureOff { what, feature });
    if !HAS_JWT && !has_own_authenticator && config.debug_login {
        return off("the debug login (`SERVEY_DEBUG_LOGIN`)".to_owned(), "jwt");
    }
    if !HAS_RATE_LIMIT && config.limits.rate_limit.is_some() {
        return off(
            "the default rate limit (`SERVEY_RATE_LIMIT`)".to_owned(),
            "rate-limit",
        );
    }
    for action in registry.iter() {
        let named =
            |what: &str| format!("action `{}` (at {}) {what}", action.name, action.location);
        if !HAS_JWT && !has_own_authenticator && action.access_control.is_some() {
            return off(
                named(
                    "needs credentials, which no authenticator reads (the built-in JWT bearer, or the builder's `authenticator(..)`)",
                ),
                "jwt",
            );
        }
        if !HAS_RATE_LIMIT && action.rate_limit.is_some() {
            return off(named("declares a rate limit"), "rate-limit");
        }
        if !HAS_CACHE && !has_shared_results && action.result_store.is_some() {
            return off(
                named(
                    "keeps its results on the server (`ttl(N)`; `server_cache = false` keeps none)",
                ),
                "cache",
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {

    use http::{HeaderMap, HeaderValue, header};

    use super::*;
    use crate::action::{Action, ActionBuilder};
    use crate::app::App;
    use crate::auth::{Anonymous, Credentials, Scope};
    use crate::backend::{Backends, SharedResults};
    use crate::cache::{KeptResult, Ttl};
    use crate::rate::RateLimit;

    fn action(name: &str) -> ActionBuilder {
        Action::builder(name, |_, _| async { Ok(serde_json::Value::Null) })
    }

    /// The result of building an app over `action` with the default config.
    fn build(action: Action) -> Result<App, AppError> {
        let registry = Registry::builder()
            .action(action)
            .build()
            .expect("registry");
        App::builder(registry, ServeyConfig::default()).build()
    }

    /// The message of the start error of an app over `action`.
    fn refusal(action: Action) -> String {
        build(action).map(|_| ()).expect_err("refused").to_string()
    }

    fn needs(what: &str, feature: &str) -> String {
        format!(
            "{what}: that needs servey's `{feature}` cargo feature, which is off in this build; turn it on in Cargo.toml (`servey = {{ features = [\"{feature}\"] }}`)"
        )
    }

    #[test]
    fn a_declared_rate_limit_needs_the_rate_limit_feature() {
        let limited = action("search")
            .rate_limit(RateLimit::per_minute(10))
            .build();
        if HAS_RATE_LIMIT {
            assert!(build(limited).is_ok());
        } else {
            let location = limited.location.clone();
            assert_eq!(
                refusal(limited),
                needs(
                    &format!("action `search` (at {location}) declares a rate limit"),
                    "rate-limit"
                )
            );
        }
    }

    /// A shared store that keeps nothing: enough to stand in for a backend's.
    struct Forgetful;

    impl SharedResults for Forgetful {
        fn get<'a>(
            &'a self,
            _: &'a str,
            _: &'a [u8],
            _: Option<&'a str>,
        ) -> futures_util::future::BoxFuture<'a, Option<KeptResult>> {
            Box::pin(std::future::ready(None))
        }

        fn put<'a>(
            &'a self,
            _: &'a str,
            _: &'a [u8],
            _: Option<&'a str>,
            _: &'a KeptResult,
            _: std::time::Duration,
        ) -> futures_util::future::BoxFuture<'a, ()> {
            Box::pin(std::future::ready(()))
        }
    }

    #[test]
    fn a_server_ttl_needs_the_cache_feature_or_a_shared_store() {
        let ttl = |server_cache| {
            action("weather")
                .cache_control(Ttl {
                    seconds: 30,
                    server_cache,
                })
                .build()
        };
        assert!(build(ttl(false)).is_ok(), "headers only need no store");
        let kept = ttl(true);
        let location = kept.location.clone();
        if HAS_CACHE {
            assert!(build(kept).is_ok());
        } else {
            assert_eq!(
                refusal(kept),
                needs(
                    &format!(
                        "action `weather` (at {location}) keeps its results on the server (`ttl(N)`; `server_cache = false` keeps none)"
                    ),
                    "cache"
                )
            );
        }
        let registry = Registry::builder()
            .action(ttl(true))
            .build()
            .expect("registry");
        let shared = App::builder(registry, ServeyConfig::default())
            .backends(Backends::in_process(&Registry::default()).with_shared_results(Forgetful))
            .build();
        assert!(shared.is_ok(), "a shared store keeps them");
    }

    #[test]
    fn credentials_need_the_jwt_feature_or_an_authenticator() {
        let guarded = || {
            action("admin")
                .access_control(Scope("root".to_owned()))
                .build()
        };
        let mut bearer = HeaderMap::new();
        bearer.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer not-a-jwt"),
        );
        let public = build(action("hello").build()).expect("public actions need nothing");
        let read = public.authenticator().authenticate(&bearer);
        if HAS_JWT {
            assert!(build(guarded()).is_ok());
            assert!(matches!(read, Credentials::Rejected(_)));
        } else {
            let location = guarded().location;
            assert_eq!(
                refusal(guarded()),
                needs(
                    &format!(
                        "action `admin` (at {location}) needs credentials, which no authenticator reads (the built-in JWT bearer, or the builder's `authenticator(..)`)"
                    ),
                    "jwt"
                )
            );
            assert!(
                matches!(read, Credentials::Anonymous),
                "no credentials are read"
            );
            let config = ServeyConfig {
                debug_login: true,
                ..ServeyConfig::default()
            };
            let login = App::builder(Registry::default(), config).build();
            assert_eq!(
                login
                    .map(|_| ())
                    .expect_err("no tokens to issue")
                    .to_string(),
                needs("the debug login (`SERVEY_DEBUG_LOGIN`)", "jwt")
            );
        }
        let registry = Registry::builder()
            .action(guarded())
            .build()
            .expect("registry");
        let own = App::builder(registry, ServeyConfig::default())
            .authenticator(Anonymous)
            .build();
        assert!(own.is_ok(), "the app's own authenticator reads them");
    }
}
