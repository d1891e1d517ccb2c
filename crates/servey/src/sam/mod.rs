//! `--run=sam`: the app's AWS SAM template, so that the same binary deploys to Lambda. One function
//! serves every route (REST, GraphQL, docs) behind an API Gateway HTTP API and runs every `fixed_rate`
//! and `cron` action from an EventBridge rule; websocket channels get an API Gateway websocket API and a
//! DynamoDB table of its connections, background channels an SQS queue with a dead-letter queue; its
//! environment comes from the app's `ServeyConfig`, its keys from Secrets Manager. What Lambda cannot
//! run is listed under `Metadata.servey.NotDeployed`.
//!
//! SAM rather than the Serverless Framework: a SAM template is CloudFormation, which `cfn-lint` checks
//! and `aws cloudformation deploy` takes without another tool; `sam build` builds Rust with cargo-lambda;
//! and the Serverless Framework's current major version needs an account with its vendor to deploy.
//!
//! Only with the `codegen` feature (with `--run=client`: what the app writes about itself at the command
//! line); the binary deployed to Lambda needs `lambda`, which does not need this writer.

use serde_json::{Map, Value, json};
use servey_core::{App, Limits, LogFormat, Trigger};

use crate::eventbridge as schedule;

mod aws;

/// The logical id of the app's function.
const FUNCTION: &str = "App";

/// The app's SAM template (CloudFormation with the `AWS::Serverless-2016-10-31` transform), as JSON.
///
/// ```rust,standalone_crate
/// use servey::prelude::*;
/// use servey::ServeyConfig;
///
/// #[action(triggers = [web_get, fixed_rate(300)])]
/// fn refresh() -> String {
///     "done".to_owned()
/// }
///
/// #[tokio::main]
/// async fn main() {
///     let app = servey::builder().config(ServeyConfig::default()).build().await.expect("builds");
///     let template: serde_json::Value =
///         serde_json::from_str(&servey::sam::template_json(&app)).expect("JSON");
///     let events = &template["Resources"]["App"]["Properties"]["Events"];
///     assert_eq!(events["Http"]["Type"], "HttpApi");
///     assert_eq!(events["ScheduleRefresh"]["Properties"]["Schedule"], "rate(5 minutes)");
/// }
/// ```
pub fn template_json(app: &App) -> String {
    let mut text = serde_json::to_string_pretty(&template(app))
        .expect("a template of strings and numbers serializes");
    text.push('\n');
    text
}

/// The app's SAM template as a JSON value.
pub fn template(app: &App) -> Value {
    let config = app.config();
    let serves_login = app.serves("/login");
    let mut parameters = Map::new();
    let mut conditions = Map::new();
    let mut resources = Map::new();
    let mut environment = environment(app);
    let mut secrets = vec![(
        "JwtSecretKey",
        "JwtSecret",
        "JWT_SECRET_KEY",
        "The key JWTs are signed with",
    )];
    if serves_login {
        secrets.push((
            "DebugAuthenticatorPassword",
            "DebugAuthenticatorSecret",
            "SERVEY_DEBUG_AUTHENTICATOR_PASSWORD",
            "The debug login's password for `root`",
        ));
    }
    for (parameter, secret, variable, what) in secrets {
        let generate = format!("Generate{parameter}");
        parameters.insert(
            parameter.to_owned(),
            json!({
                "Type": "String",
                "NoEcho": true,
                "Default": "",
                "Description": format!(
                    "{what} ({variable}); left empty, one is generated. Kept in Secrets Manager, never in the template."
                ),
            }),
        );
        conditions.insert(
            generate.clone(),
            json!({"Fn::Equals": [{"Ref": parameter}, ""]}),
        );
        resources.insert(
            secret.to_owned(),
            json!({
                "Type": "AWS::SecretsManager::Secret",
                "Properties": {
                    "Description": format!("{what} ({variable})."),
                    "SecretString": {"Fn::If": [generate, {"Ref": "AWS::NoValue"}, {"Ref": parameter}]},
                    "GenerateSecretString": {"Fn::If": [
                        generate,
                        {"PasswordLength": 64, "ExcludePunctuation": true},
                        {"Ref": "AWS::NoValue"},
                    ]},
                },
            }),
        );
        environment.insert(
            variable.to_owned(),
            json!({"Fn::Sub": format!("{{{{resolve:secretsmanager:${{{secret}}}:SecretString}}}}")}),
        );
    }
    let (mut events, adjusted, mut not_deployed) = events(app);
    not_deployed.extend(not_deployed_features(app));
    let timeout = timeout_seconds(&config.limits);
    let mut additions = aws::Additions::default();
    let (websockets, background) = channel_kinds(app);
    if websockets {
        aws::websockets(&mut resources, FUNCTION, &mut additions);
    }
    if background {
        aws::queue(&mut resources, timeout, &mut additions);
    }
    environment.extend(additions.environment);
    events.extend(additions.events);
    let mut outputs = Map::new();
    outputs.insert(
        "ApiUrl".to_owned(),
        json!({
            "Description": "The app's base URL (API Gateway HTTP API, $default stage)",
            "Value": {"Fn::Sub": "https://${ServerlessHttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/"},
        }),
    );
    outputs.extend(additions.outputs);
    let mut function = json!({
        "Type": "AWS::Serverless::Function",
        "Metadata": {"BuildMethod": "rust-cargolambda"},
        "Properties": {
            "Description": format!("{} {}, served by servey", config.api_title, config.api_version),
            "CodeUri": ".",
            "Handler": "bootstrap",
            "Runtime": "provided.al2023",
            "Architectures": ["arm64"],
            "MemorySize": 256,
            "Timeout": timeout,
            "Environment": {"Variables": environment},
            // A failed scheduled run is logged and the schedule goes on, as on the server: no retry.
            "EventInvokeConfig": {"MaximumRetryAttempts": 0},
            "Events": events,
        },
    });
    if !additions.policies.is_empty() {
        function["Properties"]["Policies"] = Value::Array(additions.policies);
    }
    resources.insert(FUNCTION.to_owned(), function);
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Description": format!(
            "{} {} on AWS Lambda: written by `--run=sam`",
            config.api_title, config.api_version
        ),
        "Metadata": {"servey": {"Adjusted": adjusted, "NotDeployed": not_deployed}},
        "Parameters": parameters,
        "Conditions": conditions,
        "Resources": resources,
        "Outputs": outputs,
    })
}

/// The function's events: every route through one HTTP API, one EventBridge rule per schedule; and
/// the schedules changed or left out on the way.
fn events(app: &App) -> (Map<String, Value>, Vec<Value>, Vec<Value>) {
    let mut events = Map::new();
    events.insert("Http".to_owned(), json!({"Type": "HttpApi"}));
    let mut adjusted = Vec::new();
    let mut not_deployed = Vec::new();
    for action in app.registry().iter() {
        let schedules = action
            .triggers
            .iter()
            .filter_map(|trigger| Some((trigger, schedule::rule(trigger)?)));
        for (index, (trigger, rule)) in schedules.enumerate() {
            let rule = match rule {
                Ok(rule) => rule,
                Err(reason) => {
                    not_deployed.push(json!({
                        "Feature": format!("schedule `{}` of action `{}`", trigger.describe(), action.name),
                        "Reason": reason,
                    }));
                    continue;
                }
            };
            if let Some(reason) = &rule.adjustment {
                adjusted.push(json!({
                    "Feature": format!("schedule `{}` of action `{}`", trigger.describe(), action.name),
                    "Deployed": rule.expression,
                    "Reason": reason,
                }));
            }
            let mut properties = json!({
                "Schedule": rule.expression,
                "Description": format!("servey: runs `{}` ({})", action.name, trigger.describe()),
                "Input": schedule::rule_input(&action.name).to_string(),
            });
            if let Some(tail) = schedule::rule_name_tail(&action.name, index) {
                properties["Name"] = json!({"Fn::Sub": format!("${{AWS::StackName}}-{tail}")});
            }
            events.insert(
                event_id(&action.name, index, &events),
                json!({"Type": "Schedule", "Properties": properties}),
            );
        }
    }
    (events, adjusted, not_deployed)
}

/// `Schedule` + the action's name in PascalCase (+ the schedule's number after the first), unique.
fn event_id(action: &str, index: usize, taken: &Map<String, Value>) -> String {
    let pascal: String = action
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    let base = match index {
        0 => format!("Schedule{pascal}"),
        n => format!("Schedule{pascal}{}", n + 1),
    };
    let mut id = base.clone();
    let mut suffix = 2;
    while taken.contains_key(&id) {
        id = format!("{base}X{suffix}");
        suffix += 1;
    }
    id
}

/// The settings of the app's `ServeyConfig` the function runs with (its keys are added from secrets).
fn environment(app: &App) -> Map<String, Value> {
    let config = app.config();
    let mut variables = Map::new();
    let mut set = |name: &str, value: String| {
        variables.insert(name.to_owned(), Value::String(value));
    };
    set("RUST_LOG", "info".to_owned());
    set("SERVEY_API_TITLE", config.api_title.clone());
    set("SERVEY_API_VERSION", config.api_version.clone());
    if let Some(description) = &config.api_description {
        set("SERVEY_API_DESCRIPTION", description.clone());
    }
    if !config.cors_allowed_origins.is_empty() {
        set(
            "CORS_ALLOWED_ORIGINS",
            config.cors_allowed_origins.join(","),
        );
    }
    if config.debug_login {
        set("SERVEY_DEBUG_LOGIN", "true".to_owned());
    }
    if config.log_format == LogFormat::Json {
        set("SERVEY_LOG_FORMAT", "json".to_owned());
    }
    if let Some(endpoint) = crate::telemetry::otlp_endpoint(&config.settings) {
        set("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint);
    }
    let limits = &config.limits;
    let defaults = Limits::default();
    if limits.body_bytes != defaults.body_bytes {
        set("SERVEY_BODY_LIMIT", limits.body_bytes.to_string());
    }
    if limits.action_timeout != defaults.action_timeout {
        let timeout = limits
            .action_timeout
            .map_or_else(|| "off".to_owned(), |t| t.as_secs_f64().to_string());
        set("SERVEY_ACTION_TIMEOUT", timeout);
    }
    if let Some(rate) = &limits.rate_limit {
        set(
            "SERVEY_RATE_LIMIT",
            format!("{}/{}", rate.count, rate.period.as_secs()),
        );
    }
    variables
}

/// The function's timeout: the action timeout and a second to answer, within Lambda's 900 s.
fn timeout_seconds(limits: &Limits) -> u64 {
    limits
        .action_timeout
        .map_or(900, |timeout| timeout.as_secs_f64().ceil() as u64 + 1)
        .clamp(3, 900)
}

/// Whether the app has websocket channels, and background or webhook channels (both go through SQS).
fn channel_kinds(app: &App) -> (bool, bool) {
    #[cfg(feature = "schedule")]
    if let Ok(channels) = servey_schedule::Channels::of(app) {
        use servey_schedule::ChannelKind;
        let has = |kind| channels.iter().any(|channel| channel.kind() == kind);
        return (
            has(ChannelKind::Websocket),
            has(ChannelKind::Background) || has(ChannelKind::Webhook),
        );
    }
    let _ = app;
    (false, false)
}

/// What the app has that this template does not deploy, each with the reason.
fn not_deployed_features(app: &App) -> Vec<Value> {
    let mut features = Vec::new();
    let cached: Vec<&str> = app
        .registry()
        .iter()
        .filter(|action| {
            action
                .cache_control
                .as_ref()
                .is_some_and(|policy| policy.server_ttl().is_some())
        })
        .map(|action| action.name.as_str())
        .collect();
    let mut redis = "The template creates no Redis (ElastiCache \
                     needs a VPC the function would have to join). Each Lambda instance keeps its own \
                     result store and rate limits; websocket events go through API Gateway and \
                     DynamoDB, background and webhook events through SQS."
        .to_owned();
    if !cached.is_empty() {
        redis.push_str(&format!(
            " Results of {} are cached per instance, not shared.",
            cached.join(", ")
        ));
    }
    features.push(json!({"Feature": "Redis backend (SERVEY_REDIS_URL)", "Reason": redis}));
    let pages = app.registry().iter().any(|action| {
        action
            .triggers
            .iter()
            .any(|t| matches!(t, Trigger::WebPage { .. }))
    });
    // Static files are served from static/ only when there; the pages need their templates.
    if pages && app.config().embedded_templates.is_none() {
        features.push(json!({
            "Feature": "templates/ and static/ (web pages, /static/)",
            "Reason": "`sam build` packages the binary alone; build them into it \
                       (`Builder::embedded_templates(servey::embed_dir!(\"templates\"))`, and \
                       `embedded_static`), or copy templates/ and static/ next to `bootstrap`.",
        }));
    }
    features
}

#[cfg(test)]
mod tests;
