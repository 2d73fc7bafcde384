"""Transforms: functions an informer applies to objects before caching them.

A transform receives each object as it enters the informer's queue and returns what
is cached instead. The usual one drops ``metadata.managedFields`` (server-side apply
bookkeeping that few controllers read, often a third of an object's size).

Invariants: a transform may change the object it is given (the object is fresh off
the wire and nobody else holds it yet) and must accept an object it already
transformed, since a relist can hand the same object over again.

Maps to client-go ``tools/cache`` ``TransformFunc`` and the
``TransformStripManagedFields`` helper.
"""

from __future__ import annotations

from typing import Any

__all__ = ["drop_managed_fields"]


def drop_managed_fields(obj: Any) -> Any:
    """Remove ``metadata.managedFields`` (in place) and return the object."""
    if type(obj) is dict:
        meta = obj.get("metadata")
        if type(meta) is dict:
            meta.pop("managedFields", None)
    return obj
