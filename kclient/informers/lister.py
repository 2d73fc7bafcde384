"""Listers: read-only views of an informer's cache, by label selector and by name.

``Lister(indexer)`` reads an :class:`~kclient.informers.store.Indexer`:

* ``list(selector=None)``: every cached object whose labels match ``selector``: a
  :class:`kclient.labels.Selector`, a selector string (``"app=web,tier!=db"``), a
  ``{label: value}`` dict (equality on each), or None for everything;
* ``get(namespace, name)``: the cached object, or None (``namespace=""`` for
  cluster-scoped objects);
* ``namespace(ns)``: a :class:`NamespaceLister` answering ``list``/``get`` within one
  namespace through the namespace index.

What a lister returns are the cached objects themselves: treat them as read-only
(copy before changing one, e.g. ``copy.deepcopy`` or a round trip through the codec).

Maps to client-go ``tools/cache/listers.go`` (``GenericLister``, ``ListAll``,
``ListAllByNamespace``) and the generated ``listers`` packages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kclient.labels import Selector, parse_selector, selector_from_set

from .store import NAMESPACE_INDEX, Indexer

__all__ = ["Lister", "NamespaceLister", "as_selector"]


def as_selector(selector: Selector | str | Mapping[str, str] | None) -> Selector | None:
    """A :class:`~kclient.labels.Selector` from any accepted form; None means everything."""
    if selector is None:
        return None
    if isinstance(selector, Selector):
        return None if selector.empty else selector
    if isinstance(selector, str):
        sel = parse_selector(selector)
    elif isinstance(selector, Mapping):
        sel = selector_from_set(selector)
    else:
        raise TypeError(f"expected a label selector (Selector, str or dict), got "
                        f"{type(selector).__name__}")
    return None if sel.empty else sel


def _labels(obj: Any) -> Mapping[str, str]:
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    labels = meta.get("labels") if isinstance(meta, dict) else None
    return labels or {}


def _filter(objects: list[Any], selector: Selector | None) -> list[Any]:
    if selector is None:
        return objects
    if selector.is_nothing:
        return []
    return [obj for obj in objects if selector.matches(_labels(obj))]


class Lister:
    """Reads an indexer; see the module docstring."""

    __slots__ = ("indexer",)

    def __init__(self, indexer: Indexer) -> None:
        self.indexer = indexer

    def list(self, selector: Selector | str | Mapping[str, str] | None = None) -> list[Any]:
        """Every cached object matching ``selector`` (all of them for None)."""
        return _filter(self.indexer.list(), as_selector(selector))

    def get(self, namespace: str, name: str) -> Any:
        """The cached object ``namespace/name`` (``namespace=""``: cluster-scoped), or None."""
        return self.indexer.get_by_key(f"{namespace}/{name}" if namespace else name)

    def namespace(self, namespace: str) -> NamespaceLister:
        return NamespaceLister(self.indexer, namespace)

    def __len__(self) -> int:
        return len(self.indexer)


class NamespaceLister:
    """A lister restricted to one namespace."""

    __slots__ = ("indexer", "namespace_name")

    def __init__(self, indexer: Indexer, namespace: str) -> None:
        self.indexer = indexer
        self.namespace_name = namespace

    def list(self, selector: Selector | str | Mapping[str, str] | None = None) -> list[Any]:
        sel = as_selector(selector)
        try:
            objects = self.indexer.by_index(NAMESPACE_INDEX, self.namespace_name)
        except LookupError:
            ns = self.namespace_name
            objects = [o for o in self.indexer.list()
                       if ((o.get("metadata") or {}).get("namespace") or "") == ns]
        return _filter(objects, sel)

    def get(self, name: str) -> Any:
        ns = self.namespace_name
        return self.indexer.get_by_key(f"{ns}/{name}" if ns else name)
