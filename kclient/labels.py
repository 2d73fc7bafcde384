"""Label selectors and field selectors: parse, validate, match, render.

Label selectors (apimachinery ``pkg/labels``)
---------------------------------------------
:func:`parse_selector` accepts the full string syntax of ``labels.Parse``::

    selector    ::= requirement ("," requirement)*
    requirement ::= ["!"] KEY [ ("in" | "notin") "(" VALUES ")"
                               | ("=" | "==" | "!=") VALUE
                               | (">" | "<") INTEGER ]

``key`` alone means *exists*, ``!key`` *does not exist*.  Whitespace (space,
tab, CR, LF) separates tokens and is otherwise ignored; ``in``/``notin`` are
keywords only where an operator may stand, so ``x in (in)`` is valid.  Keys
are checked as qualified names and values as label values, with upstream's
messages (see :mod:`kclient.meta`).  The parsed requirements are sorted by key
(stable), and values of ``in``/``notin`` form a sorted set, so
``str(parse_selector(s))`` is the canonical rendering the API server would
produce.  Errors are :class:`SelectorError`: ``.detail`` is upstream's text,
``.position`` the offset in the input where the problem was found.

:class:`Selector` is immutable and hashable.  ``Selector.everything()``
(the empty selector) matches every label set; ``Selector.nothing()`` matches
none and renders as ``""``, as ``labels.Nothing()`` does.
:func:`selector_from_label_selector` is ``metav1.LabelSelectorAsSelector``:
``None`` selects nothing, ``{}`` everything.

Field selectors (apimachinery ``pkg/fields``)
---------------------------------------------
:func:`parse_field_selector` follows ``fields.ParseSelector``: terms are split
on unescaped commas, sorted, and each is ``field=value``, ``field==value`` or
``field!=value`` split at the first operator.  Values use backslash escapes
(``\\\\``, ``\\,``, ``\\=``); an unescaped ``,`` or ``=`` in a value, or any
other escape, is an error.  A missing field compares as ``""`` when matching.

Which fields the API server lets clients select on is per kind: see
:func:`object_fields` (the values, from each registry's ``GetAttrs``) and
:func:`supported_field_labels` / :func:`convert_field_label` (the labels
accepted, from each group's field-label conversion function, with its exact
error message).  The table is :data:`_FIELD_LABELS` below.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from kclient.meta import format_field_error, validate_label_key, validate_label_value

__all__ = [
    "DOES_NOT_EXIST",
    "DOUBLE_EQUALS",
    "EQUALS",
    "EXISTS",
    "GREATER_THAN",
    "IN",
    "LESS_THAN",
    "NOT_EQUALS",
    "NOT_IN",
    "FieldSelector",
    "FieldSelectorError",
    "Requirement",
    "Selector",
    "SelectorError",
    "convert_field_label",
    "convert_field_selector",
    "escape_field_value",
    "new_requirement",
    "object_fields",
    "parse_field_selector",
    "parse_selector",
    "pod_fields",
    "selector_from_label_selector",
    "selector_from_set",
    "supported_field_labels",
    "validated_selector_from_set",
]

# Operator spellings, as ``selection.Operator``.
IN = "in"
NOT_IN = "notin"
EQUALS = "="
DOUBLE_EQUALS = "=="
NOT_EQUALS = "!="
EXISTS = "exists"
DOES_NOT_EXIST = "!"
GREATER_THAN = "gt"
LESS_THAN = "lt"

_BINARY_OPERATORS = (IN, NOT_IN, EQUALS, DOUBLE_EQUALS, NOT_EQUALS, GREATER_THAN, LESS_THAN)
_ALL_OPERATORS = _BINARY_OPERATORS + (EXISTS, DOES_NOT_EXIST)


class SelectorError(ValueError):
    """A label selector that cannot be parsed or built.

    ``detail`` is the problem in upstream's words; ``position`` (when known)
    is the offset in the selector text where it was found.
    """

    def __init__(self, detail: str, position: int | None = None) -> None:
        self.detail = detail
        self.position = position
        super().__init__(detail if position is None else f"{detail} (at position {position})")


class FieldSelectorError(ValueError):
    """A field selector that cannot be parsed, or names an unsupported field."""

    def __init__(self, detail: str, position: int | None = None) -> None:
        self.detail = detail
        self.position = position
        super().__init__(detail if position is None else f"{detail} (at position {position})")


# --------------------------------------------------------------------------
# requirements
# --------------------------------------------------------------------------

_INT64_RE = re.compile(r"[+-]?[0-9]+")
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def _parse_int64(text: str) -> int | None:
    # strconv.ParseInt(text, 10, 64): optional sign, ASCII digits, in range.
    if not _INT64_RE.fullmatch(text):
        return None
    value = int(text)
    return value if _INT64_MIN <= value <= _INT64_MAX else None


class Requirement(NamedTuple):
    """One clause of a label selector: ``key``, ``operator``, ``values``.

    Build validated ones with :func:`new_requirement`; the tuple itself does
    no checking.
    """

    key: str
    operator: str
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        labels = labels or {}
        op = self.operator
        if op in (IN, EQUALS, DOUBLE_EQUALS):
            return self.key in labels and labels[self.key] in self.values
        if op in (NOT_IN, NOT_EQUALS):
            return self.key not in labels or labels[self.key] not in self.values
        if op == EXISTS:
            return self.key in labels
        if op == DOES_NOT_EXIST:
            return self.key not in labels
        if op in (GREATER_THAN, LESS_THAN):
            if self.key not in labels or len(self.values) != 1:
                return False
            have = _parse_int64(labels[self.key])
            want = _parse_int64(self.values[0])
            if have is None or want is None:
                return False
            return have > want if op == GREATER_THAN else have < want
        return False

    def __str__(self) -> str:
        op = self.operator
        if op == DOES_NOT_EXIST:
            return "!" + self.key
        if op == EXISTS:
            return self.key
        values = self.values[0] if len(self.values) == 1 else ",".join(sorted(self.values))
        if op in (IN, NOT_IN):
            return f"{self.key} {op} ({values})"
        symbol = {GREATER_THAN: ">", LESS_THAN: "<"}.get(op, op)
        return f"{self.key}{symbol}{values}"


def _json_value(values: Iterable[str] | None) -> Any:
    # The bad value of a values-list error, as Go marshals a []string
    # (a nil slice is "null").
    values = list(values or ())
    return values or None


def _requirement_errors(key: str, operator: str, values: tuple[str, ...]) -> list[str]:
    errors: list[str] = []

    def invalid_values(detail: str) -> None:
        errors.append(format_field_error("values", "Invalid value", _json_value(values), detail))

    key_problems = validate_label_key(key)
    if key_problems:
        errors.append(format_field_error("key", "Invalid value", key, "; ".join(key_problems)))
    if operator in (IN, NOT_IN):
        if not values:
            invalid_values("for 'in', 'notin' operators, values set can't be empty")
    elif operator in (EQUALS, DOUBLE_EQUALS, NOT_EQUALS):
        if len(values) != 1:
            invalid_values("exact-match compatibility requires one single value")
    elif operator in (EXISTS, DOES_NOT_EXIST):
        if values:
            invalid_values("values set must be empty for exists and does not exist")
    elif operator in (GREATER_THAN, LESS_THAN):
        if len(values) != 1:
            invalid_values("for 'Gt', 'Lt' operators, exactly one value is required")
        for i, value in enumerate(values):
            if _parse_int64(value) is None:
                detail = "for 'Gt', 'Lt' operators, the value must be an integer"
                errors.append(format_field_error(f"values[{i}]", "Invalid value", value, detail))
    else:
        supported = ", ".join(json.dumps(op) for op in _ALL_OPERATORS)
        detail = "supported values: " + supported
        errors.append(format_field_error("operator", "Unsupported value", operator, detail))
    for i, value in enumerate(values):
        problems = validate_label_value(value)
        if problems:
            path = f"values[{i}][{key}]"
            errors.append(format_field_error(path, "Invalid value", value, "; ".join(problems)))
    return errors


def _aggregate(messages: list[str]) -> str:
    # utilerrors.Aggregate: one message alone, several as "[a, b]",
    # duplicates dropped.
    unique = list(dict.fromkeys(messages))
    if len(unique) == 1:
        return unique[0]
    return "[" + ", ".join(unique) + "]"


def new_requirement(key: str, operator: str, values: Iterable[str] = ()) -> Requirement:
    """A validated :class:`Requirement` (``labels.NewRequirement``).

    Values keep the order given; rendering sorts them.
    """
    values = tuple(values)
    for value in values:
        if not isinstance(value, str):
            raise SelectorError(f"label selector values must be strings, got {value!r}")
    errors = _requirement_errors(key, operator, values)
    if errors:
        raise SelectorError(_aggregate(errors))
    return Requirement(key, operator, values)


# --------------------------------------------------------------------------
# selectors
# --------------------------------------------------------------------------


def _by_key(requirements: Iterable[Requirement]) -> tuple[Requirement, ...]:
    return tuple(sorted(requirements, key=lambda r: r.key))


class Selector:
    """An immutable label selector: the AND of its requirements."""

    __slots__ = ("_nothing", "_requirements")

    def __init__(self, requirements: Iterable[Requirement] = (), *, _nothing: bool = False) -> None:
        self._requirements = tuple(requirements)
        self._nothing = _nothing

    @classmethod
    def everything(cls) -> Selector:
        """The selector that matches every label set."""
        return _EVERYTHING

    @classmethod
    def nothing(cls) -> Selector:
        """The selector that matches no label set (``labels.Nothing()``)."""
        return _NOTHING

    @property
    def requirements(self) -> tuple[Requirement, ...]:
        return self._requirements

    @property
    def empty(self) -> bool:
        """True when the selector does not restrict anything."""
        return not self._nothing and not self._requirements

    @property
    def is_nothing(self) -> bool:
        return self._nothing

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        if self._nothing:
            return False
        return all(r.matches(labels) for r in self._requirements)

    def add(self, *requirements: Requirement) -> Selector:
        """A new selector with more requirements (re-sorted by key)."""
        if self._nothing:
            return self
        return Selector(_by_key(self._requirements + tuple(requirements)))

    def requires_exact_match(self, key: str) -> str | None:
        """The single value ``key`` must have, if the selector pins one."""
        for r in self._requirements:
            if r.key == key:
                if r.operator in (EQUALS, DOUBLE_EQUALS, IN) and len(r.values) == 1:
                    return r.values[0]
                return None
        return None

    def __str__(self) -> str:
        return ",".join(str(r) for r in self._requirements)

    def __repr__(self) -> str:
        if self._nothing:
            return "Selector.nothing()"
        return f"Selector({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Selector):
            return NotImplemented
        return self._nothing == other._nothing and self._requirements == other._requirements

    def __hash__(self) -> int:
        return hash((self._nothing, self._requirements))


_EVERYTHING = Selector()
_NOTHING = Selector(_nothing=True)


def selector_from_set(labels: Mapping[str, str] | None) -> Selector:
    """Selector matching exactly ``labels`` (``labels.SelectorFromSet``).

    No validation, as upstream; ``None`` or ``{}`` gives everything.
    """
    if not labels:
        return Selector.everything()
    return Selector(_by_key(Requirement(k, EQUALS, (v,)) for k, v in labels.items()))


def validated_selector_from_set(labels: Mapping[str, str] | None) -> Selector:
    """As :func:`selector_from_set`, but keys and values are validated."""
    if not labels:
        return Selector.everything()
    return Selector(_by_key(new_requirement(k, EQUALS, (v,)) for k, v in labels.items()))


_LABEL_SELECTOR_OPERATORS = {
    "In": IN,
    "NotIn": NOT_IN,
    "Exists": EXISTS,
    "DoesNotExist": DOES_NOT_EXIST,
}


def selector_from_label_selector(label_selector: Mapping[str, Any] | None) -> Selector:
    """Convert a ``metav1.LabelSelector`` dict (``LabelSelectorAsSelector``).

    ``None`` selects nothing; a selector with neither ``matchLabels`` nor
    ``matchExpressions`` selects everything.  Invalid keys, values or
    operators raise :class:`SelectorError`.
    """
    if label_selector is None:
        return Selector.nothing()
    if not isinstance(label_selector, Mapping):
        raise SelectorError(
            f"a label selector must be an object, got {type(label_selector).__name__}"
        )
    match_labels = label_selector.get("matchLabels") or {}
    expressions = label_selector.get("matchExpressions") or []
    if not match_labels and not expressions:
        return Selector.everything()
    requirements: list[Requirement] = []
    for key, value in match_labels.items():
        requirements.append(new_requirement(key, EQUALS, (value,)))
    for expr in expressions:
        if not isinstance(expr, Mapping):
            raise SelectorError(f"a matchExpressions entry must be an object, got {expr!r}")
        raw_op = expr.get("operator", "")
        op = _LABEL_SELECTOR_OPERATORS.get(raw_op) if isinstance(raw_op, str) else None
        if op is None:
            raise SelectorError(f"{json.dumps(raw_op)} is not a valid label selector operator")
        requirements.append(new_requirement(expr.get("key", ""), op, expr.get("values") or ()))
    return Selector(_by_key(requirements))


# --------------------------------------------------------------------------
# label selector lexer and parser
# --------------------------------------------------------------------------

_END, _CLOSE, _COMMA, _NOT, _DEQ, _EQ, _GT, _IDENT, _IN, _LT, _NEQ, _NOTIN, _OPEN = range(13)

_SYMBOLS = {
    ")": _CLOSE,
    ",": _COMMA,
    "!": _NOT,
    "==": _DEQ,
    "=": _EQ,
    ">": _GT,
    "<": _LT,
    "!=": _NEQ,
    "(": _OPEN,
}
_KEYWORDS = {"in": _IN, "notin": _NOTIN}
_SPECIAL = frozenset("=!(),><")
_WHITESPACE = frozenset(" \t\r\n")


class _Token(NamedTuple):
    kind: int
    text: str
    position: int


def _lex(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in _WHITESPACE:
            i += 1
        if i >= n:
            tokens.append(_Token(_END, "", n))
            return tokens
        start = i
        if text[i] in _SPECIAL:
            # Longest run of special characters that still spells a symbol.
            kind = _SYMBOLS[text[i]]
            i += 1
            while i < n and text[i] in _SPECIAL and text[start : i + 1] in _SYMBOLS:
                kind = _SYMBOLS[text[start : i + 1]]
                i += 1
            tokens.append(_Token(kind, text[start:i], start))
            continue
        while i < n and text[i] not in _SPECIAL and text[i] not in _WHITESPACE:
            i += 1
        word = text[start:i]
        tokens.append(_Token(_KEYWORDS.get(word, _IDENT), word, start))


class _Parser:
    def __init__(self, text: str) -> None:
        self._tokens = _lex(text)
        self._pos = 0

    # In value context the keywords ``in``/``notin`` are plain identifiers.
    def _peek(self, values: bool = True) -> _Token:
        tok = self._tokens[min(self._pos, len(self._tokens) - 1)]
        if values and tok.kind in (_IN, _NOTIN):
            return tok._replace(kind=_IDENT)
        return tok

    def _next(self, values: bool = True) -> _Token:
        tok = self._peek(values)
        self._pos += 1
        return tok

    def parse(self) -> list[Requirement]:
        requirements: list[Requirement] = []
        while True:
            tok = self._peek()
            if tok.kind in (_IDENT, _NOT):
                try:
                    requirements.append(self._requirement())
                except SelectorError as err:
                    raise SelectorError(
                        f"unable to parse requirement: {err.detail}", err.position
                    ) from None
                after = self._next()
                if after.kind == _END:
                    return requirements
                if after.kind == _COMMA:
                    following = self._peek()
                    if following.kind not in (_IDENT, _NOT):
                        raise SelectorError(
                            f"found '{following.text}', expected: identifier after ','",
                            following.position,
                        )
                    continue
                raise SelectorError(
                    f"found '{after.text}', expected: ',' or 'end of string'", after.position
                )
            if tok.kind == _END:
                return requirements
            raise SelectorError(
                f"found '{tok.text}', expected: !, identifier, or 'end of string'", tok.position
            )

    def _requirement(self) -> Requirement:
        start = self._peek().position
        negated = False
        tok = self._next()
        if tok.kind == _NOT:
            negated = True
            tok = self._next()
        if tok.kind != _IDENT:
            raise SelectorError(f"found '{tok.text}', expected: identifier", tok.position)
        key = tok.text
        problems = validate_label_key(key)
        if problems:
            raise SelectorError(
                format_field_error("key", "Invalid value", key, "; ".join(problems)), tok.position
            )
        if negated or self._peek().kind in (_END, _COMMA):
            operator = DOES_NOT_EXIST if negated else EXISTS
            return self._build(key, operator, (), start)
        op_tok = self._next(values=False)
        operator = {
            _IN: IN,
            _NOTIN: NOT_IN,
            _EQ: EQUALS,
            _DEQ: DOUBLE_EQUALS,
            _NEQ: NOT_EQUALS,
            _GT: GREATER_THAN,
            _LT: LESS_THAN,
        }.get(op_tok.kind)
        if operator is None:
            raise SelectorError(
                f"found '{op_tok.text}', expected: {', '.join(_BINARY_OPERATORS)}",
                op_tok.position,
            )
        if operator in (IN, NOT_IN):
            values = self._value_set()
        else:
            values = self._exact_value()
        return self._build(key, operator, values, start)

    @staticmethod
    def _build(key: str, operator: str, values: tuple[str, ...], start: int) -> Requirement:
        errors = _requirement_errors(key, operator, values)
        if errors:
            raise SelectorError(_aggregate(errors), start)
        return Requirement(key, operator, values)

    def _value_set(self) -> tuple[str, ...]:
        tok = self._next()
        if tok.kind != _OPEN:
            raise SelectorError(f"found '{tok.text}' expected: '('", tok.position)
        first = self._peek()
        if first.kind == _CLOSE:  # "()" is the set holding the empty value
            self._next()
            return ("",)
        if first.kind not in (_IDENT, _COMMA):
            raise SelectorError(
                f"found '{first.text}', expected: ',', ')' or identifier", first.position
            )
        values = self._identifiers()
        closing = self._next()
        if closing.kind != _CLOSE:
            raise SelectorError(f"found '{first.text}', expected: ')'", closing.position)
        return tuple(sorted(values))

    def _identifiers(self) -> set[str]:
        # Comma-separated, possibly empty identifiers: "(a,,b)" holds "".
        values: set[str] = set()
        while True:
            tok = self._next()
            if tok.kind == _IDENT:
                values.add(tok.text)
                following = self._peek()
                if following.kind == _COMMA:
                    continue
                if following.kind == _CLOSE:
                    return values
                raise SelectorError(
                    f"found '{following.text}', expected: ',' or ')'", following.position
                )
            if tok.kind == _COMMA:
                if not values:
                    values.add("")
                following = self._peek()
                if following.kind == _CLOSE:
                    values.add("")
                    return values
                if following.kind == _COMMA:
                    self._next()
                    values.add("")
                continue
            raise SelectorError(f"found '{tok.text}', expected: ',', or identifier", tok.position)

    def _exact_value(self) -> tuple[str, ...]:
        if self._peek().kind in (_END, _COMMA):
            return ("",)
        tok = self._next()
        if tok.kind == _IDENT:
            return (tok.text,)
        raise SelectorError(f"found '{tok.text}', expected: identifier", tok.position)


def parse_selector(text: str) -> Selector:
    """Parse a label selector string (``labels.Parse``).

    The empty string (or only whitespace) is :meth:`Selector.everything`.
    """
    if not isinstance(text, str):
        raise SelectorError(f"a label selector must be a string, got {type(text).__name__}")
    return Selector(_by_key(_Parser(text).parse()))


# --------------------------------------------------------------------------
# field selectors
# --------------------------------------------------------------------------


def escape_field_value(value: str) -> str:
    """Escape ``\\``, ``,`` and ``=`` for use in a field selector value."""
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=")


def _unescape_field_value(value: str, offset: int) -> str:
    if not any(c in value for c in "\\,="):
        return value
    out: list[str] = []
    escaped = False
    for i, c in enumerate(value):
        if escaped:
            if c not in "\\,=":
                raise FieldSelectorError(
                    f"invalid field selector: invalid escape sequence: \\{c}", offset + i - 1
                )
            out.append(c)
            escaped = False
        elif c == "\\":
            escaped = True
        elif c in ",=":
            raise FieldSelectorError(
                f"invalid field selector: unescaped character in value: {c}", offset + i
            )
        else:
            out.append(c)
    if escaped:
        raise FieldSelectorError(
            "invalid field selector: invalid escape sequence: \\", offset + len(value) - 1
        )
    return "".join(out)


def _split_terms(text: str) -> list[tuple[int, str]]:
    # Commas preceded by a backslash are data, not separators.
    if not text:
        return []
    terms: list[tuple[int, str]] = []
    start = 0
    escaped = False
    for i, c in enumerate(text):
        if escaped:
            escaped = False
        elif c == "\\":
            escaped = True
        elif c == ",":
            terms.append((start, text[start:i]))
            start = i + 1
    terms.append((start, text[start:]))
    return terms


_TERM_OPERATORS = ("!=", "==", "=")


class FieldSelector:
    """An immutable field selector: the AND of ``(field, op, value)`` terms.

    ``op`` is ``"="`` or ``"!="`` (``==`` parses as ``=``).
    """

    __slots__ = ("_terms",)

    def __init__(self, requirements: Iterable[tuple[str, str, str]] = ()) -> None:
        terms = []
        for field, op, value in requirements:
            if op == "==":
                op = "="
            if op not in ("=", "!="):
                raise FieldSelectorError(f"unsupported field selector operator {op!r}")
            terms.append((field, op, value))
        self._terms = tuple(terms)

    @classmethod
    def everything(cls) -> FieldSelector:
        return cls()

    @classmethod
    def from_set(cls, fields: Mapping[str, str] | None) -> FieldSelector:
        """Selector requiring each field to equal its value."""
        return cls((k, "=", v) for k, v in sorted((fields or {}).items()))

    @property
    def requirements(self) -> tuple[tuple[str, str, str], ...]:
        return self._terms

    @property
    def empty(self) -> bool:
        return not self._terms

    def matches(self, fields: Mapping[str, str] | None) -> bool:
        fields = fields or {}
        for field, op, value in self._terms:
            have = fields.get(field, "")
            if (have == value) != (op == "="):
                return False
        return True

    def requires_exact_match(self, field: str) -> str | None:
        for name, op, value in self._terms:
            if name == field and op == "=":
                return value
        return None

    def transform(self, fn: Callable[[str, str], tuple[str, str]]) -> FieldSelector:
        """Map each ``(field, value)`` through ``fn`` (e.g. label conversion)."""
        out = []
        for field, op, value in self._terms:
            new_field, new_value = fn(field, value)
            out.append((new_field, op, new_value))
        return FieldSelector(out)

    def __str__(self) -> str:
        return ",".join(f"{f}{op}{escape_field_value(v)}" for f, op, v in self._terms)

    def __repr__(self) -> str:
        return f"FieldSelector({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FieldSelector):
            return NotImplemented
        return self._terms == other._terms

    def __hash__(self) -> int:
        return hash(self._terms)


def parse_field_selector(text: str) -> FieldSelector:
    """Parse a field selector string (``fields.ParseSelector``)."""
    if not isinstance(text, str):
        raise FieldSelectorError(f"a field selector must be a string, got {type(text).__name__}")
    terms = []
    for offset, part in sorted(_split_terms(text), key=lambda t: t[1]):
        if not part:
            continue
        for i in range(len(part)):
            op = next((o for o in _TERM_OPERATORS if part.startswith(o, i)), None)
            if op is not None:
                field, raw = part[:i], part[i + len(op) :]
                value = _unescape_field_value(raw, offset + i + len(op))
                terms.append((field, "!=" if op == "!=" else "=", value))
                break
        else:
            raise FieldSelectorError(
                f"invalid selector: '{text}'; can't understand '{part}'", offset
            )
    return FieldSelector(terms)


# --------------------------------------------------------------------------
# selectable fields per kind
# --------------------------------------------------------------------------


def _get(obj: Mapping[str, Any], *path: str) -> Any:
    cur: Any = obj
    for part in path:
        if not isinstance(cur, Mapping):
            return None
        cur = cur.get(part)
    return cur


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _bool_text(value: Any) -> str:
    return "true" if value is True else "false"


def _int_text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "0"
    return str(int(value))


def _meta_fields(obj: Mapping[str, Any], namespaced: bool) -> dict[str, str]:
    fields = {"metadata.name": _text(_get(obj, "metadata", "name"))}
    if namespaced:
        fields["metadata.namespace"] = _text(_get(obj, "metadata", "namespace"))
    return fields


def pod_fields(obj: Mapping[str, Any]) -> dict[str, str]:
    """The selectable fields of a Pod (the pod registry's ``ToSelectableFields``)."""
    pod_ips = _get(obj, "status", "podIPs")
    if isinstance(pod_ips, list) and pod_ips and isinstance(pod_ips[0], Mapping):
        pod_ip = _text(pod_ips[0].get("ip"))
    else:
        pod_ip = _text(_get(obj, "status", "podIP"))
    fields = {
        "spec.nodeName": _text(_get(obj, "spec", "nodeName")),
        "spec.restartPolicy": _text(_get(obj, "spec", "restartPolicy")),
        "spec.schedulerName": _text(_get(obj, "spec", "schedulerName")),
        "spec.serviceAccountName": _text(_get(obj, "spec", "serviceAccountName")),
        "spec.hostNetwork": _bool_text(_get(obj, "spec", "hostNetwork")),
        "status.phase": _text(_get(obj, "status", "phase")),
        "status.podIP": pod_ip,
        "status.nominatedNodeName": _text(_get(obj, "status", "nominatedNodeName")),
    }
    fields.update(_meta_fields(obj, True))
    return fields


_INVOLVED_OBJECT_FIELDS = (
    "kind",
    "namespace",
    "name",
    "uid",
    "apiVersion",
    "resourceVersion",
    "fieldPath",
)


def _event_field_set(
    obj: Mapping[str, Any], involved_key: str, reporting_key: str, source_key: str
) -> dict[str, str]:
    involved = obj.get(involved_key)
    if not isinstance(involved, Mapping):
        involved = {}
    reporting = _text(obj.get(reporting_key))
    fields = {f"involvedObject.{n}": _text(involved.get(n)) for n in _INVOLVED_OBJECT_FIELDS}
    fields.update(
        {
            "reason": _text(obj.get("reason")),
            "reportingComponent": reporting,
            "source": _text(_get(obj, source_key, "component")) or reporting,
            "type": _text(obj.get("type")),
        }
    )
    fields.update(_meta_fields(obj, True))
    return fields


def _event_fields(obj: Mapping[str, Any]) -> dict[str, str]:
    """Fields of a core/v1 Event (the event registry's ``ToSelectableFields``)."""
    return _event_field_set(obj, "involvedObject", "reportingComponent", "source")


def _events_v1_fields(obj: Mapping[str, Any]) -> dict[str, str]:
    """The same fields read from an events.k8s.io/v1 Event's wire names."""
    return _event_field_set(obj, "regarding", "reportingController", "deprecatedSource")


def _specific(
    fields: Mapping[str, tuple[str, Callable[[Any], str]]],
) -> Callable[[Mapping[str, Any]], dict[str, str]]:
    """Field values read from dotted JSON paths: ``{label: (path, render)}``."""

    def extract(obj: Mapping[str, Any]) -> dict[str, str]:
        return {
            label: render(_get(obj, *path.split("."))) for label, (path, render) in fields.items()
        }

    return extract


def _not_supported(label: str) -> str:
    return f"field label not supported: {label}"


def _default_rejection(label: str) -> str:
    return (
        f"{json.dumps(label)} is not a known field selector: "
        f'only "metadata.name", "metadata.namespace"'
    )


@dataclass(frozen=True)
class _KindFields:
    """Selectable fields of one resource.

    ``labels`` are the field labels the API accepts (its conversion
    function), ``aliases`` old spellings it rewrites, ``reject`` builds the
    error for any other label, ``extra`` computes the kind-specific field
    values (object-meta fields are added from ``namespaced``).
    """

    kind: str
    namespaced: bool
    labels: frozenset[str]
    reject: Callable[[str], str] = _not_supported
    aliases: Mapping[str, str] | None = None
    extra: Callable[[Mapping[str, Any]], dict[str, str]] | None = None


def _meta_labels(namespaced: bool) -> frozenset[str]:
    return frozenset({"metadata.name", "metadata.namespace"} if namespaced else {"metadata.name"})


def _labels(*labels: str, namespaced: bool = True) -> frozenset[str]:
    """The object-meta labels plus ``labels``."""
    return _meta_labels(namespaced) | frozenset(labels)


def _job_rejection(kind: str) -> Callable[[str], str]:
    return lambda label: f"field label {json.dumps(label)} not supported for {json.dumps(kind)}"


# Keyed by (group, resource).  To support another kind: add its accepted
# labels (from pkg/apis/<group>/<version>/conversion.go) and the values its
# registry exposes (pkg/registry/<group>/<kind>/strategy.go); a resource
# absent from this table accepts only metadata.name / metadata.namespace.
_FIELD_LABELS: dict[tuple[str, str], _KindFields] = {
    ("", "pods"): _KindFields(
        "Pod",
        True,
        _labels(
            "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
            "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs",
            "status.nominatedNodeName",
        ),
        aliases={"spec.host": "spec.nodeName"},
        extra=pod_fields,
    ),
    ("", "nodes"): _KindFields(
        "Node",
        False,
        _labels("spec.unschedulable", namespaced=False),
        extra=_specific({"spec.unschedulable": ("spec.unschedulable", _bool_text)}),
    ),
    ("", "replicationcontrollers"): _KindFields(
        "ReplicationController",
        True,
        _labels("status.replicas"),
        extra=_specific({"status.replicas": ("status.replicas", _int_text)}),
    ),
    ("", "events"): _KindFields(
        "Event",
        True,
        _labels(
            *(f"involvedObject.{n}" for n in _INVOLVED_OBJECT_FIELDS),
            "reason", "reportingComponent", "source", "type",
        ),
        extra=_event_fields,
    ),
    ("", "namespaces"): _KindFields(
        "Namespace",
        False,
        _labels("status.phase", namespaced=False),
        # "name" is a legacy field the registry still exposes.
        extra=_specific(
            {"status.phase": ("status.phase", _text), "name": ("metadata.name", _text)}
        ),
    ),
    ("", "secrets"): _KindFields(
        "Secret", True, _labels("type"), extra=_specific({"type": ("type", _text)})
    ),
    ("", "services"): _KindFields(
        "Service",
        True,
        _labels("spec.clusterIP", "spec.type"),
        extra=_specific(
            {"spec.clusterIP": ("spec.clusterIP", _text), "spec.type": ("spec.type", _text)}
        ),
    ),
    # events.k8s.io shares the core Event storage: its wire names are
    # rewritten to the core field labels.
    ("events.k8s.io", "events"): _KindFields(
        "Event",
        True,
        _labels("reason", "source", "type"),
        aliases={
            **{f"regarding.{n}": f"involvedObject.{n}" for n in _INVOLVED_OBJECT_FIELDS},
            "reportingController": "reportingComponent",
        },
        extra=_events_v1_fields,
    ),
    # The replicaset registry exposes status.replicas, but apps/v1 registers
    # no field-label conversion, so the API rejects it with the default
    # message (kubernetes/kubernetes#135136).
    ("apps", "replicasets"): _KindFields(
        "ReplicaSet",
        True,
        _labels(),
        reject=_default_rejection,
        extra=_specific({"status.replicas": ("status.replicas", _int_text)}),
    ),
    ("batch", "jobs"): _KindFields(
        "Job",
        True,
        _labels("status.successful"),
        reject=_job_rejection("Job"),
        extra=_specific({"status.successful": ("status.succeeded", _int_text)}),
    ),
    ("batch", "cronjobs"): _KindFields(
        "CronJob", True, _labels("status.successful"), reject=_job_rejection("CronJob")
    ),
    ("certificates.k8s.io", "certificatesigningrequests"): _KindFields(
        "CertificateSigningRequest",
        False,
        _labels("spec.signerName", namespaced=False),
        extra=_specific({"spec.signerName": ("spec.signerName", _text)}),
    ),
}

# Resources whose objects have no namespace, for the default field set.
_CLUSTER_SCOPED = frozenset(
    {
        "apiservices",
        "certificatesigningrequests",
        "clusterrolebindings",
        "clusterroles",
        "clustertrustbundles",
        "componentstatuses",
        "csidrivers",
        "csinodes",
        "customresourcedefinitions",
        "ingressclasses",
        "mutatingwebhookconfigurations",
        "namespaces",
        "nodes",
        "persistentvolumes",
        "priorityclasses",
        "runtimeclasses",
        "storageclasses",
        "validatingadmissionpolicies",
        "validatingadmissionpolicybindings",
        "validatingwebhookconfigurations",
        "volumeattachments",
    }
)

def _lookup(resource: str, group: str) -> _KindFields | None:
    if not group and "." in resource:
        resource, group = resource.split(".", 1)
    if not group:
        entry = _FIELD_LABELS.get(("", resource))
        if entry is not None:
            return entry
        # An unqualified name of a kind that lives in a named group.
        matches = [v for (g, r), v in _FIELD_LABELS.items() if r == resource]
        return matches[0] if len(matches) == 1 else None
    return _FIELD_LABELS.get((group, resource))


def _split(resource: str, group: str) -> tuple[str, str]:
    if not group and "." in resource:
        resource, group = resource.split(".", 1)
    return resource, group


def supported_field_labels(resource: str, group: str = "") -> frozenset[str]:
    """The field labels the API server accepts in a field selector on ``resource``.

    ``resource`` is the plural name (``"pods"``), optionally qualified with
    its group (``"jobs.batch"``) or with ``group`` given separately.
    """
    entry = _lookup(resource, group)
    if entry is not None:
        return entry.labels
    resource, _ = _split(resource, group)
    return _meta_labels(resource not in _CLUSTER_SCOPED)


def convert_field_label(resource: str, label: str, value: str, group: str = "") -> tuple[str, str]:
    """Accept (and normalise) one field label, or raise with upstream's message.

    ``("pods", "spec.host", v)`` becomes ``("spec.nodeName", v)``; an
    unsupported label raises :class:`FieldSelectorError` whose message is the
    one the API server returns in its 400 response.
    """
    entry = _lookup(resource, group)
    if entry is None:
        if label in ("metadata.name", "metadata.namespace"):
            return label, value
        raise FieldSelectorError(_default_rejection(label))
    if entry.aliases and label in entry.aliases:
        return entry.aliases[label], value
    if label in entry.labels:
        return label, value
    raise FieldSelectorError(entry.reject(label))


def convert_field_selector(
    resource: str, selector: FieldSelector | str, group: str = ""
) -> FieldSelector:
    """Check every label of ``selector`` against ``resource`` (see :func:`convert_field_label`)."""
    if isinstance(selector, str):
        selector = parse_field_selector(selector)
    return selector.transform(lambda f, v: convert_field_label(resource, f, v, group))


def object_fields(resource: str, obj: Mapping[str, Any], group: str = "") -> dict[str, str]:
    """The field set the API server matches field selectors against.

    Always ``metadata.name``, plus ``metadata.namespace`` for namespaced
    resources, plus the kind's own fields (see the module docstring).
    """
    entry = _lookup(resource, group)
    if entry is None:
        resource, _ = _split(resource, group)
        return _meta_fields(obj, resource not in _CLUSTER_SCOPED)
    fields = _meta_fields(obj, entry.namespaced)
    if entry.extra is not None:
        fields.update(entry.extra(obj))
    return fields
