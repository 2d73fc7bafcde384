"""The Indexer: the informer's local cache, a dict of objects by key plus secondary indices.

An :class:`Indexer` holds objects under their key (``"namespace/name"``, or ``"name"``
for cluster-scoped objects, as :func:`kclient.meta.key_of` computes it) and keeps any
number of named indices: an index function maps an object to a list of index values,
and the index maps each value to the set of keys of the objects that produced it. The
namespace index (:data:`NAMESPACE_INDEX`, by :func:`namespace_index_func`) is built in.

Invariants (checked by the tests after every operation):

* for every index ``name`` and every stored ``key``: ``key`` is in
  ``indices[name][v]`` exactly for the values ``v`` its object's index function
  returns, and no value maps to an empty set;
* an index function that raises leaves the store and every index as they were: the
  new values are computed before anything is changed;
* objects are stored as given, never copied: what :meth:`get` and :meth:`list` return
  is the cached object itself, to be treated as read-only (mutating it would
  desynchronize the indices and every other reader's view).

The store is single-threaded (asyncio): each method runs to completion without
yielding, which gives client-go's thread-safe store semantics without locks.

Maps to client-go ``tools/cache`` ``store.go`` (``cache``, ``MetaNamespaceKeyFunc``),
``thread_safe_store.go`` (``threadSafeMap``, ``storeIndex``) and ``index.go``
(``Indexers``, ``MetaNamespaceIndexFunc``, ``NamespaceIndex``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from kclient.meta import key_of, namespace_of

from .errors import IndexNotFoundError

__all__ = [
    "NAMESPACE_INDEX",
    "IndexFunc",
    "Indexer",
    "KeyFunc",
    "namespace_index_func",
    "object_key",
]

KeyFunc = Callable[[Any], str]
IndexFunc = Callable[[Any], "list[str]"]

#: name of the built-in namespace index (client-go's ``cache.NamespaceIndex``)
NAMESPACE_INDEX = "namespace"


def object_key(obj: Any) -> str:
    """The cache key of ``obj``: :func:`kclient.meta.key_of`, with a fast path for
    well-formed object dicts (the informer computes it for every event)."""
    if type(obj) is dict:
        meta = obj.get("metadata")
        if type(meta) is dict:
            name = meta.get("name")
            if type(name) is str:
                ns = meta.get("namespace")
                if not ns:
                    return name
                if type(ns) is str:
                    return f"{ns}/{name}"
    return key_of(obj)


def namespace_index_func(obj: Any) -> list[str]:
    """The namespace index: ``[metadata.namespace]`` (``[""]`` when cluster-scoped)."""
    if type(obj) is dict:
        meta = obj.get("metadata")
        if type(meta) is dict:
            ns = meta.get("namespace")
            if type(ns) is str:
                return [ns]
            if ns is None:
                return [""]
    return [namespace_of(obj)]


class Indexer:
    """Objects by key, with named indices; see the module docstring.

    ``Indexer()`` has the namespace index; pass ``indexers`` to add others (they are
    added to the namespace index unless ``namespace_index=False``).
    """

    __slots__ = ("_indexers", "_indices", "_items", "_key_func", "_plain_updates")

    def __init__(self, key_func: KeyFunc = object_key,
                 indexers: Mapping[str, IndexFunc] | None = None, *,
                 namespace_index: bool = True) -> None:
        self._key_func = key_func
        self._items: dict[str, Any] = {}
        self._indexers: dict[str, IndexFunc] = {}
        self._indices: dict[str, dict[str, set[str]]] = {}
        if namespace_index and not (indexers and NAMESPACE_INDEX in indexers):
            self._indexers[NAMESPACE_INDEX] = namespace_index_func
            self._indices[NAMESPACE_INDEX] = {}
        for name, func in (indexers or {}).items():
            self._indexers[name] = func
            self._indices[name] = {}
        self._refresh()

    def _refresh(self) -> None:
        # True when replacing an object under its key can never change an index (only
        # the namespace index, and keys that hold the namespace): updates then skip
        # the index functions entirely
        self._plain_updates = self._key_func is object_key and all(
            f is namespace_index_func for f in self._indexers.values())

    # -- keys -------------------------------------------------------------------

    @property
    def key_func(self) -> KeyFunc:
        return self._key_func

    def key_of(self, obj: Any) -> str:
        """The key ``obj`` is (or would be) stored under; tombstones give their key."""
        if type(obj) is not dict:
            key = getattr(obj, "key", None)
            if isinstance(key, str) and hasattr(obj, "obj"):
                return key
        return self._key_func(obj)

    # -- writes -----------------------------------------------------------------

    def _index_values(self, name: str, func: IndexFunc, obj: Any, key: str) -> list[str]:
        try:
            values = func(obj)
        except Exception as exc:
            raise ValueError(
                f"unable to calculate an index entry for key {key!r} on index {name!r}: {exc}"
            ) from exc
        if values is None:
            return []
        return values if type(values) is list else list(values)

    def _reindex(self, key: str, old: Any, new: Any) -> None:
        """Move ``key`` from ``old``'s index values to ``new``'s (either may be None)."""
        indexers = self._indexers
        if not indexers:
            return
        changes = []
        same_key_update = old is not None and new is not None and \
            self._key_func is object_key
        for name, func in indexers.items():
            if same_key_update and func is namespace_index_func:
                continue  # the key holds the namespace: an update cannot move it
            old_values = self._index_values(name, func, old, key) if old is not None else []
            new_values = self._index_values(name, func, new, key) if new is not None else []
            if len(old_values) == 1 and len(new_values) == 1 and old_values[0] == new_values[0]:
                continue
            changes.append((self._indices[name], old_values, new_values))
        for index, old_values, new_values in changes:
            for value in old_values:
                keys = index.get(value)
                if keys is not None:
                    keys.discard(key)
                    if not keys:
                        del index[value]
            for value in new_values:
                keys = index.get(value)
                if keys is None:
                    index[value] = {key}
                else:
                    keys.add(key)

    def _put(self, key: str, obj: Any) -> Any:
        """Store ``obj`` under ``key``; return what was there (None if nothing)."""
        items = self._items
        old = items.get(key)
        self._reindex(key, old, obj)
        items[key] = obj
        return old

    def _remove(self, key: str) -> Any:
        items = self._items
        old = items.get(key)
        if old is not None:
            self._reindex(key, old, None)
            del items[key]
        return old

    def add(self, obj: Any) -> None:
        """Insert or replace ``obj`` under its key."""
        if obj is None:
            raise ValueError("cannot store None")
        self._put(self.key_of(obj), obj)

    update = add

    def delete(self, obj: Any) -> None:
        """Remove the object with ``obj``'s key (a tombstone gives its key); no-op if absent."""
        self._remove(self.key_of(obj))

    def delete_key(self, key: str) -> None:
        self._remove(key)

    def replace(self, objects: Iterable[Any], resource_version: str = "") -> None:
        """Make the store hold exactly ``objects``; every index is rebuilt."""
        key_func = self.key_of
        items = {key_func(obj): obj for obj in objects}
        if None in items.values():
            raise ValueError("cannot store None")
        self._rebuild(items)

    def _rebuild(self, items: dict[str, Any]) -> None:
        indices = {name: self._build_index(name, func, items)
                   for name, func in self._indexers.items()}
        self._items = items
        self._indices = indices

    def _build_index(self, name: str, func: IndexFunc,
                     items: dict[str, Any]) -> dict[str, set[str]]:
        index: dict[str, set[str]] = {}
        for key, obj in items.items():
            for v in self._index_values(name, func, obj, key):
                keys = index.get(v)
                if keys is None:
                    index[v] = {key}
                else:
                    keys.add(key)
        return index

    def resync(self) -> None:
        """Nothing to do for a plain store (client-go keeps it for the Store interface)."""

    # -- reads ------------------------------------------------------------------

    def get(self, obj: Any) -> Any:
        """The stored object with ``obj``'s key, or None."""
        return self._items.get(self.key_of(obj))

    def get_by_key(self, key: str) -> Any:
        """The stored object under ``key``, or None."""
        return self._items.get(key)

    def list(self) -> list[Any]:
        return list(self._items.values())

    def list_keys(self) -> list[str]:
        return list(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def items(self) -> dict[str, Any]:
        """A shallow copy of the key -> object mapping."""
        return dict(self._items)

    # -- indices ----------------------------------------------------------------

    def _index(self, name: str) -> dict[str, set[str]]:
        index = self._indices.get(name)
        if index is None:
            raise IndexNotFoundError(name)
        return index

    def index(self, name: str, obj: Any) -> list[Any]:
        """The objects sharing any of ``obj``'s values in index ``name``."""
        index = self._index(name)
        values = self._index_values(name, self._indexers[name], obj, "<query>")
        if len(values) == 1:
            keys: Iterable[str] = index.get(values[0], ())
        else:
            merged: set[str] = set()
            for v in values:
                merged.update(index.get(v, ()))
            keys = merged
        items = self._items
        return [items[k] for k in keys]

    def index_keys(self, name: str, value: str) -> list[str]:
        """The keys of the objects with ``value`` in index ``name`` (sorted)."""
        return sorted(self._index(name).get(value, ()))

    def by_index(self, name: str, value: str) -> list[Any]:
        """The objects with ``value`` in index ``name``."""
        items = self._items
        return [items[k] for k in self._index(name).get(value, ())]

    def list_index_func_values(self, name: str) -> list[str]:
        """Every value index ``name`` currently holds (``[]`` for an unknown index)."""
        return list(self._indices.get(name, ()))

    def get_indexers(self) -> dict[str, IndexFunc]:
        return dict(self._indexers)

    def add_indexers(self, indexers: Mapping[str, IndexFunc]) -> None:
        """Add index functions; objects already stored are indexed at once.

        Raises ValueError if a name is taken (nothing is added then)."""
        clash = sorted(set(indexers) & set(self._indexers))
        if clash:
            raise ValueError(f"indexer conflict: {clash}")
        built = {name: self._build_index(name, func, self._items)
                 for name, func in indexers.items()}
        for name, func in indexers.items():
            self._indexers[name] = func
            self._indices[name] = built[name]
        self._refresh()

    def check_consistency(self) -> None:
        """Raise AssertionError if an index disagrees with the stored objects (for tests
        and debugging; walks everything)."""
        for name, func in self._indexers.items():
            expected = self._build_index(name, func, self._items)
            actual = self._indices[name]
            if expected != actual:
                raise AssertionError(f"index {name!r} is inconsistent: expected {expected!r}, "
                                     f"have {actual!r}")
