"""JSON value helpers shared by the patch modules (private).

Values are what ``json.loads`` produces: ``dict``, ``list``, ``str``,
``int``/``float``, ``bool`` and ``None``.  Python lets ``True == 1``; JSON
does not, so equality here keeps booleans apart from numbers.
"""

from __future__ import annotations

import json
from typing import Any


def copy_json(value: Any) -> Any:
    """Deep copy of a JSON value (faster than ``copy.deepcopy`` for this shape)."""
    if isinstance(value, dict):
        return {k: copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_json(v) for v in value]
    return value


def kind_of(value: Any) -> str:
    """The JSON type name of ``value``: object, array, string, number, boolean, null."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return type(value).__name__


def json_equal(a: Any, b: Any) -> bool:
    """Equality of two JSON values as JSON defines it."""
    ka, kb = kind_of(a), kind_of(b)
    if ka != kb:
        return False
    if ka == "object":
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if ka == "array":
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    return a == b


def render(value: Any) -> str:
    """Compact JSON text of ``value`` for error messages."""
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=repr)
    except (TypeError, ValueError):
        return repr(value)
