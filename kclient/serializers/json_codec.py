"""JSON with the semantics of Kubernetes' unstructured JSON decoding.

apimachinery decodes JSON into ``map[string]interface{}`` with numbers kept as int64
when they are integers that fit, float64 otherwise; duplicate keys resolve to the last
one; invalid UTF-8 and lone surrogate escapes become U+FFFD. kclient reads with orjson
(a C parser, exact for 64-bit integers) and falls back to the standard library only for
the inputs orjson refuses but Go accepts (bad UTF-8, lone surrogates), so the common path
costs one orjson call.
"""

from __future__ import annotations

import codecs
import json as _stdjson
import os
import math
import re
from typing import Any

import orjson

from ._gc import paused_gc
from .errors import DecodeError, EncodeError

_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1


def loads(data: bytes | bytearray | memoryview | str) -> Any:
    """Parse one JSON value; raise DecodeError naming the offset on malformed input."""
    try:
        with paused_gc(len(data)):
            value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        msg = str(exc)
        if "UTF-8" in msg or "surrogate" in msg:
            return _loads_lenient(data, exc)
        raise DecodeError(f"invalid JSON: {exc.msg}", offset=exc.pos) from None
    except RecursionError:
        raise DecodeError("invalid JSON: nesting too deep") from None
    return go_integers(value, data if not isinstance(data, str) else data.encode())


def go_integers(value: Any, data: bytes | bytearray | memoryview) -> Any:
    """``value`` as parsed by orjson from ``data``, with integers past int64 as float64,
    as Go reads them (a byte scan first: the walk runs only where such a number may be)."""
    if _may_exceed_int64(data):
        return _int64_or_float(value)
    return value


# orjson keeps integers up to 2**64-1 exact; Go reads anything past int64 as float64.
# Such a number is a run of 19 or 20 digits standing as a JSON number (after ":", ","
# or "[", before a delimiter). A plain digit-run search runs at memory speed; only its
# rare hits (digests, long IDs) have their context checked.
_DIGITS_ONLY = bytes(0x30 if 0x30 <= b <= 0x39 else 0x2E for b in range(256))  # digit -> "0"
_RUN19 = b"0" * 19
_BEFORE = frozenset(b":,[")
_AFTER = frozenset(b",}] \t\r\n")
_SPACE = frozenset(b" \t\r\n")


def _may_exceed_int64_py(data: bytes | bytearray | memoryview) -> bool:
    if len(data) < 19:
        return False
    marks = bytes(data).translate(_DIGITS_ONLY)
    pos = marks.find(_RUN19)
    while pos >= 0:
        start = end = pos
        end = pos + 19
        while end < len(marks) and marks[end] == 0x30:
            end += 1
        pos = marks.find(_RUN19, end)
        if end - start > 20:
            continue  # orjson already reads 21+ digits as a float, as Go does
        if end < len(data) and data[end] not in _AFTER:
            continue
        i = start - 1
        if i >= 0 and data[i] == 0x2D:  # '-'
            i -= 1
        while i >= 0 and data[i] in _SPACE:
            i -= 1
        if i >= 0 and data[i] in _BEFORE:
            return True
    return False


def _int64_or_float(value: Any) -> Any:
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, (dict, list, int)):
                value[k] = _int64_or_float(v)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            if isinstance(v, (dict, list, int)):
                value[i] = _int64_or_float(v)
    elif isinstance(value, int) and not isinstance(value, bool):
        if not _INT64_MIN <= value <= _INT64_MAX:
            return float(value)
    return value


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _go_replace(exc: UnicodeError) -> tuple[str, int]:
    """Go's rule for invalid UTF-8: one U+FFFD per bad byte, then resynchronize."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return "\ufffd", exc.start + 1


codecs.register_error("kclient-go-replace", _go_replace)


def _fix_surrogates(value: Any) -> Any:
    """Lone surrogate escapes (which Python keeps) become U+FFFD, as Go decodes them."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_fix_surrogates(k): _fix_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_fix_surrogates(v) for v in value]
    return value


def _int_or_float(text: str) -> int | float:
    n = int(text)
    return n if _INT64_MIN <= n <= _INT64_MAX else float(n)


def _loads_lenient(data: Any, original: orjson.JSONDecodeError) -> Any:
    """Go's behaviour for input orjson rejects: U+FFFD for bad UTF-8 and lone surrogates."""
    text = data if isinstance(data, str) else bytes(data).decode("utf-8", "kclient-go-replace")
    try:
        value = _stdjson.loads(text, parse_int=_int_or_float)
    except (ValueError, RecursionError):
        raise DecodeError(f"invalid JSON: {original.msg}", offset=original.pos) from None
    return _fix_surrogates(value)


def dumps(obj: Any, *, pretty: bool = False) -> bytes:
    """Serialize to compact (or two-space indented) JSON bytes.

    NaN and infinities are an EncodeError, as in Go (orjson would write null).
    """
    try:
        out = orjson.dumps(obj, option=orjson.OPT_INDENT_2 if pretty else 0)
    except (TypeError, orjson.JSONEncodeError) as exc:
        raise EncodeError(f"cannot encode as JSON: {exc}") from None
    if b"null" in out and _has_non_finite(obj):  # the only way such a float shows up
        raise EncodeError("cannot encode as JSON: NaN and infinities have no JSON form")
    return out


def _has_non_finite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_has_non_finite(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_non_finite(v) for v in value)
    return False


try:
    if os.environ.get("KCLIENT_PURE_PYTHON"):
        raise ImportError("pure Python requested")
    from .protobuf._speedups import may_exceed_int64 as _may_exceed_int64
except ImportError:
    _may_exceed_int64 = _may_exceed_int64_py
