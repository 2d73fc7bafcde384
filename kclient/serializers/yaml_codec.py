"""YAML with the semantics Kubernetes gives it (sigs.k8s.io/yaml over go-yaml v2).

Kubernetes never keeps YAML as YAML: it converts each document to JSON and decodes
that. So a YAML document means exactly the JSON it converts to, and this module
reproduces that conversion on top of PyYAML's C parser (``CSafeLoader`` when libyaml is
present, the pure-Python ``SafeLoader`` otherwise):

* plain scalars resolve as go-yaml v2 resolves them, not as PyYAML does: ``y``/``n``
  (any case form go-yaml lists) are booleans; integers follow Go's ``ParseInt(s, 0,
  64)`` after dropping underscores (``0x1F``, ``0o17``, ``017`` octal, ``0b101``); no
  sexagesimal numbers; ``1e3`` is a number; timestamps stay the strings they were
  written as; there is no ``=`` value tag;
* a float with an integral value becomes an int, as it does after the JSON round trip
  (``replicas: 1.0`` is ``1``); infinities and NaN are errors (JSON has no form for them);
* mapping keys become strings (``1`` -> ``"1"``, ``true`` -> ``"true"``);
* only plain data is ever constructed: no Python objects, no arbitrary tags;
* aliases expand to independent copies, and a document whose aliases expand past a
  budget is rejected (the "billion laughs" guard go-yaml also has).

Encoding produces what ``kubectl -o yaml`` prints: block style, keys in go-yaml's
natural order, strings quoted (double quotes) only when they would otherwise read back
as another type, multi-line strings as literal blocks.
"""

from __future__ import annotations

import copy
import functools
import math
import re
import struct
from typing import Any, Iterator

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .errors import DecodeError, EncodeError

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

#: the most nodes alias expansion may produce in one document
ALIAS_EXPANSION_LIMIT = 1_000_000

_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1

_BOOL_VALUES = {
    **dict.fromkeys("y Y yes Yes YES true True TRUE on On ON".split(), True),
    **dict.fromkeys("n N no No NO false False FALSE off Off OFF".split(), False),
}
_NULL_VALUES = frozenset({"", "~", "null", "Null", "NULL"})
_SPECIAL_FLOATS = {
    ".inf": math.inf, ".Inf": math.inf, ".INF": math.inf,
    "+.inf": math.inf, "+.Inf": math.inf, "+.INF": math.inf,
    "-.inf": -math.inf, "-.Inf": -math.inf, "-.INF": -math.inf,
    ".nan": math.nan, ".NaN": math.nan, ".NAN": math.nan,
}
_YAML_STYLE_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_GO_INT = re.compile(
    r"^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$"
)
_TIMESTAMP = re.compile(
    r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]*)?"
    r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::?[0-9]{2})?))?)?$"
)
_BASE60_FLOAT = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")

_STR, _NULL, _BOOL, _INT, _FLOAT = (
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
)


def _parse_go_int(text: str) -> int | None:
    """Go's strconv.ParseInt(text, 0, 64), then ParseUint, on text without underscores."""
    if not _GO_INT.match(text):
        return None
    sign = -1 if text[0] == "-" else 1
    body = text.lstrip("+-").lower()
    if body.startswith("0x"):
        n = int(body[2:], 16)
    elif body.startswith("0o"):
        n = int(body[2:], 8)
    elif body.startswith("0b"):
        n = int(body[2:], 2)
    elif body.startswith("0") and len(body) > 1:
        n = int(body[1:], 8)
    else:
        n = int(body)
    n *= sign
    if _INT64_MIN <= n <= (1 << 64) - 1:
        return n
    return None


def resolve_plain(text: str) -> tuple[str, Any]:
    """The (tag, value) go-yaml v2 gives a plain scalar (timestamps resolve to str)."""
    if text in _NULL_VALUES:
        return _NULL, None
    first = text[0]
    if first in "yYnNtTfFoO":
        b = _BOOL_VALUES.get(text)
        if b is not None:
            return _BOOL, b
        return _STR, text
    if first == "." or first in "+-0123456789":
        special = _SPECIAL_FLOATS.get(text)
        if special is not None:
            return _FLOAT, special
        if first == ".":
            if _YAML_STYLE_FLOAT.match(text) and not math.isinf(float(text)):
                return _FLOAT, float(text)
            return _STR, text
        if _TIMESTAMP.match(text):
            return "tag:yaml.org,2002:timestamp", text
        plain = text.replace("_", "")
        n = _parse_go_int(plain)
        if n is not None:
            return _INT, n
        if _YAML_STYLE_FLOAT.match(plain):
            value = float(plain)
            if not math.isinf(value):  # Go's ParseFloat fails on overflow: a string
                return _FLOAT, value
    return _STR, text


def _key_string(key: Any, node: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int):
        return str(key)
    if isinstance(key, float):
        if math.isnan(key):
            return ".nan"
        if math.isinf(key):
            return ".inf" if key > 0 else "-.inf"
        return format_go_float(key, bits=32)
    mark = getattr(node, "start_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    raise DecodeError(f"invalid YAML: unsupported map key {key!r}{where}")


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """SafeLoader with go-yaml v2 resolution and JSON-compatible construction."""

    yaml_implicit_resolvers: dict = {}
    yaml_constructors = dict(SafeConstructor.yaml_constructors)

    def resolve(self, kind, value, implicit):  # type: ignore[override]
        if kind is ScalarNode and implicit[0]:
            if value == "<<":
                return "tag:yaml.org,2002:merge"
            return resolve_plain(value)[0]
        if kind is ScalarNode:
            return _STR
        if kind is SequenceNode:
            return "tag:yaml.org,2002:seq"
        return "tag:yaml.org,2002:map"

    def construct_yaml_int(self, node):  # go-yaml semantics for plain and !!int scalars
        tag, value = resolve_plain(node.value)
        if tag == _INT:
            return value
        raise DecodeError(f"invalid YAML: cannot decode {node.value!r} as an int "
                          f"at line {node.start_mark.line + 1}")

    def construct_yaml_float(self, node):
        tag, value = resolve_plain(node.value)
        if tag in (_INT, _FLOAT):
            return float(value)
        raise DecodeError(f"invalid YAML: cannot decode {node.value!r} as a float "
                          f"at line {node.start_mark.line + 1}")

    def construct_yaml_bool(self, node):
        value = _BOOL_VALUES.get(node.value)
        if value is None:
            raise DecodeError(f"invalid YAML: cannot decode {node.value!r} as a bool "
                              f"at line {node.start_mark.line + 1}")
        return value

    def construct_yaml_str_plain(self, node):
        return node.value

    def construct_yaml_binary(self, node):
        raw = SafeConstructor.construct_yaml_binary(self, node)
        return raw.decode("utf-8", "replace")

    def construct_yaml_map(self, node):
        data: dict[str, Any] = {}
        yield data
        self._fill_map(node, data)

    def _fill_map(self, node, data: dict) -> None:
        """Pairs in document order; a ``<<`` merge writes its keys where it stands, so
        later keys override it and it overrides earlier ones (go-yaml v2's order)."""
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._merge(value_node, data)
                continue
            key = self.construct_object(key_node, deep=True)
            data[_key_string(key, key_node)] = self.construct_object(value_node, deep=True)

    def _merge(self, node, data: dict) -> None:
        if isinstance(node, MappingNode):
            self._fill_map(node, data)
        elif isinstance(node, SequenceNode):
            for item in reversed(node.value):  # earlier mappings take precedence
                if not isinstance(item, MappingNode):
                    raise DecodeError("invalid YAML: map merge requires a map or a sequence of maps"
                                      f" at line {item.start_mark.line + 1}")
                self._fill_map(item, data)
        else:
            raise DecodeError("invalid YAML: map merge requires a map or a sequence of maps"
                              f" at line {node.start_mark.line + 1}")

    def construct_yaml_set(self, node):
        data: dict[str, Any] = {}
        yield data
        for key_node, _ in node.value:
            data[_key_string(self.construct_object(key_node, deep=True), key_node)] = None

    def construct_undefined(self, node):
        # unknown tags (``!foo``) carry no meaning for JSON: read the node as plain data
        if isinstance(node, ScalarNode):
            return node.value
        if isinstance(node, SequenceNode):
            return self.construct_sequence(node, deep=True)
        if isinstance(node, MappingNode):
            return self._plain_map(node)
        raise DecodeError(f"invalid YAML: unsupported node {node.tag}")

    def _plain_map(self, node):
        data: dict[str, Any] = {}
        self._fill_map(node, data)
        return data


for _tag, _fn in {
    "tag:yaml.org,2002:int": _Loader.construct_yaml_int,
    "tag:yaml.org,2002:float": _Loader.construct_yaml_float,
    "tag:yaml.org,2002:bool": _Loader.construct_yaml_bool,
    "tag:yaml.org,2002:timestamp": _Loader.construct_yaml_str_plain,
    "tag:yaml.org,2002:binary": _Loader.construct_yaml_binary,
    "tag:yaml.org,2002:map": _Loader.construct_yaml_map,
    "tag:yaml.org,2002:set": _Loader.construct_yaml_set,
    "tag:yaml.org,2002:omap": SafeConstructor.construct_yaml_seq,
    "tag:yaml.org,2002:pairs": SafeConstructor.construct_yaml_seq,
    None: _Loader.construct_undefined,
}.items():
    _Loader.yaml_constructors[_tag] = _fn


def _to_json_values(value: Any, seen: set[int], budget: list[int], copied: bool = False) -> Any:
    """Normalize numbers the JSON round trip changes; copy aliased containers.

    ``seen`` holds every container reached so far: reaching one again means a YAML
    alias, which becomes an independent copy. Only what alias expansion copies is
    charged to ``budget``, so a large document without aliases costs nothing and an
    alias bomb stops after ``ALIAS_EXPANSION_LIMIT`` copied nodes.
    """
    if isinstance(value, float):
        if math.isinf(value) or math.isnan(value):
            raise DecodeError(f"invalid YAML: {value!r} cannot be represented in JSON")
        if value.is_integer() and _INT64_MIN <= value <= _INT64_MAX:
            return int(value)
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value <= _INT64_MAX else float(value)
    if not isinstance(value, (dict, list)):
        return value
    if id(value) in seen:
        value = copy.deepcopy(value)
        copied = True
    seen.add(id(value))
    if copied:
        budget[0] -= len(value)
        if budget[0] < 0:
            raise DecodeError("invalid YAML: document contains excessive aliasing")
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for k, v in items:
        if isinstance(v, (dict, list, float)) or (isinstance(v, int) and v > _INT64_MAX):
            value[k] = _to_json_values(v, seen, budget, copied)
    return value


def _mark(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return f" at line {mark.line + 1}, column {mark.column + 1}"
    return ""


def _problem(exc: yaml.YAMLError) -> str:
    return getattr(exc, "problem", None) or str(exc).splitlines()[0]


#: deepest flow nesting accepted; deeper input is refused before it reaches the parser,
#: whose composer recurses in C and would exhaust the stack long before Python notices
MAX_FLOW_DEPTH = 1000
_FLOW = re.compile(rb"[\[\]{}]")


def _check_flow_depth(data: bytes | str) -> None:
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if raw.count(b"[") + raw.count(b"{") <= MAX_FLOW_DEPTH:
        return
    depth = 0
    for m in _FLOW.finditer(raw):
        if m.group() in (b"[", b"{"):
            depth += 1
            if depth > MAX_FLOW_DEPTH:
                raise DecodeError(
                    f"invalid YAML: nesting deeper than {MAX_FLOW_DEPTH} levels", offset=m.start()
                )
        elif depth:
            depth -= 1


def load_all(data: bytes | str) -> Iterator[Any]:
    """Yield the JSON-equivalent value of each YAML document (empty ones included)."""
    _check_flow_depth(data)
    try:
        for doc in yaml.load_all(data, Loader=_Loader):
            yield _to_json_values(doc, set(), [ALIAS_EXPANSION_LIMIT])
    except DecodeError:
        raise
    except yaml.YAMLError as exc:
        raise DecodeError(f"invalid YAML: {_problem(exc)}{_mark(exc)}") from None
    except RecursionError:
        raise DecodeError("invalid YAML: nesting too deep") from None
    except (ValueError, TypeError, UnicodeError, OverflowError) as exc:
        raise DecodeError(f"invalid YAML: {exc}") from None


def loads(data: bytes | str) -> Any:
    """The value of a single-document YAML stream (None for an empty one)."""
    docs = load_all(data)
    first = next(docs, None)
    if next(docs, None) is not None:
        raise DecodeError("invalid YAML: expected one document, found several "
                          "(use decode_all or StreamDecoder for multi-document YAML)")
    return first


# --------------------------------------------------------------------------- encoding


def _shortest(value: float, bits: int = 64) -> tuple[bool, str, int]:
    """(negative, significant digits, decimal point position) of the shortest
    representation that reads back as ``value`` (at ``bits`` precision)."""
    if bits == 32:
        target = struct.unpack("f", struct.pack("f", value))[0]
        for prec in range(1, 10):
            text = f"{value:.{prec}e}"
            if struct.unpack("f", struct.pack("f", float(text)))[0] == target:
                break
    else:
        text = f"{value:.17e}"
        for prec in range(1, 18):
            candidate = f"{value:.{prec - 1}e}"
            if float(candidate) == value:
                text = candidate
                break
    mantissa, _, exp_text = text.partition("e")
    negative = mantissa.startswith("-")
    digits = mantissa.lstrip("-").replace(".", "").rstrip("0") or "0"
    return negative, digits, int(exp_text) + 1


def _format(negative: bool, digits: str, point: int, style: str) -> str:
    sign = "-" if negative else ""
    if digits == "0":
        return sign + "0"
    if style == "e":
        frac = digits[1:]
        x = point - 1
        body = digits[0] + ("." + frac if frac else "")
        return f"{sign}{body}e{'-' if x < 0 else '+'}{abs(x):02d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return f"{sign}{digits}{'0' * (point - len(digits))}"
    return f"{sign}{digits[:point]}.{digits[point:]}"


def format_go_float(value: float, bits: int = 64) -> str:
    """strconv.FormatFloat(value, 'g', -1, bits): shortest digits; %e when the decimal
    exponent is below -4 or at least 6 (the fixed precision Go uses for shortest 'g')."""
    negative, digits, point = _shortest(value, bits)
    x = point - 1
    return _format(negative, digits, point, "e" if (x < -4 or x >= 6) and digits != "0" else "f")


def format_go_json_float(value: float) -> str:
    """encoding/json's float64 form: 'f' in [1e-6, 1e21), else 'e' with e-09 -> e-9."""
    negative, digits, point = _shortest(value)
    magnitude = abs(value)
    if magnitude != 0 and (magnitude < 1e-6 or magnitude >= 1e21):
        text = _format(negative, digits, point, "e")
        mant, _, exp = text.partition("e")
        sign, num = exp[0], exp[1:].lstrip("0") or "0"
        return f"{mant}e{sign}{num}" if sign == "-" else f"{mant}e{sign}{exp[1:]}"
    return _format(negative, digits, point, "f")


def _go_key_less(a: str, b: str) -> bool:
    """go-yaml v2's natural key order (letters by code point, digit runs numerically)."""
    digits = False
    for i in range(min(len(a), len(b))):
        ca, cb = a[i], b[i]
        if ca == cb:
            digits = ca.isdecimal()
            continue
        al, bl = ca.isalpha(), cb.isalpha()
        if al and bl:
            return ca < cb
        if al or bl:
            return al if digits else bl
        an = bn = 0
        if ca == "0" or cb == "0":
            j = i - 1
            while j >= 0 and a[j].isdecimal():
                if a[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai = i
        while ai < len(a) and a[ai].isdecimal():
            an = an * 10 + ord(a[ai]) - 48  # Go subtracts '0' from the rune
            ai += 1
        bi = i
        while bi < len(b) and b[bi].isdecimal():
            bn = bn * 10 + ord(b[bi]) - 48
            bi += 1
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return ca < cb
    return len(a) < len(b)


def _go_cmp(a: str, b: str) -> int:
    if a == b:
        return 0
    return -1 if _go_key_less(a, b) else 1


_go_sort_key = functools.cmp_to_key(_go_cmp)


def sorted_keys(mapping: dict[str, Any]) -> list[str]:
    keys = list(mapping)
    if all(k.isalpha() and k.isascii() for k in keys):
        keys.sort()  # letters only: the natural order is code point order
    else:
        keys.sort(key=_go_sort_key)
    return keys


class _Dumper(_BaseDumper):  # type: ignore[misc,valid-type]
    """Decides implicit tags with go-yaml's resolution, so no ``!!float`` tags appear."""

    def resolve(self, kind, value, implicit):  # type: ignore[override]
        return _Loader.resolve(self, kind, value, implicit)


def _represent_str(dumper: _Dumper, value: str) -> ScalarNode:
    if "\n" in value:
        style = "|"
    elif resolve_plain(value)[0] == _STR and value != "<<" and not _BASE60_FLOAT.match(value):
        style = None  # plain, or single-quoted if plain is not allowed
    else:
        style = '"'
    return dumper.represent_scalar(_STR, value, style=style)


def _represent_dict(dumper: _Dumper, value: dict) -> MappingNode:
    for k in value:
        if not isinstance(k, str):
            raise EncodeError(f"cannot encode as YAML: mapping key {k!r} is not a string")
    keys = sorted_keys(value)
    return dumper.represent_mapping("tag:yaml.org,2002:map", [(k, value[k]) for k in keys])


def _represent_float(dumper: _Dumper, value: float) -> ScalarNode:
    if math.isinf(value) or math.isnan(value):
        raise EncodeError(f"cannot encode {value!r} as YAML for Kubernetes (JSON has no form)")
    # Kubernetes prints YAML by way of JSON: encoding/json writes the float, go-yaml
    # reads that text back (an integral float becomes an int) and writes what it read
    tag, parsed = resolve_plain(format_go_json_float(value))
    text = str(parsed) if tag == _INT else format_go_float(float(parsed))
    return dumper.represent_scalar(tag, text)


def _represent_bool(dumper: _Dumper, value: bool) -> ScalarNode:
    return dumper.represent_scalar(_BOOL, "true" if value else "false")


def _represent_none(dumper: _Dumper, value: None) -> ScalarNode:
    return dumper.represent_scalar(_NULL, "null")


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(float, _represent_float)
_Dumper.add_representer(bool, _represent_bool)
_Dumper.add_representer(type(None), _represent_none)


def dumps(obj: Any) -> bytes:
    """Block-style YAML as kubectl prints it (UTF-8, trailing newline)."""
    try:
        out = yaml.dump(
            obj,
            Dumper=_Dumper,
            default_flow_style=False,
            allow_unicode=True,
            sort_keys=False,
            width=80,
            indent=2,
            encoding="utf-8",
        )
    except EncodeError:
        raise
    except (yaml.YAMLError, TypeError, ValueError, RecursionError) as exc:
        raise EncodeError(f"cannot encode as YAML: {exc}") from None
    # libyaml ends an open-ended document (a kept trailing newline) with "...";
    # go-yaml's encoder does not
    if out.endswith(b"\n...\n"):
        out = out[:-4]
    return out
