//! The invoke path records every call in its app's metrics: outcomes by error code, cache hits and
//! misses, rate-limit refusals, the transport nested calls inherit; a hand-made context records nothing.

use std::sync::Arc;

use serde_json::{Value, json};
use servey_core::{
    Action, App, Context, Input, Origin, RateLimit, Registry, Scope, ServeyConfig, Ttl, invoke,
};

fn app_of(actions: Vec<Arc<Action>>) -> App {
    let registry = actions
        .into_iter()
        .fold(Registry::builder(), |registry, action| {
            registry.shared_action(action)
        })
        .build()
        .expect("registry");
    App::new(registry, ServeyConfig::default())
}

fn scrape(app: &App) -> String {
    app.metrics()
        .expect("metrics are on by default")
        .encode()
        .expect("encodes")
}

fn assert_has(text: &str, line: &str) {
    assert!(
        text.lines().any(|candidate| candidate == line),
        "{line} in\n{text}"
    );
}

#[tokio::test]
async fn outcomes_cache_and_rate_limits_are_recorded_per_action() {
    let cached = Action::builder("cached", |_, _| async { Ok(json!(1)) })
        .cache_control(Ttl {
            seconds: 60,
            server_cache: true,
        })
        .build();
    let limited = Action::builder("limited", |_, _| async { Ok(Value::Null) })
        .rate_limit(RateLimit::per_minute(1))
        .build();
    let guarded = Action::builder("guarded", |_, _| async { Ok(Value::Null) })
        .access_control(Scope("admin".into()))
        .build();
    let (cached, limited, guarded) = (Arc::new(cached), Arc::new(limited), Arc::new(guarded));
    let app = app_of(vec![cached.clone(), limited.clone(), guarded.clone()]);
    let rest = || app.context().with_origin(Origin::Rest);
    for _ in 0..2 {
        invoke(&cached, Input::from_value(json!({})), rest())
            .await
            .expect("cached");
    }
    invoke(&limited, Input::empty(), rest())
        .await
        .expect("first call");
    let refused = invoke(&limited, Input::empty(), rest()).await;
    assert_eq!(refused.expect_err("second call").status(), 429);
    let denied = invoke(&guarded, Input::empty(), app.context()).await;
    assert_eq!(denied.expect_err("anonymous").status(), 401);

    let text = scrape(&app);
    assert_has(&text, r#"servey_cache_hits_total{action="cached"} 1"#);
    assert_has(&text, r#"servey_cache_misses_total{action="cached"} 1"#);
    assert_has(
        &text,
        r#"servey_action_calls_total{action="cached",transport="rest",outcome="ok"} 2"#,
    );
    assert_has(&text, r#"servey_rate_limited_total{action="limited"} 1"#);
    assert_has(
        &text,
        r#"servey_action_calls_total{action="limited",transport="rest",outcome="rate_limited"} 1"#,
    );
    assert_has(
        &text,
        r#"servey_action_calls_total{action="guarded",transport="internal",outcome="unauthenticated"} 1"#,
    );
}

#[tokio::test]
async fn nested_calls_keep_the_transport_and_hand_made_contexts_record_nothing() {
    let inner = Arc::new(Action::builder("inner", |_, _| async { Ok(json!("in")) }).build());
    let called = inner.clone();
    let outer = Action::builder("outer", move |_, context: Context| {
        let inner = called.clone();
        async move { invoke(&inner, Input::empty(), context).await?.to_value() }
    })
    .build();
    let outer = Arc::new(outer);
    let app = app_of(vec![inner, outer.clone()]);
    let graphql = app.context().with_origin(Origin::Graphql);
    invoke(&outer, Input::empty(), graphql).await.expect("ok");
    invoke(&outer, Input::empty(), Context::new())
        .await
        .expect("ok");

    let text = scrape(&app);
    for action in ["outer", "inner"] {
        assert_has(
            &text,
            &format!(
                r#"servey_action_calls_total{{action="{action}",transport="graphql",outcome="ok"}} 1"#
            ),
        );
    }
    assert!(!text.contains(r#"transport="internal""#), "{text}");
}

#[test]
fn switching_off_the_route_switches_off_the_metrics() {
    let app = App::builder(Registry::default(), ServeyConfig::default())
        .reserve(&[servey_core::route::ReservedRoute::exact(
            "/metrics",
            "the metrics",
        )])
        .without_route("/metrics")
        .build()
        .expect("a built-in route");
    assert!(app.metrics().is_none() && app.context().metrics().is_none());
    assert!(!app.serves("/metrics"));
}
