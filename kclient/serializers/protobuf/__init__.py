"""Kubernetes protobuf: the ``k8s\\x00`` envelope, and messages as JSON-shaped dicts.

``decode`` turns an enveloped object (``k8s\\x00`` + runtime.Unknown) into the dict its
JSON form gives; ``encode`` writes such a dict back, byte for byte as upstream would.
Schemas live in ``schemas/`` (see ``schema`` for the language); the per-message plans
the codec runs on are in ``plan``; the decoding loop runs in C when the ``_speedups``
extension is built, in Python otherwise, with identical results.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Callable, Iterable, Iterator

import os

from orjson import loads as _orjson_loads

from .. import json_codec
from .._gc import paused_gc
from ..errors import DecodeError, EncodeError
from . import pycodec, special
from .plan import Plan, all_plans, c_spec, plan_for_kind, plan_for_message
from .pycodec import MAGIC, envelope, parse_envelope

try:
    if os.environ.get("KCLIENT_PURE_PYTHON"):
        raise ImportError("pure Python requested")
    from . import _speedups
except ImportError:  # not compiled here: the Python codec gives the same results
    _speedups = None

_c_loaded = False

#: the implementation decoding runs on: "c" or "python"
IMPLEMENTATION = "c" if _speedups is not None else "python"

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
    "json_event_reader",
    "watch_frames_cursor",
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
    try:
        value = _orjson_loads(raw)  # the common case, once per managedFields entry
    except ValueError:
        pass
    else:
        return json_codec.go_integers(value, raw)
    if raw[:4] == MAGIC:
        return decode(raw)
    try:
        return json_codec.loads(raw)
    except DecodeError as exc:
        raise DecodeError(f"{path}: embedded object is not JSON: {exc}") from None


def _error(message: str, offset: int) -> DecodeError:
    return DecodeError(message, offset=offset)


def _load_c() -> None:
    global _c_loaded
    from .schema import REGISTRY

    plans = all_plans()
    kinds = {(av, kind): plan.index for av, kind, plan in _registered_plans()}
    any_version = {kind: plans[msg.full_name].index for kind, msg in REGISTRY._any_version.items()}
    _speedups.compile(c_spec(), _error, _decode_embedded, special.format_duration,
                      kinds, any_version, _UNTYPED)
    _speedups.set_json_loads(_orjson_loads)
    _c_loaded = True


def _registered_plans():
    plans = all_plans()
    from .schema import REGISTRY

    for av, kind, msg in REGISTRY.kinds():
        yield av, kind, plans[msg.full_name]


def _decode_body(buf: bytes, plan: Plan, start: int, end: int, strict: bool) -> dict:
    """Run ``plan`` over ``buf[start:end]`` in C when available, else in Python."""
    with paused_gc(end - start):
        if _speedups is not None:
            if not _c_loaded:
                _load_c()
            try:
                return _speedups.decode(plan.index, buf, start, end, strict)
            except DecodeError:
                raise
            except (RecursionError, ValueError, OverflowError, IndexError) as exc:
                raise DecodeError(f"protobuf: malformed message: {exc}") from None
        try:
            return pycodec.decode_message(pycodec._Reader(buf, strict, _decode_embedded), plan, start, end)
        except DecodeError:
            raise
        except (RecursionError, IndexError, ValueError, OverflowError) as exc:
            raise DecodeError(f"protobuf: malformed message: {exc}") from None


def decode_raw(
    raw: bytes | memoryview, api_version: str, kind: str, *, strict: bool = False
) -> dict:
    """Decode a bare message (no envelope) of the given kind to its JSON-shaped dict."""
    plan = _plan(api_version, kind, DecodeError)
    buf = bytes(raw)
    body = _decode_body(buf, plan, 0, len(buf), strict)
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
    if _speedups is not None:
        if not _c_loaded:
            _load_c()
        with paused_gc(len(data)):
            try:
                return _speedups.decode_object(data, strict, default_api_version, default_kind)
            except DecodeError:
                raise
            except (RecursionError, ValueError, OverflowError, IndexError) as exc:
                raise DecodeError(f"protobuf: malformed message: {exc}") from None
    buf = bytes(data)
    api_version, kind, start, end = parse_envelope(buf)
    api_version = api_version or default_api_version or ""
    kind = kind or default_kind or ""
    if not kind:
        raise DecodeError("protobuf: envelope has no kind (and no default was given)")
    body = _decode_body(buf, _plan(api_version, kind, DecodeError), start, end, strict)
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


_watch_index = -1


def _watch_event_index() -> int:
    global _watch_index
    if _watch_index < 0:
        _watch_index = plan_for_message(WATCH_EVENT).index
    return _watch_index


def decode_watch_event(body: bytes | memoryview) -> dict:
    """A bare WatchEvent frame body to ``{"type": ..., "object": {...}}``."""
    if not body:
        raise DecodeError("protobuf: empty watch event frame")
    if _speedups is not None:  # the hot path of protobuf watches: one C call per event
        if not _c_loaded:
            _load_c()
        try:
            event = _speedups.decode(_watch_event_index(), body, 0, len(body), False)
        except DecodeError:
            raise
        except (RecursionError, ValueError, OverflowError, IndexError) as exc:
            raise DecodeError(f"protobuf: malformed watch event: {exc}") from None
    else:
        buf = bytes(body)
        event = _decode_body(buf, plan_for_message(WATCH_EVENT), 0, len(buf), False)
    if event.get("object") is None:  # WatchEvent's plan always yields type and object
        raise DecodeError(f"protobuf: watch event {event.get('type')!r} has no object")
    return event


def json_event_reader(reuse: dict) -> Callable[..., dict | None] | None:
    """``read(line, numbers_checked=False)``: a JSON watch event line to its event,
    sharing the parts of its object unchanged since the previous event of its key
    (kept in ``reuse``, as ``watch_frames_cursor`` keeps them), or None when the line
    is to be parsed as usual (as it is when it may hold a number past int64; pass
    ``numbers_checked=True`` when the caller has ruled that out). None without the C
    extension."""
    if _speedups is None:
        return None
    if not _c_loaded:
        _load_c()
    return partial(_speedups.json_event, reuse)


class _NoFrames:
    """The frame cursor without the C extension: it decodes nothing, leaving every
    frame to ``decode_watch_event``."""

    __slots__ = ("pos",)

    def __init__(self, buf: bytes, pos: int) -> None:
        self.pos = pos

    def __iter__(self) -> _NoFrames:
        return self

    def __next__(self) -> dict:
        raise StopIteration


def watch_frames_cursor(max_frame_size: int, event_types: frozenset,
                        reuse: dict | None = None) -> Callable[[bytes, int], Iterator[dict]]:
    """``cursor(buf, pos)``: an iterator over the length-delimited WatchEvent frames
    lying wholly in ``buf[pos:]``, each decoded (in C, with the collector paused) when
    it is asked for; its ``pos`` is where the next frame starts. It stops before an
    incomplete frame, one larger than ``max_frame_size``, or one that is malformed or
    not a valid event (the caller decodes that one with ``decode_watch_event`` for its
    precise error). Without the C extension it decodes nothing.

    ``reuse``: a dict the caller keeps across cursors and streams (one per watched
    resource): parts of an object (its spec, its status) whose bytes are those of the
    same key's previous event are not decoded again; the dict from then is used (see
    "Reuse of unchanged parts" in ``_speedups.c``)."""
    if _speedups is None:
        return _NoFrames
    if not _c_loaded:
        _load_c()
    params = (_watch_event_index(), max_frame_size, event_types)
    return partial(_speedups.FrameCursor, params if reuse is None else (*params, reuse))
