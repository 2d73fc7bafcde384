"""``Pager``: a large list fetched in pages with ``limit``/``continue``.

* :meth:`Pager.list` returns one merged list and whether it was paginated. When a
  later page fails because its continue token expired (410 ``Expired``, the server's
  history was compacted while paging), it falls back to a single full list at the
  resource version first requested (``full_list_if_expired``, on by default). An
  expired first page, or any other error, is raised.
* :meth:`Pager.pages` yields each page as the server sent it and :meth:`Pager.items`
  each item; they cannot fall back without repeating items, so an expired token is
  raised (``ApiError``, ``is_resource_expired``), as upstream's ``EachListChunk`` does.

Pages after the first are requested without ``resourceVersion`` and
``resourceVersionMatch`` (the continue token carries the version; the server
rejects both together). ``limit`` defaults to ``page_size`` (500).

The merged list keeps the first page's ``apiVersion``, ``kind`` and
``metadata.resourceVersion``; its ``items`` are the pages' items in order.

Maps to client-go ``tools/pager/pager.go`` (``ListPager.List``, ``EachListItem``,
``eachListChunk``).
"""

from __future__ import annotations

from typing import Any, AsyncIterator, Awaitable, Callable

from .errors import is_resource_expired

__all__ = ["Pager", "DEFAULT_PAGE_SIZE"]

DEFAULT_PAGE_SIZE = 500

ListFn = Callable[..., Awaitable[dict[str, Any]]]


def _continue_of(page: dict[str, Any]) -> str:
    md = page.get("metadata")
    return (md.get("continue") or "") if isinstance(md, dict) else ""


class Pager:
    """Pages through ``list_fn(**options)``; options use :meth:`ResourceClient.list`'s
    keyword names (``limit``, ``continue_token``, ``resource_version``, ...)."""

    def __init__(self, list_fn: ListFn, *, page_size: int = DEFAULT_PAGE_SIZE,
                 full_list_if_expired: bool = True) -> None:
        if page_size < 0:
            raise ValueError("page_size must not be negative")
        self.list_fn = list_fn
        self.page_size = page_size
        self.full_list_if_expired = full_list_if_expired

    async def list(self, **options: Any) -> tuple[dict[str, Any], bool]:
        """The whole list, and whether it was assembled from several pages."""
        if not options.get("limit"):
            options["limit"] = self.page_size or None
        requested_rv = options.get("resource_version")
        requested_match = options.get("resource_version_match")
        merged: dict[str, Any] | None = None
        paginated = False
        while True:
            try:
                page = await self.list_fn(**options)
            except Exception as exc:
                if not is_resource_expired(exc) or not self.full_list_if_expired or \
                        not options.get("continue_token"):
                    raise
                options.update(limit=None, continue_token=None,
                               resource_version=requested_rv,
                               resource_version_match=requested_match)
                return await self.list_fn(**options), paginated
            token = _continue_of(page)
            if not token and merged is None:
                return page, paginated
            if merged is None:
                md = page.get("metadata") or {}
                merged = {k: v for k, v in page.items() if k not in ("items", "metadata")}
                merged["metadata"] = {k: v for k, v in md.items()
                                      if k in ("resourceVersion", "selfLink")}
                merged["items"] = []
            merged["items"].extend(page.get("items") or [])
            if not token:
                return merged, paginated
            options.update(continue_token=token, resource_version=None,
                           resource_version_match=None)
            paginated = True

    async def pages(self, **options: Any) -> AsyncIterator[dict[str, Any]]:
        """Each page in turn; an expired continue token is raised."""
        if not options.get("limit"):
            options["limit"] = self.page_size or None
        while True:
            page = await self.list_fn(**options)
            yield page
            token = _continue_of(page)
            if not token:
                return
            options.update(continue_token=token, resource_version=None,
                           resource_version_match=None)

    async def items(self, **options: Any) -> AsyncIterator[dict[str, Any]]:
        """Each item of each page in turn."""
        async for page in self.pages(**options):
            for item in page.get("items") or []:
                yield item
