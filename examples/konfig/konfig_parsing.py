"""Turning a ConfigMap's data into a typed configuration object (no I/O).

:func:`build_config` is the whole job: given the dataclass type and the ConfigMap's
``data``, it returns a new instance or raises :class:`KonfigError` naming the key and
field at fault. The ``parse_*`` functions read scalars the way Go's ``strconv`` and
``time`` packages do, which is how Kubernetes components read their flags and
settings. :mod:`konfig` re-exports everything a service needs from here.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import re
import types
import typing
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, TypeVar

from kclient.serializers import DecodeError, yaml_codec

__all__ = [
    "KonfigError",
    "build_config",
    "check_type",
    "parse_bool",
    "parse_duration",
    "parse_float",
    "parse_int",
]

T = TypeVar("T")


class KonfigError(ValueError):
    """A ConfigMap version that does not make a valid configuration.

    ``key`` is the ConfigMap key at fault (None when the whole object is), ``field``
    the dotted path of the field inside the configuration (``server.port``,
    ``upstreams[2]``; empty for the whole object), ``reason`` what was wrong."""

    def __init__(self, reason: str, *, key: str | None = None, field: str = "") -> None:
        self.key = key
        self.field = field
        self.reason = reason
        where = []
        if key is not None:
            where.append(f"key {key!r}")
        if field and field != key:
            where.append(f"field {field!r}")
        super().__init__(f"{', '.join(where)}: {reason}" if where else reason)


class _Invalid(Exception):
    """Raised inside the coercion with the path so far; becomes a KonfigError."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(reason)
        self.path = path
        self.reason = reason


# ------------------------------------------------------------------ Go-style scalars

_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})
_INT_RE = re.compile(r"""[+-]?(?:
    0[xX](?:_?[0-9a-fA-F])+ | 0[oO](?:_?[0-7])+ | 0[bB](?:_?[01])+ |
    0(?:_?[0-7])+ | [1-9](?:_?[0-9])* | 0)""", re.VERBOSE)
_FLOAT_RE = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_HEX_FLOAT_RE = re.compile(
    r"[+-]?0[xX](?:_?[0-9a-fA-F])*(?:\.(?:[0-9a-fA-F]_?)*)?[pP][+-]?[0-9]+")
_SPECIAL_FLOAT_RE = re.compile(r"([+-]?)(inf|infinity)|nan", re.IGNORECASE)
_INT64 = (-(1 << 63), (1 << 63) - 1)
_DURATION_UNITS = {"ns": 1, "us": 1_000, "\u00b5s": 1_000, "\u03bcs": 1_000,
                   "ms": 1_000_000, "s": 1_000_000_000, "m": 60_000_000_000,
                   "h": 3_600_000_000_000}
_DURATION_PART = re.compile(r"([0-9]*)(?:\.([0-9]*))?([^0-9.]*)")


def parse_bool(text: str) -> bool:
    """A boolean as Go's ``strconv.ParseBool`` reads it."""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"invalid bool {text!r}: expected true or false "
                     "(also accepted: 1, t, T, TRUE, True and 0, f, F, FALSE, False)")


def parse_int(text: str) -> int:
    """A 64-bit integer as Go's ``strconv.ParseInt(text, 0, 64)`` reads it: decimal,
    ``0x``/``0o``/``0b`` prefixes, a leading ``0`` for octal, ``_`` between digits."""
    if not _INT_RE.fullmatch(text):
        raise ValueError(f"invalid int {text!r}: expected an integer such as 42, -7 or 0x2A")
    body = text.lstrip("+-").replace("_", "").lower()
    if body[:2] in ("0x", "0o", "0b"):
        value = int(body, 0)
    elif len(body) > 1 and body[0] == "0":
        value = int(body, 8)
    else:
        value = int(body)
    if text[0] == "-":
        value = -value
    if not _INT64[0] <= value <= _INT64[1]:
        raise ValueError(f"invalid int {text!r}: out of the 64-bit range")
    return value


def parse_float(text: str) -> float:
    """A float as Go's ``strconv.ParseFloat(text, 64)`` reads it (decimal, hex with a
    ``p`` exponent, ``inf``/``infinity``/``nan`` in any case); overflow is an error."""
    special = _SPECIAL_FLOAT_RE.fullmatch(text)
    if special:
        if special.group(2) is None:
            return math.nan
        return -math.inf if special.group(1) == "-" else math.inf
    try:
        if _FLOAT_RE.fullmatch(text):
            value = float(text)
        elif _HEX_FLOAT_RE.fullmatch(text):
            value = float.fromhex(text.replace("_", ""))
        else:
            raise ValueError
    except OverflowError:
        value = math.inf
    except ValueError:
        raise ValueError(f"invalid float {text!r}: expected a number such as 0.5 or "
                         "1e-3") from None
    if math.isinf(value):
        raise ValueError(f"invalid float {text!r}: out of the 64-bit range")
    return value


def parse_duration(text: str) -> timedelta:
    """A duration as Go's ``time.ParseDuration`` reads it: a signed sequence of
    decimal numbers with units ``ns``, ``us`` (or ``µs``), ``ms``, ``s``, ``m``, ``h``,
    e.g. ``1h30m``, ``-1.5s``, ``300ms``; ``0`` alone needs no unit. The result is
    rounded to the microsecond, ``timedelta``'s resolution."""
    body = text[1:] if text[:1] in ("+", "-") else text
    if body == "0":
        return timedelta(0)
    if not body:
        raise ValueError(f"invalid duration {text!r}")
    nanos = 0
    pos = 0
    while pos < len(body):
        m = _DURATION_PART.match(body, pos)
        assert m is not None
        whole, frac, unit = m.group(1), m.group(2), m.group(3)
        if not whole and not frac:
            raise ValueError(f"invalid duration {text!r}")
        if not unit:
            raise ValueError(f"invalid duration {text!r}: missing unit (one of ns, us, "
                             "ms, s, m, h)")
        scale = _DURATION_UNITS.get(unit)
        if scale is None:
            raise ValueError(f"invalid duration {text!r}: unknown unit {unit!r} "
                             "(one of ns, us, ms, s, m, h)")
        nanos += int(whole or "0") * scale
        if frac:
            nanos += int(frac) * scale // 10 ** len(frac)
        pos = m.end()
    if nanos > _INT64[1] + (text[0] == "-"):
        raise ValueError(f"invalid duration {text!r}: out of range")
    micros, rest = divmod(nanos, 1000)
    if rest >= 500:
        micros += 1
    return timedelta(microseconds=-micros if text[0] == "-" else micros)


# ------------------------------------------------------------------------- coercion

_SCALAR_PARSERS: dict[Any, Callable[[str], Any]] = {
    bool: parse_bool, int: parse_int, float: parse_float, timedelta: parse_duration,
}
_JSON_TYPE_NAMES = {str: "string", bool: "bool", int: "int", float: "float",
                    list: "list", dict: "mapping", type(None): "null"}


def _describe(value: Any) -> str:
    kind = _JSON_TYPE_NAMES.get(type(value), type(value).__name__)
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"{kind} {shown}"


def _type_name(tp: Any) -> str:
    return tp.__name__ if isinstance(tp, type) else str(tp).replace("typing.", "")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _field_key(f: dataclasses.Field[Any]) -> str:
    return str(f.metadata.get("key", f.name))


def _hints(cls: type) -> dict[str, Any]:
    cached = _HINTS.get(cls)
    if cached is None:
        cached = _HINTS[cls] = typing.get_type_hints(cls)
    return cached


_HINTS: dict[type, dict[str, Any]] = {}


def _is_optional(tp: Any) -> tuple[bool, list[Any]]:
    """(whether None is allowed, the other members) of a union; (False, [tp]) else."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = list(typing.get_args(tp))
        return type(None) in args, [a for a in args if a is not type(None)]
    return False, [tp]


def check_type(tp: Any, path: str = "", _seen: set[type] | None = None) -> None:
    """Raise TypeError when konfig cannot build ``tp`` (a programming error, found
    when a :class:`Konfig` is made rather than when a ConfigMap arrives)."""
    seen = _seen if _seen is not None else set()
    where = f" (field {path})" if path else ""
    if tp is Any or tp in (str, bool, int, float, timedelta):
        return
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if tp in seen:
            return
        seen.add(tp)
        hints = _hints(tp)
        for f in dataclasses.fields(tp):
            if f.init:
                check_type(hints[f.name], _join(path, f.name), seen)
        return
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        for a in args:
            if a is not type(None):
                check_type(a, path, seen)
        return
    if origin is typing.Literal:
        return
    if origin in (list, tuple, dict) or tp in (list, tuple, dict):
        if origin is dict and args and args[0] is not str:
            raise TypeError(f"unsupported type {_type_name(tp)}{where}: map keys must be "
                            "str")
        for a in args[1:] if origin is dict else args:
            if a is not Ellipsis:
                check_type(a, path, seen)
        return
    raise TypeError(f"unsupported type {_type_name(tp)}{where}: konfig builds str, int, "
                    "float, bool, timedelta, Enum, Literal, Optional and unions, list, "
                    "tuple, dict[str, ...] and dataclasses")


def _from_value(tp: Any, value: Any, path: str, strict: bool) -> Any:
    """``value`` (plain data from YAML) as an instance of ``tp``."""
    if tp is Any:
        return value
    nullable, members = _is_optional(tp)
    if value is None and nullable:
        return None
    if len(members) > 1:
        reasons = []
        for member in members:
            try:
                return _from_value(member, value, path, strict)
            except _Invalid as exc:
                reasons.append(exc.reason)
        raise _Invalid(path, f"matches none of {_type_name(tp)}: {'; '.join(reasons)}")
    tp = members[0]
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if not isinstance(value, dict):
            raise _Invalid(path, f"expected a mapping for {tp.__name__}, got "
                                 f"{_describe(value)}")
        return _build(tp, value, path, strict)
    if tp is str:
        if isinstance(value, str):
            return value
    elif tp is bool:
        if isinstance(value, bool):
            return value
    elif tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif tp is timedelta:
        if isinstance(value, str):
            return _parsed(parse_duration, value, path)
        raise _Invalid(path, f"expected a duration string such as '30s', got "
                             f"{_describe(value)}")
    elif isinstance(tp, type) and issubclass(tp, enum.Enum):
        return _enum_member(tp, value, path)
    elif typing.get_origin(tp) is typing.Literal:
        for choice in typing.get_args(tp):
            if value == choice and type(value) is type(choice):
                return choice
        choices = ", ".join(repr(c) for c in typing.get_args(tp))
        raise _Invalid(path, f"expected one of {choices}, got {_describe(value)}")
    else:
        return _container(tp, value, path, strict)
    raise _Invalid(path, f"expected {_type_name(tp)}, got {_describe(value)}")


def _container(tp: Any, value: Any, path: str, strict: bool) -> Any:
    origin = typing.get_origin(tp) or tp
    args = typing.get_args(tp)
    if origin is dict:
        if not isinstance(value, dict):
            raise _Invalid(path, f"expected a mapping, got {_describe(value)}")
        item = args[1] if args else Any
        return {k: _from_value(item, v, f"{path}[{k!r}]", strict) for k, v in value.items()}
    if not isinstance(value, list):
        raise _Invalid(path, f"expected a list, got {_describe(value)}")
    if origin is list:
        item = args[0] if args else Any
        return [_from_value(item, v, f"{path}[{i}]", strict) for i, v in enumerate(value)]
    if not args or (len(args) == 2 and args[1] is Ellipsis):
        item = args[0] if args else Any
        return tuple(_from_value(item, v, f"{path}[{i}]", strict)
                     for i, v in enumerate(value))
    if len(value) != len(args):
        raise _Invalid(path, f"expected a list of {len(args)} items, got {len(value)}")
    return tuple(_from_value(a, v, f"{path}[{i}]", strict)
                 for i, (a, v) in enumerate(zip(args, value)))


def _enum_member(tp: type[enum.Enum], value: Any, path: str) -> enum.Enum:
    for member in tp:
        if member.value == value and type(member.value) is type(value):
            return member
    if isinstance(value, str) and value in tp.__members__:
        return tp.__members__[value]
    choices = ", ".join(repr(m.value) for m in tp)
    raise _Invalid(path, f"expected one of {choices}, got {_describe(value)}")


def _parsed(parser: Callable[[str], Any], text: str, path: str) -> Any:
    try:
        return parser(text)
    except ValueError as exc:
        raise _Invalid(path, str(exc)) from None


def _from_text(tp: Any, text: str, path: str, strict: bool) -> Any:
    """A ConfigMap value (always a string) as an instance of ``tp``."""
    nullable, members = _is_optional(tp)
    if nullable and text == "" and str not in members:
        return None
    if len(members) > 1:
        reasons = []
        for member in members:
            try:
                return _from_text(member, text, path, strict)
            except _Invalid as exc:
                reasons.append(exc.reason)
        raise _Invalid(path, f"matches none of {_type_name(tp)}: {'; '.join(reasons)}")
    tp = members[0]
    if tp is str or tp is Any:
        return text
    parser = _SCALAR_PARSERS.get(tp)
    if parser is not None:
        return _parsed(parser, text, path)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        by_value = {str(m.value): m for m in tp}
        if text in by_value:
            return by_value[text]
        return _enum_member(tp, text, path)
    if typing.get_origin(tp) is typing.Literal:
        for choice in typing.get_args(tp):
            if text == str(choice) or (isinstance(choice, bool)
                                       and text in (_TRUE if choice else _FALSE)):
                return choice
        choices = ", ".join(repr(c) for c in typing.get_args(tp))
        raise _Invalid(path, f"expected one of {choices}, got {text!r}")
    try:
        value = yaml_codec.loads(text)
    except DecodeError as exc:
        raise _Invalid(path, str(exc)) from None
    return _from_value(tp, value, path, strict)


def _build(cls: type[T], values: Mapping[str, Any], path: str, strict: bool,
           from_text: bool = False) -> T:
    """An instance of the dataclass ``cls`` from its fields' keys in ``values``."""
    hints = _hints(cls)
    by_key = {_field_key(f): f for f in dataclasses.fields(cls)  # type: ignore[arg-type]
              if f.init}
    if strict:
        unknown = sorted(set(values) - set(by_key))
        if unknown:
            raise _Invalid(_join(path, unknown[0]),
                           f"unknown field (known fields of {cls.__name__}: "
                           f"{', '.join(sorted(by_key)) or 'none'})")
    kwargs: dict[str, Any] = {}
    for key, f in by_key.items():
        has_default = (f.default is not dataclasses.MISSING
                       or f.default_factory is not dataclasses.MISSING)
        raw = values.get(key)
        if raw is None and not (key in values and _is_optional(hints[f.name])[0]):
            if not has_default:
                raise _Invalid(_join(path, key), f"required field of {cls.__name__} is "
                                                 "missing")
            continue  # absent or null: the field's default
        convert = _from_text if from_text else _from_value
        kwargs[f.name] = convert(hints[f.name], raw, _join(path, key), strict)
    try:
        return cls(**kwargs)
    except _Invalid:
        raise
    except Exception as exc:  # noqa: BLE001 - __post_init__ (or a factory) refused it
        raise _Invalid(path, f"{cls.__name__} rejected it: {type(exc).__name__}: "
                             f"{exc}") from None


def build_config(config_type: type[T], data: Mapping[str, str] | None, *,
                 key: str | None = None, strict: bool = True,
                 validate: Callable[[T], Any] | None = None) -> T:
    """The configuration a ConfigMap's ``data`` describes (see the module docstring);
    raises :class:`KonfigError` naming the key and field at fault.

    ``validate(config)`` may raise (any exception) or return a message (or a list of
    messages) to reject the configuration; returning None or an empty list accepts it.
    """
    data = data or {}
    try:
        if key is None:
            config = _build(config_type, data, "", strict, from_text=True)
        else:
            if key not in data:
                raise KonfigError(f"the ConfigMap has no key {key!r} (keys: "
                                  f"{', '.join(sorted(data)) or 'none'})", key=key)
            try:
                document = yaml_codec.loads(data[key])
            except DecodeError as exc:
                raise KonfigError(str(exc), key=key) from None
            if document is None:
                document = {}
            if not isinstance(document, dict):
                raise KonfigError(f"expected a YAML mapping, got {_describe(document)}",
                                  key=key)
            config = _build(config_type, document, "", strict)
    except _Invalid as exc:
        if key is None:
            owner = exc.path.split(".", 1)[0].split("[", 1)[0] or None
        else:
            owner = key
        raise KonfigError(exc.reason, key=owner, field=exc.path) from None
    if validate is not None:
        try:
            problems = validate(config)
        except Exception as exc:  # noqa: BLE001 - any failure of the hook rejects
            raise KonfigError(f"validation failed: {type(exc).__name__}: {exc}",
                              key=key) from None
        if problems is True or problems is None:
            problems = []
        elif problems is False:
            problems = ["the validate hook returned False"]
        elif isinstance(problems, str):
            problems = [problems]
        if problems:
            raise KonfigError(f"validation failed: {'; '.join(map(str, problems))}",
                              key=key)
    return config
