"""Calls a servey app's actions over gRPC as a Python service would, and checks each answer against REST.

Every case is called three ways: over REST (`POST /jobs`, the reference), through messages built from
the server's reflection, and through stubs that grpcio-tools generated from `--run=proto`. A success must
be the same message as REST's result; a failure the gRPC code for REST's status, with servey's error
code in `ErrorInfo` and REST's field paths and codes as `BadRequest` violations. Then: reflection lists
the service and health, the health service answers, a rate limit is `RESOURCE_EXHAUSTED` with
`RetryInfo`, and a channel streams an event published over REST.

Usage: check.py TARGET BASE_URL CASES_JSON STUBS_DIR MODULE SERVICE
Prints one line per check; exits 1 on the first mismatch.
"""

import importlib
import json
import sys
import threading
import urllib.error
import urllib.request

import grpc
from google.protobuf import json_format, message_factory, struct_pb2
from google.protobuf.descriptor_pool import DescriptorPool
from google.rpc import error_details_pb2, status_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)

# The gRPC code servey gives each HTTP status (as grpc-gateway and Google's APIs pair them).
CODES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    415: "INVALID_ARGUMENT",
    422: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


def fail(message):
    print(f"FAIL {message}")
    sys.exit(1)


def rest(base, action, params, token):
    """The outcome of one action over REST's `POST /jobs`: ("result", value) or ("error", problem)."""
    body = json.dumps({"actions": [{"action": action, "body": params}]}).encode()
    request = urllib.request.Request(f"{base}/jobs", data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            outcome = json.load(response)["results"][0]
    except urllib.error.HTTPError as error:
        fail(f"{action}: POST /jobs answered {error.code}: {error.read()!r}")
    if "error" in outcome:
        return "error", outcome["error"]
    return "result", outcome["result"]


def details(error):
    """servey's code, the field violations and whether a retry delay came with a gRPC error."""
    reason, fields, retry = None, [], None
    for key, value in error.trailing_metadata() or ():
        if key != "grpc-status-details-bin":
            continue
        status = status_pb2.Status.FromString(value)
        for detail in status.details:
            if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                info = error_details_pb2.ErrorInfo()
                detail.Unpack(info)
                reason = info.reason
            elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                bad = error_details_pb2.BadRequest()
                detail.Unpack(bad)
                fields = [(v.field, v.reason) for v in bad.field_violations]
            elif detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
                info = error_details_pb2.RetryInfo()
                detail.Unpack(info)
                retry = info.retry_delay.seconds
    return reason, fields, retry


def expected_message(output_class, result):
    """REST's result as the RPC's response message (wrapped in `result` when the RPC says so)."""
    message = output_class()
    if output_class.DESCRIPTOR.full_name == "google.protobuf.Value":
        json_format.ParseDict(result, message)
        return message
    names = [field.name for field in output_class.DESCRIPTOR.fields]
    if output_class.DESCRIPTOR.name.endswith("Response") and names == ["result"]:
        result = {} if result is None else {"result": result}
    json_format.ParseDict(result, message, ignore_unknown_fields=True)
    return message


def call(channel, path, input_class, output_class, params, token):
    """One unary call with `params` as the request; ("result", message) or ("error", RpcError)."""
    request = input_class()
    json_format.ParseDict(params, request)
    method = channel.unary_unary(
        path,
        request_serializer=input_class.SerializeToString,
        response_deserializer=output_class.FromString,
    )
    metadata = [("authorization", f"Bearer {token}")] if token else None
    try:
        return "result", method(request, metadata=metadata, timeout=30)
    except grpc.RpcError as error:
        return "error", error


def compare(label, case, rest_outcome, grpc_outcome, output_class):
    kind, value = rest_outcome
    got_kind, got = grpc_outcome
    if kind == "result":
        if got_kind != "result":
            fail(f"{label}: REST answered {value!r}, gRPC failed: {got.code()} {got.details()}")
        expected = expected_message(output_class, value)
        if expected != got:
            fail(f"{label}: REST answered {value!r}, gRPC {json_format.MessageToDict(got)!r}")
        return f"{label}: ok"
    if got_kind != "error":
        fail(f"{label}: REST failed with {value!r}, gRPC answered {got!r}")
    code = CODES.get(value["status"], "FAILED_PRECONDITION")
    if got.code().name != code:
        fail(f"{label}: REST status {value['status']} wants {code}, gRPC gave {got.code().name}")
    reason, fields, _ = details(got)
    if reason != value["code"]:
        fail(f"{label}: REST code {value['code']!r}, gRPC ErrorInfo reason {reason!r}")
    want = [(error["path"], error["code"]) for error in value.get("errors", [])]
    if fields != want:
        fail(f"{label}: REST field errors {want!r}, gRPC field violations {fields!r}")
    return f"{label}: {code} {reason} {fields}"


def main():
    target, base, cases_path, stubs, module, service_name = sys.argv[1:7]
    with open(cases_path) as file:
        cases = json.load(file)
    channel = grpc.insecure_channel(target)
    grpc.channel_ready_future(channel).result(timeout=15)

    # Reflection: the service and health are listed; messages come from the server's descriptors.
    database = ProtoReflectionDescriptorDatabase(channel)
    services = set(database.get_services())
    for wanted in (service_name, "grpc.health.v1.Health"):
        if wanted not in services:
            fail(f"reflection lists {sorted(services)}, not {wanted}")
    print(f"reflection: {sorted(services)}")
    pool = DescriptorPool(database)
    reflected = pool.FindServiceByName(service_name)

    # Stubs generated by grpcio-tools from `--run=proto`.
    sys.path.insert(0, stubs)
    generated = importlib.import_module(f"{module}_pb2")
    stub_service = generated.DESCRIPTOR.services_by_name[service_name.rsplit(".", 1)[1]]

    def classes(service, name):
        method = service.methods_by_name[name]
        return (
            message_factory.GetMessageClass(method.input_type),
            message_factory.GetMessageClass(method.output_type),
        )

    called = set()
    for case in cases:
        name, params, token = case["method"], case["params"], case.get("token")
        rest_outcome = rest(base, case["action"], params, token)
        path = f"/{service_name}/{name}"
        for label, service in (("reflection", reflected), ("stubs", stub_service)):
            input_class, output_class = classes(service, name)
            outcome = call(channel, path, input_class, output_class, params, token)
            print(compare(f"{name} {json.dumps(params)} via {label}", case, rest_outcome, outcome, output_class))
        called.add(name)
    unary = {m.name for m in reflected.methods if not m.name.startswith("Subscribe")}
    if unary - called:
        fail(f"no case calls {sorted(unary - called)}")

    # Health.
    health = health_pb2_grpc.HealthStub(channel)
    for name in ("", service_name):
        answer = health.Check(health_pb2.HealthCheckRequest(service=name), timeout=10)
        if answer.status != health_pb2.HealthCheckResponse.SERVING:
            fail(f"health of {name!r} is {answer.status}")
    try:
        health.Check(health_pb2.HealthCheckRequest(service="nope"), timeout=10)
        fail("health of an unknown service answered")
    except grpc.RpcError as error:
        if error.code() != grpc.StatusCode.NOT_FOUND:
            fail(f"health of an unknown service: {error.code()}")
    print("health: SERVING, unknown service NOT_FOUND")

    # A rate limit: RESOURCE_EXHAUSTED with the delay to wait.
    input_class, output_class = classes(reflected, "EchoAuthorization")
    for _ in range(200):
        kind, outcome = call(channel, f"/{service_name}/EchoAuthorization", input_class, output_class, {}, None)
        if kind == "error":
            if outcome.code() != grpc.StatusCode.RESOURCE_EXHAUSTED:
                fail(f"EchoAuthorization failed with {outcome.code()}")
            _, _, retry = details(outcome)
            if not retry:
                fail("the rate limit's status carries no RetryInfo")
            print(f"rate limit: RESOURCE_EXHAUSTED, retry in {retry} s")
            break
    else:
        fail("EchoAuthorization was never rate limited")

    # A channel: an event published over REST reaches a gRPC subscriber.
    input_class, output_class = classes(reflected, "SubscribeMessenger")
    subscribe = channel.unary_stream(
        f"/{service_name}/SubscribeMessenger",
        request_serializer=input_class.SerializeToString,
        response_deserializer=output_class.FromString,
    )
    stream = subscribe(input_class(), timeout=30)
    received = []

    def read():
        for event in stream:
            received.append(event)
            return

    reader = threading.Thread(target=read)
    reader.start()
    sent = {"message": {"sender": "grpc", "text": "over the stream"}}
    # The subscription registers when the call starts: publish until the subscriber has one.
    for _ in range(50):
        rest(base, "broadcast_message", sent, None)
        reader.join(timeout=0.2)
        if received:
            break
    stream.cancel()
    if not received:
        fail("the subscriber got no event")
    event = json_format.MessageToDict(received[0], preserving_proto_field_name=True)
    if event.get("event") != sent["message"] or not event.get("id"):
        fail(f"the event streamed is {event!r}")
    print(f"channel: {event!r}")
    print("all checks passed")


if __name__ == "__main__":
    main()
