"""DeltaFIFO: a queue of keys, each holding every delta since it was last popped.

The producer (the reflector) calls :meth:`~DeltaFIFO.add`, :meth:`~DeltaFIFO.update`,
:meth:`~DeltaFIFO.delete`, :meth:`~DeltaFIFO.replace` and :meth:`~DeltaFIFO.resync`; the
consumer (the informer) awaits :meth:`~DeltaFIFO.pop`, which hands over all of one
key's deltas at once, oldest first.

Invariants:

* a key is queued at most once; keys pop in the order they were first queued since
  their last pop, and its deltas in the order they happened;
* two trailing ``Deleted`` deltas collapse into one, keeping the one that carries the
  real object rather than a tombstone;
* ``delete`` of a key neither queued nor known is dropped (the relist already reported
  it);
* ``replace(objects)`` queues a ``Replaced`` delta for each object, then a ``Deleted``
  :class:`~kclient.meta.DeletedFinalStateUnknown` tombstone for each key that was
  queued or known and is missing from ``objects`` (carrying its last known state);
* ``resync`` queues a ``Sync`` delta for each known object whose key is not queued;
* ``has_synced`` is true once an add, update or delete came first, or once every item
  of the first ``replace`` has been popped;
* the transform runs once per object entering the queue: not on tombstones, not on
  ``Sync`` deltas (those objects were transformed on their way in).

Maps to client-go ``tools/cache/delta_fifo.go`` (``DeltaFIFO`` with
``EmitDeltaTypeReplaced``, as informers create it).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Any

from kclient.meta import DeletedFinalStateUnknown

from .deltas import (
    ADDED,
    DELETED,
    REPLACED,
    SYNC,
    UPDATED,
    Delta,
    DeltaType,
    KeyListerGetter,
    PopProcessFunc,
    TransformFunc,
)
from .errors import FIFOClosedError
from .store import KeyFunc, object_key

__all__ = ["DeltaFIFO", "dedup_deltas"]

log = logging.getLogger(__name__)


def dedup_deltas(deltas: list[Delta]) -> list[Delta]:
    """Collapse the two newest deltas if both are deletions (in place; returns the list)."""
    if len(deltas) < 2:
        return deltas
    a, b = deltas[-1], deltas[-2]
    if a.type is DELETED and b.type is DELETED:
        keep = a if isinstance(b.object, DeletedFinalStateUnknown) else b
        deltas[-2:] = [keep]
    return deltas


class DeltaFIFO:
    """See the module docstring."""

    def __init__(self, key_func: KeyFunc = object_key,
                 known_objects: KeyListerGetter | None = None,
                 transform: TransformFunc | None = None, *,
                 emit_replaced: bool = True) -> None:
        self._key_func = key_func
        self.known_objects = known_objects
        self.transform = transform
        self.emit_replaced = emit_replaced
        self._items: dict[str, list[Delta]] = {}
        self._queue: deque[str] = deque()
        self._populated = False
        self._initial_population_count = 0
        self._closed = False
        self._waiter: asyncio.Future[None] | None = None

    # -- keys -------------------------------------------------------------------

    def key_of(self, obj: Any) -> str:
        """The key of an object, a tombstone, a Delta or a list of deltas."""
        if isinstance(obj, list):
            if not obj:
                raise ValueError("0 length Deltas object; can't get key")
            obj = obj[-1].object
        elif isinstance(obj, Delta):
            obj = obj.object
        if isinstance(obj, DeletedFinalStateUnknown):
            return obj.key
        return self._key_func(obj)

    # -- producer side ----------------------------------------------------------

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _queue_action(self, action: DeltaType, obj: Any, internal: DeltaType | None = None) -> None:
        key = self.key_of(obj)
        if self.transform is not None and (internal or action) is not SYNC \
                and not isinstance(obj, DeletedFinalStateUnknown):
            obj = self.transform(obj)
        deltas = self._items.get(key)
        if deltas is None:
            self._items[key] = [Delta(action, obj)]
            self._queue.append(key)
        else:
            deltas.append(Delta(action, obj))
            dedup_deltas(deltas)
        self._wake()

    def add(self, obj: Any) -> None:
        self._populated = True
        self._queue_action(ADDED, obj)

    def update(self, obj: Any) -> None:
        self._populated = True
        self._queue_action(UPDATED, obj)

    def delete(self, obj: Any) -> None:
        """Queue a deletion, unless the key is neither queued nor known."""
        key = self.key_of(obj)
        self._populated = True
        if key not in self._items:
            known = self.known_objects
            if known is None or known.get_by_key(key) is None:
                return
        self._queue_action(DELETED, obj)

    def add_if_not_present(self, deltas: list[Delta]) -> None:
        """Put popped deltas back unless their key has been queued again since."""
        key = self.key_of(deltas)
        self._populated = True
        if key in self._items:
            return
        self._items[key] = list(deltas)
        self._queue.append(key)
        self._wake()

    def replace(self, objects: list[Any], resource_version: str = "") -> None:
        """Queue a full list; tombstone what is missing from it (see the module docstring)."""
        action = REPLACED if self.emit_replaced else SYNC
        keys: set[str] = set()
        for obj in objects:
            key = self.key_of(obj)
            keys.add(key)
            self._queue_action(action, obj, REPLACED)
        queued_deletions = 0
        for key, deltas in list(self._items.items()):
            if key in keys:
                continue
            deleted = deltas[-1].object if deltas else None
            if isinstance(deleted, DeletedFinalStateUnknown):
                deleted = deleted.obj
            queued_deletions += 1
            self._queue_action(DELETED, DeletedFinalStateUnknown(key, deleted))
        if self.known_objects is not None:
            for key in self.known_objects.list_keys():
                if key in keys or self._items.get(key):
                    continue
                deleted = self.known_objects.get_by_key(key)
                if deleted is None:
                    log.info("key %s does not exist in known objects store, placing "
                             "DeletedFinalStateUnknown marker without object", key)
                queued_deletions += 1
                self._queue_action(DELETED, DeletedFinalStateUnknown(key, deleted))
        if not self._populated:
            self._populated = True
            self._initial_population_count = len(keys) + queued_deletions
        self._wake()

    def resync(self) -> None:
        """Queue a ``Sync`` delta for every known object whose key is not queued."""
        known = self.known_objects
        if known is None:
            return
        for key in known.list_keys():
            obj = known.get_by_key(key)
            if obj is None:
                log.info("key %s does not exist in known objects store, unable to queue "
                         "object for sync", key)
                continue
            if self._items.get(self.key_of(obj)):
                continue
            self._queue_action(SYNC, obj)

    # -- consumer side ----------------------------------------------------------

    @property
    def has_synced(self) -> bool:
        return self._populated and self._initial_population_count == 0

    def _take(self) -> tuple[list[Delta], bool]:
        is_initial = not self.has_synced
        key = self._queue.popleft()
        if self._initial_population_count > 0:
            self._initial_population_count -= 1
        return self._items.pop(key), is_initial

    async def _wait(self) -> None:
        while not self._queue:
            if self._closed:
                raise FIFOClosedError("DeltaFIFO: queue closed")
            waiter = self._waiter = asyncio.get_running_loop().create_future()
            try:
                await waiter
            finally:
                self._waiter = None

    async def pop(self, process: PopProcessFunc | None = None) -> list[Delta]:
        """Wait for a key; remove it with its deltas, call ``process(deltas,
        is_in_initial_list)`` and return the deltas. Raises FIFOClosedError once the
        queue is closed and empty. Exceptions from ``process`` propagate (the item
        stays popped)."""
        await self._wait()
        deltas, is_initial = self._take()
        if process is not None:
            process(deltas, is_initial)
        return deltas

    async def pop_all(self, process: PopProcessFunc, process_one: object = None) -> int:
        """Wait for at least one key, then pop and process every queued key (as
        :meth:`pop` would, one by one, without yielding); return how many. An exception
        from ``process`` propagates after its item was popped. (``process_one`` is
        accepted for symmetry with RealFIFO and unused: items are lists of deltas.)"""
        await self._wait()
        n = 0
        while self._queue:
            deltas, is_initial = self._take()
            n += 1
            process(deltas, is_initial)
        return n

    def close(self) -> None:
        self._closed = True
        self._wake()

    @property
    def is_closed(self) -> bool:
        return self._closed

    # -- inspection -------------------------------------------------------------

    def list(self) -> list[Any]:
        """The newest object of every queued key."""
        return [deltas[-1].object for deltas in self._items.values()]

    def list_keys(self) -> list[str]:
        return list(self._queue)

    def get(self, obj: Any) -> list[Delta] | None:
        return self.get_by_key(self.key_of(obj))

    def get_by_key(self, key: str) -> list[Delta] | None:
        """A copy of the deltas queued under ``key``, or None."""
        deltas = self._items.get(key)
        return list(deltas) if deltas is not None else None

    def __len__(self) -> int:
        return len(self._queue)
