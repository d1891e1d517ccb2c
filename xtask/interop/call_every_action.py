"""Calls every operation of a servey app's OpenAPI document through the package openapi-python-client
generated from it, and the same request through curl, and fails unless both get the same answer.

Usage: python call_every_action.py BASE_URL OPENAPI_JSON PACKAGE_PARENT PACKAGE PASSWORD

Inputs come from the document: each operation's first example, else the smallest value its schema
allows. Operations that take credentials (all but `/login`) are called with a token the generated
client got from `/login` (the debug authenticator's password grant).
"""

import importlib
import json
import pkgutil
import subprocess
import sys
import typing
import urllib.parse

BASE, DOCUMENT, PACKAGE_PARENT, PACKAGE, PASSWORD = sys.argv[1:6]
sys.path.insert(0, PACKAGE_PARENT)
package = importlib.import_module(PACKAGE)
api = importlib.import_module(f"{PACKAGE}.api")
with open(DOCUMENT, encoding="utf-8") as file:
    document = json.load(file)
schemas = document.get("components", {}).get("schemas", {})


def resolve(schema):
    while "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def sample(schema):
    """The smallest value `schema` allows: required properties only, empty lists, 0, "x"."""
    schema = resolve(schema)
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return sample(next(s for s in schema[key] if s.get("type") != "null"))
    kinds = schema.get("type")
    kind = kinds if isinstance(kinds, str) else next((k for k in kinds or [] if k != "null"), None)
    if kind == "object":
        required = schema.get("required", [])
        return {k: sample(v) for k, v in schema.get("properties", {}).items() if k in required}
    return {"array": [], "integer": max(0, schema.get("minimum", 0)), "number": 0.5,
            "boolean": False, "string": "x"}.get(kind)


def operation_input(operation):
    """Parameters (by name, with where they go) and the body of one call."""
    parameters = []
    for parameter in operation.get("parameters", []):
        if "example" in parameter:
            value = parameter["example"]
        elif parameter.get("required"):
            value = sample(parameter.get("schema", {}))
        else:
            continue
        parameters.append((parameter, value))
    body, media_type = None, None
    for media_type, content in operation.get("requestBody", {}).get("content", {}).items():
        examples = list(content.get("examples", {}).values())
        body = examples[0]["value"] if examples else sample(content.get("schema", {}))
        break
    return parameters, body, media_type


def curl(method, path, parameters, body, media_type, token):
    """The answer curl gets: status, content type and body."""
    query = []
    for parameter, value in parameters:
        if parameter["in"] == "path":
            path = path.replace("{" + parameter["name"] + "}", urllib.parse.quote(str(value)))
        elif isinstance(value, dict) and parameter.get("explode", True):
            query.extend((key, text(item)) for key, item in value.items())
        else:
            query.append((parameter["name"], text(value)))
    url = BASE + path + ("?" + urllib.parse.urlencode(query) if query else "")
    command = ["curl", "-s", "-X", method.upper(), "-w", "\n%{http_code} %{content_type}", url]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    if media_type == "application/json":
        command += ["-H", "Content-Type: application/json", "--data-binary", json.dumps(body)]
    elif media_type == "application/x-www-form-urlencoded":
        command += ["--data", urllib.parse.urlencode(body)]
    output = subprocess.run(command, capture_output=True, check=True, text=True).stdout
    content, _, trailer = output.rpartition("\n")
    status, _, content_type = trailer.partition(" ")
    return int(status), content_type, content


def text(value):
    return json.dumps(value) if isinstance(value, (bool, dict, list)) else str(value)


def generated_function(operation_id):
    """`sync_detailed` of the module the generator wrote for `operation_id`, whatever its tag."""
    for tag in pkgutil.iter_modules(api.__path__):
        try:
            return importlib.import_module(f"{PACKAGE}.api.{tag.name}.{operation_id}").sync_detailed
        except ModuleNotFoundError:
            continue
    raise SystemExit(f"no generated function for `{operation_id}`")


def model_of(annotation):
    """The generated model class inside an annotation (`Union[Unset, StoreMessageInput]`), if any."""
    if hasattr(annotation, "from_dict"):
        return annotation
    for argument in typing.get_args(annotation):
        found = model_of(argument)
        if found is not None:
            return found
    return None


def call_generated(operation_id, parameters, body, client):
    function = generated_function(operation_id)
    hints = typing.get_type_hints(function)
    by_name = {parameter["name"]: value for parameter, value in parameters}
    kwargs = {"client": client}
    for name in hints:
        if name in ("client", "return"):
            continue
        wanted = body if name == "body" else by_name.get(name.rstrip("_"), by_name.get(name))
        if wanted is None:
            continue
        model = model_of(hints[name])
        kwargs[name] = model.from_dict(wanted) if model and isinstance(wanted, dict) else wanted
    return function(**kwargs)


def main():
    client = package.Client(base_url=BASE, raise_on_unexpected_status=False)
    login = generated_function("login")
    form_model = model_of(typing.get_type_hints(login)["body"])
    grant = login(client=client, body=form_model.from_dict(
        {"grant_type": "password", "username": "root", "password": PASSWORD}))
    if grant.status_code != 200:
        raise SystemExit(f"the generated client could not log in: {grant.status_code} {grant.content!r}")
    token = json.loads(grant.content)["access_token"]
    authenticated = package.AuthenticatedClient(
        base_url=BASE, token=token, raise_on_unexpected_status=False)

    mismatches, called = [], 0
    for path, item in document["paths"].items():
        for method, operation in item.items():
            operation_id = operation["operationId"]
            parameters, body, media_type = operation_input(operation)
            takes_token = bool(operation.get("security"))
            generated = call_generated(
                operation_id, parameters, body, authenticated if takes_token else client)
            status, content_type, content = curl(
                method, path, parameters, body, media_type, token if takes_token else None)
            called += 1
            mine = (int(generated.status_code), generated.headers.get("content-type", ""))
            if mine != (status, content_type):
                mismatches.append(f"{operation_id}: generated client {mine}, curl {(status, content_type)}")
                continue
            if "json" in content_type:
                answer = json.loads(generated.content)
                if answer != json.loads(content):
                    mismatches.append(f"{operation_id}: generated client {answer}, curl {content}")
                    continue
                parsed = generated.parsed
                if status < 300 and hasattr(parsed, "to_dict") and parsed.to_dict() != answer:
                    mismatches.append(f"{operation_id}: the generated model reads {parsed.to_dict()}, "
                                      f"the server sent {answer}")
                    continue
            print(f"  {method.upper():6} {path:32} {operation_id:22} {status} same answer")
    if mismatches:
        raise SystemExit("the generated client and curl disagree:\n  " + "\n  ".join(mismatches))
    print(f"all {called} operations answered the generated Python client as they answer curl")


main()
