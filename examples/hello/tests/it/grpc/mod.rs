//! gRPC on the real binary as a Python service meets it (grpcio, grpcio-reflection, grpcio-tools): every
//! tour action called through reflection and through stubs generated from `--run=proto`, each answer
//! checked against REST's (see `check.py`), with health, a rate limit and a streamed channel.

use std::time::Duration;

use serde_json::{Value, json};
use servey::{Authorization, ServeyConfig, Trigger};

use crate::process::Binary;
use crate::server::{JWT_SECRET, output_text, python, run_tool, scratch_dir, tour_app};

/// The tour's service, as `--run=proto` names it from the default title.
const SERVICE: &str = "servey.Servey";

/// `say_hello` -> `SayHello`, as the proto names each action's RPC.
fn method_name(action: &str) -> String {
    action
        .split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// A token with the `root` scope, signed with the key the binary is started with.
fn root_token() -> String {
    let app = servey::App::new(
        servey::Registry::builder()
            .build()
            .expect("an empty registry"),
        ServeyConfig::from_lookup(|key| (key == "JWT_SECRET_KEY").then(|| JWT_SECRET.into())),
    );
    app.authenticator()
        .issue(&Authorization::new("root", ["root"]))
        .expect("a token is issued")
}

/// Each served action's examples, plus the calls that show what examples do not: errors of every kind
/// (a missing field, a constraint, no credentials, a failure), a caller with a token, and the actions
/// without examples.
async fn cases() -> Vec<Value> {
    let app = tour_app(crate::server::test_config()).await;
    let mut cases = Vec::new();
    for action in app.registry().top_level() {
        if !action
            .triggers
            .iter()
            .any(|t| matches!(t, Trigger::Web { .. }))
        {
            continue;
        }
        for example in action
            .examples
            .iter()
            .filter(|e| !e.partial && e.caller.is_none())
        {
            cases.push(json!({
                "method": method_name(&action.name),
                "action": action.name,
                "params": example.params,
            }));
        }
    }
    let token = root_token();
    let extra = [
        ("store_message", json!({"id": 7}), None),
        ("number_range", json!({"start": 1, "count": 5000}), None),
        (
            "update_item",
            json!({"id": 1, "name": "", "price_cents": 5}),
            None,
        ),
        ("only_for_root", json!({}), None),
        ("only_for_root", json!({}), Some(token.clone())),
        ("echo_authorization", json!({}), Some(token)),
        ("echo_authorization", json!({}), None),
        ("fail_on_purpose", json!({}), None),
        ("slow_get_with_ttl", json!({"seconds": 0}), None),
        (
            "broadcast_message",
            json!({"message": {"sender": "ann", "text": "hi"}}),
            None,
        ),
        (
            "generated_2",
            json!({"nested": {"list": [1, null, "x"]}}),
            None,
        ),
    ];
    for (action, params, token) in extra {
        cases.push(json!({
            "method": method_name(action),
            "action": action,
            "params": params,
            "token": token,
        }));
    }
    cases
}

#[tokio::test]
async fn python_calls_every_action_over_grpc_as_over_rest() {
    let dir = scratch_dir("grpc");
    let proto = dir.join("servey.proto");
    let written = tokio::process::Command::new(env!("CARGO_BIN_EXE_hello"))
        .arg("--run=proto")
        .arg("--output")
        .arg(&proto)
        .output()
        .await
        .expect("the binary runs");
    assert!(written.status.success(), "{}", output_text(&written));
    let dir_arg = dir.display().to_string();
    let generated = run_tool(
        python(&[
            "-m",
            "grpc_tools.protoc",
            "-I",
            &dir_arg,
            "--python_out",
            &dir_arg,
            "--grpc_python_out",
            &dir_arg,
            "servey.proto",
        ])
        .current_dir(&dir),
        Duration::from_secs(60),
    )
    .await;
    assert!(generated.status.success(), "{}", output_text(&generated));

    let cases_path = dir.join("cases.json");
    let cases = serde_json::to_vec(&cases().await).expect("cases serialize");
    std::fs::write(&cases_path, cases).expect("cases written");

    let binary = Binary::start(&[("JWT_SECRET_KEY", JWT_SECRET)]).await;
    let target = binary.address().to_string();
    let base = binary.url("");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/grpc/check.py");
    let checked = run_tool(
        &mut python(&[
            script,
            &target,
            &base,
            &cases_path.display().to_string(),
            &dir_arg,
            "servey",
            SERVICE,
        ]),
        Duration::from_secs(120),
    )
    .await;
    let report = output_text(&checked);
    assert!(checked.status.success(), "{report}");
    assert!(report.contains("all checks passed"), "{report}");
    binary.signal("TERM").await;
    let (code, log) = binary.exit().await;
    assert_eq!(code, Some(0), "{log}");
}
