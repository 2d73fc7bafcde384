"""Paged lists: fetch a whole list in chunks of ``page_size`` and put it back together.

:func:`list_all` calls a list function with ``limit`` and follows ``continue`` tokens
until the server has nothing more, returning every item with the resource version of
the first page. When a continuation expires mid-way (410), it starts over with one
full, unpaged list, as a continuation older than the server's history can never be
completed consistently.

Invariants:

* a single-page answer is returned as is (its ``items`` list, not a copy), and is
  reported as not paginated;
* continuation requests clear ``resourceVersion`` and ``resourceVersionMatch`` (the
  server refuses both alongside ``continue``);
* the returned resource version is the first page's: every later page is served from
  that same snapshot.

Maps to client-go ``tools/pager`` (``ListPager``, ``PageSize = 500``,
``FullListIfExpired``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from .errors import is_expired
from .listwatch import ListOptions

__all__ = ["DEFAULT_PAGE_SIZE", "ListResult", "list_all"]

DEFAULT_PAGE_SIZE = 500


class ListResult:
    """Every item of a (possibly paged) list, its resource version, and the list's
    ``apiVersion``/``kind`` (from the first page)."""

    __slots__ = ("api_version", "items", "kind", "paginated", "resource_version")

    def __init__(self, items: list[Any], resource_version: str, paginated: bool,
                 api_version: str = "", kind: str = "") -> None:
        self.items = items
        self.resource_version = resource_version
        self.paginated = paginated
        self.api_version = api_version
        self.kind = kind

    def __repr__(self) -> str:
        return (f"ListResult({len(self.items)} items, resource_version="
                f"{self.resource_version!r}, paginated={self.paginated})")


def _meta(obj: Any) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise TypeError(f"unable to understand list result: expected an object, got "
                        f"{type(obj).__name__}")
    meta = obj.get("metadata") or {}
    if not isinstance(meta, dict):
        raise TypeError("unable to understand list result: metadata is not an object")
    return meta


def _items(obj: dict[str, Any]) -> list[Any]:
    items = obj.get("items")
    if items is None:
        return []
    if not isinstance(items, list):
        raise TypeError("unable to understand list result: items is not a list")
    return items


async def list_all(list_func: Callable[[ListOptions], Awaitable[dict[str, Any]]],
                   options: ListOptions, page_size: int = DEFAULT_PAGE_SIZE,
                   full_list_if_expired: bool = True) -> ListResult:
    """List everything ``options`` selects, ``page_size`` items at a time (0: one
    request); see the module docstring."""
    opts = replace(options)
    if not opts.limit:
        opts.limit = page_size
    first: dict[str, Any] | None = None
    collected: list[Any] | None = None
    while True:
        try:
            page = await list_func(opts)
        except Exception as exc:
            if not is_expired(exc) or not full_list_if_expired or not opts.continue_:
                raise
            # the continuation expired: fall back to one full list
            opts = replace(opts, limit=0, continue_="")
            page = await list_func(opts)
            meta = _meta(page)
            return ListResult(_items(page), str(meta.get("resourceVersion") or ""), False,
                              page.get("apiVersion") or "", page.get("kind") or "")
        meta = _meta(page)
        token = meta.get("continue") or ""
        if first is None:
            first = page
            if not token:
                return ListResult(_items(page), str(meta.get("resourceVersion") or ""), False,
                                  page.get("apiVersion") or "", page.get("kind") or "")
            collected = list(_items(page))
        else:
            assert collected is not None
            collected.extend(_items(page))
        if not token:
            break
        opts = replace(opts, continue_=token, resource_version="", resource_version_match="")
    assert first is not None and collected is not None
    first_meta = _meta(first)
    return ListResult(collected, str(first_meta.get("resourceVersion") or ""), True,
                      first.get("apiVersion") or "", first.get("kind") or "")
