"""Schemathesis hooks for the tour app's tests: MessagePack (`application/msgpack`), which the OpenAPI
document offers beside JSON, sent and read with the `msgpack` package (xtask/requirements.txt)."""

import msgpack
import schemathesis


@schemathesis.serializer("application/msgpack")
def to_msgpack(ctx, value):
    # The bytes themselves: schemathesis wraps what a serializer returns into the request's body (a dict
    # here would go out form-encoded).
    return msgpack.packb(_fit(value), use_bin_type=True)


def _fit(value):
    """MessagePack holds integers of 64 bits; a larger one (negative tests make them) goes as the float
    a JSON client would send, which the server refuses as out of range all the same."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and not -(2**63) <= value < 2**64:
        return float(value)
    if isinstance(value, list):
        return [_fit(item) for item in value]
    if isinstance(value, dict):
        return {key: _fit(item) for key, item in value.items()}
    return value


@schemathesis.deserializer("application/msgpack")
def from_msgpack(ctx, response):
    return msgpack.unpackb(response.content, raw=False)
