"""JSON patch (RFC 6902) over JSON pointers (RFC 6901).

This is the ``application/json-patch+json`` patch type: a list of operations
``add``, ``remove``, ``replace``, ``move``, ``copy`` and ``test``, applied in
order.  Pointers are ``/``-separated reference tokens with ``~1`` for ``/`` and
``~0`` for ``~``; ``""`` is the whole document.  Array indices are decimal
without leading zeros; ``-`` (the position after the last element) is only
valid as the target of ``add`` (and so of ``move``/``copy``).

Invariants: the patch is atomic.  Operations run against a private copy, so
when one fails (:class:`~kclient.patch.errors.PatchError` naming the
operation's index and path) the input is untouched, and on success the
result shares no containers with the input or the operations.

Compared with the library the Kubernetes API server uses (evanphx/json-patch
v4), this follows the RFC where they differ: negative array indices are
rejected, the root pointer ``""`` may be replaced, and ``move`` into its own
child is an error.
"""

from __future__ import annotations

import re
from typing import Any

from kclient.patch._json import copy_json, json_equal, kind_of, render
from kclient.patch.errors import PatchError

__all__ = ["apply_json_patch", "parse_pointer"]

_INDEX_RE = re.compile(r"0|[1-9][0-9]*")
_MISSING = object()


class _OpFailed(Exception):
    """Internal: the current operation failed for ``detail``."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def parse_pointer(pointer: str) -> list[str]:
    """Split a JSON pointer into its unescaped reference tokens."""
    if not isinstance(pointer, str):
        raise PatchError(f"a JSON pointer must be a string, got {kind_of(pointer)}")
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise PatchError(f"JSON pointer {pointer!r} must start with '/'", path=pointer)
    tokens = []
    for raw in pointer[1:].split("/"):
        if re.search(r"~(?![01])", raw):
            raise PatchError(f"JSON pointer {pointer!r} has an invalid '~' escape", path=pointer)
        tokens.append(raw.replace("~1", "/").replace("~0", "~"))
    return tokens


def _array_index(token: str, length: int, *, allow_end: bool) -> int:
    if token == "-":
        if allow_end:
            return length
        raise _OpFailed("'-' does not name an existing array element")
    if not _INDEX_RE.fullmatch(token):
        raise _OpFailed(f"{token!r} is not a valid array index")
    index = int(token)
    limit = length if allow_end else length - 1
    if index > limit:
        raise _OpFailed(f"array index {index} is out of bounds (array length {length})")
    return index


def _resolve(doc: Any, tokens: list[str]) -> Any:
    """The value at ``tokens``; raises when any step is missing."""
    current = doc
    for depth, token in enumerate(tokens):
        where = "/" + "/".join(tokens[:depth]) if depth else "the document root"
        if isinstance(current, dict):
            if token not in current:
                raise _OpFailed(f"member {token!r} does not exist in {where}")
            current = current[token]
        elif isinstance(current, list):
            current = current[_array_index(token, len(current), allow_end=False)]
        else:
            raise _OpFailed(f"cannot descend into a {kind_of(current)} at {where}")
    return current


def _add(doc: Any, tokens: list[str], value: Any) -> Any:
    if not tokens:
        return value
    parent = _resolve(doc, tokens[:-1])
    last = tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        parent.insert(_array_index(last, len(parent), allow_end=True), value)
    else:
        raise _OpFailed(f"cannot add a member to a {kind_of(parent)}")
    return doc


def _remove(doc: Any, tokens: list[str]) -> tuple[Any, Any]:
    """Remove the value at ``tokens``; return ``(document, removed value)``."""
    if not tokens:
        raise _OpFailed("cannot remove the document root")
    parent = _resolve(doc, tokens[:-1])
    last = tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise _OpFailed(f"member {last!r} does not exist")
        return doc, parent.pop(last)
    if isinstance(parent, list):
        return doc, parent.pop(_array_index(last, len(parent), allow_end=False))
    raise _OpFailed(f"cannot remove from a {kind_of(parent)}")


def _replace(doc: Any, tokens: list[str], value: Any) -> Any:
    if not tokens:
        return value
    parent = _resolve(doc, tokens[:-1])
    last = tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise _OpFailed(f"member {last!r} does not exist")
        parent[last] = value
    elif isinstance(parent, list):
        parent[_array_index(last, len(parent), allow_end=False)] = value
    else:
        raise _OpFailed(f"cannot replace inside a {kind_of(parent)}")
    return doc


def _field(op: dict, name: str) -> Any:
    value = op.get(name, _MISSING)
    if value is _MISSING:
        raise _OpFailed(f"operation is missing {name!r}")
    return value


def _apply_one(doc: Any, op: dict) -> Any:
    name = op.get("op")
    tokens = parse_pointer(op["path"])
    if name == "add":
        return _add(doc, tokens, copy_json(_field(op, "value")))
    if name == "remove":
        return _remove(doc, tokens)[0]
    if name == "replace":
        return _replace(doc, tokens, copy_json(_field(op, "value")))
    if name in ("move", "copy"):
        source = _field(op, "from")
        from_tokens = parse_pointer(source)
        if name == "move":
            if from_tokens == tokens:
                _resolve(doc, from_tokens)
                return doc
            if tokens[: len(from_tokens)] == from_tokens:
                raise _OpFailed(f"cannot move {source!r} into one of its own children")
            doc, value = _remove(doc, from_tokens)
        else:
            value = copy_json(_resolve(doc, from_tokens))
        return _add(doc, tokens, value)
    if name == "test":
        expected = _field(op, "value")
        actual = _resolve(doc, tokens)
        if not json_equal(actual, expected):
            raise _OpFailed(f"test failed: the value is {render(actual)}, not {render(expected)}")
        return doc
    raise _OpFailed(f"unknown operation {render(name)}")


def apply_json_patch(target: Any, operations: list) -> Any:
    """Apply an RFC 6902 JSON patch; return the patched document.

    Raises :class:`~kclient.patch.errors.PatchError` with ``op_index`` and
    ``path`` set for the first operation that fails; ``target`` is never
    modified.
    """
    if not isinstance(operations, list):
        raise PatchError(f"a JSON patch must be an array of operations, got {kind_of(operations)}")
    doc = copy_json(target)
    for index, op in enumerate(operations):
        if not isinstance(op, dict):
            raise PatchError(f"operation must be an object, got {kind_of(op)}", op_index=index)
        path = op.get("path", _MISSING)
        if not isinstance(path, str):
            if path is _MISSING:
                detail = "operation is missing 'path'"
            else:
                detail = "'path' must be a string"
            raise PatchError(detail, op_index=index)
        if not isinstance(op.get("op"), str):
            raise PatchError("operation is missing 'op'", op_index=index, path=path)
        try:
            doc = _apply_one(doc, op)
        except _OpFailed as failure:
            raise PatchError(f"{op['op']}: {failure.detail}", op_index=index, path=path) from None
        except PatchError as bad_pointer:
            raise PatchError(bad_pointer.detail, op_index=index, path=path) from None
    return doc
