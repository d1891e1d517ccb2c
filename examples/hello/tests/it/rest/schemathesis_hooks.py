"""Schemathesis hooks for the tour app's tests: MessagePack (`application/msgpack`), which the OpenAPI
document offers beside JSON, sent and read with the `msgpack` package (xtask/requirements.txt)."""

import msgpack
import schemathesis


@schemathesis.serializer("application/msgpack")
def to_msgpack(ctx, value):
    return {"data": msgpack.packb(value, use_bin_type=True)}


@schemathesis.deserializer("application/msgpack")
def from_msgpack(ctx, response):
    return msgpack.unpackb(response.content, raw=False)
