//! The template of small apps: environment, secrets, schedules left out.

use serde_json::{Value, json};
use servey_core::{Action, Registry, ServeyConfig, Trigger};

/// The template of a one-action app configured by `settings`.
fn template_with(settings: &[(&str, &str)]) -> Value {
    let settings: Vec<(String, String)> = settings
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect();
    let config = ServeyConfig::from_lookup(move |key| {
        settings
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value.clone())
    });
    let ping = Action::builder("ping", |_, _| async { Ok(json!("pong")) })
        .trigger(Trigger::web_get())
        .trigger(Trigger::Cron("0 0 0 1 * MON".into()))
        .build();
    let registry = Registry::builder()
        .action(ping)
        .build()
        .expect("one action");
    super::template(
        &servey_core::App::builder(registry, config)
            .build()
            .expect("the app builds"),
    )
}

#[test]
fn the_environment_comes_from_the_config_and_keys_never_appear() {
    let template = template_with(&[
        ("JWT_SECRET_KEY", "the-real-signing-key"),
        ("SERVEY_DEBUG_AUTHENTICATOR_PASSWORD", "the-real-password"),
        ("SERVEY_DEBUG_LOGIN", "true"),
        (
            "CORS_ALLOWED_ORIGINS",
            "https://a.example, https://b.example",
        ),
        ("SERVEY_API_DESCRIPTION", "Pings."),
        ("SERVEY_ACTION_TIMEOUT", "5"),
        ("SERVEY_LOG_FORMAT", "json"),
    ]);
    let text = template.to_string();
    assert!(!text.contains("the-real-signing-key"), "{text}");
    assert!(!text.contains("the-real-password"), "{text}");
    let function = &template["Resources"]["App"]["Properties"];
    let variables = &function["Environment"]["Variables"];
    assert_eq!(
        variables["CORS_ALLOWED_ORIGINS"],
        "https://a.example,https://b.example"
    );
    assert_eq!(variables["SERVEY_API_DESCRIPTION"], "Pings.");
    assert_eq!(variables["SERVEY_ACTION_TIMEOUT"], "5");
    assert_eq!(variables["SERVEY_LOG_FORMAT"], "json");
    assert_eq!(variables["SERVEY_DEBUG_LOGIN"], "true");
    assert_eq!(
        variables["JWT_SECRET_KEY"]["Fn::Sub"],
        "{{resolve:secretsmanager:${JwtSecret}:SecretString}}"
    );
    assert_eq!(
        variables["SERVEY_DEBUG_AUTHENTICATOR_PASSWORD"]["Fn::Sub"],
        "{{resolve:secretsmanager:${DebugAuthenticatorSecret}:SecretString}}"
    );
    assert_eq!(template["Parameters"]["JwtSecretKey"]["NoEcho"], true);
    assert_eq!(function["Timeout"], 6);
    // No channels: no websocket API, table or queue, and no rights to them.
    assert!(function.get("Policies").is_none(), "{function}");
    for resource in ["WebsocketApi", "ConnectionsTable", "BackgroundQueue"] {
        assert!(template["Resources"].get(resource).is_none(), "{resource}");
    }
}

#[test]
fn a_schedule_eventbridge_cannot_run_is_listed_not_dropped() {
    let template = template_with(&[]);
    let events = template["Resources"]["App"]["Properties"]["Events"]
        .as_object()
        .expect("events");
    assert_eq!(events.keys().collect::<Vec<_>>(), ["Http"]);
    let not_deployed = template["Metadata"]["servey"]["NotDeployed"].to_string();
    assert!(
        not_deployed.contains("schedule `cron 0 0 0 1 * MON` of action `ping`"),
        "{not_deployed}"
    );
    assert!(
        template["Parameters"]
            .get("DebugAuthenticatorPassword")
            .is_none(),
        "no debug login, no password"
    );
}
