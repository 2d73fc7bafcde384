"""RealFIFO: the in-order queue informers use by default.

Unlike :class:`~kclient.informers.delta_fifo.DeltaFIFO`, which merges everything that
happened to a key while it waited, RealFIFO delivers every notification, one after
another, in the order the reflector produced them: a handler sees each intermediate
state and the deletes of objects that were re-created.

With ``atomic=True`` (the default) a :meth:`~RealFIFO.replace` (a full list or relist)
is queued as one item: its tombstones and its ``Replaced`` deltas pop together, so the
informer applies a whole list in one step and no reader ever sees a cache that holds
half of one list and half of the previous one. Likewise a :meth:`~RealFIFO.resync`
is one item. With ``atomic=False`` each delta is its own item.

Invariants:

* items pop in the order they were queued; nothing is merged or dropped;
* ``replace(objects)`` first queues a ``Deleted`` tombstone for every key whose last
  queued delta is not a deletion and that is missing from ``objects`` (carrying that
  queued object), then one for every known key missing from ``objects`` and not queued,
  then a ``Replaced`` delta per object;
* ``resync`` queues a ``Sync`` delta for every known key that has nothing queued;
* ``has_synced`` is true once an add, update or delete came first, or once every item
  queued by the first ``replace`` has been popped (with ``atomic``: the one batch);
* the transform runs on every object entering the queue except tombstones and
  ``Sync`` deltas.

Maps to client-go ``tools/cache/the_real_fifo.go`` (``RealFIFO``, which informers use
when the ``InOrderInformers`` feature is on, as it is by default).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
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

__all__ = ["RealFIFO"]


class _Batch(list[Delta]):
    """Deltas queued, and popped, as one item."""

    __slots__ = ()


class RealFIFO:
    """See the module docstring."""

    def __init__(self, key_func: KeyFunc = object_key,
                 known_objects: KeyListerGetter | None = None,
                 transform: TransformFunc | None = None, *, atomic: bool = True) -> None:
        if known_objects is None:
            raise ValueError("RealFIFO needs known_objects (the informer's indexer)")
        self._key_func = key_func
        self.known_objects = known_objects
        self.transform = transform
        self.atomic = atomic
        self._items: deque[Delta | _Batch] = deque()
        self._populated = False
        self._initial_population_count = 0
        self._closed = False
        self._waiter: asyncio.Future[None] | None = None

    def key_of(self, obj: Any) -> str:
        if isinstance(obj, Delta):
            obj = obj.object
        if isinstance(obj, DeletedFinalStateUnknown):
            return obj.key
        return self._key_func(obj)

    # -- producer side ----------------------------------------------------------

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _delta(self, action: DeltaType, obj: Any, skip_transform: bool = False) -> Delta:
        self.key_of(obj)  # every queued object must have a key
        if self.transform is not None and not skip_transform \
                and not isinstance(obj, DeletedFinalStateUnknown):
            obj = self.transform(obj)
        return Delta(action, obj)

    def _append(self, action: DeltaType, obj: Any) -> None:
        # the hot path of every watch event: _delta and _wake, inlined
        key_func = self._key_func
        if type(obj) is dict and key_func is object_key:
            object_key(obj)  # every queued object must have a key
        else:
            self.key_of(obj)
        transform = self.transform
        if transform is not None and not isinstance(obj, DeletedFinalStateUnknown):
            obj = transform(obj)
        self._populated = True
        self._items.append(Delta(action, obj))
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def add(self, obj: Any) -> None:
        self._append(ADDED, obj)

    def update(self, obj: Any) -> None:
        self._append(UPDATED, obj)

    def delete(self, obj: Any) -> None:
        self._append(DELETED, obj)

    def _queued(self) -> dict[str, Delta]:
        """The last queued delta of every queued key, in first-queued order."""
        last: dict[str, Delta] = {}
        key_of = self.key_of
        for item in self._items:
            if type(item) is _Batch:
                for delta in item:
                    last[key_of(delta.object)] = delta
            else:
                last[key_of(item.object)] = item  # type: ignore[union-attr]
        return last

    def replace(self, objects: list[Any], resource_version: str = "") -> None:
        """Queue a full list after tombstones for what it no longer holds."""
        key_of = self.key_of
        known = self.known_objects
        new_keys = {key_of(obj) for obj in objects}
        last_queued = self._queued() if self._items else {}
        batch: list[Delta] = []
        for key, delta in last_queued.items():
            if key in new_keys or delta.type is DELETED:
                continue
            batch.append(self._delta(DELETED, DeletedFinalStateUnknown(key, delta.object)))
        for key in known.list_keys():
            if key in new_keys or key in last_queued:
                continue
            batch.append(Delta(DELETED, DeletedFinalStateUnknown(key, known.get_by_key(key))))
        transform = self.transform
        if transform is None:
            batch.extend([Delta(REPLACED, obj) for obj in objects])
        else:
            batch.extend([Delta(REPLACED, transform(obj)) for obj in objects])
        if self.atomic:
            # queued even when empty, so that popping it marks the initial list done
            self._items.append(_Batch(batch))
        else:
            self._items.extend(batch)
        if not self._populated:
            self._populated = True
            self._initial_population_count = len(self._items)
        self._wake()

    def resync(self) -> None:
        """Queue a ``Sync`` for every known object with nothing queued."""
        queued = self._queued() if self._items else {}
        known = self.known_objects
        batch = []
        for key in known.list_keys():
            if key in queued:
                continue
            obj = known.get_by_key(key)
            if obj is None:
                continue
            batch.append(Delta(SYNC, obj))
        if not batch:
            return
        if self.atomic:
            self._items.append(_Batch(batch))
        else:
            self._items.extend(batch)
        self._wake()

    # -- consumer side ----------------------------------------------------------

    @property
    def has_synced(self) -> bool:
        return self._populated and self._initial_population_count == 0

    def _take(self) -> tuple[list[Delta], bool]:
        is_initial = not (self._populated and self._initial_population_count == 0)
        item = self._items.popleft()
        if self._initial_population_count > 0:
            self._initial_population_count -= 1
        if type(item) is _Batch:
            return item, is_initial
        return [item], is_initial  # type: ignore[list-item]

    async def _wait(self) -> None:
        while not self._items:
            if self._closed:
                raise FIFOClosedError("RealFIFO: queue closed")
            waiter = self._waiter = asyncio.get_running_loop().create_future()
            try:
                await waiter
            finally:
                self._waiter = None

    async def pop(self, process: PopProcessFunc | None = None) -> list[Delta]:
        """Wait for an item (one delta, or a whole batch), remove it, call
        ``process(deltas, is_in_initial_list)`` and return the deltas."""
        await self._wait()
        deltas, is_initial = self._take()
        if process is not None:
            process(deltas, is_initial)
        return deltas

    async def pop_all(self, process: PopProcessFunc,
                      process_one: Callable[[DeltaType, Any, bool], None] | None = None
                      ) -> int:
        """Wait for an item, then pop and process every queued item in order without
        yielding; return how many. With ``process_one``, a single delta is handed over
        as ``process_one(type, object, is_in_initial_list)`` (no list built)."""
        await self._wait()
        n = 0
        items = self._items
        while items:
            n += 1
            if process_one is not None and self._initial_population_count == 0 \
                    and self._populated:
                item = items.popleft()
                if type(item) is _Batch:
                    process(item, False)
                else:
                    process_one(item[0], item[1], False)  # type: ignore[index]
                continue
            deltas, is_initial = self._take()
            process(deltas, is_initial)
        return n

    def close(self) -> None:
        self._closed = True
        self._wake()

    @property
    def is_closed(self) -> bool:
        return self._closed

    # -- inspection -------------------------------------------------------------

    def list_keys(self) -> list[str]:
        """Keys with something queued, in first-queued order."""
        return list(self._queued())

    def __len__(self) -> int:
        """Queued items (a batch counts once)."""
        return len(self._items)

    def pending_deltas(self) -> int:
        """Queued deltas (every delta of a batch counts)."""
        return sum(len(i) if type(i) is _Batch else 1 for i in self._items)
