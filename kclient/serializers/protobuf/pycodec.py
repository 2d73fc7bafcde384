"""The pure-Python protobuf codec: plan-driven decode to JSON-shaped dicts, and back.

This is the reference implementation (the C accelerator in ``_speedups`` must give the
same results, and the tests hold both to it). Decoding follows gogo-protobuf's reader:
fields in any order, the last occurrence of a singular field wins, unknown fields are
skipped (a newer server may send fields this schema lacks) unless ``strict``. Encoding
follows gogo's writer so that upstream's bytes come back exactly: ascending field
numbers, non-pointer fields always written (zero values included), pointers only when
set, repeated fields unpacked, map entries sorted by key with both key and value written.
"""

from __future__ import annotations

import functools
import struct
from typing import Any

import orjson

from ...quantity import Quantity, QuantityError
from ..errors import DecodeError, EncodeError
from . import special
from .plan import (
    ABSENT_EMPTY_MESSAGE, ABSENT_LIST, ABSENT_NULL, ABSENT_ZERO, BOOL, BYTES, DOUBLE,
    DURATION, FIELDSV1, FLOAT, INT32, INT64, INTORSTR, MESSAGE, MICROTIME, QUANTITY,
    RAWEXT, SCALAR_KINDS, SLICE, STRING, TIME, UINT32, UINT64, FieldPlan, Plan, _varint,
)

MAGIC = b"k8s\x00"
_U64 = 1 << 64
_MAX_DEPTH = 100


class _Reader:
    """Decoding state: the buffer and strictness (positions are absolute offsets)."""

    __slots__ = ("buf", "strict", "decode_embedded")

    def __init__(self, buf: bytes, strict: bool, decode_embedded) -> None:
        self.buf = buf
        self.strict = strict
        self.decode_embedded = decode_embedded


def read_varint(buf: bytes, pos: int, end: int) -> tuple[int, int]:
    result = 0
    shift = 0
    while True:
        if pos >= end:
            raise DecodeError("truncated varint", offset=pos)
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result & (_U64 - 1), pos
        shift += 7
        if shift >= 70:
            raise DecodeError("varint longer than 10 bytes", offset=pos)


def skip_field(buf: bytes, pos: int, wire_type: int, end: int) -> int:
    if wire_type == 0:
        return read_varint(buf, pos, end)[1]
    if wire_type == 2:
        n, pos = read_varint(buf, pos, end)
        if n > end - pos:
            raise DecodeError("length-delimited field runs past its message", offset=pos)
        return pos + n
    if wire_type == 1:
        if pos + 8 > end:
            raise DecodeError("truncated fixed64 field", offset=pos)
        return pos + 8
    if wire_type == 5:
        if pos + 4 > end:
            raise DecodeError("truncated fixed32 field", offset=pos)
        return pos + 4
    raise DecodeError(f"unsupported wire type {wire_type}", offset=pos)


def _utf8(buf: bytes, start: int, stop: int, fp: FieldPlan) -> str:
    try:
        return buf[start:stop].decode("utf-8")
    except UnicodeDecodeError:
        # Go strings carry any bytes; JSON replaces invalid UTF-8 with U+FFFD
        return buf[start:stop].decode("utf-8", "replace")


def _signed(v: int, bits: int) -> int:
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


def _read_value(r: _Reader, fp: FieldPlan, kind: int, pos: int, end: int, depth: int) -> tuple[Any, int]:
    """Read one value of ``kind`` (the field's wire type already checked) at ``pos``."""
    buf = r.buf
    if kind <= UINT64 and kind >= BOOL:
        v, pos = read_varint(buf, pos, end)
        if kind == INT64:
            return (v - _U64 if v >> 63 else v), pos
        if kind == INT32:
            return _signed(v, 32), pos
        if kind == BOOL:
            return v != 0, pos
        if kind == UINT32:
            return v & 0xFFFFFFFF, pos
        return v, pos
    if kind == DOUBLE:
        if pos + 8 > end:
            raise DecodeError(f"{fp.path}: truncated double", offset=pos)
        return struct.unpack_from("<d", buf, pos)[0], pos + 8
    if kind == FLOAT:
        if pos + 4 > end:
            raise DecodeError(f"{fp.path}: truncated float", offset=pos)
        return struct.unpack_from("<f", buf, pos)[0], pos + 4
    n, pos = read_varint(buf, pos, end)
    stop = pos + n
    if stop > end:
        raise DecodeError(f"{fp.path}: length {n} runs past the end of its message", offset=pos)
    if kind == STRING:
        return _utf8(buf, pos, stop, fp), stop
    if kind == BYTES:
        return special.b64encode(buf[pos:stop]), stop
    if kind == MESSAGE:
        return decode_message(r, fp.sub, pos, stop, depth + 1), stop
    if kind == SLICE:
        return decode_message(r, fp.sub, pos, stop, depth + 1).get("items") or [], stop
    return _read_special(r, fp, kind, pos, stop), stop


def _read_special(r: _Reader, fp: FieldPlan, kind: int, pos: int, end: int) -> Any:
    buf = r.buf
    if pos == end and (kind == TIME or kind == MICROTIME):
        return None  # an empty message is the zero time; 08 00 10 00 is the epoch
    a = b = 0
    s = ""
    raw: bytes | None = None
    while pos < end:
        key, pos = read_varint(buf, pos, end)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, pos = read_varint(buf, pos, end)
            if num == 1:
                a = v
            elif num == 2:
                b = v
        elif wt == 2:
            n, pos = read_varint(buf, pos, end)
            if pos + n > end:
                raise DecodeError(f"{fp.path}: length {n} runs past its message", offset=pos)
            if num == 1 and kind in (QUANTITY, RAWEXT, FIELDSV1):
                if kind == QUANTITY:
                    s = _utf8(buf, pos, pos + n, fp)
                else:
                    raw = bytes(buf[pos : pos + n])
            elif num == 3 and kind == INTORSTR:
                s = _utf8(buf, pos, pos + n, fp)
            pos += n
        else:
            pos = skip_field(buf, pos, wt, end)
    if kind == TIME:
        return special.format_time(_signed(a, 64))
    if kind == MICROTIME:
        return special.format_micro_time(_signed(a, 64), _signed(b, 32))
    if kind == QUANTITY:
        return s
    if kind == INTORSTR:
        return s if a == 1 else _signed(b, 32)
    if kind == DURATION:
        return special.format_duration(_signed(a, 64))
    # RAWEXT / FIELDSV1: the embedded document
    if not raw:
        return None
    return r.decode_embedded(raw, fp.path)


def decode_message(r: _Reader, plan: Plan, pos: int, end: int, depth: int = 0) -> dict:
    if depth > _MAX_DEPTH:
        raise DecodeError("message nesting too deep", offset=pos)
    buf = r.buf
    out: dict[str, Any] = {}
    fields = plan.by_number
    while pos < end:
        b0 = buf[pos]
        if b0 < 0x80:
            key = b0
            pos += 1
        else:
            key, pos = read_varint(buf, pos, end)
        fp = fields.get(key >> 3)
        wt = key & 7
        if fp is None:
            if r.strict:
                raise DecodeError(f"{plan.name}: unknown field number {key >> 3}", offset=pos)
            if key >> 3 == 0:
                raise DecodeError(f"{plan.name}: invalid field number 0", offset=pos)
            pos = skip_field(buf, pos, wt, end)
            continue
        if wt != fp.wire_type:
            if wt == 2 and fp.packable:
                pos = _read_packed(r, fp, out, pos, end, depth)
                continue
            raise DecodeError(
                f"{fp.path}: wire type {wt}, expected {fp.wire_type}", offset=pos
            )
        kind = fp.kind
        if fp.is_map:
            n, pos = read_varint(buf, pos, end)
            stop = pos + n
            if stop > end:
                raise DecodeError(f"{fp.path}: map entry runs past its message", offset=pos)
            k, v, pos = _read_map_entry(r, fp, pos, stop, depth)
            m = out.get(fp.name)
            if m is None:
                m = out[fp.name] = {}
            m[k] = v
            continue
        value, pos = _read_value(r, fp, kind, pos, end, depth)
        if fp.repeated:
            lst = out.get(fp.name)
            if lst is None:
                out[fp.name] = [value]
            else:
                lst.append(value)
        elif fp.inline:
            out.update(value)
        elif fp.omit_zero and not value:
            out.pop(fp.name, None)
        elif value is None and fp.omitzero_struct:
            out.pop(fp.name, None)
        else:
            out[fp.name] = value
    if plan.defaults:
        _apply_defaults(r, plan, out, depth)
    return out


def _read_packed(r: _Reader, fp: FieldPlan, out: dict, pos: int, end: int, depth: int) -> int:
    """A packed repeated scalar (other encoders may pack; gogo never does)."""
    n, pos = read_varint(r.buf, pos, end)
    stop = pos + n
    if stop > end:
        raise DecodeError(f"{fp.path}: packed field runs past its message", offset=pos)
    lst = out.setdefault(fp.name, [])
    while pos < stop:
        value, pos = _read_value(r, fp, fp.kind, pos, stop, depth)
        lst.append(value)
    return stop


def _read_map_entry(r: _Reader, fp: FieldPlan, pos: int, end: int, depth: int) -> tuple[str, Any, int]:
    buf = r.buf
    key = ""
    value: Any = None
    have_value = False
    while pos < end:
        tag, pos = read_varint(buf, pos, end)
        num, wt = tag >> 3, tag & 7
        if num == 1 and wt == 2:
            n, pos = read_varint(buf, pos, end)
            if pos + n > end:
                raise DecodeError(f"{fp.path}: map key runs past its entry", offset=pos)
            key = _utf8(buf, pos, pos + n, fp)
            pos += n
        elif num == 2:
            expected = fp.wire_type if fp.kind not in SCALAR_KINDS else _scalar_wt(fp.kind)
            if wt != expected:
                raise DecodeError(f"{fp.path}: map value wire type {wt}", offset=pos)
            value, pos = _read_value(r, fp, fp.kind, pos, end, depth)
            have_value = True
        else:
            pos = skip_field(buf, pos, wt, end)
    if not have_value:
        value = _absent_map_value(r, fp, depth)
    return key, value, pos


def _scalar_wt(kind: int) -> int:
    from .plan import WIRE_TYPE

    return WIRE_TYPE[kind]


def _absent_map_value(r: _Reader, fp: FieldPlan, depth: int) -> Any:
    if fp.kind in SCALAR_KINDS:
        return fp.zero
    if fp.kind == MESSAGE:
        return decode_message(r, fp.sub, 0, 0, depth + 1)
    return _read_special(r, fp, fp.kind, 0, 0)


def _apply_defaults(r: _Reader, plan: Plan, out: dict, depth: int) -> None:
    for fp in plan.defaults:
        if fp.inline:
            continue  # inline absence handled below
        if fp.name in out:
            continue
        absent = fp.absent
        if absent == ABSENT_NULL:
            out[fp.name] = None
        elif absent == ABSENT_ZERO:
            out[fp.name] = fp.zero
        elif absent == ABSENT_LIST:
            out[fp.name] = []
        elif absent == ABSENT_EMPTY_MESSAGE:
            if fp.kind == MESSAGE:
                out[fp.name] = decode_message(r, fp.sub, 0, 0, depth + 1)
            elif fp.kind == SLICE:
                out[fp.name] = None
            else:
                out[fp.name] = _read_special(r, fp, fp.kind, 0, 0)
    for fp in plan.defaults:
        if fp.inline:
            for k, v in decode_message(r, fp.sub, 0, 0, depth + 1).items():
                out.setdefault(k, v)


# ------------------------------------------------------------------------ encoding


def _put_varint(out: bytearray, value: int) -> None:
    value &= _U64 - 1
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


def _put_bytes(out: bytearray, tag: bytes, data: bytes) -> None:
    out += tag
    _put_varint(out, len(data))
    out += data


def _int(value: Any, path: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise EncodeError(f"{path}: expected an integer, got {value!r}")
    if isinstance(value, float):
        if not value.is_integer():
            raise EncodeError(f"{path}: expected an integer, got {value!r}")
        value = int(value)
    if not lo <= value <= hi:
        raise EncodeError(f"{path}: {value} is out of range")
    return value


_INT_RANGE = {
    INT32: (-(1 << 31), (1 << 31) - 1),
    INT64: (-(1 << 63), (1 << 63) - 1),
    UINT32: (0, (1 << 32) - 1),
    UINT64: (0, (1 << 64) - 1),
}


def _encode_value(out: bytearray, fp: FieldPlan, kind: int, value: Any, path: str) -> None:
    """Write tag and value of one (non-repeated) occurrence of ``fp``."""
    tag = fp.tag
    if kind == STRING:
        if not isinstance(value, str):
            raise EncodeError(f"{path}: expected a string, got {value!r}")
        _put_bytes(out, tag, value.encode("utf-8", "surrogatepass"))
    elif kind in _INT_RANGE:
        lo, hi = _INT_RANGE[kind]
        out += tag
        _put_varint(out, _int(value, path, lo, hi))
    elif kind == BOOL:
        if not isinstance(value, bool):
            raise EncodeError(f"{path}: expected true or false, got {value!r}")
        out += tag
        out.append(1 if value else 0)
    elif kind == BYTES:
        _put_bytes(out, tag, special.b64decode(value, path))
    elif kind == DOUBLE or kind == FLOAT:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise EncodeError(f"{path}: expected a number, got {value!r}")
        out += tag
        out += struct.pack("<d" if kind == DOUBLE else "<f", float(value))
    elif kind == MESSAGE:
        if not isinstance(value, dict):
            raise EncodeError(f"{path}: expected an object, got {type(value).__name__}")
        _put_bytes(out, tag, encode_message(fp.sub, value, path))
    elif kind == SLICE:
        _put_bytes(out, tag, encode_message(fp.sub, {"items": value}, path))
    else:
        _put_bytes(out, tag, _encode_special(kind, value, path))


def _encode_special(kind: int, value: Any, path: str) -> bytes:
    out = bytearray()
    if kind == TIME or kind == MICROTIME:
        if value is None:
            return b""
        secs, nanos = special.parse_time(value, path)
        if kind == TIME:
            nanos = 0
        else:
            nanos -= nanos % 1000
        out.append(0x08)
        _put_varint(out, secs)
        out.append(0x10)
        _put_varint(out, nanos)
    elif kind == QUANTITY:
        if value is None:  # JSON null leaves Go's Quantity at zero
            value = "0"
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise EncodeError(f"{path}: expected a quantity string, got {value!r}")
        _put_bytes(out, b"\x0a", _wire_quantity(value, path).encode())
    elif kind == INTORSTR:
        if value is None:  # JSON null leaves Go's IntOrString at int 0
            value = 0
        if isinstance(value, str):
            out += b"\x08\x01\x10\x00"
            _put_bytes(out, b"\x1a", value.encode("utf-8"))
        else:
            v = _int(value, path, -(1 << 31), (1 << 31) - 1)
            out += b"\x08\x00\x10"
            _put_varint(out, v)
            out += b"\x1a\x00"
    elif kind == DURATION:
        out.append(0x08)
        _put_varint(out, special.parse_duration(value, path) if value is not None else 0)
    else:  # RAWEXT / FIELDSV1
        if value is None:
            return b""
        try:
            raw = orjson.dumps(value)
        except TypeError as exc:
            raise EncodeError(f"{path}: cannot encode embedded object: {exc}") from None
        _put_bytes(out, b"\x0a", raw)
    return bytes(out)


@functools.lru_cache(maxsize=4096)
def _quantity_string(value: str | int | float) -> str:
    return str(Quantity.parse(value))


def _wire_quantity(value: str | int | float, path: str) -> str:
    """The string upstream writes for a quantity: its String() after parsing."""
    try:
        return _quantity_string(value)
    except QuantityError as exc:
        raise EncodeError(f"{path}: {exc}") from None


def encode_message(plan: Plan, obj: dict, path: str = "", strict: bool = True) -> bytes:
    """Encode a JSON-shaped dict as the bare message of ``plan``."""
    if strict:
        extra = obj.keys() - plan.known
        if extra:
            extra -= {"apiVersion", "kind"} if not path else set()
            if extra:
                raise EncodeError(
                    f"{path or plan.message.name}: unknown field(s) {sorted(extra)} for "
                    f"{plan.name}"
                )
    out = bytearray()
    for fp in plan.ordered:
        fpath = f"{path}.{fp.name}" if path else fp.name
        if fp.inline:
            _put_bytes(out, fp.tag, encode_message(fp.sub, obj, path, strict=False))
            continue
        value = obj.get(fp.name)
        kind = fp.kind
        if fp.is_map:
            if not value:
                continue
            if not isinstance(value, dict):
                raise EncodeError(f"{fpath}: expected an object, got {type(value).__name__}")
            for k in sorted(value):
                if not isinstance(k, str):
                    raise EncodeError(f"{fpath}: map keys must be strings")
                entry = bytearray()
                _put_bytes(entry, b"\x0a", k.encode("utf-8"))
                v = value[k]
                if v is None and kind in SCALAR_KINDS:
                    v = fp.zero
                _encode_map_value(entry, fp, kind, v, f"{fpath}.{k}")
                _put_bytes(out, fp.tag, bytes(entry))
            continue
        if fp.repeated:
            if value is None:
                continue
            if not isinstance(value, list):
                raise EncodeError(f"{fpath}: expected a list, got {type(value).__name__}")
            for i, item in enumerate(value):
                _encode_value(out, fp, kind, item, f"{fpath}[{i}]")
            continue
        if value is None:
            if fp.pointer:
                continue
            if kind in SCALAR_KINDS:
                value = fp.zero
            elif kind == MESSAGE:
                value = {}
            elif kind == SLICE:
                continue
        _encode_value(out, fp, kind, value, fpath)
    return bytes(out)


_MAP_VALUE_TAG = {0: b"\x10", 1: b"\x11", 2: b"\x12", 5: b"\x15"}


def _encode_map_value(entry: bytearray, fp: FieldPlan, kind: int, v: Any, path: str) -> None:
    from .plan import WIRE_TYPE

    wt = WIRE_TYPE.get(kind, 2)
    saved = fp.tag
    try:
        fp.tag = _MAP_VALUE_TAG[wt]  # encode the value as field 2 of the entry
        if kind == MESSAGE and v is None:
            v = {}
        _encode_value(entry, fp, kind, v, path)
    finally:
        fp.tag = saved


def envelope(api_version: str, kind: str, raw: bytes) -> bytes:
    """``k8s\\x00`` + runtime.Unknown{typeMeta, raw, contentEncoding="", contentType=""}."""
    tm = bytearray()
    _put_bytes(tm, b"\x0a", api_version.encode())
    _put_bytes(tm, b"\x12", kind.encode())
    out = bytearray(MAGIC)
    _put_bytes(out, b"\x0a", bytes(tm))
    _put_bytes(out, b"\x12", raw)
    out += b"\x1a\x00\x22\x00"
    return bytes(out)


def parse_envelope(data: bytes | memoryview) -> tuple[str, str, int, int]:
    """(apiVersion, kind, raw start, raw end) of an enveloped object."""
    buf = data
    if len(buf) == 0:
        raise DecodeError("protobuf: empty data")
    if bytes(buf[:4]) != MAGIC:
        raise DecodeError("protobuf: missing the k8s\\x00 prefix", offset=0)
    end = len(buf)
    if end == 4:
        raise DecodeError("protobuf: empty body after the k8s\\x00 prefix", offset=4)
    pos = 4
    api_version = kind = ""
    raw_start = raw_end = 4
    while pos < end:
        key, pos = read_varint(buf, pos, end)
        num, wt = key >> 3, key & 7
        if wt != 2:
            pos = skip_field(buf, pos, wt, end)
            continue
        n, pos = read_varint(buf, pos, end)
        if pos + n > end:
            raise DecodeError("protobuf: envelope field runs past the end", offset=pos)
        if num == 1:
            p, stop = pos, pos + n
            while p < stop:
                k2, p = read_varint(buf, p, stop)
                if k2 & 7 != 2:
                    p = skip_field(buf, p, k2 & 7, stop)
                    continue
                m, p = read_varint(buf, p, stop)
                if p + m > stop:
                    raise DecodeError("protobuf: typeMeta field runs past its end", offset=p)
                text = bytes(buf[p : p + m]).decode("utf-8", "replace")
                if k2 >> 3 == 1:
                    api_version = text
                elif k2 >> 3 == 2:
                    kind = text
                p += m
        elif num == 2:
            raw_start, raw_end = pos, pos + n
        pos += n
    return api_version, kind, raw_start, raw_end
