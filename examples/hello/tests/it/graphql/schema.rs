//! The SDL, checked by graphql-core against the schema the server serves.

use std::time::Duration;

use serde_json::{Value, json};

use crate::server::{python, run_tool_with_input, start};

/// Validates the SDL with graphql-core, fetches the live schema with the standard introspection query
/// and compares the two as graphql-core prints them.
const CHECK_SCHEMA: &str = r#"
import json, sys, urllib.request
from graphql import (build_client_schema, build_schema, get_introspection_query, print_schema,
                     validate_schema)
sdl = build_schema(sys.stdin.read())
body = json.dumps({"query": get_introspection_query(descriptions=True)}).encode()
request = urllib.request.Request(sys.argv[1], data=body, headers={"Content-Type": "application/json"})
result = json.load(urllib.request.urlopen(request, timeout=30))
live = build_client_schema(result["data"])
same = print_schema(sdl) == print_schema(live)
print(json.dumps({
    "sdl_errors": [e.message for e in validate_schema(sdl)],
    "live_errors": [e.message for e in validate_schema(live)],
    "introspection_errors": result.get("errors", []),
    "same": same,
    "types": sorted(name for name in sdl.type_map if not name.startswith("__")),
    "diff": None if same else [print_schema(sdl), print_schema(live)],
}))
"#;

#[tokio::test]
async fn sdl_is_valid_and_is_what_the_server_serves() {
    let server = start().await;
    let sdl = servey::graphql_sdl(&server.app).expect("the SDL builds");
    let output = run_tool_with_input(
        &mut python(&["-c", CHECK_SCHEMA, &server.url("/graphql")]),
        sdl.as_bytes(),
        Duration::from_secs(60),
    )
    .await;
    assert!(
        output.status.success(),
        "graphql-core failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).expect("the checker prints JSON");
    assert_eq!(
        report,
        json!({
            "sdl_errors": [], "live_errors": [], "introspection_errors": [], "same": true,
            "types": ["Authorization", "BigInt", "Boolean", "Int", "Item", "JSON", "Message", "MessageInput",
                      "Mutation", "NumberStats", "Query", "StoredMessage", "String", "Subscription", "Tick"],
            "diff": null
        })
    );
}
