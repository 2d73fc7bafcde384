"""Deltas: the change records the reflector's queue hands to the informer.

A :class:`Delta` is ``(type, object)``. Its :class:`DeltaType` says where it came from:

* ``Added`` / ``Updated`` / ``Deleted``: a watch event;
* ``Replaced``: an object of a full (re)list, which the informer turns into an add or
  an update depending on whether it already had the key;
* ``Sync``: a periodic resync re-delivering a cached object unchanged.

A ``Deleted`` delta's object may be a :class:`kclient.meta.DeletedFinalStateUnknown`
tombstone: the relist no longer had an object the cache knew, so its deletion was
missed and its final state is unknown.

:class:`Queue` is what the reflector writes into and the informer pops from; both
:class:`~kclient.informers.delta_fifo.DeltaFIFO` and
:class:`~kclient.informers.real_fifo.RealFIFO` implement it. ``pop(process)`` waits for
an item and calls ``process(deltas, is_in_initial_list)`` before returning, with
nothing else running in between, so ``has_synced`` can never be seen true while the
last initial item is still unprocessed.

Maps to client-go ``tools/cache`` ``delta_fifo.go`` (``Delta``, ``Deltas``,
``DeltaType``) and ``fifo.go`` (``Queue``, ``PopProcessFunc``).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, NamedTuple, Protocol

__all__ = [
    "ADDED",
    "DELETED",
    "REPLACED",
    "SYNC",
    "UPDATED",
    "Delta",
    "DeltaType",
    "KeyListerGetter",
    "PopProcessFunc",
    "Queue",
    "TransformFunc",
]


class DeltaType(StrEnum):
    ADDED = "Added"
    UPDATED = "Updated"
    DELETED = "Deleted"
    REPLACED = "Replaced"
    SYNC = "Sync"


ADDED = DeltaType.ADDED
UPDATED = DeltaType.UPDATED
DELETED = DeltaType.DELETED
REPLACED = DeltaType.REPLACED
SYNC = DeltaType.SYNC


class Delta(NamedTuple):
    type: DeltaType
    object: Any


#: ``process(deltas, is_in_initial_list)``, called by ``pop``
PopProcessFunc = Callable[[list[Delta], bool], None]

#: applied to every object entering a queue (client-go's ``TransformFunc``)
TransformFunc = Callable[[Any], Any]


class KeyListerGetter(Protocol):
    """The known objects a queue consults for deletes, replaces and resyncs (the
    informer's indexer)."""

    def list_keys(self) -> list[str]: ...

    def get_by_key(self, key: str) -> Any: ...


class Queue(Protocol):
    """What the reflector feeds and the informer drains."""

    def add(self, obj: Any) -> None: ...

    def update(self, obj: Any) -> None: ...

    def delete(self, obj: Any) -> None: ...

    def replace(self, objects: list[Any], resource_version: str) -> None: ...

    def resync(self) -> None: ...

    async def pop(self, process: PopProcessFunc) -> list[Delta]: ...

    @property
    def has_synced(self) -> bool: ...

    def close(self) -> None: ...

    @property
    def is_closed(self) -> bool: ...
