//! The app's metrics: what the invoke path records, and the text a scrape reads.
use super::*;
use crate::action::Action;
use crate::error::ErrorCode;

fn metrics_of(names: &[&str]) -> Metrics {
    let registry = names
        .iter()
        .fold(Registry::builder(), |registry, name| {
            registry.action(
                Action::builder(*name, |_, _| async { Ok(serde_json::Value::Null) }).build(),
            )
        })
        .build()
        .expect("registry");
    Metrics::new(&registry)
}

fn lines(metrics: &Metrics) -> Vec<String> {
    let text = metrics.encode().expect("encodes");
    text.lines().map(str::to_owned).collect()
}

fn has(metrics: &Metrics, line: &str) -> bool {
    lines(metrics).iter().any(|candidate| candidate == line)
}

#[test]
fn calls_count_by_transport_and_outcome_with_their_latency() {
    let metrics = metrics_of(&["greet"]);
    metrics.start_call("greet", Origin::Rest).finish(None);
    let forbidden = ActionError::new(ErrorCode::Forbidden, "no");
    metrics
        .start_call("greet", Origin::Graphql)
        .finish(Some(&forbidden));
    for line in [
        r#"servey_action_calls_total{action="greet",transport="rest",outcome="ok"} 1"#,
        r#"servey_action_calls_total{action="greet",transport="graphql",outcome="forbidden"} 1"#,
        r#"servey_action_duration_seconds_count{action="greet",transport="rest"} 1"#,
        r#"servey_action_duration_seconds_bucket{action="greet",transport="rest",le="+Inf"} 1"#,
        r#"servey_action_duration_seconds_count{action="greet",transport="graphql"} 1"#,
        r#"servey_action_in_flight{action="greet"} 0"#,
        "# TYPE servey_action_duration_seconds histogram",
    ] {
        assert!(
            has(&metrics, line),
            "{line} in\n{}",
            lines(&metrics).join("\n")
        );
    }
    let buckets = lines(&metrics)
        .iter()
        .filter(|line| {
            line.starts_with(
                r#"servey_action_duration_seconds_bucket{action="greet",transport="rest""#,
            )
        })
        .count();
    assert_eq!(
        buckets,
        Metrics::LATENCY_BUCKETS.len() + 1,
        "every bound and +Inf"
    );
}

#[test]
fn a_dropped_call_is_cancelled_and_leaves_nothing_in_flight() {
    let metrics = metrics_of(&["slow"]);
    let call = metrics.start_call("slow", Origin::Cli);
    assert!(has(&metrics, r#"servey_action_in_flight{action="slow"} 1"#));
    drop(call);
    assert!(has(&metrics, r#"servey_action_in_flight{action="slow"} 0"#));
    assert!(has(
        &metrics,
        r#"servey_action_calls_total{action="slow",transport="cli",outcome="cancelled"} 1"#
    ));
}

#[test]
fn custom_error_codes_and_unregistered_actions_are_counted() {
    let metrics = metrics_of(&[]);
    let taken = ActionError::custom(409, "name_taken", "taken");
    for _ in 0..2 {
        metrics
            .start_call("made_by_hand", Origin::Internal)
            .finish(Some(&taken));
    }
    assert!(has(
        &metrics,
        r#"servey_action_calls_total{action="made_by_hand",transport="internal",outcome="name_taken"} 2"#
    ));
}

#[test]
fn two_apps_count_apart() {
    let (first, second) = (metrics_of(&["greet"]), metrics_of(&["greet"]));
    first.start_call("greet", Origin::Rest).finish(None);
    first.ticks("tick").record_skip();
    second.channel("news").set_subscribers(3);
    assert!(
        !lines(&second)
            .iter()
            .any(|line| line.starts_with("servey_action_calls_total{"))
    );
    assert!(has(
        &first,
        r#"servey_job_ticks_total{action="tick",outcome="skipped"} 1"#
    ));
    assert!(
        !lines(&first)
            .iter()
            .any(|line| line.starts_with("servey_websocket_subscribers{"))
    );
    assert!(has(
        &second,
        r#"servey_websocket_subscribers{channel="news"} 3"#
    ));
}

#[test]
fn transports_index_their_table() {
    for (index, transport) in Origin::ALL.iter().enumerate() {
        assert_eq!(transport.index(), index, "{}", transport.as_str());
    }
}
