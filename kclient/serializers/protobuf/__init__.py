"""Kubernetes protobuf: the ``k8s\\x00`` envelope, and messages as JSON-shaped dicts.

``decode`` turns an enveloped object (``k8s\\x00`` + runtime.Unknown) into the dict its
JSON form gives; ``encode`` writes such a dict back, byte for byte as upstream would.
Schemas live in ``schemas/`` (see ``schema`` for the language); the per-message plans
the codec runs on are in ``plan``; the decoding loop runs in C when the ``_speedups``
extension is built, in Python otherwise, with identical results.
"""

from __future__ import annotations

from typing import Any, Iterable

from ..errors import DecodeError, EncodeError
from . import pycodec
from .plan import Plan, plan_for_kind, plan_for_message
from .pycodec import MAGIC, envelope, parse_envelope

__all__ = [
    "MAGIC",
    "decode",
    "decode_raw",
    "encode",
    "encode_raw",
    "encode_list",
    "envelope",
    "has_schema",
    "parse_envelope",
    "decode_watch_event",
    "encode_watch_event",
]

WATCH_EVENT = "k8s.io.apimachinery.pkg.apis.meta.v1.WatchEvent"


def has_schema(api_version: str, kind: str) -> bool:
    return plan_for_kind(api_version, kind) is not None


def _plan(api_version: str, kind: str, error: type[ValueError]) -> Plan:
    if not api_version or not kind:
        raise error(
            f"protobuf: object has no {'apiVersion' if not api_version else 'kind'}"
        )
    plan = plan_for_kind(api_version, kind)
    if plan is None:
        raise error(f"protobuf: no schema for apiVersion {api_version!r} kind {kind!r}")
    return plan


def _decode_embedded(raw: bytes, path: str) -> Any:
    """The object inside a RawExtension / FieldsV1: JSON text or an enveloped object."""
    if raw[:4] == MAGIC:
        return decode(raw)
    from ..json_codec import loads

    try:
        return loads(raw)
    except DecodeError as exc:
        raise DecodeError(f"{path}: embedded object is not JSON: {exc}") from None


def decode_raw(
    raw: bytes | memoryview, api_version: str, kind: str, *, strict: bool = False
) -> dict:
    """Decode a bare message (no envelope) of the given kind to its JSON-shaped dict."""
    plan = _plan(api_version, kind, DecodeError)
    reader = pycodec._Reader(bytes(raw), strict, _decode_embedded)
    body = pycodec.decode_message(reader, plan, 0, len(reader.buf))
    return {"kind": kind, "apiVersion": api_version, **body}


#: kinds whose JSON form carries no apiVersion/kind of its own
_UNTYPED = frozenset({"WatchEvent"})


def decode(
    data: bytes | bytearray | memoryview,
    *,
    strict: bool = False,
    default_api_version: str | None = None,
    default_kind: str | None = None,
) -> dict:
    """Decode an enveloped object to its JSON-shaped dict.

    ``strict`` rejects field numbers the schema lacks (by default they are skipped, as
    Go skips fields newer than its structs). The defaults stand in for an empty
    typeMeta, as upstream's decoder takes a default group/version/kind: a WatchEvent
    envelope, for one, carries none.
    """
    buf = bytes(data)
    try:
        api_version, kind, start, end = parse_envelope(buf)
        api_version = api_version or default_api_version or ""
        kind = kind or default_kind or ""
        if not kind:
            raise DecodeError("protobuf: envelope has no kind (and no default was given)")
        plan = _plan(api_version, kind, DecodeError)
        reader = pycodec._Reader(buf, strict, _decode_embedded)
        body = pycodec.decode_message(reader, plan, start, end)
    except DecodeError:
        raise
    except (RecursionError, IndexError, ValueError, OverflowError) as exc:
        raise DecodeError(f"protobuf: malformed message: {exc}") from None
    if kind in _UNTYPED:
        return body
    return {"kind": kind, "apiVersion": api_version, **body}


def encode_raw(obj: dict, api_version: str | None = None, kind: str | None = None) -> bytes:
    """The bare message bytes of ``obj`` (no envelope): a list item's form."""
    api_version = api_version or obj.get("apiVersion") or ""
    kind = kind or obj.get("kind") or ""
    plan = _plan(api_version, kind, EncodeError)
    try:
        return pycodec.encode_message(plan, obj)
    except RecursionError:
        raise EncodeError("protobuf: object nesting too deep") from None


def encode(obj: dict, *, api_version: str | None = None, kind: str | None = None) -> bytes:
    """The enveloped bytes of ``obj``; apiVersion and kind come from it unless given."""
    if not isinstance(obj, dict):
        raise EncodeError(f"protobuf: expected an object, got {type(obj).__name__}")
    api_version = api_version or obj.get("apiVersion") or ""
    kind = kind or obj.get("kind") or ""
    raw = encode_raw(obj, api_version, kind)
    if kind in _UNTYPED:  # such kinds report an empty typeMeta, as upstream writes them
        return envelope("", "", raw)
    return envelope(api_version, kind, raw)


def encode_list(list_obj: dict, items: Iterable[bytes]) -> bytes:
    """An enveloped list from its metadata and items already encoded with ``encode_raw``."""
    api_version = list_obj.get("apiVersion") or ""
    kind = list_obj.get("kind") or ""
    plan = _plan(api_version, kind, EncodeError)
    meta_field = plan.by_number[1]
    out = bytearray()
    pycodec._encode_value(out, meta_field, meta_field.kind, list_obj.get("metadata") or {}, "metadata")
    for item in items:
        out += b"\x12"
        pycodec._put_varint(out, len(item))
        out += item
    return envelope(api_version, kind, bytes(out))


def encode_watch_event(event_type: str, obj: dict) -> bytes:
    """A bare metav1.WatchEvent whose object is the enveloped ``obj`` (one stream frame body)."""
    inner = encode(obj)
    out = bytearray()
    pycodec._put_bytes(out, b"\x0a", event_type.encode())
    raw = bytearray()
    pycodec._put_bytes(raw, b"\x0a", inner)
    pycodec._put_bytes(out, b"\x12", bytes(raw))
    return bytes(out)


def decode_watch_event(body: bytes | memoryview) -> dict:
    """A bare WatchEvent frame body to ``{"type": ..., "object": {...}}``."""
    reader = pycodec._Reader(bytes(body), False, _decode_embedded)
    try:
        event = pycodec.decode_message(reader, plan_for_message(WATCH_EVENT), 0, len(reader.buf))
    except (RecursionError, IndexError, ValueError, OverflowError) as exc:
        if isinstance(exc, DecodeError):
            raise
        raise DecodeError(f"protobuf: malformed watch event: {exc}") from None
    if not isinstance(event.get("object"), dict) and event.get("type") != "BOOKMARK":
        if event.get("object") is None:
            raise DecodeError(f"protobuf: watch event {event.get('type')!r} has no object")
    return {"type": event.get("type", ""), "object": event.get("object")}
