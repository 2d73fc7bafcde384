"""Label selectors: parse, validate, match, render (field selectors are in kclient.fields).

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
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
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
    "Requirement",
    "Selector",
    "SelectorError",
    "new_requirement",
    "parse_selector",
    "selector_from_label_selector",
    "selector_from_set",
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
