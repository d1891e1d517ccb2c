//! JSON's shapes in proto and back: a `date-time` as `Timestamp`, a map, a list of lists as `Value`s, a
//! key that may be `null` as `optional`, an object as its own message; a request encoded from JSON by
//! the app's descriptors reaches the action as that JSON, and its result comes back unchanged.

use axum::body::Body;
use prost::Message as _;
use prost_reflect::{DescriptorPool, DynamicMessage, SerializeOptions};
use serde_json::{Value, json};
use servey_core::{
    Action, ActionError, ActionSchema, App, ErrorCode, Registry, ServeyConfig, Trigger,
};
use servey_grpc::GrpcService;
use std::collections::BTreeMap;
use tower::ServiceExt;

use utoipa::openapi::{RefOr, Schema};

fn schema(value: Value) -> RefOr<Schema> {
    serde_json::from_value(value).expect("a schema")
}

/// An app with `echo_shapes`, which answers its input as it got it.
fn app() -> App {
    let components: BTreeMap<String, RefOr<Schema>> = serde_json::from_value(json!({
            "Place": {
                "type": "object",
                "description": "Somewhere.",
                "required": ["name"],
                "properties": {"name": {"type": "string"}, "floor": {"type": ["integer", "null"], "format": "int32"}}
            }
    }))
    .expect("components");
    let shapes = json!({
        "type": "object",
        "required": ["when", "counts", "grid", "place", "tags"],
        "properties": {
            "when": {"type": "string", "format": "date-time"},
            "counts": {"type": "object", "additionalProperties": {"type": "integer", "format": "int32"}},
            "grid": {"type": "array", "items": {"type": "array", "items": {"type": "integer", "format": "int64"}}},
            "place": {"$ref": "#/components/schemas/Place"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "note": {"type": ["string", "null"]},
            "ratio": {"type": "number"}
        }
    });
    // Reads `grid` as integers, as a Rust action would: a `Value` number must reach it as one.
    let action = Action::builder("echo_shapes", |input: Value, _| async move {
        serde_json::from_value::<Vec<Vec<i64>>>(input["grid"].clone())
            .map_err(|error| ActionError::new(ErrorCode::InvalidInput, error.to_string()))?;
        Ok(input)
    })
    .doc("Answers its input.")
    .trigger(Trigger::web_post())
    .schema(ActionSchema::new(
        schema(shapes.clone()),
        schema(shapes),
        components,
    ))
    .build();
    let registry = Registry::builder()
        .action(action)
        .build()
        .expect("a registry");
    App::new(registry, ServeyConfig::from_lookup(|_| None))
}

#[test]
fn each_shape_has_its_proto_form() {
    let proto = servey_grpc::proto(&app()).expect("a proto");
    for line in [
        "import \"google/protobuf/struct.proto\";",
        "import \"google/protobuf/timestamp.proto\";",
        "rpc EchoShapes(EchoShapesRequest) returns (EchoShapesResult);",
        // Numbered in the schema's key order (alphabetical here: `json!` sorts keys).
        "  map<string, int32> counts = 1;",
        "  repeated google.protobuf.Value grid = 2;",
        "  optional string note = 3;",
        "  Place place = 4;",
        "  optional double ratio = 5;",
        "  repeated string tags = 6;",
        "  google.protobuf.Timestamp when = 7;",
        "  optional int32 floor = 1;",
    ] {
        assert!(proto.contains(line), "no `{line}` in\n{proto}");
    }
}

/// `message` framed as one gRPC message.
fn frame(message: &DynamicMessage) -> Vec<u8> {
    let bytes = message.encode_to_vec();
    let mut framed = vec![0];
    framed.extend_from_slice(&u32::try_from(bytes.len()).expect("small").to_be_bytes());
    framed.extend_from_slice(&bytes);
    framed
}

#[tokio::test]
async fn json_goes_through_proto_and_back_unchanged() {
    let app = app();
    let service = GrpcService::new(&app).expect("the gRPC face builds");
    // The client's side: descriptors from the same .proto, as a stub compiled from it would have.
    let mut pool = DescriptorPool::global();
    let file = servey_grpc::descriptor(&app).expect("a descriptor");
    pool.add_file_descriptor_proto(file).expect("a valid file");
    let request_type = pool
        .get_message_by_name("servey.EchoShapesRequest")
        .expect("the request message");
    let response_type = pool
        .get_message_by_name("servey.EchoShapesResult")
        .expect("the response message");
    let sent = json!({
        "when": "2026-12-07T10:00:00Z",
        "counts": {"a": 1, "b": -2},
        "grid": [[1, 2], [3]],
        "place": {"name": "hall"},
        "tags": ["x", "y"],
    });
    let request = DynamicMessage::deserialize(request_type, sent.clone()).expect("JSON fits");
    let call = axum::http::Request::post("/servey.Servey/EchoShapes")
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .body(Body::from(frame(&request)))
        .expect("a request");
    assert!(GrpcService::is_grpc(&call));
    let response = service.oneshot(call).await.expect("infallible");
    assert_eq!(response.status(), 200);
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("a body");
    assert!(body.len() > 5, "no message in {body:?}");
    let answer = DynamicMessage::decode(response_type, &body[5..]).expect("a response message");
    let options = SerializeOptions::new()
        .stringify_64_bit_integers(false)
        .use_proto_field_name(true);
    let answer = answer
        .serialize_with_options(serde_json::value::Serializer, &options)
        .expect("JSON");
    let mut answer = answer;
    let mut sent = sent;
    // The client reads a `Value`'s numbers as the doubles they are.
    assert_eq!(answer["grid"].take(), json!([[1.0, 2.0], [3.0]]));
    sent["grid"].take();
    assert_eq!(answer, sent);
}
