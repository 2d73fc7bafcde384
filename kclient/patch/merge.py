"""JSON merge patch (RFC 7386): apply one, or compute one from two documents.

This is the ``application/merge-patch+json`` patch type.  A patch object is
merged key by key: ``null`` deletes the key, an object merges recursively
(into ``{}`` when the target has no object there), anything else replaces the
target value.  A patch that is not an object replaces the whole document.
Arrays are never merged, only replaced.

Invariants: inputs are never mutated and the result shares no containers
with them.
"""

from __future__ import annotations

from typing import Any

from kclient.patch._json import copy_json, json_equal
from kclient.patch.errors import PatchError

__all__ = ["apply_merge_patch", "create_merge_patch"]


def _merge(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return copy_json(patch)
    result = copy_json(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = _merge(result.get(key), value)
    return result


def apply_merge_patch(target: Any, patch: Any) -> Any:
    """Apply an RFC 7386 merge patch to ``target`` and return the new document."""
    return _merge(target, patch)


def _diff(original: dict, modified: dict) -> dict:
    patch: dict = {}
    for key, new in modified.items():
        if key not in original:
            patch[key] = copy_json(new)
            continue
        old = original[key]
        if isinstance(old, dict) and isinstance(new, dict):
            nested = _diff(old, new)
            if nested:
                patch[key] = nested
        elif not json_equal(old, new):
            patch[key] = copy_json(new)
    for key in original:
        if key not in modified:
            patch[key] = None
    return patch


def create_merge_patch(original: dict, modified: dict) -> dict:
    """The two-way merge patch turning ``original`` into ``modified``.

    Keys missing from ``modified`` become ``null``, nested objects are diffed,
    and any other changed value (arrays included) is sent whole.  Applying the
    result to ``original`` with :func:`apply_merge_patch` yields ``modified``
    (except for explicit ``null`` values in ``modified``, which a merge patch
    cannot express).
    """
    if not isinstance(original, dict) or not isinstance(modified, dict):
        raise PatchError("a merge patch can only be computed between two JSON objects")
    return _diff(original, modified)
