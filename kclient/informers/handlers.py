"""Event handlers: what an informer calls when objects are added, updated or deleted.

A handler is anything with the three methods of :class:`ResourceEventHandler`:

* ``on_add(obj, is_initial)``: ``is_initial`` is true for objects of the initial list
  (and for the cached objects a handler added late is first given);
* ``on_update(old, new)``: also called with ``old`` and ``new`` at the same
  ``resourceVersion`` for a periodic resync, or for an unchanged object in a relist;
* ``on_delete(obj)``: ``obj`` is the last state seen, or a
  :class:`~kclient.meta.DeletedFinalStateUnknown` tombstone when the deletion was
  missed and only noticed by a relist; :func:`unwrap_tombstone` gives the object either
  way.

Each method may be a plain function or a coroutine function; a returned awaitable is
awaited before the handler gets its next notification, so one handler never runs
twice at once. :class:`EventHandler` builds a handler from up to three callables, and
:class:`FilteringEventHandler` passes on only the objects a predicate accepts, turning
updates that cross the predicate into adds or deletes.

Maps to client-go ``tools/cache/controller.go`` (``ResourceEventHandler``,
``ResourceEventHandlerFuncs``, ``FilteringResourceEventHandler``) and the
``DeletedFinalStateUnknown`` unwrapping idiom every controller writes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol, runtime_checkable

from kclient.meta import DeletedFinalStateUnknown

__all__ = [
    "EventHandler",
    "FilteringEventHandler",
    "ResourceEventHandler",
    "unwrap_tombstone",
]

@runtime_checkable
class ResourceEventHandler(Protocol):
    def on_add(self, obj: Any, is_initial: bool) -> Awaitable[Any] | None: ...

    def on_update(self, old: Any, new: Any) -> Awaitable[Any] | None: ...

    def on_delete(self, obj: Any) -> Awaitable[Any] | None: ...


def unwrap_tombstone(obj: Any) -> Any:
    """The object inside a :class:`~kclient.meta.DeletedFinalStateUnknown`, or ``obj``
    itself. The unwrapped object is the last state the cache knew (it may be stale,
    and it is None when the cache never had one)."""
    if isinstance(obj, DeletedFinalStateUnknown):
        return obj.obj
    return obj


class EventHandler:
    """A handler from up to three callables; missing ones ignore their events.

    ``on_add(obj, is_initial)``, ``on_update(old, new)``, ``on_delete(obj)``; each may
    be a coroutine function. With ``unwrap_tombstones=True`` ``on_delete`` receives the
    object inside a tombstone instead of the tombstone (skipping tombstones that carry
    no object).
    """

    __slots__ = ("add_func", "delete_func", "unwrap_tombstones", "update_func")

    def __init__(self, on_add: Callable[[Any, bool], Any] | None = None,
                 on_update: Callable[[Any, Any], Any] | None = None,
                 on_delete: Callable[[Any], Any] | None = None, *,
                 unwrap_tombstones: bool = False) -> None:
        self.add_func = on_add
        self.update_func = on_update
        self.delete_func = on_delete
        self.unwrap_tombstones = unwrap_tombstones

    def on_add(self, obj: Any, is_initial: bool) -> Any:
        f = self.add_func
        if f is not None:
            return f(obj, is_initial)
        return None

    def on_update(self, old: Any, new: Any) -> Any:
        f = self.update_func
        if f is not None:
            return f(old, new)
        return None

    def on_delete(self, obj: Any) -> Any:
        f = self.delete_func
        if f is None:
            return None
        if self.unwrap_tombstones and isinstance(obj, DeletedFinalStateUnknown):
            obj = obj.obj
            if obj is None:
                return None
        return f(obj)

    def __repr__(self) -> str:
        names = [n for n, f in (("on_add", self.add_func), ("on_update", self.update_func),
                                ("on_delete", self.delete_func)) if f is not None]
        return f"EventHandler({', '.join(names)})"


class FilteringEventHandler:
    """Passes to ``handler`` only what ``predicate`` accepts.

    An update whose old object passed and new one does not becomes ``on_delete(old)``;
    the reverse becomes ``on_add(new, False)``; neither passing drops it. Deletes are
    filtered on what ``on_delete`` receives (possibly a tombstone).
    """

    __slots__ = ("handler", "predicate")

    def __init__(self, predicate: Callable[[Any], bool], handler: ResourceEventHandler) -> None:
        self.predicate = predicate
        self.handler = handler

    def on_add(self, obj: Any, is_initial: bool) -> Any:
        if not self.predicate(obj):
            return None
        return self.handler.on_add(obj, is_initial)

    def on_update(self, old: Any, new: Any) -> Any:
        newer = self.predicate(new)
        older = self.predicate(old)
        if newer and older:
            return self.handler.on_update(old, new)
        if newer:
            return self.handler.on_add(new, False)
        if older:
            return self.handler.on_delete(old)
        return None

    def on_delete(self, obj: Any) -> Any:
        if not self.predicate(obj):
            return None
        return self.handler.on_delete(obj)
