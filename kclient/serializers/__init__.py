"""Kubernetes wire codecs: JSON, YAML and protobuf, as plain dicts.

Objects are ``dict``s shaped exactly like their Kubernetes JSON form, whatever the wire
format: a protobuf Pod decodes to the same dict as its JSON. Everything here is sans-IO.

* ``decode(data, content_type=None)``: with no content type the data is recognized as
  upstream's recognizing decoder does: first non-space byte ``{`` is JSON, the
  ``k8s\\x00`` prefix is protobuf, anything else is YAML.
* ``decode_all``: every object of a multi-document YAML file or a JSON stream.
* ``encode(obj, content_type)``; ``encode_item`` / ``encode_list`` build list responses
  from per-object cached bytes; ``encode_watch_event`` writes one watch-stream event.
* ``StreamDecoder(content_type)``: incremental decoding of watch streams and files.
* ``DecodeError`` / ``EncodeError`` (both ``ValueError``) for every failure.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from . import json_codec, yaml_codec
from .errors import DecodeError, EncodeError
from .framing import DEFAULT_MAX_FRAME_SIZE
from .media import JSON, PROTOBUF, PROTOBUF_WATCH, YAML, normalize, parse_media_type
from .streaming import StreamDecoder, check_watch_event

__all__ = [
    "JSON",
    "YAML",
    "PROTOBUF",
    "PROTOBUF_WATCH",
    "DEFAULT_MAX_FRAME_SIZE",
    "DecodeError",
    "EncodeError",
    "StreamDecoder",
    "decode",
    "decode_all",
    "encode",
    "encode_all",
    "encode_item",
    "encode_list",
    "encode_watch_event",
    "has_protobuf_schema",
    "recognize",
    "normalize",
    "parse_media_type",
    "check_watch_event",
]

_SPACE = b" \t\n\r\x0b\x0c"


def recognize(data: bytes | bytearray | memoryview) -> str:
    """The media type upstream's recognizing decoder would pick for ``data``."""
    if bytes(data[:4]) == b"k8s\x00":
        return PROTOBUF
    head = bytes(data[:4096])
    stripped = head.lstrip(_SPACE)
    if stripped.startswith(b"\xc2\x85") or stripped.startswith(b"\xc2\xa0"):
        stripped = head.decode("utf-8", "ignore").lstrip().encode()
    if stripped.startswith(b"{"):
        return JSON
    return YAML


def _object(value: Any, what: str) -> dict:
    if not isinstance(value, dict):
        if value is None:
            raise DecodeError(f"{what}: empty document")
        raise DecodeError(f"{what}: expected an object, got {type(value).__name__}")
    return value


def decode(data: bytes | bytearray | memoryview | str, content_type: str | None = None) -> dict:
    """Decode one object. Raises DecodeError (naming the offset) on malformed input."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise DecodeError(f"expected bytes, got {type(data).__name__}")
    if len(data) == 0:
        raise DecodeError("empty data")
    try:
        ct = normalize(content_type) if content_type else recognize(data)
    except ValueError as exc:
        raise DecodeError(str(exc)) from None
    if ct == JSON:
        return _object(json_codec.loads(data), "JSON")
    if ct == YAML:
        return _object(yaml_codec.loads(bytes(data)), "YAML")
    from . import protobuf

    return protobuf.decode(data)


def decode_all(
    data: bytes | bytearray | memoryview | str, content_type: str | None = None
) -> list[dict]:
    """Every object in a multi-document YAML file, a JSON stream, or one object."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        ct = normalize(content_type) if content_type else recognize(data)
    except ValueError as exc:
        raise DecodeError(str(exc)) from None
    if ct == PROTOBUF:
        return [decode(data, PROTOBUF)]
    dec = StreamDecoder(ct, watch=False)
    return dec.feed(data) + dec.close()


def encode(obj: dict, content_type: str, *, pretty: bool = False) -> bytes:
    """Encode one object (protobuf needs its apiVersion and kind)."""
    try:
        ct = normalize(content_type)
    except ValueError as exc:
        raise EncodeError(str(exc)) from None
    if ct == JSON:
        return json_codec.dumps(obj, pretty=pretty)
    if ct == YAML:
        return yaml_codec.dumps(obj)
    from . import protobuf

    return protobuf.encode(obj)


def encode_all(objs: Iterable[dict], content_type: str) -> bytes:
    """Several objects as one stream: ``---``-separated YAML, or one JSON object per line."""
    ct = normalize(content_type)
    if ct == YAML:
        return b"".join(b"---\n" + yaml_codec.dumps(o) for o in objs)
    if ct == JSON:
        return b"".join(json_codec.dumps(o) + b"\n" for o in objs)
    raise EncodeError("protobuf has no multi-object file form; encode objects one by one")


def has_protobuf_schema(api_version: str, kind: str) -> bool:
    from . import protobuf

    return protobuf.has_schema(api_version, kind)


def encode_item(obj: dict, content_type: str) -> bytes:
    """One list item, to cache per object: compact JSON, or the bare protobuf message.

    For protobuf ``obj`` must carry apiVersion and kind (they pick the schema and are
    not written: items carry no type of their own).
    """
    ct = normalize(content_type)
    if ct == JSON:
        return json_codec.dumps(obj)
    if ct == PROTOBUF:
        from . import protobuf

        return protobuf.encode_raw(obj)
    raise EncodeError(f"no list item form for {ct}")


def encode_list(list_obj: dict, items: Sequence[bytes], content_type: str) -> bytes:
    """A list response from its apiVersion/kind/metadata and items from ``encode_item``."""
    ct = normalize(content_type)
    if ct == JSON:
        head = {k: v for k, v in list_obj.items() if k != "items"}
        prefix = json_codec.dumps(head)[:-1]
        sep = b"," if len(prefix) > 1 else b""
        return prefix + sep + b'"items":[' + b",".join(items) + b"]}"
    if ct == PROTOBUF:
        from . import protobuf

        return protobuf.encode_list(list_obj, items)
    if ct == YAML:
        full = dict(list_obj)
        full["items"] = [json_codec.loads(i) for i in items]
        return yaml_codec.dumps(full)
    raise EncodeError(f"no list form for {ct}")


def encode_watch_event(event_type: str, obj: dict, content_type: str) -> bytes:
    """One event as it goes on a watch stream of ``content_type``.

    JSON: a compact ``{"type","object"}`` object and a newline (as the API server writes
    it); protobuf: a 4-byte big-endian length and a bare WatchEvent carrying the
    enveloped object. YAML has no watch form (servers answer 406).
    """
    ct = normalize(content_type)
    if ct == JSON:
        return json_codec.dumps({"type": event_type, "object": obj}) + b"\n"
    if ct == PROTOBUF:
        from . import protobuf

        body = protobuf.encode_watch_event(event_type, obj)
        return len(body).to_bytes(4, "big") + body
    raise EncodeError(f"{ct} has no watch stream form")
